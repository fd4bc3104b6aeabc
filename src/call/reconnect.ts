import { RESTART_CLOSE_CODE, retryAfterOf } from '../protocol/restart.js';

/** What the client knows of how its WebSocket closed; nothing when it never opened or the token could not be had. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/**
 * How long to wait before connecting again, in ms, after `failures` lost or failed connections in a row: the delay a
 * draining server asked for (close code 1012, reason `retry-after=<ms>`, docs/protocol.md §3.2; at most 300 s), else
 * the backoff of §4.6 (1 s after the first failure, then 2, 4, 8… up to 30 s). Pure.
 *
 * @example
 * retryDelay(1); // 1000
 * retryDelay(0, { code: 1012, reason: 'retry-after=2500' }); // 2500
 */
export function retryDelay(failures: number, closed?: Closed): number {
  const asked = closed?.code === RESTART_CLOSE_CODE ? retryAfterOf(closed.reason) : undefined;
  return asked ?? Math.min(30_000, 500 * 2 ** failures);
}
