// A child process of bench/signaling.mjs: holds both ends of its share of the calls and runs them, round after round,
// with every frame a real call sends. Both ends of a call live in this process, so one clock times each frame from
// the sender's send() to the receiver's 'message'. Each end knows the exact frames it must receive, in order: any
// frame lost, reordered, misrouted (wrong call id or sender) or answered with a server's bye notice is an error.
import { openAll, serve } from './children.mjs';
import { CANDIDATES, frames, markOf } from './signaling-frames.mjs';

const candidates = Array(CANDIDATES).fill('icecandidate');
/** What each end receives in one call; the candidates are at positions 2 … 2 + CANDIDATES - 1 in both. */
const CALLER_RECEIVES = ['ringing', 'offer', ...candidates];
const CALLEE_RECEIVES = ['invite', 'answer', ...candidates, 'bye'];
const FIRST_CANDIDATE = 2;

/** @type {{ caller: string, callee: string, callerSocket: import('ws').WebSocket, calleeSocket: import('ws').WebSocket }[]} */
let pairs = [];

/** A growable list of doubles (latencies can reach a few hundred thousand per run). */
function samples() {
  let values = new Float64Array(1 << 16);
  let length = 0;
  return {
    push(value) {
      if (length === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[length++] = value;
    },
    values: () => values.slice(0, length),
  };
}

/**
 * Runs every pair until `measureMs` after the warm-up, then lets each finish its call; resolves with the figures.
 * With `intervalMs` each pair places a call every `intervalMs` (from a random start), else call after call.
 */
async function run({ warmupMs, measureMs, drainMs, maxRounds, intervalMs = 0 }) {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + measureMs;
  const stats = { sent: 0, received: 0, inWindow: 0, calls: 0, errors: [], errorCount: 0 };
  const latencies = samples();
  const running = pairs.map((pair, index) => runPair(pair, index, { start, intervalMs, windowStart, windowEnd, maxRounds, stats, latencies }));
  const deadline = new Promise((resolve) => setTimeout(resolve, warmupMs + measureMs + drainMs, 'timeout'));
  const outcome = await Promise.race([Promise.all(running.map((r) => r.done)), deadline]);
  const stuck = outcome === 'timeout' ? running.filter((r) => !r.finished()).map((r) => r.where()) : [];
  for (const r of running) r.stop();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ...stats,
    errors: [...stats.errors, ...stuck.slice(0, 5).map((where) => `no progress, frames lost? ${where}`)],
    errorCount: stats.errorCount + stuck.length,
    measureMs,
    latencies: latencies.values(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    elapsedMs: performance.now() - start,
  };
}

function runPair({ caller, callee, callerSocket, calleeSocket }, index, { start, intervalMs, windowStart, windowEnd, maxRounds, stats, latencies }) {
  let round = 0; // the caller's current call
  let calleeRound = 0; // the call the callee expects next: behind the caller's between its bye and the next invite
  let callerAt = 0;
  let calleeAt = 0;
  let callerDone = false;
  let finished = false;
  let nextCallAt = start + Math.random() * intervalMs;
  let timer;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  const callId = (n) => `p${index}-${n}`;
  const send = (socket, text) => {
    stats.sent++;
    socket.send(text);
  };
  const finish = () => {
    finished = true;
    clearTimeout(timer);
    callerSocket.removeAllListeners('message');
    calleeSocket.removeAllListeners('message');
    resolve();
  };
  const fail = (message) => {
    stats.errorCount++;
    if (stats.errors.length < 10) stats.errors.push(message);
    finish();
  };
  const placeCall = () => {
    const now = performance.now();
    if (now < nextCallAt) {
      timer = setTimeout(placeCall, nextCallAt - now);
      return;
    }
    nextCallAt += intervalMs; // a fixed rate: a call that ran late does not push the next ones back
    if (now >= windowEnd || round >= maxRounds) {
      callerDone = true;
      if (calleeRound === round) finish();
      return;
    }
    callerAt = 0;
    send(callerSocket, frames.invite(callId(round), caller, callee, performance.now()));
  };
  const sendCandidates = (socket, call, from) => {
    for (let seq = 0; seq < CANDIDATES; seq++) send(socket, frames.icecandidate(call, from, seq, performance.now()));
  };

  /** Checks one received frame against what `me` must receive next; returns the frame, or undefined after fail(). */
  const check = (data, me, peer, expected, call, at) => {
    const now = performance.now();
    stats.received++;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return fail(`${me} got a frame that is not JSON`);
    }
    const keyword = frame[0];
    if (keyword !== expected || frame[2]?.call !== call) {
      return fail(`${me} expected ${expected} for call ${call}, got ${keyword} for ${frame[2]?.call ?? 'no call'}: ${JSON.stringify(frame[1]).slice(0, 120)}`);
    }
    const mark = markOf(frame);
    if (mark.from !== undefined && mark.from !== peer) return fail(`${me} got a frame of ${mark.from} for call ${call}: misrouted`);
    if (keyword === 'icecandidate' && mark.seq !== at - FIRST_CANDIDATE)
      return fail(`${me} got candidate ${mark.seq}, expected ${at - FIRST_CANDIDATE}: lost or reordered`);
    if (now >= windowStart && now < windowEnd) {
      stats.inWindow++;
      if (mark.sentAt !== undefined) latencies.push(now - mark.sentAt);
    }
    return frame;
  };

  callerSocket.on('message', (data) => {
    const call = callId(round);
    const frame = check(data, caller, callee, CALLER_RECEIVES[callerAt], call, callerAt);
    if (!frame) return;
    callerAt++;
    if (frame[0] === 'offer') {
      send(callerSocket, frames.answer(call, caller, performance.now()));
      sendCandidates(callerSocket, call, caller);
    } else if (callerAt === CALLER_RECEIVES.length) {
      // Every frame of the callee arrived: hang up, and call again (the callee reads the bye before the next invite).
      send(callerSocket, frames.bye(call, performance.now()));
      round++;
      placeCall();
    }
  });
  calleeSocket.on('message', (data) => {
    const call = callId(calleeRound);
    const frame = check(data, callee, caller, CALLEE_RECEIVES[calleeAt], call, calleeAt);
    if (!frame) return;
    calleeAt++;
    if (frame[0] === 'invite') {
      // Rings and accepts at once: WSP's callee accepts with the offer, then trickles its candidates.
      send(calleeSocket, frames.ringing(call));
      send(calleeSocket, frames.offer(call, callee, performance.now()));
      sendCandidates(calleeSocket, call, callee);
    } else if (frame[0] === 'bye') {
      stats.calls++;
      calleeAt = 0;
      calleeRound++;
      if (callerDone && calleeRound === round) finish();
    }
  });
  placeCall();
  return {
    done,
    finished: () => finished,
    where: () => `call ${callId(round)}: caller received ${callerAt} of ${CALLER_RECEIVES.length}, callee ${calleeAt} of ${CALLEE_RECEIVES.length}`,
    stop: () => {
      if (!finished) finish();
    },
  };
}

serve({
  /** Opens both ends of every pair; resolves once all are open. */
  async open({ pairs: specs, concurrency }) {
    const started = performance.now();
    const sockets = await openAll(
      specs.flatMap((spec) => [spec.callerTarget, spec.calleeTarget]),
      concurrency,
    );
    pairs = specs.map((spec, i) => ({ caller: spec.caller, callee: spec.callee, callerSocket: sockets[2 * i], calleeSocket: sockets[2 * i + 1] }));
    return { ms: performance.now() - started };
  },
  run,
});
