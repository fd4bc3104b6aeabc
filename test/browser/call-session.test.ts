// One call between two sessions in the page, through an in-memory stand-in for the server: the flow, the
// handover and the DataChannel rules, without a socket.
import { expect } from '@open-wc/testing';
import { CallSession, type CallSessionInit } from '../../src/call/call-session.js';
import { strayPayloadTypes } from '../../src/call/codecs.js';
import { iceUfrag, restartPairing } from '../../src/call/restart-candidates.js';
import type { Transport } from '../../src/call/signaling.js';
import type { Frame } from '../../src/protocol/index.js';
import { waitUntil } from './helpers.js';

type Side = 'caller' | 'callee';

interface Relay {
  caller: CallSession;
  callee(): CallSession;
  /** Frames each side sent through its Transport (the WebSocket's place), in order. */
  sent: { from: Side; frame: Frame }[];
}

/**
 * Relays frames like a server that forwards everything, one task later, in order. `delay` holds back
 * frames of one keyword (to reorder them against later ones).
 */
function relay(delay: Partial<Record<Frame[0], number>> = {}, calleeInit: CallSessionInit = {}): Relay {
  const sent: Relay['sent'] = [];
  let callee: CallSession | undefined;
  const deliver = (to: () => CallSession | undefined, frame: Frame) =>
    setTimeout(() => {
      if (frame[0] === 'invite') {
        callee = new CallSession(transport('callee'), { ...calleeInit, id: frame[2].call });
        callee.ring(frame[1]);
      } else to()?.receive(frame);
    }, delay[frame[0]] ?? 0);
  const transport = (from: Side): Transport => ({
    send(frame) {
      sent.push({ from, frame });
      deliver(from === 'caller' ? () => callee : () => caller, frame);
    },
  });
  const caller = new CallSession(transport('caller'));
  return { caller, callee: () => callee!, sent };
}

function until(session: CallSession, state: CallSession['state']): Promise<void> {
  return waitUntil(() => session.state === state, `${session.role} never became ${state} (is ${session.state})`, { timeout: 15_000 });
}

async function connect(r: Relay): Promise<[CallSession, CallSession]> {
  r.caller.invite({ caller: { uri: 'alice@localhost' }, callee: { uri: 'bob@localhost', name: 'Bob' } });
  await until(r.caller, 'ringing');
  const callee = r.callee();
  expect(callee.state).to.equal('incoming');
  await callee.accept();
  await Promise.all([until(r.caller, 'connected'), until(callee, 'connected')]);
  await waitUntil(() => r.caller.peerHandedOver && callee.peerHandedOver, 'no handover', { timeout: 10_000 });
  return [r.caller, callee];
}

/** Records each getUserMedia call of the page, until the test's end. */
function recordGetUserMedia(): MediaStreamConstraints[] {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia;
  const calls: MediaStreamConstraints[] = [];
  devices.getUserMedia = (constraints) => (calls.push(constraints ?? {}), original.call(devices, constraints));
  restores.push(() => (devices.getUserMedia = original));
  return calls;
}

const restores: (() => void)[] = [];
afterEach(() => restores.splice(0).forEach((restore) => restore()));

