// <wsp-call> against the real WSP server (started by web-test-runner.config.mjs): calls between widgets on one page.
import { expect, fixture, html } from '@open-wc/testing';
import type { WspCall } from '../../src/wsp-call.js';
import {
  devToken,
  freshUser,
  handedOver,
  next,
  pair,
  phone,
  record,
  remoteVideoPlays,
  removeAll,
  states,
  video,
  videoAdvances,
  waitUntil,
  wspConfig,
} from './helpers.js';

/** Rings `callee` from `caller` and waits until both widgets said `ringing`. */
async function ring(caller: WspCall, callee: WspCall): Promise<void> {
  const ringing = Promise.all([next(caller, 'ringing'), next(callee, 'ringing')]);
  await caller.call();
  await ringing;
}

/** A connected call between two fresh widgets, handed over to the DataChannel on both sides. */
async function connectedPair(): Promise<[WspCall, WspCall]> {
  const [alice, bob] = await pair('el');
  await ring(alice, bob);
  const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
  await bob.accept();
  await connected;
  await handedOver(alice, bob);
  return [alice, bob];
}

async function released(el: WspCall): Promise<void> {
  const session = el.session!;
  expect(
    session.localStream!.getTracks().map((track) => track.readyState),
    'local tracks',
  ).to.deep.equal(['ended', 'ended']);
  // The side that hung up closes once the other side, ending on its bye, closed the DataChannel (or a second later).
  await waitUntil(() => session.pc.connectionState === 'closed', `${el.caller}: the peer connection stays ${session.pc.connectionState}`);
  expect(session.channel?.readyState ?? 'closed', 'DataChannel').to.be.oneOf(['closing', 'closed']);
  await el.updateComplete;
  // The self-view is gone with the call's camera.
  expect(el.shadowRoot!.querySelector('[part=local-video]'), 'self-view').to.equal(null);
}

