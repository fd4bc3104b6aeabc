// The limits the CallRouter keeps (docs/protocol.md §2.4), on the router alone: every way a call stops ringing
// gives its invitesPerUser slot back, and none gives it twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByeCode, type Frame } from '../../src/protocol/index.js';
import { CallRouter, type Peer } from '../../src/server/index.js';
import { frames } from './helpers.js';

type Recording = Peer & { readonly inbox: Frame[] };

function world() {
  const timers = new Set<() => void>();
  const router = new CallRouter({
    domain: 'a.test',
    ringTimeoutMs: 30_000,
    limits: { invitesPerUser: 1 },
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

/** What alice's call c1 to bob must go through, once it rings, to stop ringing. */
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
