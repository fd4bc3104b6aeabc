// TURN credentials (docs/protocol.md §3.1): the TURN REST API scheme coturn checks with use-auth-secret, and the
// endpoint that hands them to authenticated clients. That coturn accepts them is tested in the browser
// (test/browser/turn.test.ts), where a real relay-only call goes through a real coturn.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import test from 'node:test';
import { TURN_PATH } from '../../src/protocol/index.js';
import { checkTurnOptions, DEFAULT_TURN_TTL_SECONDS, mintToken, turnCredentials, type TurnCredentials } from '../../src/server/index.js';
import { address, SECRET, startServer } from './helpers.js';

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

test('GET /wsp/turn answers a valid token with credentials for its user, readable by the page that asked', async (t) => {
  const server = await startServer(t, { turn: TURN });
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  const before = Math.floor(Date.now() / 1000);
  const response = await fetch(`http://127.0.0.1:${server.port}${TURN_PATH}?token=${token}`, { headers: { Origin: 'https://shop.example' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const body = (await response.json()) as TurnCredentials;
  assert.equal(body.ttl, 3600);
  assert.ok(body.expires >= before + 3600 && body.expires <= Math.floor(Date.now() / 1000) + 3600);
  assert.equal(body.iceServers[0]!.username, `${body.expires}:${address('alice')}`);
});

test('GET /wsp/turn refuses what the upgrade refuses: no token, a bad one, an origin not listed', async (t) => {
  const server = await startServer(t, { turn: TURN, origins: ['https://shop.example'] });
  const base = `http://127.0.0.1:${server.port}${TURN_PATH}`;
  assert.equal((await fetch(base)).status, 401);
  const forged = await mintToken({ address: address('alice'), secret: 'another secret' });
  const refused = await fetch(`${base}?token=${forged}`);
  assert.equal(refused.status, 401);
  assert.equal(await refused.text(), 'token signature invalid');
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  assert.equal((await fetch(`${base}?token=${token}`, { headers: { Origin: 'https://evil.example' } })).status, 403);
  assert.equal((await fetch(`${base}?token=${token}`, { headers: { Origin: 'https://shop.example' } })).status, 200);
});

test('a server without TURN answers 404 at /wsp/turn: clients then use the ICE servers their page gives', async (t) => {
  const server = await startServer(t);
  const token = await mintToken({ address: address('alice'), secret: SECRET });
  const response = await fetch(`http://127.0.0.1:${server.port}${TURN_PATH}?token=${token}`);
  assert.equal(response.status, 404);
  assert.equal(await response.text(), 'no TURN server configured');
});
