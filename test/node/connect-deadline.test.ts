// The fail-fast of a call's setup (src/call/connect-deadline.ts), on a stand-in for the peer connection's events and
// a fake clock: that a real refused setup ends on both sides is test/browser/turn.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectDeadline, hasTurnServer, setupFailure, type SetupFailure } from '../../src/call/connect-deadline.js';
import { fakeClock } from './fake-clock.js';

/** The events a peer connection fires, as far as the deadline listens. */
class FakeConnection extends EventTarget {
  iceGatheringState: RTCIceGatheringState = 'new';
  candidate(text: string): void {
    this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: { candidate: text } }));
  }
  candidateError(errorCode: number): void {
    this.dispatchEvent(Object.assign(new Event('icecandidateerror'), { errorCode, url: 'turn:127.0.0.1:3478?transport=udp' }));
  }
  gathered(): void {
    this.iceGatheringState = 'complete';
    this.dispatchEvent(new Event('icegatheringstatechange'));
  }
}

function watch(turnConfigured: boolean, timeoutMs?: number) {
  const pc = new FakeConnection();
  const clock = fakeClock();
  const failures: SetupFailure[] = [];
  const deadline = new ConnectDeadline(pc as unknown as RTCPeerConnection, { turnConfigured, timeoutMs, timers: clock }, (failure) => failures.push(failure));
  return { pc, clock, failures, deadline };
}

const HOST = 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host';

describe('ConnectDeadline', () => {
  it('ends an accepted call not connected within the deadline (15 s by default), once', () => {
    const { pc, clock, failures, deadline } = watch(false);
    pc.candidate(HOST);
    deadline.arm();
    clock.advance(14_999);
    assert.equal(failures.length, 0);
    clock.advance(1);
    assert.deepEqual(failures, [
      { code: 504, kind: 'turn-needed', reason: 'No connection to the other party within 15 s: a TURN server would likely have helped' },
    ]);
    deadline.iceFailed();
    assert.equal(failures.length, 1);
  });

  it('reports nothing once connected', () => {
    const { pc, clock, failures, deadline } = watch(true, 5000);
    pc.candidate(HOST);
    deadline.arm();
    deadline.disarm();
    assert.equal(clock.pending(), 0);
    clock.advance(60_000);
    pc.gathered();
    deadline.iceFailed();
    assert.deepEqual(failures, []);
  });

  it('does not start before the call is accepted: a call may ring for longer than the deadline', () => {
    const { pc, clock, failures } = watch(false, 1000);
    pc.candidate(HOST);
    clock.advance(120_000);
    pc.gathered();
    assert.deepEqual(failures, []);
  });

  it('ends at once when gathering completes without a candidate, naming refused TURN credentials (401)', () => {
    const { pc, failures, deadline } = watch(true);
    deadline.arm();
    pc.candidateError(401);
    pc.gathered();
    assert.deepEqual(failures, [{ code: 504, kind: 'turn-refused', reason: 'The TURN server refused the credentials (401): no relay, so no connection' }]);
  });

  it('ends at accept when gathering already ended empty while the call rang', () => {
    const { pc, clock, failures, deadline } = watch(true);
    pc.gathered();
    assert.equal(failures.length, 0);
    deadline.arm();
    assert.equal(failures[0]?.kind, 'no-route');
    assert.equal(clock.pending(), 0);
  });

  it('waits for the deadline when gathering ended with candidates', () => {
    const { pc, failures, deadline } = watch(false);
    deadline.arm();
    pc.candidate(HOST);
    pc.gathered();
    assert.equal(failures.length, 0);
    deadline.iceFailed();
    assert.equal(failures[0]?.reason, 'No network path to the other party was found: a TURN server would likely have helped');
  });

  it('takes other candidate errors (STUN unreachable, 701) for what they are: no refusal', () => {
    const { pc, failures, deadline } = watch(true);
    deadline.arm();
    pc.candidateError(701);
    pc.gathered();
    assert.equal(failures[0]?.kind, 'no-route');
  });
});

describe('setupFailure and hasTurnServer', () => {
  it('advises TURN only where none was configured', () => {
    const facts = { cause: 'no-candidates', turnRefused: false, timeoutMs: 15_000 } as const;
    assert.equal(setupFailure({ ...facts, turnConfigured: false }).kind, 'turn-needed');
    assert.equal(
      setupFailure({ ...facts, turnConfigured: true }).reason,
      'No network address to connect through could be found, not even through the TURN server',
    );
  });

  it('counts turn: and turns: URLs, in a string or a list, not stun:', () => {
    assert.equal(hasTurnServer(), false);
    assert.equal(hasTurnServer([{ urls: 'stun:stun.example.org' }]), false);
    assert.equal(hasTurnServer([{ urls: ['stun:a.example', 'TURNS:b.example:443?transport=tcp'] }]), true);
    assert.equal(hasTurnServer([{ urls: 'turn:b.example' }]), true);
  });
});
