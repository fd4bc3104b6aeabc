// The load figures of issue 5: idle capacity, signaling throughput (one server, a federated pair) and the comparison
// with a bare `ws` relay; and of issue 15, one domain on two processes through Redis.
// `node bench/load.mjs [idle] [signaling] [relay] [cluster]` (all without arguments), or through
// `npm run bench -- load`. About three minutes on two cores.
import { cpus, loadavg } from 'node:os';
import { measureIdleCapacity, printIdleCapacity } from './idle-capacity.mjs';
import { describeLoad, measureSignaling, signalingLine } from './signaling.mjs';

const CALLS = Number(process.env.BENCH_LOAD_CALLS ?? 500);
/** The paced runs: each call's pair places a call every this many ms, a steady load below saturation. */
const INTERVAL_MS = 2000;
/** How many times the relay comparison runs each relay. */
const RELAY_ROUNDS = 3;

/** The machine, and how busy it was: `started` is os.loadavg()[0] when the section began. */
function machine(started) {
  return `${cpus().length} cores, load average ${started.toFixed(1)} when the section started: other work on the machine skews these figures`;
}

async function idle() {
  const [load] = loadavg();
  printIdleCapacity(await measureIdleCapacity({ connections: Number(process.env.BENCH_IDLE_CONNECTIONS ?? 10_000) }));
  console.log(`(${machine(load)})`);
}

async function signaling() {
  const [load] = loadavg();
  const runs = [
    ['one server, call after call (saturated)', { target: 'wsp' }],
    [`one server, a call every ${INTERVAL_MS / 1000} s per pair`, { target: 'wsp', intervalMs: INTERVAL_MS }],
    ['federated pair alpha → link → beta, call after call (saturated)', { target: 'federation' }],
    [`federated pair, a call every ${INTERVAL_MS / 1000} s per pair`, { target: 'federation', intervalMs: INTERVAL_MS }],
  ];
  let header = false;
  for (const [name, options] of runs) {
    const figures = await measureSignaling({ calls: CALLS, ...options });
    if (!header) {
      console.log(`## Signaling throughput: ${describeLoad(figures)}; clients in a child process, all on 127.0.0.1`);
      console.log(
        '(latency: sender send() → receiver message event, one clock, every frame but ringing; frames/s: frames delivered in an 8 s window ' +
          'after 2 s of warm-up; saturated, each call sends its next frames as soon as the previous arrive, so latency there is queueing: ' +
          'the paced runs show the relay latency under a steady load)',
      );
      header = true;
    }
    console.log(`${name}: ${signalingLine(figures)}`);
  }
  console.log(`(${machine(load)})`);
}

async function relay() {
  const [load] = loadavg();
  // Interleaved short runs, so that a burst of other work on the machine hits every relay alike; the best run of
  // each counts, as the one least disturbed.
  const order = ['bare', 'bare-json', 'wsp'];
  const runs = Object.fromEntries(order.map((target) => [target, []]));
  for (let round = 0; round < RELAY_ROUNDS; round++) {
    for (const target of order) runs[target].push(await measureSignaling({ target, calls: CALLS, warmupMs: 1500, measureMs: 5000 }));
  }
  const best = (target) => Math.max(...runs[target].map((f) => f.perSecond));
  const cpu = (target) => Math.min(...runs[target].map((f) => f.serverCpuUsPerFrame));
  const figures = (f) =>
    `${Math.round(f.perSecond)} (server ${f.serverCpuUsPerFrame.toFixed(1)} µs/frame, ${Math.round(f.serverCpuPercent)} % CPU; clients ${Math.round(f.clientCpuPercent)} %)`;
  const line = (target) => `${runs[target].map(figures).join('; ')} frames/s`;
  console.log(
    `## Bare ws relay comparison: the same client process, frames, ${CALLS} concurrent calls and ${2 * CALLS} sockets, call after call ` +
      `(saturated); ${RELAY_ROUNDS} rounds of 5 s runs, interleaved`,
  );
  console.log(`bare ws relay (no auth, no parsing: each message's bytes go to the socket its sender named at connect): ${line('bare')}`);
  console.log(`bare ws relay + JSON.parse/JSON.stringify of each message (nothing checked): ${line('bare-json')}`);
  console.log(
    `WSP server (token checked at the upgrade; every frame decoded, validated, routed by call id; relayed as it came when it holds only the validated frame, else re-encoded; info log per call): ${line('wsp')}`,
  );
  const percent = (a, b) => `${((a / b) * 100).toFixed(0)} %`;
  console.log(
    `WSP / bare: ${percent(best('wsp'), best('bare'))} of the frames/s (best runs), ${percent(cpu('bare'), cpu('wsp'))} by server CPU per frame (lowest); ` +
      `target ≥ 80 %. Bare+JSON / bare: ${percent(best('bare-json'), best('bare'))} of the frames/s, ${percent(cpu('bare'), cpu('bare-json'))} by CPU per frame`,
  );
  console.log(
    `(a relay that needs less CPU per frame than its clients waits for them, near 100 % client CPU: its frames/s is then the clients'; ` +
      `server CPU per frame is what relaying costs the server itself. ${machine(load)})`,
  );
}

/**
 * One domain on two processes sharing a Redis (docs/deploy.md) against one process, in the same run, interleaved so a
 * burst of other work hits both alike: signaling throughput and call rate, saturated; per-frame latency paced, whose
 * difference is what the hop through Redis costs; then idle capacity of the two processes together.
 */
async function cluster() {
  const [load] = loadavg();
  const connections = Number(process.env.BENCH_CLUSTER_IDLE_CONNECTIONS ?? 20_000);
  const runs = [
    ['saturated', {}],
    [`a call every ${INTERVAL_MS / 1000} s per pair`, { intervalMs: INTERVAL_MS }],
  ];
  console.log(`## One domain on two processes (Redis) against one process: ${CALLS} concurrent calls, every frame of the two-process runs crossing Redis`);
  for (const [name, options] of runs) {
    const one = await measureSignaling({ target: 'wsp', calls: CALLS, ...options });
    const two = await measureSignaling({ target: 'cluster', calls: CALLS, ...options });
    console.log(`one process, ${name}: ${signalingLine(one)}`);
    console.log(`two processes (callers on one, callees on the other), ${name}: ${signalingLine(two)}`);
    if (options.intervalMs) {
      console.log(
        `cost of the Redis hop per frame (two processes − one, paced): median ${(two.p50 - one.p50).toFixed(2)} ms, ` +
          `p99 ${(two.p99 - one.p99).toFixed(2)} ms; server CPU ${(two.serverCpuUsPerFrame - one.serverCpuUsPerFrame).toFixed(1)} µs more per frame (both processes together)`,
      );
    }
  }
  printIdleCapacity(await measureIdleCapacity({ connections, servers: 2 }));
  console.log(`(${machine(load)})`);
}

/** Each load section by name, in the order `load` runs them. */
export const loadSections = { idle, signaling, relay, cluster };

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(loadSections);
  for (const name of names) {
    if (!loadSections[name]) throw new Error(`unknown load section ${name}; known: ${Object.keys(loadSections).join(', ')}`);
    await loadSections[name]();
    console.log();
  }
}
