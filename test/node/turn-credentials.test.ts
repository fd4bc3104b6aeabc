// TURN credentials (docs/protocol.md §3.1): the TURN REST API scheme coturn checks with use-auth-secret, and the
// endpoint that hands them to authenticated clients. That coturn accepts them is tested in the browser
// (test/browser/turn.test.ts), where a real relay-only call goes through a real coturn.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import test from 'node:test';
import { MAX_TOKEN_LENGTH, TURN_PATH } from '../../src/protocol/index.js';
import { checkTurnOptions, DEFAULT_TURN_TTL_SECONDS, mintToken, turnCredentials, type TurnCredentials } from '../../src/server/index.js';
import { address, Client, recordingLogger, SECRET, startServer } from './helpers.js';
import { refused, tryOpen } from './refusals.js';

/** Asks `port`'s server for TURN credentials as the widget does: POST, the token as a text/plain body. */
function askTurn(port: number, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${TURN_PATH}`, { method: 'POST', body: token, headers });
}

const TURN = {
  secret: 'turn-secret',
  urls: ['stun:turn.example.org:3478', 'turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'],
};

test('the username is <expiry>:<user> and the password its HMAC-SHA1 under the shared secret, in base64', () => {
  const now = Date.UTC(2026, 0, 1);
  const credentials = turnCredentials(checkTurnOptions({ ...TURN, ttlSeconds: 600 }), 'alice@example.org', now);
  const expires = now / 1000 + 600;
  assert.equal(credentials.expires, expires);
  assert.equal(credentials.ttl, 600);
  const [server] = credentials.iceServers;
  assert.deepEqual(server!.urls, TURN.urls);
  assert.equal(server!.username, `${expires}:alice@example.org`);
  // The value coturn computes for the same username and static-auth-secret (RFC 2104 HMAC, SHA-1).
  assert.equal(server!.credential, createHmac('sha1', 'turn-secret').update(`${expires}:alice@example.org`).digest('base64'));
});

test('the TTL defaults to an hour; bad options stop the server before any browser sees them', () => {
  assert.equal(checkTurnOptions(TURN).ttlSeconds, DEFAULT_TURN_TTL_SECONDS);
  assert.equal(DEFAULT_TURN_TTL_SECONDS, 3600);
  assert.throws(() => checkTurnOptions({ ...TURN, secret: '' }), /secret/);
  assert.throws(() => checkTurnOptions({ ...TURN, urls: [] }), /at least one/);
  assert.throws(() => checkTurnOptions({ ...TURN, urls: ['http://turn.example.org'] }), /not a stun:/);
  assert.throws(() => checkTurnOptions({ ...TURN, ttlSeconds: 59 }), /TTL/);
  assert.throws(() => checkTurnOptions({ ...TURN, ttlSeconds: 86_401 }), /TTL/);
});

test('POST /wsp/turn answers a valid token with credentials for its user, readable by the page that asked', async (t) => {
  const server = await startServer(t, { turn: TURN });
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  const before = Math.floor(Date.now() / 1000);
  const response = await askTurn(server.port, token, { Origin: 'https://shop.example' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const body = (await response.json()) as TurnCredentials;
  assert.equal(body.ttl, 3600);
  assert.ok(body.expires >= before + 3600 && body.expires <= Math.floor(Date.now() / 1000) + 3600);
  assert.equal(body.iceServers[0]!.username, `${body.expires}:${address('alice')}`);
});

test('POST /wsp/turn refuses what the upgrade refuses: no token, a bad one, a long one, an origin not listed', async (t) => {
  const server = await startServer(t, { turn: TURN, origins: ['https://shop.example'] });
  const missing = await askTurn(server.port, '');
  assert.deepEqual([missing.status, await missing.text()], [401, 'token missing']);
  const forged = await askTurn(server.port, await mintToken({ address: address('alice'), secret: 'another secret' }));
  assert.deepEqual([forged.status, await forged.text()], [401, 'token signature invalid']);
  // Read up to the longest token and no further: a body beyond is refused, the rest of it unread.
  const long = await askTurn(server.port, 'a'.repeat(MAX_TOKEN_LENGTH + 1));
  assert.deepEqual([long.status, await long.text()], [413, `token longer than ${MAX_TOKEN_LENGTH} characters`]);
  const huge = await askTurn(server.port, 'a'.repeat(1 << 20));
  assert.equal(huge.status, 413);
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  assert.equal((await askTurn(server.port, token, { Origin: 'https://evil.example' })).status, 403);
  assert.equal((await askTurn(server.port, `${token}\n`, { Origin: 'https://shop.example' })).status, 200, 'a line break after it, as from a file');
});

test('the token goes in the body only: a query is not read, GET is not served', async (t) => {
  const server = await startServer(t, { turn: TURN });
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  const base = `http://127.0.0.1:${server.port}${TURN_PATH}`;
  const get = await fetch(`${base}?${new URLSearchParams({ token })}`);
  assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST']);
  const query = await fetch(`${base}?${new URLSearchParams({ token })}`, { method: 'POST' });
  assert.deepEqual([query.status, await query.text()], [401, 'token missing']);
});

test('a server without TURN answers 204, no content, which no browser logs as an error: clients use their page’s ICE servers', async (t) => {
  const server = await startServer(t);
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  const response = await askTurn(server.port, token, { Origin: 'https://shop.example' });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.equal(await response.text(), '');
});

test('TURN requests have a budget of their own: they never cost a client the upgrades upgradesPerMinute allows', async (t) => {
  const server = await startServer(t, { turn: TURN, limits: { upgradesPerMinute: 3 } });
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  for (let i = 0; i < 3; i++) assert.equal((await askTurn(server.port, token)).status, 200);
  const over = await askTurn(server.port, token);
  assert.deepEqual([over.status, await over.text()], [429, 'more than 3 TURN requests a minute']);
  // Three TURN requests and one refused: the three upgrades are all still there, then the fourth is refused.
  for (const user of ['alice', 'bob', 'carol']) assert.ok((await tryOpen(t, server, user)) instanceof Client, user);
  assert.deepEqual(await refused(t, server, 'dave'), { status: 429, body: 'more than 3 connection attempts a minute' });
});

test('the token in a TURN request reaches no log line', async (t) => {
  const { log, lines } = recordingLogger();
  const server = await startServer(t, { turn: TURN, log });
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  assert.equal((await askTurn(server.port, token)).status, 200);
  assert.equal((await askTurn(server.port, `${token}x`)).status, 401);
  assert.ok(!JSON.stringify(lines).includes(token.slice(-20)));
});
