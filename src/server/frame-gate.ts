import { monotonicClock, TokenBucket, type Clock } from '../protocol/token-bucket.js';

/** What to do with an arriving frame: handle it, drop it, or drop it and give up on the sender. */
export type GateVerdict = 'pass' | 'drop' | 'flood';

/**
 * After this many bursts' worth of frames dropped without the sender's allowance refilling in
 * between, it is flooding rather than bursting: a client is then disconnected (1008).
 */
export const FLOOD_BURSTS = 10;

/**
 * The per-connection frame rate limit: a token bucket of `burst` frames refilling at `perSecond`,
 * and a count of frames dropped since the sender was last back within its rate (bucket full again).
 * Either number 0 turns the gate off. Pure: the clock is injected.
 *
 * @example
 * const gate = new FrameGate(50, 200);
 * switch (gate.admit()) { case 'pass': handle(frame); break; case 'drop': if (gate.dropped === 1) notice(429); break; case 'flood': close(1008); }
 */
export class FrameGate {
  readonly #bucket: TokenBucket | undefined;
  readonly #floodAt: number;
  #dropped = 0;

  constructor(perSecond: number, burst: number, now: Clock = monotonicClock) {
    this.#bucket = perSecond > 0 && burst > 0 ? new TokenBucket(perSecond, burst, now) : undefined;
    this.#floodAt = FLOOD_BURSTS * burst;
  }

  /** Frames dropped in the current flood, if any. */
  get dropped(): number {
    return this.#dropped;
  }

  admit(): GateVerdict {
    if (!this.#bucket) return 'pass';
    if (this.#dropped > 0 && this.#bucket.full) this.#dropped = 0; // the sender calmed down: forgiven
    if (this.#bucket.take()) return 'pass';
    this.#dropped += 1;
    return this.#dropped >= this.#floodAt ? 'flood' : 'drop';
  }
}
