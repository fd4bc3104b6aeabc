import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { parseAddress } from '../../protocol/index.js';
import type { ServerKeys } from './keys.js';
import type { PublishedKey } from './well-known.js';

/**
 * The signed statement that opens a server-to-server link (docs/protocol.md §8.3), in the spirit of
 * Matrix's `X-Matrix` requests: the connecting server proves it holds a key its claimed domain
 * publishes, for this destination, now, once. Pure: no I/O; the keys of the origin are looked up by
 * the caller, the clock is a parameter.
 */

/** The authorization scheme of the HTTP upgrade that opens a link. */
export const LINK_AUTH_SCHEME = 'WSP-Link';

/** First line of the statement: a signature made for anything else can never pass for a link's. */
const STATEMENT_CONTEXT = 'WSP-LINK-1.0';

export interface LinkClaims {
  /** The connecting server's domain, canonical (lower case). */
  readonly origin: string;
  /** The domain it means to reach, canonical. */
  readonly destination: string;
  /** The id of the origin's key that signed. */
  readonly kid: string;
  /** When it was signed, ms since the epoch. */
  readonly timestamp: number;
  /** 16 or more random bytes in base64url: with the origin, the key of the replay cache. */
  readonly nonce: string;
}

export interface LinkAuthorization extends LinkClaims {
  readonly signature: Buffer;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const KID = /^[A-Za-z0-9_-]{1,64}$/;
const TIMESTAMP = /^[0-9]{1,16}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
/** One `name="value"` pair; values never need quoting or escapes, so none are allowed. */
const PARAM = /^\s*([a-z]+)="([^"\\]*)"\s*$/;
const PARAMS = ['origin', 'destination', 'key', 'ts', 'nonce', 'sig'] as const;

function canonicalDomain(text: string): string | undefined {
  return parseAddress(`x@${text}`)?.domain;
}

/**
 * The exact bytes that are signed: five lines, each ended by `\n`, UTF-8 (all ASCII):
 * `WSP-LINK-1.0`, origin, destination, timestamp (decimal ms), nonce. No field may hold a line break,
 * so no two statements share their bytes.
 */
export function linkStatement(claims: Omit<LinkClaims, 'kid'>): Buffer {
  return Buffer.from(`${STATEMENT_CONTEXT}\n${claims.origin}\n${claims.destination}\n${claims.timestamp}\n${claims.nonce}\n`, 'utf8');
}

export interface SignOptions {
  origin: string;
  destination: string;
  keys: ServerKeys;
  /** ms since the epoch. Default: Date.now(). */
  now?: number;
  /** Default: 16 fresh random bytes. Given only by tests. */
  nonce?: string;
}

/**
 * The `Authorization` header value that opens a link from `origin` to `destination`.
 *
 * @example
 * new WebSocket(url, 'wsp-1.0', { headers: { Authorization: signLink({ origin, destination, keys }) } });
 */
export function signLink(options: SignOptions): string {
  const claims = {
    origin: options.origin,
    destination: options.destination,
    timestamp: options.now ?? Date.now(),
    nonce: options.nonce ?? randomBytes(16).toString('base64url'),
  };
  const signature = sign(null, linkStatement(claims), options.keys.privateKey).toString('base64url');
  const params = {
    origin: claims.origin,
    destination: claims.destination,
    key: options.keys.kid,
    ts: String(claims.timestamp),
    nonce: claims.nonce,
    sig: signature,
  };
  return `${LINK_AUTH_SCHEME} ${Object.entries(params)
    .map(([name, value]) => `${name}="${value}"`)
    .join(', ')}`;
}

