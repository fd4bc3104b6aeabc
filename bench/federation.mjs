// Federation figures (issue 3): the relay throughput of one link between two real server processes. (The setup time a
// federated call takes, against one server's, is the call-setup bench's: bench/call-setup.mjs.)
import { WebSocket } from 'ws';
import { LOOPBACK_ARGS, startFederation } from '../scripts/start-server.mjs';
import { offers } from './load-servers.mjs';
import { summarize } from './stats.mjs';

/** A WSP client of `server` (`startServer`'s result; dev tokens on), with a queue of received frames. */
async function client(server, user) {
  const response = await fetch(`http://127.0.0.1:${server.port}/dev/token?user=${user}`);
  const { token } = await response.json();
  const [protocols] = await offers([token]);
  const ws = new WebSocket(server.url, protocols);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waiting = [];
  const queue = [];
  const self = {
    address: `${user}@${server.domain}`,
    ws,
    /** When set, receives every frame instead of the queue. */
    onFrame: undefined,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve))),
  };
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (self.onFrame) self.onFrame(frame);
    else if (waiting.length) waiting.shift()(frame);
    else queue.push(frame);
  });
  return self;
}

/**
 * Relays `frames` icecandidate frames alice@alpha → bob@beta within one accepted call, over one link between two
 * real server processes, with at most `window` frames in flight. Asserts every frame arrives, once, in order.
 * Returns frames/s and the latency of each frame (client send → client receive, through both servers) in ms.
 */
export async function measureLinkThroughput({ frames = 20_000, window = 100, warmup = 500 } = {}) {
  // The capacity of the link itself: the rate limits (a client's 50 frames/s, a link's 5000/s by default) lifted.
  const unlimited = ['framesPerSecond', 'candidatesPerCall', 'linkFramesPerSecond'].flatMap((name) => ['--limit', `${name}=0`]);
  const { alpha, beta, stop } = await startFederation({ args: ['--dev-tokens', '--users', 'alice,bob', ...LOOPBACK_ARGS, ...unlimited] });
  const sockets = [];
  try {
    const alice = await client(alpha, 'alice');
    const bob = await client(beta, 'bob');
    sockets.push(alice.ws, bob.ws);
    const call = 'bench-link';
    const expect = (frame, type) => {
      if (frame[0] !== type || frame[2]?.call !== call) throw new Error(`expected ${type}, got ${JSON.stringify(frame)}`);
    };
    alice.send(['invite', { caller: { uri: alice.address }, callee: { uri: bob.address } }, { call }]);
    expect(await bob.next(), 'invite');
    bob.send(['ringing', {}, { call }]);
    expect(await alice.next(), 'ringing');
    // The callee accepts by sending the offer (WSP 1.0); the caller answers.
    bob.send(['offer', { type: 'offer', sdp: 'v=0 offer' }, { call }]);
    expect(await alice.next(), 'offer');
    alice.send(['answer', { type: 'answer', sdp: 'v=0 answer' }, { call }]);
    expect(await bob.next(), 'answer');

    const total = warmup + frames;
    const sentAt = new Float64Array(total);
    const latencies = new Float64Array(frames);
    let sent = 0;
    let received = 0;
    let started = 0;
    const candidate = (seq) => [
      'icecandidate',
      { candidate: `candidate:${seq} 1 udp 2122260223 127.0.0.1 9 typ host`, sdpMid: '0', sdpMLineIndex: 0 },
      { call },
    ];
    const pump = () => {
      while (sent < total && sent - received < window) {
        sentAt[sent] = performance.now();
        alice.send(candidate(sent++));
      }
    };
    await new Promise((resolve, reject) => {
      bob.onFrame = (frame) => {
        if (frame[0] !== 'icecandidate') return reject(new Error(`unexpected frame ${JSON.stringify(frame).slice(0, 200)}`));
        const seq = Number(/^candidate:(\d+) /.exec(frame[1].candidate)[1]);
        if (seq !== received) return reject(new Error(`frame ${seq} arrived, ${received} expected: lost or reordered`));
        const now = performance.now();
        if (seq >= warmup) latencies[seq - warmup] = now - sentAt[seq];
        received++;
        if (received === warmup) started = now;
        if (received === total) return resolve();
        pump();
      };
      bob.ws.once('close', () => reject(new Error(`bob's socket closed after ${received} frames`)));
      started = performance.now();
      pump();
    });
    const seconds = (performance.now() - started) / 1000;
    if (received !== total) throw new Error(`${received} of ${total} frames arrived`);
    bob.onFrame = undefined;
    alice.send(['bye', { code: 200 }, { call }]);
    expect(await bob.next(), 'bye');
    const stats = summarize(Array.from(latencies));
    return { frames, window, perSecond: frames / seconds, p50: stats.median, p99: percentile(latencies, 0.99), max: stats.max };
  } finally {
    for (const ws of sockets) ws.terminate();
    await stop();
  }
}

function percentile(values, q) {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export function printLinkThroughput(stats) {
  console.log('## Relay over one federation link: icecandidate frames alice@alpha → bob@beta (two server processes, ws clients, loopback)');
  console.log(
    `${stats.frames} frames, none lost, ≤ ${stats.window} in flight: ${Math.round(stats.perSecond)} frames/s; ` +
      `latency p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms, max ${stats.max.toFixed(2)} ms`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printLinkThroughput(await measureLinkThroughput());
