// What one message queued for a peer that does not read costs the server beyond its bytes: the number behind
// QUEUED_WRITE_OVERHEAD in src/server/outbox.ts. A ws server sends many small messages to a client (another process)
// whose socket is paused. The kernel's buffers are filled first, so every measured message waits in the socket's
// write queue. The memory the server process gained (after a GC), minus what ws's bufferedAmount grew by, divided by
// the messages whose write callback has not fired, is the cost of one queued write beyond its bytes. Each case runs in
// a fresh process, since RSS does not shrink back between cases.
//
//   node --expose-gc bench/queued-write-cost.mjs [messages=200000] [sizes=1,50,200,1000]
import { fork, spawn } from 'node:child_process';
import { WebSocketServer } from 'ws';

const client = `
const { WebSocket } = require('ws');
const ws = new WebSocket(process.argv[1]);
ws.on('open', () => { ws._socket.pause(); process.send('paused'); });
process.on('disconnect', () => process.exit(0));
`;

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

function memory() {
  globalThis.gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, js: heapUsed + external };
}

/** One case, in this process: `count` messages of `size` bytes, as strings or Buffers. */
async function measure(count, size, asBuffer) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  const child = spawn(process.execPath, ['-e', client, `ws://127.0.0.1:${wss.address().port}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ws] = await Promise.all([new Promise((resolve) => wss.once('connection', resolve)), new Promise((resolve) => child.once('message', resolve))]);
  // Fill the kernel's send and receive buffers, so what follows stays in the process.
  let flushed = 0;
  while (ws.bufferedAmount === 0) {
    ws.send(Buffer.alloc(1 << 20));
    await settle();
  }
  const before = { ...memory(), buffered: ws.bufferedAmount };
  const text = 'x'.repeat(size);
  for (let i = 0; i < count; i++) {
    // A fresh string or Buffer per message, as writeFrame() sends them (an encoding, or the bytes a frame came in).
    const data = asBuffer ? Buffer.from(text) : `${i % 10}${text}`.slice(1);
    ws.send(data, { binary: false }, () => (flushed += 1));
  }
  await settle();
  const after = memory();
  const queued = count - flushed;
  const bytes = ws.bufferedAmount - before.buffered;
  const beyond = (delta) => Math.round((delta - bytes) / queued);
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(
    `${String(size).padStart(5)} B ${asBuffer ? 'Buffer' : 'string'}: ${queued} queued, bufferedAmount +${mb(bytes)}; ` +
      `rss +${mb(after.rss - before.rss)}, heap+external +${mb(after.js - before.js)}; ` +
      `per queued write beyond its bytes: rss ${beyond(after.rss - before.rss)} B, heap+external ${beyond(after.js - before.js)} B`,
  );
  child.kill();
  process.exit(0);
}

const [count, size, kind] = process.argv.slice(2);
if (kind) {
  await measure(Number(count), Number(size), kind === 'buffer');
} else {
  const messages = count ?? '200000';
  console.log(`node ${process.version}, ws ${(await import('ws/package.json', { with: { type: 'json' } })).default.version}, ${messages} messages each`);
  for (const bytes of (size ?? '1,50,200,1000').split(',')) {
    for (const type of ['string', 'buffer']) {
      const run = fork(new URL(import.meta.url), [messages, bytes, type], { execArgv: ['--expose-gc'] });
      await new Promise((resolve) => run.once('exit', resolve));
    }
  }
}
