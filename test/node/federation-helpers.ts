// Shared by the federation tests: a link manager on a real HTTP server on 127.0.0.1, with a recording
// handler in place of the router, so the links can be tested before and without a CallRouter.
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import { SUBPROTOCOL, type Frame } from '../../src/protocol/index.js';
import type { Peer, WspServer, WspServerOptions } from '../../src/server/index.js';
import {
  Discovery,
  generateKeys,
  LINK_PATH,
  LinkManager,
  signLink,
  WELL_KNOWN_PATH,
  wellKnownDocument,
  type DiscoveryOptions,
  type FederationOptions,
  type LinkManagerOptions,
  type ServerKeys,
} from '../../src/server/federation/index.js';
import { Client, startServer } from './helpers.js';

/** What a handler saw: a frame from a link, or a link reported lost. */
export type Event = { readonly kind: 'frame'; readonly from: Peer; readonly frame: Frame } | { readonly kind: 'lost'; readonly peer: Peer };

/** Stands in for the router: records what the links hand it, and lets a test await it in order. */
export class Recorder {
  readonly events: Event[] = [];
  #waiter: (() => void) | undefined;
  /** Called on each frame after it is recorded: a test's stand-in for the router answering. */
  onFrame: ((from: Peer, frame: Frame) => void) | undefined;

  receive(from: Peer, frame: Frame): void {
    this.events.push({ kind: 'frame', from, frame });
    this.#waiter?.();
    this.onFrame?.(from, frame);
  }

  disconnect(peer: Peer): void {
    this.events.push({ kind: 'lost', peer });
    this.#waiter?.();
  }

  /** The next event; rejects when none comes within `timeoutMs` (a hang detector: a busy machine is slow). */
  async next(timeoutMs = 15_000): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    return this.events.shift()!;
  }

  async nextFrame(timeoutMs?: number): Promise<{ from: Peer; frame: Frame }> {
    const event = await this.next(timeoutMs);
    if (event.kind !== 'frame') throw new Error(`expected a frame, the link to ${event.peer.user} was lost`);
    return event;
  }

  async nextLost(timeoutMs?: number): Promise<Peer> {
    const event = await this.next(timeoutMs);
    if (event.kind !== 'lost') throw new Error(`expected a lost link, got the frame ${JSON.stringify(event.frame)}`);
    return event.peer;
  }
}

export interface Node {
  readonly domain: string;
  /** `http://127.0.0.1:port`: what a static peer map points at. */
  readonly base: string;
  readonly keys: ServerKeys;
  readonly links: LinkManager;
  readonly recorder: Recorder;
  readonly http: Server;
  /** How many times its well-known document was fetched. */
  readonly fetches: () => number;
}

export interface NodeOptions {
  /** The static peer map the node's discovery reads (shared, so later nodes can be added). */
  peers: Map<string, string>;
  keys?: ServerKeys;
  discovery?: Omit<DiscoveryOptions, 'peers'>;
  links?: Partial<Omit<LinkManagerOptions, 'domain' | 'keys' | 'discovery' | 'handler'>>;
  /** Added to `peers` under its domain once listening. Default true. */
  announce?: boolean;
  /** Where its document says it is reached, if not at its own port: a relay in front of it. */
  publicUrl?: string;
}

