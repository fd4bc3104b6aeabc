import { ByeCode } from '../protocol/codes.js';

/** How long an accepted call may take to connect before it ends with `bye` 504, by default: 15 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * Why a call found no path, for code (the `error` event's `code`):
 * - `turn-refused`: the TURN server refused this side's credentials (401: expired, or made with another secret);
 * - `turn-needed`: no TURN server was configured, and ICE found no direct path: one would likely have helped;
 * - `no-route`: a TURN server was configured, and still no path was found (unreachable, blocked, refused unseen).
 */
export type SetupFailureKind = 'turn-refused' | 'turn-needed' | 'no-route';

/** What ends a call that could not connect: the `bye` code, a reason in plain words, and the kind for code. */
export interface SetupFailure {
  readonly code: typeof ByeCode.NO_ROUTE;
  readonly kind: SetupFailureKind;
  readonly reason: string;
}

/** What a side knows when its call gives up. */
export interface SetupFacts {
  /** What made it give up: the deadline passed, gathering ended without a candidate, or ICE reported failure. */
  readonly cause: 'timeout' | 'no-candidates' | 'ice-failed';
  /** Whether a `turn:` or `turns:` server was configured. */
  readonly turnConfigured: boolean;
  /** A TURN server answered 401 (`icecandidateerror`): the credentials were refused. */
  readonly turnRefused: boolean;
  /** The deadline, for the reason's wording. */
  readonly timeoutMs: number;
}

/**
 * Names the cause of a failed setup. Pure.
 *
 * @example
 * setupFailure({ cause: 'ice-failed', turnConfigured: false, turnRefused: false, timeoutMs: 15000 }).kind; // 'turn-needed'
 */
export function setupFailure({ cause, turnConfigured, turnRefused, timeoutMs }: SetupFacts): SetupFailure {
  const code = ByeCode.NO_ROUTE;
  if (turnRefused) return { code, kind: 'turn-refused', reason: 'The TURN server refused the credentials (401): no relay, so no connection' };
  const what =
    cause === 'timeout'
      ? `No connection to the other party within ${Math.round(timeoutMs / 1000)} s`
      : cause === 'no-candidates'
        ? 'No network address to connect through could be found'
        : 'No network path to the other party was found';
  if (!turnConfigured) return { code, kind: 'turn-needed', reason: `${what}: a TURN server would likely have helped` };
  return { code, kind: 'no-route', reason: `${what}, not even through the TURN server` };
}

/** True when `servers` list a TURN server (`turn:` or `turns:`), whose relay can connect what nothing else can. */
export function hasTurnServer(servers: readonly RTCIceServer[] = []): boolean {
  return servers.some(({ urls }) => [urls].flat().some((url) => /^turns?:/i.test(url)));
}

/** The timer functions the deadline uses: the page's, or a test's fake clock. */
export interface DeadlineTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The page's own timers. */
export const pageTimers: DeadlineTimers = { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as number) };

/** The part of a peer connection the deadline watches. */
export type WatchedConnection = Pick<RTCPeerConnection, 'addEventListener' | 'iceGatheringState'>;

export interface ConnectDeadlineOptions {
  /** How long from arm() the call may take to connect; default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  readonly turnConfigured: boolean;
  readonly timers?: DeadlineTimers;
}

/**
 * Ends a setup that cannot succeed, instead of leaving it "connecting" for as long as anyone waits: once armed (the call
 * was accepted), it reports a {@link SetupFailure} when the deadline passes, at once when gathering completed without a
 * single candidate (relay-only with refused credentials: the peer connection would stay `new` forever), and when
 * told ICE failed. It watches the connection from its creation, so that candidates found while the call rang count.
 * Reports at most once; disarm() when connected.
 *
 * @example
 * const deadline = new ConnectDeadline(pc, { turnConfigured: false }, (failure) => session.end(failure.code, failure.reason, true));
 * deadline.arm(); // on accept; deadline.disarm() once connected
 */
export class ConnectDeadline {
  readonly #timeoutMs: number;
  readonly #turnConfigured: boolean;
  readonly #timers: DeadlineTimers;
  readonly #report: (failure: SetupFailure) => void;
  #candidates = 0;
  #turnRefused = false;
  #gathered = false;
  #armed = false;
  #done = false;
  #timer: unknown;

  constructor(pc: WatchedConnection, options: ConnectDeadlineOptions, report: (failure: SetupFailure) => void) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#turnConfigured = options.turnConfigured;
    this.#timers = options.timers ?? pageTimers;
    this.#report = report;
    pc.addEventListener('icecandidate', (event) => {
      if ((event as RTCPeerConnectionIceEvent).candidate?.candidate) this.#candidates++;
    });
    // 401 from a TURN server: its credentials are refused, and with them every relay candidate (Chromium reports it;
    // Firefox 153 does not fire icecandidateerror, and its refused setup ends as `no-route` when gathering ends).
    pc.addEventListener('icecandidateerror', (event) => {
      if ((event as RTCPeerConnectionIceErrorEvent).errorCode === 401) this.#turnRefused = true;
    });
    pc.addEventListener('icegatheringstatechange', () => {
      this.#gathered = pc.iceGatheringState === 'complete';
      if (this.#armed && this.#gathered && !this.#candidates) this.#fail('no-candidates');
    });
  }

  /** Starts the deadline (the call was accepted); fails at once if gathering already ended with nothing. */
  arm(): void {
    if (this.#armed || this.#done) return;
    this.#armed = true;
    if (this.#gathered && !this.#candidates) return this.#fail('no-candidates');
    this.#timer = this.#timers.setTimeout(() => this.#fail('timeout'), this.#timeoutMs);
  }

  /** ICE reported `failed` before the call was up. */
  iceFailed(): void {
    this.#fail('ice-failed');
  }

  /** The call connected or ended: nothing more to report. */
  disarm(): void {
    this.#done = true;
    this.#timers.clearTimeout(this.#timer);
  }

  #fail(cause: 'timeout' | 'no-candidates' | 'ice-failed'): void {
    if (this.#done) return;
    this.disarm();
    this.#report(setupFailure({ cause, turnConfigured: this.#turnConfigured, turnRefused: this.#turnRefused, timeoutMs: this.#timeoutMs }));
  }
}
