import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  asciiLowerCase,
  ByeCode,
  formatAddress,
  MAX_RETRY_AFTER_MS,
  limits as frameLimits,
  MAX_TOKEN_LENGTH,
  offeredToken,
  parseAddress,
  RefusalCode,
  SUBPROTOCOL,
  TURN_PATH,
  WSP_PATH,
} from '../protocol/index.js';
import { AddressLimiter } from './address-limiter.js';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS, mintToken, verifyToken, type VerifyResult } from './auth.js';
import { CallRouter } from './call-router.js';
import { ClusterRouter, RedisState, type SharedState } from './cluster/index.js';
import { Connection } from './connection.js';
import {
  DEFAULT_CLUSTER_HEARTBEAT_MS,
  DEFAULT_DRAIN_JITTER_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HOST,
  DEFAULT_RING_TIMEOUT_MS,
  LIVENESS_HEARTBEATS,
} from './defaults.js';
import { Drain } from './drain.js';
import { createFederation, LINK_PATH, WELL_KNOWN_PATH, type FederationOptions, type LinkHandler } from './federation/index.js';
import { resolveLimits, type ServerLimits } from './limits.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { checkTurnOptions, turnCredentials, type TurnOptions } from './turn-credentials.js';
import { readBody } from './request-body.js';
import { closeRefused, offeredProtocols, refuse } from './upgrade-refusal.js';

/** The path clients connect to, `ws://host:port/wsp`: the protocol's (src/protocol/paths.ts), exported here too. */
export { WSP_PATH };

export interface WspServerOptions {
  /** The domain this server serves, e.g. `example.org` or `localhost:8080`: users are `name@domain`. */
  domain: string;
  /** Interface to listen on. Default `127.0.0.1`: put a TLS proxy in front rather than exposing the server. */
  host?: string;
  /** Port; 0 (the default) picks a free one, see `WspServer.port`. */
  port?: number;
  /** The token secret shared with the site's backend. Without one a random secret is made: only `devTokens` can then mint. */
  secret?: string;
  /** The user directory, user names without domain. With it unknown callees get bye 404 and unknown users cannot connect. */
  users?: readonly string[];
  /**
   * The longest a token may be valid, in seconds (`exp` − `iat`, and `exp` − now): longer ones are refused with
   * HTTP 401, as are tokens issued more than a minute in the future. Default 86 400 (24 hours).
   */
  maxTokenTtlSeconds?: number;
  /** The longest a call rings, in ms. Default 30 000. */
  ringTimeoutMs?: number;
  /**
   * Serve `GET /dev/token?user=NAME`, which mints a token for anyone: for demos and tests only. A browser may fetch
   * it from the `origins` listed, or without them from loopback origins only (`http://localhost:*`,
   * `http://127.0.0.1:*`, …); a request from any other origin is refused with HTTP 403.
   */
  devTokens?: boolean;
  /**
   * Interval of the ping that reaps dead sockets, in ms: a client that has not answered one ping by the
   * next is dropped. Default 30 000.
   */
  heartbeatMs?: number;
  /**
   * The web origins (`https://shop.example`) whose pages may open client connections. A browser upgrade
   * from any other origin is refused with HTTP 403; requests without an `Origin` header (non-browser
   * clients) are not affected, nor are federation links. Default: every origin (a warning is logged).
   */
  origins?: readonly string[];
  /** Rate and count limits (docs/protocol.md §2.4); each defaults to `defaultLimits`'s, 0 = unlimited. */
  limits?: Partial<ServerLimits>;
  /**
   * Take the client's address from the last `X-Forwarded-For` entry instead of the socket: set it when a
   * reverse proxy on this machine forwards every client, or all of them share the proxy's address.
   */
  trustProxy?: boolean;
  /**
   * Server-to-server federation (docs/protocol.md §8): serve `/.well-known/wsp` and the link endpoint
   * `/wsp/federation`, and route calls to other domains over authenticated links. Without it no other
   * domain can be reached (bye 502). `{}` federates with a fresh key and the defaults.
   */
  federation?: FederationOptions;
  /**
   * Hand each authenticated client short-lived TURN credentials at `POST /wsp/turn`, the token as the body
   * (docs/protocol.md §3.1), for a TURN server that shares `secret` (coturn: `use-auth-secret`, `static-auth-secret`).
   * Without it that path answers 204 (no content) and clients use the ICE servers their page gives them.
   */
  turn?: TurnOptions;
  /** Default: JSON lines on stdout at level info. */
  log?: Logger;
  /**
   * Serve the domain together with other processes through Redis (docs/deploy.md "Several processes"): the URL
   * (`redis://host:6379`), or the URL and how often this process proves it is live (ms, default 1000; a killed process
   * is noticed within five of these). Default: none, one process with its state in memory.
   */
  redis?: string | { url: string; heartbeatMs?: number };
  /** The shared state itself, instead of `redis`: a `MemoryHub`'s, for several servers in one process (tests). */
  cluster?: { state: SharedState; heartbeatMs?: number };
  /**
   * Checks `/readyz` runs besides its own (listening, not draining), e.g. a backing store being reachable: false, a
   * rejection or a throw make it answer 503.
   */
  readiness?: () => boolean | Promise<boolean>;
  /**
   * Serve `/metrics` (Prometheus), `/healthz` and `/readyz` on a listener of their own at this port (0 picks a free one,
   * see `WspServer.metricsPort`). Without it there is no `/metrics`: it is never served on the public port.
   */
  metricsPort?: number;
  /** The metrics listener's interface. Default `127.0.0.1`: metrics tell who is busy and must not be public. */
  metricsHost?: string;
  /** The longest `drain()` waits for calls that ring or have not handed over, in ms. Default 30 000. */
  drainTimeoutMs?: number;
  /** `drain()` tells each client to reconnect after a random delay of 0 to this many ms. Default 5000. */
  drainJitterMs?: number;
}

