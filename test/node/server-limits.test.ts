// The server's limits and hardening against abuse (docs/protocol.md §2.3, §2.4, §3), on a real server with real
// sockets: each limit is enforced with its documented answer, and the users within their limits do not notice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { ByeCode, limits, RefusalCode, type Frame } from '../../src/protocol/index.js';
import { NOTICE_BURST } from '../../src/server/intake.js';
import { createWspServer } from '../../src/server/index.js';
import { ALPHA, BETA, rawLink, startDomains, startNode } from './federation-helpers.js';
import { Client, established, frames, noticeBound, offer, refusal, startServer } from './helpers.js';
import { refused, tryOpen } from './refusals.js';

const TOO_MANY = ['bye', { code: ByeCode.TOO_MANY, reason: 'too many frames' }, {}];

/** Counts the frames a socket receives, whatever else reads them. */
function counter(ws: WebSocket): Map<string, number> {
  const counts = new Map<string, number>();
  ws.on('message', (data) => {
    const key = String(data);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return counts;
}

test('a frame of exactly the size limit is read (and refused as not JSON); one byte more closes with 1009', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  const mallory = await Client.open(t, server, 'mallory');
  mallory.send('x'.repeat(limits.frame));
  assert.equal((await mallory.nextNotice())[1].reason, 'frame is not JSON');
  mallory.send('x'.repeat(limits.frame + 1));
  assert.equal(await mallory.closed, 1009);
  await established(alice, bob);
});

test('a text frame that is not UTF-8 closes that connection with 1007; others go on', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  const mallory = await Client.open(t, server, 'mallory');
  mallory.ws.send(Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]), { binary: false });
  assert.equal(await mallory.closed, 1007);
  await established(alice, bob);
});

