// What a client does with a call's media beyond the session: the tones while the call rings, the connection's
// quality, the reconnecting state and screen sharing. Part of the call engine's lazy chunk (call-engine.ts).
import { watchLink, type ConnectionPath } from '../media/path.js';
import type { Quality } from '../media/quality.js';
import { TonePlayer, tones } from '../media/tones.js';
import type { CallSession } from './call-session.js';
import { ConnectedEvent, EndedEvent, RingingEvent, StateChangeEvent, SwitchEvent, WspErrorEvent } from './events.js';

/**
 * `qualitychange`: the rating of a connected call's connection changed (`quality`: good, fair or poor), or the path
 * its media takes (`path`: direct or relayed through TURN, with the candidate type and the relay's protocol).
 */
export class QualityChangeEvent extends Event {
  /** good, fair or poor: from round-trip time, packet loss and jitter (src/media/quality.ts). */
  readonly quality: Quality;
  /** The path: `{path: 'direct' | 'relayed', candidateType, remoteCandidateType, relayProtocol, rtt, loss}` (src/media/path.ts). */
  readonly path?: ConnectionPath;
  constructor(quality: Quality, path?: ConnectionPath) {
    super('qualitychange', { bubbles: true, composed: true });
    this.quality = quality;
    this.path = path;
  }
}

declare global {
  interface HTMLElementEventMap {
    qualitychange: QualityChangeEvent;
    screenshare: SwitchEvent;
  }
}

/** The tone a call plays, with an analyser on its output (what a test listens to). */
export interface Playing {
  readonly name: keyof typeof tones;
  readonly player: TonePlayer;
  readonly analyser: AnalyserNode;
}

/** A screen being shared: its sender on the peer connection. */
interface Share {
  readonly sender: RTCRtpSender;
  readonly track: MediaStreamTrack;
}

/**
 * What goes on around one call session: tells its changes as the page's events (statechange, ringing, connected,
 * ended, error, through `notify`), plays ringback while the callee rings and the ring while the call rings here,
 * rates the connection while connected, shares a screen. {@link follow} brings the media in line with the session's
 * state.
 *
 * @example
 * const media = new CallMedia(session, (event) => event && element.dispatchEvent(event));
 * session.addEventListener('statechange', () => media.follow(false));
 */
export class CallMedia {
  /** The tone playing now, if any. */
  tone?: Playing;
  /** The connected call's quality, once rated. */
  quality?: Quality;
  /** The path of the connected call's media, once measured (the latest poll's). */
  path?: ConnectionPath;
  /** The session's changes are no news: a call lost to glare (§4.6) ends unheard. */
  quiet = false;
  /** The call. */
  readonly session: CallSession;
  readonly #notify: (event?: Event) => void;
  #watching?: () => void;
  #share?: Share;
  /** One stream per received screen track, so that the remote video keeps its `srcObject` from one render to the next. */
  readonly #screens = new WeakMap<MediaStreamTrack, MediaStream>();

  constructor(session: CallSession, notify: (event?: Event) => void) {
    this.session = session;
    this.#notify = notify;
    session.addEventListener('statechange', () => this.quiet || this.#stateChanged());
    session.addEventListener('error', (event) => {
      const { message, error } = event as ErrorEvent;
      if (!this.quiet) notify(new WspErrorEvent(message, error?.code));
    });
  }

  #stateChanged(): void {
    const { state, parties, code, reason, duration } = this.session;
    const notify = this.#notify;
    notify(new StateChangeEvent(state));
    if (state === 'ringing' || state === 'incoming') notify(new RingingEvent(state === 'incoming', parties!.caller, parties!.callee));
    if (state === 'connected') notify(new ConnectedEvent());
    if (state === 'ended') notify(new EndedEvent(code, reason, duration));
  }

  /** True while this side shares its screen. */
  get sharing(): boolean {
    return !!this.#share;
  }

  /** True while the connected call lost its path and an ICE restart is under way. */
  get reconnecting(): boolean {
    const state = this.session.pc.connectionState;
    return this.session.state === 'connected' && (state === 'disconnected' || state === 'failed');
  }

  /**
   * Brings tones, quality watch and screen share in line with the call's state: ringback while the callee rings,
   * the ring while a call rings here (neither when `silent`); the quality watched while connected; all of it stopped
   * when the call ends.
   */
  follow(silent: boolean): void {
    const session = this.session;
    const state = session.state;
    const wanted = silent ? undefined : state === 'ringing' ? 'ringback' : state === 'incoming' ? 'ring' : undefined;
    const now = this.tone;
    if (now?.name !== wanted) {
      // The player closes only contexts it made: this one (made here for the analyser) is closed here.
      if (now) now.player.dispose(), void now.player.context.close().catch(() => {});
      this.tone = undefined;
      if (wanted) {
        const context = new AudioContext();
        const analyser = new AnalyserNode(context);
        analyser.connect(context.destination);
        const player = new TonePlayer({ context, destination: analyser });
        player.play(tones[wanted]);
        this.tone = { name: wanted, player, analyser };
      }
    }
    if (state === 'connected' && !this.#watching) {
      const pc = session.pc;
      // A reconnecting call, and a screen the other side starts or stops sharing, are news for the view.
      const changed = () => this.#notify();
      pc.addEventListener('connectionstatechange', changed);
      pc.addEventListener('signalingstatechange', changed);
      this.#watching = watchLink(pc, ({ quality, path }, changed) => {
        this.path = path;
        if (changed) this.#notify(new QualityChangeEvent((this.quality = quality), path));
      });
    }
    if (state === 'ended') {
      this.#watching?.();
      this.share(false);
    }
  }

  /**
   * What the remote video shows: the screen the other side shares, if it does, else its camera. A shared screen comes
   * on a video transceiver after the first one, that still receives.
   */
  remoteView(): MediaStream {
    const session = this.session;
    const video = session.pc.getTransceivers().filter(({ receiver }) => receiver.track.kind === 'video');
    const screen = video
      .slice(1)
      .filter(({ currentDirection }) => currentDirection === 'sendrecv' || currentDirection === 'recvonly')
      .pop();
    if (!screen) return session.remoteStream;
    const track = screen.receiver.track;
    let stream = this.#screens.get(track);
    if (!stream) this.#screens.set(track, (stream = new MediaStream([track, ...session.remoteStream.getAudioTracks()])));
    return stream;
  }

  /**
   * Shares the screen (or the video of `stream`, when given) with the other side of the connected call, or stops
   * sharing (`force` picks which). The track is added to the peer connection, which the session renegotiates over the
   * DataChannel; the browser's own "stop sharing" stops it too. Resolves with whether the screen is shared now.
   *
   * @example
   * await client.media.share(); // the browser asks which screen
   */
  async share(force = !this.#share, stream?: MediaStream): Promise<boolean> {
    const session = this.session;
    const share = this.#share;
    if (!force) {
      if (!share) return false;
      this.#share = undefined;
      share.track.stop();
      if (session.pc.signalingState !== 'closed') session.pc.removeTrack(share.sender);
      return this.#shared(false);
    }
    if (share || session.state !== 'connected' || !session.handedOver) return !!share;
    stream ??= await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0]!;
    if (session.state !== 'connected') return (track.stop(), false);
    // Its own stream id, so that the other side tells it from the camera.
    this.#share = { track, sender: session.pc.addTrack(track, stream) };
    track.addEventListener('ended', () => void this.share(false));
    return this.#shared(true);
  }

  #shared(on: boolean): boolean {
    this.#notify(new SwitchEvent('screenshare', on));
    return on;
  }
}
