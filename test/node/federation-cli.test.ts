// Two `wsp-server` processes, alpha and beta, federated by --peer and --key-file, the way `npm start` runs them.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ByeCode } from '../../src/protocol/index.js';
import type { WspServer } from '../../src/server/index.js';
import { Client, frames, SECRET } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

type LogEntry = Record<string, unknown>;

interface Process {
  readonly child: ChildProcessWithoutNullStreams;
  readonly log: LogEntry[];
  /** What Client.open needs of a server. */
  readonly server: WspServer;
}

/** Free ports, picked before the servers start: each must name the other's port in --peer. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Starts `wsp-server` and resolves once it logged its federation line; it is killed when the test ends. */
async function serve(t: TestContext, args: string[]): Promise<Process> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WSP_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--secret', SECRET, ...args], { cwd: root, env });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const log: LogEntry[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line: string) => {
      log.push(JSON.parse(line) as LogEntry);
      if (log.at(-1)!.msg === 'federation') resolve();
    });
    child.once('exit', (code) => reject(new Error(`wsp-server exited with ${code}`)));
  });
  await ready;
  const listening = log[0]!;
  const server = { port: listening.port, url: listening.url, domain: listening.domain, close: async () => {} } as WspServer;
  return { child, log, server };
}

describe('two wsp-server processes', { concurrency: false }, () => {
  test('alice@alpha calls bob@beta; the key file is made once and kept; killing beta ends the call with 503', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'wsp-federation-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const [portA, portB] = await freePorts(2);
    const alphaDomain = `alpha.localhost:${portA}`;
    const betaDomain = `beta.localhost:${portB}`;
    const alphaArgs = [
      '--domain',
      alphaDomain,
      '--port',
      String(portA),
      '--key-file',
      join(dir, 'alpha.pem'),
      '--peer',
      `${betaDomain}=http://127.0.0.1:${portB}`,
    ];
    const betaArgs = ['--domain', betaDomain, '--port', String(portB), '--key-file', join(dir, 'beta.pem')];
    const started = performance.now();
    const [alpha, beta] = await Promise.all([
      serve(t, alphaArgs),
      serve(t, [...betaArgs, '--no-discovery', '--peer', `${alphaDomain}=http://127.0.0.1:${portA}`]),
    ]);
    t.diagnostic(`two server processes ready in ${(performance.now() - started).toFixed(0)} ms`);
    const federation = alpha.log.find((entry) => entry.msg === 'federation')!;
    assert.equal(federation.link, `ws://127.0.0.1:${portA}/wsp/federation`);
    assert.equal((await stat(join(dir, 'alpha.pem'))).mode & 0o777, 0o600);
    assert.match(await readFile(join(dir, 'alpha.pem'), 'utf8'), /BEGIN PRIVATE KEY/);

    const alice = await Client.open(t, alpha.server, 'alice');
    const bob = await Client.open(t, beta.server, 'bob');
    alice.send(frames.invite('c1', alice.user, bob.user));
    assert.deepEqual(await bob.next(), ['invite', { caller: { uri: alice.user }, callee: { uri: bob.user } }, { call: 'c1', timeout: 30_000 }]);
    bob.send(frames.ringing('c1'));
    assert.deepEqual(await alice.next(), frames.ringing('c1'));
    bob.send(frames.offer('c1'));
    assert.deepEqual(await alice.next(), frames.offer('c1'));
    alice.send(frames.answer('c1'));
    assert.deepEqual(await bob.next(), frames.answer('c1'));
    bob.send(frames.bye('c1', ByeCode.NORMAL));
    assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.NORMAL));

    // beta dies while a call rings: alice hears 503 at once, not after a ring timeout.
    alice.send(frames.invite('c2', alice.user, bob.user));
    await bob.next();
    const killed = performance.now();
    beta.child.kill('SIGKILL');
    assert.deepEqual(await alice.next(), frames.bye('c2', ByeCode.PEER_LOST));
    t.diagnostic(`503 at alice ${(performance.now() - killed).toFixed(0)} ms after beta was killed`);
    // With beta gone, a new call fails fast with 502.
    alice.send(frames.invite('c3', alice.user, bob.user));
    assert.equal((await alice.nextBye())[1].code, ByeCode.UNREACHABLE);

    // alpha restarted keeps its key: others' cached documents stay right.
    const exited = once(alpha.child, 'exit');
    alpha.child.kill('SIGTERM');
    await exited;
    const again = await serve(t, alphaArgs);
    assert.equal(again.log.find((entry) => entry.msg === 'federation')!.kid, federation.kid);
    again.child.kill('SIGTERM');
    await once(again.child, 'exit');
  });

  test('bad federation flags exit 2 with a message', async () => {
    const mistakes: [string[], RegExp][] = [
      [['--peer', 'beta.localhost'], /--peer must be DOMAIN=URL/],
      [['--peer', 'beta.localhost=ftp://x'], /the URL must be http: or https:/],
      [['--public-url', 'nope'], /--public-url must be an http: or https: URL/],
      [['--allow-network', '10.0.0.0'], /--allow-network: not a network in CIDR notation/],
    ];
    await Promise.all(
      mistakes.map(async ([args, message]) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--domain', 'a.localhost', '--port', '0', ...args], { cwd: root });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const [code] = (await once(child, 'close')) as [number];
        assert.equal(code, 2, stderr);
        assert.match(stderr, message);
      }),
    );
  });
});
