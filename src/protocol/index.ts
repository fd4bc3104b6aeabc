/**
 * WSP 1.0, the WebRTC Signaling Protocol: the one definition of the wire format, shared by the
 * element and the server. Pure: no I/O, no DOM, no Node APIs. The normative text is docs/protocol.md.
 */
export { ByeCode } from './codes.js';
export { byeReason, byeReasons, isKnownByeCode } from './bye-reasons.js';
export { limits } from './limits.js';
export { asciiLowerCase, formatAddress, normalizeAddress, parseAddress, type Address } from './address.js';
export { carriesOnly, decode, encode, type DecodeResult, type ProtocolError } from './codec.js';
export { DATA_CHANNEL_LABEL, SUBPROTOCOL, callIdOf, keywords } from './frame.js';
export { clientProtocols, MAX_TOKEN_LENGTH, offeredToken, RefusalCode, sendableToken, TOKEN_PROTOCOL_PREFIX } from './handshake.js';
export { LINK_PATH, TURN_PATH, WELL_KNOWN_PATH, WSP_PATH } from './paths.js';
export { MAX_RETRY_AFTER_MS, RESTART_CLOSE_CODE, restartCloseReason, retryAfterOf } from './restart.js';
export type * from './frame.js';
