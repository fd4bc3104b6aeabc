// Signaling throughput (issue 5, "Load") and the bare-ws comparison: many concurrent calls' worth of real WSP traffic
// through one server process, through a federated pair, and through the simplest possible `ws` relay, with the same
// clients, frames, concurrency and connection count. Clients run in child processes (bench/signaling-clients.mjs).
// `node bench/signaling.mjs [wsp|federation|bare|bare-json]`; BENCH_LOAD_CALLS, BENCH_LOAD_PROCESSES,
// BENCH_LOAD_INTERVAL (ms between a pair's calls), BENCH_CPU_PROFILE (a file for the server's CPU profile).
import { forkChild } from './children.mjs';
import { cpuMsOf, mintTokens, offers, startBareRelay, startBenchCluster, startBenchFederation, startBenchServer } from './load-servers.mjs';
import { CANDIDATES, SDP_LENGTH } from './signaling-frames.mjs';

/** Frames one call relays: invite, ringing, offer, answer, the candidates both ways, bye. */
export const FRAMES_PER_CALL = 5 + 2 * CANDIDATES;

const TARGETS = {
  /** One WSP server process: callers and callees on it. */
  async wsp(calls, { cpuProfile }) {
    const server = await startBenchServer({ cpuProfile });
    return { pids: [server.pid], stop: server.stop, pairs: await wspPairs(calls, server, server) };
  },
  /** alpha and beta (two processes): callers on alpha, callees on beta, every frame over their link. */
  async federation(calls) {
    const { alpha, beta, stop } = await startBenchFederation();
    return { pids: [alpha.process.pid, beta.process.pid], stop, pairs: await wspPairs(calls, alpha, beta) };
  },
  /** One domain on two processes sharing a Redis: callers on the first, callees on the second, every frame over Redis. */
  async cluster(calls) {
    const { servers, stop } = await startBenchCluster(2);
    return { pids: servers.map((server) => server.pid), stop, pairs: await wspPairs(calls, servers[0], servers[1]) };
  },
  /** The bare relay: each socket names itself and its peer in the URL; the frames name the same addresses. */
  bare: (calls, { cpuProfile }) => bareTarget(calls, { cpuProfile }),
  /** The bare relay that parses and re-serializes each message. */
  'bare-json': (calls, { cpuProfile }) => bareTarget(calls, { cpuProfile, json: true }),
};

/** The address of each call's caller and callee. */
function parties(calls, callerDomain, calleeDomain = callerDomain) {
  return Array.from({ length: calls }, (_, i) => ({ caller: `caller${i}@${callerDomain}`, callee: `callee${i}@${calleeDomain}` }));
}

/** Callers connect to `callerServer`, callees to `calleeServer`, each with a token of its own. */
async function wspPairs(calls, callerServer, calleeServer) {
  const pairs = parties(calls, callerServer.domain, calleeServer.domain);
  const protocols = await offers(await mintTokens(pairs.flatMap(({ caller, callee }) => [caller, callee])));
  return pairs.map((pair, i) => ({
    ...pair,
    callerTarget: { url: callerServer.url, protocols: protocols[2 * i] },
    calleeTarget: { url: calleeServer.url, protocols: protocols[2 * i + 1] },
  }));
}

