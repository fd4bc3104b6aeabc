/**
 * The states of one call, as seen from one side. Pure data: no DOM, no I/O, so the same table runs in
 * the browser and in Node tests.
 *
 * @example
 * if (session.state === CallState.INCOMING) showAcceptButton();
 */
export const CallState = {
  /** Nothing happened yet. */
  IDLE: 'idle',
  /** Outgoing: the `invite` is sent, no device of the callee rings yet. */
  DIALING: 'dialing',
  /** Outgoing: a device of the callee rings (it answered `ringing`). */
  RINGING: 'ringing',
  /** Incoming: a call rings here and waits for accept or decline. */
  INCOMING: 'incoming',
  /** Accepted: offer, answer and ICE are under way. */
  CONNECTING: 'connecting',
  /** The peer connection is up and the peer's media arrives. */
  CONNECTED: 'connected',
  /** Over, for whatever reason; terminal. */
  ENDED: 'ended',
} as const;

export type CallState = (typeof CallState)[keyof typeof CallState];

/**
 * True while a call occupies its side: from the invite (sent or received) until it ended.
 *
 * @example
 * if (isActive(session.state)) answerBusy(invite);
 */
export function isActive(state: CallState): boolean {
  return state !== CallState.IDLE && state !== CallState.ENDED;
}