test('a flooding client gets one 429 notice and at most its notice allowance, then 1008; another pair sets up a call meanwhile without delay', async (t) => {
  const server = await startServer(t); // the default limits: 50 frames/s, bursts of 200
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  const flooders = await Promise.all(['m1', 'm2', 'm3'].map((user) => Client.open(t, server, user)));
  const counts = flooders.map((flooder) => counter(flooder.ws));
  const garbage = `["hello",${JSON.stringify('x'.repeat(1000))},{}]`;
  const flooding = performance.now();
  for (const flooder of flooders) for (let i = 0; i < 3000; i++) flooder.send(garbage);

  const started = performance.now();
  alice.send(frames.invite('c1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.ringing('c1'));
  assert.deepEqual(await alice.next(), frames.ringing('c1'));
  const setupMs = performance.now() - started;
  t.diagnostic(`invite → ringing during the flood of 3 × 3000 frames: ${setupMs.toFixed(1)} ms`);
  assert.ok(setupMs < 5000, `invite → ringing took ${setupMs} ms`);

  for (const flooder of flooders) assert.equal(await flooder.closed, 1008);
  const bound = noticeBound(flooding);
  for (const notices of counts) {
    // The burst of 200 (and what refilled meanwhile) is read and refused as an unknown keyword, but only the notice
    // allowance of those gets a notice; the rest is dropped unread, the first drop answered with 429, until 10 bursts'
    // worth were dropped (FLOOD_BURSTS): that closes the connection.
    const unknown = notices.get(JSON.stringify(['bye', { code: 400, reason: 'unknown keyword "hello"' }, {}])) ?? 0;
    assert.ok(unknown >= NOTICE_BURST && unknown <= bound, `${unknown} notices for frames read, ${bound} allowed`);
    assert.equal(notices.get(JSON.stringify(TOO_MANY)), 1);
    assert.equal(notices.size, 2);
  }
  bob.send(frames.offer('c1'));
  assert.equal((await alice.next())[0], 'offer');
});

test('a client within its burst is never limited, and one over it is back once its allowance refills', async (t) => {
  const server = await startServer(t, { limits: { framesPerSecond: 5, frameBurst: 20 } });
  const mallory = await Client.open(t, server, 'mallory');
  for (let i = 0; i < 21; i++) mallory.send('x');
  for (let i = 0; i < 20; i++) await mallory.nextNotice(400);
  assert.deepEqual(await mallory.nextNotice(429), TOO_MANY);
  await new Promise((resolve) => setTimeout(resolve, 250)); // 5/s: a frame's allowance is back after 200 ms
  await mallory.sync();
});

test('connectionsPerAddress: one more socket from the address gets HTTP 429; a closed one frees its slot', async (t) => {
  const server = await startServer(t, { limits: { connectionsPerAddress: 3 } });
  const clients = await Promise.all(['alice', 'bob', 'carol'].map((user) => Client.open(t, server, user)));
  assert.deepEqual(await refused(t, server, 'dave'), { status: 429, body: 'more than 3 connections from one address' });
  // Another address is not affected (127.0.0.2 is loopback too).
  const elsewhere = await Client.open(t, server, 'dave', { localAddress: '127.0.0.2' });
  await elsewhere.sync();
  await clients[0]!.close();
  let again = await tryOpen(t, server, 'dave');
  // The server learns of the close a moment after the client: retry until it has (bounded, for a hang only).
  for (const deadline = Date.now() + 15_000; !(again instanceof Client) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    again = await tryOpen(t, server, 'dave');
  }
  assert.ok(again instanceof Client, 'a freed slot can be taken again');
  await again.sync();
});

test('upgradesPerMinute counts every attempt from an address, refused ones too; beyond, HTTP 429', async (t) => {
  const server = await startServer(t, { limits: { upgradesPerMinute: 4 } });
  // Two bad tokens and one good connection use three of the four attempts.
  for (const token of ['nope', 'still.no.pe']) {
    assert.deepEqual(await refusal(server.url, offer(token)), { code: RefusalCode.TOKEN, reason: 'token malformed' });
  }
  const alice = await Client.open(t, server, 'alice');
  await alice.sync();
  const last = await tryOpen(t, server, 'bob');
  assert.ok(last instanceof Client, 'the fourth attempt');
  assert.deepEqual(await refused(t, server, 'carol'), { status: 429, body: 'more than 4 connection attempts a minute' });
  const elsewhere = await Client.open(t, server, 'carol', { localAddress: '127.0.0.2' });
  await elsewhere.sync();
});

test('with trustProxy the address is the last X-Forwarded-For entry, so clients behind one proxy are told apart', async (t) => {
  const server = await startServer(t, { trustProxy: true, limits: { connectionsPerAddress: 1 } });
  const forwarded = (address: string) => ({ headers: { 'X-Forwarded-For': `10.9.9.9, ${address}` } });
  const alice = await Client.open(t, server, 'alice', forwarded('203.0.113.1'));
  const bob = await Client.open(t, server, 'bob', forwarded('203.0.113.2'));
  assert.equal((await refused(t, server, 'carol', forwarded('203.0.113.1'))).status, 429);
  await Promise.all([alice.sync(), bob.sync()]);
});

test('origins: a page of another origin is closed at once with 4403; a listed origin and a client without Origin connect', async (t) => {
  const server = await startServer(t, { origins: ['https://Shop.Example:443/checkout', 'http://localhost:8000'] });
  assert.deepEqual(await refused(t, server, 'alice', { origin: 'https://evil.example' }), {
    code: RefusalCode.ORIGIN,
    reason: 'origin https://evil.example is not allowed to connect',
  });
  assert.deepEqual(await refused(t, server, 'alice', { origin: 'null' }), { code: RefusalCode.ORIGIN, reason: 'origin null is not allowed to connect' }); // sandboxed frames, file: pages
  assert.equal((await refused(t, server, 'alice', { origin: 'https://shop.example.evil.example' })).code, RefusalCode.ORIGIN);
  // A close frame holds a reason of 123 bytes at most: a longer one is cut, never the socket.
  const long = `https://${'a'.repeat(200)}.example`;
  const cut = await refused(t, server, 'alice', { origin: long });
  assert.equal(cut.code, RefusalCode.ORIGIN);
  const reason = cut.reason ?? '';
  assert.ok(reason.startsWith('origin https://aaa') && reason.endsWith('…') && Buffer.byteLength(reason) <= 123, reason);
  const listed = await Client.open(t, server, 'alice', { origin: 'https://shop.example' });
  const local = await Client.open(t, server, 'bob', { origin: 'http://localhost:8000' });
  const native = await Client.open(t, server, 'carol');
  await Promise.all([listed.sync(), local.sync(), native.sync()]);
});

test('origins do not apply to federation links: a call crosses domains that both have an allow-list', async (t) => {
  const origins = ['https://shop.example'];
  const { alpha, beta } = await startDomains(t, { alpha: { origins }, beta: { origins } });
  const alice = await Client.open(t, alpha, 'alice', { origin: 'https://shop.example' });
  const bob = await Client.open(t, beta, 'bob');
  alice.send(frames.invite('c1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.ringing('c1'));
  assert.deepEqual(await alice.next(), frames.ringing('c1'));
});

test('invitesPerUser: one invite more than may ring for a user gets bye 486; a slot frees when one stops ringing', async (t) => {
  const server = await startServer(t, { limits: { invitesPerUser: 2 } });
  const bob = await Client.open(t, server, 'bob');
  const callers = await Promise.all(['carol', 'dave', 'erin'].map((user) => Client.open(t, server, user)));
  const [carol, dave, erin] = callers as [Client, Client, Client];
  carol.send(frames.invite('c1', carol.user, bob.user));
  dave.send(frames.invite('c2', dave.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  assert.equal((await bob.next())[0], 'invite');
  erin.send(frames.invite('c3', erin.user, bob.user));
  assert.deepEqual(await erin.next(), frames.bye('c3', ByeCode.BUSY, 'more than 2 calls ringing for this user'));
  // An accepted call rings no more, and a cancelled one neither: both free their slot.
  bob.send(frames.offer('c1'));
  assert.equal((await carol.next())[0], 'offer');
  erin.send(frames.invite('c4', erin.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  dave.send(frames.bye('c2', ByeCode.CANCELLED));
  assert.deepEqual(await bob.next(), frames.bye('c2', ByeCode.CANCELLED));
  dave.send(frames.invite('c5', dave.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  await bob.sync();
});

test('candidatesPerCall: a side that sends one candidate too many gets the 429 notice; the call goes on', async (t) => {
  const server = await startServer(t, { limits: { candidatesPerCall: 3 } });
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await established(alice, bob);
  for (let i = 0; i < 3; i++) alice.send(frames.candidate('c1', `candidate:${i}`));
  for (let i = 0; i < 3; i++) assert.deepEqual(await bob.next(), frames.candidate('c1', `candidate:${i}`));
  alice.send(frames.candidate('c1', 'candidate:3'));
  assert.deepEqual(await alice.next(), ['bye', { code: ByeCode.TOO_MANY, reason: 'more than 3 candidates from one side of a call' }, {}]);
  await bob.sync(); // nothing reached bob
  bob.send(frames.candidate('c1', 'candidate:b')); // the limit is per side
  assert.deepEqual(await alice.next(), frames.candidate('c1', 'candidate:b'));
  alice.send(frames.answer('c1'));
  assert.deepEqual(await bob.next(), frames.answer('c1'));
  alice.send(frames.bye('c1', ByeCode.NORMAL));
  assert.deepEqual(await bob.next(), frames.bye('c1', ByeCode.NORMAL));
});

test('a client that stops reading is dropped at maxBufferedBytes; its peer hears 503', async (t) => {
  const server = await startServer(t, { limits: { maxBufferedBytes: 64 * 1024, framesPerSecond: 0 } });
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await established(alice, bob);
  alice.ws.pause(); // alice's page hangs: nothing is read from the socket any more
  const sdp = `v=0 ${'a'.repeat(30_000)}`;
  let sent = 0;
  let lost: Frame | undefined;
  // Renegotiation offers from bob pile up for alice; the kernel's buffers take some megabytes before the server's fill.
  while (!lost && sent < 4000) {
    for (let i = 0; i < 50; i++) bob.send(frames.offer('c1', sdp));
    sent += 50;
    lost = await bob.next(50).catch(() => undefined);
  }
  t.diagnostic(`dropped after ${sent} offers (${((sent * sdp.length) / 1e6).toFixed(1)} MB)`);
  assert.deepEqual(lost, frames.bye('c1', ByeCode.PEER_LOST));
  alice.ws.resume();
  assert.equal(await alice.closed, 1006); // terminated, no closing handshake
  // bob's offers still in flight find the call gone (403); his connection is fine.
  bob.send('sync');
  for (let frame = await bob.next(); !(frame[0] === 'bye' && frame[1].reason === 'frame is not JSON'); frame = await bob.next()) {
    assert.deepEqual(frame, ['bye', { code: ByeCode.FORBIDDEN }, { call: 'c1' }]);
  }
});

test('bad frames from a link get the notice and break no call on it; a flooding link is limited, not cut', async (t) => {
  const { beta, peers } = await startDomains(t, { beta: { limits: { linkFramesPerSecond: 100, linkFrameBurst: 50 } } });
  const gamma = await startNode(t, 'gamma.localhost', { peers });
  const bob = await Client.open(t, beta, 'bob');
  const link = await rawLink(t, gamma, { domain: BETA, base: `http://127.0.0.1:${beta.port}` });
  link.send(frames.invite('g1', 'mallory@gamma.localhost', bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.offer('g1'));
  assert.equal((await link.next())[0], 'offer');

  const bad: (string | Buffer)[] = ['{nope', '["ringing",{}]', '["offer",{"type":"offer","sdp":""},{"call":"g1"}]', Buffer.from('[]'), '[1,{},{}]'];
  for (const data of bad) {
    link.send(data);
    assert.equal((await link.nextBye())[1].code, ByeCode.MALFORMED);
  }
  link.send(frames.answer('g1'));
  assert.deepEqual(await bob.next(), frames.answer('g1'));

  for (let i = 0; i < 500; i++) link.send(frames.candidate('g1', `candidate:${i}`));
  let relayed = 0;
  while ((await bob.next(300).catch(() => undefined))?.[0] === 'icecandidate') relayed += 1;
  // Every frame not relayed was dropped, the first drop answered with a 429 notice, and nothing else came back.
  assert.deepEqual(await link.next(), TOO_MANY);
  await link.sync();
  t.diagnostic(`link flood of 500 frames: ${relayed} relayed, ${500 - relayed} dropped, one 429 notice`);
  assert.ok(relayed >= 40 && relayed < 100, `${relayed} relayed`);
  await new Promise((resolve) => setTimeout(resolve, 600)); // 100/s: the burst of 50 is back after 500 ms
  link.send(frames.bye('g1', ByeCode.NORMAL));
  assert.deepEqual(await bob.next(), frames.bye('g1', ByeCode.NORMAL));
  assert.equal(link.ws.readyState, WebSocket.OPEN);
});

test('the limits are checked when the server starts: an unknown name or a bad value is an error', async () => {
  await assert.rejects(createWspServer({ domain: ALPHA, limits: { framesPerSecnd: 5 } as never }), /unknown limit "framesPerSecnd"/);
  await assert.rejects(createWspServer({ domain: ALPHA, limits: { frameBurst: -1 } }), /integer ≥ 0/);
  await assert.rejects(createWspServer({ domain: ALPHA, origins: ['not an origin'] }), /not an origin/);
  await assert.rejects(createWspServer({ domain: ALPHA, heartbeatMs: 0 }), /heartbeatMs/);
});
