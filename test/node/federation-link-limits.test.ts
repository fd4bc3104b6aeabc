// What one domain, or one address, can make a server hold through its link endpoint (docs/security.md, "Links cannot
// exhaust a server"): one link per domain, a few per address, and handshakes that cost few outbound connections
// before their signature is checked.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { SUBPROTOCOL } from '../../src/protocol/index.js';
import { generateKeys, LINK_PATH, signLink, type ServerKeys } from '../../src/server/federation/index.js';
import { attempt, BETA, startNode, type Attempt, type Node } from './federation-helpers.js';

/** Opens a link to `node` signed as `origin` with `keys`, as a raw socket the test keeps; resolves once open. */
function openLink(t: TestContext, node: Node, origin: string, keys: ServerKeys): Promise<WebSocket> {
  const authorization = signLink({ origin, destination: node.domain, keys });
  const ws = new WebSocket(`${node.base.replace('http:', 'ws:')}${LINK_PATH}`, [SUBPROTOCOL], { headers: { authorization } });
  t.after(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

test('a second link from the same domain replaces the first: one domain holds one link, however often it connects', async (t) => {
  const peers = new Map<string, string>();
  const beta = await startNode(t, BETA, { peers });
  const gamma = await startNode(t, 'gamma.localhost', { peers });
  let current = await openLink(t, beta, gamma.domain, gamma.keys);
  for (let i = 0; i < 5; i++) {
    const older = closed(current);
    current = await openLink(t, beta, gamma.domain, gamma.keys);
    assert.deepEqual(await older, { code: 1000, reason: 'replaced by a newer link' });
    await Promise.all(
      beta.links
        .links(gamma.domain)
        .slice(0, -1)
        .map((link) => link.closed),
    );
    assert.equal(beta.links.links(gamma.domain).length, 1);
  }
  assert.equal(current.readyState, WebSocket.OPEN, 'the newest link stays');
});

test('links per address: past linksPerAddress open links, or linkUpgradesPerMinute attempts, one address gets 429', async (t) => {
  const peers = new Map<string, string>();
  const beta = await startNode(t, BETA, { peers, links: { limits: { linksPerAddress: 2, linkUpgradesPerMinute: 0 } } });
  const origins = await Promise.all(['gamma', 'delta', 'epsilon'].map((name) => startNode(t, `${name}.localhost`, { peers })));
  const [gamma, delta, epsilon] = origins as [Node, Node, Node];
  const first = await openLink(t, beta, gamma.domain, gamma.keys);
  await openLink(t, beta, delta.domain, delta.keys);
  const third = attempt(beta, { authorization: signLink({ origin: epsilon.domain, destination: BETA, keys: epsilon.keys }) });
  assert.deepEqual(await third, { status: 429, body: 'more than 2 connections from one address' });
  first.close();
  await closed(first);
  assert.equal(await attempt(beta, { authorization: signLink({ origin: epsilon.domain, destination: BETA, keys: epsilon.keys }) }), 'open');

  const counted = await startNode(t, 'counted.localhost', { peers, links: { limits: { linkUpgradesPerMinute: 3 } } });
  const statements = [0, 1, 2, 3].map(() => ({ authorization: signLink({ origin: 'nobody.localhost', destination: counted.domain, keys: generateKeys() }) }));
  const answers: Attempt[] = [];
  for (const headers of statements) answers.push(await attempt(counted, headers));
  assert.deepEqual(
    answers.map((answer) => (answer === 'open' ? answer : answer.status)),
    [401, 401, 401, 429],
    'refused ones count too',
  );
});

/** An HTTP server that takes connections and never answers, until `hangUp()`: counts the connections it got. */
async function tarpit(t: TestContext): Promise<{ base: string; accepted: () => number; reached: (n: number) => Promise<void>; hangUp(): void }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const waiters: [number, () => void][] = [];
  const server = createServer((socket) => {
    accepted += 1;
    for (const [n, resolve] of waiters) if (accepted >= n) resolve();
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hangUp = () => sockets.forEach((socket) => socket.destroy());
  t.after(() => {
    hangUp();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const reached = (n: number) => new Promise<void>((resolve) => (accepted >= n ? resolve() : waiters.push([n, resolve])));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted: () => accepted, reached, hangUp };
}

test('handshakes naming 40 origins make two outbound connections: the rest are refused with 503 before any lookup', async (t) => {
  const pit = await tarpit(t);
  const origins = Array.from({ length: 40 }, (_, i) => `origin${i}.test`);
  const peers = new Map(origins.map((origin) => [origin, pit.base]));
  // The per-minute limit would refuse some with 429 too: lifted, to show what bounds the lookups themselves.
  const beta = await startNode(t, BETA, { peers, discovery: { timeoutMs: 600_000 }, links: { limits: { linkUpgradesPerMinute: 0 } } });
  const keys = generateKeys();
  let answered = 0;
  let allButTwo!: () => void;
  const waiting = new Promise<void>((resolve) => (allButTwo = resolve));
  const answers = origins.map((origin) =>
    attempt(beta, { authorization: signLink({ origin, destination: BETA, keys }) }).then((answer) => {
      if (++answered === origins.length - 2) allButTwo();
      return answer;
    }),
  );
  await Promise.all([waiting, pit.reached(2)]);
  pit.hangUp(); // the two lookups under way fail now, as they would at their timeout
  const statuses = (await Promise.all(answers)).map((answer) => (answer === 'open' ? 0 : answer.status));
  assert.deepEqual(
    statuses.filter((status) => status !== 503),
    [401, 401],
    statuses.join(' '),
  );
  const refused = (await Promise.all(answers)).find((answer) => answer !== 'open' && answer.status === 503);
  assert.deepEqual(refused, { status: 503, body: 'too many handshakes under way: try again later' });
  assert.equal(pit.accepted(), 2, 'two lookups at once from one address, and no more');
});
