// How a client presents its token in the WebSocket handshake, and how a server refuses it there so that a browser can
// tell why (docs/protocol.md §3): defined once for the client that offers and reads them and the server that checks
// and sends them.
import { SUBPROTOCOL } from './frame.js';

/** The prefix of the subprotocol that carries the client's token: `wsp-token.<JWT>`, offered beside `wsp-1.0`. */
export const TOKEN_PROTOCOL_PREFIX = 'wsp-token.';

/**
 * The longest token a client sends and a server reads, in characters. A token travels in a header line, which proxies
 * bound (nginx: 8 KiB a line by default); a WSP token is a few hundred characters.
 */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * The close codes of a refused client connection: the server completes the handshake and closes at once with one of
 * these and a one-line reason, since a browser learns nothing of an HTTP refusal (close 1006 to it).
 */
export const RefusalCode = {
  /** The token does not authenticate anyone: missing, malformed, too long, expired, forged, valid for too long. */
  TOKEN: 4401,
  /** The page's origin is not on the server's allow-list. */
  ORIGIN: 4403,
  /** The token is valid but its user is not one of this server's: another domain's, or not in its directory. */
  USER: 4404,
} as const;
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];

/** A JWS in compact form: three base64url parts (the last empty when unsigned), characters any subprotocol may carry. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * Whether `token` can be offered as a subprotocol: a JWT's shape, at most MAX_TOKEN_LENGTH characters. A client checks
 * before it sends, so that nothing else (an error page's body, say) ever reaches a header or a browser's error text.
 *
 * @example
 * sendableToken('eyJ….eyJ….sig'); // true
 * sendableToken('<html>401</html>'); // false
 */
export function sendableToken(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && JWT_SHAPE.test(token);
}

/**
 * The subprotocols a client offers: WSP's, and its token.
 *
 * @example
 * new WebSocket('wss://example.org/wsp', clientProtocols(token)); // Sec-WebSocket-Protocol: wsp-1.0, wsp-token.eyJ…
 */
export function clientProtocols(token: string): string[] {
  return [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + token];
}

/**
 * The token among the subprotocols a client offered: the text after `wsp-token.`, `''` when none was offered, undefined
 * when more than one was.
 *
 * @example
 * offeredToken(['wsp-1.0', 'wsp-token.eyJ…']); // 'eyJ…'
 */
export function offeredToken(protocols: readonly string[]): string | undefined {
  const tokens = protocols.filter((name) => name.startsWith(TOKEN_PROTOCOL_PREFIX));
  return tokens.length > 1 ? undefined : (tokens[0]?.slice(TOKEN_PROTOCOL_PREFIX.length) ?? '');
}
