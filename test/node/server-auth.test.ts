// Tokens and the upgrade (docs/protocol.md §3), and the server's plain HTTP routes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import { MAX_TOKEN_LENGTH, RefusalCode, SUBPROTOCOL } from '../../src/protocol/index.js';
import { createLogger, createWspServer, mintToken, silentLogger, verifyToken } from '../../src/server/index.js';
import { address, Client, DOMAIN, offer, refusal, SECRET, startServer } from './helpers.js';

const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;
const YEAR = 365 * DAY;

/** A token as mintToken makes it, with `claims` changed: for the cases mintToken refuses to make. */
function craft(claims: Record<string, unknown>, secret = key): Promise<string> {
  return new SignJWT({ sub: address('alice'), aud: 'wsp', iat: now(), exp: now() + 60, ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(secret);
}

test('mintToken and verifyToken agree; the address is stored in lower case', async () => {
  const token = await mintToken({ address: 'Alice@Alpha.Localhost', secret: SECRET });
  assert.deepEqual(await verifyToken(token, { secret: SECRET, domain: DOMAIN }), { ok: true, address: address('alice') });
});

test('mintToken sets sub, aud, iat and exp (ten minutes by default)', async () => {
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, number | string>;
  assert.equal(claims.sub, address('alice'));
  assert.equal(claims.aud, 'wsp');
  assert.equal(Number(claims.exp) - Number(claims.iat), 600);
  assert.ok(Math.abs(Number(claims.iat) - now()) <= 1);
});

test('mintToken refuses what is not an address, a bad ttl or an empty secret', async () => {
  await assert.rejects(mintToken({ address: 'alice', secret: SECRET }), TypeError);
  // KELVIN SIGN: toLowerCase() makes it a k, so "\u212Aim" must not mint a token for kim.
  await assert.rejects(mintToken({ address: `\u212Aim@${DOMAIN}`, secret: SECRET }), TypeError);
  await assert.rejects(mintToken({ address: address('alice'), secret: SECRET, ttlSeconds: 0 }), RangeError);
  await assert.rejects(mintToken({ address: address('alice'), secret: '' }), TypeError);
});

const refusals: [string, () => Promise<string | undefined>, 401 | 403, string][] = [
  ['a missing token', async () => undefined, 401, 'token missing'],
  ['a malformed token', async () => 'not.a.jwt', 401, 'token malformed'],
  ['an expired token', () => craft({ iat: now() - 120, exp: now() - 60 }), 401, 'token expired'],
  ['a forged token', () => craft({}, new TextEncoder().encode('another secret')), 401, 'token signature invalid'],
  ['a token for another audience', () => craft({ aud: 'mail' }), 401, 'token audience is not "wsp"'],
  ['a token without exp', () => craft({ exp: undefined }), 401, 'token has no "exp" claim'],
  ['a token valid for ten years', () => craft({ exp: now() + 10 * YEAR }), 401, 'token valid for longer than 86400 s'],
  ['a token without iat valid for ten years', () => craft({ iat: undefined, exp: now() + 10 * YEAR }), 401, 'token valid for longer than 86400 s'],
  ['a token issued a year from now', () => craft({ iat: now() + YEAR, exp: now() + YEAR + 60 }), 401, 'token issued in the future'],
  ['a token issued two minutes from now', () => craft({ iat: now() + 120, exp: now() + 180 }), 401, 'token issued in the future'],
  ['a token issued two days ago and valid for one more', () => craft({ iat: now() - 2 * DAY, exp: now() + DAY }), 401, 'token valid for longer than 86400 s'],
  ['a token whose subject is no address', () => craft({ sub: 'alice' }), 401, 'token subject is not an address user@domain'],
  ['a token for a name that folds into a user (KELVIN SIGN)', () => craft({ sub: `\u212Aim@${DOMAIN}` }), 401, 'token subject is not an address user@domain'],
  [
    'an unsigned token',
    async () =>
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: address('alice'), aud: 'wsp', exp: now() + 60 })).toString('base64url')}.`,
    401,
    'token not signed with HS256',
  ],
  [
    'a token of another domain',
    () => mintToken({ address: 'alice@beta.localhost', secret: SECRET }),
    403,
    'token is for domain beta.localhost, this server serves alpha.localhost',
  ],
  ['a token of a user not in the directory', () => mintToken({ address: address('mallory'), secret: SECRET }), 403, 'unknown user mallory'],
];

for (const [what, token, status, reason] of refusals) {
  test(`verifyToken refuses ${what} with ${status}`, async () => {
    const result = await verifyToken(await token(), { secret: SECRET, domain: DOMAIN, users: new Set(['alice', 'bob']) });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.status, status);
    if (!result.ok) assert.equal(result.reason, reason);
  });

  const code = status === 401 ? RefusalCode.TOKEN : RefusalCode.USER;
  test(`the upgrade refuses ${what}: opened, then closed at once with ${code} and the reason, no frame taken`, async (t) => {
    const server = await startServer(t, { users: ['alice', 'bob'] });
    // refusal() sends a frame once the socket is open: a socket the server took would answer it with a notice.
    assert.deepEqual(await refusal(server.url, offer(await token())), { code, reason });
  });
}

test('the token is offered as a second subprotocol, wsp-token.<JWT>; the server answers wsp-1.0 alone', async (t) => {
  const server = await startServer(t);
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  assert.deepEqual(offer(token), [SUBPROTOCOL, `wsp-token.${token}`]);
  const ws = new WebSocket(server.url, offer(token));
  const upgraded = once(ws, 'upgrade') as Promise<[{ headers: Record<string, string> }]>;
  await once(ws, 'open');
  assert.equal((await upgraded)[0].headers['sec-websocket-protocol'], SUBPROTOCOL);
  assert.equal(ws.protocol, SUBPROTOCOL);
  ws.close();
  // Two tokens: which would be the user? Neither.
  const other = await mintToken({ address: address('bob'), secret: SECRET });
  assert.deepEqual(await refusal(server.url, [...offer(token), `wsp-token.${other}`]), { code: RefusalCode.TOKEN, reason: 'more than one token offered' });
});

test('a token longer than MAX_TOKEN_LENGTH is refused with 4401; headers beyond what the server reads with HTTP 431', async (t) => {
  const server = await startServer(t);
  const long = `${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c`;
  assert.deepEqual(await refusal(server.url, offer(long)), { code: RefusalCode.TOKEN, reason: `token longer than ${MAX_TOKEN_LENGTH} characters` });
  // Node reads 16 KiB of headers at most: beyond, the request is refused before any route, and the server goes on.
  assert.deepEqual(await refusal(server.url, offer(`${'a'.repeat(20_000)}.b.c`)), { status: 431, body: 'request header fields too large' });
  const client = await Client.open(t, server, 'alice');
  await client.sync();
});

test('the upgrade needs the wsp-1.0 subprotocol: 400 without it', async (t) => {
  const server = await startServer(t);
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  assert.deepEqual(await refusal(server.url, [`wsp-token.${token}`]), { status: 400, body: `subprotocol ${SUBPROTOCOL} required` });
  assert.deepEqual(await refusal(server.url, ['wsp-2.0', `wsp-token.${token}`]), { status: 400, body: `subprotocol ${SUBPROTOCOL} required` });
  const client = await Client.open(t, server, 'alice');
  assert.equal(client.ws.protocol, SUBPROTOCOL);
});

test('a token in the query is not read: only the subprotocol carries one', async (t) => {
  const server = await startServer(t);
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  const query = `${server.url}?${new URLSearchParams({ token })}`;
  assert.deepEqual(await refusal(query, offer()), { code: RefusalCode.TOKEN, reason: 'token missing' });
});

test('the upgrade is refused on any other path', async (t) => {
  const server = await startServer(t);
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  assert.equal((await refusal(`ws://127.0.0.1:${server.port}/other`, offer(token))).status, 404);
});

