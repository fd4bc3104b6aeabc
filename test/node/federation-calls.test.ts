// alice@alpha.localhost calls bob@beta.localhost across two WSP servers in this process (docs/protocol.md §4, §8),
// with real ws clients: the whole flow, the handover, hang-ups both ways and every end code crossing the link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import { Client, frames } from './helpers.js';
import { ALPHA, BETA, closedPort, startDomains } from './federation-helpers.js';

const alice = `alice@${ALPHA}`;
const bob = `bob@${BETA}`;

test('alice@alpha calls bob@beta: invite → ringing → offer → answer → icecandidate → bye 101 both ways, then both servers forget it', async (t) => {
  const { alpha, beta } = await startDomains(t);
  const caller = await Client.open(t, alpha, 'alice');
  const callee = await Client.open(t, beta, 'bob');

  let started = performance.now();
  caller.send(['invite', { caller: { uri: 'Alice@Alpha.Localhost', name: 'Alice' }, callee: { uri: bob } }, { call: 'c1', timeout: 20_000 }]);
  assert.deepEqual(await callee.next(), ['invite', { caller: { uri: alice, name: 'Alice' }, callee: { uri: bob } }, { call: 'c1', timeout: 20_000 }]);
  callee.send(frames.ringing('c1'));
  assert.deepEqual(await caller.next(), frames.ringing('c1'));
  t.diagnostic(`invite → ringing, link opened on demand: ${(performance.now() - started).toFixed(1)} ms`);
  callee.send(frames.offer('c1', 'v=0 bob'));
  assert.deepEqual(await caller.next(), frames.offer('c1', 'v=0 bob'));
  caller.send(frames.answer('c1', 'v=0 alice'));
  assert.deepEqual(await callee.next(), frames.answer('c1', 'v=0 alice'));
  caller.send(frames.candidate('c1', 'candidate:a'));
  assert.deepEqual(await callee.next(), frames.candidate('c1', 'candidate:a'));
  callee.send(frames.candidate('c1', 'candidate:b'));
  assert.deepEqual(await caller.next(), frames.candidate('c1', 'candidate:b'));
  callee.send(frames.candidate('c1', ''));
  assert.deepEqual(await caller.next(), frames.candidate('c1', ''));

  caller.send(frames.bye('c1', ByeCode.TRANSFERRED));
  assert.deepEqual(await callee.next(), frames.bye('c1', ByeCode.TRANSFERRED));
  callee.send(frames.candidate('c1', 'candidate:late')); // in flight before bob's own handover: still relayed
  assert.deepEqual(await caller.next(), frames.candidate('c1', 'candidate:late'));
  callee.send(frames.bye('c1', ByeCode.TRANSFERRED));
  assert.deepEqual(await caller.next(), frames.bye('c1', ByeCode.TRANSFERRED));

  // Forgotten on both servers: each answers its own client, nothing crosses the link.
  callee.send(frames.candidate('c1'));
  assert.deepEqual(await callee.next(), frames.bye('c1', ByeCode.FORBIDDEN));
  caller.send(frames.candidate('c1'));
  assert.deepEqual(await caller.next(), frames.bye('c1', ByeCode.FORBIDDEN));
  await caller.sync();
  await callee.sync();

  // The next call reuses the link, and goes the other way as well.
  started = performance.now();
  caller.send(frames.invite('c2', alice, bob));
  assert.equal((await callee.next())[0], 'invite');
  callee.send(frames.ringing('c2'));
  assert.deepEqual(await caller.next(), frames.ringing('c2'));
  t.diagnostic(`invite → ringing over the open link: ${(performance.now() - started).toFixed(1)} ms`);
  callee.send(frames.invite('c3', bob, alice));
  assert.deepEqual(await caller.next(), ['invite', { caller: { uri: bob }, callee: { uri: alice } }, { call: 'c3', timeout: 30_000 }]);
});

test('hang-up crosses the link both ways: bye 200 from either party', async (t) => {
  const { alpha, beta } = await startDomains(t);
  const caller = await Client.open(t, alpha, 'alice');
  const callee = await Client.open(t, beta, 'bob');
  for (const [call, hangsUp, hears] of [
    ['c1', caller, callee],
    ['c2', callee, caller],
  ] as const) {
    caller.send(frames.invite(call, alice, bob));
    await callee.next();
    callee.send(frames.offer(call));
    await caller.next();
    hangsUp.send(frames.bye(call, ByeCode.NORMAL, 'bye now'));
    assert.deepEqual(await hears.next(), frames.bye(call, ByeCode.NORMAL, 'bye now'));
    hears.send(frames.candidate(call));
    assert.deepEqual(await hears.next(), frames.bye(call, ByeCode.FORBIDDEN), 'forgotten');
  }
});

