// The TURN credentials a widget gets from its server (src/call/ice-servers.ts), with a stand-in for fetch and a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IssuedIceServers, mergeIceServers, readTurnAnswer, turnCredentialsUrl } from '../../src/call/ice-servers.js';
import { fakeClock } from './fake-clock.js';

const issued = (n: number) => ({ urls: ['turn:turn.example.org:3478'], username: `${n}:alice@example.org`, credential: `c${n}` });

/** A server that answers each request with the next of `answers` (status, body), and records what was asked: `POST <url> <body>`. */
function server(answers: [number, unknown][]) {
  const asked: string[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    asked.push(`${init?.method} ${url} ${init?.body}`);
    const [status, body] = answers.shift() ?? [503, 'down'];
    return new Response(status === 204 ? null : JSON.stringify(body), { status });
  }) as typeof globalThis.fetch;
  return { asked, fetch };
}

describe('TURN credentials in the widget', () => {
  it('asks at the WebSocket URL turned into http(s), /turn added to its path, with no token in it', () => {
    assert.equal(turnCredentialsUrl('wss://example.org/wsp'), 'https://example.org/wsp/turn');
    assert.equal(turnCredentialsUrl('ws://127.0.0.1:8080/wsp?x=1#y'), 'http://127.0.0.1:8080/wsp/turn');
    // Behind a proxy that serves the server under a prefix (the demo's /alpha/wsp), the credentials are there too.
    assert.equal(turnCredentialsUrl('ws://localhost:5173/alpha/wsp'), 'http://localhost:5173/alpha/wsp/turn');
    assert.equal(turnCredentialsUrl('wss://example.org/wsp/'), 'https://example.org/wsp/turn');
  });

  it("puts the page's ICE servers first, then the server's", () => {
    assert.deepEqual(mergeIceServers([{ urls: 'stun:stun.example.org' }], [issued(1)]), [{ urls: 'stun:stun.example.org' }, issued(1)]);
    assert.deepEqual(mergeIceServers(undefined, undefined), []);
  });

  it('reads only a list of ICE servers with a positive lifetime', () => {
    assert.deepEqual(readTurnAnswer({ iceServers: [issued(1)], ttl: 60, expires: 1 }), { iceServers: [issued(1)], ttl: 60 });
    for (const bad of [null, 'x', { iceServers: [issued(1)] }, { iceServers: [{}], ttl: 60 }, { iceServers: 'turn:x', ttl: 60 }, { iceServers: [], ttl: 0 }]) {
      assert.equal(readTurnAnswer(bad), undefined, JSON.stringify(bad));
    }
  });

  it('renews at three quarters of the lifetime with a fresh token, and drops credentials that expired unrenewed', async () => {
    const clock = fakeClock();
    const { asked, fetch } = server([
      [200, { iceServers: [issued(1)], ttl: 100 }],
      [200, { iceServers: [issued(2)], ttl: 100 }],
    ]);
    let tokens = 0;
    const servers = new IssuedIceServers({ server: 'wss://example.org/wsp', token: () => `t.${++tokens}.s`, fetch, timers: clock });
    assert.deepEqual(await servers.renew(), [issued(1)]);
    clock.advance(74_999);
    assert.equal(asked.length, 1);
    clock.advance(1);
    await servers.renewal;
    assert.deepEqual(asked, ['POST https://example.org/wsp/turn t.1.s', 'POST https://example.org/wsp/turn t.2.s']);
    assert.deepEqual(servers.servers, [issued(2)]);
    // The server is down from now on: the renewals fail, and at their expiry the credentials go.
    clock.advance(99_999);
    assert.deepEqual(servers.servers, [issued(2)]);
    clock.advance(1);
    assert.deepEqual(servers.servers, []);
    servers.stop();
    assert.equal(clock.pending(), 0);
  });

  it('a server without TURN (204; 404 from an older one) or unreachable leaves the list empty and never rejects', async () => {
    const { fetch } = server([
      [204, undefined],
      [404, 'not found'],
    ]);
    const servers = new IssuedIceServers({ server: 'ws://127.0.0.1:1/wsp', token: () => 't.o.k', fetch, timers: fakeClock() });
    assert.deepEqual(await servers.renew(), []);
    assert.deepEqual(await servers.renew(), []);
    const failing = new IssuedIceServers({ server: 'ws://127.0.0.1:1/wsp', token: () => Promise.reject(new Error('no token')), timers: fakeClock() });
    assert.deepEqual(await failing.renew(), []);
  });

  it('asks nothing when its token source has no token (the client says why: an object instead of a string)', async () => {
    const { asked, fetch } = server([]);
    const failure = { code: 'token-provider', message: 'No sign-in token: Error: backend down' };
    const servers = new IssuedIceServers({ server: 'wss://example.org/wsp', token: async () => failure, fetch, timers: fakeClock() });
    assert.deepEqual(await servers.renew(), []);
    assert.deepEqual(asked, []);
  });
});