export interface WspServer {
  /** The port the server listens on: the real one when `port` was 0. */
  readonly port: number;
  /** Where clients connect, `ws://host:port/wsp`. */
  readonly url: string;
  readonly domain: string;
  /**
   * With `redis` (or `cluster`): this process's id among the domain's processes, whether Redis answers now (for a
   * readiness check) and how many Redis commands failed since the start (for metrics). Undefined on one process.
   */
  cluster?(): { node: string; reachable: boolean; errors: number };
  /** The server's metrics: its Prometheus registry, and the counters other modules (a Redis adapter) increment. */
  readonly metrics: ServerMetrics;
  /** The port of the metrics listener, when `metricsPort` was given. */
  readonly metricsPort: number | undefined;
  /** Whether `drain()` was called: `/readyz` answers 503 and new clients are refused. */
  readonly draining: boolean;
  /**
   * Drains the server before it stops (docs/protocol.md §3.2): `/readyz` answers 503, client upgrades get HTTP 503 with
   * `Retry-After`, and every client is closed with 1012 `retry-after=<ms>`: at once when it needs the server for no
   * call, else once its calls have ended or handed over. Resolves when every client has been told; after
   * `drainTimeoutMs` the calls left end with bye 503 first. The server still listens: call `close()` next.
   */
  drain(): Promise<void>;
  /** Closes every socket (code 1001) and stops listening. */
  close(): Promise<void>;
}

/** How long close() waits for clients to answer the closing handshake before cutting them off. */
const CLOSE_GRACE_MS = 1000;

function checkDomain(domain: string): string {
  // Checked, then folded to lower case in ASCII only: no other character may turn into a domain's.
  const canonical = parseAddress(`user@${domain}`)?.domain;
  if (canonical === undefined) throw new TypeError(`not a domain: ${JSON.stringify(domain)}`);
  return canonical;
}

function checkUser(name: string, domain: string): string {
  const address = parseAddress(`${name}@${domain}`);
  if (!address) throw new TypeError(`not a user name: ${JSON.stringify(name)}`);
  return address.user;
}

