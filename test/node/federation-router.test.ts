// The router's rules for links (docs/protocol.md §8.5–8.6), with plain objects: a link is a peer whose identity is a domain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByeCode, type Frame } from '../../src/protocol/index.js';
import { CallRouter, type CallRouterOptions, type Peer } from '../../src/server/index.js';
import { frames } from './helpers.js';

class FakePeer implements Peer {
  readonly user: string;
  readonly domain: string | undefined;
  readonly sent: Frame[] = [];
  constructor(user: string, domain?: string) {
    this.user = user;
    this.domain = domain;
  }
  send(frame: Frame): void {
    this.sent.push(frame);
  }
  take(): Frame[] {
    return this.sent.splice(0);
  }
}

const HERE = 'beta.test';

/** beta.test's router with bob online, a link from alpha.test, and an outbound link to gamma.test. */
function setup(options: Partial<CallRouterOptions> = {}) {
  const gamma = new FakePeer('gamma.test', 'gamma.test');
  const router = new CallRouter({
    domain: HERE,
    ringTimeoutMs: 30_000,
    users: new Set(['bob', 'carol', 'dave']),
    federation: { route: (domain) => (domain === 'gamma.test' ? gamma : undefined) },
    timers: { set: () => undefined, clear: () => {} }, // no ring timeout here: the far side's codes are the subject
    ...options,
  });
  const bob = new FakePeer(`bob@${HERE}`);
  const dave = new FakePeer(`dave@${HERE}`);
  router.connect(bob);
  router.connect(dave);
  const alpha = new FakePeer('alpha.test', 'alpha.test');
  return { router, bob, dave, alpha, gamma };
}

test('an invite over a link keeps its caller, who must belong to the link’s domain', () => {
  const { router, bob, alpha } = setup();
  const invite: Frame = ['invite', { caller: { uri: 'alice@alpha.test', name: 'Alice' }, callee: { uri: `bob@${HERE}` } }, { call: 'c1', timeout: 20_000 }];
  router.receive(alpha, invite);
  assert.deepEqual(bob.take(), [invite]);
  router.receive(alpha, frames.invite('c2', `dave@${HERE}`, `bob@${HERE}`));
  assert.deepEqual(alpha.take(), [frames.bye('c2', ByeCode.FORBIDDEN, 'caller.uri must be a user of alpha.test')]);
  router.receive(alpha, frames.invite('c3', 'mallory@gamma.test', `bob@${HERE}`));
  assert.deepEqual(alpha.take(), [frames.bye('c3', ByeCode.FORBIDDEN, 'caller.uri must be a user of alpha.test')]);
  assert.deepEqual(bob.take(), []);
});

test('a server relays nothing to a third domain: an invite over a link is for its own users only', () => {
  const { router, alpha, gamma } = setup();
  router.receive(alpha, frames.invite('c1', 'alice@alpha.test', 'carol@gamma.test'));
  assert.deepEqual(alpha.take(), [frames.bye('c1', ByeCode.FORBIDDEN, 'beta.test does not relay to gamma.test')]);
  assert.deepEqual(gamma.take(), []);
  router.receive(alpha, frames.invite('c2', 'alice@alpha.test', 'bob@alpha.test'));
  assert.deepEqual(alpha.take(), [frames.bye('c2', ByeCode.FORBIDDEN, 'beta.test does not relay to alpha.test')]);
});

test('the far side’s answer to a ringing call is the call’s outcome, whatever its code', () => {
  for (const code of [404, 408, 480, 486, 502, 603]) {
    const { router, bob, gamma } = setup();
    router.receive(bob, frames.invite('c1', bob.user, 'carol@gamma.test'));
    assert.equal(gamma.take()[0]?.[0], 'invite');
    router.receive(gamma, frames.bye('c1', code, 'why'));
    assert.deepEqual(bob.take(), [frames.bye('c1', code, 'why')], String(code));
    router.receive(bob, frames.candidate('c1'));
    assert.deepEqual(bob.take(), [frames.bye('c1', ByeCode.FORBIDDEN)], 'forgotten');
  }
});

