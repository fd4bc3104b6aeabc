// Starts a real WSP server process (src/server/cli.ts through tsx) and resolves once it listens.
// Shared by the demo, the benchmarks and the browser tests' runner plugin: one way to start a server.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * @param {string[]} args  flags for `wsp-server serve`; `--port 0` picks a free port
 * @param {{ log?: (line: string) => void }} [options]  receives every stdout line after the first
 * @returns {Promise<{ port: number, url: string, domain: string, process: import('node:child_process').ChildProcess, stop(): Promise<void> }>}
 */
export function startServer(args, { log } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
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
