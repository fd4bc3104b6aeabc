// Property-based fuzzing of a running server (docs/protocol.md §2.3, §6): over 100,000 generated bad frames on
// several real sockets, each answered exactly as documented, while real calls go on over other connections.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { ByeCode, encode, keywords, limits, type Frame } from '../../src/protocol/index.js';
import { mintToken, type WspServer } from '../../src/server/index.js';
import { Client, DOMAIN, frames, offer, SECRET, startServer } from './helpers.js';

/** What the server must answer one bad frame with: a connection-scoped notice, or a bye for the frame's call. */
type Expected = { readonly notice: number; readonly reason: RegExp } | { readonly bye: number; readonly call: string; readonly reason?: RegExp };

interface Case {
  readonly kind: string;
  readonly data: string | Buffer;
  readonly expected: Expected;
}

const FUZZ_SOCKETS = 4;
/** The kinds of case `cases()` makes: each must turn up in a run. */
const KINDS = 24;
const RUNS_PER_SOCKET = Number(process.env.FUZZ_RUNS ?? 100);
const BATCH = 256;

const notice = (reason: RegExp, code: number = ByeCode.MALFORMED): Expected => ({ notice: code, reason });
const forbidden = (call: string, reason?: RegExp): Expected => ({ bye: ByeCode.FORBIDDEN, call, reason });

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** What the server reads from a string the client sends: lone surrogates become U+FFFD on the way. */
const onWire = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

const json = fc.jsonValue({ maxDepth: 3 });
/** Call ids nobody uses, and the real pair's, live or over: the fuzzing sockets are part of none of them. */
const foreignCall = fc.oneof(
  fc.stringMatching(/^f[A-Za-z0-9_-]{0,63}$/),
  fc.nat(200).map((n) => `real-${n}`),
);
/** Fresh ids for the fuzzers' own invites: never in use, so the answer does not depend on timing. */
const ownCall = fc.stringMatching(/^z[A-Za-z0-9_-]{0,40}$/);
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const wellFormed = fc.oneof(
  foreignCall.map((call) => frames.ringing(call)),
  fc.tuple(foreignCall, fc.string({ minLength: 1, maxLength: 200 })).map(([call, sdp]) => frames.offer(call, sdp)),
  fc.tuple(foreignCall, fc.string({ minLength: 1, maxLength: 200 })).map(([call, sdp]) => frames.answer(call, sdp)),
  fc.tuple(foreignCall, fc.string({ maxLength: 200 })).map(([call, candidate]) => frames.candidate(call, candidate)),
  fc.tuple(foreignCall, fc.integer({ min: 100, max: 699 })).map(([call, code]) => frames.bye(call, code)),
);
const callOf = (frame: Frame) => frame[2].call!;

