import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ByeCode, keywords, type Frame } from '../protocol/index.js';

// The server's Prometheus metrics (docs/deploy.md lists them). Each server has its own Registry, never prom-client's
// global one: tests and embedders run several servers in one process. What the server already counts (connections,
// calls, links) is read when Prometheus scrapes, through the `read` functions, so it costs the hot path nothing;
// what happens (frames, ended calls, setup times) is counted as it happens, in O(1).

/** Why a frame was dropped before it reached the router: the rate limit, or a frame that is not one (§2.3, §6). */
export type RefusalReason = 'rate_limited' | 'malformed' | 'too_large' | 'binary' | 'server_error';

/** Where a frame came from or went: a client's connection or a federation link. */
export type FrameSource = 'client' | 'link';

/** The calls the router knows, by state: ringing, accepted and signaling through the server, half handed over. */
export interface CallCounts {
  ringing: number;
  accepted: number;
  handover: number;
}

/** What the server reports when Prometheus scrapes: counts it keeps anyway. */
export interface MetricsSources {
  connections: () => number;
  calls: () => CallCounts;
  /** The federation links that are not closed: the peer domain and `pending` or `open`, one entry per link. */
  links: () => Iterable<{ readonly domain: string; readonly state: string }>;
}

/** The counting side of the metrics, the part the hot path and other modules (the Redis adapter) touch. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** A frame taken from a client or a link and handed to the router. */
  received(source: FrameSource, frame: Frame): void;
  /** A frame written to a client or a link. */
  sent(source: FrameSource, frame: Frame): void;
  /** A frame dropped before routing. */
  refused(source: FrameSource, reason: RefusalReason): void;
  /** A call left the router's table with this bye code (200 hang-up, 101 both handed over, 408 no answer…). */
  ended(code: number): void;
  /** A call's setup time: from the invite reaching the server to the caller's answer relayed to the callee, in ms. */
  setUp(ms: number): void;
  /** For the Redis adapter: a command or subscription that failed. */
  readonly redisErrors: Counter<'operation'>;
}

/** What a socket's frames count: a client's connection and a federation link each tell these. */
export type FrameMetrics = Pick<ServerMetrics, 'received' | 'sent' | 'refused'>;

/** Setup time buckets, in seconds: a call is set up in tens of ms to a few s (a human accepts it in between). */
const SETUP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

/** The codes of §5 each have a label; any other (a client may send any code from 100 to 699) counts as `other`. */
const KNOWN_CODES = new Set<number>(Object.values(ByeCode));
const SOURCES: readonly FrameSource[] = ['client', 'link'];

/**
 * Frames counted by source and keyword in plain numbers, the hot path's whole cost (a few ns), and handed to
 * Prometheus when it scrapes: prom-client's own inc() hashes and validates its labels on every call: 550 ns
 * for a relayed frame's two counts, against 25 ns so (2 cores, busy).
 */
class FrameTally {
  readonly #counts = new Map<string, number[]>(SOURCES.map((source) => [source, keywords.map(() => 0)]));
  readonly #index = new Map<string, number>(keywords.map((keyword, i) => [keyword, i]));

  add(source: FrameSource, keyword: string): void {
    this.#counts.get(source)![this.#index.get(keyword)!]! += 1;
  }

  /** Sets `counter` to the tally: each (source, keyword) seen, with its count. */
  report(counter: Counter<'source' | 'keyword'>): void {
    counter.reset();
    for (const [source, counts] of this.#counts) {
      counts.forEach((count, i) => {
        if (count > 0) counter.inc({ source, keyword: keywords[i]! }, count);
      });
    }
  }
}

/**
 * Creates the metrics of one server in a Registry of its own, with Node's process metrics (`process_*`, `nodejs_*`).
 *
 * @example
 * const metrics = createMetrics({ connections: () => connections.size, calls: () => router.callCounts(), links: () => [] });
 * response.end(await metrics.registry.metrics());
 */
export function createMetrics(sources: MetricsSources): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'wsp_connections',
    help: 'Client WebSocket connections open now',
    registers: [registry],
    collect() {
      this.set(sources.connections());
    },
  });
  new Gauge({
    name: 'wsp_calls',
    help: 'Calls the server relays now, by state: ringing, accepted (signaling through the server), handover (one party sent bye 101)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = sources.calls();
      for (const state of ['ringing', 'accepted', 'handover'] as const) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: 'wsp_federation_links',
    help: 'Federation links not closed, by peer domain and state (pending: opening; open)',
    labelNames: ['peer', 'state'] as const,
    registers: [registry],
    collect() {
      // Reset first: a link that closed since the last scrape must not linger at its old value.
      this.reset();
      for (const link of sources.links()) this.inc({ peer: link.domain, state: link.state });
    },
  });
  const callsEnded = new Counter({
    name: 'wsp_calls_ended_total',
    help: 'Calls ended, by bye code (docs/protocol.md §5; 101: both parties handed over to their DataChannel)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const setup = new Histogram({
    name: 'wsp_call_setup_seconds',
    help: "Call setup time: from the invite reaching the server to the caller's answer relayed to the callee",
    buckets: SETUP_BUCKETS,
    registers: [registry],
  });
  const [framesIn, framesOut] = [new FrameTally(), new FrameTally()];
  const byKeyword = (name: string, help: string, tally: FrameTally) =>
    new Counter({
      name,
      help,
      labelNames: ['source', 'keyword'] as const,
      registers: [registry],
      collect() {
        tally.report(this);
      },
    });
  byKeyword('wsp_frames_received_total', 'Frames received and handed to the router, by source (client, link) and keyword', framesIn);
  byKeyword('wsp_frames_sent_total', 'Frames written, by destination (client, link) and keyword', framesOut);
  const framesRefused = new Counter({
    name: 'wsp_frames_refused_total',
    help: 'Frames dropped before routing, by source and reason (rate_limited, malformed, too_large, binary, server_error)',
    labelNames: ['source', 'reason'] as const,
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: 'wsp_redis_errors_total',
    help: 'Redis commands and subscriptions that failed, by operation',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const codes = new Map<number, { code: string }>([...KNOWN_CODES].map((code) => [code, { code: String(code) }]));
  const otherCode = { code: 'other' };
  return {
    registry,
    redisErrors,
    received: (source, frame) => framesIn.add(source, frame[0]),
    sent: (source, frame) => framesOut.add(source, frame[0]),
    refused: (source, reason) => framesRefused.inc({ source, reason }),
    ended: (code) => callsEnded.inc(codes.get(code) ?? otherCode),
    setUp: (ms) => setup.observe(ms / 1000),
  };
}
