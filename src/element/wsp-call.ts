import { LitElement, html, type TemplateResult } from 'lit';
import type { CallSession, SignalingChannel } from '../call/call-session.js';
import { CallState } from '../call/call-state.js';
import { CallController } from './call-controller.js';
import { styles } from './wsp-call.styles.js';

const { IDLE, DIALING, RINGING, INCOMING, CONNECTING, CONNECTED, ENDED } = CallState;

/**
 * A video call widget: places and takes real WebRTC calls over WSP 1.0. While it is in the page and has a
 * `server`, a `caller` and a `token` (or `tokenProvider`), it stays connected to its server, so calls to
 * `caller` ring here. Removing it from the page ends its call and closes its connection.
 *
 * @summary A drop-in WebRTC video call element speaking WSP 1.0.
 *
 * @example
 * <wsp-call server="wss://example.org/wsp" caller="alice@example.org" callee="bob@example.org"></wsp-call>
 *
 * @fires {RingingEvent} ringing - A call rings: outgoing once a device of the callee rings, incoming with `caller` `{uri, name}`.
 * @fires {ConnectedEvent} connected - The call is up: the peer connection is connected and the other party's media arrives.
 * @fires {EndedEvent} ended - The call is over: `code` (the `bye` code), `reason`, `duration` in ms.
 * @fires {WspErrorEvent} error - Something went wrong (`message`): the server refused the connection, camera or microphone denied…
 *   Composed, but it does not bubble (so that `window.onerror` does not take it for a script error).
 * @fires {StateChangeEvent} statechange - The call's `state` changed.
 *
 * @csspart remote-video - The other party's video; fills the widget. Shown once connected.
 * @csspart local-video - The self-view: this side's camera, muted, inset. Shown whenever the camera is on.
 * @csspart status - The status line (a live region).
 * @csspart controls - The row of buttons.
 * @csspart button - Every button.
 * @csspart call-button - Places the call.
 * @csspart accept-button - Accepts an incoming call.
 * @csspart decline-button - Declines an incoming call.
 * @csspart hangup-button - Hangs up, or cancels a call that still rings.
 *
 * @cssproperty [--wsp-background=#111] - Background behind the videos.
 * @cssproperty [--wsp-accent=#1a7f37] - Background of the call and accept buttons.
 * @cssproperty [--wsp-danger=#c62828] - Background of the decline and hang-up buttons.
 * @cssproperty [--wsp-radius=8px] - Corner radius of the widget.
 *
 * @cssstate idle - No call yet (`wsp-call:state(idle)`); one of these seven states always applies.
 * @cssstate dialing - An outgoing call is placed; the callee's devices do not ring yet.
 * @cssstate ringing - An outgoing call rings at the callee.
 * @cssstate incoming - A call rings here.
 * @cssstate connecting - Accepted; the media connection is being set up.
 * @cssstate connected - In a call.
 * @cssstate ended - The last call ended.
 * @cssstate online - Connected to the server: calls can come in.
 */
export class WspCall extends LitElement {
  static override styles = styles;

  static override properties = {
    server: {},
    caller: {},
    callee: {},
    token: {},
    ringTimeout: { type: Number, attribute: 'ring-timeout' },
    tokenProvider: { attribute: false },
    iceServers: { attribute: false },
  };

  /** The WebSocket address of this widget's WSP server, e.g. `wss://example.org/wsp`. */
  declare server: string;
  /** This widget's own user, `user@domain`: the one who places calls from it and whom incoming calls ring. */
  declare caller: string;
  /** Whom call() rings, `user@domain`. */
  declare callee: string;
  /** The token (a JWT from your backend) that proves `caller` to the server. */
  declare token: string;
  /** How long an outgoing call rings before it gives up, in ms (1000–120000); the server may ring shorter. */
  declare ringTimeout?: number;
  /** Returns a fresh token; used instead of `token` at each (re)connection, since tokens are short-lived. */
  declare tokenProvider?: () => string | Promise<string>;
  /** STUN/TURN servers for the peer connection; none by default (calls within one network). */
  declare iceServers?: RTCIceServer[];