/** Wraps a JSON text in keys that trip careless code (`obj[key] = …`, `Object.assign`), as raw JSON: a literal would not keep them. */
const hostileKeys = fc.subarray(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'], { minLength: 1 });
function withKeys(objectJson: string, keys: readonly string[], value: string): string {
  const extra = keys.map((key) => `${JSON.stringify(key)}:${value}`).join(',');
  return objectJson === '{}' ? `{${extra}}` : `{${extra},${objectJson.slice(1)}`;
}

function nested(depth: number, open: string, close: string, core: string): string {
  return open.repeat(depth) + core + close.repeat(depth);
}

/** Builds a frame whose one field is `size` characters of `char` (1 to 4 UTF-8 bytes each). */
const padded = (size: number, char: string) => char.repeat(Math.max(0, Math.floor(size / char.length)));

/** Every kind of bad frame the fuzzer sends, each with the answer docs/protocol.md §6 (and §2.3) promises. */
function cases(me: string): fc.Arbitrary<Case> {
  const notJson = fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      wellFormed.chain((frame) => fc.nat(encode(frame).length - 1).map((cut) => encode(frame).slice(0, cut))),
    )
    .filter((text) => !isJson(onWire(text)))
    .map((data): Case => ({ kind: 'not JSON', data, expected: notice(/^frame is not JSON$/) }));
  const notArray = json
    .filter((value) => !Array.isArray(value))
    .map((value): Case => ({ kind: 'not an array', data: JSON.stringify(value), expected: notice(/must be a JSON array/) }));
  const wrongArity = fc
    .array(json, { maxLength: 7 })
    .filter((value) => value.length !== 3)
    .map((value): Case => ({ kind: 'wrong arity', data: JSON.stringify(value), expected: notice(/^a frame has 3 elements/) }));
  const badKeyword = fc
    .tuple(
      json.filter((value) => !keywords.includes(value as never)),
      json,
      fc.dictionary(fc.string(), json),
    )
    .map(
      ([keyword, content, options]): Case => ({
        kind: 'unknown keyword',
        data: JSON.stringify([keyword, content, options]),
        expected: notice(typeof keyword === 'string' ? /^unknown keyword "/ : /^the keyword must be a string$/),
      }),
    );
  const badOptions = fc
    .tuple(
      fc.constantFrom(...keywords),
      json,
      json.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
    )
    .map(
      ([keyword, content, options]): Case => ({
        kind: 'options not an object',
        data: JSON.stringify([keyword, content, options]),
        expected: notice(/^options must be an object$/),
      }),
    );
  const badContent = fc
    .tuple(
      fc.constantFrom(...keywords),
      json.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
      foreignCall,
    )
    .map(
      ([keyword, content, call]): Case => ({
        kind: 'content not an object',
        data: JSON.stringify([keyword, content, { call }]),
        expected: notice(/^content must be an object$/),
      }),
    );
  const notString = json.filter((value) => typeof value !== 'string');
  const badField = fc.oneof(
    fc
      .tuple(
        foreignCall,
        json.filter((value) => !Number.isInteger(value) || (value as number) < 100 || (value as number) > 699),
      )
      .map(
        ([call, code]): Case => ({
          kind: 'bad bye code',
          data: JSON.stringify(['bye', { code }, { call }]),
          expected: notice(/^content\.code must be an integer/),
        }),
      ),
    fc
      .tuple(
        foreignCall,
        json.filter((value) => value !== 'offer'),
      )
      .map(
        ([call, type]): Case => ({
          kind: 'bad offer type',
          data: JSON.stringify(['offer', { type, sdp: 'v=0' }, { call }]),
          expected: notice(/^content\.type must be "offer"$/),
        }),
      ),
    fc.tuple(foreignCall, notString).map(
      ([call, sdp]): Case => ({
        kind: 'sdp not a string',
        data: JSON.stringify(['answer', { type: 'answer', sdp }, { call }]),
        expected: notice(/^content\.sdp must be a string$/),
      }),
    ),
    fc.tuple(foreignCall, notString).map(
      ([call, candidate]): Case => ({
        kind: 'candidate not a string',
        data: JSON.stringify(['icecandidate', { candidate }, { call }]),
        expected: notice(/^content\.candidate must be a string$/),
      }),
    ),
    fc
      .tuple(foreignCall, fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 65536 }), fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true })))
      .map(
        ([call, index]): Case => ({
          kind: 'sdpMLineIndex out of range',
          data: JSON.stringify(['icecandidate', { candidate: 'c', sdpMLineIndex: index }, { call }]),
          expected: notice(/^content\.sdpMLineIndex must be an integer/),
        }),
      ),
    fc
      .tuple(
        fc.constantFrom('ringing', 'offer', 'answer', 'icecandidate'),
        fc.oneof(
          notString,
          fc.stringMatching(/^[A-Za-z0-9_-]*[^A-Za-z0-9_-][A-Za-z0-9_-]*$/, { maxLength: 64 }).filter((id) => id.length <= 64),
        ),
      )
      .map(
        ([keyword, call]): Case => ({
          kind: 'bad call id',
          data: JSON.stringify([keyword, keyword === 'ringing' ? {} : keyword === 'icecandidate' ? { candidate: '' } : { type: keyword, sdp: 'v' }, { call }]),
          expected: notice(/^options\.call (must be a string|may hold only|is empty)/),
        }),
      ),
    fc
      .tuple(
        ownCall,
        json,
        fc.string({ maxLength: 80 }).filter((uri) => !/^[a-z0-9][a-z0-9._+-]{0,63}@[a-z0-9.-]+(:\d+)?$/i.test(uri)),
      )
      .map(
        ([call, caller, callee]): Case => ({
          kind: 'bad party',
          data: JSON.stringify(['invite', { caller, callee: { uri: callee } }, { call }]),
          expected: notice(/^content\.(caller|callee)/),
        }),
      ),
  );
  const deep = fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.boolean(), foreignCall).map(([depth, asObject, call]): Case => {
    // Deep nesting where a string belongs, or the whole frame: a recursive decoder would overflow its stack.
    if (asObject)
      return {
        kind: 'deep nesting',
        data: `["ringing",{},{"call":${nested(depth, '{"a":', '}', '1')}}]`,
        expected: notice(/^options\.call must be a string$/),
      };
    return { kind: 'deep nesting', data: nested(depth + 1, '[', ']', JSON.stringify(call)), expected: notice(/^a frame has 3 elements, this one has 1$/) };
  });
  const prototypeKeys = fc.tuple(wellFormed, hostileKeys, json).map(([frame, keys, value]): Case => {
    const [keyword, content, options] = frame;
    const data = `[${JSON.stringify(keyword)},${withKeys(JSON.stringify(content), keys, JSON.stringify(value))},${withKeys(JSON.stringify(options), keys, '{"call":"x","polluted":true}')}]`;
    return { kind: '__proto__ keys', data, expected: forbidden(callOf(frame)) };
  });
  const nearLimits = fc.oneof(
    fc.tuple(foreignCall, fc.integer({ min: -2, max: 2 })).map(
      ([call, over]): Case => ({
        kind: 'sdp at its limit',
        data: encode(frames.offer(call, 'v'.repeat(limits.sdp + over))),
        expected: over > 0 ? notice(/^content\.sdp is longer than 32768/) : forbidden(call),
      }),
    ),
    fc.tuple(foreignCall, fc.integer({ min: -2, max: 2 })).map(
      ([call, over]): Case => ({
        kind: 'candidate at its limit',
        data: encode(frames.candidate(call, 'c'.repeat(limits.candidate + over))),
        expected: over > 0 ? notice(/^content\.candidate is longer than 1024/) : forbidden(call),
      }),
    ),
    fc.tuple(fc.integer({ min: -2, max: 2 }), fc.constantFrom('a', '-', '9')).map(([over, char]): Case => {
      const call = `f${char.repeat(limits.callId - 1 + over)}`;
      return {
        kind: 'call id at its limit',
        data: encode(frames.ringing(call)),
        expected: over > 0 ? notice(/^options\.call is longer than 64/) : forbidden(call),
      };
    }),
    fc.tuple(foreignCall, fc.integer({ min: -2, max: 2 }), fc.constantFrom('r', 'é', '€', '😀')).map(
      ([call, over, char]): Case => ({
        kind: 'reason at its limit',
        data: encode(frames.bye(call, 486, padded(limits.text + over, char))),
        expected: padded(limits.text + over, char).length > limits.text ? notice(/^content\.reason is longer than 256/) : forbidden(call),
      }),
    ),
    fc.tuple(foreignCall, fc.integer({ min: 0, max: 64 }), fc.constantFrom('p', 'é', '€', '😀')).map(([call, slack, char]): Case => {
      // A frame a few bytes under the 64 KiB frame limit, in 1- to 4-byte characters: read, decoded, refused for its call.
      const bare = encode(['ringing', { pad: '' } as never, { call }]);
      const bytes = Buffer.byteLength(char);
      const pad = char.repeat(Math.floor((limits.frame - Buffer.byteLength(bare) - slack) / bytes));
      return { kind: 'frame at its limit', data: encode(['ringing', { pad } as never, { call }]), expected: forbidden(call) };
    }),
  );
  const binary = fc
    .oneof(
      fc.uint8Array({ maxLength: 200 }),
      wellFormed.map((frame) => new Uint8Array(Buffer.from(encode(frame)))),
    )
    .map((bytes): Case => ({ kind: 'binary', data: Buffer.from(bytes), expected: notice(/^binary messages are not WSP frames$/) }));
  const foreign = wellFormed.map((frame): Case => ({ kind: 'foreign call', data: encode(frame), expected: forbidden(callOf(frame)) }));
  const someoneElse = fc.constantFrom(`alice@${DOMAIN}`, `bob@${DOMAIN}`, 'mallory@elsewhere.example', `fz9@${DOMAIN}`);
  const forged = fc.tuple(ownCall, someoneElse, someoneElse, fc.option(anyText, { nil: undefined })).map(
    ([call, caller, callee, name]): Case => ({
      kind: 'forged caller',
      data: encode(['invite', { caller: name === undefined ? { uri: caller } : { uri: caller, name }, callee: { uri: callee } }, { call }]),
      expected: forbidden(call, /^caller\.uri must be your own address /),
    }),
  );
  const nowhere = fc.tuple(ownCall, fc.boolean()).map(
    ([call, local]): Case => ({
      kind: 'invite to nobody',
      data: encode(frames.invite(call, me, local ? `nobody@${DOMAIN}` : 'bob@elsewhere.example')),
      expected: local ? { bye: ByeCode.OFFLINE, call } : { bye: ByeCode.UNREACHABLE, call, reason: /cannot be reached/ },
    }),
  );
  return fc.oneof(
    { arbitrary: notJson, weight: 10 },
    { arbitrary: notArray, weight: 6 },
    { arbitrary: wrongArity, weight: 6 },
    { arbitrary: badKeyword, weight: 8 },
    { arbitrary: badOptions, weight: 4 },
    { arbitrary: badContent, weight: 6 },
    { arbitrary: badField, weight: 14 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: prototypeKeys, weight: 10 },
    { arbitrary: nearLimits, weight: 1 },
    { arbitrary: binary, weight: 6 },
    { arbitrary: foreign, weight: 14 },
    { arbitrary: forged, weight: 8 },
    { arbitrary: nowhere, weight: 4 },
  );
}