test('GET /healthz answers ok', async (t) => {
  const server = await startServer(t);
  const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'ok');
});

test('GET /wsp without an upgrade answers 426; unknown paths 404', async (t) => {
  const server = await startServer(t);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/wsp`)).status, 426);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/nope`)).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: 'POST' })).status, 405);
});

test('/dev/token is not served unless devTokens is on', async (t) => {
  const server = await startServer(t);
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/dev/token?user=alice`)).status, 404);
});

test('/dev/token mints a working token when devTokens is on', async (t) => {
  const server = await startServer(t, { devTokens: true, secret: undefined, users: ['alice', 'bob'] });
  const base = `http://127.0.0.1:${server.port}/dev/token`;
  const response = await fetch(`${base}?user=Alice`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), null, 'no Origin, no CORS header');
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const body = (await response.json()) as { token: string; address: string };
  assert.equal(body.address, address('alice'));

  const forged = await Client.attempt(t, server, 'alice');
  assert.deepEqual(forged, { code: RefusalCode.TOKEN, reason: 'token signature invalid' }, 'the test secret does not work: the server made a random one');
  const ws = new WebSocket(server.url, offer(body.token));
  await once(ws, 'open');
  ws.close();

  assert.equal((await fetch(`${base}?user=no%20one`)).status, 400);
  assert.equal((await fetch(`${base}`)).status, 400);
  assert.equal((await fetch(`${base}?user=alice@beta.localhost`)).status, 400);
  assert.equal((await fetch(`${base}?user=carol`)).status, 403);
});

test('a name that only toLowerCase() makes an address is refused: upgrade, domain and user directory (KELVIN SIGN)', async (t) => {
  // No user directory: before, "\u212Aim" folded into kim and the token was taken as kim's.
  const server = await startServer(t);
  const kelvin = await new SignJWT({ sub: `\u212Aim@${DOMAIN}`, aud: 'wsp', iat: now(), exp: now() + 60 }).setProtectedHeader({ alg: 'HS256' }).sign(key);
  assert.deepEqual(await refusal(server.url, offer(kelvin)), { code: RefusalCode.TOKEN, reason: 'token subject is not an address user@domain' });
  await assert.rejects(createWspServer({ domain: 'alpha.\u212Aocalhost', secret: SECRET, log: silentLogger }), /not a domain/);
  await assert.rejects(createWspServer({ domain: DOMAIN, users: ['\u212Aim'], secret: SECRET, log: silentLogger }), /not a user name/);
});

