// The signed statement that opens a link (docs/protocol.md §8.3), as pure functions: every refusal has a case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  generateKeys,
  linkStatement,
  parseLinkAuthorization,
  ReplayCache,
  signLink,
  verifyLink,
  type LinkAuthorization,
  type PublishedKey,
  type ServerKeys,
} from '../../src/server/federation/index.js';

const NOW = 1_750_000_000_000;
const SKEW = 60_000;
const alpha = generateKeys();

function published(keys: ServerKeys, expires = NOW + 3_600_000): PublishedKey {
  return { kid: keys.kid, publicKey: keys.publicKey, expires };
}

function parse(header: string): LinkAuthorization {
  const result = parseLinkAuthorization(header);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.value;
}

/** Verifies as beta.localhost would, with alpha's published key unless told otherwise. */
function check(header: string, options: { keys?: PublishedKey[]; now?: number; replays?: ReplayCache; domain?: string } = {}) {
  return verifyLink(parse(header), {
    domain: options.domain ?? 'beta.localhost',
    now: options.now ?? NOW,
    skewMs: SKEW,
    replays: options.replays ?? new ReplayCache(),
    keys: options.keys ?? [published(alpha)],
  });
}

const signed = (overrides: Partial<Parameters<typeof signLink>[0]> = {}) =>
  signLink({ origin: 'alpha.localhost', destination: 'beta.localhost', keys: alpha, now: NOW, ...overrides });

test('the statement is five lines of exact bytes', () => {
  const bytes = linkStatement({
    origin: 'alpha.localhost:8001',
    destination: 'beta.localhost:8002',
    timestamp: 1732770000000,
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
  });
  assert.equal(bytes.toString('utf8'), 'WSP-LINK-1.0\nalpha.localhost:8001\nbeta.localhost:8002\n1732770000000\nAAAAAAAAAAAAAAAAAAAAAA\n');
});

test('the header names every parameter; a genuine one verifies', () => {
  const header = signed({ nonce: 'n0nce-n0nce-n0nce-n0nce' });
  assert.match(
    header,
    /^WSP-Link origin="alpha\.localhost", destination="beta\.localhost", key="[\w-]{16}", ts="1750000000000", nonce="n0nce-n0nce-n0nce-n0nce", sig="[\w-]{86}"$/,
  );
  assert.equal(check(header), undefined);
  assert.equal(check(header, { now: NOW + SKEW }), undefined, 'the edge of the window is inside');
});

test('a replayed statement is refused, also when its first use was concurrent', () => {
  const replays = new ReplayCache();
  const header = signed();
  assert.equal(check(header, { replays }), undefined);
  assert.equal(check(header, { replays, now: NOW + 1000 }), 'replayed handshake');
  // Another origin may use the same nonce: the cache is per origin.
  assert.ok(replays.add('gamma.localhost', parse(header).nonce, NOW + SKEW, NOW));
  assert.equal(replays.add('alpha.localhost', parse(header).nonce, NOW + SKEW, NOW), false);
});

test('wrong destination, own domain as origin, and a timestamp out of the window are refused before any key is needed', () => {
  assert.equal(check(signed({ destination: 'gamma.localhost' })), 'wrong destination: this server is beta.localhost');
  assert.equal(check(signed({ destination: 'beta.localhost' }), { domain: 'alpha.localhost' }), 'wrong destination: this server is alpha.localhost');
  assert.equal(check(signed({ origin: 'beta.localhost' })), "origin is this server's own domain");
  assert.match(check(signed(), { now: NOW + SKEW + 1 }) ?? '', /^timestamp outside ±60 s/);
  assert.match(check(signed(), { now: NOW - SKEW - 1 }) ?? '', /^timestamp outside/);
});