/** Fails with the case that got the wrong answer, so a counterexample reads as what was sent and what came back. */
function check(item: Case, got: Frame): void {
  const context = `${item.kind}: sent ${String(item.data).slice(0, 160)}, got ${encode(got).slice(0, 200)}`;
  assert.equal(got[0], 'bye', context);
  if (got[0] !== 'bye') return;
  const { expected } = item;
  if ('notice' in expected) {
    assert.equal(got[2].call, undefined, context);
    assert.equal(got[1].code, expected.notice, context);
    assert.match(got[1].reason ?? '', expected.reason, context);
  } else {
    assert.equal(got[2].call, expected.call, context);
    assert.equal(got[1].code, expected.bye, context);
    if (expected.reason) assert.match(got[1].reason ?? '', expected.reason, context);
  }
}

/** alice calls bob, bob accepts, candidates cross, alice hangs up: every frame exactly what §4 says. */
async function realCall(alice: Client, bob: Client, done: number): Promise<void> {
  const call = `real-${done}`;
  alice.send(frames.invite(call, alice.user, bob.user));
  assert.deepEqual(await bob.next(10_000), ['invite', { caller: { uri: alice.user }, callee: { uri: bob.user } }, { call, timeout: 30_000 }]);
  bob.send(frames.ringing(call));
  assert.deepEqual(await alice.next(10_000), frames.ringing(call));
  bob.send(frames.offer(call, `v=0 offer ${done}`));
  assert.deepEqual(await alice.next(10_000), frames.offer(call, `v=0 offer ${done}`));
  alice.send(frames.answer(call, `v=0 answer ${done}`));
  assert.deepEqual(await bob.next(10_000), frames.answer(call, `v=0 answer ${done}`));
  for (let i = 0; i < 3; i++) {
    alice.send(frames.candidate(call, `candidate:a${i}`));
    bob.send(frames.candidate(call, `candidate:b${i}`));
  }
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await bob.next(10_000), frames.candidate(call, `candidate:a${i}`));
    assert.deepEqual(await alice.next(10_000), frames.candidate(call, `candidate:b${i}`));
  }
  alice.send(frames.bye(call, ByeCode.NORMAL));
  assert.deepEqual(await bob.next(10_000), frames.bye(call, ByeCode.NORMAL));
}

