// A page with one <wsp-call> that a test or benchmark in Node drives from outside, in any browser (Chromium over
// CDP, Firefox over WebDriver BiDi): `window.phone` does everything in the page, so Node needs only evaluate() and
// waitForFunction(). Bundled by scripts/cross-browser.mjs (servePhonePage).
import '../../src/wsp-call.js';
import type { WspCall } from '../../src/wsp-call.js';

/** Where a widget connects: the server's WebSocket address, its HTTP origin (for /dev/token) and its domain. */
export interface Where {
  url: string;
  http: string;
  domain: string;
}

/** One recorded event of the widget: its type and what it carries. */
export interface Logged {
  type: string;
  /** performance.now() when it came. */
  at: number;
  /** Date.now() when it came: comparable between the pages of different browsers on one machine. */
  wall: number;
  code?: number;
  on?: boolean;
  state?: string;
  incoming?: boolean;
  message?: string;
}

/** What the remote (or local) video shows now. */
export interface VideoNow {
  width: number;
  height: number;
  time: number;
  /** Frames the element presented so far (getVideoPlaybackQuality). */
  frames: number;
  /** The id of the video track it plays. */
  track?: string;
}

const TYPES = ['ringing', 'connected', 'ended', 'error', 'statechange', 'mutechange', 'camerachange', 'screenshare'];

let el: WspCall | undefined;
const log: Logged[] = [];
/**
 * What the peer connection and the DataChannel did (state changes, renegotiations, frames sent), with the time: what
 * a failed test prints, to tell which side stopped.
 */
const trace: string[] = [];
const stamp = (line: string) => trace.push(`${performance.now().toFixed(0)} ${line}`);
const traced = new WeakSet<RTCPeerConnection>();

/** A frame in a line: its type, and the ufrag of a description or the candidate (address, port, type, ufrag). */
function described(data: string): string {
  const frame = JSON.parse(data) as [string, { sdp?: string; code?: number; candidate?: string; usernameFragment?: string }];
  const content = frame[1] ?? {};
  if (content.sdp !== undefined) {
    const candidates = content.sdp.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:')).length;
    return `${frame[0]} ufrag ${/a=ice-ufrag:(\S+)/.exec(content.sdp)?.[1]} (${candidates} candidates)`;
  }
  if (content.candidate !== undefined) return `${frame[0]} ${candidateLine(content.candidate)} ufrag ${content.usernameFragment}`;
  return `${frame[0]} ${content.code ?? ''}`;
}

/** A candidate line as `udp 127.0.0.1:5000 host`, or `end` for the end of candidates. */
function candidateLine(candidate: string): string {
  const parts = candidate.split(' ');
  return candidate ? `${parts[2]} ${parts[4]}:${parts[5]} ${parts[7]} prio ${parts[3]}` : 'end';
}

// Frames a session sends on its DataChannel (described()).
const channelSend = RTCDataChannel.prototype.send;
RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string) {
  try {
    stamp(`send ${described(data)}`);
  } catch {
    // Not a frame.
  }
  return channelSend.call(this, data as never);
} as typeof RTCDataChannel.prototype.send;

// Frames a session receives on its DataChannel (its handler is set as `onmessage`).
const onmessage = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage')!;
Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
  ...onmessage,
  set(this: RTCDataChannel, handler: ((event: MessageEvent) => void) | null) {
    const tracing = (event: MessageEvent) => {
      try {
        stamp(`received ${described(event.data as string)}`);
      } catch {
        // Not a frame.
      }
      handler!.call(this, event);
    };
    onmessage.set!.call(this, handler && tracing);
  },
});

// When the browser applies a description, and whether it settles.
const setRemote = RTCPeerConnection.prototype.setRemoteDescription;
RTCPeerConnection.prototype.setRemoteDescription = async function (this: RTCPeerConnection, description?: RTCSessionDescriptionInit) {
  stamp(`setRemoteDescription(${description?.type}) in ${this.signalingState}`);
  try {
    await (setRemote as (this: RTCPeerConnection, description?: RTCSessionDescriptionInit) => Promise<void>).call(this, description);
    stamp(`setRemoteDescription(${description?.type}) done`);
  } catch (error) {
    stamp(`setRemoteDescription(${description?.type}) failed: ${error}`);
    throw error;
  }
} as typeof RTCPeerConnection.prototype.setRemoteDescription;

// Which remote candidates the session gives the browser, and whether the browser takes them.
const addCandidate = RTCPeerConnection.prototype.addIceCandidate;
RTCPeerConnection.prototype.addIceCandidate = async function (this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null) {
  const line = `addIceCandidate(${candidateLine(candidate?.candidate ?? '')} ufrag ${candidate?.usernameFragment}) in ${this.signalingState}`;
  try {
    await (addCandidate as (this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null) => Promise<void>).call(this, candidate);
    stamp(`${line} done`);
  } catch (error) {
    stamp(`${line} failed: ${error}`);
    throw error;
  }
} as typeof RTCPeerConnection.prototype.addIceCandidate;

