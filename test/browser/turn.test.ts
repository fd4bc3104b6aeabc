// Real networks (issue 14), against a real coturn started by the runner (web-test-runner.config.mjs): a relay-only
// call with the TURN credentials the WSP server issues, credentials coturn refuses (expired, another secret), and a
// STUN server that never answers, which the call must not wait for.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { connectionPath } from '../../src/media/path.js';
import type { WspCall } from '../../src/wsp-call.js';
import { freshUser, next, phone, phoneAt, record, removeAll, waitUntil, wspConfig, type Recorded } from './helpers.js';

/** Two online widgets of `server` (the TURN one by default) calling each other, with `attributes` and `iceServers` on both. */
async function turnPair(attributes: Record<string, string>, iceServers?: RTCIceServer[], onTurnServer = true): Promise<[WspCall, WspCall]> {
  const config = await wspConfig();
  const [a, b] = [freshUser('tu'), freshUser('tu')];
  const open = (user: string, callee: string) =>
    onTurnServer ? phoneAt(config.turn, user, `${callee}@${config.turn.domain}`, attributes) : phone(user, callee, attributes);
  const widgets = await Promise.all([open(a, b), open(b, a)]);
  if (iceServers) for (const el of widgets) el.iceServers = iceServers;
  return widgets as [WspCall, WspCall];
}

/** Calls, and accepts as soon as it rings. */
async function callAndAccept(caller: WspCall, callee: WspCall): Promise<void> {
  const ringing = next(callee, 'ringing');
  await caller.call();
  await ringing;
  await callee.accept();
}

/**
 * TURN REST API credentials made here, as the WSP server makes them (src/server/turn-credentials.ts), but with any
 * expiry and secret: username `<expiry>:<user>`, password base64(HMAC-SHA1(secret, username)).
 */
async function credentials(urls: string[], secret: string, expires: number, user: string): Promise<RTCIceServer> {
  const username = `${expires}:${user}`;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(username)));
  return { urls, username, credential: btoa(String.fromCharCode(...mac)) };
}

/** The `error` events' codes a widget fired. */
const errorCodes = (events: Recorded) => events.filter(({ type }) => type === 'error').map(({ event }) => (event as HTMLElementEventMap['error']).code);

describe('TURN through a real coturn', () => {
  afterEach(removeAll);

  it('a relay-only call connects through coturn with the credentials the server issued: relay on both sides', async () => {
    const config = await wspConfig();
    const [alice, bob] = await turnPair({ 'relay-only': '' });
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await callAndAccept(alice, bob);
    await connected;
    for (const el of [alice, bob]) {
      const pc = el.session!.pc;
      // The server's credentials, for its own coturn, are what the peer connection used.
      const issued = pc.getConfiguration().iceServers!.find((server) => [server.urls].flat().includes(config.turn.urls[0]!))!;
      expect(issued.username, 'username').to.match(new RegExp(`^\\d+:${el.caller.replace('.', '\\.')}$`));
      const path = connectionPath(await pc.getStats());
      expect(path, `${el.caller}: selected pair`).to.include({ path: 'relayed', candidateType: 'relay', remoteCandidateType: 'relay' });
      expect(path!.relayProtocol, 'relay protocol').to.be.oneOf(['udp', 'tcp']);
      // The widget reports the path too: a property, and the qualitychange event.
      await waitUntil(() => el.connectionPath?.path === 'relayed', `${el.caller}: connectionPath`);
    }
  });

  for (const [what, make] of [
    ['expired', (urls: string[], secret: string, user: string) => credentials(urls, secret, Math.floor(Date.now() / 1000) - 60, user)],
    [
      'made with another secret',
      (urls: string[], _secret: string, user: string) => credentials(urls, 'not the secret', Math.floor(Date.now() / 1000) + 3600, user),
    ],
  ] as const) {
    it(`credentials ${what} are refused by coturn: both widgets end at once with 504, the error naming the cause`, async () => {
      const config = await wspConfig();
      // On the server without TURN: the page's credentials are the only ones.
      const [alice, bob] = await turnPair({ 'relay-only': '' }, undefined, false);
      for (const el of [alice, bob]) el.iceServers = [await make(config.turn.urls, config.turn.secret, el.caller)];
      const events = [record(alice), record(bob)];
      const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
      await callAndAccept(alice, bob);
      for (const [i, event] of (await ended).entries()) {
        expect(event.code, 'bye code').to.equal(504);
        // Chromium hears coturn's 401 (icecandidateerror); Firefox 153 reports none, and tells what it knows: no candidate.
        expect(event.reason).to.match(/TURN server refused the credentials \(401\)|not even through the TURN server/);
        expect(errorCodes(events[i]!), 'error codes').to.satisfy((codes: unknown[]) =>
          codes.some((code) => ['turn-refused', 'no-route'].includes(code as string)),
        );
      }
      if (navigator.userAgent.includes('Chrome')) expect((await ended)[0].reason + (await ended)[1].reason).to.contain('refused the credentials');
    });
  }

  it('relay-only without any TURN server ends at once, saying a TURN server would likely have helped', async () => {
    const [alice, bob] = await turnPair({ 'relay-only': '' }, undefined, false);
    const events = record(alice);
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await callAndAccept(alice, bob);
    for (const event of await ended) {
      expect(event.code).to.equal(504);
      expect(event.reason).to.contain('a TURN server would likely have helped');
    }
    expect(errorCodes(events)).to.satisfy((codes: unknown[]) => codes.includes('turn-needed') || codes.includes('no-route'));
  });
});

