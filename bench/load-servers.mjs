// The servers the load benches measure (issue 5, "Load"), started the one way the project starts them
// (scripts/start-server.mjs), plus what the benches read from outside a process: its RSS and CPU time from /proc.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { LOOPBACK_ARGS, startFederation, startServer } from '../scripts/start-server.mjs';

/**
 * Extra flags for every server a load bench starts: the one place to adjust them. All bench clients come from
 * 127.0.0.1 at rates far beyond a person's, so the per-address and rate limits are off (0 = unlimited): the benches
 * measure what the server can relay, not what it lets one client do.
 */
export const BENCH_SERVER_ARGS = [
  ...LOOPBACK_ARGS,
  ...['framesPerSecond', 'invitesPerUser', 'candidatesPerCall', 'linkFramesPerSecond'].flatMap((name) => ['--limit', `${name}=0`]),
];

/** The token secret of this run's servers: tokens are minted with it as a site's backend would (`mintToken`). */
export const BENCH_SECRET = randomBytes(32).toString('hex'); // hex: never starts with '-', which parseArgs would take for a flag

const root = fileURLToPath(new URL('..', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the project runs on

/** Resident memory of process `pid`, in bytes (VmRSS). */
export function rssOf(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line)[1]) * 1024;
}

/** CPU time process `pid` has used, user + system, in ms (10 ms resolution). */
export function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name in parentheses may hold spaces
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

let auth; // src/server/auth.ts, imported once: each tsImport() registers a loader anew
let handshake; // src/protocol/handshake.ts, likewise

/** Tokens for `addresses`, minted with `mintToken` from src/server (what `wsp-server token` runs). */
export async function mintTokens(addresses, secret = BENCH_SECRET) {
  auth ??= tsImport('../src/server/auth.ts', import.meta.url);
  const { mintToken } = await auth;
  return Promise.all(addresses.map((address) => mintToken({ address, secret, ttlSeconds: 3600 })));
}

/** The subprotocols a client offers with each of `tokens` (docs/protocol.md §3): wsp-1.0, and `wsp-token.<token>`. */
export async function offers(tokens) {
  handshake ??= tsImport('../src/protocol/handshake.ts', import.meta.url);
  const { clientProtocols } = await handshake;
  return tokens.map((token) => clientProtocols(token));
}

/**
 * Runs `start` with `env` added to the environment: startServer spawns synchronously and passes the environment on,
 * so this reaches exactly the server process it starts and leaves the server's code untouched.
 */
/** The environment that preloads bench/server-probe.mjs into a server process. */
function probeEnv(cpuProfile) {
  const probe = fileURLToPath(new URL('./server-probe.mjs', import.meta.url));
  const env = { NODE_OPTIONS: [process.env.NODE_OPTIONS, '--expose-gc', `--import ${probe}`].filter(Boolean).join(' ') };
  if (cpuProfile) env.BENCH_CPU_PROFILE = cpuProfile;
  return env;
}

/**
 * One real WSP server process (the CLI) on 127.0.0.1 for `localhost`, with BENCH_SECRET and no user directory, and
 * bench/server-probe.mjs preloaded: `memory()` resolves with its process.memoryUsage() after a full GC. With
 * `cpuProfile` (a file name) the server writes a CPU profile there when it stops.
 */
export async function startBenchServer({ cpuProfile, args: extra = [] } = {}) {
  const waiting = [];
  const log = (line) => {
    if (process.env.BENCH_VERBOSE && /"level":"(warn|error)"/.test(line)) console.error(line); // what went wrong in a failed run
    if (!line.includes('"bench memory"')) return;
    waiting.shift()?.(JSON.parse(line));
  };
  const args = ['--domain', 'localhost', '--port', '0', '--secret', BENCH_SECRET, ...BENCH_SERVER_ARGS, ...extra];
  const server = await startServer(args, { log, env: probeEnv(cpuProfile) });
  return {
    ...server,
    pid: server.process.pid,
    memory: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        server.process.kill('SIGUSR2');
      }),
  };
}

let redisHelpers; // test/node/redis-helpers.ts: the tests' way of running a redis-server, imported once

/**
 * `count` WSP server processes serving `localhost` together through a redis-server of their own (docs/deploy.md
 * "Several processes"): `{ servers, stop() }`, where stop() stops the servers, then Redis. Their heartbeat is 3 s (a
 * process counts as dead after 15 s without one), not the default 1 s: on a two-core machine shared with other work,
 * a saturated run once starved a live process of CPU for more than 5 s, and the other ended its calls.
 */
export async function startBenchCluster(count = 2, { heartbeatMs = Number(process.env.BENCH_REDIS_HEARTBEAT ?? 3000) } = {}) {
  redisHelpers ??= tsImport('../test/node/redis-helpers.ts', import.meta.url);
  const { RedisServer } = await redisHelpers;
  const redis = await RedisServer.spawn();
  const args = ['--redis', redis.url, '--redis-heartbeat', String(heartbeatMs)];
  const servers = await Promise.all(Array.from({ length: count }, () => startBenchServer({ args })));
  return {
    servers,
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await redis.remove();
    },
  };
}

/** Two federated WSP server processes (startFederation), alpha and beta, with BENCH_SECRET. */
export async function startBenchFederation() {
  return startFederation({ args: ['--secret', BENCH_SECRET, ...BENCH_SERVER_ARGS] });
}

/**
 * The bare `ws` relay (bench/bare-relay.mjs) as its own process, with the same probe as the WSP server; with `json`,
 * the variant that parses and re-serializes each message. `{ port, url, pid, stop() }`.
 */
export function startBareRelay({ json = false, cpuProfile } = {}) {
  const env = { ...process.env, ...probeEnv(cpuProfile) };
  const args = ['--import', 'tsx', 'bench/bare-relay.mjs', ...(json ? ['--json'] : [])];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const { port } = JSON.parse(line);
      resolve({
        port,
        url: `ws://127.0.0.1:${port}/`,
        pid: child.pid,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`bare relay exited with code ${code} before listening`)));
  });
}
