/**
 * WSP 1.0, the WebRTC Signaling Protocol: the one definition of the wire format, shared by the
 * element and the server. Pure: no I/O, no DOM, no Node APIs. The normative text is docs/protocol.md.
 */
export { ByeCode, byeReason, byeReasons, isKnownByeCode } from './codes.js';
export { limits } from './limits.js';
export { formatAddress, normalizeAddress, parseAddress, type Address } from './address.js';
export { carriesOnly, decode, encode, type DecodeResult, type ProtocolError } from './codec.js';
export { callIdOf, keywords } from './frame.js';
export type * from './frame.js';

/** The WebSocket subprotocol of this version. */
export const SUBPROTOCOL = 'wsp-1.0';
/** The label of the DataChannel that takes over signaling after the handover. */
export const DATA_CHANNEL_LABEL = 'wsp';