test('an unknown key, an expired key and a bad signature are refused', () => {
  const rogue = generateKeys();
  assert.match(check(signed({ keys: rogue })) ?? '', /^unknown key [\w-]+ for alpha\.localhost$/);
  // A rogue that names alpha's key id but signs with its own key.
  const forged = signed({ keys: { ...rogue, kid: alpha.kid } });
  assert.equal(check(forged), 'bad signature');
  assert.equal(check(signed(), { keys: [published(alpha, NOW)] }), `key ${alpha.kid} of alpha.localhost expired`);
  // Any field changed after signing breaks the signature.
  const header = signed();
  for (const [from, to] of [
    ['origin="alpha.localhost"', 'origin="alpha.localhost:1"'],
    ['ts="1750000000000"', 'ts="1750000000001"'],
  ] as const) {
    assert.equal(check(header.replace(from, to), { now: NOW }), 'bad signature', to);
  }
  const nonce = parse(header).nonce;
  assert.equal(check(header.replace(nonce, `${nonce.slice(0, -1)}${nonce.endsWith('A') ? 'B' : 'A'}`)), 'bad signature');
  // A refused statement spends no nonce: the genuine one still passes afterwards.
  const replays = new ReplayCache();
  assert.equal(check(forged, { replays }), 'bad signature');
  assert.equal(replays.size, 0);
});

test('malformed headers are refused with a reason; whitespace around parameters is allowed', () => {
  const header = signed();
  assert.ok(parseLinkAuthorization(header.replace('WSP-Link ', 'WSP-Link  ').replaceAll(', ', ' ,\t')).ok);
  const cases: [string | undefined, RegExp][] = [
    [undefined, /^Authorization header missing$/],
    ['', /missing/],
    ['Bearer abc', /scheme must be WSP-Link/],
    [header.replace(', sig=', ', extra="1", sig='), /unknown parameter extra/],
    [`${header}, sig="${'A'.repeat(86)}"`, /sig given twice/],
    [header.replace(/, nonce="[^"]*"/, ''), /nonce missing/],
    [header.replace('origin="alpha.localhost"', 'origin="Alpha.localhost"'), /origin is not a domain in lower case/],
    [header.replace('ts="1750000000000"', 'ts="-1"'), /ts must be ms since the epoch/],
    [header.replace(/nonce="[^"]*"/, 'nonce="short"'), /nonce must be/],
    [header.replace(/sig="[^"]*"/, 'sig="AAAA"'), /sig must be 64 bytes/],
    [header.replace('origin="alpha.localhost"', 'origin=alpha.localhost'), /name="value"/],
  ];
  for (const [input, reason] of cases) {
    const result = parseLinkAuthorization(input);
    assert.equal(result.ok, false, input);
    if (!result.ok) assert.match(result.reason, reason);
  }
});

test('any header parses without throwing, and what signLink writes always parses back', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => {
      parseLinkAuthorization(`WSP-Link ${text}`);
    }),
  );
  const domain = fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}(:[0-9]{1,5})?$/);
  fc.assert(
    fc.property(domain, domain, fc.integer({ min: 0, max: 2 ** 50 }), (origin, destination, now) => {
      const result = parseLinkAuthorization(signLink({ origin, destination, keys: alpha, now }));
      assert.ok(result.ok);
      assert.deepEqual([result.value.origin, result.value.destination, result.value.timestamp], [origin, destination, now]);
    }),
    { numRuns: 50 },
  );
});

test('the replay cache forgets expired nonces and stays within its bound', () => {
  const replays = new ReplayCache(3);
  for (let i = 0; i < 3; i++) assert.ok(replays.add('a', `n${i}`, NOW + 10 + i, NOW));
  assert.ok(replays.add('a', 'n3', NOW + 100, NOW + 10)); // n0 expired and goes
  assert.equal(replays.has('a', 'n0'), false);
  assert.equal(replays.size, 3);
  assert.ok(replays.add('a', 'n4', NOW + 100, NOW)); // full: the oldest goes even if valid
  assert.equal(replays.size, 3);
  assert.equal(replays.has('a', 'n1'), false);
});
