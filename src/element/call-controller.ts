import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallSession } from '../call/call-session.js';
import { CallState, isActive } from '../call/call-state.js';
import { Signaling } from '../call/signaling.js';
import { IssuedIceServers, mergeIceServers } from '../call/ice-servers.js';
// The protocol's modules one by one, not its index: the bye reasons (bye-reasons.ts) stay out of the first load.
import { normalizeAddress } from '../protocol/address.js';
import { ByeCode } from '../protocol/codes.js';
import type { Frame, InviteFrame } from '../protocol/frame.js';
import { limits } from '../protocol/limits.js';
import { en } from '../i18n/strings.js';
import { ConnectedEvent, EndedEvent, RingingEvent, StateChangeEvent, WspErrorEvent, type WspErrorCode } from './events.js';

/** What the controller reads from its element. */
export interface CallHost extends ReactiveControllerHost, HTMLElement {
  server: string;
  caller: string;
  callee: string;
  token: string;
  tokenProvider?: () => string | Promise<string>;
  ringTimeout?: number;
  iceServers?: RTCIceServer[];
  /** The caller's display name, sent with each invite. */
  callerName?: string;
  /** Voice only: no camera is asked for. */
  audioOnly: boolean;
  /** ICE through TURN relays only. */
  relayOnly: boolean;
  /** Camera and microphone open while an incoming call rings, not on accept. */
  preview: boolean;
  /** How long an accepted call may take to connect, in ms. */
  connectTimeout?: number;
}

type CallEngine = typeof import('./call-engine.js');
let engine: Promise<CallEngine> | undefined;
/** Loads the call engine once per page, at the first call of any widget. */
const loadEngine = (): Promise<CallEngine> => (engine ??= import('./call-engine.js'));

const { DIALING, INCOMING, RINGING, CONNECTED, ENDED } = CallState;
const sessionEvents = ['statechange', 'media', 'handover', 'error'] as const;
/** Said whenever the server cannot be reached: it refused the connection, is unreachable, or the connection dropped. */
const offline = 'Not connected to the server (refused or lost)';

/**
 * Whether this browser can place and take calls: it has WebRTC (`RTCPeerConnection`) and gives the page camera and
 * microphone (`navigator.mediaDevices.getUserMedia`, which browsers offer to secure pages only: https, localhost).
 * Asked at each use rather than once, so that a test can take the APIs away. Here, not in the call engine: without
 * them the engine is never loaded.
 */
const callsPossible = (): boolean => !!(self.RTCPeerConnection && navigator.mediaDevices?.getUserMedia);

/**
 * The behaviour behind `<wsp-call>`: keeps the WebSocket to the element's server open while the element is
 * in the page (reconnecting with a fresh token when it drops), owns the current call session, answers
 * `bye` 486 to invites while busy (606 where the browser cannot take calls), and turns session changes into the
 * element's events.
 *
 * @internal
 */
export class CallController implements ReactiveController {
  /** The current call, or the last one once it ended. */
  session?: CallSession;
  /** True while the WebSocket to the server is open: calls can come in. */
  online = false;

  readonly #host: CallHost;
  #signaling?: Signaling;
  #connecting: Promise<Signaling | undefined> = Promise.resolve(undefined);
  /** What the open (or opening) connection was made for; a change of server, caller or token reconnects. */
  #key = '';
  #failures = 0;
  #retry?: ReturnType<typeof setTimeout>;
  /** call() waits for the connection, or an incoming call for the call engine: busy already. */
  #placing = false;
  /** TURN credentials from the server (issue 14), asked for as the connection opens: calls wait for that answer. */
  #issued?: IssuedIceServers;
  #issuedReady: Promise<unknown> = Promise.resolve();

  constructor(host: CallHost) {
    this.#host = host;
    host.addController(this);
  }

  /** False where this browser can neither place nor take calls (see callsPossible): the widget says so and refuses calls. */
  get supported(): boolean {
    return callsPossible();
  }

  /** True while a call occupies the widget. */
  get busy(): boolean {
    return this.#placing || isActive(this.session?.state ?? 'idle');
  }

