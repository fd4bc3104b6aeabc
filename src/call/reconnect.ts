import { RefusalCode } from '../protocol/handshake.js';
import { RESTART_CLOSE_CODE, retryAfterOf } from '../protocol/restart.js';
import { en } from '../i18n/strings.js';
import type { ConnectionErrorCode } from './events.js';

/** What the client knows of how its WebSocket closed; nothing when it never opened or the token could not be had. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** Why the client is not connected: its `error` event's code, and the English message, which never holds the token. */
export interface ConnectionFailure {
  readonly code: ConnectionErrorCode;
  readonly message: string;
}

/**
 * The failure `code`, with its English message: the English status line for it, then `detail` (a server's reason, an
 * exception) if any. Pure.
 *
 * @example
 * failure('token-refused', 'token expired'); // { code: 'token-refused', message: 'Sign-in refused: token expired' }
 */
export function failure(code: ConnectionErrorCode, detail?: string): ConnectionFailure {
  return { code, message: detail ? `${en[code]}: ${detail}` : en[code] };
}

/**
 * Why the WebSocket to the server closed (docs/protocol.md §3): refused, with the server's one-line reason (close code
 * 4403: the origin; 4401, 4404: the token); else lost when it had opened, unreachable when it never did. Pure.
 *
 * @example
 * closeFailure({ code: 4401, reason: 'token expired' }, true).code; // 'token-refused'
 * closeFailure({ code: 1006, reason: '' }, false).code; // 'unreachable'
 */
export function closeFailure({ code, reason }: Closed, wasOpen: boolean): ConnectionFailure {
  const refused = code === RefusalCode.ORIGIN ? 'origin-refused' : code === RefusalCode.TOKEN || code === RefusalCode.USER ? 'token-refused' : undefined;
  return failure(refused ?? (wasOpen ? 'connection-lost' : 'unreachable'), reason);
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
