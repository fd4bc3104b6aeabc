// A process of a domain killed with SIGKILL (docs/deploy.md "Several processes"): two real wsp-server processes share a
// real redis-server; the survivor ends the dead one's calls that had not handed over with bye 503, within a few of its
// heartbeats, and leaves the handed-over ones alone.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import type { WspServer } from '../../src/server/index.js';
import { NODE_LOST_REASON } from '../../src/server/cluster/index.js';
import { serve } from './cli-helpers.js';
import { Client, DOMAIN, frames, SECRET } from './helpers.js';
import { RedisServer } from './redis-helpers.js';

async function process(t: TestContext, redis: RedisServer) {
  const server = await serve(['--domain', DOMAIN, '--redis', redis.url, '--redis-heartbeat', '200', '--debug'], { WSP_SECRET: SECRET });
  t.after(() => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  });
  const target = { url: String(server.listening.url), domain: DOMAIN } as WspServer;
  /** Connects `user` and waits until Redis holds where the device is. */
  const online = async (user: string) => {
    const written = server.log.filter((line) => line.msg === 'presence written').length;
    const client = await Client.open(t, target, user);
    await server.logged((line) => line.msg === 'presence written' && server.log.filter((l) => l.msg === 'presence written').length > written);
    return client;
  };
  return { ...server, online };
}

test('SIGKILL of the callee’s process while ringing: bye 503 on the surviving side; the handed-over call is untouched', async (t) => {
  const redis = await RedisServer.start(t);
  const p1 = await process(t, redis);
  const p2 = await process(t, redis);
  const alice = await p1.online('alice');
  const dave = await p1.online('dave');
  const bob = await p2.online('bob');
  const carol = await p2.online('carol');

  // h1 hands over to its DataChannel: neither server has anything to do with it afterwards.
  alice.send(frames.invite('h1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.offer('h1'));
  assert.equal((await alice.next())[0], 'offer');
  alice.send(frames.answer('h1'));
  assert.equal((await bob.next())[0], 'answer');
  alice.send(frames.bye('h1', ByeCode.TRANSFERRED));
  assert.deepEqual(await bob.next(), frames.bye('h1', ByeCode.TRANSFERRED));
  bob.send(frames.bye('h1', ByeCode.TRANSFERRED));
  assert.deepEqual(await alice.next(), frames.bye('h1', ByeCode.TRANSFERRED));

  // k1 rings bob on process 2 (owned by process 1); k2 rings dave on process 1 (owned by process 2).
  alice.send(frames.invite('k1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  carol.send(frames.invite('k2', carol.user, dave.user));
  assert.equal((await dave.next())[0], 'invite');

  p2.child.kill('SIGKILL');
  await once(p2.child, 'exit');
  // The first frame alice gets is k1's end: nothing came for h1.
  assert.deepEqual(await alice.next(), frames.bye('k1', ByeCode.PEER_LOST));
  assert.deepEqual(await dave.next(), frames.bye('k2', ByeCode.PEER_LOST, NODE_LOST_REASON));
  const lost = await p1.logged((line) => line.msg === 'process lost: ending its calls');
  assert.equal(typeof lost.node, 'string');
  await alice.sync();
});
