import { SignJWT, errors, jwtVerify } from 'jose';
import { formatAddress, MAX_TOKEN_LENGTH, normalizeAddress, parseAddress } from '../protocol/index.js';

/** The `aud` claim of every WSP token: a token minted for something else is not accepted here. */
export const TOKEN_AUDIENCE = 'wsp';
const ALGORITHM = 'HS256';
/** The longest a token may be valid by default, from `iat` (or from now) to `exp`: 24 hours. */
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 86_400;
/** How far a token's `iat` may lie in the future: the clocks of the backend and the server may differ this much. */
export const CLOCK_SKEW_SECONDS = 60;

export interface MintOptions {
  /** The user's address `user@domain`; stored in canonical (lower-case) form as `sub`. */
  address: string;
  /** The secret shared by the site's backend and the WSP server. */
  secret: string;
  /**
   * How long the token is valid. Default 600 (ten minutes): a token only has to last until the socket opens.
   * A server refuses tokens valid longer than its `maxTokenTtlSeconds` (24 hours by default).
   */
  ttlSeconds?: number;
}

export interface VerifyOptions {
  secret: string;
  /** The server's own domain: a token for another domain's user is refused. */
  domain: string;
  /** The server's user directory (user names), if it has one: a token for anyone else is refused. */
  users?: ReadonlySet<string>;
  /**
   * The longest a token may be valid, in seconds: `exp` − `iat`, and `exp` − now. Default 86 400 (24 hours). A
   * token issued more than `CLOCK_SKEW_SECONDS` in the future is refused too.
   */
  maxTtlSeconds?: number;
}

export type VerifyResult = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

function key(secret: string): Uint8Array {
  if (!secret) throw new TypeError('the token secret must not be empty');
  return new TextEncoder().encode(secret);
}

/**
 * Mints the token a client presents when it connects (docs/protocol.md §3). Call it in the site's
 * backend for the logged-in user; never in a browser, which must not know the secret.
 *
 * @example
 * const token = await mintToken({ address: 'alice@example.org', secret: process.env.WSP_SECRET! });
 * new WebSocket('wss://example.org/wsp', ['wsp-1.0', `wsp-token.${token}`]);
 */
export async function mintToken({ address, secret, ttlSeconds = 600 }: MintOptions): Promise<string> {
  const sub = normalizeAddress(address);
  if (!sub) throw new TypeError(`not an address user@domain: ${JSON.stringify(address)}`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive integer');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(sub)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key(secret));
}

/** One line a developer can act on; the details of jose's messages stay in the server's log. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return `token not signed with ${ALGORITHM}`;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return `token audience is not "${TOKEN_AUDIENCE}"`;
    if (error.reason === 'missing') return `token has no "${error.claim}" claim`;
    return `token claim "${error.claim}" invalid`;
  }
  return 'token malformed';
}

/**
 * Checks a token presented at the WebSocket upgrade or with a TURN request. Never throws: a refusal carries the HTTP
 * status that says why (401: not authenticated, 403: authenticated but not allowed here; the upgrade answers them with
 * close codes 4401 and 4404) and a one-line reason, which never holds the token.
 *
 * @example
 * const auth = await verifyToken(offeredToken(protocols), { secret, domain: 'example.org' });
 * if (!auth.ok) refuse(auth.status, auth.reason);
 */
export async function verifyToken(token: string | null | undefined, options: VerifyOptions): Promise<VerifyResult> {
  if (!token) return { ok: false, status: 401, reason: 'token missing' };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, status: 401, reason: `token longer than ${MAX_TOKEN_LENGTH} characters` };
  let sub: unknown;
  let iat: number | undefined;
  let exp: number;
  try {
    const { payload } = await jwtVerify(token, key(options.secret), {
      algorithms: [ALGORITHM],
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    sub = payload.sub;
    iat = payload.iat; // jose checked that it is a number, if present
    exp = payload.exp!;
  } catch (error) {
    return { ok: false, status: 401, reason: reasonOf(error) };
  }
  // A stolen token must not last: however it was minted, it is valid at most maxTtl from its issue, and from now.
  const maxTtl = options.maxTtlSeconds ?? DEFAULT_MAX_TOKEN_TTL_SECONDS;
  const now = Math.floor(Date.now() / 1000);
  if (iat !== undefined && iat > now + CLOCK_SKEW_SECONDS) return { ok: false, status: 401, reason: 'token issued in the future' };
  if (exp - (iat ?? now) > maxTtl || exp - now > maxTtl + CLOCK_SKEW_SECONDS) {
    return { ok: false, status: 401, reason: `token valid for longer than ${maxTtl} s` };
  }
  const address = typeof sub === 'string' ? parseAddress(sub) : undefined;
  if (!address) return { ok: false, status: 401, reason: 'token subject is not an address user@domain' };
  if (address.domain !== options.domain) {
    return { ok: false, status: 403, reason: `token is for domain ${address.domain}, this server serves ${options.domain}` };
  }
  if (options.users && !options.users.has(address.user)) {
    return { ok: false, status: 403, reason: `unknown user ${address.user}` };
  }
  return { ok: true, address: formatAddress(address) };
}
