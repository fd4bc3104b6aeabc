import type { WebSocket } from 'ws';
import type { Frame } from '../protocol/index.js';
import type { Peer } from './call-router.js';
import { Intake } from './intake.js';
import type { ServerLimits } from './limits.js';
import type { Logger } from './log.js';
import type { FrameMetrics } from './metrics.js';
import { Outbox } from './outbox.js';
import type { Clock } from '../protocol/token-bucket.js';

/** Where a connection's frames and its end go: the CallRouter. */
export interface FrameHandler {
  receive(from: Connection, frame: Frame): void;
  disconnect(connection: Connection): void;
}

/** The limits a connection enforces itself (docs/protocol.md §2.4); the others are the router's and the server's. */
export type ConnectionLimits = Pick<ServerLimits, 'framesPerSecond' | 'frameBurst' | 'maxBufferedBytes'>;

/**
 * One authenticated client socket: its messages go through an Intake (the frame rate, where a flood closes the socket
 * with 1008; decoding; bounded notices, docs/protocol.md §6) and good frames to the router; frames to it go through an
 * Outbox, which drops a client that does not read. The socket's user was fixed at the upgrade and is the only identity
 * the router sees.
 *
 * @example
 * const connection = new Connection(socket, 'alice@example.org', router, log, resolveLimits());
 */
export class Connection implements Peer {
  readonly user: string;
  /** Cleared by each heartbeat, set by each pong: still cleared at the next beat means the peer is gone. */
  alive = true;
  readonly #socket: WebSocket;
  readonly #handler: FrameHandler;
  readonly #log: Logger;
  readonly #outbox: Outbox;

  constructor(socket: WebSocket, user: string, handler: FrameHandler, log: Logger, limits: ConnectionLimits, now?: Clock, metrics?: FrameMetrics) {
    this.user = user;
    this.#socket = socket;
    this.#handler = handler;
    this.#log = log.child({ user });
    const sent = metrics && ((frame: Frame) => metrics.sent('client', frame));
    this.#outbox = new Outbox(socket, limits.maxBufferedBytes, this.#log, 'client does not read its frames; dropping it', sent);
    const intake = new Intake({
      perSecond: limits.framesPerSecond,
      burst: limits.frameBurst,
      now,
      log: this.#log,
      level: 'debug',
      refused: metrics && ((reason) => metrics.refused('client', reason)),
      reply: (frame) => this.send(frame),
      receive: (frame) => {
        metrics?.received('client', frame);
        this.#log.debug('frame', { keyword: frame[0], call: frame[2].call });
        this.#handler.receive(this, frame);
      },
      flood: (dropped) => {
        this.#log.warn('frame flood: closing the connection', { dropped });
        this.close(1008, 'too many frames');
      },
    });
    socket.on('message', (data, isBinary) => intake.read(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    // Without a listener an 'error' event would throw and take the whole server down.
    socket.on('error', (error) => this.#log.warn('socket error', { error: error.message }));
    socket.once('close', (code) => {
      this.#log.info('disconnected', { code });
      this.#handler.disconnect(this);
    });
  }

  send(frame: Frame): void {
    this.#outbox.write(frame);
  }

  /** Pings the client, or drops it when it did not answer the previous ping. */
  heartbeat(): void {
    if (!this.alive) {
      this.#log.info('no pong: dropping the connection');
      this.#socket.terminate();
      return;
    }
    this.alive = false;
    this.#socket.ping();
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }
}
