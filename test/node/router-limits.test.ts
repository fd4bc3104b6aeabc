// The limits the CallRouter keeps (docs/protocol.md §2.4), on the router alone: every way a call stops ringing
// gives its slots back (invitesPerUser, the caller's one invite to the callee, its domain's share), and none gives
// them twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByeCode, type Frame } from '../../src/protocol/index.js';
import { CallRouter, type Peer, type ServerLimits } from '../../src/server/index.js';
import { RingingInvites } from '../../src/server/ringing-invites.js';
import { frames } from './helpers.js';

type Recording = Peer & { readonly inbox: Frame[] };

function world(limits: Partial<ServerLimits> = { invitesPerUser: 1 }) {
  const timers = new Set<() => void>();
  const router = new CallRouter({
    domain: 'a.test',
    ringTimeoutMs: 30_000,
    limits,
    timers: { set: (callback) => (timers.add(callback), callback), clear: (handle) => timers.delete(handle as () => void) },
  });
  const peer = (user: string, domain?: string): Recording => {
    const inbox: Frame[] = [];
    const made: Recording = { user, domain, inbox, send: (frame) => void inbox.push(frame) };
    if (!domain) router.connect(made);
    return made;
  };
  const fire = () => [...timers].forEach((callback) => (timers.delete(callback), callback()));
  return { router, peer, fire };
}

/** What alice's call c1 to bob must go through, once it rings, to stop ringing. `alice` may be a link that placed c1. */
const endings: [string, (w: ReturnType<typeof world> & { alice: Recording; bobs: Recording[] }) => void][] = [
  ['bob accepts', ({ router, bobs }) => router.receive(bobs[0]!, frames.offer('c1'))],
  ['bob declines', ({ router, bobs }) => router.receive(bobs[0]!, frames.bye('c1', ByeCode.DECLINED))],
  ['every device is busy', ({ router, bobs }) => bobs.forEach((bob) => router.receive(bob, frames.bye('c1', ByeCode.BUSY)))],
  ['alice cancels', ({ router, alice }) => router.receive(alice, frames.bye('c1', ByeCode.CANCELLED))],
  ['alice goes offline', ({ router, alice }) => router.disconnect(alice)],
  ['every device goes offline', ({ router, bobs }) => bobs.forEach((bob) => router.disconnect(bob))],
  ['nobody answers', ({ fire }) => fire()],
];

for (const [what, end] of endings) {
  test(`invitesPerUser: the slot comes back when ${what}`, () => {
    const w = world();
    const alice = w.peer('alice@a.test');
    const carol = w.peer('carol@a.test');
    const bobs = [w.peer('bob@a.test'), w.peer('bob@a.test')];
    w.router.receive(alice, frames.invite('c1', alice.user, 'bob@a.test'));
    w.router.receive(carol, frames.invite('c2', carol.user, 'bob@a.test'));
    assert.deepEqual(carol.inbox.splice(0), [frames.bye('c2', ByeCode.BUSY, 'more than 1 calls ringing for this user')]);
    end({ ...w, alice, bobs });
    const bob = w.peer('bob@a.test'); // online whatever happened to the others
    w.router.receive(carol, frames.invite('c3', carol.user, 'bob@a.test'));
    assert.equal(bob.inbox.at(-1)?.[0], 'invite');
    assert.deepEqual(carol.inbox, []);
    // And only once: the next one is over the limit again.
    w.router.receive(alice, frames.invite('c4', alice.user, 'bob@a.test'));
    assert.deepEqual(alice.inbox.at(-1), frames.bye('c4', ByeCode.BUSY, 'more than 1 calls ringing for this user'));
  });
}

test('invitesPerUser counts invites that arrive over a link like local ones', () => {
  const w = world();
  const link = w.peer('b.test', 'b.test');
  const bob = w.peer('bob@a.test');
  const carol = w.peer('carol@a.test');
  w.router.receive(link, frames.invite('l1', 'xavier@b.test', bob.user));
  assert.equal(bob.inbox.at(-1)?.[0], 'invite');
  w.router.receive(carol, frames.invite('c2', carol.user, bob.user));
  assert.deepEqual(carol.inbox.at(-1), frames.bye('c2', ByeCode.BUSY, 'more than 1 calls ringing for this user'));
  w.router.receive(link, frames.bye('l1', ByeCode.CANCELLED));
  w.router.receive(carol, frames.invite('c3', carol.user, bob.user));
  assert.equal(bob.inbox.at(-1)?.[0], 'invite');
});