/** Reads the header; checks syntax only. Every parameter is required, once; unknown ones are refused. */
export function parseLinkAuthorization(header: string | undefined): Checked<LinkAuthorization> {
  if (!header) return { ok: false, reason: 'Authorization header missing' };
  const malformed = (what: string): Checked<LinkAuthorization> => ({ ok: false, reason: `Authorization malformed: ${what}` });
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== LINK_AUTH_SCHEME) return malformed(`scheme must be ${LINK_AUTH_SCHEME}`);
  const values = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const match = PARAM.exec(part);
    if (!match) return malformed('parameters are name="value", separated by commas');
    const [, name, value] = match as unknown as [string, string, string];
    if (!(PARAMS as readonly string[]).includes(name)) return malformed(`unknown parameter ${name.slice(0, 16)}`);
    if (values.has(name)) return malformed(`parameter ${name} given twice`);
    values.set(name, value);
  }
  const missing = PARAMS.find((name) => !values.has(name));
  if (missing) return malformed(`parameter ${missing} missing`);
  const get = (name: (typeof PARAMS)[number]) => values.get(name)!;
  const origin = canonicalDomain(get('origin'));
  const destination = canonicalDomain(get('destination'));
  // Canonical forms only: the signature covers exactly the bytes the header shows.
  if (!origin || origin !== get('origin')) return malformed('origin is not a domain in lower case');
  if (!destination || destination !== get('destination')) return malformed('destination is not a domain in lower case');
  if (!KID.test(get('key'))) return malformed('key');
  if (!TIMESTAMP.test(get('ts')) || !Number.isSafeInteger(Number(get('ts')))) return malformed('ts must be ms since the epoch');
  if (!NONCE.test(get('nonce'))) return malformed('nonce must be 16 to 64 base64url characters');
  if (!SIGNATURE.test(get('sig'))) return malformed('sig must be 64 bytes in base64url');
  return {
    ok: true,
    value: { origin, destination, kid: get('key'), timestamp: Number(get('ts')), nonce: get('nonce'), signature: Buffer.from(get('sig'), 'base64url') },
  };
}

/**
 * Remembers the nonces of accepted statements for as long as their timestamp is acceptable: a
 * statement seen once is refused after, and one older than the window is refused anyway, so memory
 * stays bounded by the rate of genuine links. Only statements whose signature verified are
 * remembered, so nobody can burn another server's nonces.
 */
export class ReplayCache {
  /** `origin nonce` → when the entry may go (ms); a Map iterates in insertion order, about expiry order. */
  readonly #seen = new Map<string, number>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  get size(): number {
    return this.#seen.size;
  }

  has(origin: string, nonce: string): boolean {
    return this.#seen.has(`${origin} ${nonce}`);
  }

  /** Records a nonce; false when it was there already: a replay. */
  add(origin: string, nonce: string, expires: number, now: number): boolean {
    for (const [key, until] of this.#seen) {
      // Expired entries go first; a full cache drops its oldest rather than refuse genuine links.
      if (until > now && this.#seen.size < this.#max) break;
      this.#seen.delete(key);
    }
    const key = `${origin} ${nonce}`;
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, expires);
    return true;
  }
}

export interface PrecheckOptions {
  /** This server's domain: the only acceptable destination. */
  domain: string;
  now: number;
  /** How far a timestamp may lie from `now`, either way, in ms. */
  skewMs: number;
  replays: ReplayCache;
}

/**
 * The checks that need no key, made before the origin's keys are fetched, so that a stale, replayed or
 * misdirected statement costs no request to anyone.
 */
export function precheckLink(auth: LinkAuthorization, options: PrecheckOptions): string | undefined {
  if (auth.destination !== options.domain) return `wrong destination: this server is ${options.domain}`;
  if (auth.origin === options.domain) return "origin is this server's own domain";
  if (Math.abs(options.now - auth.timestamp) > options.skewMs) return `timestamp outside ±${options.skewMs / 1000} s of this server's clock`;
  if (options.replays.has(auth.origin, auth.nonce)) return 'replayed handshake';
  return undefined;
}

export interface VerifyLinkOptions extends PrecheckOptions {
  /** The keys the origin's domain publishes (its well-known document). */
  keys: readonly PublishedKey[];
}

/** Every check of §8.3, in order; on success the nonce is spent. Returns the refusal's reason, or undefined. */
export function verifyLink(auth: LinkAuthorization, options: VerifyLinkOptions): string | undefined {
  const early = precheckLink(auth, options);
  if (early) return early;
  const key = options.keys.find((candidate) => candidate.kid === auth.kid);
  if (!key) return `unknown key ${auth.kid} for ${auth.origin}`;
  if (key.expires <= options.now) return `key ${auth.kid} of ${auth.origin} expired`;
  if (!verifySignature(auth, key.publicKey)) return 'bad signature';
  if (!options.replays.add(auth.origin, auth.nonce, auth.timestamp + options.skewMs, options.now)) return 'replayed handshake';
  return undefined;
}

function verifySignature(auth: LinkAuthorization, publicKey: KeyObject): boolean {
  try {
    return verify(null, linkStatement(auth), publicKey, auth.signature);
  } catch {
    return false; // a key of another type: no signature of ours can match it
  }
}
