// The path a call's media takes, read from getStats() reports as Chromium and Firefox write them (src/media/path.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionPath } from '../../src/media/path.js';

const report = (entries: Record<string, Record<string, unknown>>) => new Map(Object.entries(entries));

describe('connectionPath', () => {
  it('follows the transport to the selected pair and names a relay, its protocol and the round trip (Chromium)', () => {
    const path = connectionPath(
      report({
        T1: { type: 'transport', selectedCandidatePairId: 'P2' },
        P1: { type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded', currentRoundTripTime: 0.5 },
        P2: { type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', nominated: true, state: 'succeeded', currentRoundTripTime: 0.004 },
        L1: { type: 'local-candidate', candidateType: 'host' },
        L2: { type: 'local-candidate', candidateType: 'relay', relayProtocol: 'tcp' },
        R1: { type: 'remote-candidate', candidateType: 'relay' },
      }),
      0.01,
    );
    assert.deepEqual(path, { path: 'relayed', candidateType: 'relay', remoteCandidateType: 'relay', relayProtocol: 'tcp', rtt: 0.004, loss: 0.01 });
  });

  it('takes the pair flagged selected where no transport names one (Firefox), and a host pair is direct', () => {
    const path = connectionPath(
      report({
        P1: { type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', selected: true },
        L1: { type: 'local-candidate', candidateType: 'host', relayProtocol: 'udp' },
        R1: { type: 'remote-candidate', candidateType: 'prflx' },
      }),
    );
    assert.deepEqual(path, { path: 'direct', candidateType: 'host', remoteCandidateType: 'prflx', relayProtocol: undefined, rtt: undefined, loss: undefined });
  });

  it('is relayed when only the other side relays', () => {
    const path = connectionPath(
      report({
        P1: { type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true, state: 'succeeded' },
        L1: { type: 'local-candidate', candidateType: 'srflx' },
        R1: { type: 'remote-candidate', candidateType: 'relay' },
      }),
    );
    assert.equal(path?.path, 'relayed');
    assert.equal(path?.relayProtocol, undefined);
  });

  it('is undefined before a pair is selected', () => {
    assert.equal(connectionPath(report({ P1: { type: 'candidate-pair', localCandidateId: 'L1', state: 'in-progress' } })), undefined);
  });
});
