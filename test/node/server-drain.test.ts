// SIGTERM drains a real `wsp-server` process (docs/protocol.md §3.1): clients not needed by a call are told to come back
// with 1012 at once, those in a call ringing or not yet handed over when it ends or hands over, the rest after
// --drain-timeout with bye 503 first; then the process exits. Every step waits for an event, never for time.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { clientProtocols, RESTART_CLOSE_CODE, retryAfterOf } from '../../src/protocol/index.js';
import { mintToken } from '../../src/server/index.js';
import { serve } from './cli-helpers.js';
import { Client, frames, refusal } from './helpers.js';

const SECRET = 'drain-secret';
const DOMAIN = 'alpha.localhost';
const JITTER_MS = 2000;

/** A client of the server process that remembers how its socket closed. */
class Phone extends Client {
  readonly ended: Promise<{ code: number; reason: string }>;

  constructor(ws: WebSocket, user: string) {
    super(ws, user);
    this.ended = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async connect(t: TestContext, url: string, user: string): Promise<Phone> {
    const token = await mintToken({ address: `${user}@${DOMAIN}`, secret: SECRET });
    const ws = new WebSocket(url, clientProtocols(token));
    await once(ws, 'open');
    const phone = new Phone(ws, `${user}@${DOMAIN}`);
    t.after(() => ws.terminate());
    return phone;
  }

  /** Resolves once the server closed the socket with 1012 and a delay within the jitter; returns the delay. */
  async toldToRestart(): Promise<number> {
    const { code, reason } = await this.ended;
    assert.equal(code, RESTART_CLOSE_CODE, `${this.user}: closed with ${code} ${reason}`);
    const delay = retryAfterOf(reason);
    assert.ok(delay !== undefined && delay >= 0 && delay <= JITTER_MS, `${this.user}: reason ${reason}`);
    return delay;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

async function start(t: TestContext, drainTimeoutMs: number) {
  const server = await serve(['--domain', DOMAIN, '--drain-timeout', String(drainTimeoutMs), '--drain-jitter', String(JITTER_MS)], {
    WSP_SECRET: SECRET,
  });
  t.after(() => server.child.kill('SIGKILL'));
  const url = String(server.listening.url);
  const phones = (...users: string[]) => Promise.all(users.map((user) => Phone.connect(t, url, user)));
  return { ...server, url, phones, base: `http://127.0.0.1:${String(server.listening.port)}` };
}

/** alice calls bob, whose phone rings; then the server gets SIGTERM. Resolves with both and the process's exit. */
async function ringThenTerminate(server: Awaited<ReturnType<typeof start>>, call: string) {
  const [alice, bob] = await server.phones('alice', 'bob');
  alice!.send(frames.invite(call, alice!.user, bob!.user));
  assert.equal((await bob!.next())[0], 'invite');
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  return { alice: alice!, bob: bob!, exited };
}

describe('wsp-server drain on SIGTERM', { concurrency: true }, () => {
  test('idle and handed-over clients go at once; a ringing call and an accepted one keep theirs until they hand over or end', async (t) => {
    const server = await start(t, 600_000);
    const [carol, alice, bob, dave, erin, frank, gina] = await server.phones('carol', 'alice', 'bob', 'dave', 'erin', 'frank', 'gina');
    // Ringing: alice calls bob.
    alice!.send(frames.invite('ring', alice!.user, bob!.user));
    assert.equal((await bob!.next())[0], 'invite');
    bob!.send(frames.ringing('ring'));
    assert.equal((await alice!.next())[0], 'ringing');
    // On their DataChannel: dave and erin both sent bye 101.
    dave!.send(frames.invite('moved', dave!.user, erin!.user));
    assert.equal((await erin!.next())[0], 'invite');
    erin!.send(frames.offer('moved'));
    assert.equal((await dave!.next())[0], 'offer');
    dave!.send(frames.bye('moved', 101));
    assert.equal((await erin!.nextBye())[1].code, 101);
    erin!.send(frames.bye('moved', 101));
    assert.equal((await dave!.nextBye())[1].code, 101);
    // Accepted, not handed over: gina took frank's call.
    frank!.send(frames.invite('talk', frank!.user, gina!.user));
    assert.equal((await gina!.next())[0], 'invite');
    gina!.send(frames.offer('talk'));
    assert.equal((await frank!.next())[0], 'offer');

    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    const delays = await Promise.all([carol!, dave!, erin!].map((phone) => phone.toldToRestart()));
    // A server that told every client at once would have closed these too, in the same turn.
    for (const phone of [alice!, bob!, frank!, gina!]) assert.ok(phone.open, `${phone.user} keeps its socket`);
    assert.equal((await fetch(`${server.base}/readyz`)).status, 503);
    assert.deepEqual(await refusal(server.url, clientProtocols(await mintToken({ address: `zoe@${DOMAIN}`, secret: SECRET }))), {
      status: 503,
      body: 'server draining: reconnect later',
    });

    // The ringing call is accepted and hands over through the draining server.
    bob!.send(frames.offer('ring'));
    assert.equal((await alice!.next())[0], 'offer');
    alice!.send(frames.answer('ring'));
    assert.equal((await bob!.next())[0], 'answer');
    alice!.send(frames.bye('ring', 101));
    assert.equal((await bob!.nextBye())[1].code, 101);
    delays.push(await alice!.toldToRestart()); // it needs the server no more after its own 101
    assert.ok(bob!.open, 'bob has yet to send his 101');
    bob!.send(frames.bye('ring', 101));
    delays.push(await bob!.toldToRestart());
    // The accepted call ends.
    assert.ok(frank!.open && gina!.open);
    gina!.send(frames.bye('talk', 200));
    assert.equal((await frank!.nextBye())[1].code, 200);
    delays.push(await frank!.toldToRestart(), await gina!.toldToRestart());

    assert.deepEqual(await exited, [0, null]);
    assert.ok(server.log.some((entry) => entry.msg === 'draining'));
    assert.ok(server.log.some((entry) => entry.msg === 'drained'));
    assert.ok(new Set(delays).size > 1, `the delays are spread, not one for all: ${delays.join(', ')}`);
  });

  test('after --drain-timeout the calls left end with bye 503 before their sockets get 1012', async (t) => {
    const server = await start(t, 1);
    const { alice, bob, exited } = await ringThenTerminate(server, 'late');
    for (const phone of [alice, bob]) {
      assert.deepEqual(await phone.nextBye(), frames.bye('late', 503));
      await phone.toldToRestart();
    }
    assert.deepEqual(await exited, [0, null]);
    assert.ok(server.log.some((entry) => entry.msg === 'drain timed out: ending the calls left' && entry.ringing === 1));
  });

  test('a second signal while draining exits at once', async (t) => {
    const server = await start(t, 600_000);
    const { alice, exited } = await ringThenTerminate(server, 'stuck');
    await server.logged((entry) => entry.msg === 'draining');
    server.child.kill('SIGINT');
    assert.deepEqual(await exited, [1, null]);
    assert.equal((await alice.ended).code, 1006, 'cut off with the process, not told to come back');
  });
});
