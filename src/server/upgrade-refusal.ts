import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { RefusalCode } from '../protocol/index.js';

// What the client upgrade (/wsp) and the federation link upgrade (/wsp/federation) share to refuse a client: an HTTP
// answer before any WebSocket exists, or, for a WSP client the server will not take, a WebSocket closed at once.

/** The subprotocols a client offered, from `Sec-WebSocket-Protocol: a, b`. */
export function offeredProtocols(request: IncomingMessage): string[] {
  return (request.headers['sec-websocket-protocol'] ?? '').split(',').map((name) => name.trim());
}

/** Answers an upgrade request with a plain HTTP error (and any extra header lines), so no WebSocket ever exists for it. */
export function refuse(socket: Duplex, status: number, reason: string, headers: readonly string[] = []): void {
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    ...headers,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(reason)}`,
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${reason}`);
}

/** What a close frame's reason may hold: 123 bytes of UTF-8 (RFC 6455 §5.5: 125 with the code). */
const CLOSE_REASON_BYTES = 123;

/** `reason` cut to fit a close frame, on a character boundary, with `…` where it was cut. */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= CLOSE_REASON_BYTES) return reason;
  let cut = '';
  for (const character of reason) {
    if (Buffer.byteLength(cut + character) > CLOSE_REASON_BYTES - Buffer.byteLength('…')) break;
    cut += character;
  }
  return `${cut}…`;
}

/**
 * Closes a refused client's WebSocket at once with `code` and a one-line `reason` (docs/protocol.md §3): no frame of
 * it is read. A client that does not answer the close is cut off after `graceMs`, so a refused socket never lingers.
 */
export function closeRefused(ws: WebSocket, code: RefusalCode, reason: string, graceMs: number): void {
  ws.on('error', () => {}); // a bad frame from the client: the socket goes either way, and must not throw
  const cutOff = setTimeout(() => ws.terminate(), graceMs);
  ws.once('close', () => clearTimeout(cutOff));
  ws.close(code, closeReason(reason));
}
