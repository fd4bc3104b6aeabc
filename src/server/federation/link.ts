import type { WebSocket } from 'ws';
import { ByeCode, type ByeFrame, type Frame } from '../../protocol/index.js';
import { unreachableReason, type Peer } from '../call-router.js';
import { Intake } from '../intake.js';
import type { ServerLimits } from '../limits.js';
import type { Logger } from '../log.js';
import type { FrameMetrics } from '../metrics.js';
import { Outbox } from '../outbox.js';
import { CallLedger } from './call-ledger.js';

/** Where a link's frames and its end go: the CallRouter. */
export interface LinkHandler {
  receive(from: Peer, frame: Frame): void;
  disconnect(peer: Peer): void;
}

/** `outbound`: this server opened it and signed; `inbound`: the other server did, and this one verified. */
export type LinkDirection = 'outbound' | 'inbound';
/** `pending`: being opened, frames queue; `open`: authenticated, frames flow; `closed`: for good. */
export type LinkState = 'pending' | 'open' | 'closed';

export interface LinkOptions {
  /** The other server's domain, canonical: the identity this link speaks for. */
  domain: string;
  direction: LinkDirection;
  handler: LinkHandler;
  log: Logger;
  /** How long the link stays open without a call, in ms. */
  idleMs: number;
  /** Interval of the ping that finds a dead link, in ms. */
  heartbeatMs: number;
  /** Called once when the link is closed, whatever closed it. */
  onClosed?: (link: Link) => void;
  /** How fast the other server may send, and how much it may leave unread. */
  limits: LinkLimits;
  /** Where the link's frames are counted: the server's metrics. */
  metrics?: FrameMetrics;
}

/** The limits a link enforces (docs/protocol.md §2.4): higher than a client's, since a link carries a whole domain. */
export type LinkLimits = Pick<ServerLimits, 'linkFramesPerSecond' | 'linkFrameBurst' | 'linkMaxBufferedBytes'>;

/** Frames a pending link holds at most; more mean the other side is far too slow to open, and they are dropped. */
const MAX_QUEUED = 1024;

function bye(call: string, code: number, reason: string): ByeFrame {
  return ['bye', { code, reason }, { call }];
}

/**
 * One server-to-server link (docs/protocol.md §8), as the router sees it: a `Peer` whose identity is a
 * whole domain. It exists before its socket does, so the router can hand it an invite at once; frames
 * wait in order until the link is authenticated, and if it never is, each waiting invite is answered
 * with bye 502 as if the other domain had said so.
 *
 * @example
 * const link = new Link({ domain: 'beta.example', direction: 'outbound', handler: router, log, idleMs, heartbeatMs, limits: resolveLimits() });
 * link.send(invite);     // queued
 * link.attach(socket);   // authenticated: the invite goes out
 */
export class Link implements Peer {
  /** The domain: the router's name for this peer. */
  readonly user: string;
  readonly domain: string;
  readonly direction: LinkDirection;
  readonly #handler: LinkHandler;
  readonly #log: Logger;
  readonly #idleMs: number;
  readonly #heartbeatMs: number;
  readonly #onClosed: ((link: Link) => void) | undefined;
  readonly #ledger = new CallLedger();
  readonly #intake: Intake;
  readonly #maxBuffered: number;
  readonly #metrics: FrameMetrics | undefined;
  #state: LinkState = 'pending';
  #socket: WebSocket | undefined;
  #outbox: Outbox | undefined;
  #queue: Frame[] = [];
  #idle: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #alive = true;
  #resolveClosed!: () => void;
  /** Resolves once the link is closed and its calls were reported lost. */
  readonly closed = new Promise<void>((resolve) => {
    this.#resolveClosed = resolve;
  });

