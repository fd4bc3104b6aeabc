/**
 * The WebSocket close code of a server that drains for a restart (RFC 6455's "Service Restart"). Its reason,
 * `retry-after=<ms>`, says when to come back: the server jitters that delay, so that its clients do not all return
 * at the same moment, and the load balancer sends them to a server that is up.
 */
export const DRAIN_CLOSE_CODE = 1012;

/** What the client knows of how its WebSocket closed; nothing when it never opened or the token could not be had. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/**
 * How long to wait before connecting again, in ms, after `failures` lost or failed connections in a row: the delay a
 * draining server asked for (a close with {@link DRAIN_CLOSE_CODE} and `retry-after=<ms>`), else the backoff of
 * docs/protocol.md §4.6 (1 s after the first failure, then 2, 4, 8…). Never more than 30 s: a server cannot keep a
 * client away for longer, nor can the backoff. Pure.
 *
 * @example
 * retryDelay(1); // 1000
 * retryDelay(0, { code: 1012, reason: 'retry-after=2500' }); // 2500
 */
export function retryDelay(failures: number, closed?: Closed): number {
  const drain = closed?.code === DRAIN_CLOSE_CODE && /^retry-after=(\d{1,9})$/.exec(closed.reason);
  return Math.min(30_000, drain ? Number(drain[1]) : 500 * 2 ** failures);
}
