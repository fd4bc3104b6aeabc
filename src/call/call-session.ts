import {
  ByeCode,
  DATA_CHANNEL_LABEL,
  byeReason,
  callIdOf,
  decode,
  encode,
  type Candidate,
  type Frame,
  type InviteContent,
  type Party,
} from '../protocol/index.js';
import { CANDIDATES_PER_CALL } from '../protocol/limits.js';
import { displayName } from '../i18n/display-name.js';
import { TokenBucket } from '../protocol/token-bucket.js';
import { CallState } from './call-state.js';
import { transition, type CallInput } from './call-transitions.js';
import { essentialOffer } from './codecs.js';
import { ConnectDeadline, hasTurnServer, type DeadlineTimers, type SetupFailure } from './connect-deadline.js';
import { RestartCandidates, iceUfrag } from './restart-candidates.js';
import type { Transport } from './signaling.js';

/** Which channel a call's outgoing frames take: the WebSocket until the handover, then the DataChannel. */
export type SignalingChannel = 'websocket' | 'datachannel';

/** Which side of the call this session is. */
export type CallRole = 'caller' | 'callee';

/**
 * What a session reports, as plain events:
 * - `statechange`: `session.state` changed (to `ended` last, once camera and microphone are released; the DataChannel
 *   and the peer connection close right after);
 * - `media`: the local or the remote stream gained tracks;
 * - `handover`: `handedOver` or `peerHandedOver` became true;
 * - `error` (an `ErrorEvent`): something went wrong that the user should hear of (`message`); the call may go on.
 */
export type CallSessionEventType = 'statechange' | 'media' | 'handover' | 'error';

export interface CallSessionInit {
  /** The call id of an incoming call (the invite's); an outgoing call gets a fresh random one. */
  readonly id?: string;
  /** Extra peer connection configuration, e.g. `iceServers`. */
  readonly rtc?: RTCConfiguration;
  /**
   * What to ask getUserMedia for; camera and microphone by default. `video: false` makes a voice call. A promise when
   * the choice is still being made (the devices present are being listed): the call is not held up for it.
   */
  readonly media?: MediaStreamConstraints | Promise<MediaStreamConstraints>;
  /**
   * At the callee: open camera and microphone while the call rings (a self-view before answering), not on accept.
   * Off by default: on a widget anyone may call, the camera light must not come on for every stranger's ring.
   */
  readonly preview?: boolean;
  /**
   * How long an accepted call may take to connect before it ends with `bye` 504 (see ConnectDeadline); 15 s by
   * default. It ends at once when gathering completes without a candidate.
   */
  readonly connectTimeoutMs?: number;
  /** The deadline's timers: the page's by default, a fake clock in tests. */
  readonly timers?: DeadlineTimers;
  /** Fresh ICE servers (renewed TURN credentials), asked for before an ICE restart; the current ones are kept without it. */
  readonly renewIceServers?: () => Promise<RTCIceServer[] | undefined>;
}

const { IDLE, INCOMING, CONNECTING, CONNECTED, ENDED } = CallState;

/** How long a side that hung up over the DataChannel waits for the peer to close it before closing it itself. */
const BYE_GRACE_MS = 1000;

/**
 * What a peer may send over the DataChannel (§4.7): frames at 50/s with a burst of 200 (a client's allowance at the
 * server, §2.4), of which offers (each a renegotiation: costly to apply) at 2/s with a burst of 20. An honest peer
 * sends a handful of frames after the handover; a flood must not freeze this side's page.
 */
const CHANNEL_RATE = [50, 200] as const;
const OFFER_RATE = [2, 20] as const;

/** A party as it may be shown: its display name made safe, or none when nothing is left of it. */
function shown({ uri, name }: Party): Party {
  const safe = displayName(name);
  return safe ? { uri, name: safe } : { uri };
}

function randomId(): string {
  // randomUUID exists only in secure contexts, where calls with media are made; elsewhere any unique id does.
  return crypto.randomUUID?.() ?? `${Math.random()}`.slice(2);
}

