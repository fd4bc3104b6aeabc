// The PeerJS side of the call-setup bench (bench/call-setup.mjs): a video call widget as a site builds one on PeerJS
// 1.5, with the API and events of <wsp-call> that the bench drives (call(), accept(), hangup(); `ringing`, `connected`,
// `ended`). As such widgets do, the caller opens camera and microphone when it dials, the callee when its user accepts;
// each shows its self-view, and plays the other side's video as soon as PeerJS hands its stream over.
import { Peer } from 'peerjs';

/**
 * @example
 * const phone = new PeerjsPhone(document.body, { id: 'alice', callee: 'bob', host: '127.0.0.1', port: 9000 });
 * phone.addEventListener('ringing', (e) => e.incoming && phone.accept());
 */
export class PeerjsPhone extends EventTarget {
  /** True once the PeerServer gave this peer its id: calls can come in. */
  online = false;
  #peer;
  #callee;
  /** The call ringing here, until accepted. */
  #incoming;
  /** The call going on. */
  #call;
  #local;
  #remoteVideo;
  #selfVideo;

  constructor(root, { id, callee, host, port }) {
    super();
    this.#callee = callee;
    this.#remoteVideo = root.querySelector('video.remote');
    this.#selfVideo = root.querySelector('video.self');
    this.#peer = new Peer(id, { host, port, path: '/', config: { iceServers: [] }, debug: 0 });
    this.#peer.on('open', () => (this.online = true));
    this.#peer.on('call', (call) => {
      if (this.#call || this.#incoming) return call.close();
      this.#incoming = call;
      // PeerJS tells the caller nothing while it rings here: only this side has a `ringing` event.
      this.dispatchEvent(Object.assign(new Event('ringing'), { incoming: true }));
    });
  }

  async call() {
    const stream = await this.#media();
    this.#use(this.#peer.call(this.#callee, stream));
  }

  async accept() {
    const call = this.#incoming;
    this.#incoming = undefined;
    const stream = await this.#media();
    call.answer(stream);
    this.#use(call);
  }

  hangup() {
    this.#call?.close();
  }

  async #media() {
    const stream = (this.#local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true }));
    this.#selfVideo.srcObject = stream;
    return stream;
  }

  /**
   * Follows `call` (its peer connection exists once dialed or answered) to `connected`, which means what it means for
   * <wsp-call>: the peer connection is connected and the other side's media arrives (a remote track unmuted, or none).
   */
  #use(call) {
    this.#call = call;
    const pc = call.peerConnection;
    const tracks = [];
    let connected = false;
    const check = () => {
      if (connected || pc.connectionState !== 'connected' || (tracks.length && tracks.every((track) => track.muted))) return;
      connected = true;
      this.dispatchEvent(new Event('connected'));
    };
    pc.addEventListener('track', ({ track }) => {
      tracks.push(track);
      track.addEventListener('unmute', check, { once: true });
      check();
    });
    pc.addEventListener('connectionstatechange', check);
    // PeerJS hands the stream over once per track: given again, a <video> would reload.
    call.on('stream', (stream) => this.#remoteVideo.srcObject !== stream && (this.#remoteVideo.srcObject = stream));
    call.on('close', () => {
      for (const track of this.#local?.getTracks() ?? []) track.stop();
      this.#remoteVideo.srcObject = this.#selfVideo.srcObject = null;
      this.#call = undefined;
      this.dispatchEvent(new Event('ended'));
    });
  }
}
