// The load figures of issue 5: idle capacity, signaling throughput (one server, a federated pair) and the comparison
// with a bare `ws` relay. `node bench/load.mjs [idle] [signaling] [relay]` (all three without arguments), or through
// `npm run bench -- load`. About two and a half minutes on two cores.
import { cpus, loadavg } from 'node:os';
import { measureIdleCapacity, printIdleCapacity } from './idle-capacity.mjs';
import { describeLoad, measureSignaling, signalingLine } from './signaling.mjs';

const CALLS = Number(process.env.BENCH_LOAD_CALLS ?? 500);
/** The paced runs: each call's pair places a call every this many ms, a steady load below saturation. */
const INTERVAL_MS = 2000;

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
      console.log('(latency: sender send() → receiver message event, one clock, every frame but ringing; frames/s: frames delivered in an 8 s window after 2 s of warm-up)');
      header = true;
    }
    console.log(`${name}: ${signalingLine(figures)}`);
  }
  console.log(`(${machine(load)})`);
}

async function relay() {
  const [load] = loadavg();
  // Interleaved, so that a burst of other work on the machine hits both sides alike; the best run of each counts.
  const runs = { bare: [], wsp: [] };
  for (const target of ['bare', 'wsp', 'bare', 'wsp']) runs[target].push(await measureSignaling({ target, calls: CALLS }));
  const best = (list) => list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const line = (list) => list.map((f) => `${Math.round(f.perSecond)} frames/s (server ${f.serverCpuUsPerFrame.toFixed(1)} µs CPU/frame, ${Math.round(f.serverCpuPercent)} % CPU)`).join('; ');
  console.log(`## Bare ws relay comparison: the same client process, frames, ${CALLS} concurrent calls and ${2 * CALLS} sockets, call after call (saturated); runs interleaved bare, WSP, bare, WSP`);
  console.log(`bare ws relay (no auth, no parsing: each message's bytes go to the socket its sender named at connect): ${line(runs.bare)}`);
  console.log(`WSP server (token checked at the upgrade; every frame decoded, validated, routed by call id, re-encoded; info log per call): ${line(runs.wsp)}`);
  const [bare, wsp] = [best(runs.bare), best(runs.wsp)];
  const cpu = (list) => Math.min(...list.map((f) => f.serverCpuUsPerFrame));
  console.log(
    `WSP / bare: ${((wsp.perSecond / bare.perSecond) * 100).toFixed(0)} % of the frames/s (best runs); ` +
      `${((cpu(runs.bare) / cpu(runs.wsp)) * 100).toFixed(0)} % by server CPU per frame (lowest); target ≥ 80 %`,
  );
  console.log(`(${machine(load)})`);
}

/** Each load section by name, in the order `load` runs them. */
export const loadSections = { idle, signaling, relay };

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(loadSections);
  for (const name of names) {
    if (!loadSections[name]) throw new Error(`unknown load section ${name}; known: ${Object.keys(loadSections).join(', ')}`);
    await loadSections[name]();
    console.log();
  }
}
