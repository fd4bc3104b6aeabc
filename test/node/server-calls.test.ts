// The flow of a call through a real server (docs/protocol.md §4), one scenario per row of its tables.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import { address, Client, frames, startServer } from './helpers.js';

/** alice calls bob (every device); returns once each device has the invite. */
async function invite(alice: Client, devices: Client[], call: string, timeout?: number): Promise<void> {
  alice.send(frames.invite(call, alice.user, devices[0]!.user, timeout));
  for (const device of devices) assert.equal((await device.next())[0], 'invite');
}

/** alice calls bob, who accepts; returns once alice has the offer. */
async function accepted(t: TestContext, call = 'c1') {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await invite(alice, [bob], call);
  bob.send(frames.offer(call));
  assert.equal((await alice.next())[0], 'offer');
  return { server, alice, bob };
}

test('a call goes invite → ringing → offer → answer → icecandidate → bye 101, then the server forgets it', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');

  alice.send(['invite', { caller: { uri: 'Alice@Alpha.Localhost', name: 'Alice' }, callee: { uri: address('bob') } }, { call: 'c1', timeout: 20_000 }]);
  assert.deepEqual(await bob.next(), [
    'invite',
    { caller: { uri: address('alice'), name: 'Alice' }, callee: { uri: address('bob') } },
    { call: 'c1', timeout: 20_000 },
  ]);
  bob.send(frames.ringing('c1'));
  assert.deepEqual(await alice.next(), frames.ringing('c1'));
  bob.send(frames.offer('c1', 'v=0 bob'));
  assert.deepEqual(await alice.next(), frames.offer('c1', 'v=0 bob'));
  alice.send(frames.answer('c1', 'v=0 alice'));
  assert.deepEqual(await bob.next(), frames.answer('c1', 'v=0 alice'));
  alice.send(frames.candidate('c1', 'candidate:a'));
  assert.deepEqual(await bob.next(), frames.candidate('c1', 'candidate:a'));
  bob.send(frames.candidate('c1', 'candidate:b'));
  assert.deepEqual(await alice.next(), frames.candidate('c1', 'candidate:b'));
  bob.send(frames.candidate('c1', '')); // the end of candidates is relayed like any other
  assert.deepEqual(await alice.next(), frames.candidate('c1', ''));

  alice.send(frames.bye('c1', ByeCode.TRANSFERRED));
  assert.deepEqual(await bob.next(), frames.bye('c1', ByeCode.TRANSFERRED));
  bob.send(frames.candidate('c1')); // still in flight before bob's own handover: relayed
  assert.deepEqual(await alice.next(), frames.candidate('c1'));
  bob.send(frames.bye('c1', ByeCode.TRANSFERRED));
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.TRANSFERRED));

  bob.send(frames.candidate('c1'));
  assert.deepEqual(await bob.next(), ['bye', { code: 403 }, { call: 'c1' }]);
  await alice.sync();
});

test('the ring timeout is the smaller of the invite timeout and the server ring timeout', async (t) => {
  const server = await startServer(t, { ringTimeoutMs: 5000 });
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  alice.send(frames.invite('c1', alice.user, bob.user, 60_000));
  const [, , options] = await bob.next();
  assert.deepEqual(options, { call: 'c1', timeout: 5000 });
});

test('an invite rings every device of the callee; the first offer wins, the others get 409', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const phone = await Client.open(t, server, 'bob');
  const laptop = await Client.open(t, server, 'bob');
  await invite(alice, [phone, laptop], 'c1');

  phone.send(frames.ringing('c1'));
  laptop.send(frames.ringing('c1'));
  phone.send(frames.ringing('c1')); // a duplicate: no second ringing either
  assert.deepEqual(await alice.next(), frames.ringing('c1'));
  await alice.sync(); // exactly one ringing reached alice

  laptop.send(frames.offer('c1', 'v=0 laptop'));
  assert.deepEqual(await alice.next(), frames.offer('c1', 'v=0 laptop'));
  assert.deepEqual(await phone.next(), frames.bye('c1', ByeCode.ANSWERED_ELSEWHERE));

  phone.send(frames.offer('c1', 'v=0 phone')); // crossed the 409: out of turn, not foreign
  await phone.nextNotice();
  alice.send(frames.answer('c1'));
  assert.deepEqual(await laptop.next(), frames.answer('c1'));
  await phone.sync();
});

test('a decline (603) ends the call for the caller and every device', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const phone = await Client.open(t, server, 'bob');
  const laptop = await Client.open(t, server, 'bob');
  await invite(alice, [phone, laptop], 'c1');
  phone.send(frames.bye('c1', ByeCode.DECLINED, 'in a meeting'));
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.DECLINED, 'in a meeting'));
  assert.deepEqual(await laptop.next(), frames.bye('c1', ByeCode.DECLINED, 'in a meeting'));
  await phone.sync();
});