/**
 * A candidate line up to its type (`candidate:1 1 udp 2122 192.0.2.1 5000 typ host`): a trickled candidate carries
 * extensions (ufrag) that a description leaves out, and a line may end right after the type (Firefox) or go on with
 * extensions (Chromium).
 */
const upToType = (candidate: string) => candidate.split(' ', 8).join(' ');

/**
 * One call, from one side: owns the RTCPeerConnection, the local MediaStream and the DataChannel `wsp`,
 * and speaks WSP 1.0 for it (docs/protocol.md §4). Knows no socket: frames leave through the `Transport`
 * given to it until the handover, through the DataChannel after it; frames come in through `receive()`.
 *
 * It prepares while the call rings what needs no device — the peer connection, at the callee its transceivers, the
 * DataChannel, pooled ICE candidates and the local offer — so that accepting sends the offer at once. The caller
 * opens camera and microphone when it calls; the callee on accept (or while ringing, with `preview`), and its tracks
 * go into the transceivers the offer already announced (`replaceTrack`: no renegotiation).
 *
 * @example
 * const call = new CallSession(signaling);
 * signaling.route(call.id, (frame) => call.receive(frame));
 * call.addEventListener('statechange', () => console.log(call.state));
 * call.invite({ caller: { uri: 'alice@example.org' }, callee: { uri: 'bob@example.org' } });
 */
export class CallSession extends EventTarget {
  /** The call id, the same on every frame of the call. */
  readonly id: string;
  /** Where the call is; see {@link CallState}. */
  state: CallState = IDLE;
  /** Set by invite() or ring(). */
  role?: CallRole;
  /**
   * Who calls whom, as the invite said, but for the display names: stripped of control and bidi-override characters,
   * and dropped when nothing is left (see `displayName`); set by invite() or ring().
   */
  parties?: InviteContent;
  /** Once ended: the `bye` code that ended the call, sent or received. */
  code = 0;
  /** Once ended: why, in English. */
  reason = '';
  /** Once ended: how long it was connected, in ms (0 if it never was). */
  duration = 0;
  /** `performance.now()` when it became connected. */
  connectedAt = 0;
  readonly pc: RTCPeerConnection;
  /** The peer's audio and video. */
  readonly remoteStream = new MediaStream();
  /** This side's camera and microphone, once granted; receive-only calls have none. */
  localStream?: MediaStream;
  /** The DataChannel `wsp`: created by the callee before its offer, received by the caller. */
  channel?: RTCDataChannel;
  /** This side sent its `bye` 101: its frames go over the DataChannel now. */
  handedOver = false;
  /** The peer's `bye` 101 arrived: this call takes no more frames from the WebSocket. */
  peerHandedOver = false;

  readonly #socket: Transport;
  readonly #media: MediaStreamConstraints | Promise<MediaStreamConstraints>;
  readonly #preview: boolean;
  /** Media and peer connection prepared (and, at the callee, the local offer set). */
  #ready: Promise<void> = Promise.resolve();
  /** `#ready` has settled: a step need not wait for it (and so does not yield to the page before it starts). */
  #prepared = true;
  /** Negotiation steps run one after another, in the order their frames arrived. */
  #work: Promise<void> = Promise.resolve();
  /** Steps started and not yet finished. */
  #steps = 0;
  /** Local candidates found before the offer (callee) or answer (caller) left. */
  #outbox?: Frame[] = [];
  /** The candidates the last description sent lists (up to their type): not sent again when found. */
  #listed = new Set<string>();
  /** Remote candidates that arrived before the remote description was set. */
  readonly #early: Candidate[] = [];
  /** This side's candidates of an ICE restart it offers, held back while its ICE agent needs it (§4.7). */
  readonly #restart = new RestartCandidates();
  /** The last offer taken from the peer: the same again is a duplicate. */
  #offer?: string;
  /** ICE was restarted since the connection was last up: if it fails now, the call has failed. */
  #restarted = false;
  /** The peer's allowance of DataChannel frames, and of offers among them. */
  readonly #frames = new TokenBucket(...CHANNEL_RATE);
  readonly #offers = new TokenBucket(...OFFER_RATE);
  /** `icecandidate` frames taken from the DataChannel, up to {@link CANDIDATES_PER_CALL}. */
  #candidates = 0;
  /** Ends a setup that cannot connect (issue 14): armed on accept, disarmed once connected. */
  readonly #deadline: ConnectDeadline;
  readonly #renewIceServers?: () => Promise<RTCIceServer[] | undefined>;

