// The wire format (src/protocol, docs/protocol.md §2, §5, §6): what decode() accepts, what it refuses and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  asciiLowerCase,
  ByeCode,
  byeReason,
  byeReasons,
  carriesOnly,
  decode,
  encode,
  formatAddress,
  isKnownByeCode,
  keywords,
  limits,
  normalizeAddress,
  parseAddress,
  type Frame,
} from '../../src/protocol/index.js';

const examples: Record<Frame[0], Frame> = {
  invite: ['invite', { caller: { uri: 'alice@alpha.localhost', name: 'Alice' }, callee: { uri: 'bob@beta.example:8443' } }, { call: 'c-1_A', timeout: 30_000 }],
  ringing: ['ringing', {}, { call: 'c1' }],
  offer: ['offer', { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n' }, { call: 'c1' }],
  answer: ['answer', { type: 'answer', sdp: 'v=0\r\n' }, { call: 'c1' }],
  icecandidate: [
    'icecandidate',
    { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
    { call: 'c1' },
  ],
  bye: ['bye', { code: 200, reason: 'done' }, { call: 'c1' }],
};

/** The reason decode() gives for `data`, which must be refused. */
function refusal(data: string): { code: number; reason: string } {
  const result = decode(data);
  assert.equal(result.ok, false, `accepted: ${data.slice(0, 120)}`);
  return result.ok ? { code: 0, reason: '' } : result.error;
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

test('every keyword survives encode → decode', () => {
  assert.deepEqual(Object.keys(examples).sort(), [...keywords].sort());
  for (const frame of Object.values(examples)) assert.deepEqual(decode(encode(frame)), { ok: true, frame });
});

test('optional fields may be left out', () => {
  const minimal: Frame[] = [
    ['invite', { caller: { uri: 'a@b.c' }, callee: { uri: 'd@e.f' } }, { call: 'x' }],
    ['icecandidate', { candidate: '' }, { call: 'x' }],
    ['icecandidate', { candidate: 'c', sdpMid: null, sdpMLineIndex: null }, { call: 'x' }],
    ['bye', { code: 101 }, { call: 'x' }],
    ['bye', { code: 400, reason: 'why' }, {}],
  ];
  for (const frame of minimal) assert.deepEqual(decode(encode(frame)), { ok: true, frame });
});

test('every bye code has a reason; unknown codes get a generic one', () => {
  for (const code of Object.values(ByeCode)) {
    assert.ok(isKnownByeCode(code), `${code} is known`);
    assert.ok(byeReasons[code].length > 0, `${code} has a reason`);
    assert.equal(byeReason(code), byeReasons[code]);
  }
  assert.equal(Object.keys(byeReasons).length, Object.keys(ByeCode).length);
  assert.equal(byeReason(499), 'Call ended (499)');
  assert.equal(byeReason(200, 'hung up'), 'hung up');
  assert.equal(isKnownByeCode(499), false);
});

test('a frame over the size limit is refused with 413', () => {
  assert.equal(refusal(' '.repeat(limits.frame + 1)).code, ByeCode.TOO_LARGE);
  const big = encode(['offer', { type: 'offer', sdp: 'v'.repeat(limits.sdp) }, { call: 'x' }]);
  assert.ok(big.length <= limits.frame, 'the largest sdp still fits a frame');
  assert.equal(decode(big).ok, true);
});

const malformed: [string, string, RegExp][] = [
  ['not JSON', '["invite",', /not JSON/],
  ['a JSON object', json({ keyword: 'bye' }), /JSON array/],
  ['a JSON string', json('bye'), /JSON array/],
  ['null', 'null', /JSON array/],
  ['two elements', json(['ringing', {}]), /3 elements, this one has 2/],
  ['four elements', json(['ringing', {}, { call: 'x' }, {}]), /3 elements, this one has 4/],
  ['an unknown keyword', json(['hangup', {}, { call: 'x' }]), /unknown keyword "hangup"/],
  ['a keyword of the wrong case', json(['INVITE', {}, { call: 'x' }]), /unknown keyword/],
  ['a numeric keyword', json([3, {}, { call: 'x' }]), /keyword must be a string/],
  ['content an array', json(['ringing', [], { call: 'x' }]), /content must be an object/],
  ['content null', json(['bye', null, { call: 'x' }]), /content must be an object/],
  ['options a string', json(['ringing', {}, 'x']), /options must be an object/],
  ['options an array', json(['ringing', {}, ['x']]), /options must be an object/],
  ['no call id', json(['offer', { type: 'offer', sdp: 'v' }, {}]), /options.call must be a string/],
  ['a numeric call id', json(['ringing', {}, { call: 7 }]), /options.call must be a string/],
  ['an empty call id', json(['ringing', {}, { call: '' }]), /options.call is empty/],
  ['a call id with a space', json(['ringing', {}, { call: 'a b' }]), /options.call may hold only/],
  ['a call id with a slash', json(['ringing', {}, { call: 'a/b' }]), /options.call may hold only/],
  ['a call id with non-ASCII', json(['ringing', {}, { call: 'café' }]), /options.call may hold only/],
  ['a call id too long', json(['ringing', {}, { call: 'x'.repeat(limits.callId + 1) }]), /options.call is longer than 64/],
  ['a caller without uri', json(['invite', { caller: {}, callee: { uri: 'b@c.d' } }, { call: 'x' }]), /content.caller.uri must be a string/],
  ['a callee that is a string', json(['invite', { caller: { uri: 'a@c.d' }, callee: 'b@c.d' }, { call: 'x' }]), /content.callee must be an object/],
  [
    'a name that is a number',
    json(['invite', { caller: { uri: 'a@c.d', name: 1 }, callee: { uri: 'b@c.d' } }, { call: 'x' }]),
    /content.caller.name must be a string/,
  ],
  [
    'a name too long',
    json(['invite', { caller: { uri: 'a@c.d', name: 'n'.repeat(257) }, callee: { uri: 'b@c.d' } }, { call: 'x' }]),
    /name is longer than 256/,
  ],
  ['a timeout below 1000', json(['invite', { caller: { uri: 'a@c.d' }, callee: { uri: 'b@c.d' } }, { call: 'x', timeout: 999 }]), /options.timeout/],
  ['a timeout above 120000', json(['invite', { caller: { uri: 'a@c.d' }, callee: { uri: 'b@c.d' } }, { call: 'x', timeout: 120_001 }]), /options.timeout/],
  ['a fractional timeout', json(['invite', { caller: { uri: 'a@c.d' }, callee: { uri: 'b@c.d' } }, { call: 'x', timeout: 1500.5 }]), /options.timeout/],
  ['a timeout as a string', json(['invite', { caller: { uri: 'a@c.d' }, callee: { uri: 'b@c.d' } }, { call: 'x', timeout: '2000' }]), /options.timeout/],
  ['an offer typed answer', json(['offer', { type: 'answer', sdp: 'v' }, { call: 'x' }]), /content.type must be "offer"/],
  ['an answer without type', json(['answer', { sdp: 'v' }, { call: 'x' }]), /content.type must be "answer"/],
  ['an sdp that is not a string', json(['answer', { type: 'answer', sdp: 5 }, { call: 'x' }]), /content.sdp must be a string/],
  ['an sdp too long', json(['offer', { type: 'offer', sdp: 's'.repeat(limits.sdp + 1) }, { call: 'x' }]), /content.sdp is longer than 32768/],
  ['a candidate that is null', json(['icecandidate', { candidate: null }, { call: 'x' }]), /content.candidate must be a string/],
  ['a candidate too long', json(['icecandidate', { candidate: 'c'.repeat(limits.candidate + 1) }, { call: 'x' }]), /candidate is longer than 1024/],
  ['an sdpMid that is a number', json(['icecandidate', { candidate: 'c', sdpMid: 0 }, { call: 'x' }]), /content.sdpMid must be a string/],
  ['an sdpMLineIndex that is negative', json(['icecandidate', { candidate: 'c', sdpMLineIndex: -1 }, { call: 'x' }]), /sdpMLineIndex must be an integer/],
  ['an sdpMLineIndex too large', json(['icecandidate', { candidate: 'c', sdpMLineIndex: 65536 }, { call: 'x' }]), /sdpMLineIndex must be an integer/],
  ['a ufrag too long', json(['icecandidate', { candidate: 'c', usernameFragment: 'u'.repeat(257) }, { call: 'x' }]), /usernameFragment is longer/],
  ['a bye without code', json(['bye', {}, { call: 'x' }]), /content.code must be an integer/],
  ['a bye code below 100', json(['bye', { code: 99 }, { call: 'x' }]), /content.code must be an integer from 100 to 699/],
  ['a bye code above 699', json(['bye', { code: 700 }, {}]), /content.code/],
  ['a bye code that is a float', json(['bye', { code: 200.5 }, {}]), /content.code/],
  ['a bye reason too long', json(['bye', { code: 200, reason: 'r'.repeat(257) }, {}]), /content.reason is longer/],
  ['a bye with a bad call id', json(['bye', { code: 200 }, { call: '../x' }]), /options.call may hold only/],
];

for (const [what, data, reason] of malformed) {
  test(`decode refuses ${what} with 400`, () => {
    const error = refusal(data);
    assert.equal(error.code, ByeCode.MALFORMED);
    assert.match(error.reason, reason);
  });
}

const badAddresses = [
  'alice',
  '@alpha.localhost',
  'alice@',
  'alice@@alpha.localhost',
  'al ice@alpha.localhost',
  '.alice@alpha.localhost',
  'alice@-alpha.localhost',
  'alice@alpha..localhost',
  'alice@alpha.localhost:',
  'alice@alpha.localhost:123456',
  'alice@alpha_x.localhost',
  'alïce@alpha.localhost',
  '\u212Aim@alpha.localhost', // KELVIN SIGN, which toLowerCase() folds into k
  'kim@alpha.\u212Aocalhost',
  '\u0130van@alpha.localhost', // İ, which toLowerCase() folds into i and a combining dot
  'jo\u017Fh@alpha.localhost', // ſ, which toUpperCase() folds into S
  `${'u'.repeat(65)}@alpha.localhost`,
  `alice@${'d'.repeat(64)}.localhost`,
  `alice@${'abcdefgh.'.repeat(28)}com`, // longer than 256 characters in all
];

test('bad addresses are refused, in invite frames and by parseAddress', () => {
  for (const uri of badAddresses) {
    assert.equal(parseAddress(uri), undefined, uri);
    const error = refusal(json(['invite', { caller: { uri: 'a@b.c' }, callee: { uri } }, { call: 'x' }]));
    assert.match(error.reason, /content.callee.uri/, uri);
  }
});

test('addresses compare in lower case and are relayed that way', () => {
  assert.deepEqual(parseAddress('Alice.B+x@Alpha.LocalHost:8443'), { user: 'alice.b+x', domain: 'alpha.localhost:8443' });
  assert.equal(normalizeAddress('BOB@Beta.Example'), 'bob@beta.example');
  assert.equal(formatAddress({ user: 'a', domain: 'b.c' }), 'a@b.c');
  // Only A–Z fold: a character outside ASCII never turns into an allowed one (KELVIN SIGN is not K).
  assert.equal(normalizeAddress('KIM@ALPHA.LOCALHOST'), 'kim@alpha.localhost');
  assert.equal(normalizeAddress('\u212Aim@alpha.localhost'), undefined);
  assert.equal(asciiLowerCase('\u212AIM-İ'), '\u212Aim-İ');
  const result = decode(json(['invite', { caller: { uri: 'Alice@Alpha.Localhost' }, callee: { uri: 'BOB@beta' } }, { call: 'x' }]));
  assert.ok(result.ok, 'decoded');
  if (result.ok && result.frame[0] === 'invite') {
    assert.equal(result.frame[1].caller.uri, 'alice@alpha.localhost');
    assert.equal(result.frame[1].callee.uri, 'bob@beta');
  }
});

test('unknown fields and __proto__ keys are not copied', () => {
  const data =
    '["invite",{"caller":{"uri":"a@b.c","__proto__":{"admin":true},"x":1},"callee":{"uri":"d@e.f"},"__proto__":{"polluted":1}},' +
    '{"call":"x","__proto__":{"timeout":5000},"constructor":{"prototype":{"bad":1}}}]';
  const result = decode(data);
  assert.ok(result.ok, 'decoded');
  if (!result.ok || result.frame[0] !== 'invite') return;
  const [, content, options] = result.frame;
  assert.deepEqual(content, { caller: { uri: 'a@b.c' }, callee: { uri: 'd@e.f' } });
  assert.deepEqual(options, { call: 'x' });
  assert.equal(Object.getPrototypeOf(content), Object.prototype);
  assert.equal(Object.getPrototypeOf(content.caller), Object.prototype);
  assert.equal(Object.getPrototypeOf(options), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(encode(result.frame), '["invite",{"caller":{"uri":"a@b.c"},"callee":{"uri":"d@e.f"}},{"call":"x"}]');
});

// Properties over many generated inputs: decode() never throws, and whatever it accepts re-encodes to itself.
// Records get Object.prototype, as JSON.parse gives them, so deepEqual compares like with like.
const callId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const address = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}$/), fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,3}$/))
  .map(([user, domain]) => `${user}@${domain}`);