describe('<wsp-call>', () => {
  afterEach(removeAll);

  it('places a call: ringing on both sides, connected with video both ways, signaling handed over', async () => {
    const [alice, bob] = await pair('el');
    const aliceEvents = record(alice);
    const bobEvents = record(bob);
    const ringing = Promise.all([next(alice, 'ringing'), next(bob, 'ringing')]);
    await alice.call();
    const [outgoing, incoming] = await ringing;
    expect(outgoing.incoming).to.equal(false);
    expect(outgoing.callee.uri).to.equal(bob.caller);
    expect(incoming.incoming).to.equal(true);
    expect(incoming.caller.uri).to.equal(alice.caller);
    expect(alice.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('Ringing');
    expect(bob.shadowRoot!.querySelector('[part~=accept-button]')).to.exist;

    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await connected;
    await Promise.all([remoteVideoPlays(alice), remoteVideoPlays(bob)]);
    expect(video(alice, 'local-video').srcObject).to.be.instanceOf(MediaStream);

    // The handover: each side sent its bye 101 and got the other's; frames now take the DataChannel.
    await handedOver(alice, bob);
    expect(alice.signalingChannel).to.equal('datachannel');
    expect(bob.signalingChannel).to.equal('datachannel');

    expect(states(aliceEvents)).to.deep.equal(['dialing', 'ringing', 'connecting', 'connected']);
    expect(states(bobEvents)).to.deep.equal(['incoming', 'connecting', 'connected']);
    expect(aliceEvents.filter(({ type }) => type === 'connected')).to.have.length(1);
    expect(bobEvents.filter(({ type }) => type === 'error')).to.have.length(0);
    expect(alice.state).to.equal('connected');
    expect(alice.matches(':state(connected)')).to.equal(true);
  });

  it('sends the caller-name with the invite: the callee sees who calls', async () => {
    const [alice, bob] = await pair('el', { 'caller-name': 'Alice Example' });
    const incoming = next(bob, 'ringing');
    await alice.call();
    expect((await incoming).caller).to.deep.equal({ uri: alice.caller, name: 'Alice Example' });
    await waitUntil(() => bob.shadowRoot!.querySelector('[part~=name]')?.textContent?.includes('Alice Example'), 'the incoming screen never named alice');
  });

  it('reveals no address while it rings: candidates leave only after the offer (callee) and the answer (caller)', async () => {
    const [alice, bob] = await pair('el');
    // Frames in the order they left, by socket: alice's socket sends the invite, bob's the ringing.
    const sent: { socket: WebSocket; keyword: string }[] = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: string) {
      sent.push({ socket: this, keyword: (JSON.parse(data) as [string])[0] });
      return send.call(this, data);
    };
    const keywords = (socket?: WebSocket) => sent.filter((frame) => !socket || frame.socket === socket).map(({ keyword }) => keyword);
    try {
      await ring(alice, bob);
      // The callee set its offer while it rang, so it gathered its candidates: none may leave yet.
      await waitUntil(() => bob.session!.pc.iceGatheringState === 'complete', 'the callee never gathered', { timeout: 10_000 });
      // Gathering complete: every candidate event has fired (the last with the state change), and none was sent.
      expect(keywords()).to.deep.equal(['invite', 'ringing']);
      const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
      await bob.accept();
      await connected;
      const [aliceSocket, bobSocket] = [sent[0]!.socket, sent[1]!.socket];
      const [fromAlice, fromBob] = [keywords(aliceSocket), keywords(bobSocket)];
      expect(fromBob.slice(0, 2)).to.deep.equal(['ringing', 'offer']);
      expect(fromAlice.slice(0, 2)).to.deep.equal(['invite', 'answer']);
    } finally {
      WebSocket.prototype.send = send;
    }
  });

  it('keeps the call without the WebSocket after the handover: the hang-up goes over the DataChannel', async () => {
    const [alice, bob] = await connectedPair();
    const overChannel: string[] = [];
    bob.session!.channel!.addEventListener('message', ({ data }) => overChannel.push(data as string));
    // Point both widgets at a server that does not exist: their WebSockets to the real one close.
    alice.server = bob.server = 'ws://127.0.0.1:9/wsp';
    await waitUntil(() => !alice.online && !bob.online, 'the WebSockets stayed open');
    await Promise.all([videoAdvances(alice), videoAdvances(bob)]);
    expect(alice.state).to.equal('connected');
    expect(bob.state).to.equal('connected');

    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await alice.hangup();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([200, 200]);
    // The session's own message handler ran first and ended the call; the test's listener runs after it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Late trickle (the end-of-candidates marker) may precede it on the channel: signals after the handover go there too.
    const id = alice.session!.id;
    expect(overChannel.at(-1)).to.equal(JSON.stringify(['bye', { code: 200 }, { call: id }]));
    // Ends of candidates: one in Chromium, one per media section and the last in Firefox.
    for (const frame of overChannel.slice(0, -1)) {
      const [keyword, candidate, options] = JSON.parse(frame) as [string, { candidate: string }, { call: string }];
      expect([keyword, candidate.candidate, options.call]).to.deep.equal(['icecandidate', '', id]);
    }
  });

  it('hangs up from the caller: ended 200 on both sides, everything released', async () => {
    const [alice, bob] = await connectedPair();
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await alice.hangup();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([200, 200]);
    expect(a.reason).to.equal('Call ended');
    expect(a.duration).to.be.greaterThan(0);
    await released(alice);
    await released(bob);
    // A second hang-up is a no-op.
    await alice.hangup();
    expect(alice.state).to.equal('ended');
  });

  it('hangs up from the callee: ended 200 on both sides, everything released', async () => {
    const [alice, bob] = await connectedPair();
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await bob.hangup();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([200, 200]);
    await released(alice);
    await released(bob);
  });

  it('declines: 603 on both sides', async () => {
    const [alice, bob] = await pair('el');
    await ring(alice, bob);
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await bob.decline();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([603, 603]);
    expect(a.reason).to.equal('Declined');
    expect(a.duration).to.equal(0);
    expect(alice.session!.localStream?.getTracks().every((track) => track.readyState === 'ended') ?? true).to.equal(true);
  });

  it('cancels while it rings: the callee gets 487, the caller ends', async () => {
    const [alice, bob] = await pair('el');
    await ring(alice, bob);
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await alice.hangup();
    const [a, b] = await ended;
    expect(b.code).to.equal(487);
    expect(a.code).to.equal(487);
  });

  it('ends with 404 for a callee the server does not know', async () => {
    const alice = await phone(freshUser('el'), 'nobody');
    const ended = next(alice, 'ended');
    await alice.call();
    expect((await ended).code).to.equal(404);
  });

  it('ends with 480 for a callee with no device online', async () => {
    const alice = await phone(freshUser('el'), freshUser('el'));
    const ended = next(alice, 'ended');
    await alice.call();
    expect((await ended).code).to.equal(480);
  });

  it('gives up after ring-timeout with 408 on both sides', async () => {
    const [alice, bob] = await pair('el', { 'ring-timeout': '1000' });
    expect(alice.ringTimeout).to.equal(1000);
    await ring(alice, bob);
    const [a, b] = await Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    expect([a.code, b.code]).to.deep.equal([408, 408]);
  });

  it('answers busy (486) to a second caller while in a call', async () => {
    const [alice, bob] = await connectedPair();
    const carol = await phone(freshUser('el'), bob.caller.split('@')[0]);
    const ended = next(carol, 'ended');
    await carol.call();
    expect((await ended).code).to.equal(486);
    expect(bob.state).to.equal('connected');
    expect(alice.state).to.equal('connected');
  });

  it('rings every device of the callee; the others stop with 409 when one accepts', async () => {
    const [alice, bob] = await pair('el');
    const bobAgain = await phone(bob.caller.split('@')[0]!, alice.caller.split('@')[0]);
    const ringing = Promise.all([next(alice, 'ringing'), next(bob, 'ringing'), next(bobAgain, 'ringing')]);
    await alice.call();
    await ringing;
    const elsewhere = next(bobAgain, 'ended');
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    expect((await elsewhere).code).to.equal(409);
    await connected;
    expect(bobAgain.session!.localStream?.getTracks().every((track) => track.readyState === 'ended') ?? true).to.equal(true);
  });

  it('ends the call when removed from the page: the other side gets ended, nothing is left running', async () => {
    const [alice, bob] = await connectedPair();
    const session = bob.session!;
    const ended = next(alice, 'ended');
    bob.remove();
    expect((await ended).code).to.equal(200);
    await released(bob);
    expect(session.state).to.equal('ended');
    expect(bob.online).to.equal(false);
    await released(alice);
  });

  it('survives a move within the page', async () => {
    const [alice, bob] = await connectedPair();
    const box = document.createElement('div');
    document.body.append(box);
    box.append(bob);
    // The call goes on: the other party's video keeps coming, on both sides.
    await Promise.all([videoAdvances(alice), videoAdvances(bob)]);
    expect(bob.state).to.equal('connected');
    expect(alice.state).to.equal('connected');
    box.remove();
  });

  it('calls again after a call ended', async () => {
    const [alice, bob] = await connectedPair();
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await bob.hangup();
    await ended;
    await ring(bob, alice);
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await alice.accept();
    await connected;
    expect(bob.session!.role).to.equal('caller');
  });

  /** Denies the page's next `count` getUserMedia requests, as a user who clicks "Block" would. */
  function deny(count: number): void {
    const devices = navigator.mediaDevices;
    const getUserMedia = devices.getUserMedia;
    devices.getUserMedia = (constraints) => {
      if (--count === 0) devices.getUserMedia = getUserMedia;
      return Promise.reject(new DOMException(`Permission denied ${JSON.stringify(constraints)}`, 'NotAllowedError'));
    };
  }

  it('falls back to a voice call when the camera is denied, and says so', async () => {
    const [alice, bob] = await pair('el');
    deny(1); // Alice's first request, camera and microphone; her microphone alone is granted.
    const error = next(alice, 'error');
    await ring(alice, bob);
    expect((await error).message)
      .to.contain('NotAllowedError')
      .and.to.contain('voice only');
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await connected;
    await remoteVideoPlays(alice);
    expect(alice.session!.localStream!.getTracks().map((track) => track.kind)).to.deep.equal(['audio']);
    expect(
      bob.session!.remoteStream.getVideoTracks().every((track) => track.muted),
      'bob gets no picture from alice',
    ).to.equal(true);
  });

  it('falls back to receive-only when camera and microphone are denied, and says so', async () => {
    const [alice, bob] = await pair('el');
    deny(2); // Alice's both requests: with the camera, then the microphone alone.
    const error = next(alice, 'error');
    await ring(alice, bob);
    expect((await error).message)
      .to.contain('NotAllowedError')
      .and.to.contain('receiving only');
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await connected;
    // Alice sends nothing but sees Bob.
    await remoteVideoPlays(alice);
    expect(alice.session!.localStream === undefined, 'alice has no local stream').to.equal(true);
  });

  it('takes its token from the token attribute', async () => {
    const { url, domain } = await wspConfig();
    const user = freshUser('el');
    const token = await devToken(user);
    const el = await fixture<WspCall>(html`<wsp-call server=${url} caller=${`${user}@${domain}`} token=${token}></wsp-call>`);
    expect(await el.connect()).to.equal(true);
    expect(el.matches(':state(online)')).to.equal(true);
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal('Ready');
  });

  it('reports a refused connection as an error', async () => {
    const { url, domain } = await wspConfig();
    const el = document.createElement('wsp-call');
    const error = next(el, 'error');
    Object.assign(el, { server: url, caller: `${freshUser('el')}@${domain}`, token: 'not-a-token' });
    document.body.append(el);
    expect((await error).code).to.equal('token-refused');
    expect(await el.connect()).to.equal(false);
    // Calling without a connection is an error too, not an exception: it says again why there is none.
    el.callee = `bob@${domain}`;
    const second = next(el, 'error');
    await el.call();
    expect((await second).code).to.equal('token-refused');
    expect(el.state).to.equal('idle');
  });

  it('ignores double actions', async () => {
    const [alice, bob] = await pair('el');
    await Promise.all([alice.call(), alice.call()]);
    await next(bob, 'ringing');
    await alice.call();
    await alice.accept();
    const ended = next(alice, 'ended');
    await bob.hangup();
    await bob.decline();
    await bob.accept();
    await bob.hangup();
    expect(bob.state).to.equal('ended');
    expect(bob.session!.code).to.equal(603);
    expect((await ended).code).to.equal(603);
  });
});
