import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { ConnectionPath } from '../media/path.js';
import type { CallClient } from '../call/call-client.js';
import type { CallSession, SignalingChannel } from '../call/call-session.js';
import { CallState } from '../call/call-state.js';
import { SwitchEvent, WspErrorEvent } from '../call/events.js';
import { callsPossible } from '../call/support.js';
import { en, translation, type PartialStrings, type Strings } from '../i18n/strings.js';
import { CallController } from './call-controller.js';
import type { DevicesPanel } from './devices-panel.js';
import { hangupIcon, phoneIcon, settingsIcon } from './icons.js';
import type { InCallView, ViewKit } from './in-call.js';
import { styles } from './wsp-call.styles.js';

const { IDLE, INCOMING, CONNECTING, CONNECTED, ENDED } = CallState;

/**
 * A button of the widget, named by its part (`call` → `call-button`), showing the icon drawn by `icon` (SVG path
 * data); `label` is its accessible name and its tooltip. `pressed` makes it a switch, `expanded` a menu's toggle.
 */
const button = (name: string, label: unknown, icon: string, action: () => unknown, pressed?: boolean, disabled = false, expanded?: boolean): TemplateResult =>
  html`<button part="button ${name}-button" aria-pressed=${pressed ?? nothing} aria-expanded=${expanded ?? nothing} ?disabled=${disabled} @click=${action}><svg viewBox="0 0 24 24" aria-hidden="true"><path d=${icon}></path></svg><span class="label">${label}</span></button>`;