  constructor(socket: Transport, init: CallSessionInit = {}) {
    super();
    this.id = init.id ?? randomId();
    this.#socket = socket;
    this.#media = init.media ?? { audio: true, video: true };
    this.#preview = init.preview ?? false;
    // The candidate pool starts gathering now, while the call rings.
    const pc = (this.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceCandidatePoolSize: 1, ...init.rtc }));
    this.#renewIceServers = init.renewIceServers;
    const deadline = { timeoutMs: init.connectTimeoutMs, turnConfigured: hasTurnServer(init.rtc?.iceServers), timers: init.timers };
    this.#deadline = new ConnectDeadline(pc, deadline, this.#setupFailed);
    pc.onicecandidate = ({ candidate }) => {
      // A null candidate ends gathering: sent as the empty candidate.
      if (candidate && this.#listed.has(upToType(candidate.candidate))) return;
      const frame: Frame = ['icecandidate', (candidate?.toJSON() as Candidate | undefined) ?? { candidate: '' }, { call: this.id }];
      if (!this.#restart.keep(frame)) this.#send(frame, true);
      else if (this.#restart.checking) void this.#checkPairs();
    };
    pc.ontrack = ({ track }) => {
      this.remoteStream.addTrack(track);
      track.onunmute = () => this.#check();
      this.#emit('media');
    };
    pc.ondatachannel = ({ channel }) => this.#useChannel(channel);
    // Renegotiation (an ICE restart, a new track) once the DataChannel carries signaling: either side may offer (§4.7).
    // Before it the callee's first offer is the only one; the events of the setup itself are not renegotiations.
    pc.onnegotiationneeded = () =>
      this.handedOver &&
      this.state !== ENDED &&
      this.#do(async () => {
        // Held from before the offer is set: its first candidates may come before this step goes on.
        const generations = { local: iceUfrag(pc.localDescription?.sdp), remote: iceUfrag(pc.remoteDescription?.sdp) };
        this.#sendAll(this.#restart.begin(generations));
        await pc.setLocalDescription();
        const local = pc.localDescription!;
        if (local.type !== 'offer' || iceUfrag(local.sdp) === generations.local) this.#sendAll(this.#restart.notRestarted());
        this.#describe();
      });
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      // An ended call may close its peer connection a little later (see end()): nothing it does then is news.
      if (this.state === ENDED) return;
      // Before the handover there is no channel to renegotiate on but the server's: the setup failed. After it a
      // broken path gets new ICE credentials over the DataChannel (§4.7); failing again after that ends the call.
      // The callee restarts, the caller waits for its offer: a restart offered by the side that answered the first
      // offer breaks calls between Chromium and Firefox (they then disagree on the DTLS role).
      if (state === 'failed' && !this.handedOver) this.#deadline.iceFailed();
      else if (state === 'failed' && this.#restarted) this.#fail('ICE failed');
      else if (this.handedOver && (state === 'failed' || state === 'disconnected')) {
        if (this.role === 'callee') void this.#restartIce();
        this.#restarted = true;
      } else if (state === 'connected') this.#restarted = false;
      this.#check();
    };
  }

  /** The other party: the callee of an outgoing call, the caller of an incoming one. */
  get remote(): Party | undefined {
    return this.parties && (this.role === 'caller' ? this.parties.callee : this.parties.caller);
  }

  /**
   * True when an invite from `caller` with call id `id` crosses this outgoing call to the same party (glare, §4.6) and
   * wins: the lower call id wins on both sides at once, so both agree without a word.
   */
  losesTo(caller: Party, id: string): boolean {
    return (this.state === CallState.DIALING || this.state === CallState.RINGING) && this.remote!.uri === caller.uri && id < this.id;
  }

  /** Which channel this side's frames take now. */
  get signalingChannel(): SignalingChannel {
    return this.handedOver ? 'datachannel' : 'websocket';
  }

  /**
   * Places the call: sends `invite` and prepares media while it rings.
   * @param timeout how long to ring, in ms (1000–120000); the server may ring shorter.
   */
  invite(parties: InviteContent, timeout?: number): void {
    if (this.state !== IDLE) return;
    this.role = 'caller';
    this.parties = parties;
    this.#socket.send(['invite', parties, timeout ? { call: this.id, timeout } : { call: this.id }]);
    this.#ready = this.#preparing();
    this.#to('invite');
  }

  /** Answers an incoming `invite` with `ringing` and prepares, so that accept() has only to send the offer. */
  ring(parties: InviteContent): void {
    if (this.state !== IDLE) return;
    this.role = 'callee';
    this.parties = { caller: shown(parties.caller), callee: shown(parties.callee) };
    this.#socket.send(['ringing', {}, { call: this.id }]);
    this.#useChannel(this.pc.createDataChannel(DATA_CHANNEL_LABEL));
    this.#ready = this.#preparing();
    this.#to('invited');
  }

  /**
   * Accepts an incoming call: sends the offer prepared while it rang, and opens camera and microphone meanwhile (unless
   * `preview` opened them already). Resolves once the offer is sent; the tracks follow as soon as the devices give them.
   */
  accept(): Promise<void> {
    if (!this.#to('accept')) return this.#work;
    if (!this.#preview) void this.#openMedia().catch(this.#fail);
    return this.#do(async () => {
      if (!this.#prepared) await this.#ready;
      this.#describe();
    });
  }

  /** Ends the call and tells the peer: declines (603) when it rings here, cancels (487) while it rings there, else 200. */
  hangup(): void {
    const state = this.state;
    this.end(state === INCOMING ? ByeCode.DECLINED : state === CONNECTING || state === CONNECTED ? ByeCode.NORMAL : ByeCode.CANCELLED, undefined, true);
  }

  /**
   * Ends the call with `code`: releases camera and microphone, moves to `ended`, and closes the DataChannel and the
   * peer connection (in the next task, or once the peer got the `bye`). With `send`, tells the peer first (`bye` on the
   * current channel). A no-op once ended.
   */
  end(code: number, reason?: string, send = false): void {
    if (this.state === ENDED) return;
    if (send) this.#send(['bye', reason ? { code, reason } : { code }, { call: this.id }]);
    this.code = code;
    this.reason = byeReason(code, reason);
    if (this.connectedAt) this.duration = Math.round(performance.now() - this.connectedAt);
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    const channel = this.channel;
    if (channel) channel.onopen = channel.onmessage = channel.onclose = null;
    const close = () => {
      channel?.close();
      this.pc.close();
    };
    // The final bye must reach the peer before the transport goes. Closing at once can lose it: the peer connection's
    // close aborts the SCTP association with what it has not delivered yet (seen in Firefox 153, the peer then ends
    // with 503), and a channel younger than the peer's bye 101 may drop it (Chromium 156). So the peer, ending on the
    // bye, closes the channel; failing that, this side closes it a little later.
    // Otherwise the transport closes right after `ended` is out: closing a peer connection is a long task (20–60 ms in
    // Chromium), and the page should learn that the call ended without waiting for it.
    if (send && this.handedOver) {
      channel!.onclose = close;
      setTimeout(close, BYE_GRACE_MS);
    } else setTimeout(close);
    this.#to('end');
  }

  /**
   * Handles one frame of this call. `viaChannel` tells whether it came over the DataChannel: once the
   * peer's `bye` 101 arrived, frames from the WebSocket are no longer this call's (§4.4).
   */
  receive(frame: Frame, viaChannel = false): void {
    if (this.peerHandedOver && !viaChannel) return;
    const pc = this.pc;
    switch (frame[0]) {
      case 'ringing':
        if (this.role === 'caller') this.#to('ringing');
        break;
      case 'offer': {
        const offer = frame[1];
        // The caller's first offer, or either side's renegotiation (not an offer while this side still rings).
        if (this.#to('offer')) {
          this.#do(async () => {
            if (!this.#prepared) await this.#ready;
            // A doubled offer is applied once. Perfect negotiation (§4.7): when offers cross, the caller is polite
            // and takes the peer's (its own is rolled back), the callee ignores the peer's and waits for its answer.
            if (this.#offer === offer.sdp || (this.role === 'callee' && pc.signalingState !== 'stable')) return;
            this.#offer = offer.sdp;
            // The caller's own restart, if it offered one, is rolled back: its candidates wait no longer.
            this.#sendAll(this.#restart.release());
            await this.#setRemote(offer);
            if (this.handedOver) {
              // A renegotiation (an ICE restart) over the DataChannel: applied, then sent. (The order was not what
              // stopped Chromium's media reaching Firefox after Chromium's restart: see RestartCandidates.)
              await pc.setLocalDescription();
              this.#describe();
            } else {
              // The first answer leaves before it is applied: the peer applies it while this side does (setting an
              // answer costs Chromium 25–40 ms).
              const answer = await pc.createAnswer();
              this.#describe(answer);
              await pc.setLocalDescription(answer);
            }
          });
        }
        break;
      }
      case 'answer': {
        const answer = frame[1];
        this.#restart.answered();
        // A late or doubled answer would fail the call: only the one an offer of ours waits for is taken.
        this.#do(async () => void (pc.signalingState === 'have-local-offer' && (await this.#setRemote(answer))));
        break;
      }
      case 'icecandidate':
        // The peer's candidates of this side's restart are all in: once they are applied (after the answer, hence a
        // step), this side's new candidates go.
        if (!frame[1].candidate && this.#restart.peerEnded()) {
          const end = frame[1];
          this.#do(async () => {
            await pc.addIceCandidate(end).catch(() => {});
            this.#sendAll(this.#restart.release());
          });
        } else if (pc.remoteDescription) this.#addCandidate(frame[1]);
        else this.#early.push(frame[1]);
        break;
      case 'bye':
        // The peer's setup found no path: this side says why too (its own deadline may not have passed yet).
        if (frame[1].code === ByeCode.NO_ROUTE && this.state === CONNECTING) this.#emit('error', byeReason(frame[1].code, frame[1].reason), 'no-route');
        if (frame[1].code !== ByeCode.TRANSFERRED) this.end(frame[1].code, frame[1].reason);
        else if (!this.peerHandedOver) {
          this.peerHandedOver = true;
          this.#emit('handover');
        }
    }
  }

  /** Restarts ICE (the callee, §4.7) with fresh ICE servers when there are: TURN credentials may have expired meanwhile. */
  async #restartIce(): Promise<void> {
    const servers = await this.#renewIceServers?.().catch(() => undefined);
    if (this.state === ENDED) return;
    try {
      if (servers) this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: servers });
    } catch {
      // A browser that cannot change them restarts with the ones it has.
    }
    this.pc.restartIce();
  }

  /** The setup cannot connect: both sides end with 504 and the cause (ConnectDeadline). */
  readonly #setupFailed = ({ code, kind, reason }: SetupFailure): void => {
    if (this.state === ENDED) return;
    this.#emit('error', reason, kind);
    this.end(code, reason, true);
  };

  #preparing(): Promise<void> {
    this.#prepared = false;
    return this.#prepare()
      .catch(this.#fail)
      .finally(() => (this.#prepared = true));
  }

  /** The caller's camera and microphone on the peer connection; the callee's transceivers and offer, and with `preview` its devices. */
  async #prepare(): Promise<void> {
    const pc = this.pc;
    if (this.role === 'caller') {
      const stream = await this.#localMedia();
      if (this.#keep(stream)) for (const track of stream!.getTracks()) pc.addTrack(track, stream!);
      return;
    }
    // One transceiver per kind, announced in the offer: sendrecv for what this side will send once its devices are
    // open, recvonly for a kind it never sends (a voice call still lets the caller's video come in).
    // Without `streams`: a stream named here while its tracks come later made Chromium's ICE-restart offer stop its
    // media reaching a Firefox caller (cross-browser test, under load). The session reads tracks, never streams.
    // Not awaited unless it must be: a step that waits yields to the page (a render), and the offer should not wait.
    const wanted = this.#media instanceof Promise ? await this.#media : this.#media;
    for (const kind of ['audio', 'video'] as const) pc.addTransceiver(kind, { direction: wanted[kind] ? 'sendrecv' : 'recvonly' });
    if (this.#preview) void this.#openMedia().catch(this.#fail);
    await pc.setLocalDescription(await essentialOffer(pc));
  }

  /** The callee's camera and microphone, into the transceivers of its offer, which send them without renegotiating. */
  async #openMedia(): Promise<void> {
    const stream = await this.#localMedia();
    await this.#ready; // the transceivers exist (accepting at once may come before the preparation is done)
    if (!this.#keep(stream)) return;
    const transceivers = this.pc.getTransceivers();
    for (const track of stream!.getTracks()) {
      await transceivers.find((transceiver) => transceiver.receiver.track.kind === track.kind)?.sender.replaceTrack(track);
    }
  }

  /** Takes `stream` as this side's, unless the call ended while the devices opened: then they are closed again. */
  #keep(stream: MediaStream | undefined): boolean {
    if (!stream) return false;
    if (this.state === ENDED) {
      for (const track of stream.getTracks()) track.stop();
      return false;
    }
    this.localStream = stream;
    this.#emit('media');
    return true;
  }

  /**
   * Camera and microphone as asked; without a camera (denied, absent, busy) the microphone alone, so the call goes on
   * as a voice call; without either, receive only. Each fallback is reported as an `error` event.
   */
  async #localMedia(): Promise<MediaStream | undefined> {
    const devices = navigator.mediaDevices;
    const wanted = await this.#media;
    try {
      return await devices.getUserMedia(wanted);
    } catch (error) {
      const name = (error as Error).name;
      if (wanted.video && wanted.audio) {
        try {
          const stream = await devices.getUserMedia({ audio: wanted.audio });
          this.#emit('error', `Camera unavailable (${name}): voice only`);
          return stream;
        } catch {
          // Neither works: receive only, below.
        }
      }
      this.#emit('error', `Camera and microphone unavailable (${name}): receiving only`);
    }
  }

  async #setRemote(description: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(description);
    for (const candidate of this.#early.splice(0)) this.#addCandidate(candidate);
  }

  /**
   * Looks at the ICE agent's candidate pairs for the restart this side offers: the candidates held so far go, unless
   * the agent pairs them with the peer's previous ones (RestartCandidates).
   */
  async #checkPairs(): Promise<void> {
    const mark = this.#restart.mark();
    const stats = await this.pc.getStats().catch(() => undefined);
    this.#sendAll(this.#restart.judge(stats, mark));
  }

  #addCandidate(candidate: Candidate): void {
    // One bad candidate is not worth failing the call: ICE goes on with the others.
    this.pc.addIceCandidate(candidate).catch(() => {});
  }

  /**
   * Sends the local description (the offer or the answer), then the candidates held back until it left, but for
   * those it already lists: the callee's offer, read after gathering during ringing, usually lists them all.
   */
  #describe(description: RTCSessionDescriptionInit = this.pc.localDescription!): void {
    const { type, sdp = '' } = description;
    this.#send([type, { type, sdp }, { call: this.id }] as Frame);
    this.#listed = new Set(
      sdp
        .split(/\r?\n/)
        .filter((line) => line.startsWith('a=candidate:'))
        .map((line) => upToType(line.slice(2))),
    );
    for (const frame of this.#outbox ?? []) {
      const { candidate } = frame[1] as Candidate;
      if (!candidate || !this.#listed.has(upToType(candidate))) this.#send(frame);
    }
    this.#outbox = undefined;
  }

  #useChannel(channel: RTCDataChannel): void {
    if (channel.label !== DATA_CHANNEL_LABEL || this.channel) return;
    this.channel = channel;
    channel.onmessage = ({ data }) => this.#fromChannel(data);
    // Closed without a bye: the peer is gone (its page closed, its peer connection failed). Before its bye 101 the
    // peer still signals through the server, whose bye (200, or 503 if the peer is lost) may be on its way.
    channel.onclose = () => this.peerHandedOver && this.end(ByeCode.PEER_LOST);
    const open = () => {
      if (this.handedOver || this.state === ENDED) return;
      // The handover (§4.4): say so on the WebSocket, then speak only on the DataChannel.
      this.#socket.send(['bye', { code: ByeCode.TRANSFERRED }, { call: this.id }]);
      this.handedOver = true;
      this.#emit('handover');
    };
    if (channel.readyState === 'open') open();
    else channel.onopen = open;
  }

  #fromChannel(data: unknown): void {
    // Over the peer's allowance, a frame is dropped before it is decoded; the call goes on (§4.7). A bye is not: it
    // ends the call, so it comes once, and dropped after a flood it would leave the call to end as lost (503).
    if (typeof data !== 'string' || (!this.#frames.take() && !/^\s*\[\s*"bye"/.test(data))) return;
    const result = decode(data);
    if (result.ok) {
      const frame = result.frame;
      if (callIdOf(frame) !== this.id) return;
      // Candidates beyond the server's cap and offers beyond their rate are dropped as well: each costs the browser work.
      if (frame[0] === 'icecandidate' ? ++this.#candidates > CANDIDATES_PER_CALL : frame[0] === 'offer' && !this.#offers.take()) return;
      this.receive(frame, true);
    } else if (result.error.code === ByeCode.TOO_LARGE) {
      this.end(ByeCode.TOO_LARGE, undefined, true);
    }
    // Other malformed frames are dropped: a peer never answers a notice with a notice.
  }

  /**
   * Connected = the peer connection is up and the peer's media arrives: a remote track unmuted (its first RTP
   * came), or no remote track at all (the peer sends nothing). Video's first frame may follow a camera frame
   * later; waiting for it would add up to a frame interval (50 ms with Chromium's fake camera) to every call.
   */
  #check(): void {
    const tracks = this.remoteStream.getTracks();
    if (this.state === CONNECTING && this.pc.connectionState === 'connected' && (!tracks.length || tracks.some((track) => !track.muted))) {
      this.connectedAt = performance.now();
      this.#to('media');
    }
  }

  #sendAll(frames: readonly Frame[]): void {
    for (const frame of frames) this.#send(frame);
  }

  #send(frame: Frame, hold = false): void {
    if (hold && this.#outbox) return void this.#outbox.push(frame);
    try {
      if (this.handedOver) this.channel!.send(encode(frame));
      else this.#socket.send(frame);
    } catch {
      // The DataChannel closed under us; its close event ends the call.
    }
  }

  /** Runs a negotiation step after the previous ones; a step that throws fails the call with 488. */
  #do(step: () => Promise<void>): Promise<void> {
    const run = async () => {
      try {
        if (this.state !== ENDED) await step();
      } catch (error) {
        this.#fail(error as Error);
      } finally {
        this.#steps--;
      }
    };
    // With nothing before it, a step starts at once rather than a microtask later: a state change queues the
    // element's re-render as a microtask, and the offer or answer should not wait behind it.
    return (this.#work = this.#steps++ ? this.#work.then(run) : run());
  }

  /** Fails the call with 488 (unless it ended already: then the peer connection failing is no news). */
  readonly #fail = (error: Error | string): void => {
    if (this.state === ENDED) return;
    this.#emit('error', `${error}`);
    this.end(ByeCode.MEDIA_FAILED, undefined, true);
  };

  #to(input: CallInput): boolean {
    const next = transition(this.state, input);
    if (!next) return false;
    if (next !== this.state) {
      this.state = next;
      if (next === CONNECTING) this.#deadline.arm();
      else if (next === CONNECTED || next === ENDED) this.#deadline.disarm();
      this.#emit('statechange');
    }
    return true;
  }

  /** `code`, on an error that has one, is the ErrorEvent's `error.code`: what the element's `error` event passes on. */
  #emit(type: CallSessionEventType, message?: string, code?: string): void {
    this.dispatchEvent(message ? new ErrorEvent(type, { message, error: code && { code } }) : new Event(type));
  }
}