/** Traces the state changes and renegotiations of the widget's current peer connection, once. */
function tracePeerConnection(): void {
  const pc = el?.session?.pc;
  if (!pc || traced.has(pc)) return;
  traced.add(pc);
  pc.addEventListener('signalingstatechange', () => stamp(`signaling ${pc.signalingState}`));
  pc.addEventListener('connectionstatechange', () => stamp(`connection ${pc.connectionState}`));
  pc.addEventListener('negotiationneeded', () => stamp('negotiationneeded'));
  pc.addEventListener('iceconnectionstatechange', () => stamp(`ice ${pc.iceConnectionState}`));
  pc.addEventListener('icegatheringstatechange', () => stamp(`gathering ${pc.iceGatheringState}`));
  pc.addEventListener('icecandidate', ({ candidate }) => stamp(`gathered ${candidateLine(candidate?.candidate ?? '')} ufrag ${candidate?.usernameFragment}`));
}
let screen: { stream: MediaStream; stop(): void } | undefined;

// Every getUserMedia call of the page and the streams it gave: whether a device opened, and whether one is live now.
const opened: MediaStream[] = [];
let asked = 0;
const getUserMedia = navigator.mediaDevices.getUserMedia;
navigator.mediaDevices.getUserMedia = async (constraints) => {
  asked += 1;
  stamp('getUserMedia');
  const stream = await getUserMedia.call(navigator.mediaDevices, constraints);
  opened.push(stream);
  return stream;
};

function widget(): WspCall {
  if (!el) throw new Error('no widget: phone.open() first');
  return el;
}

function video(part: 'remote-video' | 'local-video'): HTMLVideoElement {
  return widget().shadowRoot!.querySelector<HTMLVideoElement>(`[part="${part}"]`)!;
}

/** Sums `field` over the inbound (or outbound) RTP stats of `kind`. */
async function rtp(kind: 'audio' | 'video', field: string, type = 'inbound-rtp'): Promise<number> {
  let sum = 0;
  const stats = await widget().session!.pc.getStats();
  stats.forEach((report: Record<string, unknown>) => {
    if (report.type === type && report.kind === kind && typeof report[field] === 'number') sum += report[field] as number;
  });
  return sum;
}

/** A canvas that keeps drawing (16:9, unlike the cameras' 4:3): its capture stands in for a screen. */
function canvasScreen(): { stream: MediaStream; stop(): void } {
  const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
  const context = canvas.getContext('2d')!;
  let hue = 0;
  const draw = () => {
    context.fillStyle = `hsl(${(hue += 10)} 80% 50%)`;
    context.fillRect(0, 0, 320, 180);
  };
  draw();
  const timer = setInterval(draw, 50);
  return { stream: canvas.captureStream(15), stop: () => clearInterval(timer) };
}