describe('CallSession', () => {
  const sessions: CallSession[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.end(200);
  });

  it('opens no camera or microphone at the callee before accept: its offer is made while it rings, its tracks follow accept', async () => {
    const calls = recordGetUserMedia();
    const r = relay();
    r.caller.invite({ caller: { uri: 'alice@localhost' }, callee: { uri: 'bob@localhost' } });
    await until(r.caller, 'ringing');
    const callee = r.callee();
    sessions.push(r.caller, callee);
    // Everything that needs no device is ready: the offer (with its transceivers) is set, waiting for accept.
    await waitUntil(() => callee.pc.signalingState === 'have-local-offer', 'the callee prepares no offer while it rings');
    expect(calls, 'only the caller opened its devices').to.have.length(1);
    expect(callee.localStream).to.equal(undefined);
    expect(callee.pc.getSenders().map((sender) => sender.track)).to.deep.equal([null, null]);
    await callee.accept();
    expect(
      r.sent
        .filter(({ from }) => from === 'callee')
        .map(({ frame }) => frame[0])
        .slice(0, 2),
    ).to.deep.equal(['ringing', 'offer']);
    await Promise.all([until(r.caller, 'connected'), until(callee, 'connected')]);
    expect(calls).to.have.length(2);
    expect(
      callee
        .localStream!.getTracks()
        .map((track) => `${track.kind} ${track.readyState}`)
        .sort(),
    ).to.deep.equal(['audio live', 'video live']);
    // The callee's camera reaches the caller through the transceivers its offer announced: no renegotiation.
    await waitUntil(() => r.caller.remoteStream.getVideoTracks().some((track) => !track.muted), 'the callee’s video never reaches the caller');
    expect(r.sent.filter(({ frame }) => frame[0] === 'offer')).to.have.length(1);
  });

  it('with preview, the callee opens camera and microphone while it rings', async () => {
    const calls = recordGetUserMedia();
    const r = relay({}, { preview: true });
    r.caller.invite({ caller: { uri: 'alice@localhost' }, callee: { uri: 'bob@localhost' } });
    await until(r.caller, 'ringing');
    const callee = r.callee();
    sessions.push(r.caller, callee);
    await waitUntil(() => callee.localStream, 'no preview while ringing');
    expect(calls).to.have.length(2);
    expect(callee.state).to.equal('incoming');
    await callee.accept();
    await Promise.all([until(r.caller, 'connected'), until(callee, 'connected')]);
    expect(calls, 'accept opens nothing more').to.have.length(2);
  });

  it('follows the WSP flow and hands signaling over to the DataChannel', async () => {
    const r = relay();
    const [caller, callee] = await connect(r);
    sessions.push(caller, callee);
    const keywords = (side: Side) => r.sent.filter(({ from }) => from === side).map(({ frame }) => (frame[0] === 'bye' ? `bye ${frame[1].code}` : frame[0]));
    const callerSent = keywords('caller');
    const calleeSent = keywords('callee');
    expect(callerSent[0]).to.equal('invite');
    expect(callerSent[1]).to.equal('answer');
    expect(calleeSent.slice(0, 2)).to.deep.equal(['ringing', 'offer']);
    // Each side's last frame on the WebSocket is its bye 101; everything after goes over the DataChannel.
    expect(callerSent.at(-1)).to.equal('bye 101');
    expect(calleeSent.at(-1)).to.equal('bye 101');
    expect(callerSent.filter((k) => k === 'bye 101')).to.have.length(1);
    expect(caller.signalingChannel).to.equal('datachannel');
    expect(callee.signalingChannel).to.equal('datachannel');
    expect(callee.remote).to.deep.equal({ uri: 'alice@localhost' });
    expect(caller.remote).to.deep.equal({ uri: 'bob@localhost', name: 'Bob' });
    // A candidate goes once: in the description, or in a frame of its own, never both.
    for (const side of ['caller', 'callee'] as const) {
      const frames = r.sent.filter(({ from }) => from === side).map(({ frame }) => frame);
      const sdp = frames.map((frame) => (frame[0] === 'offer' || frame[0] === 'answer' ? frame[1].sdp : '')).join('');
      // The description's lines lack the trickled candidates' extensions: compared up to the type.
      const key = (candidate: string) => candidate.split(' ', 8).join(' ');
      const lines = new Set(
        sdp
          .split(/\r?\n/)
          .filter((line) => line.startsWith('a=candidate:'))
          .map((line) => key(line.slice(2))),
      );
      const listed = frames.flatMap((frame) =>
        frame[0] === 'icecandidate' && frame[1].candidate && lines.has(key(frame[1].candidate)) ? [frame[1].candidate] : [],
      );
      expect(listed, `${side} sent candidates its description lists`).to.deep.equal([]);
    }
  });

  it('offers Opus and VP8 alone, the codecs every browser has, and the call carries them', async () => {
    const r = relay();
    const [caller, callee] = await connect(r);
    sessions.push(caller, callee);
    const offer = r.sent.find(({ frame }) => frame[0] === 'offer')!.frame[1] as RTCSessionDescriptionInit;
    const codecs = [...offer.sdp!.matchAll(/a=rtpmap:\d+ ([^/]+)\//g)].map(([, name]) => name);
    // Every browser must take the offer: no line names a payload type its media section leaves out.
    expect(strayPayloadTypes(offer.sdp!)).to.deep.equal([]);
    // Firefox's trimmed offer has such lines (rtcp-fb for the codecs left out), so it is made with every codec.
    if (!navigator.userAgent.includes('Firefox')) expect([...new Set(codecs)].sort()).to.deep.equal(['VP8', 'opus', 'rtx']);
    else expect(codecs).to.include.members(['VP8', 'opus']);
    const stats = [...(await caller.pc.getStats()).values()];
    const inbound = stats.filter(({ type }) => type === 'codec').map(({ mimeType }) => mimeType);
    expect(inbound).to.include.members(['audio/opus', 'video/VP8']);
  });

  it('gathers while it rings: the offer lists the callee’s candidates, and only their end follows it', async () => {
    const r = relay();
    r.caller.invite({ caller: { uri: 'alice@localhost' }, callee: { uri: 'bob@localhost' } });
    await until(r.caller, 'ringing');
    const callee = r.callee();
    sessions.push(r.caller, callee);
    await waitUntil(() => callee.pc.iceGatheringState === 'complete', 'the callee never gathered', { timeout: 10_000 });
    await callee.accept();
    await Promise.all([until(r.caller, 'connected'), until(callee, 'connected')]);
    const sent = r.sent.filter(({ from }) => from === 'callee').map(({ frame }) => frame);
    const offer = sent.find((frame) => frame[0] === 'offer')!;
    expect(offer[1].sdp).to.match(/a=candidate:/);
    // Only ends of candidates follow it: Chromium sends one, Firefox one per media section and then the last.
    const trickled = sent.filter((frame) => frame[0] === 'icecandidate').map((frame) => frame[1] as { candidate: string });
    expect(trickled.length).to.be.greaterThan(0);
    expect(trickled.filter(({ candidate }) => candidate !== '')).to.deep.equal([]);
  });

  it('an ICE restart’s offerer whose agent pairs its new candidates with the peer’s old ones sends them after the peer’s', async () => {
    const [caller, callee] = await connect(relay());
    sessions.push(caller, callee);
    // The callee's DataChannel, both ways, in the order things happened there.
    const log: { way: 'sent' | 'received'; frame: Frame }[] = [];
    const channel = callee.channel!;
    const send = channel.send.bind(channel) as (data: string) => void;
    channel.send = ((data: string) => (log.push({ way: 'sent', frame: JSON.parse(data) }), send(data))) as typeof channel.send;
    // Logged as it arrives, before the session takes it (and before what the session then does in microtasks).
    const take = channel.onmessage!;
    channel.onmessage = (event) => (log.push({ way: 'received', frame: JSON.parse(event.data as string) }), take.call(channel, event));
    const before = { local: iceUfrag(callee.pc.localDescription!.sdp), remote: iceUfrag(callee.pc.remoteDescription!.sdp) };
    // What the session itself looks at: the agent's pairs as each candidate of the new generation comes.
    const verdicts: string[] = [];
    callee.pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate?.usernameFragment && candidate.usernameFragment !== before.local) {
        void callee.pc.getStats().then((stats) => verdicts.push(restartPairing(stats, before)));
      }
    });
    callee.pc.restartIce();
    const now = () => [callee, caller].map((session) => iceUfrag(session.pc.localDescription!.sdp));
    await waitUntil(() => now()[0] !== before.local && now()[1] !== before.remote && callee.pc.signalingState === 'stable', 'no ICE restart');
    await waitUntil(() => caller.pc.connectionState === 'connected' && callee.pc.connectionState === 'connected', 'lost after the restart');
    const sentNew = (entry: (typeof log)[number]) => entry.way === 'sent' && entry.frame[0] === 'icecandidate' && entry.frame[1].usernameFragment === now()[0];
    await waitUntil(() => log.some(sentNew), 'the new candidates were never sent');
    const answer = log.findIndex(({ way, frame }) => way === 'received' && frame[0] === 'answer');
    const peerEnd = log.findIndex(({ way, frame }, i) => i > answer && way === 'received' && frame[0] === 'icecandidate' && !frame[1].candidate);
    const firstNew = log.findIndex(sentNew);
    expect(answer, 'the answer came over the DataChannel').to.be.greaterThan(-1);
    // Chromium pairs them (and keeps a pair with Firefox's old ICE session, which drops its media); Firefox does not,
    // and its candidates go at once. A browser that changes its mind here fails this line: the rule may go then.
    await waitUntil(() => verdicts.some((verdict) => verdict !== 'unknown'), 'no look at the pairs told anything');
    const crossing = verdicts.includes('across');
    expect(crossing, 'the agent pairs across generations').to.equal(!navigator.userAgent.includes('Firefox'));
    if (crossing) {
      expect(peerEnd, 'the peer’s end of candidates, after its answer').to.be.greaterThan(answer);
      expect(firstNew, 'a new candidate went before the peer’s were in').to.be.greaterThan(peerEnd);
    }
  });

  it('after the peer’s bye 101 ignores the WebSocket, and takes the hang-up over the DataChannel', async () => {
    const r = relay();
    const [caller, callee] = await connect(r);
    sessions.push(caller, callee);
    const before = r.sent.length;
    // A frame for this call that still arrives over the WebSocket after the handover is not the peer's.
    caller.receive(['bye', { code: 200 }, { call: caller.id }]);
    expect(caller.state).to.equal('connected');
    const overChannel: string[] = [];
    caller.channel!.addEventListener('message', ({ data }) => overChannel.push(data as string));
    callee.hangup();
    await Promise.all([until(caller, 'ended'), until(callee, 'ended')]);
    expect(r.sent.length, 'nothing more on the WebSocket').to.equal(before);
    // The peer's end of candidates may come over the channel too, when its gathering ended after the handover.
    const frames = overChannel.filter((data) => !data.startsWith('["icecandidate"'));
    expect(frames).to.deep.equal([JSON.stringify(['bye', { code: 200 }, { call: caller.id }])]);
    expect([caller.code, callee.code]).to.deep.equal([200, 200]);
  });

  it('queues candidates that arrive before the remote description, and applies them after', async () => {
    // The offer is held back, so the callee's candidates overtake it.
    const r = relay({ offer: 150 });
    const applied: boolean[] = [];
    const pc = r.caller.pc;
    const add = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = ((candidate: RTCIceCandidateInit) => {
      applied.push(pc.remoteDescription !== null);
      return add(candidate);
    }) as typeof pc.addIceCandidate;
    const [caller, callee] = await connect(r);
    sessions.push(caller, callee);
    expect(applied.length).to.be.greaterThan(0);
    expect(applied.every(Boolean), 'a candidate was applied before the offer').to.equal(true);
  });

  it('accepts frames from the WebSocket until the peer’s bye 101', async () => {
    // Every bye travels slowly: the caller has handed over, the callee's 101 is still on its way.
    const r = relay({ bye: 2_000 });
    r.caller.invite({ caller: { uri: 'alice@localhost' }, callee: { uri: 'bob@localhost' } });
    await until(r.caller, 'ringing');
    await r.callee().accept();
    const caller = r.caller;
    sessions.push(caller, r.callee());
    await waitUntil(() => caller.handedOver, 'the caller never handed over', { timeout: 10_000 });
    expect(caller.peerHandedOver).to.equal(false);
    // What the callee sent on the WebSocket before its handover still counts.
    caller.receive(['bye', { code: 488, reason: 'late but valid' }, { call: caller.id }]);
    expect(caller.state).to.equal('ended');
    expect([caller.code, caller.reason]).to.deep.equal([488, 'late but valid']);
  });

  it('answers a DataChannel frame over 64 kB with bye 413 and ends', async () => {
    const [caller, callee] = await connect(relay());
    sessions.push(caller, callee);
    callee.channel!.send(JSON.stringify(['icecandidate', { candidate: 'x'.repeat(70_000) }, { call: callee.id }]));
    await Promise.all([until(caller, 'ended'), until(callee, 'ended')]);
    expect([caller.code, callee.code]).to.deep.equal([413, 413]);
  });

  it('applies at most 100 candidates from a DataChannel flood of 1,000, and the call goes on', async () => {
    const [caller, callee] = await connect(relay());
    sessions.push(caller, callee);
    const pc = caller.pc;
    let added = 0;
    const add = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = ((candidate: RTCIceCandidateInit) => (added++, add(candidate))) as typeof pc.addIceCandidate;
    let arrived = 0;
    caller.channel!.addEventListener('message', () => arrived++);
    for (let i = 0; i < 1_000; i++) {
      const candidate = `candidate:${i} 1 udp 2122260223 192.0.2.${i % 250} ${10_000 + i} typ host`;
      callee.channel!.send(JSON.stringify(['icecandidate', { candidate, sdpMid: '0' }, { call: callee.id }]));
    }
    await waitUntil(() => arrived === 1_000, `only ${arrived} of the 1,000 frames arrived`, { timeout: 15_000 });
    expect(added).to.be.at.most(100);
    expect(added).to.be.greaterThan(0);
    expect([caller.state, callee.state]).to.deep.equal(['connected', 'connected']);
    expect(pc.connectionState).to.equal('connected');
    // Still responsive: a hang-up over the same channel ends both sides normally.
    callee.hangup();
    await Promise.all([until(caller, 'ended'), until(callee, 'ended')]);
    expect([caller.code, callee.code]).to.deep.equal([200, 200]);
  });

  it('releases camera, DataChannel and peer connection when it ends', async () => {
    const [caller, callee] = await connect(relay());
    // A call hung up in the same millisecond it connected lasts 0 ms: give it a few.
    await waitUntil(() => performance.now() - caller.connectedAt >= 20, 'time stands still');
    caller.hangup();
    await until(callee, 'ended');
    // The side that hung up closes once the peer, ending on its bye, closed the DataChannel.
    await waitUntil(() => caller.pc.signalingState === 'closed', 'the caller kept its peer connection');
    for (const session of [caller, callee]) {
      expect(session.localStream!.getTracks().map((track) => track.readyState)).to.deep.equal(['ended', 'ended']);
      expect(session.pc.signalingState).to.equal('closed');
      expect(session.channel!.readyState).to.be.oneOf(['closing', 'closed']);
      expect(session.duration).to.be.at.least(15);
    }
    // Ending again changes nothing.
    caller.end(500);
    expect(caller.code).to.equal(200);
  });

  it('stops the camera it got after the call already ended', async () => {
    const devices = navigator.mediaDevices;
    const getUserMedia = devices.getUserMedia;
    let granted: Promise<MediaStream> | undefined;
    devices.getUserMedia = (constraints) => (granted = getUserMedia.call(devices, constraints));
    const r = relay();
    r.caller.invite({ caller: { uri: 'alice@localhost' }, callee: { uri: 'bob@localhost' } });
    // Cancelled before getUserMedia resolved.
    r.caller.hangup();
    expect(r.caller.state).to.equal('ended');
    expect(r.caller.code).to.equal(487);
    await waitUntil(() => r.callee()?.state === 'ended', 'the callee never ended');
    expect(r.callee().code).to.equal(487);
    devices.getUserMedia = getUserMedia;
    const stream = await granted!;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(r.caller.localStream).to.equal(undefined);
    expect(stream.getTracks().map((track) => track.readyState)).to.deep.equal(['ended', 'ended']);
  });
});
