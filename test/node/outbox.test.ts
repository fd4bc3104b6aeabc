// Back-pressure counted as the socket costs it (src/server/outbox.ts, issue 11 item 3): a client or a link that does not
// read is cut once the frames waiting for it cost more than the cap, bytes plus a per-write overhead each; with many
// small frames that is long before their bytes alone reach the cap, which was the only thing counted before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type WebSocket from 'ws';
import { ByeCode, type Frame } from '../../src/protocol/index.js';
import type { Link } from '../../src/server/federation/index.js';
import { createLogger, type Logger } from '../../src/server/index.js';
import { QUEUED_WRITE_OVERHEAD } from '../../src/server/outbox.js';
import { BETA, linkFrames, rawLink, startNode } from './federation-helpers.js';
import { Client, established, frames, startServer, stopReading } from './helpers.js';

const CAP = 64 * 1024;
/** A candidate of about 120 bytes: small next to the per-write overhead, as a flood's frames are. */
const candidate = (call: string, i: number) => frames.candidate(call, `candidate:${i} 1 udp 2122260223 192.0.2.1 ${40000 + (i % 20000)} typ host`);

/** A logger that keeps its warnings, to read what the server knew when it cut a peer. */
function warnings(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

/** The warning logged when a peer was cut: what was queued for it, as counted, and as ws's bufferedAmount had it. */
function cutAt(lines: Record<string, unknown>[], msg: string): { queued: number; writes: number; buffered: number } {
  const line = lines.find((entry) => entry.msg === msg);
  assert.ok(line, `no "${msg}" in ${JSON.stringify(lines)}`);
  return line as unknown as { queued: number; writes: number; buffered: number };
}

/** Resolves once the server has read everything `ws` sent before: its pong comes after it. */
function barrier(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    ws.once('pong', () => resolve());
    ws.ping();
  });
}

test('a client that does not read is dropped once its queued small frames cost the cap in bytes plus per-write overhead', async (t) => {
  const { log, lines } = warnings();
  const server = await startServer(t, { log, limits: { maxBufferedBytes: CAP, framesPerSecond: 0, candidatesPerCall: 0 } });
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await established(alice, bob);

  const readAgain = stopReading(alice.ws); // alice's page hangs
  let lost: Frame | undefined;
  bob.ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Frame;
    if (frame[0] === 'bye' && frame[1].code === ByeCode.PEER_LOST) lost = frame;
  });
  // bob's candidates pile up for alice, first in the kernel's buffers (some megabytes), then in the server.
  let sent = 0;
  while (!lost) {
    for (let i = 0; i < 500; i++) bob.send(candidate('c1', sent + i));
    sent += 500;
    await barrier(bob.ws);
    assert.ok(sent < 1_000_000, 'alice was never dropped');
  }
  assert.deepEqual(lost, frames.bye('c1', ByeCode.PEER_LOST));
  readAgain();
  assert.equal(await alice.closed, 1006); // terminated, no closing handshake

  const cut = cutAt(lines, 'client does not read its frames; dropping it');
  t.diagnostic(`dropped after ${sent} candidates: ${cut.writes} frames queued, ${cut.queued} B counted, bufferedAmount ${cut.buffered} B`);
  assert.ok(cut.queued > CAP);
  assert.ok(cut.buffered < CAP / 2, 'counting bytes alone would not have dropped alice yet');
  assert.ok(cut.writes * QUEUED_WRITE_OVERHEAD > CAP / 2);
});

test('a link that does not read is cut once its queued small frames cost the cap in bytes plus per-write overhead', async (t) => {
  const { log, lines } = warnings();
  const peers = new Map<string, string>();
  const beta = await startNode(t, BETA, { peers, links: { log, limits: { linkMaxBufferedBytes: CAP } } });
  const gamma = await startNode(t, 'gamma.localhost', { peers });
  const raw = await rawLink(t, gamma, beta);
  raw.send(linkFrames.invite('g1', 'mallory@gamma.localhost', `bob@${BETA}`));
  const { from } = await beta.recorder.nextFrame(); // the link, as the router sees it
  const link = from as Link;

  stopReading(raw.ws); // gamma hangs
  // Frames for gamma pile up as a router would relay them, a batch per turn of the event loop (the writes of one
  // turn reach the kernel, and their callbacks fire, before the next).
  let sent = 0;
  while (link.state === 'open') {
    for (let i = 0; i < 500; i++) link.send(candidate('g1', sent + i));
    sent += 500;
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(sent < 1_000_000, 'the link was never cut');
  }
  await link.closed;
  assert.equal((await beta.recorder.nextLost()).user, gamma.domain);

  const cut = cutAt(lines, 'the other server does not read: cutting the link');
  t.diagnostic(`cut after ${sent} candidates: ${cut.writes} frames queued, ${cut.queued} B counted, bufferedAmount ${cut.buffered} B`);
  assert.ok(cut.queued > CAP);
  assert.ok(cut.buffered < CAP / 2, 'counting bytes alone would not have cut the link yet');
  assert.ok(cut.writes * QUEUED_WRITE_OVERHEAD > CAP / 2);
});
