import { CallState } from './call-state.js';

// The transition table of the call state machine: only the call session moves a call, so this lives apart from the
// states themselves, which the element reads (and the page loads first).

/**
 * What moves a call on: the local user's actions, the frames that arrive and the media becoming live.
 * - `invite`: this side placed the call (sent `invite`);
 * - `invited`: an `invite` arrived here (this side answered `ringing`);
 * - `ringing`: the callee's device rings (a `ringing` frame arrived at the caller);
 * - `accept`: the user accepted an incoming call (this side sends the `offer`);
 * - `offer`: an `offer` arrived at the caller (the callee accepted, or renegotiates);
 * - `media`: the peer connection is connected and the peer's media arrives;
 * - `end`: a `bye` was sent or received, or the call failed.
 *
 * Which side may send which frame (an `offer` reaches only a caller, an `answer` only a callee) is checked by
 * the session, which knows its role; this table knows only the order.
 */
export type CallInput = 'invite' | 'invited' | 'ringing' | 'accept' | 'offer' | 'media' | 'end';

const { IDLE, DIALING, RINGING, INCOMING, CONNECTING, CONNECTED, ENDED } = CallState;

const table: Readonly<Record<CallState, Partial<Readonly<Record<CallInput, CallState>>>>> = {
  [IDLE]: { invite: DIALING, invited: INCOMING, end: ENDED },
  // The server forwards `ringing` before any `offer`, but a caller must not depend on it.
  [DIALING]: { ringing: RINGING, offer: CONNECTING, end: ENDED },
  [RINGING]: { offer: CONNECTING, end: ENDED },
  [INCOMING]: { accept: CONNECTING, end: ENDED },
  // A later `offer` is a renegotiation: the call stays where it is.
  [CONNECTING]: { offer: CONNECTING, media: CONNECTED, end: ENDED },
  [CONNECTED]: { offer: CONNECTED, end: ENDED },
  [ENDED]: {},
};

/**
 * The state a call moves to when `input` happens in `state`, or undefined when `input` is out of turn
 * there (a second `ringing`, an `accept` of an outgoing call, anything after the end): the caller ignores it.
 *
 * @example
 * transition('incoming', 'accept'); // 'connecting'
 * transition('ended', 'offer');     // undefined
 */
export function transition(state: CallState, input: CallInput): CallState | undefined {
  return table[state][input];
}
