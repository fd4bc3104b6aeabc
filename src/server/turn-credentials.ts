import { createHmac } from 'node:crypto';

/** How long the TURN credentials a client gets stay valid by default: an hour (the client renews them before). */
export const DEFAULT_TURN_TTL_SECONDS = 3600;
/** The shortest and longest lifetimes a server may hand out: a minute (renewals would flood) to a day. */
export const TURN_TTL_RANGE = { min: 60, max: 86_400 } as const;

export interface TurnOptions {
  /** The secret shared with the TURN server (coturn's `static-auth-secret`, with `use-auth-secret`). */
  secret: string;
  /**
   * The ICE server URLs the credentials are for: `stun:host:3478`, `turn:host:3478?transport=udp`,
   * `turn:host:3478?transport=tcp`, `turns:host:443?transport=tcp`.
   */
  urls: readonly string[];
  /** How long each set of credentials is valid, in seconds; default {@link DEFAULT_TURN_TTL_SECONDS}. */
  ttlSeconds?: number;
}

/** What `GET /wsp/turn` answers (docs/protocol.md §3.1): `iceServers` as `RTCIceServer`s, valid `ttl` seconds from now. */
export interface TurnCredentials {
  readonly iceServers: readonly { readonly urls: readonly string[]; readonly username: string; readonly credential: string }[];
  /** When they expire, seconds since the epoch (by the server's clock). */
  readonly expires: number;
  /** How long they are valid from now, in seconds: what a client schedules its renewal by, whatever its clock says. */
  readonly ttl: number;
}

/** The URL schemes of ICE servers (RFC 7064, RFC 7065). */
const ICE_URL = /^(stuns?|turns?):[^\s?]+(\?transport=(udp|tcp))?$/i;

/**
 * Checks TURN options once, at start: a typo in a URL or an empty secret should stop the server, not reach browsers.
 * Returns them with the TTL filled in.
 *
 * @example
 * checkTurnOptions({ secret: 's3cret', urls: ['turn:turn.example.org:3478?transport=udp'] }).ttlSeconds; // 3600
 */
export function checkTurnOptions(options: TurnOptions): Required<TurnOptions> {
  if (!options.secret) throw new TypeError('the TURN secret must not be empty');
  if (!options.urls.length) throw new TypeError('TURN credentials need at least one stun:, turn: or turns: URL');
  for (const url of options.urls) if (!ICE_URL.test(url)) throw new TypeError(`not a stun:, turn: or turns: URL: ${JSON.stringify(url)}`);
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
  const { min, max } = TURN_TTL_RANGE;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < min || ttlSeconds > max) throw new RangeError(`the TURN TTL must be an integer from ${min} to ${max} s`);
  return { secret: options.secret, urls: [...options.urls], ttlSeconds };
}

/**
 * Mints TURN credentials in the scheme coturn checks with `use-auth-secret` (the "TURN REST API",
 * draft-uberti-behave-turn-rest): username `<expiry>:<user>`, password base64(HMAC-SHA1(secret, username)). The TURN
 * server recomputes the password from the username, so nothing is stored, and refuses the username once its expiry
 * has passed: a leaked pair is worth an hour, not forever.
 *
 * @example
 * const { iceServers } = turnCredentials({ secret, urls: ['turn:turn.example.org:3478'] }, 'alice@example.org');
 * // iceServers[0].username === '1767229200:alice@example.org'
 */
export function turnCredentials(options: Required<TurnOptions>, user: string, nowMs = Date.now()): TurnCredentials {
  const expires = Math.floor(nowMs / 1000) + options.ttlSeconds;
  const username = `${expires}:${user}`;
  const credential = createHmac('sha1', options.secret).update(username).digest('base64');
  return { iceServers: [{ urls: options.urls, username, credential }], expires, ttl: options.ttlSeconds };
}
