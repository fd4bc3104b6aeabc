import { WebSocket } from 'ws';
import type { Frame } from '../protocol/index.js';
import { exceeds } from './limits.js';
import type { Logger } from './log.js';
import { writeFrame } from './wire.js';

/**
 * What one message waiting in a socket's write queue costs the server beyond its bytes: the string or Buffer object,
 * ws's frame header, the stream's write request and its callback. Counting bytes alone let a peer that never reads,
 * sent tiny frames, hold several times the cap in memory (a link cut at 16 MiB of 50-byte notices had grown the
 * process by 100–135 MB of RSS). Measured with bench/queued-write-cost.mjs (Node 20.20, ws 8.23): 200,000 messages of
 * 1 to 1,000 bytes, as strings and as Buffers, sent to a paused reader once the kernel's buffers were full; after a GC
 * the process had grown by bufferedAmount plus 260–440 bytes of heap and external memory per queued message, 480–580
 * bytes of RSS (up to about 1,200 for some sizes: the allocator's slack). 512 is the RSS figure for small messages,
 * which are what a flood queues.
 */
export const QUEUED_WRITE_OVERHEAD = 512;

/**
 * Writes frames to one socket (a client's or a link's) and cuts the peer once what waits for it to read costs more
 * than `max` bytes: each message counts its bytes plus QUEUED_WRITE_OVERHEAD from ws.send() until its callback, which
 * fires once the message has reached the kernel. So the cap bounds the memory a peer that does not read can hold, as
 * the process pays it, whether it is sent a few large frames or a great many small ones. `max` 0 means unlimited.
 *
 * @example
 * const outbox = new Outbox(socket, limits.maxBufferedBytes, log, 'client does not read its frames; dropping it');
 * outbox.write(frame);
 */
export class Outbox {
  readonly #socket: WebSocket;
  readonly #max: number;
  readonly #log: Logger;
  readonly #cutMessage: string;
  /** Bytes plus overhead of the messages written and not yet handed to the kernel. */
  #queued = 0;
  /** How many messages those are. */
  #writes = 0;

  readonly #sent: ((frame: Frame) => void) | undefined;

  /** `cutMessage` is the warning logged when the peer is cut; `sent` is told of each frame written (the server's metrics). */
  constructor(socket: WebSocket, max: number, log: Logger, cutMessage: string, sent?: (frame: Frame) => void) {
    this.#socket = socket;
    this.#sent = sent;
    this.#max = max;
    this.#log = log;
    this.#cutMessage = cutMessage;
  }

  /** What the messages not yet handed to the kernel cost, in bytes: their sizes plus the overhead of each. */
  get queued(): number {
    return this.#queued;
  }

  /** Writes `frame`, unless the socket is no longer open or its peer is over the cap (then it is cut, without a closing handshake). */
  write(frame: Frame): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    if (exceeds(this.#queued, this.#max)) {
      this.#log.warn(this.#cutMessage, { queued: this.#queued, writes: this.#writes, buffered: this.#socket.bufferedAmount });
      this.#socket.terminate();
      return;
    }
    // A message the kernel took at once left bufferedAmount as it was, and is not counted: its callback still waits
    // for the end of the tick, and counting it until then would cut a reader that keeps up but is sent many frames in
    // one tick (a batch relayed from one TCP read). The callback never fires before send() returns (stream callbacks
    // are asynchronous), so `cost` is set by then.
    const before = this.#socket.bufferedAmount;
    let cost = 0;
    const bytes = writeFrame(this.#socket, frame, () => this.#written(cost));
    this.#sent?.(frame);
    if (this.#socket.bufferedAmount === before) return;
    cost = bytes + QUEUED_WRITE_OVERHEAD;
    this.#queued += cost;
    this.#writes += 1;
  }

  #written(cost: number): void {
    if (cost === 0) return;
    this.#queued -= cost;
    this.#writes -= 1;
  }
}
