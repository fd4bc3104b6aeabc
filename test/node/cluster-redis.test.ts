// One domain on two servers sharing a real redis-server (docs/deploy.md "Several processes"): the servers run in this
// process, each with its own Redis connections, as two processes would; clients are real ws clients.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ByeCode, type Frame } from '../../src/protocol/index.js';
import { generateKeys, type WspServer, type WspServerOptions } from '../../src/server/index.js';
import { STATE_UNREACHABLE_REASON } from '../../src/server/cluster/index.js';
import { ALPHA, BETA } from './federation-helpers.js';
import { Client, frames, startServer } from './helpers.js';
import { RedisServer, watchedLogger } from './redis-helpers.js';

/** Fast heartbeats, so a lost process is noticed soon; the tests wait for events, never for time. */
const HEARTBEAT_MS = 200;

const logs = new WeakMap<WspServer, ReturnType<typeof watchedLogger>>();

async function twoProcesses(t: TestContext, redis: RedisServer, options: Partial<WspServerOptions> = {}) {
  const start = async () => {
    const watched = watchedLogger();
    const server = await startServer(t, { redis: { url: redis.url, heartbeatMs: HEARTBEAT_MS }, log: watched.log, ...options });
    logs.set(server, watched);
    return server;
  };
  const p1 = await start();
  const p2 = await start();
  return { p1, p2, logs: [logs.get(p1)!, logs.get(p2)!] };
}

/** Connects `user`; on a process of the cluster, waits until Redis holds where the device is (the others find it then). */
async function online(t: TestContext, server: WspServer, user: string): Promise<Client> {
  const written = logs.get(server)?.seen('presence written');
  const client = await Client.open(t, server, user);
  await written;
  return client;
}

async function expectFrame(client: Client, frame: Frame): Promise<void> {
  assert.deepEqual(await client.next(), frame);
}

