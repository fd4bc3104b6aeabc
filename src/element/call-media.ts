// What a widget does with a call's media beyond showing it: the tones while a call rings, the connection's quality,
// the reconnecting state and screen sharing. Part of the in-call chunk (src/element/in-call.ts), which calls
// `follow()` at each render: everything here is driven by the call's state as the element renders it.
import type { CallSession } from '../call/call-session.js';
import { loadDeviceChoice, useSpeaker } from '../media/devices.js';
import { watchLink, type ConnectionPath } from '../media/path.js';
import type { Quality } from '../media/quality.js';
import { TonePlayer, tones } from '../media/tones.js';
import type { SwitchEvent } from './events.js';
import type { WspCall } from './wsp-call.js';

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

/** The tone a widget plays, with an analyser on its output (what a test listens to). */
export interface Playing {
  readonly name: keyof typeof tones;
  readonly player: TonePlayer;
  readonly analyser: AnalyserNode;
}

/** What a connected call is watched with, per session. */
interface Watch {
  quality?: Quality;
  path?: ConnectionPath;
  stop(): void;
}

/** A screen being shared: its sender on the peer connection, and the session it was added to. */
interface Share {
  readonly session: CallSession;
  readonly sender: RTCRtpSender;
  readonly track: MediaStreamTrack;
}

const playing = new WeakMap<WspCall, Playing>();
const watches = new WeakMap<CallSession, Watch>();
const shares = new WeakMap<WspCall, Share>();
/** One stream per received screen track, so that the remote video keeps its `srcObject` from one render to the next. */
const screens = new WeakMap<MediaStreamTrack, MediaStream>();

/** The tone `el` plays now, if any. */
export const tone = (el: WspCall): Playing | undefined => playing.get(el);

/** The quality of `el`'s connected call, once rated. */
export const quality = (el: WspCall): Quality | undefined => (el.session && watches.get(el.session)?.quality);

/** The path of `el`'s connected call's media, once measured (the latest poll's). */
export const connectionPath = (el: WspCall): ConnectionPath | undefined => (el.session && watches.get(el.session)?.path);

/** True while `el` shares its screen. */
export const sharing = (el: WspCall): boolean => shares.has(el);

/**
 * Brings the tones, watches and the screen share of `el` in line with its call's state: ringback while the callee
 * rings, the ring while a call rings here (neither when `silent` or out of the page); quality and connection
 * watched while connected; all of it stopped when the call ends.
 */
export function follow(el: WspCall, SwitchEvent: typeof import('./events.js').SwitchEvent): void {
  const { state, session, silent } = el;
  const wanted = silent || !el.isConnected ? undefined : state === 'ringing' ? 'ringback' : state === 'incoming' ? 'ring' : undefined;
  const now = playing.get(el);
  if (now?.name !== wanted) {
    // The player closes only contexts it made: this one (made here for the analyser) is closed here.
    if (now) now.player.dispose(), void now.player.context.close().catch(() => {});
    playing.delete(el);
    if (wanted) {
      const context = new AudioContext();
      const analyser = new AnalyserNode(context);
      analyser.connect(context.destination);
      const player = new TonePlayer({ context, destination: analyser });
      player.play(tones[wanted]);
      playing.set(el, { name: wanted, player, analyser });
    }
  }
  if (!session) return;
  if (state === 'connected' && !watches.has(session)) {
    const pc = session.pc;
    const update = () => el.requestUpdate();
    // A reconnecting call, and a screen the other side starts or stops sharing, show at the next render.
    pc.addEventListener('connectionstatechange', update);
    pc.addEventListener('signalingstatechange', update);
    const watch: Watch = {
      stop: watchLink(pc, ({ quality: rated, path }, changed) => {
        watch.path = path;
        if (!changed) return;
        watch.quality = rated;
        el.dispatchEvent(new QualityChangeEvent(rated, path));
        update();
      }),
    };
    watches.set(session, watch);
    // The speaker chosen in the devices panel plays the other party (where the browser can choose; else the default).
    const speaker = loadDeviceChoice().audiooutput;
    const remote = el.renderRoot.querySelector<HTMLMediaElement>('[part=remote-video]');
    if (speaker && remote) void useSpeaker(remote, speaker);
  }
  if (state === 'ended') {
    watches.get(session)?.stop();
    const share = shares.get(el);
    if (share?.session === session) stopShare(el, SwitchEvent);
  }
}

/** True while the connected call of `el` lost its path and an ICE restart is under way. */
export function reconnecting(el: WspCall): boolean {
  const state = el.session?.pc.connectionState;
  return el.state === 'connected' && (state === 'disconnected' || state === 'failed');
}

/**
 * What the remote video shows: the screen the other side shares, if it does, else its camera. A shared screen comes
 * on a video transceiver after the first one, that still receives.
 */
export function remoteView(session: CallSession): MediaStream {
  const video = session.pc.getTransceivers().filter(({ receiver }) => receiver.track.kind === 'video');
  const screen = video.slice(1).filter(({ currentDirection }) => currentDirection === 'sendrecv' || currentDirection === 'recvonly').pop();
  if (!screen) return session.remoteStream;
  const track = screen.receiver.track;
  let stream = screens.get(track);
  if (!stream) screens.set(track, (stream = new MediaStream([track, ...session.remoteStream.getAudioTracks()])));
  return stream;
}

/**
 * Shares the screen (or the video of `stream`, when given) with the other side of `el`'s connected call, or stops
 * sharing (`force` picks which). The track is added to the peer connection, which the session renegotiates over the
 * DataChannel; the browser's own "stop sharing" stops it too. Resolves with whether the screen is shared now.
 *
 * @example
 * await shareScreen(el); // the browser asks which screen
 */
export async function shareScreen(
  el: WspCall,
  SwitchEvent: typeof import('./events.js').SwitchEvent,
  force = !sharing(el),
  stream?: MediaStream,
): Promise<boolean> {
  const session = el.session;
  if (!force) return stopShare(el, SwitchEvent), false;
  if (sharing(el) || el.state !== 'connected' || !session?.handedOver) return sharing(el);
  stream ??= await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  const track = stream.getVideoTracks()[0]!;
  if (el.session !== session || el.state !== 'connected') return track.stop(), false;
  // Its own stream id, so that the other side tells it from the camera.
  shares.set(el, { session, track, sender: session.pc.addTrack(track, stream) });
  track.addEventListener('ended', () => stopShare(el, SwitchEvent));
  el.dispatchEvent(new SwitchEvent('screenshare', true));
  el.requestUpdate();
  return true;
}

function stopShare(el: WspCall, SwitchEvent: typeof import('./events.js').SwitchEvent): void {
  const share = shares.get(el);
  if (!share) return;
  shares.delete(el);
  share.track.stop();
  if (share.session.pc.signalingState !== 'closed') share.session.pc.removeTrack(share.sender);
  el.dispatchEvent(new SwitchEvent('screenshare', false));
  el.requestUpdate();
}
