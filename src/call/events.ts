import type { CallState } from '../call/call-state.js';
import type { Party } from '../protocol/index.js';

// The events of <wsp-call> bubble out of its shadow root, so a page can listen on any ancestor (all but `error`).
const init: EventInit = { bubbles: true, composed: true };

/**
 * `ringing`: a call rings. Outgoing (`incoming` false): a device of the callee rings. Incoming (`incoming`
 * true): a call rings here; `caller` says who calls.
 *
 * @example
 * el.addEventListener('ringing', (e) => e.incoming && console.log(`${e.caller.name ?? ''} <${e.caller.uri}> calls`));
 */
export class RingingEvent extends Event {
  /** True when the call comes in to this widget, false when this widget placed it. */
  readonly incoming: boolean;
  /**
   * Who calls: `{uri, name?}`. At the callee, `name` is stripped of control and bidi-override characters (absent when
   * nothing is left); show `uri` beside it, since anyone may pick any name.
   */
  readonly caller: Party;
  /** Who is called: `{uri, name?}`. */
  readonly callee: Party;
  constructor(incoming: boolean, caller: Party, callee: Party) {
    super('ringing', init);
    this.incoming = incoming;
    this.caller = caller;
    this.callee = callee;
  }
}

/**
 * `connected`: the peer connection is up and the other party's media arrives (its first RTP packets came in).
 *
 * @example
 * el.addEventListener('connected', () => (timer.hidden = false));
 */
export class ConnectedEvent extends Event {
  constructor() {
    super('connected', init);
  }
}

/**
 * `ended`: the call is over, for any reason; camera, microphone and connection are released.
 *
 * @example
 * el.addEventListener('ended', (e) => console.log(e.code, e.reason, `${e.duration} ms`));
 */
export class EndedEvent extends Event {
  /** The `bye` code: 200 hang-up, 603 declined, 487 cancelled, 408 no answer, 404, 480, 486… (docs/protocol.md §5). */
  readonly code: number;
  /** Why, in English. */
  readonly reason: string;
  /** How long the call was connected, in milliseconds; 0 when it never was. */
  readonly duration: number;
  constructor(code: number, reason: string, duration: number) {
    super('ended', init);
    this.code = code;
    this.reason = reason;
    this.duration = duration;
  }
}

/**
 * `statechange`: the call moved to another state (`state`).
 *
 * @example
 * el.addEventListener('statechange', (e) => (label.textContent = e.state));
 */
export class StateChangeEvent extends Event {
  /** The new state: idle, dialing, ringing, incoming, connecting, connected or ended. */
  readonly state: CallState;
  constructor(state: CallState) {
    super('statechange', init);
    this.state = state;
  }
}

/**
 * Why the widget is not connected to its server (docs/protocol.md §3), as the `code` of its `error` event:
 * - `origin-refused`: the server takes no connections from this page's origin (close code 4403);
 * - `token-refused`: the server refused the token (close 4401: missing, malformed, expired, forged, valid for too long;
 *   4404: of another domain, or of a user the server does not know), or the widget did not send it, since it cannot be
 *   one (not a JWT, or longer than 4096 characters);
 * - `token-provider`: the page's `tokenProvider` threw, rejected, or returned no string (or an empty one); or the widget
 *   has a `server` and a `caller` but neither `token` nor `tokenProvider` (a framework that renders `<wsp-call>` before
 *   it is defined may drop a function property: define the element first);
 * - `unreachable`: the socket never opened: the server is down or unknown, or refused it over HTTP (over its limits,
 *   draining);
 * - `connection-lost`: the connection was open, and dropped.
 * The widget retries after its backoff (1 s, doubling up to 30 s), each time with a fresh token from `tokenProvider`.
 */
export type ConnectionErrorCode = 'origin-refused' | 'token-refused' | 'token-provider' | 'unreachable' | 'connection-lost';

/**
 * The `code` of an `error` event, where the widget tells one: `unsupported` (this browser cannot place or take calls),
 * why a call found no network path (`bye` 504): `turn-refused` (the TURN server refused the credentials),
 * `turn-needed` (no TURN server was configured and no direct path exists: one would likely have helped), `no-route`
 * (not even through the TURN server, or the other side found none); or why it is not connected to its server
 * ({@link ConnectionErrorCode}).
 */
export type WspErrorCode = 'unsupported' | 'turn-refused' | 'turn-needed' | 'no-route' | ConnectionErrorCode;

/**
 * `error`: something the user should hear of went wrong (the server refused the connection, camera or
 * microphone denied…); `message` says what, in English (never a token). A call goes on when it can; if it cannot,
 * `ended` follows. `code` tells some errors apart for code: `unsupported` when this browser can neither place nor take
 * calls; `turn-refused`, `turn-needed` or `no-route` when a call could not connect (it then ends with `bye` 504, whose
 * reason says the same); `origin-refused`, `token-refused`, `token-provider`, `unreachable` or `connection-lost` when the
 * widget is not connected to its server ({@link ConnectionErrorCode}).
 *
 * Composed but, unlike the other events, not bubbling (like an `<img>`'s `error`): an `error` event that
 * bubbled up to `window` would reach `window.onerror` and be reported as an uncaught script error by error
 * trackers and test runners. Listen on the element, or on a component around it.
 *
 * @example
 * el.addEventListener('error', (e) => console.warn('wsp-call:', e.message));
 * el.addEventListener('error', (e) => e.code === 'unsupported' && showPhoneNumberInstead());
 * el.addEventListener('error', (e) => e.code === 'token-refused' && redirectToLogin());
 */
export class WspErrorEvent extends ErrorEvent {
  /**
   * What went wrong, machine-readable, where the widget tells it: `unsupported` when this browser cannot place or take
   * calls (it has no WebRTC, or gives this page no camera and microphone: an `http:` page that is not localhost), fired
   * at each call() and at each incoming call, which is refused with `bye` 606. `turn-refused`, `turn-needed`, `no-route`:
   * see {@link WspErrorCode}; `origin-refused`, `token-refused`, `token-provider`, `unreachable`, `connection-lost`: see
   * {@link ConnectionErrorCode}. Undefined for the other errors.
   */
  readonly code?: WspErrorCode;
  constructor(message: string, code?: WspErrorCode) {
    super('error', { composed: true, message });
    this.code = code;
  }
}

/**
 * `mutechange`, `camerachange`, `pipchange`, `screenshare`: a switch of the call flipped; `on` is its new value — muted,
 * camera off, remote video in picture-in-picture, screen shared.
 *
 * @example
 * el.addEventListener('mutechange', (e) => (micIcon.dataset.muted = String(e.on)));
 */
export class SwitchEvent extends Event {
  /** The switch's new value: true when muted, when the camera is off, when in picture-in-picture, when sharing the screen. */
  readonly on: boolean;
  constructor(type: 'mutechange' | 'camerachange' | 'pipchange' | 'screenshare', on: boolean) {
    super(type, init);
    this.on = on;
  }
}

declare global {
  interface HTMLElementEventMap {
    mutechange: SwitchEvent;
    camerachange: SwitchEvent;
    pipchange: SwitchEvent;
    ringing: RingingEvent;
    connected: ConnectedEvent;
    ended: EndedEvent;
    statechange: StateChangeEvent;
    error: WspErrorEvent;
  }
}
