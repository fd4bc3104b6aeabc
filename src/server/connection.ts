import type { RawData, WebSocket } from 'ws';
import { ByeCode, type Frame } from '../protocol/index.js';
import { notice, readFrame } from './wire.js';
import type { Peer } from './call-router.js';
import { FrameGate } from './frame-gate.js';
import type { ServerLimits } from './limits.js';
import type { Logger } from './log.js';
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
 * One authenticated client socket: holds it to its frame rate (a frame over it is dropped with the
 * `bye` 429 notice, a flood closes the socket with 1008), decodes every message with the protocol's
 * `decode()`, answers what it cannot decode with the `bye` 400 notice (§6), and hands good frames to
 * the router. The socket's user was fixed at the upgrade and is the only identity the router sees.
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
  readonly #gate: FrameGate;
  readonly #outbox: Outbox;
  /** Set once the connection is being closed for flooding: what it still sends is not read. */
  #flooded = false;

  constructor(socket: WebSocket, user: string, handler: FrameHandler, log: Logger, limits: ConnectionLimits, now?: Clock) {
    this.user = user;
    this.#socket = socket;
    this.#handler = handler;
    this.#log = log.child({ user });
    this.#gate = new FrameGate(limits.framesPerSecond, limits.frameBurst, now);
    this.#outbox = new Outbox(socket, limits.maxBufferedBytes, this.#log, 'client does not read its frames; dropping it');
    socket.on('message', (data, isBinary) => this.#message(data, isBinary));
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

  #message(data: RawData, isBinary: boolean): void {
    if (this.#flooded) return;
    // Before decoding: a dropped frame should cost the server as little as possible.
    const verdict = this.#gate.admit();
    if (verdict === 'drop') return this.send(notice(ByeCode.TOO_MANY, 'too many frames'));
    if (verdict === 'flood') {
      this.#flooded = true;
      this.#log.warn('frame flood: closing the connection', { dropped: this.#gate.dropped });
      return this.close(1008, 'too many frames');
    }
    try {
      if (isBinary) return this.send(notice(ByeCode.MALFORMED, 'binary messages are not WSP frames'));
      const result = readFrame(data);
      if (!result.ok) {
        this.#log.debug('malformed frame', { reason: result.error.reason });
        return this.send(notice(result.error.code, result.error.reason));
      }
      this.#log.debug('frame', { keyword: result.frame[0], call: result.frame[2].call });
      this.#handler.receive(this, result.frame);
    } catch (error) {
      // A bug in handling one frame must not end the connection, let alone the server.
      this.#log.error('failed to handle a frame', { error });
      this.send(notice(ByeCode.SERVER_ERROR, 'server error'));
    }
  }
}
