import type { ByeCode } from './codes.js';

// The English reasons of the `bye` codes, apart from the codes (codes.ts): the element's first load needs the codes, the
// texts only once a call ends, so they come with the call engine. The element imports the protocol modules it needs
// one by one, not through index.ts, which would bring this one along.

/** The English reason a peer shows when a `bye` carries none. */
export const byeReasons: Readonly<Record<ByeCode, string>> = {
  101: 'Signaling transferred',
  200: 'Call ended',
  400: 'Malformed frame',
  401: 'Not authorized',
  403: 'Forbidden',
  404: 'Unknown user',
  408: 'No answer',
  409: 'Answered on another device',
  413: 'Frame too large',
  429: 'Too many frames',
  480: 'Callee offline',
  486: 'Busy',
  487: 'Call cancelled',
  488: 'Media could not be established',
  500: 'Server error',
  502: 'Domain unreachable',
  503: 'Connection to the other party lost',
  504: 'No network path to the other party',
  603: 'Declined',
  606: "Callee's browser cannot take calls",
};

/** True for the codes WSP 1.0 defines. Peers must still accept and end the call on any other integer. */
export function isKnownByeCode(code: number): code is ByeCode {
  return Object.hasOwn(byeReasons, code);
}

/** The reason to show for `code`: the one the frame carried, else the table's, else a generic one. */
export function byeReason(code: number, given?: string): string {
  return given || (isKnownByeCode(code) ? byeReasons[code] : `Call ended (${code})`);
}
