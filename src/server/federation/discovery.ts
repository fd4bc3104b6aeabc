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
  // undici reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error.message;
}

/** Reads at most `max` bytes of a body: a hostile server must not make us buffer without bound. */
async function readLimited(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > max) throw new Error(`document larger than ${max} bytes`);
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`document larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
  readonly #cache = new Map<string, Entry>();
  /** Lookups under way: concurrent calls to one domain share one request. */
  readonly #pending = new Map<string, Promise<Discovered>>();

  constructor(options: DiscoveryOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  location(domain: string): DocumentLocation | undefined {
    const base = this.#options.peers?.get(domain);
    if (base !== undefined) return { url: new URL(WELL_KNOWN_PATH, base).href, secure: base.startsWith('https:') };
    if (this.#options.discover === false) return undefined;
    return { url: `https://${domain}${WELL_KNOWN_PATH}`, secure: true };
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
    let text: string;
    try {
      const response = await fetch(location.url, {
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 3000),
        redirect: 'error', // the document must come from the domain itself, not from wherever it points
        headers: { accept: 'application/json' },
      });
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, reason: `${location.url}: HTTP ${response.status}` };
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
