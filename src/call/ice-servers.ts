import { TURN_PATH, WSP_PATH } from '../protocol/paths.js';
import { pageTimers, type DeadlineTimers } from './connect-deadline.js';

/** What a WSP server answers at `POST /wsp/turn` (docs/protocol.md §3.1). */
interface TurnAnswer {
  readonly iceServers: RTCIceServer[];
  readonly ttl: number;
}

/**
 * The URL of a server's TURN credentials, from the WebSocket URL the widget connects to, its path with `/turn` added:
 * `wss://example.org/wsp` → `https://example.org/wsp/turn` (TURN_PATH), and behind a proxy that serves the server
 * under a prefix, `ws://host/alpha/wsp` → `http://host/alpha/wsp/turn`. The token goes in the body of the POST, never
 * in a URL a browser may print. Pure.
 *
 * @example
 * turnCredentialsUrl('ws://127.0.0.1:8080/wsp'); // 'http://127.0.0.1:8080/wsp/turn'
 */
export function turnCredentialsUrl(server: string): string {
  const url = new URL(server);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/?$/, TURN_PATH.slice(WSP_PATH.length));
  url.search = url.hash = '';
  return url.href;
}

/**
 * The page's ICE servers, then the server's: the page's own STUN comes first, and a relay from either may carry the
 * call. Pure.
 *
 * @example
 * mergeIceServers([{ urls: 'stun:stun.example.org' }], issued); // [{urls: 'stun:…'}, …issued]
 */
export function mergeIceServers(page: readonly RTCIceServer[] = [], issued: readonly RTCIceServer[] = []): RTCIceServer[] {
  return [...page, ...issued];
}

/** Reads a `/wsp/turn` answer: undefined for anything but a list of ICE servers with a positive lifetime. Pure. */
export function readTurnAnswer(body: unknown): TurnAnswer | undefined {
  const answer = body as Partial<TurnAnswer> | null;
  const valid =
    typeof answer?.ttl === 'number' &&
    answer.ttl > 0 &&
    Array.isArray(answer.iceServers) &&
    answer.iceServers.every((server) => typeof server?.urls === 'string' || Array.isArray(server?.urls));
  return valid ? { iceServers: answer.iceServers!, ttl: answer.ttl! } : undefined;
}

export interface IssuedIceServersOptions {
  /** The WebSocket URL of the widget's WSP server. */
  readonly server: string;
  /**
   * A token for the request: the one the connection used, or a fresh one from the page's tokenProvider, checked as the
   * connection checks it. Anything but a string stands for no token (why there is none): nothing is asked then.
   */
  readonly token: () => unknown;
  /** The page's fetch, or a test's. */
  readonly fetch?: typeof fetch;
  /** The page's timers, or a test's fake clock. */
  readonly timers?: DeadlineTimers;
}

/** Of their lifetime, how much may pass before credentials are renewed: a call placed then has a quarter left. */
const RENEW_AT = 0.75;

/**
 * The TURN credentials a widget's WSP server issues (docs/protocol.md §3.1), kept fresh: asked for when the widget
 * connects, again at three quarters of their lifetime and before an ICE restart. A server without TURN (HTTP 204; 404
 * from an older server) or one that cannot be asked leaves the list empty: the page's ICE servers alone are used.
 *
 * @example
 * const issued = new IssuedIceServers({ server: 'wss://example.org/wsp', token: () => token });
 * await issued.renew();
 * new RTCPeerConnection({ iceServers: mergeIceServers(pageServers, issued.servers) });
 */
export class IssuedIceServers {
  /** The freshest servers, or none. */
  servers: RTCIceServer[] = [];
  readonly #options: IssuedIceServersOptions;
  readonly #timers: DeadlineTimers;
  #timer?: unknown;
  #expiry?: unknown;
  #stopped = false;

  constructor(options: IssuedIceServersOptions) {
    this.#options = options;
    this.#timers = options.timers ?? pageTimers;
  }

  /** The last renewal asked for (by renew(), or by the timer): resolves once its answer is taken. */
  renewal: Promise<RTCIceServer[]> = Promise.resolve([]);

  /** Asks the server for fresh credentials; resolves with what is current then (never rejects). */
  renew(): Promise<RTCIceServer[]> {
    return (this.renewal = this.#renew());
  }

  async #renew(): Promise<RTCIceServer[]> {
    try {
      const token = await this.#options.token();
      // No token: the connection reports why; the page's ICE servers still work meanwhile.
      if (typeof token !== 'string') return this.servers;
      // A text/plain body makes it a CORS simple request: no preflight. A server without TURN answers 204.
      const request = { method: 'POST', body: token, cache: 'no-store' } as const;
      const response = await (this.#options.fetch ?? fetch)(turnCredentialsUrl(this.#options.server), request);
      const answer = response.status === 200 ? readTurnAnswer(await response.json()) : undefined;
      if (answer && !this.#stopped) this.#take(answer);
    } catch {
      // No TURN from this server now: the page's ICE servers still work, and the next renewal may succeed.
    }
    return this.servers;
  }

  /** Stops renewing (the widget disconnected). */
  stop(): void {
    this.#stopped = true;
    this.#timers.clearTimeout(this.#timer);
    this.#timers.clearTimeout(this.#expiry);
  }

  #take({ iceServers, ttl }: TurnAnswer): void {
    this.servers = iceServers;
    this.#timers.clearTimeout(this.#timer);
    this.#timers.clearTimeout(this.#expiry);
    this.#timer = this.#timers.setTimeout(() => void this.renew(), ttl * 1000 * RENEW_AT);
    // Credentials past their expiry are refused by the TURN server: none is better (the deadline then says "TURN needed").
    this.#expiry = this.#timers.setTimeout(() => (this.servers = []), ttl * 1000);
  }
}

/**
 * The TURN credentials for a client that connected to `server` with `token`, once the server answered (none when it
 * has no TURN, or cannot be asked); renewals take a fresh token from `next` (the client's, checked as for a connection).
 */
export async function issueIceServers(server: string, token: string, next: () => unknown): Promise<IssuedIceServers> {
  let first: string | undefined = token;
  const nextToken = () => {
    const given = first;
    first = undefined;
    return given ?? next();
  };
  const issued = new IssuedIceServers({ server, token: nextToken });
  await issued.renew();
  return issued;
}