describe('trickle that never waits', () => {
  afterEach(removeAll);

  it('a STUN server that never answers does not hold the call up: connected while its STUN transaction is still open', async () => {
    const config = await wspConfig();
    const { requests: before } = await executeServerCommand<{ requests: number }, undefined>('black-hole-requests');
    const [alice, bob] = await turnPair({}, [{ urls: config.blackHole }], false);
    const ringing = next(bob, 'ringing');
    await alice.call();
    await ringing;
    // What each side's STUN transaction to the black hole came to by the time the side connected: a server-reflexive
    // candidate (an answer) or a candidate error (a timeout, 701; Chromium reports it, Firefox 153 does not), and the
    // gathering state. Its timeout takes seconds (RFC 8489 §6.2.1: 39.5 s by default; Chromium gives up after ~10 s).
    const atConnected = [alice, bob].map((el) => {
      const pc = el.session!.pc;
      const outcomes: string[] = [];
      pc.addEventListener('icecandidate', ({ candidate }) => candidate?.type === 'srflx' && outcomes.push('srflx'));
      pc.addEventListener('icecandidateerror', (event) => outcomes.push(`error ${(event as RTCPeerConnectionIceErrorEvent).errorCode}`));
      return new Promise<{ outcomes: string[]; gathering: RTCIceGatheringState }>((resolve) =>
        el.addEventListener('connected', () => resolve({ outcomes: [...outcomes], gathering: pc.iceGatheringState }), { once: true }),
      );
    });
    await bob.accept();
    for (const [i, { outcomes, gathering }] of (await Promise.all(atConnected)).entries()) {
      // Nothing came back from the STUN server, nor did its transaction time out: the offer, the answer and the
      // connectivity checks went on without it (the host candidates trickled), so the call did not wait for it.
      expect(outcomes, `${[alice, bob][i]!.caller}: STUN outcomes before connected`).to.deep.equal([]);
      // Where the browser reports no candidate errors (Firefox), gathering must still be under way: it ends only when
      // the transaction does. (Chromium ends gathering itself once connected, so its errors say it instead.)
      if (!('onicecandidateerror' in RTCPeerConnection.prototype)) expect(gathering, 'gathering at connected').to.equal('gathering');
    }
    const { requests } = await executeServerCommand<{ requests: number }, undefined>('black-hole-requests');
    expect(requests, 'binding requests the black hole swallowed').to.be.greaterThan(before);
  });
});
