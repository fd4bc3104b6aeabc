// The server's log: JSON lines through pino, with the call id where there is one, and never a token or an SDP, even at
// debug level, even when a client puts them where they do not belong.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Frame } from '../../src/protocol/index.js';
import { createLogger, mintToken } from '../../src/server/index.js';
import { Client, DOMAIN, frames, offer, recordingLogger, refusal, SECRET, startServer } from './helpers.js';

const SDP = 'v=0 o=- 4611731400430051336 2 IN IP4 203.0.113.77 s=SDP-MARKER';
const CANDIDATE = 'candidate:1 1 udp 2122260223 203.0.113.77 54321 typ host CANDIDATE-MARKER';

describe('server log', { concurrency: true }, () => {
  test('lines are JSON with level, ISO time and msg; calls carry their id', async (t) => {
    const { log, lines } = recordingLogger();
    const server = await startServer(t, { log });
    const [alice, bob] = await Promise.all([Client.open(t, server, 'alice'), Client.open(t, server, 'bob')]);
    alice.send(frames.invite('c-log', alice.user, bob.user));
    await bob.next();
    bob.send(frames.bye('c-log', 603));
    await alice.nextBye();
    const listening = lines.find((line) => line.msg === 'listening')!;
    assert.equal(listening.level, 'info');
    assert.ok(!Number.isNaN(Date.parse(String(listening.time))) && String(listening.time).endsWith('Z'), String(listening.time));
    assert.ok(lines.some((line) => line.msg === 'call placed' && line.call === 'c-log' && line.caller === alice.user));
    assert.ok(lines.some((line) => line.msg === 'call ended' && line.call === 'c-log' && line.code === 603));
  });

  test('never holds a token, an SDP or a candidate, wherever a client puts them', async (t) => {
    const { log, lines } = recordingLogger();
    const server = await startServer(t, { log });
    const token = await mintToken({ address: `alice@${DOMAIN}`, secret: SECRET });
    const [alice, bob] = await Promise.all([Client.open(t, server, 'alice'), Client.open(t, server, 'bob')]);
    // A token in the query of wrong paths and of an upgrade, offered to a wrong path, forged, offered twice, in a TURN request.
    const http = `http://127.0.0.1:${server.port}`;
    const query = new URLSearchParams({ token });
    await fetch(`${http}/nowhere?${query}`);
    await refusal(`ws://127.0.0.1:${server.port}/elsewhere`, offer(token));
    await refusal(`${server.url}?${query}`, offer());
    await refusal(server.url, offer(`${token}x`));
    await refusal(server.url, [...offer(token), 'wsp-token.a.b.c']);
    await fetch(`${http}/wsp/turn`, { method: 'POST', body: token });
    // SDP and candidates in good frames, in frames out of turn, and in frames that do not decode.
    alice.send(frames.invite('c-secret', alice.user, bob.user));
    await bob.next();
    alice.send(frames.offer('c-secret', SDP)); // the caller may not offer: refused with a notice
    await alice.nextNotice();
    bob.send(frames.offer('c-secret', SDP));
    await alice.next();
    alice.send(frames.answer('c-secret', SDP));
    await bob.next();
    alice.send(frames.candidate('c-secret', CANDIDATE));
    await bob.next();
    alice.send(JSON.stringify(['offer', { type: 'answer', sdp: SDP }, { call: 'c-secret' }]));
    await alice.nextNotice();
    alice.send(JSON.stringify(['bye', { code: 200, reason: SDP, token }, { call: 'c-secret' }]));
    await bob.nextBye();
    alice.send(['bye', { code: 400, reason: `${token} ${SDP}` }, {}] as Frame); // a notice from a client is logged
    await alice.sync();
    const text = JSON.stringify(lines);
    assert.ok(
      lines.some((line) => line.msg === 'frame' && line.keyword === 'offer'),
      'debug lines were written',
    );
    for (const secret of [token, token.split('.')[2]!, 'SDP-MARKER', '203.0.113.77', 'CANDIDATE-MARKER']) {
      assert.ok(!text.includes(secret), `${secret} in the log:\n${lines.map((line) => JSON.stringify(line)).join('\n')}`);
    }
  });

  test('redacts token, authorization, the offered subprotocols, secret, sdp and candidate fields down to two levels', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    log.debug('frame', {
      token: 'TOKEN-MARKER',
      content: { sdp: SDP, candidate: CANDIDATE },
      frame: { content: { sdp: SDP } },
      headers: { authorization: 'AUTHORIZATION-MARKER', 'sec-websocket-protocol': 'wsp-1.0, wsp-token.PROTOCOL-MARKER' },
    });
    log.child({ secret: 'SECRET-MARKER' }).info('child');
    const text = lines.join('\n');
    for (const secret of ['TOKEN-MARKER', 'SDP-MARKER', 'CANDIDATE-MARKER', 'AUTHORIZATION-MARKER', 'PROTOCOL-MARKER', 'SECRET-MARKER']) {
      assert.ok(!text.includes(secret), text);
    }
    assert.equal(JSON.parse(lines[0]!).content.sdp, '[redacted]');
  });
});
