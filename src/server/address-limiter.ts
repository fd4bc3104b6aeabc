import { monotonicClock, TokenBucket, type Clock } from '../protocol/token-bucket.js';

export interface AddressLimiterOptions {
  /** Sockets open at once per address; 0 = unlimited. */
  connectionsPerAddress: number;
  /** Upgrade attempts per minute per address; 0 = unlimited. */
  upgradesPerMinute: number;
  /** What the attempts are, for the reason a refusal gives. Default `connection attempts`. */
  attempts?: string;
  now?: Clock;
}

/** The answer to an upgrade attempt: a slot to release when the socket is gone, or why there is none. */
export type Admission = { readonly ok: true; release(): void } | { readonly ok: false; readonly reason: string };

interface Entry {
  open: number;
  readonly upgrades: TokenBucket | undefined;
}

/**
 * Per remote address: how many client sockets are open, and how fast it attempts upgrades. Pure
 * bookkeeping (the clock is injected): the server asks `admit()` at each upgrade and calls
 * `release()` when that socket closes or the upgrade is refused. `sweep()` forgets idle addresses.
 *
 * @example
 * const admission = limiter.admit(request.socket.remoteAddress);
 * if (!admission.ok) return refuse(socket, 429, admission.reason);
 * ws.once('close', admission.release);
 */
export class AddressLimiter {
  readonly #options: AddressLimiterOptions;
  readonly #now: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(options: AddressLimiterOptions) {
    this.#options = options;
    this.#now = options.now ?? monotonicClock;
  }

  /** Counts an upgrade attempt from `address` and reserves a socket slot for it, if both limits allow. */
  admit(address: string): Admission {
    const { connectionsPerAddress, upgradesPerMinute } = this.#options;
    let entry = this.#entries.get(address);
    if (!entry) {
      const upgrades = upgradesPerMinute > 0 ? new TokenBucket(upgradesPerMinute / 60, upgradesPerMinute, this.#now) : undefined;
      entry = { open: 0, upgrades };
      this.#entries.set(address, entry);
    }
    if (entry.upgrades && !entry.upgrades.take()) {
      return { ok: false, reason: `more than ${upgradesPerMinute} ${this.#options.attempts ?? 'connection attempts'} a minute` };
    }
    if (connectionsPerAddress > 0 && entry.open >= connectionsPerAddress) {
      return { ok: false, reason: `more than ${connectionsPerAddress} connections from one address` };
    }
    entry.open += 1;
    const counted = entry;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return; // a socket may report its end twice (refused, then closed): count it once
        released = true;
        counted.open -= 1;
      },
    };
  }

  /** Sockets open from `address` now. */
  open(address: string): number {
    return this.#entries.get(address)?.open ?? 0;
  }

  /** How many addresses are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** Forgets addresses with no socket open whose attempt budget has refilled: they are as if never seen. */
  sweep(): void {
    for (const [address, entry] of this.#entries) {
      if (entry.open === 0 && (entry.upgrades?.full ?? true)) this.#entries.delete(address);
    }
  }
}
