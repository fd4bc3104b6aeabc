// What an operator reads off a running server: /healthz, /readyz, and /metrics on its own listener.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import type { WspServer } from '../../src/server/index.js';
import { Client, established, frames, offer, refusal, startServer } from './helpers.js';
import { startDomains } from './federation-helpers.js';

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

const base = (server: WspServer) => `http://127.0.0.1:${server.port}`;
const metricsBase = (server: WspServer) => `http://127.0.0.1:${server.metricsPort}`;

/** The value of one sample of the Prometheus text, e.g. `wsp_calls_ended_total{code="200"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(server: WspServer): Promise<string> {
  const response = await get(`${metricsBase(server)}/metrics`);
  assert.equal(response.status, 200);
  return response.body;
}

describe('health and readiness', { concurrency: true }, () => {
  test('/healthz says ok; /readyz is 200 until drain() and 503 after, and refuses new clients with 503 and Retry-After', async (t) => {
    const server = await startServer(t, { drainJitterMs: 2000 });
    assert.deepEqual(await get(`${base(server)}/healthz`), { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
    assert.equal((await get(`${base(server)}/readyz`)).status, 200);
    assert.equal(server.draining, false);
    await server.drain();
    assert.equal(server.draining, true);
    assert.deepEqual(await get(`${base(server)}/readyz`), { status: 503, body: 'draining', type: 'text/plain; charset=utf-8' });
    assert.equal((await get(`${base(server)}/healthz`)).status, 200, 'still alive');
    const refused = await refusal(server.url, offer('any.to.ken'));
    assert.deepEqual(refused, { status: 503, body: 'server draining: reconnect later' });
  });

  test('/readyz takes the embedder check: false, a throw and a rejection are 503', async (t) => {
    let verdict: () => boolean | Promise<boolean> = () => true;
    const server = await startServer(t, { readiness: () => verdict() });
    assert.deepEqual(await get(`${base(server)}/readyz`), { status: 200, body: 'ready', type: 'text/plain; charset=utf-8' });
    verdict = () => false;
    assert.deepEqual(await get(`${base(server)}/readyz`), { status: 503, body: 'not ready', type: 'text/plain; charset=utf-8' });
    verdict = () => {
      throw new Error('redis down');
    };
    assert.equal((await get(`${base(server)}/readyz`)).status, 503);
    verdict = () => Promise.reject(new Error('redis down'));
    assert.equal((await get(`${base(server)}/readyz`)).status, 503);
    verdict = async () => true;
    assert.equal((await get(`${base(server)}/readyz`)).status, 200);
  });

  test('a draining upgrade says when to come back: Retry-After in whole seconds, within the jitter', async (t) => {
    const server = await startServer(t, { drainJitterMs: 3000 });
    void server.drain();
    const upgrade = request(`${base(server)}/wsp`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } }).end();
    const [response] = (await once(upgrade, 'response')) as [IncomingMessage];
    response.resume();
    assert.equal(response.statusCode, 503);
    const seconds = Number(response.headers['retry-after']);
    assert.ok(Number.isInteger(seconds) && seconds >= 0 && seconds <= 3, `Retry-After: ${response.headers['retry-after']}`);
  });
});

describe('metrics', { concurrency: true }, () => {
  test('are not served on the public port, and are on the metrics port with /healthz and /readyz', async (t) => {
    const plain = await startServer(t);
    assert.equal(plain.metricsPort, undefined);
    assert.equal((await get(`${base(plain)}/metrics`)).status, 404);
    const server = await startServer(t, { metricsPort: 0 });
    assert.notEqual(server.metricsPort, server.port);
    assert.equal((await get(`${base(server)}/metrics`)).status, 404, 'never on the public port');
    const response = await get(`${metricsBase(server)}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.type, 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(response.body, /^# HELP wsp_connections /m);
    assert.match(response.body, /^process_resident_memory_bytes /m);
    assert.equal((await get(`${metricsBase(server)}/healthz`)).status, 200);
    assert.equal((await get(`${metricsBase(server)}/readyz`)).status, 200);
    assert.equal((await get(`${metricsBase(server)}/wsp`)).status, 404);
  });

  test('count connections, calls by state, ended calls by code, setup time and frames, per server', async (t) => {
    const server = await startServer(t, { metricsPort: 0 });
    const other = await startServer(t, { metricsPort: 0 });
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((user) => Client.open(t, server, user)));
    let text = await scrape(server);
    assert.equal(sample(text, 'wsp_connections'), 3);
    assert.equal(sample(await scrape(other), 'wsp_connections'), 0, 'each server has its own registry');

    alice!.send(frames.invite('c1', alice!.user, bob!.user));
    assert.equal((await bob!.next())[0], 'invite');
    text = await scrape(server);
    assert.equal(sample(text, 'wsp_calls{state="ringing"}'), 1);
    assert.equal(sample(text, 'wsp_calls{state="accepted"}'), 0);

    bob!.send(frames.offer('c1'));
    assert.equal((await alice!.next())[0], 'offer');
    alice!.send(frames.answer('c1'));
    assert.equal((await bob!.next())[0], 'answer');
    alice!.send(frames.answer('c1')); // a renegotiation's answer: no second setup time
    assert.equal((await bob!.next())[0], 'answer');
    text = await scrape(server);
    assert.equal(sample(text, 'wsp_calls{state="ringing"}'), 0);
    assert.equal(sample(text, 'wsp_calls{state="accepted"}'), 1);
    assert.equal(sample(text, 'wsp_call_setup_seconds_count'), 1);

    alice!.send(frames.bye('c1', 101));
    assert.equal((await bob!.nextBye())[1].code, 101);
    assert.equal(sample(await scrape(server), 'wsp_calls{state="handover"}'), 1);
    bob!.send(frames.bye('c1', 101));
    assert.equal((await alice!.nextBye())[1].code, 101);

    await established(alice!, carol!, 'c2');
    alice!.send(frames.answer('c2'));
    assert.equal((await carol!.next())[0], 'answer');
    carol!.send(frames.bye('c2', 200));
    assert.equal((await alice!.nextBye())[1].code, 200);
    alice!.send(frames.invite('c3', alice!.user, 'nobody@alpha.localhost'));
    assert.equal((await alice!.nextBye())[1].code, 480); // refused at once: never in the call table

    alice!.send('not json');
    await alice!.nextNotice();
    alice!.send(Buffer.from([1, 2, 3]));
    await alice!.nextNotice();

    text = await scrape(server);
    assert.equal(sample(text, 'wsp_calls_ended_total{code="101"}'), 1);
    assert.equal(sample(text, 'wsp_calls_ended_total{code="200"}'), 1);
    assert.equal(sample(text, 'wsp_calls_ended_total{code="480"}'), undefined);
    assert.equal(sample(text, 'wsp_call_setup_seconds_count'), 2);
    assert.equal(sample(text, 'wsp_calls{state="accepted"}'), 0);
    assert.equal(sample(text, 'wsp_frames_received_total{source="client",keyword="invite"}'), 3);
    assert.equal(sample(text, 'wsp_frames_received_total{source="client",keyword="answer"}'), 3);
    assert.equal(sample(text, 'wsp_frames_sent_total{source="client",keyword="invite"}'), 2);
    assert.equal(sample(text, 'wsp_frames_sent_total{source="client",keyword="answer"}'), 3);
    assert.equal(sample(text, 'wsp_frames_refused_total{source="client",reason="malformed"}'), 1);
    assert.equal(sample(text, 'wsp_frames_refused_total{source="client",reason="binary"}'), 1);
    assert.equal(sample(text, 'wsp_redis_errors_total'), undefined, 'no sample until the Redis adapter counts one');
    server.metrics.redisErrors.inc({ operation: 'publish' });
    assert.equal(sample(await scrape(server), 'wsp_redis_errors_total{operation="publish"}'), 1);
    assert.equal(sample(await scrape(other), 'wsp_calls_ended_total{code="200"}'), undefined);
  });

  test('count frames over the rate limit as rate_limited', async (t) => {
    const server = await startServer(t, { metricsPort: 0, limits: { framesPerSecond: 1, frameBurst: 1 } });
    const alice = await Client.open(t, server, 'alice');
    // Five at once: at one a second, the allowance cannot refill for all of them; the first dropped is answered with 429.
    for (let i = 0; i < 5; i++) alice.send(frames.bye(`x${i}`, 200));
    for (let frame = await alice.nextBye(); frame[1].code !== 429; frame = await alice.nextBye()) assert.equal(frame[1].code, 403);
    const dropped = sample(await scrape(server), 'wsp_frames_refused_total{source="client",reason="rate_limited"}');
    assert.ok(dropped !== undefined && dropped >= 1 && dropped <= 4, String(dropped));
  });

  test('show federation links by peer domain and state', async (t) => {
    const { alpha, beta } = await startDomains(t, { alpha: { metricsPort: 0 } });
    const alice = await Client.open(t, alpha, 'alice');
    const bob = await Client.open(t, beta, 'bob');
    alice.send(frames.invite('f1', alice.user, bob.user));
    assert.equal((await bob.next())[0], 'invite');
    const text = await scrape(alpha);
    assert.equal(sample(text, `wsp_federation_links{peer="${beta.domain}",state="open"}`), 1);
    assert.equal(sample(text, 'wsp_frames_sent_total{source="link",keyword="invite"}'), 1);
    assert.equal(sample(text, 'wsp_frames_received_total{source="client",keyword="invite"}'), 1);
    assert.equal(sample(text, 'wsp_calls{state="ringing"}'), 1);
  });
});
