import type { Logger } from '../log.js';
import type { FrameMetrics } from '../metrics.js';
import { Discovery } from './discovery.js';
import { generateKeys, loadOrCreateKeys, type ServerKeys } from './keys.js';
import type { LinkHandler } from './link.js';
import { LinkManager, type LinkManagerLimits } from './links.js';
import { NetworkPolicy } from './network-policy.js';
import { wellKnownDocument, type WellKnownDocument } from './well-known.js';

/** What a server needs to federate (docs/protocol.md §8). Every field has a default fit for development. */
export interface FederationOptions {
  /** The server's key pair. Default: read from `keyFile`, else a fresh one per start. */
  keys?: ServerKeys;
  /** A PEM file holding the server's private key, made on first start when missing. */
  keyFile?: string;
  /**
   * Where other servers and clients reach this server from outside, e.g. `https://example.org`: the
   * well-known document announces `wss://example.org/wsp/federation`. Default: the address it listens on.
   */
  publicUrl?: string;
  /**
   * Static peers, domain → base URL (`http://127.0.0.1:8002`), used instead of `https://<domain>`.
   * Read at every lookup, so entries may be added after the server started.
   */
  peers?: ReadonlyMap<string, string>;
  /** Whether domains missing from `peers` are discovered over HTTPS. Default true. */
  discover?: boolean;
  /**
   * Networks in CIDR notation (`10.0.0.0/8`, `127.0.0.0/8`) whose addresses discovery and links may connect to although
   * they are not public: a federation inside a LAN, or on one machine. Default none: only public addresses, and the
   * hosts of `peers`, are reached.
   */
  allowNetworks?: readonly string[];
  /** The longest a well-known fetch may take, in ms. Default 3000. */
  discoveryTimeoutMs?: number;
  /** The longest opening a link may take, discovery included, in ms. Default 5000. */
  connectTimeoutMs?: number;
  /** How long a link this server opened stays open without a call, in ms. Default 300 000. */
  idleMs?: number;
  /** Interval of the ping that finds a dead link, in ms. Default 30 000. */
  heartbeatMs?: number;
  /** How far a handshake's timestamp may lie from this server's clock, in ms. Default 60 000. */
  skewMs?: number;
  /** How long the published key is announced as valid; re-announced at every request. Default 24 hours. */
  keyTtlMs?: number;
  /** Delay before retrying a domain after a failed attempt, doubling. Default 1000 up to 60 000 ms. */
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface FederationSetup {
  /** The domain this server serves. */
  domain: string;
  options: FederationOptions;
  /** Where frames from links go: the CallRouter. */
  handler: LinkHandler;
  log: Logger;
  /** The public URL when none is configured: known only once the server listens, hence a function. */
  defaultPublicUrl: () => string;
  /** The server's link limits. */
  limits?: Partial<LinkManagerLimits>;
  /** Where the links' frames are counted: the server's metrics. */
  metrics?: FrameMetrics;
}

export interface Federated {
  readonly keys: ServerKeys;
  readonly links: LinkManager;
  /** This server's well-known document, as of now. */
  document(): WellKnownDocument;
}

/**
 * Loads (or makes) the server's key and wires discovery and the link manager: everything a server
 * mounts on `/.well-known/wsp` and the link endpoint.
 *
 * @example
 * const federation = await createFederation({ domain, options: { keyFile }, handler: router, log, defaultPublicUrl: () => url });
 */
export async function createFederation(setup: FederationSetup): Promise<Federated> {
  const { domain, options, log } = setup;
  const keys = options.keys ?? (options.keyFile ? await loadOrCreateKeys(options.keyFile) : generateKeys());
  if (options.publicUrl !== undefined) new URL(options.publicUrl); // a typo fails at start, not at the first request
  const policy = new NetworkPolicy(options.allowNetworks);
  const discovery = new Discovery({ peers: options.peers, discover: options.discover, timeoutMs: options.discoveryTimeoutMs, policy });
  const links = new LinkManager({
    domain,
    keys,
    discovery,
    handler: setup.handler,
    log,
    connectTimeoutMs: options.connectTimeoutMs,
    idleMs: options.idleMs,
    heartbeatMs: options.heartbeatMs,
    skewMs: options.skewMs,
    backoff: options.backoff,
    limits: setup.limits,
    metrics: setup.metrics,
  });
  const keyTtlMs = options.keyTtlMs ?? 86_400_000;
  return {
    keys,
    links,
    document: () => wellKnownDocument({ domain, publicUrl: options.publicUrl ?? setup.defaultPublicUrl(), keys, now: Date.now(), keyTtlMs }),
  };
}
