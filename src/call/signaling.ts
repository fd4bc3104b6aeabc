// From the modules themselves, not the index: what the index also exports (the bye reasons) then stays out of the
// element's first load.
import { decode, encode } from '../protocol/codec.js';
import { callIdOf, type ByeContent, type Frame, type InviteFrame } from '../protocol/frame.js';
import { clientProtocols } from '../protocol/handshake.js';

/**
 * Where a call's frames go. A call does not care whether that is the WebSocket to its server (before the
 * handover) or the DataChannel to its peer (after it), or an in-memory pair in a test.
 */
export interface Transport {
  /** Sends one frame; a transport that is closed drops it. */
  send(frame: Frame): void;
}

/**
 * The client's WebSocket to the server of its own domain: subprotocol `wsp-1.0`, and the token offered as a second
 * one, `wsp-token.<JWT>` (docs/protocol.md §3), so that it appears in no URL a browser prints.
 * Every message is decoded with the protocol module's `decode()`; frames go to the call registered for
 * their call id, an `invite` for an unknown id to `oninvite`, a `bye` without call id (a notice) to
 * `onnotice`. Malformed frames are dropped: a peer never answers a notice with a notice.
 *
 * @example
 * const signaling = new Signaling('wss://example.org/wsp', token); // a token sendableToken() accepts
 * signaling.oninvite = (frame) => ring(frame);
 * if (await signaling.opened) signaling.route(call.id, (frame) => call.receive(frame));
 */
export class Signaling implements Transport {
  /** Resolves true once the socket is open, false when it closed before (refused, unreachable, bad token). */
  readonly opened: Promise<boolean>;
  /** An `invite` for a call id nobody here handles yet. */
  oninvite: (frame: InviteFrame) => void = () => {};
  /** A connection-scoped `bye` notice (no call id): the server rejected a frame; nothing ends. */
  onnotice: (bye: ByeContent) => void = () => {};
  /**
   * The socket closed without close() being called here; `code` and `reason` are the close frame's (a drain's delay, a
   * refusal's cause), `wasOpen` whether it had opened (else the server was not reached, or refused over HTTP).
   */
  onclose: (closed: CloseEvent, wasOpen: boolean) => void = () => {};

  readonly #socket: WebSocket;
  readonly #calls = new Map<string, (frame: Frame) => void>();

  /** Throws where `new WebSocket` does: a `url` that is no ws: or wss: URL. Check `token` with sendableToken() first. */
  constructor(url: string, token: string) {
    const socket = (this.#socket = new WebSocket(url, clientProtocols(token)));
    let wasOpen = false;
    this.opened = new Promise((resolve) => {
      socket.onopen = () => resolve((wasOpen = true));
      socket.onclose = (closed) => {
        resolve(false);
        this.onclose(closed, wasOpen);
      };
    });
    socket.onmessage = ({ data }) => this.#receive(data);
  }

  /** True while frames can be sent. */
  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  send(frame: Frame): void {
    if (this.open) this.#socket.send(encode(frame));
  }

  /** Delivers the frames of call `id` to `handler` from now on; without a handler, stops delivering them. */
  route(id: string, handler?: (frame: Frame) => void): void {
    if (handler) this.#calls.set(id, handler);
    else this.#calls.delete(id);
  }

  /** Closes the socket on purpose: `onclose` does not fire. */
  close(): void {
    this.#socket.onclose = null;
    this.#socket.close();
    this.#calls.clear();
  }

  #receive(data: unknown): void {
    // Binary messages are not WSP frames; the server never sends them.
    if (typeof data !== 'string') return;
    const result = decode(data);
    if (!result.ok) return;
    const frame = result.frame;
    const id = callIdOf(frame);
    if (id === undefined) return this.onnotice(frame[1] as ByeContent);
    const handler = this.#calls.get(id);
    if (handler) handler(frame);
    else if (frame[0] === 'invite') this.oninvite(frame);
    // Anything else for an unknown id is late (a call that ended here) and changes nothing.
  }
}
