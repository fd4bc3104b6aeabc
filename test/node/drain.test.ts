// The drain's rules on plain objects: who is told at once, who when released, what the timeout does. Timers and the
// random jitter are injected: nothing waits for real time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESTART_CLOSE_CODE } from '../../src/protocol/index.js';
import type { Timers } from '../../src/server/index.js';
import { Drain } from '../../src/server/drain.js';

class FakeConnection {
  closedWith: [number, string] | undefined;
  readonly name: string;
  busy: boolean;
  constructor(name: string, busy = false) {
    this.name = name;
    this.busy = busy;
  }
  close(code: number, reason: string): void {
    assert.equal(this.closedWith, undefined, `${this.name} told twice`);
    this.closedWith = [code, reason];
  }
}

/** Timers that fire only when the test says so. */
function manualTimers(): Timers & { fire(): void; pending: number } {
  const callbacks = new Map<number, () => void>();
  let next = 0;
  return {
    set: (callback) => {
      callbacks.set(++next, callback);
      return next;
    },
    clear: (handle) => void callbacks.delete(handle as number),
    fire: () => {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const callback of due) callback();
    },
    get pending() {
      return callbacks.size;
    },
  };
}

function drainOf(connections: FakeConnection[], options: { endCalls?: () => void; random?: () => number } = {}) {
  const timers = manualTimers();
  let settled = false;
  const drain = new Drain({
    connections,
    busy: (connection) => connection.busy,
    endCalls: options.endCalls ?? (() => {}),
    jitterMs: 4000,
    timeoutMs: 30_000,
    random: options.random ?? (() => 0.5),
    timers,
  });
  void drain.done.then(() => (settled = true));
  return { drain, timers, settled: async () => (await Promise.resolve(), settled) };
}

test('idle connections are told at once with 1012 and their share of the jitter; busy ones when released', async () => {
  const idle = new FakeConnection('idle');
  const ringing = new FakeConnection('ringing', true);
  const randoms = [0, 1, 0.25];
  const { drain, timers, settled } = drainOf([idle, ringing], { random: () => randoms.shift()! });
  assert.deepEqual(idle.closedWith, [RESTART_CLOSE_CODE, 'retry-after=0']);
  assert.equal(ringing.closedWith, undefined);
  drain.released(ringing); // still busy: another call
  assert.equal(ringing.closedWith, undefined);
  assert.equal(await settled(), false);
  ringing.busy = false;
  drain.released(ringing);
  assert.deepEqual(ringing.closedWith, [RESTART_CLOSE_CODE, 'retry-after=4000']);
  assert.equal(await settled(), true);
  assert.equal(timers.pending, 0, 'the timeout is cleared');
  assert.equal(drain.retryAfterMs(), 1000);
});

test('a connection that closes on its own is not waited for', async () => {
  const busy = new FakeConnection('busy', true);
  const { drain, settled } = drainOf([busy]);
  drain.closed(busy);
  assert.equal(await settled(), true);
  assert.equal(busy.closedWith, undefined);
});

test('at the timeout the calls left are ended, then every connection still waiting is told', async () => {
  const [a, b] = [new FakeConnection('a', true), new FakeConnection('b', true)];
  let drainRef: Drain<FakeConnection> | undefined;
  const { drain, timers, settled } = drainOf([a, b], {
    // Ending the calls releases a, as the router would; b is left for the drain to tell.
    endCalls: () => {
      a.busy = false;
      drainRef!.released(a);
    },
  });
  drainRef = drain;
  assert.equal(await settled(), false);
  timers.fire();
  assert.equal(a.closedWith?.[0], RESTART_CLOSE_CODE);
  assert.equal(b.closedWith?.[0], RESTART_CLOSE_CODE);
  assert.equal(await settled(), true);
});

test('stop() ends the drain without telling anyone', async () => {
  const busy = new FakeConnection('busy', true);
  const { drain, timers, settled } = drainOf([busy]);
  drain.stop();
  assert.equal(await settled(), true);
  assert.equal(busy.closedWith, undefined);
  assert.equal(timers.pending, 0);
});
