// The cross-process rules on MemoryHub, the shared state of several servers in one process: what Redis does for
// processes on many machines (cluster-redis.test.ts runs the same flows on a real redis-server).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByeCode } from '../../src/protocol/index.js';
import { decodeMessage, encodeMessage, MemoryHub, NODE_LOST_REASON } from '../../src/server/cluster/index.js';
import { Client, frames, startServer } from './helpers.js';

test('MemoryHub: a call crosses servers, and a vanished owner ends its ringing call on the device’s server with 503', async (t) => {
  const hub = new MemoryHub();
  const p1 = await startServer(t, { cluster: { state: hub.state('one'), heartbeatMs: 50 } });
  const p2 = await startServer(t, { cluster: { state: hub.state('two'), heartbeatMs: 50 } });
  const alice = await Client.open(t, p1, 'alice');
  const bob = await Client.open(t, p2, 'bob');
  await Promise.all([alice.sync(), bob.sync()]); // both connections registered (the hub writes at once)

  alice.send(frames.invite('m1', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  bob.send(frames.offer('m1'));
  assert.deepEqual(await alice.next(), frames.offer('m1'));
  bob.send(frames.bye('m1', ByeCode.NORMAL));
  assert.deepEqual(await alice.next(), frames.bye('m1', ByeCode.NORMAL));

  alice.send(frames.invite('m2', alice.user, bob.user));
  assert.equal((await bob.next())[0], 'invite');
  hub.kill('one');
  assert.deepEqual(await bob.next(), frames.bye('m2', ByeCode.PEER_LOST, NODE_LOST_REASON));
  // Nobody on a dead server is found any more: bob calling alice hears she is offline.
  bob.send(frames.invite('m3', bob.user, alice.user));
  assert.deepEqual(await bob.next(), frames.bye('m3', ByeCode.OFFLINE));
});

test('a message between processes is checked like a frame from the network: anything malformed is no message', () => {
  const frame = frames.candidate('c1');
  const to = { kind: 'to', from: 'one', device: 'two/1', frame } as const;
  assert.deepEqual(decodeMessage(encodeMessage(to)), to);
  const from = { kind: 'from', node: 'two', device: 'two/1', user: 'bob@alpha.localhost', frame } as const;
  assert.deepEqual(decodeMessage(encodeMessage(from)), from);
  assert.deepEqual(decodeMessage(encodeMessage({ kind: 'gone', node: 'two', device: 'two/1' })), { kind: 'gone', node: 'two', device: 'two/1' });
  for (const bad of [
    'not json',
    'null',
    '[]',
    JSON.stringify({ kind: 'gone', node: 'two' }),
    JSON.stringify({ kind: 'to', from: 'one', device: 'two/1', frame: '["icecandidate",{},{}]' }), // decode() refuses it
    JSON.stringify({ kind: 'to', from: 'one', device: 'two/1', frame: ['bye', { code: 200 }, { call: 'c1' }] }), // not the wire text
    JSON.stringify({ kind: 'from', node: 'two', device: 'two/1', frame: '["bye",{"code":200},{"call":"c1"}]' }), // no user
    JSON.stringify({ kind: 'to', from: 'one two', device: 'two/1', frame: '["bye",{"code":200},{"call":"c1"}]' }),
    JSON.stringify({ kind: 'broadcast', node: 'two', device: 'two/1' }),
  ]) {
    assert.equal(decodeMessage(bad), undefined, bad);
  }
});