test('alice on process 1 calls bob on process 2: ring, accept, candidates, handover; then a hang-up', async (t) => {
  const redis = await RedisServer.start(t);
  const { p1, p2 } = await twoProcesses(t, redis);
  const alice = await online(t, p1, 'alice');
  const bob = await online(t, p2, 'bob');

  alice.send(frames.invite('c1', alice.user, bob.user));
  assert.deepEqual((await bob.next()).slice(0, 1), ['invite']);
  bob.send(frames.ringing('c1'));
  await expectFrame(alice, frames.ringing('c1'));
  bob.send(frames.offer('c1', 'v=0 bob'));
  await expectFrame(alice, frames.offer('c1', 'v=0 bob'));
  alice.send(frames.answer('c1', 'v=0 alice'));
  await expectFrame(bob, frames.answer('c1', 'v=0 alice'));
  alice.send(frames.candidate('c1', 'candidate:a'));
  await expectFrame(bob, frames.candidate('c1', 'candidate:a'));
  bob.send(frames.candidate('c1', 'candidate:b'));
  await expectFrame(alice, frames.candidate('c1', 'candidate:b'));
  alice.send(frames.bye('c1', ByeCode.TRANSFERRED));
  await expectFrame(bob, frames.bye('c1', ByeCode.TRANSFERRED));
  bob.send(frames.bye('c1', ByeCode.TRANSFERRED));
  await expectFrame(alice, frames.bye('c1', ByeCode.TRANSFERRED));
  // Both sides handed over: both processes forgot the call, so a frame for it is foreign now (403).
  bob.send(frames.candidate('c1', 'candidate:late'));
  await expectFrame(bob, frames.bye('c1', ByeCode.FORBIDDEN));

  // The other way round, and hung up before the handover: bob calls alice, she hangs up.
  bob.send(frames.invite('c2', bob.user, alice.user));
  assert.equal((await alice.next())[0], 'invite');
  alice.send(frames.offer('c2'));
  await expectFrame(bob, frames.offer('c2'));
  alice.send(frames.bye('c2', ByeCode.NORMAL));
  await expectFrame(bob, frames.bye('c2', ByeCode.NORMAL));
  // The caller cancelling a ringing call stops it on the other process too.
  alice.send(frames.invite('c3', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  alice.send(frames.bye('c3', ByeCode.CANCELLED));
  await expectFrame(bob, frames.bye('c3', ByeCode.CANCELLED));
  await alice.sync();
});

test('bob on two devices on two processes: both ring, the first accept wins, the other stops', async (t) => {
  const redis = await RedisServer.start(t);
  const { p1, p2 } = await twoProcesses(t, redis);
  const alice = await online(t, p1, 'alice');
  const here = await online(t, p1, 'bob');
  const there = await online(t, p2, 'bob');

  alice.send(frames.invite('c1', alice.user, here.user));
  assert.equal((await here.next())[0], 'invite');
  assert.equal((await there.next())[0], 'invite');
  there.send(frames.offer('c1', 'v=0 there'));
  await expectFrame(alice, frames.offer('c1', 'v=0 there'));
  await expectFrame(here, frames.bye('c1', ByeCode.ANSWERED_ELSEWHERE));
  alice.send(frames.bye('c1', ByeCode.NORMAL));
  await expectFrame(there, frames.bye('c1', ByeCode.NORMAL));

  // Both accept at once, from two processes: the call's owner takes exactly one, the other device is told 409.
  alice.send(frames.invite('c2', alice.user, here.user));
  assert.equal((await here.next())[0], 'invite');
  assert.equal((await there.next())[0], 'invite');
  here.send(frames.offer('c2', 'v=0 here'));
  there.send(frames.offer('c2', 'v=0 there'));
  const offer = await alice.next();
  assert.equal(offer[0], 'offer');
  const [winner, loser] = offer[1] && 'sdp' in offer[1] && offer[1].sdp === 'v=0 here' ? [here, there] : [there, here];
  await expectFrame(loser, frames.bye('c2', ByeCode.ANSWERED_ELSEWHERE));
  // Its offer came too late: it hears so, and the caller hears nothing more.
  assert.deepEqual(await loser.next(), ['bye', { code: 400, reason: 'call accepted on another device' }, {}]);
  await alice.sync();
  winner.send(frames.bye('c2', ByeCode.NORMAL));
  await expectFrame(alice, frames.bye('c2', ByeCode.NORMAL));
  // Every device refusing ends the call with 486, whichever process they are on.
  alice.send(frames.invite('c3', alice.user, here.user));
  assert.equal((await here.next())[0], 'invite');
  assert.equal((await there.next())[0], 'invite');
  here.send(frames.bye('c3', ByeCode.BUSY));
  there.send(frames.bye('c3', ByeCode.BUSY));
  await expectFrame(alice, frames.bye('c3', ByeCode.BUSY));
});

test('a call id in use on one process cannot be placed on another', async (t) => {
  const redis = await RedisServer.start(t);
  const { p1, p2 } = await twoProcesses(t, redis);
  const alice = await online(t, p1, 'alice');
  const carol = await online(t, p2, 'carol');
  const bob = await online(t, p2, 'bob');
  alice.send(frames.invite('same', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  carol.send(frames.invite('same', carol.user, bob.user));
  assert.deepEqual(await carol.next(), ['bye', { code: 400, reason: 'call id same is already in use' }, {}]);
  await bob.sync(); // no second invite reached bob
});

test('federated: alice@alpha calls bob@beta, beta on two processes, the link lands on the one without bob', async (t) => {
  const redis = await RedisServer.start(t);
  const peers = new Map<string, string>();
  const keys = generateKeys(); // the domain's key: every process of beta signs and announces the same
  const alpha = await startServer(t, { domain: ALPHA, federation: { peers } });
  const beta = { domain: BETA, federation: { peers, keys } };
  const { p1, p2 } = await twoProcesses(t, redis, beta);
  peers.set(ALPHA, `http://127.0.0.1:${alpha.port}`);
  peers.set(BETA, `http://127.0.0.1:${p1.port}`); // the balancer sent alpha's link to process 1
  const alice = await online(t, alpha, 'alice');
  const bob = await online(t, p2, 'bob');

  alice.send(frames.invite('f1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.ringing('f1'));
  await expectFrame(alice, frames.ringing('f1'));
  bob.send(frames.offer('f1'));
  await expectFrame(alice, frames.offer('f1'));
  alice.send(frames.answer('f1'));
  await expectFrame(bob, frames.answer('f1'));
  bob.send(frames.bye('f1', ByeCode.NORMAL));
  await expectFrame(alice, frames.bye('f1', ByeCode.NORMAL));

  // And back: bob on process 2 calls alice; beta's process 2 opens its own link to alpha (links are per process).
  bob.send(frames.invite('f2', bob.user, alice.user));
  assert.equal((await alice.next())[0], 'invite');
  alice.send(frames.bye('f2', ByeCode.DECLINED));
  await expectFrame(bob, frames.bye('f2', ByeCode.DECLINED));
});

test('Redis restarted mid-ring and between calls: the ringing call goes on, a call during the outage fails fast, then all recovers', async (t) => {
  const redis = await RedisServer.start(t);
  const { p1, p2, logs } = await twoProcesses(t, redis);
  const alice = await online(t, p1, 'alice');
  const bob = await online(t, p2, 'bob');
  const carol = await online(t, p1, 'carol');

  alice.send(frames.invite('r1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  const lost = logs.map((entry) => entry.seen('redis error'));
  await redis.stop();
  await Promise.all(lost);
  // During the outage: a call to a user with no device on this process fails at once with 500, and says why.
  carol.send(frames.invite('r2', carol.user, bob.user));
  await expectFrame(carol, frames.bye('r2', ByeCode.SERVER_ERROR, STATE_UNREACHABLE_REASON));
  // Asked after the 500, which proves the command connection saw the outage (the first error may be another connection's).
  assert.equal(p1.cluster?.().reachable, false, 'a readiness check sees Redis gone');
  assert.ok((p1.cluster?.().errors ?? 0) > 0, 'the failed commands are counted');
  const counted = await p1.metrics.registry.getSingleMetricAsString('wsp_redis_errors_total');
  assert.match(counted, /wsp_redis_errors_total\{operation="(connection|command)"\} [1-9]/, 'and reach /metrics');
  const readyz = new URL('/readyz', p1.url.replace(/^ws/, 'http'));
  assert.equal((await fetch(readyz)).status, 503, '/readyz answers 503 while Redis is gone');
  // A callee on the caller's own process is still reached.
  carol.send(frames.invite('r3', carol.user, alice.user));
  assert.equal((await alice.next())[0], 'invite');
  alice.send(frames.bye('r3', ByeCode.DECLINED));
  await expectFrame(carol, frames.bye('r3', ByeCode.DECLINED));

  const back = logs.map((entry) => entry.seen('redis reachable again: presence written again'));
  await redis.restart(); // empty: it forgot every key, and node-redis must subscribe again by itself
  await Promise.all(back);
  assert.equal(p1.cluster?.().reachable, true);
  // The call that rang through the outage is still there on both processes, and its frames cross again.
  bob.send(frames.offer('r1'));
  await expectFrame(alice, frames.offer('r1'));
  alice.send(frames.bye('r1', ByeCode.NORMAL));
  await expectFrame(bob, frames.bye('r1', ByeCode.NORMAL));
  // Between calls: presence was written again, so a new cross-process call rings.
  carol.send(frames.invite('r4', carol.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.offer('r4'));
  await expectFrame(carol, frames.offer('r4'));
  carol.send(frames.bye('r4', ByeCode.NORMAL));
  await expectFrame(bob, frames.bye('r4', ByeCode.NORMAL));
});
