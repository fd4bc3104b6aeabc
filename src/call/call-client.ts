import type { CallMedia, QualityChangeEvent } from './call-media.js';
import type { CallSession } from './call-session.js';
import { CallState, isActive } from './call-state.js';
import type { ConnectedEvent, EndedEvent, RingingEvent, StateChangeEvent, SwitchEvent } from './events.js';
import { WspErrorEvent } from './events.js';
import type { IssuedIceServers } from './ice-servers.js';
import { sendableToken } from '../protocol/handshake.js';
import { RESTART_CLOSE_CODE } from '../protocol/restart.js';
import { closeFailure, failure, retryDelay, type Closed, type ConnectionFailure } from './reconnect.js';
import { Signaling } from './signaling.js';
import { callsPossible } from './support.js';
// The protocol's modules one by one, not its index: the bye reasons (bye-reasons.ts) stay out of the first load.
import { ByeCode } from '../protocol/codes.js';
import type { Frame, InviteFrame } from '../protocol/frame.js';
import { en } from '../i18n/strings.js';

/**
 * What a {@link CallClient} is configured with. Read at each use, not copied: an object whose fields change (an
 * element's properties) changes what the client does next; a change of `server`, `caller` or `token` reconnects at
 * the next {@link CallClient.connect}.
 */
export interface CallClientSettings {
  /** The WebSocket address of the user's WSP server, e.g. `wss://example.org/wsp`. */
  readonly server: string;
  /** The user, `user@domain`: who places calls and whom incoming calls ring. */
  readonly caller: string;
  /** Whom call() rings, `user@domain`. */
  readonly callee?: string;
  /** A token (a JWT) proving `caller`, when no `tokenProvider` is given. */
  readonly token?: string;
  /** Returns a fresh token at each (re)connection. */
  readonly tokenProvider?: () => string | Promise<string>;
  /** The user's display name, sent with each invite. */
  readonly callerName?: string;
  /** The callee's display name, shown by this side during the call (sent with the invite too). */
  readonly calleeName?: string;
  /** How long an outgoing call rings, in ms (clamped to 1000–120000). */
  readonly ringTimeout?: number;
  readonly iceServers?: RTCIceServer[];
  /** ICE through the TURN relays only (the page's `iceServers` and the server's). */
  readonly relayOnly?: boolean;
  /** How long an accepted call may take to connect, in ms (default 15000): then it ends with `bye` 504. */
  readonly connectTimeout?: number;
  /** Voice only: no camera is asked for. */
  readonly audioOnly?: boolean;
  /** Camera and microphone open while an incoming call rings, not on accept. */
  readonly preview?: boolean;
  /** No ringback or ring tone. */
  readonly silent?: boolean;
  /** The microphone's track is disabled. */
  readonly muted?: boolean;
  /** The camera's track is disabled. */
  readonly cameraOff?: boolean;
}

/** The events a client fires, on itself or on the target given to it. */
export interface CallClientEventMap {
  ringing: RingingEvent;
  connected: ConnectedEvent;
  ended: EndedEvent;
  statechange: StateChangeEvent;
  error: WspErrorEvent;
  screenshare: SwitchEvent;
  qualitychange: QualityChangeEvent;
}

type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void } | null;

/**
 * A client's events typed by name, e.g. `client.addEventListener('ended', (e) => e.code)`: overloads of the methods the
 * class inherits from EventTarget, declared only (a class that declared them would ship code that does nothing).
 */