/** `https://Shop.Example:443/` → `https://shop.example`: the form browsers send in `Origin`. */
function canonicalOrigin(origin: string): string {
  if (!URL.canParse(origin)) throw new TypeError(`not an origin: ${JSON.stringify(origin)}`);
  const canonical = new URL(origin).origin;
  if (canonical === 'null') throw new TypeError(`not an origin: ${JSON.stringify(origin)}`);
  return canonical;
}

/**
 * Whether `origin` is a page served from this machine: `localhost` and its subdomains, 127.0.0.0/8 and `[::1]`, on
 * any port, over http: or https:. Browsers resolve these names to loopback only, so no other site's page has them.
 */
function isLoopbackOrigin(origin: string): boolean {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.origin !== origin || !['http:', 'https:'].includes(url.protocol)) return false;
  const host = url.hostname;
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '[::1]';
}

/** The client's address: the socket's, or the one the local proxy appended to `X-Forwarded-For`. */
function remoteAddress(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? request.headers['x-forwarded-for'] : undefined;
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').pop()?.trim();
  return last || request.socket.remoteAddress || 'unknown';
}

function reply(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
}

/**
 * The request target as a URL, or undefined when it is none: `new URL('//', base)` throws (a scheme-relative URL
 * without a host), and so would many other targets a client may send. Origin-form targets (`/path?query`) are read
 * as paths whatever they hold; absolute-form ones (`http://host/path`) as URLs.
 */
function requestTarget(request: IncomingMessage): URL | undefined {
  const target = request.url ?? '/';
  try {
    return target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
  } catch {
    return undefined;
  }
}

