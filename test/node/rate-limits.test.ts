// The pure limit modules: token bucket, per-address counters, limit parsing, the intake's notices. The clock is a variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressLimiter } from '../../src/server/address-limiter.js';
import { FLOOD_BURSTS, FrameGate } from '../../src/server/frame-gate.js';
import { Intake, NOTICE_BURST, NOTICES_PER_SECOND, type IntakeOptions } from '../../src/server/intake.js';
import { defaultLimits, exceeds, parseLimit, resolveLimits } from '../../src/server/limits.js';
import { TokenBucket } from '../../src/protocol/token-bucket.js';
import { createLogger } from '../../src/server/log.js';
import type { ByeFrame, Frame } from '../../src/protocol/index.js';

function clock() {
  const time = { now: 1000 };
  return { time, now: () => time.now };
}

test('a token bucket allows its burst at once, then its rate and no more', () => {
  const { time, now } = clock();
  const bucket = new TokenBucket(10, 5, now);
  for (let i = 0; i < 5; i++) assert.ok(bucket.take(), `burst token ${i}`);
  assert.equal(bucket.take(), false);
  time.now += 100; // 10/s: one token back after 100 ms
  assert.ok(bucket.take());
  assert.equal(bucket.take(), false);
  time.now += 50;
  assert.equal(bucket.take(), false, 'half a token is not a token');
  time.now += 50;
  assert.ok(bucket.take());
});

test('a token bucket refills to its burst and no further, and says when it is full', () => {
  const { time, now } = clock();
  const bucket = new TokenBucket(10, 3, now);
  assert.ok(bucket.full);
  bucket.take();
  assert.equal(bucket.full, false);
  time.now += 3_600_000;
  assert.ok(bucket.full);
  for (let i = 0; i < 3; i++) assert.ok(bucket.take());
  assert.equal(bucket.take(), false);
});

test('a clock stepping back neither drains nor fills a token bucket', () => {
  const { time, now } = clock();
  const bucket = new TokenBucket(1, 2, now);
  bucket.take();
  time.now -= 10_000;
  assert.ok(bucket.take());
  assert.equal(bucket.take(), false);
});

test('a token bucket refuses a rate or burst it cannot honour', () => {
  assert.throws(() => new TokenBucket(0, 5), RangeError);
  assert.throws(() => new TokenBucket(5, 0), RangeError);
});

test('an address may hold connectionsPerAddress sockets; a closed one frees its slot, once', () => {
  const limiter = new AddressLimiter({ connectionsPerAddress: 2, upgradesPerMinute: 0 });
  const first = limiter.admit('10.0.0.1');
  const second = limiter.admit('10.0.0.1');
  assert.ok(first.ok && second.ok);
  const third = limiter.admit('10.0.0.1');
  assert.equal(third.ok, false);
  assert.match(!third.ok ? third.reason : '', /more than 2 connections/);
  assert.ok(limiter.admit('10.0.0.2').ok, 'other addresses are not affected');
  first.release();
  first.release();
  assert.equal(limiter.open('10.0.0.1'), 1);
  assert.ok(limiter.admit('10.0.0.1').ok);
});

test('an address may attempt upgradesPerMinute upgrades, then gains one back every 60/N seconds', () => {
  const { time, now } = clock();
  const limiter = new AddressLimiter({ connectionsPerAddress: 0, upgradesPerMinute: 6, now });
  for (let i = 0; i < 6; i++) {
    const admission = limiter.admit('::1');
    assert.ok(admission.ok);
    admission.release(); // refused by auth, say: the attempt still counted
  }
  const refused = limiter.admit('::1');
  assert.equal(refused.ok, false);
  assert.match(!refused.ok ? refused.reason : '', /more than 6 connection attempts a minute/);
  time.now += 10_000;
  assert.ok(limiter.admit('::1').ok);
  assert.equal(limiter.admit('::1').ok, false);
});

test('sweep forgets addresses with no socket and a full budget, and keeps the others', () => {
  const { time, now } = clock();
  const limiter = new AddressLimiter({ connectionsPerAddress: 4, upgradesPerMinute: 60, now });
  const held = limiter.admit('a');
  const gone = limiter.admit('b');
  assert.ok(held.ok && gone.ok);
  gone.release();
  limiter.sweep();
  assert.equal(limiter.size, 2, 'b has not regained its attempt yet');
  time.now += 1000;
  limiter.sweep();
  assert.equal(limiter.size, 1);
  assert.equal(limiter.open('a'), 1);
});

test('0 means unlimited for both per-address limits', () => {
  const limiter = new AddressLimiter({ connectionsPerAddress: 0, upgradesPerMinute: 0 });
  for (let i = 0; i < 10_000; i++) assert.ok(limiter.admit('a').ok);
  assert.equal(exceeds(1_000_000, 0), false);
  assert.equal(exceeds(3, 2), true);
  assert.equal(exceeds(2, 2), false);
});