export interface CallClient {
  addEventListener<K extends keyof CallClientEventMap>(type: K, listener: Listener<CallClientEventMap[K]>, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CallClientEventMap>(type: K, listener: Listener<CallClientEventMap[K]>, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/** The call engine: the session, media and devices, loaded once per page at the first call (a lazy chunk). */
export type CallEngine = typeof import('./call-engine.js');
let engine: Promise<CallEngine> | undefined;
const loadEngine = (): Promise<CallEngine> => (engine ??= import('./call-engine.js'));

const { INCOMING, ENDED } = CallState;
const sessionEvents = ['statechange', 'media', 'handover', 'error'] as const;

/**
 * A WSP 1.0 phone without a user interface: keeps the WebSocket to its server open while started (reconnecting
 * with a fresh token after a backoff when it drops, or after the delay a draining server asks for), places and takes
 * calls, answers `bye` 486 to invites while busy (606 where the browser cannot take calls), settles glare (§4.6), and
 * holds the current call's session and media (tones, quality, screen share). It fires the call's events
 * ({@link CallClientEventMap}) on itself, or on the `target` it was given (the element, whose page listens there), and
 * calls `onchange` after every change worth showing.
 *
 * @example
 * const client = new CallClient({ server: 'wss://example.org/wsp', caller: 'alice@example.org', callee: 'bob@example.org', tokenProvider });
 * client.addEventListener('connected', () => console.log('in a call'));
 * client.start();
 * if (await client.connect()) await client.call();
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only types the methods inherited from EventTarget.
export class CallClient extends EventTarget {
  /** The current call, or the last one once it ended. */
  session?: CallSession;
  /** The current call's tones, quality and screen share, once the call engine is loaded. */
  media?: CallMedia;
  /** True while the WebSocket to the server is open: calls can come in. */
  online = false;
  /** Called after every change worth showing: online, the call's state, its media, quality or screen share. */
  onchange: () => void = () => {};

  readonly #settings: CallClientSettings;
  readonly #target: EventTarget;
  #started = false;
  #signaling?: Signaling;
  #connecting: Promise<Signaling | undefined> = Promise.resolve(undefined);
  /** What the open (or opening) connection was made for; a change of server, caller or token reconnects. */
  #key = '';
  #failures = 0;
  /** Why the client is not connected, as last reported: call() says it again. */
  #failure?: ConnectionFailure;
  /** Told the page that it gave no token (see connect()). */
  #tokenless = false;
  #retry?: ReturnType<typeof setTimeout>;
  /** call() waits for the connection, or an incoming call for the call engine: busy already. */
  #placing = false;
  /**
   * The TURN credentials the server issues (docs/protocol.md §3.1), asked for as the connection opens: a call waits
   * for that answer. Their module loads then, not with the page.
   */
  #issued: Promise<IssuedIceServers | undefined> = Promise.resolve(undefined);

  constructor(settings: CallClientSettings, target?: EventTarget) {
    super();
    this.#settings = settings;
    this.#target = target ?? this;
  }

  /** False where this browser can neither place nor take calls (see callsPossible): calls are refused. */
  get supported(): boolean {
    return callsPossible();
  }

  /** True while a call occupies the client. */
  get busy(): boolean {
    return this.#placing || isActive(this.state);
  }

  /** The current call's state; idle before the first call. */
  get state(): CallState {
    return this.session?.state ?? CallState.IDLE;
  }

  /** Keeps the connection open from now on, and ends the call when the page goes away. */
  start(): void {
    this.#started = true;
    addEventListener('pagehide', this.#leave);
    void this.connect();
  }

  /** Ends the call (a call ringing here just stops ringing) and closes the connection until the next start(). */
  stop(): void {
    this.#started = false;
    removeEventListener('pagehide', this.#leave);
    this.#leave();
    void this.connect();
  }

  /** Opens the WebSocket if it is not open (or opening) for the current settings; resolves with it once open. */
  connect(): Promise<Signaling | undefined> {
    const { server, caller, token, tokenProvider } = this.#settings;
    const key = this.#started && server && caller && (token || tokenProvider) ? `${server} ${caller} ${token}` : '';
    // Configured but for the token: said once, not left to look like a server that is down. The classic cause is a
    // framework that rendered the tag before its element was defined and so dropped the function it had for it.
    const tokenless = !!(this.#started && server && caller && !key);
    if (tokenless && !this.#tokenless) {
      this.#report(failure('token-provider', 'neither token nor tokenProvider is set (React: define <wsp-call> before rendering it)'));
    }
    this.#tokenless = tokenless;
    if (key !== this.#key) {
      this.#close();
      this.#key = key;
      this.#connecting = key ? this.#open(key) : Promise.resolve(undefined);
    }
    return this.#connecting;
  }

  /** Brings the call in line with the settings: the tracks' `enabled` (muted, camera off) and the tones (silent). */
  update(): void {
    const { muted, cameraOff, audioOnly, silent } = this.#settings;
    // Muting disables the track rather than stopping it: unmuting is instant and needs no renegotiation.
    for (const track of this.session?.localStream?.getTracks() ?? []) track.enabled = !(track.kind === 'audio' ? muted : cameraOff || audioOnly);
    this.media?.follow(!!silent || !this.#started);
  }

  /** Calls `callee`. Resolves once the invite is sent; a no-op while a call is going on. */
  async call(): Promise<void> {
    const settings = this.#settings;
    if (this.busy) return;
    if (!this.supported) return this.#unsupported();
    this.#placing = true;
    let signaling: Signaling | undefined;
    let call: CallEngine;
    try {
      [signaling, call] = await Promise.all([this.connect().then(async (open) => (await this.#issued, open)), loadEngine()]);
    } catch (error) {
      return this.#error(`${error}`);
    } finally {
      this.#placing = false;
    }
    if (this.busy) return;
    const invite = call.invitation(settings);
    if (typeof invite === 'string') return this.#error(invite);
    if (!signaling?.open) return this.#report(this.#failure ?? failure('unreachable'));
    this.#adopt(call, signaling, await this.#issued).invite(invite.parties, invite.timeout);
  }

  /** Accepts the incoming call. Resolves once the offer is sent; a no-op when no call rings here. */
  async accept(): Promise<void> {
    await this.session?.accept();
  }

  /** Declines the incoming call (the caller hears 603); a no-op when no call rings here. */
  decline(): void {
    if (this.state === INCOMING) this.session!.hangup();
  }

  /** Ends the call: hangs up, cancels a call that still rings, or declines one that rings here. */
  hangup(): void {
    this.session?.hangup();
  }

  #invited(signaling: Signaling, [, parties, { call: id }]: InviteFrame): void {
    // Refused before it rings: the caller hears 606 (once no other device of this user rings) instead of waiting.
    if (!this.supported) return (signaling.send(['bye', { code: ByeCode.UNSUPPORTED }, { call: id }]), this.#unsupported());
    const session = this.session;
    // Glare (§4.6): our outgoing call to this caller crosses theirs to us. The side whose invite lost cancels it
    // silently and takes the winner as its call, accepted at once, since its user asked for this very call. The winner
    // answers the losing invite 486 like any busy client.
    const glare = session?.losesTo(parties.caller, id);
    if (glare) {
      this.media!.quiet = true;
      this.#release(session!);
      session!.hangup();
    } else if (this.busy) return signaling.send(['bye', { code: ByeCode.BUSY }, { call: id }]);
    // Until the call engine is loaded (the first call only), the call's frames wait: a cancel must not be lost.
    const early: Frame[] = [];
    signaling.route(id, (frame) => early.push(frame));
    this.#placing = true;
    Promise.all([loadEngine(), this.#issued]).then(
      ([call, issued]) => {
        this.#placing = false;
        if (!signaling.open) return;
        const incoming = this.#adopt(call, signaling, issued, id);
        incoming.ring(parties);
        for (const frame of early) incoming.receive(frame);
        if (glare) void incoming.accept();
      },
      (error: Error) => {
        this.#placing = false;
        signaling.route(id);
        signaling.send(['bye', { code: ByeCode.SERVER_ERROR }, { call: id }]);
        this.#error(`${error}`);
      },
    );
  }

  #adopt(call: CallEngine, signaling: Signaling, issued: IssuedIceServers | undefined, id?: string): CallSession {
    // The call this one replaces (ended, or lost to glare unheard) stops its tones and watches.
    this.media?.follow(true);
    const session = (this.session = (this.media = call.newCall(this.#settings, signaling, this.#notify, issued, id)).session);
    signaling.route(session.id, (frame) => session.receive(frame));
    for (const type of sessionEvents) session.addEventListener(type, this);
    return session;
  }

  /**
   * Session events, as an EventListenerObject: one listener for all of them. The page's events for them come from
   * the call's media (CallMedia), which heard them first.
   */
  handleEvent(event: Event): void {
    const session = event.target as CallSession;
    this.update();
    this.onchange();
    if (session.state === ENDED) this.#release(session);
  }

  /**
   * Tells `onchange`, then fires `event` (when given) where the client's events go: in that order, so that an element
   * has its update requested when its page hears the event, and `await el.updateComplete` then shows the change.
   */
  readonly #notify = (event?: Event): void => {
    this.onchange();
    if (event) this.#target.dispatchEvent(event);
  };

  /** Stops hearing from `session` and routing frames to it. */
  #release(session: CallSession): void {
    this.#signaling?.route(session.id);
    for (const type of sessionEvents) session.removeEventListener(type, this);
  }

  async #open(key: string): Promise<Signaling | undefined> {
    const settings = this.#settings;
    const token = await this.#token();
    if (key !== this.#key) return;
    if (typeof token !== 'string') return this.#lost(key, token);
    let signaling: Signaling;
    try {
      signaling = this.#signaling = new Signaling(settings.server, token);
    } catch (error) {
      return this.#lost(key, failure('unreachable', `${error}`)); // no ws: or wss: URL
    }
    this.#issued = import('./ice-servers.js').then(
      (module) => module.issueIceServers(settings.server, token, () => this.#token()),
      () => undefined,
    );
    signaling.oninvite = (frame) => this.#invited(signaling, frame);
    signaling.onnotice = ({ code, reason }) => {
      this.#error(`Server notice ${code}${reason ? `: ${reason}` : ''}`);
      // 401: the token expired on a long-lived connection. End the calls, reconnect with a fresh token (§5).
      if (code === ByeCode.UNAUTHORIZED) {
        this.session?.end(code, reason);
        this.#key = '';
        void this.connect();
      }
    };
    signaling.onclose = (closed, wasOpen) => {
      this.#signaling = undefined;
      const lost = closeFailure(closed, wasOpen);
      // Before the handover the call needs the server; after it, the DataChannel carries it alone.
      const session = this.session;
      if (session && !session.handedOver) session.end(ByeCode.PEER_LOST, lost.message);
      // A connection that was up and dropped starts a new run of failures; a refusal (it opened only to close) goes on
      // with the run, so a refused token is retried after a growing backoff.
      if (lost.code === 'connection-lost') this.#failures = 0;
      this.#lost(key, lost, closed, wasOpen);
    };
    if (!(await signaling.opened)) return;
    this.#online(true);
    return signaling;
  }

  /**
   * The token to connect (or ask for TURN credentials) with: `token`, or a fresh one from `tokenProvider`; or why there
   * is none. Never sent, nor put in a message, unless it has a token's shape: a provider may hand back an error page's
   * body, or an object.
   */
  async #token(): Promise<string | ConnectionFailure> {
    const { token, tokenProvider } = this.#settings;
    let given: unknown = token;
    try {
      if (tokenProvider) given = await tokenProvider();
    } catch (error) {
      return failure('token-provider', `${error}`);
    }
    if (typeof given !== 'string' || !given) return failure('token-provider', 'tokenProvider gave no string');
    return sendableToken(given) ? given : failure('token-refused', 'not a JWT of at most 4096 characters');
  }

  /**
   * Tries again later, with a fresh token: the server may be back, the token renewed. A draining server's close says
   * when (and is no error: the server comes back, or the load balancer sends the client to another). The failure is
   * reported unless the last one had the same cause and the socket never opened: an open socket told the page it was
   * online, so its refusal is news again.
   */
  #lost(key: string, lost: ConnectionFailure, closed?: Closed, wasOpen?: boolean): undefined {
    this.#online(false);
    if (closed?.code === RESTART_CLOSE_CODE) this.#failures = 0;
    else {
      if (!this.#failures++ || wasOpen || lost.code !== this.#failure?.code) this.#report(lost);
      this.#failure = lost;
    }
    this.#retry = setTimeout(
      () => {
        if (this.#key !== key) return;
        this.#key = '';
        void this.connect();
      },
      retryDelay(this.#failures, closed),
    );
    return undefined;
  }

  /** Ends the call as the user leaves: hangs up, except that a call ringing here just stops ringing. */
  readonly #leave = (): void => {
    const session = this.session;
    if (session?.state === INCOMING) session.end(ByeCode.OFFLINE);
    else session?.hangup();
  };

  #close(): void {
    clearTimeout(this.#retry);
    void this.#issued.then((issued) => issued?.stop());
    this.#issued = Promise.resolve(undefined);
    // Closed on purpose while open (new settings, a token that expired on it): it was up, the next failure is news.
    if (this.#signaling?.open) this.#failures = 0;
    this.#signaling?.close();
    this.#signaling = undefined;
    this.#online(false);
  }

  #online(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    this.onchange();
  }

  #error(message: string): void {
    this.#notify(new WspErrorEvent(message));
  }

  #report({ message, code }: ConnectionFailure): void {
    this.#notify(new WspErrorEvent(message, code));
  }

  #unsupported(): void {
    this.#notify(new WspErrorEvent(en.unsupported, 'unsupported'));
  }
}
