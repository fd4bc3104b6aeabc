import type { RawData, WebSocket } from 'ws';
import { carriesOnly, decode, encode, type ByeFrame, type DecodeResult, type Frame } from '../protocol/index.js';

// The bytes of frames as they cross the server: decoded from a client or a link, and written to another. The frames
// that a relay forwards as they came (a description or a candidate, most of the traffic) keep the bytes they came in,
// when those hold nothing but the validated frame: writing them again costs nothing, where encoding an SDP anew was
// a tenth of the server's time under load (bench/load.mjs, relay).

/** Frames forwarded unchanged from one party to the other. */
const relayed = new Set<Frame[0]>(['offer', 'answer', 'icecandidate']);

/** The bytes each such frame came in, while the frame lives. */
const received = new WeakMap<Frame, Buffer>();

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/**
 * Decodes one text message from a client or a link (docs/protocol.md §3); never throws.
 *
 * @example
 * const result = readFrame(data);
 * if (result.ok) router.receive(peer, result.frame);
 */
export function readFrame(data: RawData): DecodeResult {
  const bytes = toBuffer(data);
  const text = bytes.toString('utf8');
  const result = decode(text);
  if (result.ok && relayed.has(result.frame[0]) && carriesOnly(text, result.frame)) received.set(result.frame, bytes);
  return result;
}

/**
 * Writes `frame` to `socket` as a text message: the bytes it came in, when readFrame() kept them, else its encoding.
 * `written` is called once the message has reached the kernel (or failed to). Returns the message's size in bytes.
 *
 * @example
 * const bytes = writeFrame(socket, frame, () => (queued -= bytes));
 */
export function writeFrame(socket: WebSocket, frame: Frame, written?: (error?: Error) => void): number {
  const data = received.get(frame) ?? encode(frame);
  socket.send(data, { binary: false }, written);
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/** A notice (docs/protocol.md §6): a `bye` without call id, answering a frame that could not be taken; it ends nothing. */
export function notice(code: number, reason: string): ByeFrame {
  return ['bye', { code, reason }, {}];
}
