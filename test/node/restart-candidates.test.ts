// What an ICE restart's offerer does with its new candidates (src/call/restart-candidates.ts), on getStats() reports
// shaped like those measured in the failing cross-browser run (Firefox calls Chromium, Chromium restarts): Chromium's
// report, taken as its first new candidate is gathered, pairs its new ports with Firefox's previous candidates;
// Firefox's, in its own restart, lists no candidate at all. That the rule keeps both browsers' media flowing is
// test/node/cross-browser.test.ts; that the session follows it, test/browser/call-session.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame } from '../../src/protocol/index.js';
import { RestartCandidates, iceUfrag, restartPairing, type StatsReport } from '../../src/call/restart-candidates.js';

type Report = Record<string, unknown>;

function report(...entries: Report[]): StatsReport {
  return new Map(entries.map((entry) => [entry.id as string, entry]));
}

const candidate = (id: string, type: 'local-candidate' | 'remote-candidate', usernameFragment: string, address: string): Report => ({
  id,
  type,
  usernameFragment,
  address,
  protocol: 'udp',
  candidateType: 'host',
});
const pair = (id: string, local: string, remote: string, state = 'succeeded'): Report => ({
  id,
  type: 'candidate-pair',
  localCandidateId: local,
  remoteCandidateId: remote,
  state,
});

// Chromium (ufrag 4lzC, restarting to dH22) with Firefox's candidates of ufrag 4dea298c, the generation before the restart.
const chromiumMidRestart = report(
  candidate('L-old', 'local-candidate', '4lzC', 'fd00::2'),
  candidate('L-new', 'local-candidate', 'dH22', 'fd00::2'),
  candidate('R-old', 'remote-candidate', '4dea298c', 'fd00::2'),
  pair('P-old', 'L-old', 'R-old'),
  pair('P-cross', 'L-new', 'R-old', 'in-progress'),
  { id: 'T', type: 'transport', selectedCandidatePairId: 'P-old' },
);
// Firefox (restarting from 7374a1fd): while it restarts, its report lists no candidate at all.
const firefoxMidRestart = report({ id: 'T', type: 'transport' });
// Chromium's report of 50 ms before, handed out again: its new candidates are not in it yet.
const chromiumCached = report(
  candidate('L-old', 'local-candidate', '4lzC', 'fd00::2'),
  candidate('R-old', 'remote-candidate', '4dea298c', 'fd00::2'),
  pair('P-old', 'L-old', 'R-old'),
);
const chromium = { local: '4lzC', remote: '4dea298c' };
const firefox = { local: '7374a1fd', remote: '38zx' };

const frame = (text: string): Frame => ['icecandidate', { candidate: text }, { call: 'c1' }];
const [A, B, C] = ['candidate:1 1 udp 1 192.0.2.2 1 typ host', 'candidate:2 1 udp 1 192.0.2.2 2 typ host', 'candidate:3 1 udp 1 fd00::2 3 typ host'].map(frame);
const END = frame('');

describe('iceUfrag', () => {
  it("reads a description's first a=ice-ufrag line", () => {
    assert.equal(iceUfrag('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:dH22\r\na=ice-pwd:x\r\na=ice-ufrag:other\r\n'), 'dH22');
    assert.equal(iceUfrag('v=0\r\n'), undefined);
    assert.equal(iceUfrag(undefined), undefined);
  });
});

describe('restartPairing', () => {
  it("finds Chromium's pair of a new local candidate with the peer's previous one", () => {
    assert.equal(restartPairing(chromiumMidRestart, chromium), 'across');
  });

  it('finds every pair within a generation once the peer’s new candidates are paired', () => {
    const settled = report(
      candidate('L-old', 'local-candidate', '4lzC', 'fd00::2'),
      candidate('R-old', 'remote-candidate', '4dea298c', 'fd00::2'),
      candidate('L-new', 'local-candidate', 'dH22', 'fd00::2'),
      candidate('R-new', 'remote-candidate', 'c16f767f', 'fd00::2'),
      pair('P-old', 'L-old', 'R-old'),
      pair('P-new', 'L-new', 'R-new'),
    );
    assert.equal(restartPairing(settled, chromium), 'within');
  });

  it("finds nothing across generations in Firefox's report, nor without the peer's previous ufrag", () => {
    assert.equal(restartPairing(firefoxMidRestart, firefox), 'within');
    assert.equal(restartPairing(chromiumMidRestart, { local: '4lzC' }), 'within');
  });

  it('cannot tell from a report that lists local candidates but none of the new generation', () => {
    assert.equal(restartPairing(chromiumCached, chromium), 'unknown');
    const anonymous = report({ id: 'L', type: 'local-candidate' }, { id: 'R', type: 'remote-candidate' }, pair('P', 'L', 'R'));
    assert.equal(restartPairing(anonymous, chromium), 'unknown');
  });
});