test('limits resolve over the defaults and refuse unknown names and bad values', () => {
  assert.deepEqual(resolveLimits(), defaultLimits);
  assert.equal(resolveLimits({ framesPerSecond: 0 }).framesPerSecond, 0);
  assert.equal(resolveLimits({ framesPerSecond: undefined }).framesPerSecond, defaultLimits.framesPerSecond);
  assert.throws(() => resolveLimits({ framesPerSecnd: 1 } as never), /unknown limit "framesPerSecnd"/);
  assert.throws(() => resolveLimits({ frameBurst: -1 }), /integer ≥ 0/);
  assert.throws(() => resolveLimits({ frameBurst: 1.5 }), /integer ≥ 0/);
  assert.deepEqual(parseLimit('invitesPerUser=3'), ['invitesPerUser', 3]);
  assert.deepEqual(parseLimit(' frameBurst = 0 '), ['frameBurst', 0]);
  assert.throws(() => parseLimit('frameBurst'), /name=value/);
  assert.throws(() => parseLimit('frameBurst=-1'), /name=value/);
  assert.throws(() => parseLimit('nope=1'), /unknown limit "nope"/);
});

test('the frame gate passes a burst, drops beyond it, and calls a flood after 10 bursts dropped', () => {
  const { now } = clock();
  const gate = new FrameGate(10, 4, now);
  for (let i = 0; i < 4; i++) assert.equal(gate.admit(), 'pass');
  for (let i = 1; i < FLOOD_BURSTS * 4; i++) assert.equal(gate.admit(), 'drop', `drop ${i}`);
  assert.equal(gate.admit(), 'flood');
  assert.equal(gate.dropped, FLOOD_BURSTS * 4);
});

test('the frame gate forgives drops once the sender is back within its rate long enough to refill', () => {
  const { time, now } = clock();
  const gate = new FrameGate(10, 4, now);
  for (let i = 0; i < 4; i++) gate.admit();
  for (let i = 0; i < 30; i++) assert.equal(gate.admit(), 'drop');
  time.now += 200; // two tokens back: still not full, the drops still count
  assert.equal(gate.admit(), 'pass');
  assert.equal(gate.admit(), 'pass');
  assert.equal(gate.admit(), 'drop');
  assert.equal(gate.dropped, 31);
  time.now += 400; // full again
  assert.equal(gate.admit(), 'pass');
  assert.equal(gate.dropped, 0);
});

test('a frame gate with a 0 rate or burst lets everything through', () => {
  for (const gate of [new FrameGate(0, 10), new FrameGate(10, 0)]) {
    for (let i = 0; i < 100_000; i++) assert.equal(gate.admit(), 'pass');
  }
});

/** An Intake on a test clock, with what it replied, received and logged. */
function intake(options: Partial<IntakeOptions> & Pick<IntakeOptions, 'perSecond' | 'burst'>) {
  const { time, now } = clock();
  const replies: ByeFrame[] = [];
  const received: Frame[] = [];
  const logged: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => logged.push((JSON.parse(line) as { msg: string }).msg) });
  const gate = new Intake({ reply: (frame) => replies.push(frame), receive: (frame) => received.push(frame), log, level: 'warn', now, ...options });
  const codes = () => replies.map((frame) => frame[1].code);
  return { time, gate, replies, received, logged, codes };
}

const ringing = Buffer.from('["ringing",{},{"call":"c1"}]');

test('an intake answers one 429 per flood, however many frames it drops, and again only after the sender calmed down', () => {
  const { time, gate, codes, received, logged } = intake({ perSecond: 10, burst: 4 });
  for (let i = 0; i < 100; i++) gate.read(ringing, false);
  assert.equal(received.length, 4);
  assert.deepEqual(codes(), [429]);
  assert.equal(logged.filter((msg) => msg.startsWith('too many frames')).length, 1);
  time.now += 400; // full again: the flood is over
  for (let i = 0; i < 5; i++) gate.read(ringing, false);
  assert.deepEqual(codes(), [429, 429]);
});

test('an intake answers bad frames within its notice allowance, then drops them silently, logging that once', () => {
  const { time, gate, codes, logged } = intake({ perSecond: 1000, burst: 1000 });
  for (let i = 0; i < 100; i++) gate.read(Buffer.from('x'), i % 2 === 0);
  assert.deepEqual(codes(), Array(NOTICE_BURST).fill(400));
  assert.equal(logged.filter((msg) => msg === 'frame refused').length, NOTICE_BURST);
  assert.equal(logged.filter((msg) => msg.startsWith('too many bad frames')).length, 1);
  time.now += 1000 / NOTICES_PER_SECOND; // one notice's allowance back
  gate.read(Buffer.from('x'), false);
  gate.read(Buffer.from('x'), false);
  assert.equal(codes().length, NOTICE_BURST + 1);
});

test('an intake calls flood once and reads nothing more; without flood, it only drops', () => {
  const floods: number[] = [];
  const client = intake({ perSecond: 10, burst: 4, flood: (dropped) => floods.push(dropped) });
  for (let i = 0; i < 100; i++) client.gate.read(ringing, false);
  assert.deepEqual(floods, [FLOOD_BURSTS * 4]);
  assert.deepEqual(client.codes(), [429]);
  const link = intake({ perSecond: 10, burst: 4 });
  for (let i = 0; i < 100; i++) link.gate.read(ringing, false);
  link.time.now += 400;
  link.gate.read(ringing, false);
  assert.equal(link.received.length, 5);
});

test('an intake with its frame limit lifted (0) lifts the bound on notices too', () => {
  const { gate, codes } = intake({ perSecond: 0, burst: 0 });
  for (let i = 0; i < 1000; i++) gate.read(Buffer.from('x'), false);
  assert.equal(codes().length, 1000);
});
