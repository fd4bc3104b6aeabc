import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { limits, SUBPROTOCOL } from '../../protocol/index.js';
import type { Federation } from '../call-router.js';
import { AddressLimiter } from '../address-limiter.js';
import { DEFAULT_HEARTBEAT_MS } from '../defaults.js';
import { defaultLimits, type ServerLimits } from '../limits.js';
import { silentLogger, type Logger } from '../log.js';
import type { FrameMetrics } from '../metrics.js';
import type { Discovery } from './discovery.js';
import { HandshakeSlots } from './handshake-slots.js';
import type { ServerKeys } from './keys.js';
import { Link, type LinkHandler, type LinkLimits } from './link.js';
import { parseLinkAuthorization, precheckLink, ReplayCache, signLink, verifyLink } from './link-auth.js';
import { offeredProtocols, refuse } from '../upgrade-refusal.js';

export interface LinkManagerOptions {
  /** This server's domain, canonical: the origin it signs as and the destination it accepts. */
  domain: string;
  keys: ServerKeys;
  discovery: Discovery;
  /** Where frames from links go and where lost links are reported: the CallRouter. */
  handler: LinkHandler;
  log?: Logger;
  /** The longest opening a link may take, discovery included, in ms. Default 5000: a call waits for it. */
  connectTimeoutMs?: number;
  /** How long a link this server opened stays open without a call, in ms. Default 300 000; links it accepted wait twice as long. */
  idleMs?: number;
  /** Interval of the ping that finds a dead link, in ms. Default 30 000. */
  heartbeatMs?: number;
  /** How far a handshake's timestamp may lie from this server's clock, in ms. Default 60 000. */
  skewMs?: number;
  /** Delay before retrying a domain after a failed attempt: doubles from `initialMs` up to `maxMs`. Default 1000 and 60 000. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** The clock, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** How fast each link may send, how much it may leave unread, how many one address may open; each defaults to `defaultLimits`'s. */
  limits?: Partial<LinkManagerLimits>;
  /** Where the links' frames are counted: the server's metrics. */
  metrics?: FrameMetrics;
}

/** The limits of the link manager: each link's, and those of the addresses links come from. */
export type LinkManagerLimits = LinkLimits & Pick<ServerLimits, 'linksPerAddress' | 'linkUpgradesPerMinute'>;

/**
 * Handshakes waiting for their origin's keys, per address and in all: enough for servers reconnecting after a restart
 * of this one, few enough that no address can make it open connections by the hundred (docs/security.md).
 */
const HANDSHAKES_PER_ADDRESS = 2;
const HANDSHAKES_IN_ALL = 64;

type Verdict = { readonly ok: true; readonly origin: string } | { readonly ok: false; readonly status: number; readonly reason: string };

/** The delay after the `failures`-th failure in a row: 1, 2, 4 … times `initialMs`, at most `maxMs`. */
export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
}

/** Reads a refusal's body, at most 1 kB: it is only a reason for the log. */
function readReason(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 1024) body += chunk;
    });
    response.on('end', () => resolve(body.slice(0, 256)));
    response.on('error', () => resolve(body.slice(0, 256)));
  });
}

/** Failing domains remembered for backoff at most. */
const MAX_REMEMBERED = 10_000;

type Connected = { readonly ok: true; readonly socket: WebSocket } | { readonly ok: false; readonly reason: string };

/** A link is one WebSocket frame per WSP frame; relayed frames were checked against the limit already, this is a backstop. */
const LINK_MAX_PAYLOAD = 2 * limits.frame;

/**
 * The server-to-server links of one server (docs/protocol.md §8), and its `Federation` for the router:
 * `route(domain)` gives the link to that domain, opening one on demand; `upgrade()` takes the links
 * other servers open. One link per domain is enough for all calls in both directions, whichever side
 * opened it. A link that cannot be opened answers its calls with bye 502 and the domain is not tried
 * again before a backoff delay; a link without calls closes after `idleMs`.
 *
 * @example
 * const links = new LinkManager({ domain, keys, discovery, handler: router });
 * const router = new CallRouter({ domain, ringTimeoutMs, federation: links });
 * http.on('upgrade', (req, socket, head) => req.url === LINK_PATH && links.upgrade(req, socket, head));
 */
