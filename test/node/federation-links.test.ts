// Server-to-server links (docs/protocol.md §8.3–8.5) between real HTTP servers, with a recorder in place of
// the router: authentication at the upgrade, one link reused both ways, 502 fast, backoff, idle close, loss.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import { backoffDelay, generateKeys, signLink, type Link } from '../../src/server/federation/index.js';
import { attempt, Blackhole, closedPort, delay, linkFrames as frames, startNode } from './federation-helpers.js';
import { recordingLogger } from './helpers.js';

const ALPHA = 'alpha.localhost';
const BETA = 'beta.localhost';

test('a call opens a link on demand; frames queue until it is authenticated, then flow both ways on that one link', async (t) => {
  const peers = new Map<string, string>();
  const alpha = await startNode(t, ALPHA, { peers });
  const beta = await startNode(t, BETA, { peers });

  const started = performance.now();
  const link = alpha.links.route(BETA)!;
  assert.equal(link.state, 'pending');
  link.send(frames.invite('c1', `alice@${ALPHA}`, `bob@${BETA}`));
  link.send(frames.invite('c2', `carol@${ALPHA}`, `bob@${BETA}`));
  const first = await beta.recorder.nextFrame();
  t.diagnostic(`route → first frame at the other server, discovery and signed handshake included: ${(performance.now() - started).toFixed(1)} ms`);
  assert.deepEqual(first.frame, frames.invite('c1', `alice@${ALPHA}`, `bob@${BETA}`));
  assert.equal(first.from.user, ALPHA, 'the other side knows the link by its authenticated domain');
  assert.deepEqual((await beta.recorder.nextFrame()).frame[2], { call: 'c2' });
  assert.equal(link.state, 'open');
  assert.equal(alpha.links.route(BETA), link, 'reused');

  // beta answers on the link the frame came on, and calls alpha's users over the same link.
  const inbound = first.from as Link;
  assert.equal(beta.links.route(ALPHA), inbound, 'the link alpha opened serves beta’s calls too');
  inbound.send(frames.ringing('c1'));
  inbound.send(frames.invite('c3', `bob@${BETA}`, `alice@${ALPHA}`));
  const back = await alpha.recorder.nextFrame();
  assert.equal(back.from, link);
  assert.deepEqual(back.frame, frames.ringing('c1'));
  assert.deepEqual((await alpha.recorder.nextFrame()).frame[2], { call: 'c3' });
  assert.equal(alpha.links.links().length, 1);
  assert.equal(beta.links.links().length, 1);
  assert.equal(link.calls, 3);
});

test('a rogue server claiming alpha with the wrong key is refused, and its calls end with 502', async (t) => {
  const peers = new Map<string, string>();
  const alpha = await startNode(t, ALPHA, { peers });
  const beta = await startNode(t, BETA, { peers });
  // The same domain name with a key of its own; beta's discovery of alpha still finds the genuine alpha.
  const { log, lines } = recordingLogger();
  const rogue = await startNode(t, ALPHA, { peers, announce: false, links: { log } });

  const link = rogue.links.route(BETA)!;
  link.send(frames.invite('c1', `alice@${ALPHA}`, `bob@${BETA}`));
  const { from, frame } = await rogue.recorder.nextFrame();
  assert.equal(from, link);
  assert.equal(frame[0], 'bye');
  assert.equal(frame[1].code, ByeCode.UNREACHABLE);
  assert.equal(frame[1].reason, 'domain beta.localhost cannot be reached', 'why stays in the log');
  const failed = lines.find((line) => line.msg === 'link failed');
  assert.match(String(failed?.reason), /^refused: 401 unknown key [\w-]+ for alpha\.localhost$/);
  assert.equal(await rogue.recorder.nextLost(), link);
  assert.equal(beta.recorder.events.length, 0, 'nothing reached beta');

  // Naming alpha's key id does not help without alpha's private key.
  const forged = signLink({ origin: ALPHA, destination: BETA, keys: { ...generateKeys(), kid: alpha.keys.kid } });
  assert.deepEqual(await attempt(beta, { authorization: forged }), { status: 401, body: 'bad signature' });
});

