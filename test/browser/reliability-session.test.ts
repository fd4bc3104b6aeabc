// A frame delivered twice has no double effect (issue 5): two CallSessions with real RTCPeerConnections, whose every
// frame — through the stand-in for the server and over the DataChannel alike — arrives twice.
import { expect } from '@open-wc/testing';
import { CallSession } from '../../src/call/call-session.js';
import type { Transport } from '../../src/call/signaling.js';
import type { Frame } from '../../src/protocol/index.js';
import { waitUntil } from './helpers.js';

/** Records every state a session passes through. */
function trace(session: CallSession): string[] {
  const seen: string[] = [];
  session.addEventListener('statechange', () => seen.push(session.state));
  return seen;
}

/** Makes `session`'s DataChannel send every message twice, once it has one. */
function doubleChannel(session: CallSession): void {
  const channel = session.channel!;
  const send = channel.send.bind(channel) as (data: string) => void;
  channel.send = ((data: string) => {
    send(data);
    send(data);
  }) as typeof channel.send;
}

/** Resolves once everything `from` sent over its DataChannel before has reached `to`: the channel is ordered. */
function flushed(from: CallSession, to: CallSession): Promise<void> {
  const marker = `flush ${Math.random()}`;
  const arrived = new Promise<void>((resolve) => to.channel!.addEventListener('message', ({ data }) => data === marker && resolve()));
  // Not a frame: the session drops it.
  from.channel!.send(marker);
  return arrived;
}

/** True once the session's peer connection is closed: nothing can reach it any more. */
const closed = (session: CallSession) => session.pc.signalingState === 'closed';

function until(condition: () => boolean, what: string): Promise<void> {
  return waitUntil(condition, what, { timeout: 15_000 });
}

describe('CallSession with every frame delivered twice', () => {
  it('sets up, renegotiates and ends exactly as with single frames', async () => {
    let callee: CallSession | undefined;
    const sent: { from: string; frame: Frame }[] = [];
    const transport = (from: 'caller' | 'callee'): Transport => ({
      send(frame) {
        sent.push({ from, frame });
        // Like a server that forwards everything, one task later, but twice.
        for (let i = 0; i < 2; i++) {
          setTimeout(() => {
            if (frame[0] !== 'invite') return (from === 'caller' ? callee : caller)?.receive(frame);
            if (callee) return;
            callee = new CallSession(transport('callee'), { id: frame[2].call });
            calleeStates = trace(callee);
            callee.ring(frame[1]);
          });
        }
      },
    });
    const caller = new CallSession(transport('caller'));
    const callerStates = trace(caller);
    let calleeStates: string[] = [];
    caller.invite({ caller: { uri: 'alice@localhost' }, callee: { uri: 'bob@localhost' } });
    await until(() => caller.state === 'ringing' && callee?.state === 'incoming', 'never rang');
    // Accepting twice sends one offer.
    await Promise.all([callee!.accept(), callee!.accept()]);
    await until(() => caller.state === 'connected' && callee!.state === 'connected', 'never connected');
    await until(() => caller.peerHandedOver && callee!.peerHandedOver, 'no handover');
    const count = (from: string, keyword: string) => sent.filter((s) => s.from === from && s.frame[0] === keyword).length;
    expect([count('callee', 'ringing'), count('callee', 'offer'), count('caller', 'answer')]).to.deep.equal([1, 1, 1]);
    expect(
      sent
        .filter(({ frame }) => frame[0] === 'bye')
        .map(({ from }) => from)
        .sort(),
    ).to.deep.equal(['callee', 'caller']);

    // After the handover, over the DataChannel: an ICE restart's offer, answer and candidates, then the bye, all twice.
    doubleChannel(caller);
    doubleChannel(callee!);
    const ufrags = () => [caller, callee!].map((session) => /a=ice-ufrag:(\S+)/.exec(session.pc.localDescription!.sdp)![1]);
    const before = ufrags();
    caller.pc.restartIce();
    await until(
      () => ufrags().every((ufrag, i) => ufrag !== before[i]) && callee!.pc.signalingState === 'stable' && caller.pc.signalingState === 'stable',
      'no ICE restart',
    );
    await until(() => caller.pc.connectionState === 'connected' && callee!.pc.connectionState === 'connected', 'lost after the restart');
    // The doubled offer, answer and candidates have all arrived (and been handled, by then, or stability would be lost).
    await Promise.all([flushed(caller, callee!), flushed(callee!, caller)]);
    expect([caller.pc.signalingState, callee!.pc.signalingState]).to.deep.equal(['stable', 'stable']);
    expect([caller.state, callee!.state]).to.deep.equal(['connected', 'connected']);

    caller.hangup();
    await until(() => callee!.state === 'ended', 'the callee never ended');
    // Once both peer connections are closed, no doubled bye is still on its way.
    await until(() => closed(caller) && closed(callee!), 'a peer connection stayed open');
    expect([caller.code, callee!.code]).to.deep.equal([200, 200]);
    expect(callerStates).to.deep.equal(['dialing', 'ringing', 'connecting', 'connected', 'ended']);
    expect(calleeStates).to.deep.equal(['incoming', 'connecting', 'connected', 'ended']);
    // A duplicate arriving after the end changes nothing either.
    callee!.receive(['bye', { code: 488 }, { call: callee!.id }], true);
    expect(callee!.code).to.equal(200);
  });
});
