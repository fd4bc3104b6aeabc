// Malformed, out-of-turn and hostile frames (docs/protocol.md §6): each is refused, nothing else changes.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ByeCode, encode, limits, type Frame } from '../../src/protocol/index.js';
import { BETA, linkFrames, startDomains, startNode } from './federation-helpers.js';
import { address, Client, frames, startServer } from './helpers.js';

/** alice and bob in an accepted call 'c1', and mallory online on the same server. */
async function setup(t: TestContext) {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  const mallory = await Client.open(t, server, 'mallory');
  alice.send(frames.invite('c1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.offer('c1'));
  assert.equal((await alice.next())[0], 'offer');
  return { server, alice, bob, mallory };
}

/** The call between alice and bob still works both ways. */
async function stillWorks(alice: Client, bob: Client): Promise<void> {
  alice.send(frames.answer('c1'));
  assert.deepEqual(await bob.next(), frames.answer('c1'));
  bob.send(frames.candidate('c1'));
  assert.deepEqual(await alice.next(), frames.candidate('c1'));
}

const malformed: [string, string | Buffer, RegExp][] = [
  ['not JSON', '{nope', /not JSON/],
  ['not an array', '{"keyword":"invite"}', /JSON array/],
  ['an array of the wrong length', '["ringing",{}]', /3 elements/],
  ['an unknown keyword', '["hello",{},{"call":"x"}]', /unknown keyword "hello"/],
  ['a keyword that is not a string', '[1,{},{"call":"x"}]', /keyword must be a string/],
  ['content of the wrong type', '["ringing",[],{"call":"x"}]', /content must be an object/],
  ['options of the wrong type', '["ringing",{},null]', /options must be an object/],
  ['a bye code that is not an integer', '["bye",{"code":"200"},{"call":"x"}]', /content.code/],
  ['an offer with the wrong type', '["offer",{"type":"answer","sdp":"v=0"},{"call":"x"}]', /content.type/],
  ['an empty sdp', '["offer",{"type":"offer","sdp":""},{"call":"x"}]', /sdp is empty/],
  ['an oversized sdp', encode(frames.offer('x', 'v'.repeat(limits.sdp + 1))), /sdp is longer/],
  ['an oversized candidate', encode(frames.candidate('x', 'c'.repeat(limits.candidate + 1))), /candidate is longer/],
  ['a bad call id', '["ringing",{},{"call":"a b"}]', /options.call/],
  ['a missing call id', '["ringing",{},{}]', /options.call must be a string/],
  ['an overlong call id', encode(frames.ringing('x'.repeat(65))), /options.call is longer/],
  ['a bad address', encode(frames.invite('x', 'alice@alpha.localhost', 'bob at beta')), /callee.uri/],
  ['an invite timeout out of range', encode(frames.invite('x', 'alice@alpha.localhost', 'bob@alpha.localhost', 999)), /options.timeout/],
  ['a binary message', Buffer.from('["ringing",{},{"call":"x"}]'), /binary/],
];

for (const [what, data, reason] of malformed) {
  test(`${what} gets the 400 notice; the connection and another call go on`, async (t) => {
    const { alice, bob, mallory } = await setup(t);
    mallory.send(data);
    assert.match(String((await mallory.nextNotice())[1].reason), reason);
    alice.send(data); // even a party of the call: the notice ends nothing
    await alice.nextNotice();
    await stillWorks(alice, bob);
    await mallory.sync(); // the same connection still speaks WSP
  });
}

test('a frame larger than the limit closes that connection with 1009, and nobody else notices', async (t) => {
  const { alice, bob, mallory } = await setup(t);
  mallory.send('x'.repeat(limits.frame + 1));
  assert.equal(await mallory.closed, 1009);
  await stillWorks(alice, bob);
});

test('nobody can invite as another user: 403 for that call, and the callee does not ring', async (t) => {
  const { bob, mallory } = await setup(t);
  mallory.send(frames.invite('fake', address('alice'), bob.user));
  assert.deepEqual(await mallory.next(), ['bye', { code: ByeCode.FORBIDDEN, reason: `caller.uri must be your own address ${mallory.user}` }, { call: 'fake' }]);
  await bob.sync();
});

const intrusions: [string, Frame][] = [
  ['ringing', frames.ringing('c1')],
  ['offer', frames.offer('c1')],
  ['answer', frames.answer('c1')],
  ['icecandidate', frames.candidate('c1')],
  ['bye', frames.bye('c1', ByeCode.NORMAL)],
  ['bye 101', frames.bye('c1', ByeCode.TRANSFERRED)],
];

for (const [what, frame] of intrusions) {
  test(`${what} into someone else's call gets 403 and changes nothing for them`, async (t) => {
    const { alice, bob, mallory } = await setup(t);
    mallory.send(frame);
    assert.deepEqual(await mallory.next(), ['bye', { code: ByeCode.FORBIDDEN }, { call: 'c1' }]);
    await alice.sync();
    await bob.sync();
    await stillWorks(alice, bob);
  });
}

test("another device of the callee's user cannot step into an accepted call it never rang for", async (t) => {
  const { server, alice, bob } = await setup(t);
  const bobsTablet = await Client.open(t, server, 'bob'); // came online after the invite
  bobsTablet.send(frames.offer('c1'));
  assert.equal((await bobsTablet.nextBye())[1].code, ByeCode.FORBIDDEN);
  await stillWorks(alice, bob);
});

test('an invite reusing a call id in use gets the notice, and that call goes on', async (t) => {
  const { alice, bob, mallory } = await setup(t);
  mallory.send(frames.invite('c1', mallory.user, bob.user));
  assert.match(String((await mallory.nextNotice())[1].reason), /already in use/);
  await bob.sync();
  await stillWorks(alice, bob);
});

test('frames out of turn get the notice, and the call goes on', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  alice.send(frames.invite('c1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');

  const beforeAccept: [Client, Frame][] = [
    [alice, frames.ringing('c1')], // a ringing from the caller
    [alice, frames.offer('c1')], // an offer from the caller
    [alice, frames.answer('c1')], // an answer before any offer
    [alice, frames.candidate('c1')], // candidates before the call is accepted
    [bob, frames.answer('c1')], // an answer from a device
    [bob, frames.bye('c1', ByeCode.TRANSFERRED)], // a handover before the call is accepted
  ];
  for (const [client, frame] of beforeAccept) {
    client.send(frame);
    await client.nextNotice();
  }

  bob.send(frames.offer('c1'));
  assert.equal((await alice.next())[0], 'offer');
  const afterAccept: [Client, Frame][] = [
    [bob, frames.answer('c1')], // an answer from the callee
    [alice, frames.offer('c1')], // an offer from the caller
    [bob, frames.ringing('c1')], // a ringing once accepted
  ];
  for (const [client, frame] of afterAccept) {
    client.send(frame);
    await client.nextNotice();
  }
  await stillWorks(alice, bob);
});

test('a bye without a call id (a client notice) is not answered', async (t) => {
  const { alice, bob } = await setup(t);
  alice.send(['bye', { code: 400, reason: 'your frame was odd' }, {}]);
  await alice.sync();
  await stillWorks(alice, bob);
});

test('fields WSP does not define are not relayed', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  // Raw JSON: in an object literal `__proto__` would set the prototype instead of making a key.
  alice.send(`["invite",{"caller":{"uri":"${alice.user}","x":1},"callee":{"uri":"${bob.user}"},"extra":"x"},{"call":"c1","__proto__":{"evil":1},"more":2}]`);
  assert.deepEqual(await bob.next(), ['invite', { caller: { uri: alice.user }, callee: { uri: bob.user } }, { call: 'c1', timeout: 30_000 }]);
});

test('a client that never answers pings is dropped by the heartbeat', async (t) => {
  const server = await startServer(t, { heartbeatMs: 50 });
  const alive = await Client.open(t, server, 'alice');
  const dead = await Client.open(t, server, 'bob', { autoPong: false });
  assert.equal(await dead.closed, 1006); // terminated, without a closing handshake
  await alive.sync();
});

test('one connection may not place more than 32 calls at once', async (t) => {
  const server = await startServer(t);
  const alice = await Client.open(t, server, 'alice');
  // 32 callees: one caller rings each user once at most.
  const callees = await Promise.all(Array.from({ length: 33 }, (_, i) => Client.open(t, server, `callee${i}`)));
  for (let i = 0; i < 32; i++) alice.send(frames.invite(`c${i}`, alice.user, callees[i]!.user));
  for (let i = 0; i < 32; i++) assert.equal((await callees[i]!.next())[0], 'invite');
  alice.send(frames.invite('one-too-many', alice.user, callees[32]!.user));
  const [, content, options] = await alice.nextBye();
  assert.equal(content.code, ByeCode.MALFORMED);
  assert.deepEqual(options, { call: 'one-too-many' });
  alice.send(frames.bye('c0', ByeCode.CANCELLED));
  assert.deepEqual(await callees[0]!.next(), frames.bye('c0', ByeCode.CANCELLED));
  alice.send(frames.invite('now-fine', alice.user, callees[32]!.user));
  assert.equal((await callees[32]!.next())[0], 'invite');
});

/** The invite a callee's device receives from `caller` for `call`, as a server with the default ring timeout sends it. */
function invited(call: string, caller: string, callee: string): Frame {
  return ['invite', { caller: { uri: caller }, callee: { uri: callee } }, { call, timeout: 30_000 }];
}

test("re-inviting does not keep a user busy: mallory's 32 invites to bob ring once, the rest get 429, and carol's call rings bob", async (t) => {
  const server = await startServer(t);
  const bob = await Client.open(t, server, 'bob');
  const mallory = await Client.open(t, server, 'mallory');
  const carol = await Client.open(t, server, 'carol');
  for (let i = 0; i < 32; i++) mallory.send(frames.invite(`m${i}`, mallory.user, bob.user));
  for (let i = 1; i < 32; i++) assert.deepEqual(await mallory.next(), frames.bye(`m${i}`, ByeCode.TOO_MANY, `already calling ${bob.user}`));
  assert.deepEqual(await bob.next(), invited('m0', mallory.user, bob.user));
  carol.send(frames.invite('c1', carol.user, bob.user));
  assert.deepEqual(await bob.next(), invited('c1', carol.user, bob.user));
  bob.send(frames.ringing('c1'));
  assert.deepEqual(await carol.next(), frames.ringing('c1'));
  // mallory's first call still rings, untouched by the refusals.
  bob.send(frames.ringing('m0'));
  assert.deepEqual(await mallory.next(), frames.ringing('m0'));
});

test("one domain's callers take a share of a user's invites: gamma's 9th gets 486, its re-invite 429; alpha's and beta's own callers still ring bob", async (t) => {
  const { alpha, beta, peers } = await startDomains(t);
  const bob = await Client.open(t, beta, 'bob');
  const gamma = await startNode(t, 'gamma.localhost', { peers });
  const link = gamma.links.route(BETA)!;
  // gamma may name any caller of its own: a0@gamma, a1@gamma…
  for (let i = 0; i < 9; i++) link.send(linkFrames.invite(`g${i}`, `a${i}@gamma.localhost`, bob.user));
  link.send(linkFrames.invite('g9', 'a0@gamma.localhost', bob.user));
  assert.deepEqual((await gamma.recorder.nextFrame()).frame, frames.bye('g8', ByeCode.BUSY, 'more than 8 calls ringing for this user from gamma.localhost'));
  assert.deepEqual((await gamma.recorder.nextFrame()).frame, frames.bye('g9', ByeCode.TOO_MANY, `already calling ${bob.user}`));
  for (let i = 0; i < 8; i++) assert.equal((await bob.next())[2].call, `g${i}`);
  const alice = await Client.open(t, alpha, 'alice');
  alice.send(frames.invite('a1', alice.user, bob.user));
  assert.deepEqual(await bob.next(), invited('a1', alice.user, bob.user));
  const carol = await Client.open(t, beta, 'carol');
  carol.send(frames.invite('c1', carol.user, bob.user));
  assert.deepEqual(await bob.next(), invited('c1', carol.user, bob.user));
  await Promise.all([alice.sync(), carol.sync()]);
});