  hostConnected(): void {
    addEventListener('pagehide', this.#leave);
    void this.connect();
  }

  hostUpdate(): void {
    // Before rendering, so that the render shows the connection's new state.
    void this.connect();
  }

  hostDisconnected(): void {
    // A move within the page disconnects and reconnects at once: only a real removal ends the call.
    queueMicrotask(() => this.#host.isConnected || this.#teardown());
  }

  /** Opens the WebSocket if it is not open (or opening) for the element's current settings. */
  connect(): Promise<Signaling | undefined> {
    const { server, caller, token, tokenProvider, isConnected } = this.#host;
    const key = isConnected && server && caller && (token || tokenProvider) ? `${server} ${caller} ${token}` : '';
    if (key !== this.#key) {
      this.#close();
      this.#key = key;
      this.#connecting = key ? this.#open(key) : Promise.resolve(undefined);
    }
    return this.#connecting;
  }

  async call(): Promise<void> {
    const host = this.#host;
    if (this.busy) return;
    if (!this.supported) return this.#unsupported();
    const caller = normalizeAddress(host.caller);
    const callee = normalizeAddress(host.callee);
    if (!caller || !callee) return this.#error('caller and callee must be user@domain');
    this.#placing = true;
    let signaling: Signaling | undefined;
    let call: CallEngine;
    try {
      // The server's TURN credentials are asked for as the connection opens: the call waits for that answer too.
      const connected = this.connect().then(async (open) => (await this.#issuedReady, open));
      [signaling, call] = await Promise.all([connected, loadEngine()]);
    } catch (error) {
      return this.#error(`${error}`);
    } finally {
      this.#placing = false;
    }
    if (this.busy) return;
    if (!signaling?.open) return this.#error(offline);
    const { min, max } = limits.ringTimeout;
    const timeout = host.ringTimeout && Math.min(max, Math.max(min, Math.round(host.ringTimeout)));
    const name = host.callerName?.slice(0, limits.text);
    this.#adopt(call, signaling).invite({ caller: name ? { uri: caller, name } : { uri: caller }, callee: { uri: callee } }, timeout);
  }

  #invited(signaling: Signaling, [, parties, { call: id }]: InviteFrame): void {
    // Refused before it rings: the caller hears 606 (once no other device of this user rings) instead of waiting.
    if (!this.supported) return signaling.send(['bye', { code: ByeCode.UNSUPPORTED }, { call: id }]), this.#unsupported();
    const session = this.session;
    // Glare (§4.6): our outgoing call to this caller crosses theirs to us. The lower call id wins on both sides at
    // once: the side whose invite lost cancels it silently and takes the winner as its call, accepted at once, since
    // its user asked for this very call. The winner answers the losing invite 486 like any busy widget.
    const state = session?.state;
    const glare = (state === DIALING || state === RINGING) && session!.remote!.uri === parties.caller.uri && id < session!.id;
    if (glare) {
      this.#release(session!);
      session!.hangup();
    } else if (this.busy) return signaling.send(['bye', { code: ByeCode.BUSY }, { call: id }]);
    // Until the call engine is loaded (the first call only), the call's frames wait: a cancel must not be lost.
    const early: Frame[] = [];
    signaling.route(id, (frame) => early.push(frame));
    this.#placing = true;
    Promise.all([loadEngine(), this.#issuedReady]).then(
      ([call]) => {
        this.#placing = false;
        if (!signaling.open) return;
        const incoming = this.#adopt(call, signaling, id);
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

  #adopt({ CallSession, loadDeviceChoice, mediaConstraints }: CallEngine, signaling: Signaling, id?: string): CallSession {
    const host = this.#host;
    const { audioOnly, relayOnly, preview, connectTimeout } = host;
    const media = mediaConstraints(loadDeviceChoice(), { video: !audioOnly });
    // --- TURN (issue 14): the page's ICE servers and the server's, renewed before an ICE restart.
    const issued = this.#issued;
    const iceServers = mergeIceServers(host.iceServers, issued?.servers);
    const renewIceServers = async () => issued && mergeIceServers(host.iceServers, await issued.renew());
    const rtc: RTCConfiguration = { iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' };
    const init = { id, media, rtc, preview, renewIceServers, connectTimeoutMs: connectTimeout };
    const session = (this.session = new CallSession(signaling, init));
    signaling.route(session.id, (frame) => session.receive(frame));
    for (const type of sessionEvents) session.addEventListener(type, this);
    return session;
  }

  /** Session events, as an EventListenerObject: one listener for all of them. */
  handleEvent(event: Event): void {
    const host = this.#host;
    const session = event.target as CallSession;
    host.requestUpdate();
    if (event instanceof ErrorEvent) this.#error(event.message, event.error?.code);
    if (event.type !== 'statechange') return;
    const { state, parties } = session;
    host.dispatchEvent(new StateChangeEvent(state));
    if (state === RINGING || state === INCOMING) host.dispatchEvent(new RingingEvent(state === INCOMING, parties!.caller, parties!.callee));
    if (state === CONNECTED) host.dispatchEvent(new ConnectedEvent());
    if (state === ENDED) {
      this.#release(session);
      host.dispatchEvent(new EndedEvent(session.code, session.reason, session.duration));
    }
  }

  /** Stops hearing from `session` and routing frames to it. */
  #release(session: CallSession): void {
    this.#signaling?.route(session.id);
    for (const type of sessionEvents) session.removeEventListener(type, this);
  }

  async #open(key: string): Promise<Signaling | undefined> {
    const host = this.#host;
    let signaling: Signaling;
    try {
      const token = host.tokenProvider ? await host.tokenProvider() : host.token;
      if (key !== this.#key) return;
      const url = new URL(host.server);
      url.searchParams.set('token', token);
      signaling = this.#signaling = new Signaling(url.href);
      // The connection's token asks first; renewals take a fresh one where the page gives one.
      let first: string | undefined = token;
      const nextToken = () => {
        const given = first;
        first = undefined;
        return given ?? (host.tokenProvider ? host.tokenProvider() : host.token);
      };
      this.#issued = new IssuedIceServers({ server: host.server, token: nextToken });
      this.#issuedReady = this.#issued.renew();
    } catch (error) {
      return this.#lost(key, `${error}`);
    }
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
    signaling.onclose = () => {
      this.#signaling = undefined;
      // Before the handover the call needs the server; after it, the DataChannel carries it alone.
      const session = this.session;
      if (session && !session.handedOver) session.end(ByeCode.PEER_LOST, offline);
      this.#lost(key, offline);
    };
    if (!(await signaling.opened)) return;
    this.#failures = 0;
    this.#online(true);
    return signaling;
  }

  #lost(key: string, message: string): undefined {
    this.#online(false);
    if (!this.#failures++) this.#error(message);
    // Try again later, with a fresh token from tokenProvider: the server may be back, the token renewed.
    this.#retry = setTimeout(() => {
      if (this.#key !== key) return;
      this.#key = '';
      void this.connect();
    }, Math.min(30_000, 500 * 2 ** this.#failures));
    return undefined;
  }

  /** Ends the call as the user leaves: hangs up, except that a call ringing here just stops ringing. */
  readonly #leave = (): void => {
    const session = this.session;
    if (session?.state === INCOMING) session.end(ByeCode.OFFLINE);
    else session?.hangup();
  };

  #teardown(): void {
    removeEventListener('pagehide', this.#leave);
    this.#leave();
    this.#key = '';
    this.#close();
  }

  #close(): void {
    clearTimeout(this.#retry);
    this.#issued?.stop();
    this.#signaling?.close();
    this.#signaling = undefined;
    this.#online(false);
  }

  #online(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    this.#host.requestUpdate();
  }

  #error(message: string, code?: WspErrorCode): void {
    this.#host.dispatchEvent(new WspErrorEvent(message, code));
  }

  #unsupported(): void {
    this.#host.dispatchEvent(new WspErrorEvent(en.unsupported, 'unsupported'));
  }
}