/** Starts a domain on a free port: its well-known document, its link endpoint, its link manager. */
export async function startNode(t: TestContext, domain: string, options: NodeOptions): Promise<Node> {
  const keys = options.keys ?? generateKeys();
  const recorder = new Recorder();
  const discovery = new Discovery({ peers: options.peers, timeoutMs: 1000, ...options.discovery });
  const links = new LinkManager({
    domain,
    keys,
    discovery,
    handler: recorder,
    connectTimeoutMs: 2000,
    backoff: { initialMs: 200, maxMs: 1000 },
    ...options.links,
  });
  let fetches = 0;
  let base = '';
  const http = createServer((request, response) => {
    if (request.url !== WELL_KNOWN_PATH) return void response.writeHead(404).end();
    fetches += 1;
    const document = wellKnownDocument({ domain, publicUrl: base, keys, now: Date.now(), keyTtlMs: 3_600_000 });
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  http.on('upgrade', (request, socket, head) => {
    if (request.url === LINK_PATH) void links.upgrade(request, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = options.publicUrl ?? `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  if (options.announce !== false) options.peers.set(domain, base);
  t.after(async () => {
    await links.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return { domain, base, keys, links, recorder, http, fetches: () => fetches };
}

/** Frame builders for link tests. */
export const linkFrames = {
  invite: (call: string, caller: string, callee: string): Frame => ['invite', { caller: { uri: caller }, callee: { uri: callee } }, { call }],
  ringing: (call: string): Frame => ['ringing', {}, { call }],
  bye: (call: string, code: number): Frame => ['bye', { code }, { call }],
};

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a raw attempt to open a link got: `open`, or the HTTP refusal. */
export type Attempt = 'open' | { readonly status: number; readonly body: string };

/** Tries the upgrade to the link endpoint at `node.base` with the given headers, as a rogue server would; closes at once if it opens. */
export function attempt(node: { readonly base: string }, headers: Record<string, string>, protocols: string[] = [SUBPROTOCOL]): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    // A server that never answers fails the test instead of hanging it.
    const ws = new WebSocket(`${node.base.replace('http:', 'ws:')}${LINK_PATH}`, protocols, { headers, handshakeTimeout: 5000 });
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.on('error', reject);
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        ws.removeListener('error', reject);
        ws.on('error', () => {});
        ws.terminate();
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
  });
}

/**
 * Opens an authenticated link from `from` to the server at `to.base`, as a misbehaving server would use it: a Client
 * that sends raw frames and awaits the answers. It closes when the test ends.
 */
export async function rawLink(t: TestContext, from: Node, to: { readonly domain: string; readonly base: string }): Promise<Client> {
  const authorization = signLink({ origin: from.domain, destination: to.domain, keys: from.keys, now: Date.now() });
  const ws = new WebSocket(`${to.base.replace('http:', 'ws:')}${LINK_PATH}`, [SUBPROTOCOL], { headers: { authorization } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const link = new Client(ws, from.domain);
  t.after(() => link.close());
  return link;
}

/**
 * A TCP relay in front of a node, to cut the network between two servers without either noticing:
 * `blackhole()` keeps the sockets open and silently drops everything, like a dead route.
 */
export class Blackhole {
  readonly server: NetServer;
  target = 0;
  #dropping = false;
  readonly #sockets = new Set<Socket>();

  constructor() {
    this.server = createNetServer((inbound) => {
      const outbound = connect(this.target, '127.0.0.1');
      for (const socket of [inbound, outbound]) {
        this.#sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => this.#sockets.delete(socket));
      }
      inbound.on('data', (data) => this.#dropping || outbound.write(data));
      outbound.on('data', (data) => this.#dropping || inbound.write(data));
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
  }

  static async start(t: TestContext): Promise<Blackhole> {
    const relay = new Blackhole();
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    t.after(() => relay.close());
    return relay;
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  blackhole(): void {
    this.#dropping = true;
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on (fetch refuses some well-known ones, such as 9, before trying). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const ALPHA = 'alpha.localhost';
export const BETA = 'beta.localhost';

export interface Domains {
  readonly alpha: WspServer;
  readonly beta: WspServer;
  /** The static peer map both servers read. */
  readonly peers: Map<string, string>;
  /** The relay alpha reaches beta through, when asked for: cut it to kill the link. */
  readonly relay: Blackhole | undefined;
}

/**
 * Starts alpha.localhost and beta.localhost in this process, federated through a static peer map, with
 * `--users`-style directories on beta (bob, carol, dave) for the 404 case. With `relay`, alpha reaches beta
 * through a TCP relay the test can cut.
 */
export async function startDomains(
  t: TestContext,
  options: {
    alpha?: Partial<WspServerOptions>;
    beta?: Partial<WspServerOptions>;
    relay?: boolean;
    /** Federation options of both servers. */
    federation?: FederationOptions;
    /** alpha's key pair, when the test needs to sign as alpha. */
    alphaKeys?: ServerKeys;
  } = {},
): Promise<Domains> {
  const peers = new Map<string, string>();
  const relay = options.relay ? await Blackhole.start(t) : undefined;
  const federation: FederationOptions = { peers, connectTimeoutMs: 2000, ...options.federation };
  const alpha = await startServer(t, { domain: ALPHA, federation: { ...federation, keys: options.alphaKeys }, ...options.alpha });
  const beta = await startServer(t, {
    domain: BETA,
    users: ['bob', 'carol', 'dave'],
    federation: relay ? { ...federation, publicUrl: relay.base } : federation,
    ...options.beta,
  });
  peers.set(ALPHA, `http://127.0.0.1:${alpha.port}`);
  peers.set(BETA, relay?.base ?? `http://127.0.0.1:${beta.port}`);
  if (relay) relay.target = beta.port;
  return { alpha, beta, peers, relay };
}
