import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIpLiteralDomain, NetworkPolicy, type Target } from './network-policy.js';
import { MAX_DOCUMENT_BYTES, parseWellKnown, WELL_KNOWN_PATH, type Parsed, type ServerInfo } from './well-known.js';

/**
 * Finds another domain's link endpoint and keys (docs/protocol.md §8.1): its well-known document,
 * from `https://<domain>/.well-known/wsp`, or from a static base URL for development and tests. Results
 * are cached for as long as they are valid; failures are remembered briefly, so an unreachable domain
 * costs one short request and then fails at once.
 */

export interface DiscoveryOptions {
  /**
   * domain → base URL (`http://127.0.0.1:8002`) whose `/.well-known/wsp` is fetched instead of the
   * domain's own. Read at every lookup, so a test may add entries after its servers started.
   */
  peers?: ReadonlyMap<string, string>;
  /** Whether domains missing from `peers` are looked up over HTTPS. Default true; false makes a closed federation. */
  discover?: boolean;
  /** Which addresses a lookup may connect to. Default: public ones only (and the hosts of `peers`). */
  policy?: NetworkPolicy;
  /** The longest a fetch may take, in ms. Default 3000: a call waits for it. */
  timeoutMs?: number;
  /** The longest a document is cached, in ms. Default one hour; a key's expiry shortens it. */
  cacheMs?: number;
  /** How long a failed lookup is remembered, in ms. Default 2000: long enough to spare a down domain, short enough for a restart. */
  failureCacheMs?: number;
  /** The least time between two fetches forced by `refresh` (an unknown key id), in ms. Default 30 000. */
  refreshMs?: number;
  /** The clock, ms since the epoch. Default Date.now. */
  now?: () => number;
}

export type Discovered = Parsed<ServerInfo>;

/** Domains cached at most. */
const MAX_ENTRIES = 10_000;

interface Entry {
  readonly result: Discovered;
  readonly fetched: number;
  readonly until: number;
}

/** Where a domain's document is, and whether it came over TLS; undefined when the domain may not be looked up. */
export interface DocumentLocation {
  readonly url: string;
  readonly secure: boolean;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : error.message;
}

/** Reads at most `max` bytes of a body: a hostile server must not make us buffer without bound. */
async function readLimited(response: IncomingMessage, max: number): Promise<string> {
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > max) throw new Error(`document larger than ${max} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`document larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs `url` through node:http(s) rather than fetch(), which cannot be told how to resolve names: the policy's lookup
 * must see every address connected to. Redirects are not followed (node:http never does): the document must come from
 * the domain itself, not from wherever it points.
 */
function getDocument(url: URL, lookup: LookupFunction | undefined, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const request = get(url, { lookup, agent: false, signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } }, resolve);
    request.once('error', reject);
  });
}

/**
 * @example
 * const discovery = new Discovery({ peers: new Map([['beta.localhost', 'http://127.0.0.1:8002']]) });
 * const found = await discovery.lookup('beta.localhost');
 * if (found.ok) connect(found.value.link);
 */
export class Discovery {
  readonly #options: DiscoveryOptions;
  readonly #now: () => number;
  readonly #policy: NetworkPolicy;
  readonly #cache = new Map<string, Entry>();
  /** Lookups under way: concurrent calls to one domain share one request. */
  readonly #pending = new Map<string, Promise<Discovered>>();

  constructor(options: DiscoveryOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#policy = options.policy ?? new NetworkPolicy();
  }

  /**
   * Where `domain`'s document is looked up: its configured peer URL, else `https://<domain>` while discovery is on
   * and the domain is a name: an IP address (`x@127.0.0.1:22`) names a host, not a domain, and would let any caller
   * probe hosts and ports; it is reached only when configured.
   */
  location(domain: string): DocumentLocation | undefined {
    const base = this.#options.peers?.get(domain);
    if (base !== undefined) return { url: new URL(WELL_KNOWN_PATH, base).href, secure: base.startsWith('https:') };
    if (this.#options.discover === false || isIpLiteralDomain(domain)) return undefined;
    return { url: `https://${domain}${WELL_KNOWN_PATH}`, secure: true };
  }

  /** The host (`host:port`) the operator configured for `domain`, which the network policy lets through; else undefined. */
  configuredHost(domain: string): string | undefined {
    const base = this.#options.peers?.get(domain);
    return base === undefined ? undefined : new URL(base).host;
  }

  /** How a connection to `url` on behalf of `domain` may be made: see NetworkPolicy. */
  target(url: URL, domain: string): Target {
    return this.#policy.target(url, this.configuredHost(domain));
  }

  /**
   * What `domain` publishes, from the cache while it is valid. `refresh` asks for a new fetch (a
   * statement names a key the cached document lacks); it is honoured at most once per `refreshMs`.
   */
  async lookup(domain: string, { refresh = false } = {}): Promise<Discovered> {
    const now = this.#now();
    const cached = this.#cache.get(domain);
    const stale = !cached || cached.until <= now || (refresh && now - cached.fetched >= (this.#options.refreshMs ?? 30_000));
    if (cached && !stale) return cached.result;
    let pending = this.#pending.get(domain);
    if (!pending) {
      pending = this.#fetch(domain).finally(() => this.#pending.delete(domain));
      this.#pending.set(domain, pending);
    }
    return pending;
  }

  /** Forgets everything: for tests, and for an operator who changed a peer's address. */
  clear(): void {
    this.#cache.clear();
  }

  async #fetch(domain: string): Promise<Discovered> {
    const result = await this.#load(domain);
    const now = this.#now();
    let until = now + (this.#options.failureCacheMs ?? 2000);
    if (result.ok) {
      // Come back when the soonest key expires: by then the domain publishes its successor.
      const expiries = result.value.keys.map((key) => key.expires).filter((expires) => expires > now);
      if (expiries.length > 0) until = Math.min(now + (this.#options.cacheMs ?? 3_600_000), ...expiries);
    }
    // Any domain may be named, by a caller or by a handshake: keep the cache bounded, dropping the oldest entry.
    if (this.#cache.size >= MAX_ENTRIES && !this.#cache.has(domain)) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(domain, { result, fetched: now, until });
    return result;
  }

  async #load(domain: string): Promise<Discovered> {
    const location = this.location(domain);
    if (!location) return { ok: false, reason: `${domain} is not a configured peer` };
    const url = new URL(location.url);
    const target = this.target(url, domain);
    if (!target.ok) return { ok: false, reason: `${location.url}: ${target.reason}` };
    let text: string;
    try {
      const response = await getDocument(url, target.lookup, this.#options.timeoutMs ?? 3000);
      if (response.statusCode !== 200) {
        response.destroy();
        return { ok: false, reason: `${location.url}: HTTP ${response.statusCode ?? 0}` };
      }
      text = await readLimited(response, MAX_DOCUMENT_BYTES);
    } catch (error) {
      return { ok: false, reason: `${location.url}: ${describe(error)}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, reason: `${location.url}: not JSON` };
    }
    const parsed = parseWellKnown(json, { domain, secure: location.secure });
    return parsed.ok ? parsed : { ok: false, reason: `${location.url}: ${parsed.reason}` };
  }
}
