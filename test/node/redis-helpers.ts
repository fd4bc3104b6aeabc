// A real redis-server for the tests of one domain on several processes: Debian's, on a free port, in a temporary
// directory, with nothing saved to disk; started and stopped (and restarted on the same port) by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { createLogger, type Logger } from '../../src/server/index.js';

/** A port nobody listens on now: the kernel's pick for a listener closed at once. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class RedisServer {
  readonly port: number;
  readonly url: string;
  readonly #dir: string;
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.#dir = dir;
  }

  /** Starts a redis-server that the test stops when it ends. */
  static async start(t: TestContext): Promise<RedisServer> {
    const redis = await RedisServer.spawn();
    t.after(() => redis.remove());
    return redis;
  }

  /** Starts a redis-server that the caller stops with `remove()` (the benches). */
  static async spawn(): Promise<RedisServer> {
    const redis = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'wsp-redis-')));
    await redis.restart();
    return redis;
  }

  /** Stops it for good and deletes its directory. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Starts it again on the same port, empty (nothing is saved): as a Redis restarted without persistence comes back. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error('redis-server is running');
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#child = child;
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready`)));
    });
  }

  /** Stops it and waits until it exited: its port is closed then. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
}

/** A logger a test can wait on: `seen(msg)` resolves with the next line with that message written from now on. */
export function watchedLogger(): { log: Logger; seen: (msg: string) => Promise<Record<string, unknown>>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  const log = createLogger({
    level: 'debug',
    write: (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    },
  });
  const seen = (msg: string) => new Promise<Record<string, unknown>>((resolve) => waiters.push({ msg, resolve }));
  return { log, seen, lines };
}