test('busy (486): the caller hears it once no device is left ringing', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const phone = await Client.open(t, server, 'bob');
  const laptop = await Client.open(t, server, 'bob');
  await invite(alice, [phone, laptop], 'c1');
  phone.send(frames.bye('c1', ByeCode.BUSY));
  await alice.sync(); // the laptop still rings
  laptop.send(frames.bye('c1', ByeCode.BUSY));
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.BUSY));
});

test('a busy device leaves the others ringing, and one of them may still accept', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const phone = await Client.open(t, server, 'bob');
  const laptop = await Client.open(t, server, 'bob');
  await invite(alice, [phone, laptop], 'c1');
  phone.send(frames.bye('c1', ByeCode.BUSY));
  laptop.send(frames.offer('c1'));
  assert.deepEqual(await alice.next(), frames.offer('c1'));
  await phone.sync(); // it left: no 409 for it
});

test('an unknown callee gets 404 when the server has a user directory', async (t) => {
  const server = await startServer(t, { users: ['alice', 'bob'] });
  const alice = await Client.open(t, server, 'alice');
  alice.send(frames.invite('c1', alice.user, address('carol')));
  assert.deepEqual(await alice.nextBye(), frames.bye('c1', ByeCode.UNKNOWN_USER));
  alice.send(frames.invite('c2', alice.user, address('bob'))); // known, but not online
  assert.deepEqual(await alice.nextBye(), frames.bye('c2', ByeCode.OFFLINE));
});

test('a callee with no device online gets 480; so does an unknown one without a directory', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  alice.send(frames.invite('c1', alice.user, address('nobody')));
  assert.deepEqual(await alice.nextBye(), frames.bye('c1', ByeCode.OFFLINE));
  alice.send(frames.invite('c2', alice.user, alice.user)); // only this very connection is alice's
  assert.deepEqual(await alice.nextBye(), frames.bye('c2', ByeCode.OFFLINE));
});

test('a user may call their own other device', async (t) => {
  const server = await startServer(t);
  const desk = await Client.open(t, server, 'alice');
  const phone = await Client.open(t, server, 'alice');
  await invite(desk, [phone], 'c1');
  phone.send(frames.offer('c1'));
  assert.deepEqual(await desk.next(), frames.offer('c1'));
});

test('a callee on another domain is unreachable until federation exists: 502', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  alice.send(frames.invite('c1', alice.user, 'bob@beta.localhost'));
  const [, content, options] = await alice.nextBye();
  assert.equal(content.code, ByeCode.UNREACHABLE);
  assert.deepEqual(options, { call: 'c1' });
});

test('nobody answers: 408 to the caller and every device when the invite timeout runs out', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const phone = await Client.open(t, server, 'bob');
  const laptop = await Client.open(t, server, 'bob');
  const started = Date.now();
  await invite(alice, [phone, laptop], 'c1', 1000);
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.NO_ANSWER));
  assert.ok(Date.now() - started >= 900, 'not before the timeout');
  assert.deepEqual(await phone.next(), frames.bye('c1', ByeCode.NO_ANSWER));
  assert.deepEqual(await laptop.next(), frames.bye('c1', ByeCode.NO_ANSWER));
});

test("nobody answers: the server's own ring timeout applies too", async (t) => {
  const server = await startServer(t, { ringTimeoutMs: 200 });
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await invite(alice, [bob], 'c1');
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.NO_ANSWER));
  assert.deepEqual(await bob.next(), frames.bye('c1', ByeCode.NO_ANSWER));
});

test('an accepted call does not time out', async (t) => {
  const server = await startServer(t, { ringTimeoutMs: 200 });
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await invite(alice, [bob], 'c1');
  bob.send(frames.offer('c1'));
  assert.equal((await alice.next())[0], 'offer');
  await new Promise((resolve) => setTimeout(resolve, 300));
  alice.send(frames.answer('c1'));
  assert.deepEqual(await bob.next(), frames.answer('c1'));
});

test('the caller hangs up while it rings: 487 to every device', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const phone = await Client.open(t, server, 'bob');
  const laptop = await Client.open(t, server, 'bob');
  await invite(alice, [phone, laptop], 'c1');
  alice.send(frames.bye('c1', ByeCode.CANCELLED));
  assert.deepEqual(await phone.next(), frames.bye('c1', ByeCode.CANCELLED));
  assert.deepEqual(await laptop.next(), frames.bye('c1', ByeCode.CANCELLED));
  phone.send(frames.offer('c1')); // too late: the call is gone
  assert.deepEqual((await phone.nextBye())[1].code, ByeCode.FORBIDDEN);
});