test('an accepted call gives its slots back once: its hang-up later frees nothing more', () => {
  const w = world({ invitesPerUser: 2 });
  const bob = w.peer('bob@a.test');
  const [alice, carol, dave, erin] = ['alice', 'carol', 'dave', 'erin'].map((name) => w.peer(`${name}@a.test`)) as [Recording, Recording, Recording, Recording];
  w.router.receive(alice, frames.invite('c1', alice.user, bob.user));
  w.router.receive(bob, frames.offer('c1'));
  w.router.receive(carol, frames.invite('c2', carol.user, bob.user));
  w.router.receive(alice, frames.bye('c1', ByeCode.NORMAL));
  w.router.receive(carol, frames.invite('c3', carol.user, bob.user));
  assert.deepEqual(carol.inbox, [frames.bye('c3', ByeCode.TOO_MANY, 'already calling bob@a.test')]);
  w.router.receive(dave, frames.invite('c4', dave.user, bob.user));
  w.router.receive(erin, frames.invite('c5', erin.user, bob.user));
  assert.deepEqual(erin.inbox, [frames.bye('c5', ByeCode.BUSY, 'more than 2 calls ringing for this user')]);
  assert.deepEqual(dave.inbox, []);
});

const ALREADY = (call: string) => frames.bye(call, ByeCode.TOO_MANY, 'already calling bob@a.test');

test('one invite per caller per callee: a repeated invite gets 429, and the first call still rings', () => {
  const w = world({});
  const bob = w.peer('bob@a.test');
  const dave = w.peer('dave@a.test');
  const alice = w.peer('alice@a.test');
  const alicesTablet = w.peer('alice@a.test');
  w.router.receive(alice, frames.invite('c1', alice.user, bob.user));
  w.router.receive(alice, frames.invite('c2', alice.user, bob.user));
  // Another tab of the same user is the same caller.
  w.router.receive(alicesTablet, frames.invite('c3', alice.user, bob.user));
  assert.deepEqual(alice.inbox.splice(0), [ALREADY('c2')]);
  assert.deepEqual(alicesTablet.inbox.splice(0), [ALREADY('c3')]);
  assert.deepEqual(
    bob.inbox.map((frame) => frame[2].call),
    ['c1'],
  );
  // Another callee is another count.
  w.router.receive(alice, frames.invite('c4', alice.user, dave.user));
  assert.equal(dave.inbox.at(-1)?.[0], 'invite');
  // Nothing happened to c1: bob can still take it.
  w.router.receive(bob, frames.offer('c1'));
  assert.deepEqual(alice.inbox, [frames.offer('c1')]);
});

test('one invite per caller per callee holds for a caller behind a link, counted by caller.uri', () => {
  const w = world({});
  const bob = w.peer('bob@a.test');
  const link = w.peer('b.test', 'b.test');
  w.router.receive(link, frames.invite('l1', 'xavier@b.test', bob.user));
  w.router.receive(link, frames.invite('l2', 'xavier@b.test', bob.user));
  w.router.receive(link, frames.invite('l3', 'yvonne@b.test', bob.user));
  assert.deepEqual(link.inbox, [ALREADY('l2')]);
  assert.deepEqual(
    bob.inbox.map((frame) => frame[2].call),
    ['l1', 'l3'],
  );
});

