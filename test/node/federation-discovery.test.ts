// Discovery (docs/protocol.md §8.1): the well-known document, fetched from real HTTP servers, cached while valid.
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { Discovery, generateKeys, parseWellKnown, wellKnownDocument, type WellKnownDocument } from '../../src/server/federation/index.js';
import { closedPort } from './federation-helpers.js';

const keys = generateKeys();
const HOUR = 3_600_000;

function document(domain: string, overrides: Partial<WellKnownDocument> = {}, keyTtlMs = HOUR): WellKnownDocument {
  return { ...wellKnownDocument({ domain, publicUrl: 'http://127.0.0.1:9', keys, now: Date.now(), keyTtlMs }), ...overrides };
}

/** An HTTP server on a free port; returns its base URL and how many requests it served. */
async function serve(t: TestContext, listener: RequestListener): Promise<{ base: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits += 1;
    listener(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

function json(body: unknown): RequestListener {
  return (request, response) => {
    assert.equal(request.url, '/.well-known/wsp');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
}

test('the document announces the link and client URLs and the key with its expiry', () => {
  const now = 1_750_000_000_000;
  const secure = wellKnownDocument({ domain: 'example.org', publicUrl: 'https://example.org/', keys, now, keyTtlMs: HOUR });
  assert.deepEqual(secure, {
    domain: 'example.org',
    link: 'wss://example.org/wsp/federation',
    client: 'wss://example.org/wsp',
    keys: [{ kid: keys.kid, kty: 'OKP', crv: 'Ed25519', x: keys.x, exp: (now + HOUR) / 1000 }],
  });
  assert.equal(
    wellKnownDocument({ domain: 'a', publicUrl: 'http://127.0.0.1:8001/base', keys, now, keyTtlMs: HOUR }).link,
    'ws://127.0.0.1:8001/base/wsp/federation',
  );
  assert.throws(() => wellKnownDocument({ domain: 'a', publicUrl: 'ftp://x', keys, now, keyTtlMs: HOUR }), /http: or https:/);
});

test('a fetched document is checked: its domain, its link scheme, its keys', () => {
  const good = document('beta.localhost', { link: 'wss://beta.example/wsp/federation' });
  const parsed = parseWellKnown(JSON.parse(JSON.stringify(good)), { domain: 'beta.localhost', secure: true });
  assert.ok(parsed.ok);
  assert.equal(parsed.value.keys[0]!.kid, keys.kid);
  assert.equal(parsed.value.keys[0]!.publicKey.asymmetricKeyType, 'ed25519');
  const refusals: [unknown, boolean, RegExp][] = [
    [document('gamma.localhost'), false, /the document is for gamma\.localhost, not beta\.localhost/],
    // KELVIN SIGN: toLowerCase() folds it into k; the document is for another name, not for kappa.localhost.
    [document('\u212Aappa.localhost'), false, /the document is for \u212Aappa\.localhost, not kappa\.localhost/],
    [document('beta.localhost'), true, /link must be a wss: URL/],
    [{ ...good, link: 'not a url' }, false, /link/],
    [{ ...good, keys: [] }, false, /keys/],
    [{ ...good, keys: [{ ...good.keys[0]!, crv: 'P-256' }] }, false, /keys\.0\.crv/],
    [{ ...good, keys: [{ ...good.keys[0]!, x: 'short' }] }, false, /x must be 32 bytes/],
    [[good], false, /not a WSP document/],
  ];
  for (const [input, secure, reason] of refusals) {
    const domain = /kappa/.test(String(reason)) ? 'kappa.localhost' : 'beta.localhost';
    const result = parseWellKnown(input, { domain, secure });
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, reason);
  }
  assert.ok(parseWellKnown(document('beta.localhost'), { domain: 'beta.localhost', secure: false }).ok, 'ws: is fine for a static peer');
});

test('a static peer is fetched once and served from the cache; concurrent lookups share one request', async (t) => {
  const beta = await serve(t, json(document('beta.localhost')));
  const discovery = new Discovery({ peers: new Map([['beta.localhost', beta.base]]) });
  const [first, second] = await Promise.all([discovery.lookup('beta.localhost'), discovery.lookup('beta.localhost')]);
  assert.ok(first.ok && second.ok);
  assert.equal(first.value.link, 'ws://127.0.0.1:9/wsp/federation');
  assert.ok((await discovery.lookup('beta.localhost')).ok);
  assert.equal(beta.hits(), 1);
});

test('the cache holds a document until the cache time or its soonest key expiry; refresh is rate-limited', async (t) => {
  let now = Date.now();
  const beta = await serve(t, json(document('beta.localhost', {}, 10 * 60_000)));
  const discovery = new Discovery({ peers: new Map([['beta.localhost', beta.base]]), cacheMs: HOUR, refreshMs: 30_000, now: () => now });
  await discovery.lookup('beta.localhost');
  now += 9 * 60_000;
  await discovery.lookup('beta.localhost');
  assert.equal(beta.hits(), 1, 'still valid');
  await discovery.lookup('beta.localhost', { refresh: true });
  assert.equal(beta.hits(), 2, 'a refresh after refreshMs fetches');
  await discovery.lookup('beta.localhost', { refresh: true });
  assert.equal(beta.hits(), 2, 'a second refresh within refreshMs does not');
  now += 11 * 60_000;
  await discovery.lookup('beta.localhost');
  assert.equal(beta.hits(), 3, 'the key expired: fetched again');
});

test('an unreachable domain fails fast, and the failure is remembered for a while', async (t) => {
  let now = Date.now();
  const port = await closedPort();
  const peers = new Map([['down.localhost', `http://127.0.0.1:${port}`]]);
  const discovery = new Discovery({ peers, failureCacheMs: 10_000, now: () => now });
  const started = performance.now();
  const result = await discovery.lookup('down.localhost');
  assert.ok(performance.now() - started < 500);
  assert.deepEqual(result, { ok: false, reason: `http://127.0.0.1:${port}/.well-known/wsp: ECONNREFUSED` });
  const up = await serve(t, json(document('down.localhost')));
  peers.set('down.localhost', up.base);
  assert.equal((await discovery.lookup('down.localhost')).ok, false, 'remembered');
  assert.equal(up.hits(), 0);
  now += 10_000;
  assert.ok((await discovery.lookup('down.localhost')).ok, 'tried again once the failure expired');
});

test('a server that does not answer fails the lookup after the timeout', async (t) => {
  const silent = await serve(t, () => {});
  const discovery = new Discovery({ peers: new Map([['slow.localhost', silent.base]]), timeoutMs: 200 });
  const started = performance.now();
  const result = await discovery.lookup('slow.localhost');
  const elapsed = performance.now() - started;
  assert.deepEqual(result, { ok: false, reason: `${silent.base}/.well-known/wsp: timed out` });
  assert.ok(elapsed >= 190 && elapsed < 1000, `${elapsed} ms`);
});

test('errors, redirects, oversized or foreign documents are refused with a reason', async (t) => {
  const cases: [RequestListener, RegExp][] = [
    [(_q, r) => void r.writeHead(404).end(), /HTTP 404$/],
    // Not followed: the document must come from the domain itself, and a redirect could point anywhere.
    [(_q, r) => void r.writeHead(302, { location: 'http://127.0.0.1:9/' }).end(), /HTTP 302$/],
    [(_q, r) => void r.writeHead(200).end('{"domain":'), /not JSON$/],
    [(_q, r) => void r.writeHead(200).end('x'.repeat(20_000)), /larger than 16384 bytes$/],
    [json(document('gamma.localhost')), /the document is for gamma\.localhost/],
  ];
  for (const [listener, reason] of cases) {
    const server = await serve(t, listener);
    const result = await new Discovery({ peers: new Map([['beta.localhost', server.base]]) }).lookup('beta.localhost');
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, reason);
  }
});

test('without discovery only static peers are looked up; otherwise https://<domain>/.well-known/wsp', async () => {
  const closed = new Discovery({ peers: new Map(), discover: false });
  assert.deepEqual(await closed.lookup('gamma.localhost'), { ok: false, reason: 'gamma.localhost is not a configured peer' });
  const open = new Discovery();
  assert.deepEqual(open.location('example.org:8443'), { url: 'https://example.org:8443/.well-known/wsp', secure: true });
  assert.deepEqual(new Discovery({ peers: new Map([['a.localhost', 'http://127.0.0.1:8001']]) }).location('a.localhost'), {
    url: 'http://127.0.0.1:8001/.well-known/wsp',
    secure: false,
  });
});