const party = fc.record({ uri: address, name: fc.string({ maxLength: 256 }) }, { requiredKeys: ['uri'], noNullPrototype: true });
const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc
    .tuple(
      fc.record({ caller: party, callee: party }, { noNullPrototype: true }),
      callId,
      fc.option(fc.integer({ min: 1000, max: 120_000 }), { nil: undefined }),
    )
    .map(([content, call, timeout]): Frame => ['invite', content, timeout === undefined ? { call } : { call, timeout }]),
  callId.map((call): Frame => ['ringing', {}, { call }]),
  fc.tuple(fc.string({ minLength: 1, maxLength: 2000 }), callId).map(([sdp, call]): Frame => ['offer', { type: 'offer', sdp }, { call }]),
  fc.tuple(fc.string({ minLength: 1, maxLength: 2000 }), callId).map(([sdp, call]): Frame => ['answer', { type: 'answer', sdp }, { call }]),
  fc
    .tuple(
      fc.record(
        {
          candidate: fc.string({ maxLength: 1024 }),
          sdpMid: fc.option(fc.string({ maxLength: 256 })),
          sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 65535 })),
          usernameFragment: fc.option(fc.string({ maxLength: 256 })),
        },
        { requiredKeys: ['candidate'], noNullPrototype: true },
      ),
      callId,
    )
    .map(([content, call]): Frame => ['icecandidate', content, { call }]),
  fc
    .tuple(
      fc.record({ code: fc.integer({ min: 100, max: 699 }), reason: fc.string({ maxLength: 256 }) }, { requiredKeys: ['code'], noNullPrototype: true }),
      fc.option(callId, { nil: undefined }),
    )
    .map(([content, call]): Frame => ['bye', content, call === undefined ? {} : { call }]),
);

