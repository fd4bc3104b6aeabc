// The CallRouter alone: plain objects for peers, a hand-driven clock for the ring timer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByeCode, type Frame } from '../../src/protocol/index.js';
import { CallRouter, type CallRouterOptions, type Peer, type Timers } from '../../src/server/index.js';
import { frames } from './helpers.js';

class FakePeer implements Peer {
  readonly user: string;
  readonly sent: Frame[] = [];
  constructor(user: string) {
    this.user = user;
  }
  send(frame: Frame): void {
    this.sent.push(frame);
  }
  /** The frames sent since the last call. */
  take(): Frame[] {
    return this.sent.splice(0);
  }
}

/** Timers that fire only when the test says so. */
class ManualTimers implements Timers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 0;
  set(callback: () => void, ms: number): number {
    this.pending.set(++this.#next, { callback, ms });
    return this.#next;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    for (const [handle, { callback }] of [...this.pending]) {
      this.pending.delete(handle);
      callback();
    }
  }
}

function setup(options: Partial<CallRouterOptions> = {}) {
  const timers = new ManualTimers();
  const router = new CallRouter({ domain: 'a.test', ringTimeoutMs: 30_000, timers, ...options });
  const peer = (name: string) => {
    const p = new FakePeer(`${name}@a.test`);
    router.connect(p);
    return p;
  };
  return { router, timers, peer };
}

test('the ring timer runs for the smaller timeout and stops when a device accepts', () => {
  const { router, timers, peer } = setup();
  const alice = peer('alice');
  const bob = peer('bob');
  router.receive(alice, frames.invite('c1', alice.user, bob.user, 5000));
  assert.deepEqual(
    [...timers.pending.values()].map(({ ms }) => ms),
    [5000],
  );
  router.receive(bob, frames.offer('c1'));
  assert.equal(timers.pending.size, 0);
  timers.fireAll();
  assert.deepEqual(alice.take(), [frames.offer('c1')]);
});

test('when the ring timer fires, caller and devices hear 408 and the call is gone', () => {
  const { router, timers, peer } = setup();
  const alice = peer('alice');
  const bob = peer('bob');
  router.receive(alice, frames.invite('c1', alice.user, bob.user));
  bob.take();
  timers.fireAll();
  assert.deepEqual(alice.take(), [frames.bye('c1', ByeCode.NO_ANSWER)]);
  assert.deepEqual(bob.take(), [frames.bye('c1', ByeCode.NO_ANSWER)]);
  assert.equal(router.size, 0);
});

test('every way a call ends leaves the table empty and no timer running', () => {
  const endings: ((r: CallRouter, alice: FakePeer, bob: FakePeer) => void)[] = [
    (r, _alice, bob) => r.receive(bob, frames.bye('c1', ByeCode.DECLINED)),
    (r, _alice, bob) => r.receive(bob, frames.bye('c1', ByeCode.BUSY)),
    (r, alice) => r.receive(alice, frames.bye('c1', ByeCode.CANCELLED)),
    (r, alice) => r.disconnect(alice),
    (r, _alice, bob) => r.disconnect(bob),
    (r, alice, bob) => {
      r.receive(bob, frames.offer('c1'));
      r.receive(alice, frames.bye('c1', ByeCode.NORMAL));
    },
    (r, _alice, bob) => {
      r.receive(bob, frames.offer('c1'));
      r.disconnect(bob);
    },
    (r, alice, bob) => {
      r.receive(bob, frames.offer('c1'));
      r.receive(alice, frames.bye('c1', ByeCode.TRANSFERRED));
      r.receive(bob, frames.bye('c1', ByeCode.TRANSFERRED));
    },
  ];
  for (const end of endings) {
    const { router, timers, peer } = setup();
    const alice = peer('alice');
    const bob = peer('bob');
    router.receive(alice, frames.invite('c1', alice.user, bob.user));
    end(router, alice, bob);
    assert.equal(router.size, 0, end.toString());
    assert.equal(timers.pending.size, 0, end.toString());
  }
});