test('a replayed handshake is refused, and so are a wrong destination, a stale timestamp and a missing header', async (t) => {
  const peers = new Map<string, string>();
  const alpha = await startNode(t, ALPHA, { peers });
  const beta = await startNode(t, BETA, { peers });
  const genuine = signLink({ origin: ALPHA, destination: BETA, keys: alpha.keys });
  assert.equal(await attempt(beta, { authorization: genuine }), 'open');
  assert.deepEqual(await attempt(beta, { authorization: genuine }), { status: 401, body: 'replayed handshake' });
  // Two concurrent uses of one statement: exactly one link.
  const twice = signLink({ origin: ALPHA, destination: BETA, keys: alpha.keys });
  const results = await Promise.all([attempt(beta, { authorization: twice }), attempt(beta, { authorization: twice })]);
  assert.deepEqual(results.filter((result) => result === 'open').length, 1);

  const refusals: [Record<string, string>, string][] = [
    [{ authorization: signLink({ origin: ALPHA, destination: 'gamma.localhost', keys: alpha.keys }) }, 'wrong destination: this server is beta.localhost'],
    [
      { authorization: signLink({ origin: ALPHA, destination: BETA, keys: alpha.keys, now: Date.now() - 120_000 }) },
      "timestamp outside ±60 s of this server's clock",
    ],
    [{ authorization: signLink({ origin: BETA, destination: BETA, keys: alpha.keys }) }, "origin is this server's own domain"],
    [{}, 'Authorization header missing'],
  ];
  for (const [headers, body] of refusals) assert.deepEqual(await attempt(beta, headers), { status: 401, body });
  assert.deepEqual(await attempt(beta, { authorization: signLink({ origin: ALPHA, destination: BETA, keys: alpha.keys }) }, ['other']), {
    status: 400,
    body: 'subprotocol wsp-1.0 required',
  });
  // Why the keys could not be had stays in beta's log: the other side learns nothing about beta's network.
  peers.set('nowhere.localhost', `http://127.0.0.1:${await closedPort()}`);
  assert.deepEqual(await attempt(beta, { authorization: signLink({ origin: 'nowhere.localhost', destination: BETA, keys: alpha.keys }) }), {
    status: 401,
    body: 'cannot get the keys of nowhere.localhost',
  });
});

test('an unreachable domain answers the call with 502 within milliseconds, then is not retried before the backoff', async (t) => {
  const port = await closedPort();
  const peers = new Map<string, string>([['down.localhost', `http://127.0.0.1:${port}`]]);
  const { log, lines } = recordingLogger();
  const alpha = await startNode(t, ALPHA, { peers, links: { log, backoff: { initialMs: 300, maxMs: 1000 } }, discovery: { failureCacheMs: 0 } });
  const started = performance.now();
  const link = alpha.links.route('down.localhost')!;
  link.send(frames.invite('c1', `alice@${ALPHA}`, 'bob@down.localhost'));
  link.send(frames.invite('c2', `alice@${ALPHA}`, 'carol@down.localhost'));
  link.send(frames.bye('c2', ByeCode.CANCELLED)); // c2 was given up already: no 502 for it
  const { frame } = await alpha.recorder.nextFrame();
  const elapsed = performance.now() - started;
  t.diagnostic(`502 after ${elapsed.toFixed(1)} ms`);
  assert.ok(elapsed < 500);
  assert.deepEqual(frame, ['bye', { code: 502, reason: 'domain down.localhost cannot be reached' }, { call: 'c1' }]);
  const failed = lines.find((line) => line.msg === 'link failed');
  assert.equal(failed?.reason, `http://127.0.0.1:${port}/.well-known/wsp: ECONNREFUSED`, 'the details are for the log');
  assert.equal(await alpha.recorder.nextLost(), link);
  assert.equal(alpha.links.route('down.localhost'), undefined, 'backing off: the router answers 502 at once');
  await delay(350);
  assert.ok(alpha.links.route('down.localhost'), 'tried again after the backoff');
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((failures) => backoffDelay(failures, 1000, 60_000)),
    [1000, 2000, 4000, 8000, 60_000],
  );
});

