import type { RawData } from 'ws';
import { ByeCode, type ByeFrame, type Frame } from '../protocol/index.js';
import type { Clock } from '../protocol/token-bucket.js';
import { FrameGate } from './frame-gate.js';
import type { Logger } from './log.js';
import type { RefusalReason } from './metrics.js';
import { notice, readFrame } from './wire.js';

// A notice costs the server a write, and a write to a peer that does not read costs memory (src/server/outbox.ts):
// answering each bad or excess frame let one tiny frame in make the server queue one frame out, as fast as the
// sender could send. So notices are bounded here: one 429 per flood, and a budget for the others.

/** Notices (400, 500) a sender may earn at once for frames that could not be taken; beyond, they are dropped silently. */
export const NOTICE_BURST = 20;
/** How fast that allowance comes back. */
export const NOTICES_PER_SECOND = 10;

export interface IntakeOptions {
  /** The sender's frame rate limit: a bucket of `burst` frames refilling at `perSecond`; either 0 lifts it, and the bound on notices with it. */
  perSecond: number;
  burst: number;
  /** Writes a notice back to the sender. */
  reply: (notice: ByeFrame) => void;
  /** Takes each frame that was admitted and decoded. */
  receive: (frame: Frame) => void;
  /**
   * Called once the sender floods (FrameGate's `flood`), with the frames dropped; nothing is read after it. Without it,
   * a flood is dropped like any frame over the rate: a link is never cut for it, it carries every call between two domains.
   */
  flood?: (dropped: number) => void;
  log: Logger;
  /** How loudly the sender's bad frames are logged: a link's are the other server's bug (`warn`), a client's common (`debug`). */
  level: 'debug' | 'warn';
  now?: Clock;
  /** Told of each frame dropped before `receive`, and why: the server's metrics. */
  refused?: (reason: RefusalReason) => void;
}

/**
 * What a client's or a link's socket does with each message it receives, in this order: the frame rate limit (before
 * decoding, so a dropped frame costs little), decoding (docs/protocol.md §3), notices for what cannot be taken (§6),
 * then the frame to `receive`. Never throws: a bug in handling one frame is answered with a 500 notice.
 *
 * @example
 * const intake = new Intake({ perSecond: 50, burst: 200, reply: (frame) => outbox.write(frame), receive, log, level: 'debug' });
 * socket.on('message', (data, isBinary) => intake.read(data, isBinary));
 */
export class Intake {
  readonly #gate: FrameGate;
  /** The same meter as the frames', spent on notices: its drops counted since it was last full mark one episode. */
  readonly #notices: FrameGate;
  readonly #options: IntakeOptions;
  /** Set once the sender flooded and `flood` was called: what it still sends is not read. */
  #stopped = false;

  constructor(options: IntakeOptions) {
    const { perSecond, burst, now } = options;
    this.#options = options;
    this.#gate = new FrameGate(perSecond, burst, now);
    this.#notices = new FrameGate(perSecond > 0 && burst > 0 ? NOTICES_PER_SECOND : 0, NOTICE_BURST, now);
  }

  read(data: RawData, isBinary: boolean): void {
    if (this.#stopped) return;
    const verdict = this.#gate.admit();
    if (verdict !== 'pass') {
      this.#options.refused?.('rate_limited');
      return this.#excess(verdict === 'flood');
    }
    try {
      if (isBinary) return this.#refuse(ByeCode.MALFORMED, 'binary messages are not WSP frames', 'binary');
      const result = readFrame(data);
      if (!result.ok) return this.#refuse(result.error.code, result.error.reason, result.error.code === ByeCode.TOO_LARGE ? 'too_large' : 'malformed');
      this.#options.receive(result.frame);
    } catch (error) {
      // A bug in handling one frame must not end the connection, let alone the server, nor every call on a link.
      this.#options.log.error('failed to handle a frame', { error });
      this.#refuse(ByeCode.SERVER_ERROR, 'server error', 'server_error');
    }
  }

  /** A frame over the rate: dropped, answered only when dropping starts; a flood ends reading when `flood` is given. */
  #excess(flooding: boolean): void {
    const { flood, log, level, reply } = this.#options;
    if (flooding && flood) {
      this.#stopped = true;
      return flood(this.#gate.dropped);
    }
    if (this.#gate.dropped !== 1) return;
    log[level]('too many frames: dropping them until the sender slows down');
    reply(notice(ByeCode.TOO_MANY, 'too many frames'));
  }

  /** A frame that cannot be taken: answered with a notice while the sender's allowance for them lasts, then dropped silently. */
  #refuse(code: number, reason: string, why: RefusalReason): void {
    const { log, level, reply } = this.#options;
    this.#options.refused?.(why);
    if (this.#notices.admit() === 'pass') {
      log[level]('frame refused', { code, reason });
      return reply(notice(code, reason));
    }
    if (this.#notices.dropped === 1) log[level]('too many bad frames: dropping them without a notice');
  }
}