describe('RestartCandidates', () => {
  it('holds nothing outside a restart', () => {
    const hold = new RestartCandidates();
    assert.equal(hold.keep(A), false);
    assert.equal(hold.checking, false);
    assert.deepEqual(hold.release(), []);
  });

  it("Firefox's agent: each candidate goes as soon as a look at the pairs shows none across generations", () => {
    const hold = new RestartCandidates();
    assert.deepEqual(hold.begin(firefox), []);
    assert.equal(hold.keep(A), true);
    assert.equal(hold.checking, true);
    assert.deepEqual(hold.judge(firefoxMidRestart, hold.mark()), [A]);
    assert.equal(hold.keep(B), true);
    assert.equal(hold.keep(END), true);
    assert.deepEqual(hold.judge(firefoxMidRestart, hold.mark()), [B, END]);
    assert.equal(hold.checking, true);
  });

  it('a look releases only the candidates held before it began: a later port may pair across generations', () => {
    const hold = new RestartCandidates();
    hold.begin(chromium);
    hold.keep(A);
    const first = hold.mark();
    hold.keep(B);
    assert.deepEqual(hold.judge(firefoxMidRestart, first), [A]);
    assert.deepEqual(hold.judge(chromiumMidRestart, hold.mark()), []);
    assert.equal(hold.checking, false);
    assert.equal(hold.keep(C), true);
  });

  it("Chromium's agent: the new candidates wait for the peer's end of candidates after its answer, then go in order", () => {
    const hold = new RestartCandidates();
    hold.begin(chromium);
    hold.keep(A);
    assert.deepEqual(hold.judge(chromiumMidRestart, hold.mark()), []);
    assert.equal(hold.checking, false);
    hold.keep(B);
    // An end of candidates before the answer is the peer's previous generation's.
    assert.equal(hold.peerEnded(), false);
    hold.answered();
    hold.keep(END);
    assert.equal(hold.peerEnded(), true);
    assert.deepEqual(hold.release(), [A, B, END]);
    assert.equal(hold.keep(C), false);
    assert.equal(hold.peerEnded(), false);
  });

  it('an old report decides nothing: the candidates wait for a later look', () => {
    const hold = new RestartCandidates();
    hold.begin(chromium);
    hold.keep(A);
    assert.deepEqual(hold.judge(chromiumCached, hold.mark()), []);
    assert.equal(hold.checking, true);
    hold.keep(B);
    assert.deepEqual(hold.judge(chromiumMidRestart, hold.mark()), []);
    assert.equal(hold.checking, false);
  });

  it('without stats (getStats failed) the candidates wait for the peer, as across generations', () => {
    const hold = new RestartCandidates();
    hold.begin(chromium);
    hold.keep(A);
    assert.deepEqual(hold.judge(undefined, hold.mark()), []);
    assert.equal(hold.keep(B), true);
  });

  it('an offer without new ICE credentials holds nothing; a new restart sends what the last one held', () => {
    const hold = new RestartCandidates();
    hold.begin(chromium);
    assert.deepEqual(hold.notRestarted(), []);
    assert.equal(hold.keep(A), false);
    hold.begin(chromium);
    hold.keep(A);
    hold.judge(chromiumMidRestart, hold.mark());
    hold.answered();
    assert.deepEqual(hold.begin({ local: 'dH22', remote: 'c16f767f' }), [A]);
    // The new restart's wait starts over: its peer has not answered yet.
    assert.equal(hold.peerEnded(), false);
    assert.equal(hold.checking, true);
  });

  it('an answer that comes while nothing waits changes nothing for a later restart', () => {
    const hold = new RestartCandidates();
    hold.answered();
    hold.begin(chromium);
    assert.equal(hold.peerEnded(), false);
  });
});