/** Real calls one after the other until told to stop; then nothing else may be on its way to either party. */
async function realCalls(alice: Client, bob: Client, running: () => boolean): Promise<number> {
  let done = 0;
  for (; running(); done += 1) await realCall(alice, bob, done);
  await Promise.all([alice.sync(), bob.sync()]);
  return done;
}

/**
 * Runs a property, failing with the first wrong answer's own message: the whole failing batch (a counterexample of
 * hundreds of frames) would bury it. The seed in the test's diagnostics replays the run.
 */
async function holds<T extends unknown[]>(property: fc.IAsyncProperty<T>, options: fc.Parameters<T>): Promise<void> {
  const details = await fc.check(property, { ...options, endOnFailure: true });
  if (details.failed) throw details.errorInstance;
}

/** One fuzzing socket: batches of generated cases, all sent at once, then every answer checked in order. */
async function fuzz(client: Client, seed: number, seen: Map<string, number>): Promise<number> {
  let sent = 0;
  // A failing batch leaves the socket's answers out of step: it ends the run rather than shrink over a live server.
  await holds(
    fc.asyncProperty(fc.array(cases(client.user), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      for (const item of batch) client.send(item.data);
      for (const item of batch) check(item, await client.next(10_000));
      for (const item of batch) seen.set(item.kind, (seen.get(item.kind) ?? 0) + 1);
      sent += batch.length;
    }),
    { numRuns: RUNS_PER_SOCKET, seed },
  );
  return sent;
}