test("the caller's connection closes while it rings: 487 to every device", async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await invite(alice, [bob], 'c1');
  await alice.close();
  assert.deepEqual(await bob.next(), frames.bye('c1', ByeCode.CANCELLED));
});

test("the last ringing device's connection closes: 480 to the caller", async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  await invite(alice, [bob], 'c1');
  await bob.close();
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.OFFLINE));
});

test("a party's connection closes before the handover: 503 to the other party", async (t) => {
  const { alice, bob } = await accepted(t);
  await bob.close();
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.PEER_LOST));
});

test("the caller's connection closes after the offer: 503 to the callee", async (t) => {
  const { alice, bob } = await accepted(t);
  await alice.close();
  assert.deepEqual(await bob.next(), frames.bye('c1', ByeCode.PEER_LOST));
});

test('a connection that closes after its own bye 101 does not end the call', async (t) => {
  const { alice, bob } = await accepted(t);
  alice.send(frames.bye('c1', ByeCode.TRANSFERRED));
  assert.deepEqual(await bob.next(), frames.bye('c1', ByeCode.TRANSFERRED));
  await alice.close();
  await bob.sync(); // no 503: the call lives on the DataChannel
  bob.send(frames.bye('c1', ByeCode.TRANSFERRED));
  await bob.sync();
});

test('a duplicate bye 101 is relayed once', async (t) => {
  const { alice, bob } = await accepted(t);
  alice.send(frames.bye('c1', ByeCode.TRANSFERRED));
  alice.send(frames.bye('c1', ByeCode.TRANSFERRED));
  assert.deepEqual(await bob.next(), frames.bye('c1', ByeCode.TRANSFERRED));
  await bob.sync();
});

test('a hang-up (200) is relayed and ends the call', async (t) => {
  const { alice, bob } = await accepted(t);
  bob.send(frames.bye('c1', ByeCode.NORMAL, 'bye now'));
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.NORMAL, 'bye now'));
  alice.send(frames.answer('c1'));
  assert.equal((await alice.nextBye())[1].code, ByeCode.FORBIDDEN);
});

test('the callee may renegotiate: a second offer is relayed', async (t) => {
  const { alice, bob } = await accepted(t);
  bob.send(frames.offer('c1', 'v=0 again'));
  assert.deepEqual(await alice.next(), frames.offer('c1', 'v=0 again'));
});

test('one connection carries several calls at once', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  const carol = await Client.open(t, server, 'carol');
  await invite(alice, [bob], 'to-bob');
  await invite(alice, [carol], 'to-carol');
  carol.send(frames.offer('to-carol'));
  assert.deepEqual(await alice.next(), frames.offer('to-carol'));
  bob.send(frames.bye('to-bob', ByeCode.DECLINED));
  assert.deepEqual(await alice.next(), frames.bye('to-bob', ByeCode.DECLINED));
  alice.send(frames.answer('to-carol'));
  assert.deepEqual(await carol.next(), frames.answer('to-carol'));
});

test('descriptions and candidates are relayed as they came when they hold only the frame, else encoded anew', async (t) => {
  const { alice, bob } = await accepted(t);
  // As it came: the bytes the callee sent, spacing and all.
  const spaced = '[ "answer", { "type": "answer", "sdp": "v=0 alice" }, { "call": "c1" } ]';
  alice.send(spaced);
  assert.deepEqual(await bob.next(), frames.answer('c1', 'v=0 alice'));
  assert.equal(bob.texts.at(-1), spaced);
  const candidate = '["icecandidate",{"candidate":"candidate:1 1 udp 1 10.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0},{"call":"c1"}]';
  bob.send(candidate);
  await alice.next();
  assert.equal(alice.texts.at(-1), candidate);
  // Encoded anew: an unknown member is not passed on, and of a repeated key the receiver gets the one validated.
  bob.send('["icecandidate",{"candidate":"","sdpMid":null,"secret":"x"},{"call":"c1"}]');
  assert.deepEqual(await alice.next(), ['icecandidate', { candidate: '', sdpMid: null }, { call: 'c1' }]);
  assert.equal(alice.texts.at(-1), '["icecandidate",{"candidate":"","sdpMid":null},{"call":"c1"}]');
  bob.send('["offer",{"type":"offer","sdp":"v=0 first","sdp":"v=0 second"},{"call":"c1"}]');
  assert.deepEqual(await alice.next(), frames.offer('c1', 'v=0 second'));
  assert.equal(alice.texts.at(-1), JSON.stringify(frames.offer('c1', 'v=0 second')));
});