test('property: every valid frame survives encode → decode', () => {
  fc.assert(fc.property(frame, (f) => assert.deepEqual(decode(encode(f)), { ok: true, frame: f })));
});

test('property: decode never throws, whatever it is given', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((v) => json(v)),
      ),
      (data) => {
        const result = decode(data);
        if (result.ok) assert.deepEqual(decode(encode(result.frame)), result);
      },
    ),
  );
  fc.assert(
    fc.property(fc.constantFrom(...keywords), fc.jsonValue(), fc.jsonValue(), (keyword, content, options) => {
      decode(json([keyword, content, options]));
    }),
  );
});

test('carriesOnly: a text that holds just the validated frame may be relayed as it is', () => {
  const judge = (text: string) => {
    const result = decode(text);
    assert.ok(result.ok, text);
    return carriesOnly(text, result.frame);
  };
  for (const frame of Object.values(examples)) assert.equal(judge(encode(frame)), true, frame[0]);
  // Whitespace and escapes change nothing a parser reads.
  assert.equal(judge('[ "offer" , { "type" : "offer", "sdp" : "v=0\\r\\n" } , { "call" : "c1" } ]'), true);
  assert.equal(judge('["offer",{"type":"offer","sdp":"v=\\u0030"},{"call":"c1"}]'), true);
  // Anything decode() dropped or merged is a reason to encode the frame anew.
  assert.equal(judge('["offer",{"type":"offer","sdp":"v=0","extra":"x"},{"call":"c1"}]'), false, 'unknown key');
  assert.equal(judge('["offer",{"type":"offer","sdp":"v=0","n":1},{"call":"c1"}]'), false, 'unknown key, number value');
  assert.equal(judge('["offer",{"type":"offer","sdp":"A","sdp":"B"},{"call":"c1"}]'), false, 'repeated key');
  assert.equal(judge('["offer",{"type":"offer","sdp":"v=0"},{"call":"c1","call":"c2"}]'), false, 'repeated option');
  assert.equal(judge('["offer",{"type":"offer","sdp":"a\\"b"},{"call":"c1"}]'), false, 'escaped quote: not judged');
  assert.equal(judge('["icecandidate",{"candidate":"","sdpMid":null,"sdpMLineIndex":null},{"call":"c1"}]'), true);
  assert.equal(judge('["icecandidate",{"candidate":"","sdpMid":null,"x":{}},{"call":"c1"}]'), false, 'unknown object member');
});
