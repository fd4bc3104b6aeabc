// Notices cannot amplify a flood (docs/protocol.md §6, issue 11 item 3): a sender that floods a client socket or a link
// with tiny bad frames, and reads nothing, earns one 429 notice per flood and a bounded number of 400 notices, on real
// sockets. Before, each dropped or bad frame was answered, so the server queued a frame out for each tiny frame in.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import { NOTICE_BURST } from '../../src/server/intake.js';
import { BETA, rawLink, startNode } from './federation-helpers.js';
import { Client, noticeBound, startServer, stopReading } from './helpers.js';

/** How many of the notices a socket received carry each code. */
function noticeCodes(client: Client): Map<number, number> {
  const codes = new Map<number, number>();
  for (const text of client.texts) {
    const [keyword, content, options] = JSON.parse(text) as [string, { code: number }, { call?: string }];
    assert.equal(keyword, 'bye');
    assert.equal(options.call, undefined, `a notice has no call id: ${text}`);
    codes.set(content.code, (codes.get(content.code) ?? 0) + 1);
  }
  return codes;
}

/**
 * Sends `count` messages made by `make` without reading what comes back, and reads again once the last one is on its
 * way (in the kernel). Returns when the flood started, for noticeBound().
 */
async function floodUnread(client: Client, count: number, make: (i: number) => string | Buffer): Promise<number> {
  const readAgain = stopReading(client.ws);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < count; i++) {
      const data = make(i);
      const sent = i === count - 1 ? (error?: Error) => (error ? reject(error) : resolve()) : undefined;
      client.ws.send(data, { binary: Buffer.isBuffer(data) }, sent);
    }
  });
  readAgain();
  return started;
}

/** The socket got one 429 notice, and 400 notices for all its allowance but no more; nothing else. */
function assertFewNotices(t: TestContext, client: Client, started: number): void {
  const codes = noticeCodes(client);
  const bound = noticeBound(started);
  t.diagnostic(`notices: ${JSON.stringify(Object.fromEntries(codes))}, at most ${bound} 400s allowed`);
  assert.equal(codes.get(ByeCode.TOO_MANY), 1);
  const malformed = codes.get(ByeCode.MALFORMED) ?? 0;
  assert.ok(malformed >= NOTICE_BURST && malformed <= bound, `${malformed} 400 notices, ${bound} allowed`);
  assert.equal(codes.size, 2);
}

test('a client flooding 5,000 tiny frames without reading gets one 429 notice and at most its notice allowance of 400s', async (t) => {
  const server = await startServer(t); // the default limits: 50 frames/s, bursts of 200, closed after 10 bursts dropped
  const mallory = await Client.open(t, server, 'mallory');
  const started = await floodUnread(mallory, 5000, () => 'x');
  assert.equal(await mallory.closed, 1008);
  // The 200 frames of the burst are read and refused, yet only the allowance of them is answered; the 2,000 dropped, once.
  assertFewNotices(t, mallory, started);
});

test('a link flooding 30,000 tiny text and binary frames without reading gets one 429 notice and a bounded number of 400s; it stays open', async (t) => {
  const peers = new Map<string, string>();
  const beta = await startNode(t, BETA, { peers }); // the default link limits: 5,000 frames/s, bursts of 20,000
  const gamma = await startNode(t, 'gamma.localhost', { peers });
  const link = await rawLink(t, gamma, beta);
  const started = await floodUnread(link, 30_000, (i) => (i % 2 ? 'x' : Buffer.of(0x78)));
  // A link is never cut for flooding: we close it, and the server's answer to the close comes after every notice.
  link.ws.close();
  await link.closed;
  // 20,000 frames of the burst are read and refused, yet only the allowance of them is answered; the rest dropped, once.
  assertFewNotices(t, link, started);
  assert.equal((await beta.recorder.nextLost()).user, gamma.domain, 'the link carried no frame to the router');
});