test('token lifetime: up to 24 hours by default, iat within a minute of now; maxTokenTtlSeconds changes the maximum', async (t) => {
  const options = { secret: SECRET, domain: DOMAIN };
  const accepted = { ok: true, address: address('alice') };
  assert.deepEqual(await verifyToken(await craft({ exp: now() + DAY }), options), accepted);
  assert.deepEqual(await verifyToken(await craft({ iat: now() + 30, exp: now() + 90 }), options), accepted, 'a clock 30 s ahead');
  assert.deepEqual(await verifyToken(await mintToken({ address: address('alice'), secret: SECRET, ttlSeconds: DAY }), options), accepted);
  assert.deepEqual(await verifyToken(await craft({ exp: now() + 2 * DAY }), { ...options, maxTtlSeconds: 2 * DAY }), accepted);

  // A server that takes tokens of at most a minute: mintToken's ten minutes are too long for it, its dev tokens not.
  const server = await startServer(t, { maxTokenTtlSeconds: 60, devTokens: true });
  const tenMinutes = await mintToken({ address: address('alice'), secret: SECRET });
  assert.deepEqual(await refusal(server.url, offer(tenMinutes)), { code: RefusalCode.TOKEN, reason: 'token valid for longer than 60 s' });
  const oneMinute = await mintToken({ address: address('alice'), secret: SECRET, ttlSeconds: 60 });
  const ws = new WebSocket(server.url, offer(oneMinute));
  await once(ws, 'open');
  ws.close();
  const dev = (await (await fetch(`http://127.0.0.1:${server.port}/dev/token?user=bob`)).json()) as { token: string };
  const devSocket = new WebSocket(server.url, offer(dev.token));
  await once(devSocket, 'open');
  devSocket.close();
  await assert.rejects(createWspServer({ domain: DOMAIN, maxTokenTtlSeconds: 0, log: silentLogger }), /maxTokenTtlSeconds/);
});

/** Sends `request` as raw bytes and resolves with the status line's code. */
async function rawStatus(port: number, request: string): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.end(request);
  let answer = '';
  socket.on('data', (chunk: string) => (answer += chunk));
  await once(socket, 'close');
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
}

test('odd request targets (//, ///x, //host/path, absolute URLs) get 404 and at most a debug line, never 500', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const server = await startServer(t, { log });
  const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  for (const target of ['//', '///x', '//evil.example/wsp', '//:99999/', 'http://[::1', 'http://localhost/nope']) {
    for (const extra of ['', upgrade]) {
      const status = await rawStatus(server.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`);
      assert.equal(status, 404, `${target}${extra ? ' (upgrade)' : ''}`);
    }
  }
  assert.equal(
    await rawStatus(server.port, `GET http://localhost/healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
    200,
    'absolute-form targets still route',
  );
  const loud = lines.filter((line) => line.level !== 'debug' && line.msg !== 'listening' && !String(line.level).startsWith('warn'));
  assert.deepEqual(loud, []);
});

/** GET /dev/token?user=alice as a page of `origin` would fetch it. */
async function devTokenFrom(port: number, origin: string) {
  const response = await fetch(`http://127.0.0.1:${port}/dev/token?user=alice`, { headers: { Origin: origin } });
  return {
    status: response.status,
    allow: response.headers.get('access-control-allow-origin'),
    vary: response.headers.get('vary'),
    body: await response.text(),
  };
}

test('/dev/token answers loopback pages only (the runner, the demo), or the listed origins; never *', async (t) => {
  const open = await startServer(t, { devTokens: true });
  for (const origin of ['http://localhost:8000', 'http://127.0.0.1:5173', 'http://[::1]:8000', 'http://alpha.localhost:5173', 'https://localhost']) {
    const answer = await devTokenFrom(open.port, origin);
    assert.equal(answer.status, 200, origin);
    assert.equal(answer.allow, origin, origin);
    assert.equal(answer.vary, 'Origin');
  }
  for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example', 'null', 'http://192.168.1.5:5173']) {
    const answer = await devTokenFrom(open.port, origin);
    assert.deepEqual({ status: answer.status, allow: answer.allow }, { status: 403, allow: null }, origin);
    assert.equal(answer.body, `origin ${origin} may not fetch dev tokens`);
  }

  const listed = await startServer(t, { devTokens: true, origins: ['https://demo.example'] });
  assert.deepEqual(await devTokenFrom(listed.port, 'https://demo.example').then(({ status, allow }) => ({ status, allow })), {
    status: 200,
    allow: 'https://demo.example',
  });
  assert.equal((await devTokenFrom(listed.port, 'http://localhost:8000')).status, 403, 'with --origins, only those');
  assert.equal((await fetch(`http://127.0.0.1:${listed.port}/dev/token?user=alice`)).status, 200, 'no Origin: curl, a same-origin fetch');
});
