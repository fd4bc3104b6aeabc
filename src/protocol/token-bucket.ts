// The rate limiter of both sides: the server meters clients and links, a call session what its peer sends over the
// DataChannel (docs/protocol.md §2.4, §4.7).
/** A clock in milliseconds; monotonic by default, injectable so tests need not wait. */
export type Clock = () => number;

// Browsers and Node both have it, but the protocol is compiled against neither's types (src/protocol/tsconfig.json).
declare const performance: { now(): number };

export const monotonicClock: Clock = () => performance.now();

/**
 * A token bucket: holds up to `burst` tokens and gains `ratePerSecond` of them each second. Each
 * `take()` spends one; when none is left the action is refused. So a sender may burst, then keep a
 * steady rate, and no faster. Pure: time comes from the injected clock.
 *
 * @example
 * const bucket = new TokenBucket(50, 200);
 * if (!bucket.take()) drop(frame);
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: Clock;
  #tokens: number;
  #at: number;

  /** `ratePerSecond` > 0 and `burst` ≥ 1; a bucket starts full. */
  constructor(ratePerSecond: number, burst: number, now: Clock = monotonicClock) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('a token bucket needs a positive rate and a burst of at least 1');
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Spends a token if there is one: true when the action may go ahead. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether the bucket has refilled completely: the sender has been within its rate for a while. */
  get full(): boolean {
    this.#refill();
    return this.#tokens >= this.#burst;
  }

  #refill(): void {
    const now = this.#now();
    // A clock that steps back (a wall clock set by NTP) must not drain the bucket.
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    this.#at = now;
  }
}
