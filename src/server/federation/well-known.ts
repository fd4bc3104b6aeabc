import { createPublicKey, type KeyObject } from 'node:crypto';
import * as v from 'valibot';
import { asciiLowerCase, LINK_PATH, WELL_KNOWN_PATH, WSP_PATH } from '../../protocol/index.js';
import type { ServerKeys } from './keys.js';

/**
 * The discovery document of docs/protocol.md §8.1: where a domain's WSP server takes links, and the
 * keys that prove a link comes from it. Building it and checking a fetched one are pure.
 */

// The paths are the protocol's (src/protocol/paths.ts); exported here too, where the federation's users find them.
export { LINK_PATH, WELL_KNOWN_PATH };

/** The document as it travels (JSON). `exp` is in seconds since the epoch, like a JWT's. */
export interface WellKnownDocument {
  readonly domain: string;
  readonly link: string;
  readonly client?: string;
  readonly keys: readonly { readonly kid: string; readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string; readonly exp: number }[];
}

/** A public key of another domain, ready to verify with. */
export interface PublishedKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
  /** ms since the epoch; a statement signed by it is refused from then on. */
  readonly expires: number;
}

/** What discovery learns about a domain. */
export interface ServerInfo {
  readonly domain: string;
  /** The `ws:`/`wss:` URL that takes links. */
  readonly link: string;
  readonly keys: readonly PublishedKey[];
}

/** Keys and documents are small; a bigger answer is not a WSP document and is not read to the end. */
export const MAX_DOCUMENT_BYTES = 16 * 1024;

const KeySchema = v.object({
  kid: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  kty: v.literal('OKP'),
  crv: v.literal('Ed25519'),
  x: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'x must be 32 bytes in base64url')),
  exp: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

const DocumentSchema = v.object({
  domain: v.pipe(v.string(), v.maxLength(256)),
  link: v.pipe(v.string(), v.maxLength(2048), v.url()),
  client: v.optional(v.pipe(v.string(), v.maxLength(2048), v.url())),
  keys: v.pipe(v.array(KeySchema), v.minLength(1), v.maxLength(16)),
});

export interface DocumentOptions {
  domain: string;
  /** Where the server is reached from outside, e.g. `https://example.org` or `http://127.0.0.1:8001`. */
  publicUrl: string;
  keys: ServerKeys;
  /** ms since the epoch. */
  now: number;
  /** How long the published key stays valid from `now`; re-announced with each request, like Matrix's `valid_until_ts`. */
  keyTtlMs: number;
}

/** `http(s)://host/base` → `ws(s)://host/base/path`. */
function socketUrl(publicUrl: string, path: string): string {
  const url = new URL(publicUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`the public URL must be http: or https:, not ${url.protocol}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * This server's own document.
 *
 * @example
 * wellKnownDocument({ domain: 'example.org', publicUrl: 'https://example.org', keys, now: Date.now(), keyTtlMs: 86_400_000 })
 * // {domain, link: 'wss://example.org/wsp/federation', client: 'wss://example.org/wsp', keys: [{kid, kty, crv, x, exp}]}
 */
export function wellKnownDocument(options: DocumentOptions): WellKnownDocument {
  return {
    domain: options.domain,
    link: socketUrl(options.publicUrl, LINK_PATH),
    client: socketUrl(options.publicUrl, WSP_PATH),
    keys: [{ kid: options.keys.kid, kty: 'OKP', crv: 'Ed25519', x: options.keys.x, exp: Math.floor((options.now + options.keyTtlMs) / 1000) }],
  };
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface ParseOptions {
  /** The domain whose document this is meant to be: a document naming another is refused. */
  domain: string;
  /** Whether the link URL must be `wss:` (the document came over HTTPS); `ws:` only for static peers. */
  secure: boolean;
}

/** Checks a fetched document and makes its keys usable. Never throws. */
export function parseWellKnown(json: unknown, options: ParseOptions): Parsed<ServerInfo> {
  const result = v.safeParse(DocumentSchema, json);
  if (!result.success) {
    const issue = result.issues[0];
    return { ok: false, reason: `not a WSP document: ${v.getDotPath(issue) ?? 'document'}: ${issue.message}` };
  }
  const document = result.output;
  if (asciiLowerCase(document.domain) !== options.domain)
    return { ok: false, reason: `the document is for ${document.domain.slice(0, 64)}, not ${options.domain}` };
  const link = new URL(document.link);
  const schemes = options.secure ? ['wss:'] : ['wss:', 'ws:'];
  if (!schemes.includes(link.protocol)) return { ok: false, reason: `link must be a ${schemes.join(' or ')} URL` };
  const keys: PublishedKey[] = [];
  for (const key of document.keys) {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x }, format: 'jwk' });
    } catch {
      return { ok: false, reason: `key ${key.kid} is not an Ed25519 public key` };
    }
    keys.push({ kid: key.kid, publicKey, expires: key.exp * 1000 });
  }
  return { ok: true, value: { domain: options.domain, link: link.href, keys } };
}
