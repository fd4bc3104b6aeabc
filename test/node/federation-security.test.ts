// Who may say what across a link (docs/protocol.md §8.3, §8.5, §8.6), against real servers: rogue servers,
// replays, spoofed callers, relaying, and links that die mid-call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import { generateKeys, signLink } from '../../src/server/federation/index.js';
import { Client, frames } from './helpers.js';
import { ALPHA, attempt, BETA, linkFrames, startDomains, startNode } from './federation-helpers.js';

const alice = `alice@${ALPHA}`;
const bob = `bob@${BETA}`;

test('a beta client claiming to be alice@alpha is refused with 403 by its own server', async (t) => {
  const { alpha, beta } = await startDomains(t);
  const victim = await Client.open(t, alpha, 'alice');
  const mallory = await Client.open(t, beta, 'dave');
  const target = await Client.open(t, beta, 'bob');
  mallory.send(frames.invite('c1', alice, bob));
  assert.deepEqual(await mallory.next(), frames.bye('c1', ByeCode.FORBIDDEN, `caller.uri must be your own address dave@${BETA}`));
  mallory.send(frames.invite('c2', alice, `carol@${ALPHA}`));
  assert.equal((await mallory.nextBye())[1].code, ByeCode.FORBIDDEN);
  await Promise.all([victim.sync(), target.sync()]);
});

test('a server speaks only for its own users over its link: gamma claiming alice@alpha gets 403', async (t) => {
  const { beta, peers } = await startDomains(t);
  const target = await Client.open(t, beta, 'bob');
  // gamma.localhost is a genuine, authenticated domain; what it claims in frames is checked all the same.
  const gamma = await startNode(t, 'gamma.localhost', { peers });
  const link = gamma.links.route(BETA)!;
  link.send(linkFrames.invite('c1', alice, bob));
  const { frame } = await gamma.recorder.nextFrame();
  assert.deepEqual(frame, frames.bye('c1', ByeCode.FORBIDDEN, 'caller.uri must be a user of gamma.localhost'));
  await target.sync();
});

test('beta refuses to relay a call to a third domain', async (t) => {
  const { alpha, peers } = await startDomains(t);
  const carol = await Client.open(t, alpha, 'carol');
  const gamma = await startNode(t, 'gamma.localhost', { peers });
  // gamma asks beta to pass a call on to carol@alpha: beta serves its own users only.
  const link = gamma.links.route(BETA)!;
  link.send(linkFrames.invite('c1', 'mallory@gamma.localhost', `carol@${ALPHA}`));
  const { frame } = await gamma.recorder.nextFrame();
  assert.deepEqual(frame, frames.bye('c1', ByeCode.FORBIDDEN, `${BETA} does not relay to ${ALPHA}`));
  await carol.sync();
});

test('a rogue server claiming alpha with the wrong key never gets a link; a replayed handshake neither', async (t) => {
  const alphaKeys = generateKeys();
  const { beta, peers } = await startDomains(t, { alphaKeys });
  const target = await Client.open(t, beta, 'bob');
  const rogue = await startNode(t, ALPHA, { peers, announce: false });
  const link = rogue.links.route(BETA)!;
  link.send(linkFrames.invite('c1', alice, bob));
  const { frame } = await rogue.recorder.nextFrame();
  assert.equal(frame[0] === 'bye' && frame[1].code, ByeCode.UNREACHABLE);
  assert.equal(frame[0] === 'bye' && frame[1].reason, `domain ${BETA} cannot be reached`);
  await target.sync();

  const server = { base: `http://127.0.0.1:${beta.port}` };
  const forged = signLink({ origin: ALPHA, destination: BETA, keys: { ...generateKeys(), kid: alphaKeys.kid } });
  assert.deepEqual(await attempt(server, { authorization: forged }), { status: 401, body: 'bad signature' });
  // A genuine statement of alpha's, as if captured on the wire, opens one link and never a second.
  const captured = signLink({ origin: ALPHA, destination: BETA, keys: alphaKeys });
  assert.equal(await attempt(server, { authorization: captured }), 'open');
  assert.deepEqual(await attempt(server, { authorization: captured }), { status: 401, body: 'replayed handshake' });
});

test('a link killed while ringing ends the call on both sides with 503, within a second', async (t) => {
  const { alpha, beta, relay } = await startDomains(t, { relay: true });
  const caller = await Client.open(t, alpha, 'alice');
  const callee = await Client.open(t, beta, 'bob');
  caller.send(frames.invite('c1', alice, bob));
  await callee.next();
  callee.send(frames.ringing('c1'));
  await caller.next();
  const killed = performance.now();
  await relay!.close();
  assert.deepEqual(await caller.next(), frames.bye('c1', ByeCode.PEER_LOST));
  assert.deepEqual(await callee.next(), frames.bye('c1', ByeCode.PEER_LOST));
  t.diagnostic(`both sides had 503 ${(performance.now() - killed).toFixed(1)} ms after the link was cut`);
});

test('a link that goes silent is found by the heartbeat: accepted calls end with 503 on both sides, handed-over ones go on', async (t) => {
  const { alpha, beta, relay } = await startDomains(t, { relay: true, federation: { heartbeatMs: 150 } });
  const caller = await Client.open(t, alpha, 'alice');
  const callee = await Client.open(t, beta, 'bob');
  // c1 is accepted but not handed over; c2 is handed over: the servers forgot it.
  for (const call of ['c1', 'c2']) {
    caller.send(frames.invite(call, alice, bob));
    await callee.next();
    callee.send(frames.offer(call));
    await caller.next();
  }
  caller.send(frames.bye('c2', ByeCode.TRANSFERRED));
  callee.send(frames.bye('c2', ByeCode.TRANSFERRED));
  assert.deepEqual(await callee.next(), frames.bye('c2', ByeCode.TRANSFERRED));
  assert.deepEqual(await caller.next(), frames.bye('c2', ByeCode.TRANSFERRED));
  const cut = performance.now();
  relay!.blackhole();
  assert.deepEqual(await caller.next(), frames.bye('c1', ByeCode.PEER_LOST));
  assert.deepEqual(await callee.next(), frames.bye('c1', ByeCode.PEER_LOST));
  t.diagnostic(`silent link: 503 on both sides after ${(performance.now() - cut).toFixed(0)} ms (heartbeat 150 ms)`);
  await Promise.all([caller.sync(), callee.sync()]);
});

test('the well-known document and the link endpoint are served only by a federating server', async (t) => {
  const { alpha } = await startDomains(t);
  const response = await fetch(`http://127.0.0.1:${alpha.port}/.well-known/wsp`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  const document = (await response.json()) as { domain: string; link: string; client: string; keys: { kty: string; crv: string }[] };
  assert.equal(document.domain, ALPHA);
  assert.equal(document.link, `ws://127.0.0.1:${alpha.port}/wsp/federation`);
  assert.equal(document.client, `ws://127.0.0.1:${alpha.port}/wsp`);
  assert.deepEqual([document.keys[0]?.kty, document.keys[0]?.crv], ['OKP', 'Ed25519']);
  assert.equal((await fetch(`http://127.0.0.1:${alpha.port}/wsp/federation`)).status, 426);

  const { startServer } = await import('./helpers.js');
  const alone = await startServer(t, { domain: 'alone.localhost' });
  assert.equal((await fetch(`http://127.0.0.1:${alone.port}/.well-known/wsp`)).status, 404);
  assert.deepEqual(await attempt({ base: `http://127.0.0.1:${alone.port}` }, {}), { status: 404, body: 'not found' });
});
