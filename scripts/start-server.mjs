// Starts a real WSP server process (src/server/cli.ts through tsx) and resolves once it listens.
// Shared by the demo, the benchmarks and the browser tests' runner plugin: one way to start a server.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Flags for servers that tests and benchmarks start: every client they run comes from 127.0.0.1, so the limits per
 * client address (meant to stop one host from flooding a public server) would count them all as one.
 */
export const LOOPBACK_ARGS = ['--limit', 'connectionsPerAddress=0', '--limit', 'upgradesPerMinute=0'];

/**
 * @param {string[]} args  flags for `wsp-server serve`; `--port 0` picks a free port
 * @param {{ log?: (line: string) => void, env?: Record<string, string> }} [options]  `log` receives every stdout line
 *   after the first; `env` adds variables to the server's environment (e.g. NODE_OPTIONS for a probe)
 * @returns {Promise<{ port: number, url: string, domain: string, process: import('node:child_process').ChildProcess, stop(): Promise<void> }>}
 */
export function startServer(args, { log, env } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    // SIGINT closes at once; SIGTERM would drain, waiting for calls a test or a benchmark left ringing.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    let ready = false;
    lines.on('line', (line) => {
      if (ready) return log?.(line);
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return log?.(line);
      }
      if (entry.msg !== 'listening') return log?.(line);
      ready = true;
      resolve({ port: entry.port, url: entry.url, domain: entry.domain, process: child, stop });
    });
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`wsp-server exited with code ${code} before listening`));
    });
  });
}

/** Free loopback ports, picked before servers start: federated servers must name each other's port in --peer. */
export async function freePorts(count) {
  const { createServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve) => {
          const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * Starts two real server processes, `alpha.localhost:P` and `beta.localhost:Q`, each knowing the other by --peer
 * (no discovery), with keys in a temporary directory removed on stop. `args` are added to both servers' flags.
 * @param {{ args?: string[], log?: (line: string) => void }} [options]
 * @returns {Promise<{ alpha: Awaited<ReturnType<typeof startServer>>, beta: Awaited<ReturnType<typeof startServer>>, stop(): Promise<void> }>}
 */
export async function startFederation({ args = [], log } = {}) {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'wsp-federation-'));
  const [portA, portB] = await freePorts(2);
  const alphaDomain = `alpha.localhost:${portA}`;
  const betaDomain = `beta.localhost:${portB}`;
  const flags = (domain, port, key, peer, peerPort) => [
    '--domain',
    domain,
    '--port',
    String(port),
    '--key-file',
    join(dir, key),
    '--no-discovery',
    '--peer',
    `${peer}=http://127.0.0.1:${peerPort}`,
    ...args,
  ];
  const started = await Promise.allSettled([
    startServer(flags(alphaDomain, portA, 'alpha.pem', betaDomain, portB), { log: log && ((line) => log(`alpha ${line}`)) }),
    startServer(flags(betaDomain, portB, 'beta.pem', alphaDomain, portA), { log: log && ((line) => log(`beta ${line}`)) }),
  ]);
  const stop = async () => {
    await Promise.all(started.map((result) => result.status === 'fulfilled' && result.value.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const [alpha, beta] = started.map((result) => result.value);
  return { alpha, beta, stop };
}