  /** @internal */
  readonly #calls = new CallController(this);
  /** @internal */
  readonly #internals = this.attachInternals();

  constructor() {
    super();
    this.server = this.caller = this.callee = this.token = '';
  }

  /** Where the call is: idle, dialing, ringing, incoming, connecting, connected or ended. */
  get state(): CallState {
    return this.#calls.session?.state ?? IDLE;
  }

  /** True while connected to the server, so that calls can come in. */
  get online(): boolean {
    return this.#calls.online;
  }

  /**
   * The channel the call's signaling takes now: `websocket` until the handover, `datachannel` after it;
   * undefined without a call.
   */
  get signalingChannel(): SignalingChannel | undefined {
    return this.#calls.session?.signalingChannel;
  }

  /**
   * The current (or last) call session, for tests and diagnostics.
   * @internal
   */
  get session(): CallSession | undefined {
    return this.#calls.session;
  }

  /** Connects to the server now (it does so by itself once configured); resolves true when connected. */
  async connect(): Promise<boolean> {
    return !!(await this.#calls.connect())?.open;
  }

  /** Calls `callee`. Resolves once the invite is sent; a no-op while a call is going on. */
  call(): Promise<void> {
    return this.#calls.call();
  }

  /** Accepts the incoming call. Resolves once the offer is sent; a no-op when no call rings here. */
  async accept(): Promise<void> {
    await this.#calls.session?.accept();
  }

  /** Declines the incoming call (the caller hears 603); a no-op when no call rings here. */
  async decline(): Promise<void> {
    if (this.state === INCOMING) this.#calls.session!.hangup();
  }

  /** Ends the call: hangs up, cancels a call that still rings at the callee, or declines one that rings here. A no-op without a call. */
  async hangup(): Promise<void> {
    this.#calls.session?.hangup();
  }

  protected override willUpdate(): void {
    const states = this.#internals.states;
    states.clear();
    states.add(this.state);
    if (this.online) states.add('online');
  }

  protected override render(): TemplateResult {
    const state = this.state;
    const session = this.#calls.session;
    const who = session?.remote?.name ?? session?.remote?.uri;
    const button = (name: string, label: string, action: () => unknown, disabled = false) =>
      html`<button part="button ${name}-button" ?disabled=${disabled} @click=${action}>${label}</button>`;
    const status = {
      [IDLE]: this.online ? 'Ready' : 'Offline',
      [DIALING]: `Calling ${who}…`,
      [RINGING]: `Ringing ${who}…`,
      [INCOMING]: `${who} is calling`,
      [CONNECTING]: `Connecting to ${who}…`,
      [CONNECTED]: `In a call with ${who}`,
      [ENDED]: session?.reason,
    }[state];
    const controls =
      state === IDLE || state === ENDED
        ? button('call', `Call ${this.callee}`, () => this.call(), !this.online || !this.callee)
        : state === INCOMING
          ? [button('accept', 'Accept', () => this.accept()), button('decline', 'Decline', () => this.decline())]
          : button('hangup', state === DIALING || state === RINGING ? 'Cancel' : 'Hang up', () => this.hangup());
    // Templates without indentation: Lit ships their whitespace as written.
    // The camera opens while the call rings (so accepting is fast), and a camera that is on is always shown.
    // The remote video waits for `connected`: a <video> that plays during setup takes the main thread from the
    // negotiation.
    const live = session && state !== ENDED ? session : undefined;
    return html`<video part="remote-video" .srcObject=${state === CONNECTED ? live!.remoteStream : null} autoplay playsinline></video>
<video part="local-video" .srcObject=${live?.localStream ?? null} .muted=${true} autoplay playsinline></video>
<p part="status" role="status">${status}</p>
<div part="controls">${controls}</div>`;
  }
}
