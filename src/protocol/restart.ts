// A server that drains before a restart tells each client when to come back (docs/protocol.md §3.2): the WebSocket
// close code and reason, defined once for the server that sends them and the client that reads them.

/** RFC 6455's registered "Service Restart": the server goes away; reconnect (to another process) after the delay. */
export const RESTART_CLOSE_CODE = 1012;

/** The longest delay a reason may carry, in ms: a reason naming more is read as this (a server cannot park clients for long). */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * The close reason of a 1012: `retry-after=<ms>`, the delay in whole milliseconds.
 *
 * @example
 * socket.close(RESTART_CLOSE_CODE, restartCloseReason(1830)); // reason "retry-after=1830"
 */
export function restartCloseReason(retryAfterMs: number): string {
  return `retry-after=${Math.max(0, Math.round(retryAfterMs))}`;
}

/**
 * The delay a 1012's reason asks for, in ms, at most MAX_RETRY_AFTER_MS; undefined when the reason is not
 * `retry-after=<digits>` (then the client uses its usual reconnect delay).
 *
 * @example
 * socket.addEventListener('close', (e) => {
 *   if (e.code === RESTART_CLOSE_CODE) reconnectAfter(retryAfterOf(e.reason) ?? 1000);
 * });
 */
export function retryAfterOf(reason: string): number | undefined {
  const match = /^retry-after=(\d{1,9})$/.exec(reason);
  return match ? Math.min(Number(match[1]), MAX_RETRY_AFTER_MS) : undefined;
}
