import { RESTART_CLOSE_CODE, restartCloseReason } from '../protocol/index.js';
import { systemTimers, type Timers } from './call-router.js';

/** A client connection as the drain sees it: told to go, with a WebSocket close. */
export interface Departing {
  close(code: number, reason: string): void;
}

export interface DrainOptions<C extends Departing> {
  /** The client connections open now. */
  connections: Iterable<C>;
  /** Whether a connection still needs the server for a call (ringing, or not yet handed over): the router's `busy()`. */
  busy: (connection: C) => boolean;
  /** Ends the calls left when the drain times out (bye 503 to their parties). */
  endCalls: () => void;
  /** Each client is told to come back after a random delay in [0, jitterMs] ms, so they do not all return at once. */
  jitterMs: number;
  /** The longest the drain waits for busy connections, in ms. */
  timeoutMs: number;
  /** Default Math.random. */
  random?: () => number;
  timers?: Timers;
}

/**
 * A server's graceful drain (docs/protocol.md §3.2): every client connection is closed with 1012 and a
 * `retry-after=<ms>` reason, at once when it needs the server for no call, else as soon as its last call ends or hands
 * over (`released()`); after `timeoutMs` the calls left are ended and their connections told too. `done` resolves when
 * every connection has been told.
 *
 * @example
 * const drain = new Drain({ connections, busy: (c) => router.busy(c), endCalls: () => router.endAll(503), jitterMs: 5000, timeoutMs: 30_000 });
 * // router observer: released: (peer) => drain.released(peer); socket close: drain.closed(connection)
 * await drain.done;
 */
export class Drain<C extends Departing> {
  readonly done: Promise<void>;
  readonly #waiting = new Set<C>();
  readonly #options: DrainOptions<C>;
  readonly #timers: Timers;
  readonly #timer: unknown;
  #finish!: () => void;

  constructor(options: DrainOptions<C>) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
    this.done = new Promise((resolve) => (this.#finish = resolve));
    for (const connection of options.connections) {
      if (options.busy(connection)) this.#waiting.add(connection);
      else this.#tell(connection);
    }
    this.#timer = this.#timers.set(() => this.#timeOut(), options.timeoutMs);
    this.#check();
  }

  /** The delay a client is told to wait before it reconnects, in ms: uniform in [0, jitterMs]. */
  retryAfterMs(): number {
    return Math.round((this.#options.random ?? Math.random)() * this.#options.jitterMs);
  }

  /** A connection left a call: it is told to go once it needs the server for none. */
  released(connection: C): void {
    if (!this.#waiting.has(connection) || this.#options.busy(connection)) return;
    this.#waiting.delete(connection);
    this.#tell(connection);
    this.#check();
  }

  /** A connection closed on its own: nothing to wait for. */
  closed(connection: C): void {
    if (this.#waiting.delete(connection)) this.#check();
  }

  /** Ends the drain now, telling no one (the server closes every socket itself). */
  stop(): void {
    this.#waiting.clear();
    this.#check();
  }

  #tell(connection: C): void {
    connection.close(RESTART_CLOSE_CODE, restartCloseReason(this.retryAfterMs()));
  }

  #timeOut(): void {
    this.#options.endCalls(); // each party released: told through released()
    for (const connection of this.#waiting) this.#tell(connection);
    this.#waiting.clear();
    this.#check();
  }

  #check(): void {
    if (this.#waiting.size > 0) return;
    this.#timers.clear(this.#timer);
    this.#finish();
  }
}