test('a link caller’s bye while ringing reaches the devices with its code (487, 408, …)', () => {
  for (const code of [487, 408, 503]) {
    const { router, bob, alpha } = setup();
    router.receive(alpha, frames.invite('c1', 'alice@alpha.test', bob.user));
    bob.take();
    router.receive(alpha, frames.bye('c1', code));
    assert.deepEqual(bob.take(), [frames.bye('c1', code)]);
    assert.deepEqual(alpha.take(), []);
  }
});

test('a bye over a link for a call that is gone is dropped, never answered: two servers must not ping-pong 403s', () => {
  const { router, alpha } = setup();
  router.receive(alpha, frames.bye('gone', ByeCode.FORBIDDEN));
  router.receive(alpha, frames.bye('gone', ByeCode.NO_ANSWER));
  assert.deepEqual(alpha.take(), []);
  router.receive(alpha, frames.candidate('gone'));
  assert.deepEqual(alpha.take(), [frames.bye('gone', ByeCode.FORBIDDEN)]);
  router.receive(alpha, ['bye', { code: 400, reason: 'a notice' }, {}]);
  assert.deepEqual(alpha.take(), []);
});

test('a call id in use is refused over a link with that call id, so the far server can end its call', () => {
  const { router, bob, dave, alpha } = setup();
  router.receive(bob, frames.invite('dup', bob.user, dave.user));
  router.receive(alpha, frames.invite('dup', 'alice@alpha.test', dave.user));
  assert.deepEqual(alpha.take(), [frames.bye('dup', ByeCode.MALFORMED, 'call id dup is already in use')]);
  assert.equal(dave.take().length, 1, 'only bob’s invite rang');
});

test('a lost link ends each of its calls with 503, ringing or accepted, whichever way they go; handed-over ones are left alone', () => {
  const { router, bob, dave, alpha, gamma } = setup();
  router.receive(alpha, frames.invite('in-ringing', 'alice@alpha.test', bob.user));
  router.receive(alpha, frames.invite('in-accepted', 'alice@alpha.test', dave.user));
  router.receive(dave, frames.offer('in-accepted'));
  router.receive(bob, frames.invite('out-ringing', bob.user, 'carol@gamma.test'));
  router.receive(dave, frames.invite('out-accepted', dave.user, 'carol@gamma.test'));
  router.receive(gamma, frames.offer('out-accepted'));
  for (const peer of [bob, dave, alpha, gamma]) peer.take();

  router.disconnect(alpha);
  assert.deepEqual(bob.take(), [frames.bye('in-ringing', ByeCode.PEER_LOST)]);
  assert.deepEqual(dave.take(), [frames.bye('in-accepted', ByeCode.PEER_LOST)]);
  router.disconnect(gamma);
  assert.deepEqual(bob.take(), [frames.bye('out-ringing', ByeCode.PEER_LOST)]);
  assert.deepEqual(dave.take(), [frames.bye('out-accepted', ByeCode.PEER_LOST)]);
  assert.equal(router.size, 0);

  // After the far side's handover, the link is no longer needed by it: its loss ends nothing here.
  router.receive(bob, frames.invite('moved', bob.user, 'carol@gamma.test'));
  router.receive(gamma, frames.offer('moved'));
  router.receive(gamma, frames.bye('moved', ByeCode.TRANSFERRED));
  bob.take();
  router.disconnect(gamma);
  assert.deepEqual(bob.take(), []);
});

test('a link may carry many more calls than a connection may place', () => {
  const { router, bob, alpha } = setup({ limits: { callsPerConnection: 1, callsPerLink: 3 } });
  for (let i = 0; i < 4; i++) router.receive(alpha, frames.invite(`c${i}`, `u${i}@alpha.test`, bob.user));
  assert.equal(bob.take().length, 3);
  assert.deepEqual(alpha.take(), [frames.bye('c3', ByeCode.MALFORMED, 'more than 3 calls at once')]);
});
