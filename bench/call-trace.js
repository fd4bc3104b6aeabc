// The per-step trace of the call-setup bench (bench/call-setup.mjs), added to every page it opens with
// page.addInitScript: it runs before the page's own scripts, so that the code measured (dist/cdn/wsp-call.js, PeerJS)
// stays as shipped. It records, with the time `performance.timeOrigin + performance.now()` (one clock for all the
// pages of one machine), every signaling message sent and received (WebSocket and DataChannel; WSP frames by keyword,
// PeerJS messages by type), every RTCPeerConnection call and state change, getUserMedia, the remote video's first
// frame, and the page's long tasks. The bench adds its own marks (dial, accept, connected…) with `benchTrace.mark`.
(() => {
  const now = () => performance.timeOrigin + performance.now();
  /** [time, step] pairs, in the order recorded (long tasks come late: sort by time). */
  let trace = [];
  const mark = (step, at = now()) => void trace.push([at, step]);
  window.benchTrace = {
    mark,
    /** Whether `step` was recorded since the last take(). */
    has: (step) => trace.some((entry) => entry[1] === step),
    /** The steps recorded since the last take(), which forgets them. */
    take: () => [trace, (trace = [])][0],
  };

  /** What a signaling message is: a WSP frame's keyword ([keyword, content, options]), a PeerJS message's type. */
  const kind = (data) => {
    if (typeof data !== 'string') return `${data?.byteLength ?? '?'} bytes`;
    try {
      const message = JSON.parse(data);
      if (!Array.isArray(message)) return message?.type ?? '?';
      const [keyword, content] = message;
      if (keyword === 'bye') return `bye ${content?.code}`;
      if (keyword === 'icecandidate' && !content?.candidate) return 'icecandidate (end)';
      return keyword;
    } catch {
      return '(not JSON)';
    }
  };
  // PeerJS's heartbeat, every 5 s, is no step of a call.
  const quiet = (what) => what === 'HEARTBEAT';

  /**
   * Wraps `owner[name]` so that each call marks `label(args)`; async methods mark again when they settle (but for
   * `settled: false`: a step too frequent and too quick to be worth two lines).
   */
  const wrap = (owner, name, label = () => name, { settled = true } = {}) => {
    const original = owner[name];
    owner[name] = function (...args) {
      const what = label(args, this);
      if (what) mark(what);
      const result = original.apply(this, args);
      if (what && result instanceof Promise)
        result.then(
          () => settled && mark(`${what} done`),
          (error) => mark(`${what} failed: ${error?.name}`),
        );
      return result;
    };
  };

  // The WebSocket to the signaling server: frames sent, and received (marked before the page's handler runs, since
  // this listener is added before the page can add its own).
  const NativeWebSocket = WebSocket;
  wrap(NativeWebSocket.prototype, 'send', ([data]) => !quiet(kind(data)) && `ws send ${kind(data)}`);
  window.WebSocket = class WebSocket extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      mark('ws connect');
      this.addEventListener('open', () => mark('ws open'));
      this.addEventListener('message', ({ data }) => quiet(kind(data)) || mark(`ws recv ${kind(data)}`));
    }
  };

  // The DataChannel: wsp-call's signaling after the handover, PeerJS's close signal.
  const watchChannel = (channel) => {
    channel.addEventListener('open', () => mark(`dc open ${channel.label}`));
    channel.addEventListener('message', ({ data }) => mark(`dc recv ${kind(data)}`));
    channel.addEventListener('close', () => mark(`dc close ${channel.label}`));
  };
  wrap(RTCDataChannel.prototype, 'send', ([data]) => `dc send ${kind(data)}`);

  const Native = RTCPeerConnection;
  const proto = Native.prototype;
  for (const name of ['createOffer', 'createAnswer']) wrap(proto, name);
  wrap(proto, 'addIceCandidate', () => 'addIceCandidate', { settled: false });
  for (const name of ['setLocalDescription', 'setRemoteDescription']) wrap(proto, name, ([description]) => `${name}(${description?.type ?? ''})`);
  wrap(proto, 'addTrack', ([track]) => `addTrack ${track?.kind}`);
  wrap(proto, 'addTransceiver', ([what]) => `addTransceiver ${what?.kind ?? what}`);
  wrap(proto, 'restartIce');
  wrap(RTCRtpSender.prototype, 'replaceTrack', ([track]) => `replaceTrack ${track?.kind ?? 'null'}`);
  // close() is synchronous, and may be slow: its duration is in the step.
  const close = proto.close;
  proto.close = function () {
    const start = now();
    close.call(this);
    mark(`pc.close() ${(now() - start).toFixed(1)} ms`, start);
  };
  const createDataChannel = proto.createDataChannel;
  proto.createDataChannel = function (...args) {
    const channel = createDataChannel.apply(this, args);
    mark(`createDataChannel ${channel.label}`);
    watchChannel(channel);
    return channel;
  };

  /** Remote tracks, to tell the remote video from the self-view. */
  const remote = new WeakSet();
  window.RTCPeerConnection = class RTCPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      mark('new RTCPeerConnection');
      // Added before the page sets its own handlers (onicecandidate…), so they run first: the mark precedes the work.
      const on = (type, step) => this.addEventListener(type, (event) => mark(step(event)));
      on('signalingstatechange', () => `signalingState ${this.signalingState}`);
      on('icegatheringstatechange', () => `iceGatheringState ${this.iceGatheringState}`);
      on('iceconnectionstatechange', () => `iceConnectionState ${this.iceConnectionState}`);
      on('connectionstatechange', () => `connectionState ${this.connectionState}`);
      on('negotiationneeded', () => 'negotiationneeded');
      on('icecandidate', ({ candidate }) => (candidate ? `icecandidate ${candidate.protocol ?? ''} ${candidate.type ?? ''}` : 'icecandidate (end)'));
      this.addEventListener('track', ({ track }) => {
        remote.add(track);
        mark(`track ${track.kind}${track.muted ? ' (muted)' : ''}`);
        track.addEventListener('unmute', () => mark(`unmute ${track.kind}`), { once: true });
      });
      this.addEventListener('datachannel', ({ channel }) => {
        mark(`datachannel ${channel.label}`);
        watchChannel(channel);
      });
    }
  };

  if (navigator.mediaDevices) {
    const devices = MediaDevices.prototype;
    wrap(
      devices,
      'getUserMedia',
      ([constraints]) =>
        `getUserMedia(${Object.keys(constraints ?? {})
          .filter((key) => constraints[key])
          .join('+')})`,
    );
    wrap(devices, 'enumerateDevices');
  }

  // The remote video's first frame: when a <video> (the widget's own, in its shadow root, or a PeerJS page's) is
  // given a stream with a remote track, its next presented frame is the first the user sees. Any remote track: PeerJS
  // hands its stream over at the first track, audio, before the video track joins it.
  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...srcObject,
    set(stream) {
      srcObject.set.call(this, stream);
      if (this.localName !== 'video' || !stream?.getTracks().some((track) => remote.has(track))) return;
      mark('remote video playing');
      this.requestVideoFrameCallback(() => mark('first remote frame'));
    },
  });

  // Main-thread tasks of 50 ms or more: time the page could not react.
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) mark(`long task ${entry.duration.toFixed(0)} ms`, performance.timeOrigin + entry.startTime);
    }).observe({ type: 'longtask' });
  } catch {
    // No long task timing in this browser.
  }
})();