for (const [what, end] of endings) {
  test(`one invite per caller per callee: alice may call bob again when ${what}`, () => {
    const w = world({});
    const alice = w.peer('alice@a.test');
    const alicesTablet = w.peer('alice@a.test'); // online whatever happens to alice's first device
    const bobs = [w.peer('bob@a.test'), w.peer('bob@a.test')];
    w.router.receive(alice, frames.invite('c1', alice.user, 'bob@a.test'));
    w.router.receive(alicesTablet, frames.invite('c2', alice.user, 'bob@a.test'));
    assert.deepEqual(alicesTablet.inbox.splice(0), [ALREADY('c2')]);
    end({ ...w, alice, bobs });
    const bob = w.peer('bob@a.test');
    w.router.receive(alicesTablet, frames.invite('c3', alice.user, 'bob@a.test'));
    assert.equal(bob.inbox.at(-1)?.[0], 'invite');
    assert.deepEqual(alicesTablet.inbox, []);
    // While c3 rings, alice is calling bob again.
    w.router.receive(alicesTablet, frames.invite('c4', alice.user, 'bob@a.test'));
    assert.deepEqual(alicesTablet.inbox, [ALREADY('c4')]);
  });

  test(`invitesPerUserPerDomain: b.test's share comes back when ${what}`, () => {
    const w = world({ invitesPerUserPerDomain: 1 });
    const link = w.peer('b.test', 'b.test'); // called alice in the endings: it placed c1
    const bobs = [w.peer('bob@a.test'), w.peer('bob@a.test')];
    const full = (call: string) => frames.bye(call, ByeCode.BUSY, 'more than 1 calls ringing for this user from b.test');
    w.router.receive(link, frames.invite('c1', 'xavier@b.test', 'bob@a.test'));
    w.router.receive(link, frames.invite('l2', 'yvonne@b.test', 'bob@a.test'));
    assert.deepEqual(link.inbox.splice(0), [full('l2')]);
    end({ ...w, alice: link, bobs });
    const bob = w.peer('bob@a.test');
    const relink = w.peer('b.test', 'b.test'); // the same domain, counted together whichever link brings it
    w.router.receive(relink, frames.invite('l3', 'yvonne@b.test', 'bob@a.test'));
    assert.equal(bob.inbox.at(-1)?.[0], 'invite');
    assert.deepEqual(relink.inbox, []);
    w.router.receive(relink, frames.invite('l4', 'zoe@b.test', 'bob@a.test'));
    assert.deepEqual(relink.inbox, [full('l4')]);
  });
}

test('invitesPerUserPerDomain: past its share one domain gets 486, and a local caller and another domain still ring bob', () => {
  const w = world({}); // the defaults: invitesPerUser 32, invitesPerUserPerDomain 8
  const bob = w.peer('bob@a.test');
  const evil = w.peer('evil.test', 'evil.test');
  for (let i = 0; i < 9; i++) w.router.receive(evil, frames.invite(`e${i}`, `a${i}@evil.test`, bob.user));
  assert.deepEqual(evil.inbox.splice(0), [frames.bye('e8', ByeCode.BUSY, 'more than 8 calls ringing for this user from evil.test')]);
  assert.equal(bob.inbox.splice(0).length, 8);
  const carol = w.peer('carol@a.test');
  w.router.receive(carol, frames.invite('c1', carol.user, bob.user));
  const other = w.peer('b.test', 'b.test');
  w.router.receive(other, frames.invite('b1', 'xavier@b.test', bob.user));
  assert.deepEqual(
    bob.inbox.map((frame) => frame[2].call),
    ['c1', 'b1'],
  );
  assert.deepEqual([...carol.inbox, ...other.inbox], []);
});

test('RingingInvites: a ring removed while others still ring frees exactly its caller and one slot of its domain', () => {
  const ringing = new RingingInvites({ invitesPerUser: 3, invitesPerUserPerDomain: 2 });
  const bob = 'bob@a.test';
  const x = { callee: bob, caller: 'x@b.test', domain: 'b.test' };
  const y = { callee: bob, caller: 'y@b.test', domain: 'b.test' };
  const z = { callee: bob, caller: 'z@b.test', domain: 'b.test' };
  const carol = { callee: bob, caller: 'carol@a.test' };
  ringing.add(x);
  ringing.add(y);
  assert.deepEqual(ringing.refusal(z), { code: ByeCode.BUSY, reason: 'more than 2 calls ringing for this user from b.test' });
  ringing.add(carol);
  assert.deepEqual(ringing.refusal({ callee: bob, caller: 'dave@a.test' }), { code: ByeCode.BUSY, reason: 'more than 3 calls ringing for this user' });
  ringing.remove(x); // y and carol still ring
  assert.equal(ringing.refusal(x), undefined);
  assert.equal(ringing.refusal(z), undefined);
  assert.deepEqual(ringing.refusal(y), { code: ByeCode.TOO_MANY, reason: `already calling ${bob}` });
  ringing.add(z);
  assert.deepEqual(ringing.refusal(x), { code: ByeCode.BUSY, reason: 'more than 2 calls ringing for this user from b.test' });
  assert.equal(ringing.refusal({ callee: 'dave@a.test', caller: 'x@b.test', domain: 'b.test' }), undefined);
});