export class LinkManager implements Federation {
  readonly #domain: string;
  readonly #keys: ServerKeys;
  readonly #discovery: Discovery;
  readonly #handler: LinkHandler;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #connectTimeoutMs: number;
  readonly #idleMs: number;
  readonly #heartbeatMs: number;
  readonly #skewMs: number;
  readonly #backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly #limits: LinkLimits;
  readonly #metrics: FrameMetrics | undefined;
  readonly #replays = new ReplayCache();
  readonly #addresses: AddressLimiter;
  readonly #handshakes = new HandshakeSlots(HANDSHAKES_PER_ADDRESS, HANDSHAKES_IN_ALL);
  readonly #sweep: ReturnType<typeof setInterval>;
  /** Every link not closed yet, per domain: one each way at most (two while both sides opened one at once). */
  readonly #links = new Map<string, Set<Link>>();
  /** Domains that failed lately: how often in a row, and when they may be tried again. */
  readonly #failures = new Map<string, { count: number; retryAt: number }>();
  /** Outbound sockets still opening, so close() can abort them. */
  readonly #opening = new Set<WebSocket>();
  readonly #wss: WebSocketServer;
  #closing = false;

  constructor(options: LinkManagerOptions) {
    this.#domain = options.domain;
    this.#keys = options.keys;
    this.#discovery = options.discovery;
    this.#handler = options.handler;
    this.#log = (options.log ?? silentLogger).child({ federation: options.domain });
    this.#now = options.now ?? Date.now;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#idleMs = options.idleMs ?? 300_000;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#skewMs = options.skewMs ?? 60_000;
    this.#backoff = { initialMs: options.backoff?.initialMs ?? 1000, maxMs: options.backoff?.maxMs ?? 60_000 };
    const { linkFramesPerSecond, linkFrameBurst, linkMaxBufferedBytes, linksPerAddress, linkUpgradesPerMinute } = { ...defaultLimits, ...options.limits };
    this.#limits = { linkFramesPerSecond, linkFrameBurst, linkMaxBufferedBytes };
    this.#metrics = options.metrics;
    this.#addresses = new AddressLimiter({ connectionsPerAddress: linksPerAddress, upgradesPerMinute: linkUpgradesPerMinute });
    this.#sweep = setInterval(() => this.#addresses.sweep(), 60_000);
    this.#sweep.unref();
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: LINK_MAX_PAYLOAD,
      perMessageDeflate: false, // a compressed frame could inflate far beyond the limit it was checked against
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  /**
   * The link to `domain` for a new call: an open one if there is one, else one being opened (it
   * queues frames meanwhile). Undefined, so the caller gets bye 502 at once, for this server's own
   * domain and while the domain waits out a backoff after a failure.
   */
  route(domain: string): Link | undefined {
    if (this.#closing || domain === this.#domain) return undefined;
    const links = [...(this.#links.get(domain) ?? [])];
    // Prefer an open link, ours first (we decide when it closes), then one still opening.
    const best =
      links.find((link) => link.state === 'open' && link.direction === 'outbound') ??
      links.find((link) => link.state === 'open') ??
      links.find((link) => link.state === 'pending');
    if (best) return best;
    const failure = this.#failures.get(domain);
    if (failure && this.#now() < failure.retryAt) return undefined;
    const link = this.#add(domain, 'outbound');
    this.#open(link).catch((error: unknown) => {
      this.#log.error('opening a link failed', { error });
      link.fail('server error');
    });
    return link;
  }

  /** The links to `domain` (every domain when omitted) that are not closed: for tests and metrics. */
  links(domain?: string): Link[] {
    if (domain !== undefined) return [...(this.#links.get(domain) ?? [])];
    return [...this.#links.values()].flatMap((links) => [...links]);
  }

  /**
   * Takes an HTTP upgrade to the link endpoint from `from` (the remote address, as the server determined it): answers
   * 429 past the per-address limits, 400 without the `wsp-1.0` subprotocol, 503 while too many handshakes wait for
   * their origin's keys, 401 with the reason when the signed statement does not hold (§8.3), else opens the link,
   * which replaces any earlier link from the same domain. Never throws.
   */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, from = request.socket.remoteAddress ?? 'unknown'): Promise<void> {
    // A peer that resets mid-handshake must not crash the server; ws installs its own listener once it takes over.
    const ignore = () => {};
    socket.on('error', ignore);
    try {
      if (this.#closing) return refuse(socket, 503, 'server shutting down');
      // Before anything costly: counting is all a flood from one address gets.
      const admission = this.#addresses.admit(from);
      if (!admission.ok) {
        this.#log.debug('link refused', { status: 429, reason: admission.reason, from });
        return refuse(socket, 429, admission.reason);
      }
      socket.once('close', admission.release);
      if (!offeredProtocols(request).includes(SUBPROTOCOL)) return refuse(socket, 400, `subprotocol ${SUBPROTOCOL} required`);
      const verdict = await this.#authenticate(request.headers.authorization, from);
      if (!verdict.ok) {
        this.#log.warn('link refused', { status: verdict.status, reason: verdict.reason, from });
        return refuse(socket, verdict.status, verdict.reason);
      }
      if (this.#closing || !socket.writable) return void socket.destroy();
      socket.off('error', ignore);
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        if (this.#closing) return ws.terminate();
        this.#accepted(verdict.origin, ws);
      });
    } catch (error) {
      this.#log.error('link upgrade failed', { error });
      if (socket.writable) refuse(socket, 500, 'server error');
      else socket.destroy();
    }
  }

  /** Closes every link (1001) and aborts those being opened. The calls they carry end as for lost links. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweep);
    for (const ws of this.#opening) ws.terminate();
    const links = this.links();
    for (const link of links) link.close(1001, 'server shutting down');
    // A peer that does not answer the closing handshake is cut off after a second.
    const grace = setTimeout(() => {
      for (const link of links) link.terminate();
    }, 1000);
    await Promise.all(links.map((link) => link.closed));
    clearTimeout(grace);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #add(domain: string, direction: 'outbound' | 'inbound'): Link {
    const link = new Link({
      domain,
      direction,
      handler: this.#handler,
      log: this.#log,
      // The side that opened a link closes it when idle; the other waits longer, so both seldom close at once.
      idleMs: direction === 'outbound' ? this.#idleMs : 2 * this.#idleMs,
      heartbeatMs: this.#heartbeatMs,
      limits: this.#limits,
      metrics: this.#metrics,
      onClosed: (closed) => this.#removed(closed),
    });
    const links = this.#links.get(domain);
    if (links) links.add(link);
    else this.#links.set(domain, new Set([link]));
    return link;
  }

  #removed(link: Link): void {
    const links = this.#links.get(link.domain);
    links?.delete(link);
    if (links?.size === 0) this.#links.delete(link.domain);
  }

  /**
   * A domain has one link it opened at most: an honest server opens another only when it lost the first (it restarted,
   * or its side of the link died), so the newer one wins and the older one ends with the calls it carried. Replacing
   * rather than refusing also spares a restarted server the wait for the old link's heartbeat to fail.
   */
  #accepted(origin: string, ws: WebSocket): void {
    const older = this.links(origin).filter((link) => link.direction === 'inbound');
    this.#add(origin, 'inbound').attach(ws);
    for (const link of older) {
      this.#log.info('link replaced by a newer one from the same domain', { domain: origin, calls: link.calls });
      link.close(1000, 'replaced by a newer link');
    }
  }

  /** Discovery, signed handshake, and the link is open; any failure within the deadline fails it. */
  async #open(link: Link): Promise<void> {
    const started = this.#now();
    const connecting = this.#connect(link.domain, started + this.#connectTimeoutMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Connected>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `no link within ${this.#connectTimeoutMs} ms` }), this.#connectTimeoutMs);
    });
    const result = await Promise.race([connecting, timeout]);
    clearTimeout(timer);
    if (!result.ok) {
      // A handshake that completes after the deadline finds nobody waiting for it.
      void connecting.then((late) => late.ok && late.socket.terminate());
      const failure = this.#failures.get(link.domain) ?? { count: 0, retryAt: 0 };
      failure.count += 1;
      // Callers may name any domain: remember the latest failures only, not every name ever tried.
      if (this.#failures.size >= MAX_REMEMBERED && !this.#failures.has(link.domain)) this.#failures.delete(this.#failures.keys().next().value!);
      const delay = backoffDelay(failure.count, this.#backoff.initialMs, this.#backoff.maxMs);
      failure.retryAt = this.#now() + delay;
      this.#failures.set(link.domain, failure);
      this.#log.warn('domain unreachable', { domain: link.domain, reason: result.reason, retryInMs: delay });
      return link.fail(result.reason);
    }
    this.#failures.delete(link.domain);
    if (this.#closing || link.state !== 'pending') return void result.socket.terminate();
    this.#log.info('link authenticated', { domain: link.domain, ms: this.#now() - started });
    link.attach(result.socket);
  }

  async #connect(domain: string, deadline: number): Promise<Connected> {
    const found = await this.#discovery.lookup(domain);
    if (!found.ok) return found;
    if (this.#closing) return { ok: false, reason: 'server shutting down' };
    // The document is the other domain's word: where it points is checked like any address a caller names.
    const target = this.#discovery.target(new URL(found.value.link), domain);
    if (!target.ok) return { ok: false, reason: `link ${found.value.link}: ${target.reason}` };
    const authorization = signLink({ origin: this.#domain, destination: domain, keys: this.#keys, now: this.#now() });
    const ws = new WebSocket(found.value.link, [SUBPROTOCOL], {
      lookup: target.lookup,
      headers: { authorization },
      handshakeTimeout: Math.max(1, deadline - this.#now()),
      maxPayload: LINK_MAX_PAYLOAD,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.#opening.add(ws);
    try {
      return await new Promise((resolve) => {
        ws.once('open', () => resolve({ ok: true, socket: ws }));
        ws.once('unexpected-response', (_request, response) => {
          void readReason(response).then((reason) => {
            ws.terminate();
            resolve({ ok: false, reason: `refused: ${response.statusCode ?? 0} ${reason}`.trim() });
          });
        });
        // Kept for good: terminating a socket that is still connecting emits 'error' too, and one without a listener throws.
        ws.on('error', (error) => resolve({ ok: false, reason: (error as { code?: string }).code ?? error.message }));
        ws.once('close', () => resolve({ ok: false, reason: 'closed during the handshake' }));
      });
    } finally {
      this.#opening.delete(ws);
    }
  }

  /**
   * §8.3: the statement's syntax, the checks that need no key, the origin's keys, the signature. What can be refused
   * without a request to anyone is refused first; the lookups of origins' keys are bounded (HandshakeSlots).
   */
  async #authenticate(header: string | undefined, from: string): Promise<Verdict> {
    const refused = (reason: string, status = 401): Verdict => ({ ok: false, status, reason });
    const parsed = parseLinkAuthorization(header);
    if (!parsed.ok) return refused(parsed.reason);
    const auth = parsed.value;
    const checks = { domain: this.#domain, skewMs: this.#skewMs, replays: this.#replays };
    const early = precheckLink(auth, { ...checks, now: this.#now() });
    if (early) return refused(early);
    // The same words as for a lookup that failed: which origins are configured is none of an unauthenticated peer's business.
    if (!this.#discovery.location(auth.origin)) return refused(`cannot get the keys of ${auth.origin}`);
    const slot = this.#handshakes.take(from);
    if (!slot) return refused('too many handshakes under way: try again later', 503);
    let found;
    try {
      found = await this.#discovery.lookup(auth.origin);
      // A key the cached document lacks may be newer than the cache: look once more (rate-limited by Discovery).
      if (found.ok && !found.value.keys.some((key) => key.kid === auth.kid)) found = await this.#discovery.lookup(auth.origin, { refresh: true });
    } finally {
      slot.release();
    }
    if (!found.ok) {
      // The details (refused, timed out, HTTP 404…) stay in this log: told to an unauthenticated peer they would
      // make this server a port scanner for whatever host it names as its origin.
      this.#log.info('cannot get the keys of a link origin', { origin: auth.origin, reason: found.reason });
      return refused(`cannot get the keys of ${auth.origin}`);
    }
    const reason = verifyLink(auth, { ...checks, now: this.#now(), keys: found.value.keys });
    return reason ? refused(reason) : { ok: true, origin: auth.origin };
  }
}