test('a device that lost the race and then disconnects changes nothing', () => {
  const { router, peer } = setup();
  const alice = peer('alice');
  const phone = peer('bob');
  const laptop = peer('bob');
  router.receive(alice, frames.invite('c1', alice.user, phone.user));
  router.receive(phone, frames.offer('c1'));
  assert.deepEqual(laptop.take().slice(1), [frames.bye('c1', ByeCode.ANSWERED_ELSEWHERE)]);
  alice.take();
  router.receive(laptop, frames.bye('c1', ByeCode.DECLINED)); // late: ignored
  router.disconnect(laptop);
  assert.deepEqual(alice.take(), []);
  assert.equal(router.size, 1);
});

test('mixed endings of the devices: 486 when any was busy, 480 when all went offline', () => {
  const { router, peer } = setup();
  const alice = peer('alice');
  const phone = peer('bob');
  const laptop = peer('bob');
  router.receive(alice, frames.invite('c1', alice.user, phone.user));
  router.receive(phone, frames.bye('c1', ByeCode.BUSY));
  router.disconnect(laptop);
  assert.deepEqual(alice.take(), [frames.bye('c1', ByeCode.BUSY)]);

  const tablet = peer('carol');
  router.receive(alice, frames.invite('c2', alice.user, tablet.user));
  router.disconnect(tablet);
  assert.deepEqual(alice.take(), [frames.bye('c2', ByeCode.OFFLINE)]);
});

test('devices that cannot take calls: 606 when only they refused, 486 when one was busy too', () => {
  const { router, peer } = setup();
  const alice = peer('alice');
  const old = peer('bob');
  const phone = peer('bob');
  // The device without WebRTC refuses at once; the other goes on ringing, and its decision settles the call.
  router.receive(alice, frames.invite('c1', alice.user, old.user));
  router.receive(old, frames.bye('c1', ByeCode.UNSUPPORTED));
  assert.deepEqual(alice.take(), []);
  router.disconnect(phone);
  assert.deepEqual(alice.take(), [frames.bye('c1', ByeCode.UNSUPPORTED)]);

  const carol = peer('carol');
  const busy = peer('carol');
  router.receive(alice, frames.invite('c2', alice.user, carol.user));
  router.receive(carol, frames.bye('c2', ByeCode.UNSUPPORTED));
  router.receive(busy, frames.bye('c2', ByeCode.BUSY));
  assert.deepEqual(alice.take(), [frames.bye('c2', ByeCode.BUSY)]);

  const dave = peer('dave');
  const other = peer('dave');
  router.receive(alice, frames.invite('c3', alice.user, dave.user));
  router.receive(dave, frames.bye('c3', ByeCode.BUSY));
  router.receive(other, frames.bye('c3', ByeCode.UNSUPPORTED));
  assert.deepEqual(alice.take(), [frames.bye('c3', ByeCode.BUSY)]);
});

test('another domain goes through the federation: its link is the one device', () => {
  const link = new FakePeer('beta.test');
  const { router, peer } = setup({ federation: { route: (domain) => (domain === 'beta.test' ? link : undefined) } });
  const alice = peer('alice');
  router.receive(alice, frames.invite('c1', alice.user, 'bob@beta.test', 10_000));
  assert.deepEqual(link.take(), [['invite', { caller: { uri: alice.user }, callee: { uri: 'bob@beta.test' } }, { call: 'c1', timeout: 10_000 }]]);
  router.receive(link, frames.ringing('c1'));
  router.receive(link, frames.offer('c1'));
  assert.deepEqual(alice.take(), [frames.ringing('c1'), frames.offer('c1')]);
  router.receive(alice, frames.invite('c2', alice.user, 'bob@gamma.test'));
  assert.deepEqual(alice.take(), [frames.bye('c2', ByeCode.UNREACHABLE, 'domain gamma.test cannot be reached')]);
});

test('a ring timeout outside what the wire can carry is not forwarded', () => {
  const { router, peer } = setup({ ringTimeoutMs: 200 });
  const alice = peer('alice');
  const bob = peer('bob');
  router.receive(alice, frames.invite('c1', alice.user, bob.user, 5000));
  assert.deepEqual(bob.take()[0]?.[2], { call: 'c1' });
});

test('a disconnected device is no longer rung', () => {
  const { router, peer } = setup();
  const alice = peer('alice');
  const bob = peer('bob');
  router.disconnect(bob);
  router.receive(alice, frames.invite('c1', alice.user, bob.user));
  assert.deepEqual(alice.take(), [frames.bye('c1', ByeCode.OFFLINE)]);
  assert.deepEqual(bob.take(), []);
  assert.equal(router.registry.size, 1);
});
