// Where federation may connect (docs/security.md, "Federation cannot reach the server's own network"): a caller names
// any domain, a domain's document names any link URL; neither may make the server connect into its own network, and
// neither learns from the 502 why a domain cannot be reached.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import { Discovery, generateKeys, isIpLiteralDomain, isPublicAddress, NetworkPolicy, wellKnownDocument } from '../../src/server/federation/index.js';
import { Client, frames, recordingLogger, startServer } from './helpers.js';

/** A host inside the server's network: counts the connections it gets, and answers each with a secret. */
async function internalHost(t: TestContext): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.on('error', () => {});
    socket.resume(); // read what comes, or the client's close is never seen and the server never closes
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\nINTERNAL-SECRET');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** A domain's well-known document server whose `link` points wherever the test says. */
async function documentServer(t: TestContext, domain: string, link: string): Promise<string> {
  const keys = generateKeys();
  const server = createHttpServer((_request, response) => {
    const document = { ...wellKnownDocument({ domain, publicUrl: 'http://127.0.0.1:9', keys, now: Date.now(), keyTtlMs: 3_600_000 }), link };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('public addresses are the only ones reached unless allowed; IP-address domains are told apart however written', () => {
  for (const ip of ['8.8.8.8', '2606:4700::1111', '1.1.1.1']) assert.ok(isPublicAddress(ip), ip);
  const special = [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '192.0.2.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:7f00:1::1',
    '2001::1',
    '2001:db8::1',
    'not an address',
  ];
  for (const ip of special) assert.equal(isPublicAddress(ip), false, ip);
  const lan = new NetworkPolicy(['10.0.0.0/8', 'fd00::/8']);
  assert.ok(lan.allows('10.9.8.7') && lan.allows('::ffff:10.9.8.7') && lan.allows('fd12::1') && lan.allows('8.8.8.8'));
  assert.equal(lan.allows('127.0.0.1') || lan.allows('192.168.0.1'), false);
  assert.throws(() => new NetworkPolicy(['10.0.0.0']), /CIDR/);

  for (const domain of ['127.0.0.1:22', '127.1', '0x7f.0.0.1:8080', '2130706433', '10.0.0.1']) assert.ok(isIpLiteralDomain(domain), domain);
  for (const domain of ['example.org', 'beta.localhost:8002', '127.0.0.1.example.org']) assert.equal(isIpLiteralDomain(domain), false, domain);
});

test('a name resolving to loopback is not connected to: the check is on the address resolved, not on the name', async () => {
  const policy = new NetworkPolicy();
  const target = policy.target(new URL('https://localhost:1/.well-known/wsp'));
  assert.ok(target.ok && target.lookup);
  const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => target.lookup!('localhost', { all: true }, resolve));
  assert.equal(error?.code, 'ENOTPUBLIC');
  // The host an operator configured is reached as it is, and only it (with its port).
  assert.deepEqual(policy.target(new URL('ws://127.0.0.1:8002/wsp/federation'), '127.0.0.1:8002'), { ok: true, lookup: undefined });
  assert.equal(policy.target(new URL('ws://127.0.0.1:6379/'), '127.0.0.1:8002').ok, false);
  assert.ok(new NetworkPolicy(['127.0.0.0/8']).target(new URL('ws://127.0.0.1:6379/')).ok);
});

test('a domain whose document names an internal link URL makes the server connect nowhere, and the caller learns nothing', async (t) => {
  const internal = await internalHost(t);
  const peers = new Map([['evil.test', await documentServer(t, 'evil.test', `ws://127.0.0.1:${internal.port}/any/path`)]]);
  const { log, lines } = recordingLogger();
  const server = await startServer(t, { log, federation: { peers, connectTimeoutMs: 2000 } });
  const alice = await Client.open(t, server, 'alice');
  alice.send(frames.invite('c1', 'alice@alpha.localhost', 'x@evil.test'));
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.UNREACHABLE, 'domain evil.test cannot be reached'));
  assert.equal(internal.connections(), 0, 'no connection reached the internal host');
  const failed = lines.find((line) => line.msg === 'link failed');
  assert.match(String(failed?.reason), /127\.0\.0\.1 is not a public address/);
});

test('an operator may allow a network: the same link URL is then reached', async (t) => {
  const internal = await internalHost(t);
  const peers = new Map([['lan.test', await documentServer(t, 'lan.test', `ws://127.0.0.1:${internal.port}/wsp/federation`)]]);
  const server = await startServer(t, { federation: { peers, allowNetworks: ['127.0.0.0/8'], connectTimeoutMs: 2000 } });
  const alice = await Client.open(t, server, 'alice');
  alice.send(frames.invite('c1', 'alice@alpha.localhost', 'x@lan.test'));
  assert.deepEqual(await alice.next(), frames.bye('c1', ByeCode.UNREACHABLE, 'domain lan.test cannot be reached'));
  assert.equal(internal.connections(), 1, 'allowed, so connected (and refused: it is no WSP server)');
});

test('an IP address as domain, or a name that resolves to loopback, is never looked up: no port scan through 502 reasons', async (t) => {
  const internal = await internalHost(t);
  const server = await startServer(t, { federation: { connectTimeoutMs: 2000 } });
  const alice = await Client.open(t, server, 'alice');
  // 2130706433 is 127.0.0.1 to a URL parser; localhost resolves to loopback.
  const domains = [`127.0.0.1:${internal.port}`, `2130706433:${internal.port}`, `localhost:${internal.port}`, '127.0.0.1:1'];
  for (const [i, domain] of domains.entries()) {
    alice.send(frames.invite(`c${i}`, 'alice@alpha.localhost', `x@${domain}`));
    assert.deepEqual(await alice.next(), frames.bye(`c${i}`, ByeCode.UNREACHABLE, `domain ${domain} cannot be reached`));
  }
  assert.equal(internal.connections(), 0);
  const discovery = new Discovery({ peers: new Map([['127.0.0.1:8002', 'http://127.0.0.1:8002']]) });
  assert.ok(discovery.location('127.0.0.1:8002'), 'a configured IP-address domain is reached');
  assert.equal(discovery.location('127.0.0.1:8003'), undefined);
});