/** Which screen the widget shows: its focus moves to the screen's main control when the screen changes. */
const screenOf = (state: CallState): string => (state === IDLE || state === ENDED ? 'idle' : state === INCOMING ? INCOMING : 'call');

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
 * @fires {WspErrorEvent} error - Something went wrong (`message`, in English, never holding a token): the server refused the
 *   connection, camera or microphone denied… `code` is `unsupported` where this browser cannot place or take calls (at each call()
 *   and each refused incoming call); `turn-refused`, `turn-needed` or `no-route` when a call found no network path (it ends with
 *   `bye` 504: the TURN server refused the credentials; no TURN server was configured and one would likely have helped; no path
 *   even through TURN). Why the widget is not connected to its server: `origin-refused` (the server takes no connections from this
 *   page's origin), `token-refused` (the server refused the token: malformed, expired, forged, another domain's, an unknown user;
 *   or it is no JWT, and was not sent), `token-provider` (`tokenProvider` threw, rejected or returned no string), `unreachable`
 *   (the connection never opened: the server is down or unknown, or over its limits), `connection-lost` (it was open, and dropped);
 *   the status line says each in the widget's language, and the widget retries after a growing backoff with a fresh token.
 *   Composed, but it does not bubble (so that `window.onerror` does not take it for a script error).
 * @fires {StateChangeEvent} statechange - The call's `state` changed.
 * @fires {SwitchEvent} mutechange - `muted` changed; `on` is true when muted.
 * @fires {SwitchEvent} camerachange - `cameraOff` changed; `on` is true when the camera is off.
 * @fires {SwitchEvent} pipchange - The remote video entered (`on` true) or left picture-in-picture.
 * @fires {Event} fullscreenchange - The widget entered or left full screen (the browser's own event; see `fullscreen`).
 * @fires {SwitchEvent} screenshare - This side started (`on` true) or stopped sharing its screen.
 * @fires {QualityChangeEvent} qualitychange - The connected call's connection was rated anew: `quality` is `good`, `fair` or `poor`
 *   (from round-trip time, packet loss and jitter, every 2 s); `path` says how the media goes (`connectionPath`), and a change of
 *   path (direct, relayed) fires it too. Its class comes with the call engine chunk.
 *
 * @slot avatar - The other party's picture (the callee's before a call) on the idle, incoming, calling, audio-only and ended
 *   screens, clipped to a circle (`--wsp-avatar-size`) whatever its size; by default their initial.
 * @slot branding - Your logo or a text, shown above the party while no call is going on.
 * @slot controls - Your own buttons instead of the built-in ones; wire them to `call()`, `accept()`, `hangup()`…
 *
 * @csspart remote-video - The other party's video; fills the widget. Shown once connected (never in `audio-only`). Named
 *   after the other party for assistive technology.
 * @csspart self-view - This side's camera: behind the party panel while a call rings or connects, then a bordered tile that
 *   can be dragged to any corner (a tap moves it to the next corner). Shows this side's initial while the camera is off.
 * @csspart local-video - The self-view's video: this side's camera, muted, mirrored.
 * @csspart status - The status line, a live region that announces each change of state.
 * @csspart timer - How long the call has been connected, `m:ss`.
 * @csspart party - The panel naming the other party (avatar, name, address): before a call the callee, with the branding.
 * @csspart incoming - The incoming-call screen: the `party` panel while a call rings here.
 * @csspart avatar - The default avatar: the other party's initial.
 * @csspart name - The other party's name (their address when the invite gave no name, or one of only control or
 *   format characters), stripped of control and bidi-override characters and isolated from the text around it.
 * @csspart address - The other party's address, under their name.
 * @csspart duration - On the ended screen, how long the call lasted.
 * @csspart controls - The bar of buttons at the bottom. During a connected video call it fades after 3 s without pointer or
 *   key activity (state `controls-hidden`), and comes back on a move, a tap or a key; never while the focus is inside.
 * @csspart button - Every button: round, with an icon and a tooltip naming it (the call button shows its name in full).
 * @csspart call-button - Places the call; "Call again" after one.
 * @csspart accept-button - Accepts an incoming call. A ring pulses around it (not under reduced motion).
 * @csspart accept-audio-button - Accepts an incoming call with the camera off (not in audio-only mode).
 * @csspart decline-button - Declines an incoming call.
 * @csspart hangup-button - Hangs up, or cancels a call that still rings.
 * @csspart mute-button - Mutes and unmutes the microphone (`aria-pressed` when muted).
 * @csspart camera-button - Stops the camera and starts it again (`aria-pressed` while stopped).
 * @csspart more-button - In a narrow widget (under 480 px), opens the menu of the secondary buttons (`aria-expanded`).
 * @csspart menu - The secondary buttons (share screen, full screen, picture-in-picture, settings): in the bar in a wide
 *   widget, a menu over it in a narrow one.
 * @csspart fullscreen-button - Shows the widget full screen, and back.
 * @csspart pip-button - Puts the remote video in picture-in-picture, where the browser can.
 * @csspart screen-button - Shares this side's screen, and stops (`aria-pressed` while shared); during a connected video call,
 *   once signaling went over to the DataChannel, where the browser can share a screen (never in `audio-only`). The other side
 *   shows the shared screen as its main video instead of the camera, until the share stops.
 * @csspart quality - The connection's quality while connected: signal bars (three good, two fair, one poor; `quality-good`,
 *   `quality-fair` or `quality-poor` as well) labelled "Connection: good"…
 * @csspart settings-button - Opens the devices panel, and closes it.
 * @csspart devices - The devices panel, a modal dialog over the widget (the focus stays in it until it closes): self-preview,
 *   microphone level and pickers. Choices are remembered for the next calls and visits; during a call, a new camera or
 *   microphone replaces the old one without renegotiating, and a new speaker plays the other party at once.
 * @csspart preview - The panel's self-preview.
 * @csspart level - The panel's microphone level meter (`<meter>`, 0–1).
 * @csspart picker - Each device picker (`<select>`), also `videoinput`, `audioinput` or `audiooutput` (the speaker, where the browser can choose it).
 * @csspart close-button - Closes the devices panel.
 *
 * @cssproperty [--wsp-background=light-dark(#e8eaed, #202124)] - Background behind the videos.
 * @cssproperty [--wsp-color=light-dark(#111, #fff)] - Text colour on the background.
 * @cssproperty [--wsp-bar-background=#000a] - Background of the status line (over the video).
 * @cssproperty [--wsp-bar-color=#fff] - Text colour of the status line and the timer.
 * @cssproperty [--wsp-accent=#1a7f37] - Background of the call and accept buttons, and of the default avatar.
 * @cssproperty [--wsp-danger=#c62828] - Background of the decline and hang-up buttons.
 * @cssproperty [--wsp-button-background=light-dark(#fff, #3c4043)] - Background of the other buttons (their text colour when pressed).
 * @cssproperty [--wsp-button-color=light-dark(#111, #fff)] - Icon colour of the other buttons (their background when pressed).
 * @cssproperty [--wsp-focus=light-dark(#0b57d0, #8ab4f8)] - The focus ring of buttons.
 * @cssproperty [--wsp-radius=12px] - Corner radius of the widget.
 * @cssproperty [--wsp-button-radius=99px] - Corner radius of the buttons.
 * @cssproperty [--wsp-font=system-ui] - Font family.
 * @cssproperty [--wsp-font-size=14px] - Font size.
 * @cssproperty [--wsp-gap=8px] - Spacing between and around the buttons, bars and the self-view.
 * @cssproperty [--wsp-avatar-size=64px] - Diameter of the avatar.
 * @cssproperty [--wsp-self-view-width=25%] - Width of the self-view tile.
 * @cssproperty [--wsp-aspect-ratio=4/3] - The widget's shape when no height is set.
 *
 * @cssstate idle - No call yet (`wsp-call:state(idle)`); one of the seven call states always applies.
 * @cssstate dialing - An outgoing call is placed; the callee's devices do not ring yet.
 * @cssstate ringing - An outgoing call rings at the callee.
 * @cssstate incoming - A call rings here.
 * @cssstate connecting - Accepted; the media connection is being set up.
 * @cssstate connected - In a call.
 * @cssstate ended - The last call ended.
 * @cssstate online - Connected to the server: calls can come in.
 * @cssstate offline - Not connected to the server.
 * @cssstate muted - The microphone is muted.
 * @cssstate camera-off - The camera is off (also in `audio-only`).
 * @cssstate error - The status line shows an error, until the next change of state.
 * @cssstate rtl - The language is written right to left.
 * @cssstate reconnecting - The connected call lost its path and is reconnecting (an ICE restart); the status line says so.
 * @cssstate quality-good - The connected call's connection is good (also `quality-fair`, `quality-poor`).
 * @cssstate quality-fair - The connection is fair: noticeable delay or loss.
 * @cssstate quality-poor - The connection is poor: the call suffers.
 * @cssstate controls-hidden - The controls faded out during a connected video call (no pointer or key activity for 3 s).
 * @cssstate unsupported - This browser cannot place or take calls (no WebRTC, or no camera and microphone access on an
 *   insecure page): the status line says so, the call button is disabled, the settings hidden; incoming calls are refused.
 */
export class WspCall extends LitElement {
  static override styles = styles;

  static override properties = {
    server: {},
    caller: {},
    callerName: { attribute: 'caller-name' },
    callee: {},
    calleeName: { attribute: 'callee-name' },
    token: {},
    ringTimeout: { type: Number, attribute: 'ring-timeout' },
    tokenProvider: { attribute: false },
    iceServers: { attribute: false },
    relayOnly: { type: Boolean, attribute: 'relay-only' },
    connectTimeout: { type: Number, attribute: 'connect-timeout' },
    audioOnly: { type: Boolean, attribute: 'audio-only' },
    muted: { type: Boolean },
    cameraOff: { type: Boolean, attribute: 'camera-off' },
    silent: { type: Boolean },
    preview: { type: Boolean },
    lang: { reflect: true },
    strings: { attribute: false },
  };

  /** The WebSocket address of this widget's WSP server, e.g. `wss://example.org/wsp`. */
  declare server: string;
  /** This widget's own user, `user@domain`: the one who places calls from it and whom incoming calls ring. */
  declare caller: string;
  /** This widget's user as people know them, e.g. `Alice Example`: sent with each call, shown on the callee's incoming screen. */
  declare callerName?: string;
  /** Whom call() rings, `user@domain`. */
  declare callee: string;
  /** The callee as people know them, e.g. `Bob Example`: shown before the call, on the call button and in the widget's name. */
  declare calleeName?: string;
  /** The token (a JWT from your backend) that proves `caller` to the server. */
  declare token: string;
  /** How long an outgoing call rings before it gives up, in ms (1000–120000); the server may ring shorter. */
  declare ringTimeout?: number;
  /** Returns a fresh token; used instead of `token` at each (re)connection, since tokens are short-lived. */
  declare tokenProvider?: () => string | Promise<string>;
  /**
   * STUN/TURN servers for the peer connection; none by default (calls within one network). The TURN credentials the
   * server issues (`--turn-urls`, docs/protocol.md §3.1) are added to these, and renewed before they expire.
   */
  declare iceServers?: RTCIceServer[];
  /**
   * Media only through the TURN servers of `iceServers` (`iceTransportPolicy: 'relay'`): the other party never
   * learns this side's IP addresses. Without a TURN server no call connects.
   */
  declare relayOnly: boolean;
  /**
   * How long an accepted call may take to connect, in ms (default 15000): then it ends on both sides with `bye` 504 and
   * an `error` naming the cause. It ends at once when no network address could be gathered (a TURN server refused the
   * credentials under `relay-only`).
   */
  declare connectTimeout?: number;
  /** Voice only: no video is shown, and this side sends no picture. */
  declare audioOnly: boolean;
  /** The microphone is muted (its track disabled); settable before a call, to join muted. */
  declare muted: boolean;
  /** The camera is off (its track disabled, the self-view hidden); settable before a call. */
  declare cameraOff: boolean;
  /**
   * No tones: by default the caller hears a ringback while the callee's device rings, and the callee a ring while a
   * call rings here (generated; where the browser blocks sound until the user interacts, from their first click or key).
   */
  declare silent: boolean;
  /**
   * Open camera and microphone while a call rings here, to show a self-view before answering. Off by default: they
   * open on accept, so a stranger's ring never turns the camera light on.
   */
  declare preview: boolean;
  /**
   * The language of the widget's strings (`en`, `de`, `ar`, `fr` are shipped, each loaded when first used);
   * without it, the page's `<html lang>`. Arabic lays the widget out right to left.
   */
  declare lang: string;
  /** Overrides any of the widget's strings, in any language: `{ hangup: 'Leave', 603: 'Busy, sorry' }`; see `src/i18n/strings.ts`. */
  declare strings?: PartialStrings;

  /** @internal */
  readonly #calls = new CallController(this, (error) => this.#failed(error));
  /** @internal */
  readonly #internals = this.attachInternals();
  /** @internal The language whose translation is loaded (or loading). */
  #lang?: string;
  /** @internal */
  #shipped?: PartialStrings;
  /** @internal The error the status line shows, until the call's state changes or the server connection is back. */
  #error?: WspErrorEvent;
  /** @internal */
  #wasOnline = false;
  /** @internal The in-call view, once its chunk is loaded. */
  #view?: InCallView;
  /** @internal */
  #loading = false;
  /** @internal The devices panel, once the settings were opened. */
  #panel?: DevicesPanel;
  /** @internal The screen last rendered (see screenOf), and the control that had the focus before this update. */
  #screen = 'idle';
  /** @internal */
  #focused?: Element | null;
  /** @internal What the lazy chunks borrow from the element (see ViewKit). */
  readonly #kit: ViewKit;

  constructor() {
    super();
    this.server = this.caller = this.callee = this.token = '';
    this.audioOnly = this.muted = this.cameraOff = this.relayOnly = this.preview = false;
    const calls = this.#calls;
    this.#kit = {
      html,
      nothing,
      button,
      SwitchEvent,
      WspErrorEvent,
      states: this.#internals.states,
      get client() {
        return calls.client!;
      },
    };
    this.addEventListener('error', (event) => {
      this.#error = event;
      // Only getting online after the error clears it (an error while online stays until the call moves on).
      this.#wasOnline = this.online;
      this.requestUpdate();
    });
    this.addEventListener('statechange', () => (this.#error = undefined));
    this.addEventListener('fullscreenchange', () => this.requestUpdate());
  }

  /** Where the call is: idle, dialing, ringing, incoming, connecting, connected or ended. */
  get state(): CallState {
    return this.#calls.client?.state ?? IDLE;
  }

  /** True while connected to the server, so that calls can come in. */
  get online(): boolean {
    return !!this.#calls.client?.online;
  }

  /**
   * The path the connected call's media takes, measured every 2 s: `path` (`direct`, or `relayed` through TURN),
   * `candidateType`, `remoteCandidateType`, `relayProtocol` (`udp`, `tcp`, `tls`), `rtt` in s, `loss` (0…1). Undefined
   * until measured; `qualitychange` fires when the path or the quality changes.
   */
  get connectionPath(): ConnectionPath | undefined {
    return this.#calls.client?.media?.path;
  }

  /**
   * The channel the call's signaling takes now: `websocket` until the handover, `datachannel` after it;
   * undefined without a call.
   */
  get signalingChannel(): SignalingChannel | undefined {
    return this.#calls.client?.session?.signalingChannel;
  }

  /** True while the widget is shown full screen. */
  get fullscreen(): boolean {
    return this.matches(':fullscreen');
  }

  /**
   * The current (or last) call session, for tests and diagnostics.
   * @internal
   */
  get session(): CallSession | undefined {
    return this.#calls.client?.session;
  }

  /**
   * The call client behind the widget, for tests and diagnostics; undefined until its chunk is loaded.
   * @internal
   */
  get client(): CallClient | undefined {
    return this.#calls.client;
  }

  /** Connects to the server now (it does so by itself once configured); resolves true when connected. */
  async connect(): Promise<boolean> {
    return !!(await (await this.#calls.ready).connect())?.open;
  }

  /** Calls `callee`. Resolves once the invite is sent; a no-op while a call is going on. */
  async call(): Promise<void> {
    await (await this.#calls.ready).call();
  }

  /**
   * Accepts the incoming call. Resolves once the offer is sent; a no-op when no call rings here.
   * To accept without video, set `cameraOff` first (as the accept-audio button does): the camera can be turned on later.
   */
  async accept(): Promise<void> {
    await (await this.#calls.ready).accept();
  }

  /** Declines the incoming call (the caller hears 603); a no-op when no call rings here. */
  async decline(): Promise<void> {
    (await this.#calls.ready).decline();
  }

  /** Ends the call: hangs up, cancels a call that still rings at the callee, or declines one that rings here. A no-op without a call. */
  async hangup(): Promise<void> {
    (await this.#calls.ready).hangup();
  }

  /** Mutes the microphone, or unmutes it (`force` picks which); returns whether it is muted now. */
  toggleMute(force = !this.muted): boolean {
    return (this.muted = force);
  }

  /** Turns the camera off, or on again (`force` picks which); returns whether it is off now. */
  toggleCamera(force = !this.cameraOff): boolean {
    return (this.cameraOff = force);
  }

  /**
   * Shows the widget full screen, or leaves full screen (`force` picks which), during a call. Needs a user's click
   * or key press.
   */
  async toggleFullscreen(force?: boolean): Promise<void> {
    await this.#view?.fullscreen(force);
  }

  /**
   * Puts the remote video in picture-in-picture, or takes it back (`force` picks which), during a call. Needs a
   * user's click or key press.
   */
  async togglePictureInPicture(force?: boolean): Promise<void> {
    await this.#view?.pictureInPicture(force);
  }

  protected override willUpdate(): void {
    const lang = this.lang || document.documentElement.lang;
    if (lang !== this.#lang) {
      this.#lang = lang;
      this.#shipped = undefined;
      translation(lang).then((strings) => {
        if (this.#lang !== lang) return;
        this.#shipped = strings;
        this.requestUpdate();
      }, this.#failed);
    }
    const { online, muted, audioOnly, state } = this;
    if (state !== IDLE && !this.#loading) {
      this.#loading = true;
      import('./in-call.js').then((chunk) => {
        this.#view = new chunk.InCallView(this, this.#kit);
        this.requestUpdate();
      }, this.#failed);
    }
    if (online && !this.#wasOnline) this.#error = undefined;
    this.#wasOnline = online;
    const strings = this.#strings();
    this.#internals.role = 'group';
    // Named after the other party, so that two widgets on a page are told apart.
    const party = this.session?.remote;
    const whom = party?.name ?? party?.uri ?? this.calleeName ?? this.callee;
    this.#internals.ariaLabel = whom ? strings.labelWith.split('{0}').join(whom) : strings.label;
    const states = this.#internals.states;
    states.clear();
    const on = {
      [state]: 1,
      online,
      offline: !online,
      muted,
      'camera-off': this.cameraOff || audioOnly,
      error: !!this.#error,
      rtl: strings.dir === 'rtl',
      unsupported: !callsPossible(),
    };
    for (const [state, value] of Object.entries(on)) if (value) states.add(state);
    this.#focused = this.shadowRoot?.activeElement;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Only changes after the first render are news: the initial values are the page's own choice.
    if (changed.get('muted') === !this.muted) this.dispatchEvent(new SwitchEvent('mutechange', this.muted));
    if (changed.get('cameraOff') === !this.cameraOff) this.dispatchEvent(new SwitchEvent('camerachange', this.cameraOff));
    this.#keepFocus();
  }

  /**
   * @internal When the focus was in the widget and the screen changed (a call placed, taken, ended), or the focused
   * control went away or was disabled, the focus goes to the new screen's main control: hang-up (or cancel) in a call,
   * accept when a call rings, call when none goes on. Never to `<body>`. An incoming call does not take the focus from
   * the page; accept is the widget's first control.
   */
  #keepFocus(): void {
    const screen = screenOf(this.state);
    const changed = screen !== this.#screen;
    this.#screen = screen;
    const had = this.#focused as HTMLButtonElement | null | undefined;
    if (!had || (!changed && had.isConnected && !had.disabled && this.shadowRoot!.activeElement)) return;
    const main = screen === 'call' ? 'hangup' : screen === INCOMING ? 'accept' : this.online ? 'call' : 'settings';
    const target =
      this.renderRoot.querySelector<HTMLButtonElement>(`[part~=${main}-button]:not(:disabled)`) ?? this.renderRoot.querySelector('button:not(:disabled)');
    target?.focus();
  }

  /**
   * @internal A lazy chunk did not load (the network is gone, the chunks are not hosted next to the bundle): the
   * widget goes on in English, without the in-call extras, and says so.
   */
  readonly #failed = (error: Error): void => void this.dispatchEvent(new WspErrorEvent(`${error}`));

  /** @internal English, under the shipped translation, under the page's overrides. */
  #strings(): Strings {
    return { ...en, ...this.#view?.en, ...this.#shipped, ...this.strings } as Strings;
  }

  protected override render(): TemplateResult {
    const state = this.state;
    const strings = this.#strings();
    const supported = callsPossible();
    const session = this.session;
    const live = session && state !== ENDED ? session : undefined;
    // The other party: in a call (or after it) the session's, before it the callee.
    const remote = session?.remote ?? { uri: this.callee, name: this.calleeName };
    // The status line names them by the address always, beside the display name (made safe by the session); each
    // isolated, so that neither reorders the words around it. Strings are filled without replace(): its `$'` patterns
    // would let a name rewrite the line.
    const who = remote.name ? html`<bdi>${remote.name}</bdi> (${remote.uri})` : remote.uri;
    const say = (key: keyof Strings & string, value: unknown = who) => {
      const [before, after] = strings[key].split('{0}');
      return after == null ? before : html`${before}<bdi>${value}</bdi>${after}`;
    };
    const settings = supported ? button('settings', strings.settings, settingsIcon, this.#settings) : nothing;
    const pieces = this.#view?.render(strings, settings);
    // The essentials are here, so that a call can be placed, taken and ended even before (or without) the in-call chunk.
    const controls =
      state === INCOMING
        ? [
            button('accept', strings.accept, phoneIcon, () => this.accept()),
            pieces?.acceptAudio,
            button('decline', strings.decline, hangupIcon, () => this.decline()),
          ]
        : live
          ? [
              pieces?.switches,
              button('hangup', strings[state === CONNECTING || state === CONNECTED ? 'hangup' : 'cancel'], hangupIcon, () => this.hangup()),
              pieces?.extras ?? settings,
            ]
          : [
              button(
                'call',
                state === ENDED && pieces?.again ? pieces.again : say('call', remote.name || remote.uri),
                phoneIcon,
                () => this.call(),
                undefined,
                !this.online || !this.callee || !supported,
              ),
              settings,
            ];
    const error = this.#error;
    const status = !supported
      ? strings.unsupported
      : error
        ? // In the widget's language where the code has a string (a connection's failure), else the message, in English;
          // chosen at each render, so that a translation that arrives later applies.
          say('error', (error.code && (strings as Partial<Record<string, string>>)[error.code]) || error.message)
        : state === IDLE
          ? say(this.online ? 'ready' : 'offline')
          : state === ENDED
            ? (strings[session!.code] ?? session!.reason)
            : say(this.#view?.reconnecting ? 'reconnecting' : state);
    const initial = (remote.name || remote.uri)[0]?.toUpperCase();
    // Hidden while a video call is connected: the other party's video says who it is.
    const party =
      state === CONNECTED && !this.audioOnly
        ? nothing
        : html`<div part=${state === INCOMING ? 'party incoming' : 'party'}>
            ${live ? nothing : html`<slot name="branding"></slot>`}
            <span class="avatar"><slot name="avatar"><span part="avatar" aria-hidden="true">${initial}</span></slot></span>
            <strong part="name">${remote.name || remote.uri}</strong>
            ${remote.name ? html`<span part="address">${remote.uri}</span>` : nothing}
            ${pieces?.duration}
          </div>`;
    return html`${pieces?.remote}${pieces?.self}${party}
      <p part="status" role="status">${status}</p>
      ${pieces?.timer}
      <div part="controls"><slot name="controls">${controls}</slot></div>
      ${this.#panel?.render(strings)}`;
  }

  /** @internal The settings button: loads the devices panel (the first time) and opens or closes it. */
  readonly #settings = (): Promise<void> =>
    import('./devices-panel.js').then((chunk) => (this.#panel ??= new chunk.DevicesPanel(this, this.#kit)).toggle(), this.#failed);
}