/** Resolves once `check()` is true (checked every 100 ms); rejects after `timeout` ms, naming `what`. */
async function poll(check: () => boolean | Promise<boolean>, what: string, timeout = 20_000): Promise<void> {
  const end = performance.now() + timeout;
  while (!(await check())) {
    // Every wait here is for media of a live call: an ended one will not bring it.
    const session = widget().session;
    if (session?.state === 'ended') throw new Error(`${widget().caller}: ${what}: the call ended (${session.code} ${session.reason})`);
    if (performance.now() > end) throw new Error(`${widget().caller}: ${what} (not within ${timeout} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The mean power of the audio received over the last second or more (ΔtotalAudioEnergy / ΔtotalSamplesDuration
 * between two getStats() at least 1 s of audio apart): about 0 while the other side is muted.
 */
async function audioPower(): Promise<number> {
  const [energy, duration] = [await rtp('audio', 'totalAudioEnergy'), await rtp('audio', 'totalSamplesDuration')];
  let now = { energy, duration };
  await poll(async () => {
    now = { energy: await rtp('audio', 'totalAudioEnergy'), duration: await rtp('audio', 'totalSamplesDuration') };
    return now.duration - duration >= 1;
  }, 'no audio received');
  return (now.energy - energy) / (now.duration - duration);
}

/** The peer connection's ICE candidates and candidate pairs (with state, the selected one marked): which path is up. */
async function iceSummary(pc: RTCPeerConnection): Promise<string[]> {
  const stats = await pc.getStats();
  const reports: Record<string, unknown>[] = [];
  stats.forEach((report: Record<string, unknown>) => reports.push(report));
  const byId = new Map(reports.map((report) => [report.id as string, report]));
  const candidate = (id: unknown) => {
    const c = byId.get(id as string);
    return c
      ? `${c.protocol} ${c.address ?? c.ip}:${c.port} ${c.candidateType} prio ${c.priority}${c.usernameFragment ? ` ufrag ${c.usernameFragment}` : ''}`
      : `${id}?`;
  };
  const selected = new Set(reports.filter((r) => r.type === 'transport').map((r) => r.selectedCandidatePairId));
  const lines = reports.filter((r) => r.type === 'local-candidate' || r.type === 'remote-candidate').map((r) => `${r.type} ${candidate(r.id)}`);
  for (const pair of reports.filter((r) => r.type === 'candidate-pair')) {
    const mark = selected.has(pair.id) || pair.selected ? ' SELECTED' : '';
    lines.push(
      `pair ${candidate(pair.localCandidateId)} -> ${candidate(pair.remoteCandidateId)}: ${pair.state}${pair.nominated ? ' nominated' : ''}${mark} sent ${pair.bytesSent} received ${pair.bytesReceived} req ${pair.requestsSent}/${pair.requestsReceived} resp ${pair.responsesSent}/${pair.responsesReceived}`,
    );
  }
  return lines;
}

const phone = {
  log,
  trace,
  get el(): WspCall {
    return widget();
  },
  /** Puts a widget for `user` of `where` in the page, calling the address `callee`; resolves once it is online. */
  async open(where: Where, user: string, callee: string): Promise<void> {
    phone.close();
    log.length = trace.length = opened.length = asked = 0;
    await customElements.whenDefined('wsp-call');
    const made = document.createElement('wsp-call');
    made.server = where.url;
    made.caller = `${user}@${where.domain}`;
    made.callee = callee;
    made.silent = true;
    made.tokenProvider = async () => ((await (await fetch(`${where.http}/dev/token?user=${encodeURIComponent(user)}`)).json()) as { token: string }).token;
    for (const type of TYPES) {
      made.addEventListener(type, (event) => {
        const e = event as Event & Partial<Logged>;
        tracePeerConnection();
        if (type !== 'statechange') stamp(`event ${type}`);
        log.push({ type, at: performance.now(), wall: Date.now(), code: e.code, on: e.on, state: e.state, incoming: e.incoming, message: e.message });
      });
    }
    document.body.append(made);
    el = made;
    if (!(await made.connect())) throw new Error(`${user} could not connect`);
  },
  /** Removes the widget (ending its call) and stops a canvas screen. */
  close(): void {
    screen?.stop();
    screen = undefined;
    el?.remove();
    el = undefined;
  },
  /** How many `type` events came so far. */
  count(type: string): number {
    return log.filter((entry) => entry.type === type).length;
  },
  /** The last `type` event. */
  last(type: string): Logged | undefined {
    return log.filter((entry) => entry.type === type).at(-1);
  },
  state(): string {
    return widget().state;
  },
  /** The session's figures that a test checks. */
  session() {
    const session = widget().session;
    return (
      session && {
        state: session.state,
        code: session.code,
        handedOver: session.handedOver,
        peerHandedOver: session.peerHandedOver,
        connection: session.pc.connectionState,
        signaling: session.pc.signalingState,
        channel: widget().signalingChannel,
        // Firefox throws on a closed connection's description.
        ufrag: session.pc.signalingState === 'closed' ? undefined : /a=ice-ufrag:(\S+)/.exec(session.pc.localDescription?.sdp ?? '')?.[1],
      }
    );
  },
  video(part: 'remote-video' | 'local-video' = 'remote-video'): VideoNow {
    const v = video(part);
    const stream = v.srcObject as MediaStream | null;
    return {
      width: v.videoWidth,
      height: v.videoHeight,
      time: v.currentTime,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      track: stream?.getVideoTracks()[0]?.id,
    };
  },
  /** The id of the camera track received from the other side (the first video track of the remote stream). */
  remoteCameraTrack(): string | undefined {
    return widget().session?.remoteStream.getVideoTracks()[0]?.id;
  },
  /** Video frames decoded so far from the other side. */
  framesDecoded: () => rtp('video', 'framesDecoded'),
  /** Audio energy received so far from the other side (inbound-rtp `totalAudioEnergy`). */
  audioEnergy: () => rtp('audio', 'totalAudioEnergy'),
  /** Seconds of audio received so far (inbound-rtp `totalSamplesDuration`). */
  audioDuration: () => rtp('audio', 'totalSamplesDuration'),
  /**
   * The brightest pixel of the remote video's current picture, 0–255 (0: black, what a camera turned off sends).
   */
  brightest(): number {
    const v = video('remote-video');
    const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(v, 0, 0, 64, 48);
    const { data } = context.getImageData(0, 0, 64, 48);
    let max = 0;
    for (let i = 0; i < data.length; i += 4) max = Math.max(max, data[i]!, data[i + 1]!, data[i + 2]!);
    return max;
  },
  /** Waits until video from the other side plays: `frames` more decoded, the remote video's time advances. */
  async flows(frames = 10, timeout = 20_000): Promise<void> {
    const [decoded, time] = [await rtp('video', 'framesDecoded'), video('remote-video').currentTime];
    await poll(
      async () => video('remote-video').videoWidth > 0 && video('remote-video').currentTime > time && (await rtp('video', 'framesDecoded')) >= decoded + frames,
      `remote video stalled (decoded ${decoded}, time ${time})`,
      timeout,
    );
  },
  audioPower,
  /**
   * The RTP counters of every inbound and outbound stream, the connection's state, its candidates and candidate pairs:
   * what a failed wait reports.
   */
  async rtpSummary(): Promise<string> {
    const session = widget().session;
    if (!session) return 'no session';
    const lines: string[] = [`${widget().caller} ${session.state} pc ${session.pc.connectionState} ice ${session.pc.iceConnectionState}`];
    (await session.pc.getStats()).forEach((r: Record<string, unknown>) => {
      if (r.type === 'inbound-rtp')
        lines.push(
          `in ${r.kind} mid ${r.mid}: packets ${r.packetsReceived} frames ${r.framesReceived}/${r.framesDecoded} pli ${r.pliCount} nack ${r.nackCount}`,
        );
      if (r.type === 'outbound-rtp')
        lines.push(
          `out ${r.kind} mid ${r.mid}: packets ${r.packetsSent} frames ${r.framesEncoded}/${r.framesSent} limit ${r.qualityLimitationReason} pli ${r.pliCount}`,
        );
    });
    lines.push(...(await iceSummary(session.pc)));
    const v = video('remote-video');
    lines.push(
      `remote video ${v.videoWidth}x${v.videoHeight} t ${v.currentTime} paused ${v.paused} ready ${v.readyState} tracks ${(v.srcObject as MediaStream | null)?.getTracks().map((t) => `${t.kind}:${t.readyState}:${t.muted ? 'muted' : 'live'}`)}`,
    );
    return lines.join('\n  ');
  },
  /** Waits until the received audio's power is below (or above) `threshold`; resolves with the last measure. */
  async audioPowerUntil(below: boolean, threshold: number, timeout = 20_000): Promise<number> {
    let power = NaN;
    await poll(
      async () => ((power = await audioPower()), below ? power < threshold : power > threshold),
      `audio power ${power} not ${below ? 'below' : 'above'} ${threshold}`,
      timeout,
    );
    return power;
  },
  /** Waits until the remote picture's brightest pixel is below (or above) `threshold`; resolves with it. */
  async brightnessUntil(below: boolean, threshold: number, timeout = 20_000): Promise<number> {
    let max = NaN;
    await poll(
      () => ((max = phone.brightest()), below ? max < threshold : max > threshold),
      `remote picture's brightest ${max} not ${below ? 'below' : 'above'} ${threshold}`,
      timeout,
    );
    return max;
  },
  /** How many times the page asked for camera or microphone, and whether any camera it got is live (its light on). */
  devices(): { asked: number; liveCamera: boolean } {
    return { asked, liveCamera: opened.some((stream) => stream.getVideoTracks().some((track) => track.readyState === 'live')) };
  },
  /** The enabled flags of the local audio and video tracks. */
  localTracks(): { audio?: boolean; video?: boolean } {
    const stream = widget().session?.localStream;
    return { audio: stream?.getAudioTracks()[0]?.enabled, video: stream?.getVideoTracks()[0]?.enabled };
  },
  call: () => widget().call(),
  accept: () => widget().accept(),
  hangup: () => widget().hangup(),
  toggleMute: (force?: boolean) => widget().toggleMute(force),
  toggleCamera: (force?: boolean) => widget().toggleCamera(force),
  restartIce: () => (stamp('restartIce()'), widget().session!.pc.restartIce()),
  /** Shares a drawing canvas as the screen (`on`), or stops sharing; resolves with whether it is shared. */
  async share(on: boolean): Promise<boolean> {
    stamp(`share(${on})`);
    if (on) {
      screen = canvasScreen();
      return widget().client!.media!.share(true, screen.stream);
    }
    const shared = await widget().client!.media!.share(false);
    screen?.stop();
    screen = undefined;
    return shared;
  },
};

export type Phone = typeof phone;

declare global {
  interface Window {
    phone: Phone;
  }
}

window.phone = phone;