/** The request's path without its query, for the log: a query may hold anything a client put there. */
function pathOf(request: IncomingMessage): string {
  return (request.url ?? '').split('?')[0]!.slice(0, 256);
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function formatUrl(host: string, port: number): string {
  return `ws://${formatHost(host)}:${port}${WSP_PATH}`;
}

/** Starts `server` listening; resolves with the port it got. */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** With `redis` (or a `cluster` state) the processes of one domain share presence and calls: starts that link. */
async function startCluster(options: WspServerOptions, domain: string, ringTimeoutMs: number, router: CallRouter, log: Logger, metrics: ServerMetrics) {
  const redis = typeof options.redis === 'string' ? { url: options.redis } : options.redis;
  const heartbeatMs = options.cluster?.heartbeatMs ?? redis?.heartbeatMs ?? DEFAULT_CLUSTER_HEARTBEAT_MS;
  if (!Number.isInteger(heartbeatMs) || heartbeatMs <= 0) throw new RangeError('redis.heartbeatMs must be a positive integer');
  const state =
    options.cluster?.state ??
    (redis && new RedisState({ url: redis.url, domain, heartbeatMs, log, onError: (operation) => metrics.redisErrors.inc({ operation }) }));
  if (!state) return undefined;
  // A call id stays claimed while the call may ring, and a little longer: a late invite with it still finds it taken.
  const cluster = new ClusterRouter({ domain, router, state, heartbeatMs, claimMs: ringTimeoutMs + LIVENESS_HEARTBEATS * heartbeatMs, log });
  await cluster.start();
  return cluster;
}

/**
 * Starts a WSP 1.0 server (docs/protocol.md) on node:http: clients authenticate at the upgrade with the token they
 * offer as a subprotocol (`wsp-token.<JWT>`), and the CallRouter relays their calls.
 *
 * @example
 * const server = await createWspServer({ domain: 'example.org', port: 8080, secret: process.env.WSP_SECRET });
 * // … later
 * await server.close();
 */
export async function createWspServer(options: WspServerOptions): Promise<WspServer> {
  const domain = checkDomain(options.domain);
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? createLogger();
  const users = options.users && new Set(options.users.map((name) => checkUser(name, domain)));
  const ringTimeoutMs = options.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS;
  if (!Number.isInteger(ringTimeoutMs) || ringTimeoutMs <= 0) throw new RangeError('ringTimeoutMs must be a positive integer');
  const devTokens = options.devTokens ?? false;
  const secret = options.secret || randomBytes(32).toString('base64url');
  const maxTtlSeconds = options.maxTokenTtlSeconds ?? DEFAULT_MAX_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(maxTtlSeconds) || maxTtlSeconds <= 0) throw new RangeError('maxTokenTtlSeconds must be a positive integer');
  const limits = resolveLimits(options.limits);
  const origins = options.origins && new Set(options.origins.map(canonicalOrigin));
  const trustProxy = options.trustProxy ?? false;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  if (!Number.isInteger(heartbeatMs) || heartbeatMs <= 0) throw new RangeError('heartbeatMs must be a positive integer');
  const addresses = new AddressLimiter(limits);
  // TURN requests have a budget of their own, of the same size: a client asks for credentials as it connects and when it
  // renews them, and that must not cost it the reconnections upgradesPerMinute allows.
  const turnRequests = new AddressLimiter({ connectionsPerAddress: 0, upgradesPerMinute: limits.upgradesPerMinute, attempts: 'TURN requests' });
  const turn = options.turn && checkTurnOptions(options.turn);

  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const drainJitterMs = options.drainJitterMs ?? DEFAULT_DRAIN_JITTER_MS;
  if (!Number.isInteger(drainTimeoutMs) || drainTimeoutMs < 0) throw new RangeError('drainTimeoutMs must be an integer ≥ 0');
  if (!Number.isInteger(drainJitterMs) || drainJitterMs < 0 || drainJitterMs > MAX_RETRY_AFTER_MS) {
    throw new RangeError(`drainJitterMs must be an integer from 0 to ${MAX_RETRY_AFTER_MS}`);
  }
  let drain: Drain<Connection> | undefined;
  const connections = new Set<Connection>();
  // Read when Prometheus scrapes, by then the router and the links exist.
  const metrics = createMetrics({
    connections: () => connections.size,
    calls: () => router.callCounts(),
    links: () => federation?.links.links() ?? [],
  });

  let publicUrl = '';
  // Links report to the router, which needs the links to route: the handler breaks the circle.
  const handler: LinkHandler = { receive: (peer, frame) => frames.receive(peer, frame), disconnect: (peer) => frames.disconnect(peer) };
  const federation =
    options.federation && (await createFederation({ domain, options: options.federation, handler, log, limits, metrics, defaultPublicUrl: () => publicUrl }));
  const router = new CallRouter({
    domain,
    ringTimeoutMs,
    users,
    federation: federation?.links,
    log,
    limits,
    observer: { ended: metrics.ended, setUp: metrics.setUp, released: (peer) => drain?.released(peer as Connection) },
  });
  const cluster = await startCluster(options, domain, ringTimeoutMs, router, log, metrics);
  // One process routes straight to its router, as fast as before; several go through the cluster first.
  const frames = cluster ?? router;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: frameLimits.frame, // beyond it ws closes the socket with 1009 (§2.3)
    perMessageDeflate: false, // a compressed frame could inflate far beyond the limit it was checked against
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  /** A client upgrade while draining: HTTP 503, and when to try again (any process behind the same address will do). */
  function refuseDraining(socket: Duplex): void {
    const seconds = Math.ceil(drain!.retryAfterMs() / 1000);
    refuse(socket, 503, 'server draining: reconnect later', [`Retry-After: ${seconds}`]);
  }

  /** Ready: listening (it answers), not draining, Redis answering (with several processes), and the embedder's check passes. */
  async function ready(): Promise<boolean> {
    if (cluster && !cluster.health().reachable) return false;
    try {
      return (await options.readiness?.()) ?? true;
    } catch (error) {
      log.warn('readiness check failed', { error });
      return false;
    }
  }

  /** `/healthz` (alive: the process answers) and `/readyz`, served on the public port and the metrics port alike. */
  function healthRoute(path: string): ((response: ServerResponse) => Promise<void>) | undefined {
    if (path === '/healthz') return async (response) => reply(response, 200, 'ok', { 'Cache-Control': 'no-store' });
    if (path !== '/readyz') return undefined;
    return async (response) => {
      const verdict = drain ? 'draining' : (await ready()) ? 'ready' : 'not ready';
      reply(response, verdict === 'ready' ? 200 : 503, verdict, { 'Cache-Control': 'no-store' });
    };
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client that resets mid-handshake must not crash the server; ws installs its own listener once it takes over.
    const ignore = () => {};
    socket.on('error', ignore);
    const url = requestTarget(request);
    if (url?.pathname === LINK_PATH && federation) return federation.links.upgrade(request, socket, head, remoteAddress(request, trustProxy));
    if (url?.pathname !== WSP_PATH) {
      // debug: odd targets are cheap to send and must not flood the log, nor reach the per-address limiter's counts
      log.debug('upgrade refused', { status: 404, path: pathOf(request) });
      return refuse(socket, 404, 'not found');
    }
    if (drain) return refuseDraining(socket);
    // Counted before anything costly (the token's signature), so guessing tokens is rate-limited too.
    const from = remoteAddress(request, trustProxy);
    const admission = addresses.admit(from);
    if (!admission.ok) {
      log.debug('connection refused', { status: 429, reason: admission.reason, from }); // debug: a flood must not flood the log
      return refuse(socket, 429, admission.reason);
    }
    // However the socket ends (refused below, a failed handshake, a closed WebSocket), its slot comes back.
    socket.once('close', admission.release);
    const refused = (status: number, reason: string) => {
      admission.release();
      refuse(socket, status, reason);
    };
    const refusedDraining = () => {
      admission.release();
      refuseDraining(socket);
    };
    const protocols = offeredProtocols(request);
    if (!protocols.includes(SUBPROTOCOL)) return refused(400, `subprotocol ${SUBPROTOCOL} required`);
    // A WSP client from here on: its refusals complete the handshake and close at once, with a code and a reason a
    // browser can read (an HTTP refusal is a bare close 1006 to a page). The slot comes back at once, as for any refusal.
    const closed = (code: RefusalCode, reason: string) => {
      admission.release();
      socket.off('error', ignore);
      wss.handleUpgrade(request, socket, head, (ws: WebSocket) => closeRefused(ws, code, reason, CLOSE_GRACE_MS));
    };
    // Browsers always send Origin; a page of a site not listed must not use a visitor's token (CSWSH).
    const origin = request.headers.origin;
    if (origins && origin !== undefined && !origins.has(asciiLowerCase(origin))) {
      log.info('connection refused', { code: RefusalCode.ORIGIN, reason: 'origin not allowed', origin: origin.slice(0, 256) });
      return closed(RefusalCode.ORIGIN, `origin ${origin.slice(0, 256)} is not allowed to connect`);
    }
    const auth = await authenticate(offeredToken(protocols));
    if (!auth.ok) {
      const code = auth.status === 401 ? RefusalCode.TOKEN : RefusalCode.USER;
      log.info('connection refused', { code, reason: auth.reason });
      return closed(code, auth.reason);
    }
    if (drain) return refusedDraining(); // the drain began while the token was checked
    socket.off('error', ignore);
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const connection = new Connection(ws, auth.address, frames, log, limits, undefined, metrics);
      connections.add(connection);
      ws.once('close', () => {
        connections.delete(connection);
        drain?.closed(connection);
      });
      frames.connect(connection);
      log.info('connected', { user: auth.address });
    });
  }

  /** The token's user, or why not: the upgrade's and the TURN request's check. `undefined`: more than one token offered. */
  function authenticate(token: string | undefined): Promise<VerifyResult> {
    if (token === undefined) return Promise.resolve({ ok: false, status: 401, reason: 'more than one token offered' });
    return verifyToken(token, { secret, domain, users, maxTtlSeconds });
  }

  async function devToken(request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> {
    // Dev tokens let anyone in, so only the demo's pages may read them: the listed origins, else loopback ones.
    // Never `*`: any site a developer visits while the demo runs could otherwise connect as their users.
    // A request without Origin (curl, a script, a same-origin fetch through the demo's proxy) is answered as it is.
    const origin = request.headers.origin;
    const allowed = origin === undefined || (origins ? origins.has(asciiLowerCase(origin)) : isLoopbackOrigin(origin));
    if (!allowed) {
      log.debug('dev token refused', { status: 403, origin: origin.slice(0, 256) });
      return reply(response, 403, `origin ${origin.slice(0, 256)} may not fetch dev tokens`, { Vary: 'Origin' });
    }
    const cors: Record<string, string> = origin === undefined ? { Vary: 'Origin' } : { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    const name = url.searchParams.get('user') ?? '';
    const address = parseAddress(name.includes('@') ? name : `${name}@${domain}`);
    if (!address || address.domain !== domain) return reply(response, 400, `not a user of ${domain}: ${name.slice(0, 64)}`, cors);
    if (users && !users.has(address.user)) return reply(response, 403, `unknown user ${address.user}`, cors);
    const canonical = formatAddress(address);
    const token = await mintToken({ address: canonical, secret, ttlSeconds: Math.min(600, maxTtlSeconds) });
    reply(response, 200, JSON.stringify({ token, address: canonical }), {
      ...cors,
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    });
  }

  /**
   * TURN credentials for the token's user (§3.1), the token as a text/plain body (a CORS simple request: no preflight):
   * the same origin and token checks as the upgrade.
   */
  async function turnRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return reply(response, 405, 'method not allowed', { Allow: 'POST' });
    const origin = request.headers.origin;
    const cors: Record<string, string> = origin === undefined ? { Vary: 'Origin' } : { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    // No content, rather than an error status that browsers log as a failed request: the page's ICE servers are all.
    if (!turn) return reply(response, 204, '', cors);
    if (origins && origin !== undefined && !origins.has(asciiLowerCase(origin))) {
      return reply(response, 403, `origin ${origin.slice(0, 256)} is not allowed to connect`, { Vary: 'Origin' });
    }
    // Counted before the token's signature is checked, so guessing tokens here is rate-limited as at the upgrade.
    const admission = turnRequests.admit(remoteAddress(request, trustProxy));
    if (!admission.ok) return reply(response, 429, admission.reason, cors);
    admission.release();
    const body = await readBody(request, MAX_TOKEN_LENGTH);
    if (body === undefined) return reply(response, 413, `token longer than ${MAX_TOKEN_LENGTH} characters`, { ...cors, Connection: 'close' });
    const auth = await authenticate(body.trim());
    if (!auth.ok) return reply(response, auth.status, auth.reason, cors);
    reply(response, 200, JSON.stringify(turnCredentials(turn, auth.address)), { ...cors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = requestTarget(request);
    if (!url) {
      log.debug('request refused', { status: 404, path: pathOf(request) });
      return reply(response, 404, 'not found');
    }
    if (url.pathname === TURN_PATH) return turnRequest(request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'method not allowed', { Allow: 'GET' });
    const health = healthRoute(url.pathname);
    if (health) return health(response);
    if (url.pathname === '/dev/token' && devTokens) return devToken(request, url, response);
    if (url.pathname === WSP_PATH) return reply(response, 426, `a WebSocket with subprotocol ${SUBPROTOCOL} is required`, { Upgrade: 'websocket' });
    if (url.pathname === WELL_KNOWN_PATH && federation) {
      return reply(response, 200, JSON.stringify(federation.document()), {
        'Content-Type': 'application/json',
        'Access-Control-Allow-Origin': '*', // public by design: clients may read where their peers' servers are
        'Cache-Control': 'max-age=300',
      });
    }
    if (url.pathname === LINK_PATH && federation) return reply(response, 426, 'a signed WebSocket upgrade is required', { Upgrade: 'websocket' });
    reply(response, 404, 'not found');
  }

  const http = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log.error('request failed', { error, path: req.url?.split('?')[0] });
      if (!res.headersSent) reply(res, 500, 'server error');
      else res.destroy();
    });
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((error: unknown) => {
      log.error('upgrade failed', { error });
      if (socket.writable) refuse(socket, 500, 'server error');
      else socket.destroy();
    });
  });
  http.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Headers too large (a token far beyond MAX_TOKEN_LENGTH, §3) are told apart from other bad requests.
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    if (socket.writable) refuse(socket, tooLarge ? 431 : 400, tooLarge ? 'request header fields too large' : 'bad request');
    else socket.destroy();
  });

  const port = await listen(http, options.port ?? 0, host);
  const url = formatUrl(host, port);
  // Harnesses read the port from this line: it is the first one the server writes.
  log.info('listening', { port, url, domain });
  if (!options.secret) {
    log.warn(devTokens ? 'no secret given: using a random one, only /dev/token can mint tokens' : 'no secret given and no dev tokens: nobody can connect');
  }
  if (cluster) log.info('serving the domain with other processes', { node: cluster.node });
  if (devTokens) log.warn('dev tokens are on: anyone can get a token at /dev/token; never use this in production');
  if (!origins) log.warn('no origins given: pages of any site may connect with a token they hold; list yours with --origins');
  if (federation) {
    // A server on every interface has no address others can use: the operator must say where it is reached.
    const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    publicUrl = `http://${local}:${port}`;
    const document = federation.document();
    log.info('federation', { link: document.link, kid: federation.keys.kid });
    if (!options.federation?.publicUrl) log.warn(`no public URL given: announcing ${document.link}, fine on one machine only`);
  }

  const metricsHttp = options.metricsPort === undefined ? undefined : createServer((req, res) => void serveMetrics(req, res));
  async function serveMetrics(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const path = requestTarget(request)?.pathname;
      if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'method not allowed', { Allow: 'GET' });
      const health = path && healthRoute(path);
      if (health) return await health(response);
      if (path !== '/metrics') return reply(response, 404, 'not found');
      const text = await metrics.registry.metrics();
      reply(response, 200, text, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
    } catch (error) {
      log.error('metrics request failed', { error });
      if (!response.headersSent) reply(response, 500, 'server error');
      else response.destroy();
    }
  }
  let metricsPort: number | undefined;
  if (metricsHttp) {
    try {
      metricsPort = await listen(metricsHttp, options.metricsPort!, options.metricsHost ?? DEFAULT_HOST);
    } catch (error) {
      http.close(); // a server that cannot serve its metrics does not start half-way
      throw error;
    }
    log.info('metrics', { url: `http://${formatHost(options.metricsHost ?? DEFAULT_HOST)}:${metricsPort}/metrics` });
  }

  const heartbeat = setInterval(() => {
    for (const connection of connections) connection.heartbeat();
    addresses.sweep();
    turnRequests.sweep();
  }, heartbeatMs);
  heartbeat.unref();

  const startDrain = () => {
    log.info('draining', { connections: connections.size, timeoutMs: drainTimeoutMs });
    drain = new Drain({
      connections,
      busy: (connection) => router.busy(connection),
      endCalls: () => {
        log.warn('drain timed out: ending the calls left', router.callCounts());
        router.endAll(ByeCode.PEER_LOST);
      },
      jitterMs: drainJitterMs,
      timeoutMs: drainTimeoutMs,
    });
    return drain.done.then(() => log.info('drained'));
  };
  let drained: Promise<void> | undefined;

  let closed: Promise<void> | undefined;
  const close = async () => {
    drain?.stop();
    clearInterval(heartbeat);
    router.close(); // the sockets close next: nobody needs a bye 503 from a server that goes away
    // Other servers do: they learn it from the link's close and end their side of its calls with 503.
    const links = federation?.links.close();
    const sockets = [...wss.clients];
    for (const socket of sockets) socket.close(1001, 'server shutting down');
    const gone = Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve))));
    const grace = new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([gone, grace]);
    for (const socket of wss.clients) socket.terminate();
    await links;
    await cluster?.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    metricsHttp?.closeAllConnections();
    await Promise.all([http, metricsHttp].map((server) => server && new Promise<void>((resolve) => server.close(() => resolve()))));
    log.info('closed', { domain });
  };
  return {
    port,
    url,
    domain,
    cluster: cluster && (() => cluster.health()),
    metrics,
    metricsPort,
    get draining() {
      return drain !== undefined;
    },
    drain: () => (drained ??= startDrain()),
    close: () => (closed ??= close()),
  };
}
