import { expect } from '@open-wc/testing';
import { CallState, isActive } from '../../src/call/call-state.js';
import { transition, type CallInput } from '../../src/call/call-transitions.js';

const inputs: CallInput[] = ['invite', 'invited', 'ringing', 'accept', 'offer', 'media', 'end'];
const all = Object.values(CallState);

function run(start: CallState, ...steps: CallInput[]): (CallState | undefined)[] {
  const seen: (CallState | undefined)[] = [];
  let state: CallState | undefined = start;
  for (const step of steps) {
    state = state && transition(state, step);
    seen.push(state);
  }
  return seen;
}

describe('call state machine', () => {
  it('walks an outgoing call: idle → dialing → ringing → connecting → connected → ended', () => {
    expect(run('idle', 'invite', 'ringing', 'offer', 'media', 'end')).to.deep.equal(['dialing', 'ringing', 'connecting', 'connected', 'ended']);
  });

  it('walks an incoming call: idle → incoming → connecting → connected → ended', () => {
    expect(run('idle', 'invited', 'accept', 'media', 'end')).to.deep.equal(['incoming', 'connecting', 'connected', 'ended']);
  });

  it('takes an offer that overtook ringing', () => {
    expect(transition('dialing', 'offer')).to.equal('connecting');
  });

  it('keeps the state on a renegotiation offer', () => {
    expect(transition('connecting', 'offer')).to.equal('connecting');
    expect(transition('connected', 'offer')).to.equal('connected');
  });

  it('refuses inputs out of turn', () => {
    expect(transition('ringing', 'ringing'), 'a second ringing').to.equal(undefined);
    expect(transition('dialing', 'accept'), 'accepting an outgoing call').to.equal(undefined);
    expect(transition('incoming', 'media'), 'media before accepting').to.equal(undefined);
    expect(transition('idle', 'media')).to.equal(undefined);
    expect(transition('connected', 'invite')).to.equal(undefined);
  });

  it('ends from every state but ended, and ended is terminal', () => {
    for (const state of all) expect(transition(state, 'end')).to.equal(state === 'ended' ? undefined : 'ended');
    for (const input of inputs) expect(transition('ended', input)).to.equal(undefined);
  });

  it('always yields a known state or undefined', () => {
    for (const state of all) {
      for (const input of inputs) {
        const next = transition(state, input);
        expect(next === undefined || all.includes(next), `${state} + ${input}`).to.equal(true);
      }
    }
  });

  it('says which states occupy a widget', () => {
    expect(all.filter(isActive)).to.deep.equal(['dialing', 'ringing', 'incoming', 'connecting', 'connected']);
  });
});