/** Opens a raw socket for a hostile message that ends it, and resolves with the close code. */
async function closedBy(server: WspServer, user: string, data: Buffer, binary: boolean): Promise<number> {
  const token = await mintToken({ address: `${user}@${server.domain}`, secret: SECRET });
  const ws = new WebSocket(server.url, offer(token));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  ws.send(data, { binary });
  return closed;
}

test(`${FUZZ_SOCKETS * RUNS_PER_SOCKET * BATCH} malformed and hostile frames on ${FUZZ_SOCKETS} sockets: each gets its documented answer, real calls go on`, {
  timeout: 300_000,
}, async (t: TestContext) => {
  // The fuzzers are meant to be heard out, not rate-limited: their every frame must get its answer.
  const server = await startServer(t, { limits: { framesPerSecond: 0, candidatesPerCall: 0, upgradesPerMinute: 0 } });
  const alice = await Client.open(t, server, 'alice');
  const bob = await Client.open(t, server, 'bob');
  const fuzzers = await Promise.all(Array.from({ length: FUZZ_SOCKETS }, (_, i) => Client.open(t, server, `fz${i}`)));
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`seed ${seed} (FUZZ_SEED=${seed} replays it)`);

  let fuzzing = true;
  const started = performance.now();
  const calls = realCalls(alice, bob, () => fuzzing);
  const seen = new Map<string, number>();
  const sent = await Promise.all(fuzzers.map((fuzzer, i) => fuzz(fuzzer, seed + i, seen))).finally(() => (fuzzing = false));
  const seconds = (performance.now() - started) / 1000;
  const completed = await calls;
  const total = sent.reduce((sum, count) => sum + count, 0);
  t.diagnostic(`${total} frames in ${seconds.toFixed(1)} s: ${Math.round(total / seconds)} frames/s answered; ${completed} real calls completed meanwhile`);
  t.diagnostic(`per kind: ${[...seen].map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
  assert.equal(total, FUZZ_SOCKETS * RUNS_PER_SOCKET * BATCH);
  assert.equal(seen.size, KINDS, 'every kind of bad frame was sent');
  assert.ok(completed >= 1, 'a real call completed while the fuzzers ran');
  for (const fuzzer of fuzzers) await fuzzer.sync();

  // What ends a connection ends only that one: invalid UTF-8 in a text frame (1007), a frame over 64 KiB (1009).
  await holds(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(8), async (bytes, at) => {
      const invalid = Buffer.concat([
        Buffer.from('["ringing",{},{"call":"'),
        Buffer.from(bytes.slice(0, at)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(bytes),
        Buffer.from('"}]'),
      ]);
      assert.equal(await closedBy(server, 'fz8', invalid, false), 1007);
    }),
    { numRuns: 25, seed },
  );
  await holds(
    fc.asyncProperty(fc.integer({ min: 1, max: 4096 }), fc.boolean(), async (over, binary) => {
      assert.equal(await closedBy(server, 'fz9', Buffer.alloc(limits.frame + over, 0x20), binary), 1009);
    }),
    { numRuns: 25, seed },
  );
  await Promise.all([alice.sync(), bob.sync(), ...fuzzers.map((fuzzer) => fuzzer.sync())]);
  await realCall(alice, bob, completed);
  const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
  assert.equal(await health.text(), 'ok');
});