test('a link closes once idle, never while a call crosses it, and opens again for the next call', async (t) => {
  const peers = new Map<string, string>();
  const alpha = await startNode(t, ALPHA, { peers, links: { idleMs: 150 } });
  const beta = await startNode(t, BETA, { peers });
  const link = alpha.links.route(BETA)!;
  link.send(frames.invite('c1', `alice@${ALPHA}`, `bob@${BETA}`));
  const inbound = (await beta.recorder.nextFrame()).from as Link;
  await delay(300);
  assert.equal(link.state, 'open', 'a call is on it');
  inbound.send(frames.bye('c1', ByeCode.TRANSFERRED));
  link.send(frames.bye('c1', ByeCode.TRANSFERRED)); // the handover: the servers forget the call
  await alpha.recorder.nextFrame();
  await beta.recorder.nextFrame();
  const idleFrom = performance.now();
  assert.equal(await alpha.recorder.nextLost(1000), link);
  assert.equal(await beta.recorder.nextLost(1000), inbound);
  t.diagnostic(`closed ${(performance.now() - idleFrom).toFixed(0)} ms after its last call ended`);
  const again = alpha.links.route(BETA)!;
  assert.notEqual(again, link);
  again.send(frames.invite('c2', `alice@${ALPHA}`, `bob@${BETA}`));
  assert.deepEqual((await beta.recorder.nextFrame()).frame[2], { call: 'c2' });
});

test('a killed link is reported lost on both sides at once', async (t) => {
  const peers = new Map<string, string>();
  const alpha = await startNode(t, ALPHA, { peers });
  const beta = await startNode(t, BETA, { peers });
  const link = alpha.links.route(BETA)!;
  link.send(frames.invite('c1', `alice@${ALPHA}`, `bob@${BETA}`));
  const inbound = (await beta.recorder.nextFrame()).from;
  const killed = performance.now();
  link.terminate();
  assert.equal(await alpha.recorder.nextLost(), link);
  assert.equal(await beta.recorder.nextLost(), inbound);
  t.diagnostic(`both sides knew within ${(performance.now() - killed).toFixed(1)} ms`);
});

test('a link whose network goes silent is found dead by the heartbeat, on both sides', async (t) => {
  const peers = new Map<string, string>();
  const alpha = await startNode(t, ALPHA, { peers, links: { heartbeatMs: 100 } });
  const relay = await Blackhole.start(t);
  const beta = await startNode(t, BETA, { peers, links: { heartbeatMs: 100 }, publicUrl: relay.base });
  relay.target = (beta.http.address() as AddressInfo).port;
  const link = alpha.links.route(BETA)!;
  link.send(frames.invite('c1', `alice@${ALPHA}`, `bob@${BETA}`));
  const inbound = (await beta.recorder.nextFrame()).from;
  const cut = performance.now();
  relay.blackhole();
  assert.equal(await alpha.recorder.nextLost(), link);
  assert.equal(await beta.recorder.nextLost(), inbound);
  t.diagnostic(`a silent link found dead after ${(performance.now() - cut).toFixed(0)} ms with a 100 ms heartbeat`);
});

test('a new key of the origin is fetched when a handshake names it', async (t) => {
  const peers = new Map<string, string>();
  const beta = await startNode(t, BETA, { peers, discovery: { refreshMs: 0 } });
  const old = await startNode(t, ALPHA, { peers });
  const link = old.links.route(BETA)!;
  link.send(frames.invite('c1', `alice@${ALPHA}`, `bob@${BETA}`));
  await beta.recorder.nextFrame(); // beta cached alpha's document with the old key
  // alpha moves to a new key (and port); beta's cached document does not know it yet.
  const renewed = await startNode(t, ALPHA, { peers });
  const second = renewed.links.route(BETA)!;
  second.send(frames.invite('c2', `alice@${ALPHA}`, `bob@${BETA}`));
  assert.deepEqual((await beta.recorder.nextFrame()).frame[2], { call: 'c2' });
});

test('both servers opening a link at once get two working links; closing the manager ends them', async (t) => {
  const peers = new Map<string, string>();
  const alpha = await startNode(t, ALPHA, { peers });
  const beta = await startNode(t, BETA, { peers });
  const ab = alpha.links.route(BETA)!;
  const ba = beta.links.route(ALPHA)!;
  ab.send(frames.invite('a1', `alice@${ALPHA}`, `bob@${BETA}`));
  ba.send(frames.invite('b1', `bob@${BETA}`, `alice@${ALPHA}`));
  assert.deepEqual((await beta.recorder.nextFrame()).frame[2], { call: 'a1' });
  assert.deepEqual((await alpha.recorder.nextFrame()).frame[2], { call: 'b1' });
  assert.equal(alpha.links.links(BETA).length, 2);
  await alpha.links.close();
  assert.equal(alpha.links.route(BETA), undefined, 'a closed manager routes nowhere');
  const lost = [await beta.recorder.nextLost(), await beta.recorder.nextLost()];
  assert.equal(new Set(lost).size, 2);
  assert.equal(beta.links.links().length, 0);
});