async function bareTarget(calls, options) {
  const relay = await startBareRelay(options);
  const pairs = parties(calls, 'localhost').map((pair) => ({
    ...pair,
    callerTarget: { url: `${relay.url}?me=${pair.caller}&peer=${pair.callee}` },
    calleeTarget: { url: `${relay.url}?me=${pair.callee}&peer=${pair.caller}` },
  }));
  return { pids: [relay.pid], stop: relay.stop, pairs };
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Runs `calls` concurrent calls, round after round, through `target` (a key of TARGETS: 'wsp', 'federation', 'bare',
 * 'bare-json') for `warmupMs` + `measureMs`; counts the frames delivered in the measured window. Throws when a frame
 * was lost, reordered or misrouted. `processes` client processes share the calls. With `intervalMs`, each call's
 * pair places a call every `intervalMs` instead of call after call: a steady load below saturation, for latency.
 * With `cpuProfile` (a file; not for 'federation') the server writes its CPU profile there when it stops.
 */
export async function measureSignaling({
  target = 'wsp',
  calls = 500,
  processes = 1,
  warmupMs = 2000,
  measureMs = 8000,
  drainMs = 15_000,
  maxRounds = 10_000,
  intervalMs = 0,
  cpuProfile,
} = {}) {
  const setup = await TARGETS[target](calls, { cpuProfile });
  const children = Array.from({ length: processes }, () => forkChild('./signaling-clients.mjs'));
  try {
    const share = (i) => setup.pairs.filter((_, index) => index % processes === i);
    const opened = await Promise.all(children.map((child, i) => child.ask({ type: 'open', pairs: share(i), concurrency: 50 })));
    const serverCpu = () => setup.pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
    let cpuAtStart = 0;
    let cpuAtEnd = 0;
    // The server's CPU time over the same window the clients count frames in (give or take an IPC hop).
    const timers = [setTimeout(() => (cpuAtStart = serverCpu()), warmupMs), setTimeout(() => (cpuAtEnd = serverCpu()), warmupMs + measureMs)];
    const run = { type: 'run', warmupMs, measureMs, drainMs, maxRounds, intervalMs };
    const results = await Promise.all(children.map((child) => child.ask(run)));
    timers.forEach(clearTimeout);
    const sum = (key) => results.reduce((total, result) => total + result[key], 0);
    const errors = results.flatMap((result) => result.errors);
    const latencies = new Float64Array(results.reduce((n, result) => n + result.latencies.length, 0));
    let offset = 0;
    for (const result of results) {
      latencies.set(result.latencies, offset);
      offset += result.latencies.length;
    }
    latencies.sort();
    const frames = sum('inWindow');
    const seconds = measureMs / 1000;
    const figures = {
      target,
      calls,
      intervalMs,
      connections: 2 * calls,
      processes,
      openMs: Math.max(...opened.map((o) => o.ms)),
      frames,
      perSecond: frames / seconds,
      callsPerSecond: frames / FRAMES_PER_CALL / seconds,
      completed: sum('calls'),
      sent: sum('sent'),
      received: sum('received'),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1),
      samples: latencies.length,
      serverCpuPercent: ((cpuAtEnd - cpuAtStart) / measureMs) * 100,
      serverCpuUsPerFrame: ((cpuAtEnd - cpuAtStart) * 1000) / frames,
      clientCpuPercent: (sum('cpuMs') / Math.max(...results.map((r) => r.elapsedMs))) * 100,
      errorCount: sum('errorCount'),
      errors,
    };
    if (figures.errorCount > 0 || figures.sent !== figures.received) {
      throw new Error(`${target}: ${figures.errorCount} errors, ${figures.sent} frames sent, ${figures.received} received:\n  ${errors.join('\n  ')}`);
    }
    return figures;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await setup.stop();
  }
}

export function describeLoad(figures) {
  return (
    `${figures.calls} concurrent calls (${figures.connections} client sockets), each: invite → ringing → offer (${SDP_LENGTH}-char SDP) → answer → ` +
    `${CANDIDATES} icecandidates each way → bye 200, i.e. ${FRAMES_PER_CALL} frames`
  );
}

export function signalingLine(figures) {
  return (
    `${Math.round(figures.perSecond)} frames/s (${Math.round(figures.callsPerSecond)} calls/s); relay latency p50 ${figures.p50.toFixed(2)} ms, ` +
    `p99 ${figures.p99.toFixed(2)} ms, max ${figures.max.toFixed(1)} ms; server CPU ${Math.round(figures.serverCpuPercent)} % ` +
    `(${figures.serverCpuUsPerFrame.toFixed(1)} µs/frame), clients ${Math.round(figures.clientCpuPercent)} %; ` +
    `${figures.completed} calls, ${figures.received}/${figures.sent} frames delivered, none lost or misrouted`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2] ?? 'wsp'; // wsp, cluster, federation, bare, bare-json
  const figures = await measureSignaling({
    target,
    calls: Number(process.env.BENCH_LOAD_CALLS ?? 500),
    processes: Number(process.env.BENCH_LOAD_PROCESSES ?? 1),
    intervalMs: Number(process.env.BENCH_LOAD_INTERVAL ?? 0),
    cpuProfile: process.env.BENCH_CPU_PROFILE,
  });
  console.log(describeLoad(figures));
  console.log(`${target}: ${signalingLine(figures)}`);
}