test('every end code crosses the link: 404, 480, 486, 487, 603, 409, and 502 for a domain that is down', async (t) => {
  const down = await closedPort();
  const { alpha, beta, peers } = await startDomains(t);
  peers.set('down.localhost', `http://127.0.0.1:${down}`);
  const caller = await Client.open(t, alpha, 'alice');
  const phone = await Client.open(t, beta, 'bob');
  const laptop = await Client.open(t, beta, 'bob');

  caller.send(frames.invite('unknown', alice, `nobody@${BETA}`));
  assert.deepEqual(await caller.next(), frames.bye('unknown', ByeCode.UNKNOWN_USER));
  caller.send(frames.invite('offline', alice, `carol@${BETA}`));
  assert.deepEqual(await caller.next(), frames.bye('offline', ByeCode.OFFLINE));

  caller.send(frames.invite('busy', alice, bob));
  await phone.next();
  await laptop.next();
  phone.send(frames.bye('busy', ByeCode.BUSY));
  laptop.send(frames.bye('busy', ByeCode.BUSY));
  assert.deepEqual(await caller.next(), frames.bye('busy', ByeCode.BUSY));

  caller.send(frames.invite('cancel', alice, bob));
  await phone.next();
  await laptop.next();
  caller.send(frames.bye('cancel', ByeCode.CANCELLED));
  assert.deepEqual(await phone.next(), frames.bye('cancel', ByeCode.CANCELLED));
  assert.deepEqual(await laptop.next(), frames.bye('cancel', ByeCode.CANCELLED));

  caller.send(frames.invite('decline', alice, bob));
  await phone.next();
  await laptop.next();
  phone.send(frames.bye('decline', ByeCode.DECLINED, 'not now'));
  assert.deepEqual(await caller.next(), frames.bye('decline', ByeCode.DECLINED, 'not now'));
  assert.deepEqual(await laptop.next(), frames.bye('decline', ByeCode.DECLINED, 'not now'));

  caller.send(frames.invite('race', alice, bob));
  await phone.next();
  await laptop.next();
  laptop.send(frames.offer('race'));
  assert.deepEqual(await phone.next(), frames.bye('race', ByeCode.ANSWERED_ELSEWHERE));
  assert.deepEqual(await caller.next(), frames.offer('race'));

  const started = performance.now();
  caller.send(frames.invite('down', alice, 'bob@down.localhost'));
  const [, content, options] = await caller.nextBye();
  t.diagnostic(`502 for a domain that is down after ${(performance.now() - started).toFixed(1)} ms`);
  assert.equal(content.code, ByeCode.UNREACHABLE);
  assert.equal(content.reason, 'domain down.localhost cannot be reached');
  assert.deepEqual(options, { call: 'down' });
  await Promise.all([caller.sync(), phone.sync(), laptop.sync()]);
});

test('nobody answers: 408 from the callee’s server reaches both sides', async (t) => {
  const { alpha, beta } = await startDomains(t, { beta: { ringTimeoutMs: 300 } });
  const caller = await Client.open(t, alpha, 'alice');
  const callee = await Client.open(t, beta, 'bob');
  caller.send(frames.invite('c1', alice, bob));
  await callee.next();
  assert.deepEqual(await callee.next(), frames.bye('c1', ByeCode.NO_ANSWER));
  assert.deepEqual(await caller.next(), frames.bye('c1', ByeCode.NO_ANSWER));
});

test('when both servers’ ring timers fire at once, each side hears 408 once and nothing echoes', async (t) => {
  const { alpha, beta } = await startDomains(t, { alpha: { ringTimeoutMs: 300 }, beta: { ringTimeoutMs: 300 } });
  const caller = await Client.open(t, alpha, 'alice');
  const callee = await Client.open(t, beta, 'bob');
  caller.send(frames.invite('c1', alice, bob));
  await callee.next();
  assert.deepEqual(await callee.next(), frames.bye('c1', ByeCode.NO_ANSWER));
  assert.deepEqual(await caller.next(), frames.bye('c1', ByeCode.NO_ANSWER));
  await new Promise((resolve) => setTimeout(resolve, 100));
  await Promise.all([caller.sync(), callee.sync()]);
});