  constructor(options: LinkOptions) {
    this.user = options.domain;
    this.domain = options.domain;
    this.direction = options.direction;
    this.#handler = options.handler;
    this.#log = options.log.child({ link: options.domain, direction: options.direction });
    this.#idleMs = options.idleMs;
    this.#heartbeatMs = options.heartbeatMs;
    this.#onClosed = options.onClosed;
    const metrics = options.metrics;
    // No `flood`: a flooding link is never cut for it, unlike a client; that would end every call it carries, flooded or not.
    this.#intake = new Intake({
      perSecond: options.limits.linkFramesPerSecond,
      burst: options.limits.linkFrameBurst,
      log: this.#log,
      // The other server relays only frames it decoded itself: a bad one is its bug, worth a warning here.
      level: 'warn',
      refused: metrics && ((reason) => metrics.refused('link', reason)),
      reply: (frame) => this.#write(frame),
      receive: (frame) => {
        metrics?.received('link', frame);
        this.#ledger.note('in', frame);
        this.#touch();
        this.#handler.receive(this, frame);
      },
    });
    this.#maxBuffered = options.limits.linkMaxBufferedBytes;
    this.#metrics = options.metrics;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** How many calls cross the link now. */
  get calls(): number {
    return this.#ledger.size;
  }

  send(frame: Frame): void {
    if (this.#state === 'closed') return;
    this.#ledger.note('out', frame);
    this.#touch();
    if (this.#state === 'pending') {
      if (this.#queue.length < MAX_QUEUED) this.#queue.push(frame);
      else this.#log.warn('link not open yet and its queue is full: frame dropped', { keyword: frame[0] });
      return;
    }
    this.#write(frame);
  }

  /** The link is authenticated: frames flow both ways from now on, queued ones first. */
  attach(socket: WebSocket): void {
    if (this.#state !== 'pending') {
      socket.terminate();
      return;
    }
    this.#state = 'open';
    this.#socket = socket;
    // Far more allowance than a client's: one link carries every call between two domains, and cutting it ends them all.
    const metrics = this.#metrics;
    const sent = metrics && ((frame: Frame) => metrics.sent('link', frame));
    this.#outbox = new Outbox(socket, this.#maxBuffered, this.#log, 'the other server does not read: cutting the link', sent);
    socket.on('message', (data, isBinary) => {
      if (this.#state === 'open') this.#intake.read(data, isBinary);
    });
    socket.on('pong', () => {
      this.#alive = true;
    });
    // Without a listener an 'error' event would throw and take the server down.
    socket.on('error', (error) => this.#log.warn('link socket error', { error: error.message }));
    socket.once('close', (code, reason) => this.#closed(`closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
    this.#heartbeat = setInterval(() => this.#ping(), this.#heartbeatMs);
    this.#heartbeat.unref();
    const queued = this.#queue;
    this.#queue = [];
    for (const frame of queued) this.#write(frame);
    this.#touch();
    this.#log.info('link open', { calls: this.#ledger.size });
  }

  /**
   * The link could not be opened: each invite still waiting is answered with bye 502, through the
   * handler, as if the other domain had answered it; then the link ends like a lost one. `reason` goes to the log
   * only: the callers learn that the domain cannot be reached, never why.
   */
  fail(reason: string): void {
    if (this.#state !== 'pending') return;
    this.#state = 'closed';
    const queued = this.#queue;
    this.#queue = [];
    // A call whose bye is queued too has ended already: answering it would only earn a 403.
    const ended = new Set(queued.filter((frame) => frame[0] === 'bye').map((frame) => frame[2].call));
    this.#log.warn('link failed', { reason, invites: queued.filter((frame) => frame[0] === 'invite').length });
    for (const frame of queued) {
      if (frame[0] === 'invite' && !ended.has(frame[2].call)) {
        this.#handler.receive(this, bye(frame[2].call, ByeCode.UNREACHABLE, unreachableReason(this.domain)));
      }
    }
    this.#finish();
  }

  /** Closes the link; the calls it carried end as for a lost link. */
  close(code = 1000, reason = 'closing'): void {
    if (this.#state === 'pending') return this.fail(reason);
    this.#socket?.close(code, reason);
  }

  /** Cuts the link at once, without a closing handshake: a dead or misbehaving peer. */
  terminate(): void {
    if (this.#state === 'pending') return this.fail('terminated');
    this.#socket?.terminate();
  }

  #write(frame: Frame): void {
    this.#outbox!.write(frame);
  }

  /** Starts the idle timer when no call is left, stops it when one starts. */
  #touch(): void {
    if (this.#state !== 'open' || this.#ledger.size > 0) {
      clearTimeout(this.#idle);
      this.#idle = undefined;
      return;
    }
    if (this.#idle) return;
    this.#idle = setTimeout(() => {
      this.#log.info('link idle: closing');
      this.close(1000, 'idle');
    }, this.#idleMs);
    this.#idle.unref();
  }

  #ping(): void {
    if (!this.#alive) {
      this.#log.warn('no pong from the other server: cutting the link');
      this.#socket?.terminate();
      return;
    }
    this.#alive = false;
    this.#socket?.ping();
  }

  #closed(why: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#log.info('link closed', { why, calls: this.#ledger.size });
    this.#finish();
  }

  #finish(): void {
    clearTimeout(this.#idle);
    clearInterval(this.#heartbeat);
    this.#ledger.clear();
    try {
      this.#handler.disconnect(this);
    } finally {
      this.#onClosed?.(this);
      this.#resolveClosed();
    }
  }
}
