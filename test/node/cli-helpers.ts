// `wsp-server` as a child process, for the CLI tests: a clean environment, the run to its end, a server's log.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The environment without any WSP_* variable of the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WSP_')));
  return { ...env, ...extra };
}

/** Starts `wsp-server` with these arguments and variables (added to a clean environment). */
export type Launch = (args: string[], env: Record<string, string>) => ChildProcessWithoutNullStreams;

/** The server from source, through tsx. */
export function start(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], { cwd: root, env: cleanEnv(env) });
}

/**
 * Runs the CLI to its end. A command that should fail at once but serves instead is killed after `timeoutMs`
 * (then `code` is null), so such a test fails rather than hangs. Generous: on a busy machine, with many tests
 * starting processes at once, a command that exits at once took 47 s.
 */
export async function run(args: string[], env: Record<string, string> = {}, timeoutMs = 600_000) {
  const child = start(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // 'close', not 'exit': only then has all of stdout and stderr arrived.
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export type LogEntry = Record<string, unknown>;

/**
 * Starts a server; resolves with its first stdout line, parsed, and collects the later ones in `log`. `logged(match)`
 * resolves with the first line that matches, as soon as it is written (or at once if it was); it rejects if the server
 * exits first. `launch` starts another build of it (an installed package's, say).
 */
export async function serve(args: string[], env: Record<string, string> = {}, launch: Launch = start) {
  const child = launch(['--port', '0', ...args], env);
  const lines = createInterface({ input: child.stdout });
  const log: LogEntry[] = [];
  const listening = new Promise<LogEntry>((resolve) => {
    lines.on('line', (line: string) => log.push(JSON.parse(line) as LogEntry));
    lines.once('line', (line: string) => resolve(JSON.parse(line) as LogEntry));
  });
  const logged = (match: (entry: LogEntry) => boolean): Promise<LogEntry> =>
    new Promise((resolve, reject) => {
      const found = log.find(match);
      if (found) return resolve(found);
      const onLine = () => {
        const entry = log.at(-1)!;
        if (!match(entry)) return;
        lines.off('line', onLine);
        resolve(entry);
      };
      lines.on('line', onLine);
      lines.once('close', () => reject(new Error(`the server exited without logging it: ${JSON.stringify(log)}`)));
    });
  return { child, log, logged, listening: await listening };
}
