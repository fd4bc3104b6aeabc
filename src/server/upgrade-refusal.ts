import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

// What the client upgrade (/wsp) and the federation link upgrade (/wsp/federation) share before any WebSocket exists.

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
