// The WSP frames of one benchmark call, as the wire carries them, each marked with its sender and send time so the
// receiver can measure relay latency and catch a lost or misrouted frame: in the SDP an `a=x-bench:` line, in a
// candidate an extension attribute (RFC 8839 allows them), in invite the caller's display name, in bye the reason.
// Frames are built by string concatenation around pre-escaped JSON: the clients' cost per frame must stay small
// next to the server's, or the benchmark measures the clients.

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => ((i * 53 + 17) & 0xff).toString(16).padStart(2, '0').toUpperCase()).join(':');

/** A session description shaped like Chromium's for audio, video and the `wsp` DataChannel (about 4 kB). */
function sessionDescription(type) {
  const setup = type === 'offer' ? 'actpass' : 'active';
  const transport = (mid) => [
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${type === 'offer' ? 'Xk3q' : 'Bw7p'}`,
    `a=ice-pwd:${type === 'offer' ? 'n2v8ZpQ1cR7tYw4LkS0eHd6M' : 'Q9fJ3mT5xW1rK8bN2cV6yZ0L'}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${FINGERPRINT}`,
    `a=setup:${setup}`,
    `a=mid:${mid}`,
  ];
  const ssrc = (id, stream, track) => [`a=ssrc:${id} cname:Tk0bVx8qW2mPz5Lr`, `a=ssrc:${id} msid:${stream} ${track}`];
  const audio = [
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    ...transport(0),
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:7d3e9c1a-5b2f-4e8d-a6c4-1f0b9e2d8a73 3c5f1e7a-9b2d-4c6e-8f0a-2d4b6e8c0a1f',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    ...ssrc(2873641955, '7d3e9c1a-5b2f-4e8d-a6c4-1f0b9e2d8a73', '3c5f1e7a-9b2d-4c6e-8f0a-2d4b6e8c0a1f'),
  ];
  const codecs = [
    [96, 'VP8'],
    [98, 'VP9'],
    [100, 'H264'],
    [45, 'AV1'],
  ];
  const video = [
    `m=video 9 UDP/TLS/RTP/SAVPF ${codecs.flatMap(([pt]) => [pt, pt + 1]).join(' ')} 116 117`,
    ...transport(1),
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:13 urn:3gpp:video-orientation',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type',
    'a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing',
    'a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:7d3e9c1a-5b2f-4e8d-a6c4-1f0b9e2d8a73 9e1c3a5f-7b2d-4e6c-8a0f-1d3b5e7c9a2e',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...codecs.flatMap(([pt, name]) => [
      `a=rtpmap:${pt} ${name}/90000`,
      ...['goog-remb', 'transport-cc', 'ccm fir', 'nack', 'nack pli'].map((fb) => `a=rtcp-fb:${pt} ${fb}`),
      ...(name === 'H264' ? [`a=fmtp:${pt} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f`] : []),
      ...(name === 'VP9' ? [`a=fmtp:${pt} profile-id=0`] : []),
      `a=rtpmap:${pt + 1} rtx/90000`,
      `a=fmtp:${pt + 1} apt=${pt}`,
    ]),
    'a=rtpmap:116 red/90000',
    'a=rtpmap:117 ulpfec/90000',
    'a=ssrc-group:FID 1482396575 3341592704',
    ...ssrc(1482396575, '7d3e9c1a-5b2f-4e8d-a6c4-1f0b9e2d8a73', '9e1c3a5f-7b2d-4e6c-8a0f-1d3b5e7c9a2e'),
    ...ssrc(3341592704, '7d3e9c1a-5b2f-4e8d-a6c4-1f0b9e2d8a73', '9e1c3a5f-7b2d-4e6c-8a0f-1d3b5e7c9a2e'),
  ];
  const data = ['m=application 9 UDP/DTLS/SCTP webrtc-datachannel', ...transport(2), 'a=sctp-port:5000', 'a=max-message-size:262144'];
  const session = [
    'v=0',
    `o=- 4611731400430051336 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1 2',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 7d3e9c1a-5b2f-4e8d-a6c4-1f0b9e2d8a73',
  ];
  return [...session, ...audio, ...video, ...data].join('\r\n');
}

/** `JSON.stringify(text)` split around the marker line, so a frame is two constant strings and what varies. */
function splitJson(text) {
  const json = JSON.stringify(`${text}\r\na=x-bench:MARK\r\n`);
  const at = json.indexOf('MARK');
  return [json.slice(0, at), json.slice(at + 4)];
}

const [offerHead, offerTail] = splitJson(sessionDescription('offer'));
const [answerHead, answerTail] = splitJson(sessionDescription('answer'));

/** Characters of the SDP in offer and answer, marker line included. */
export const SDP_LENGTH = JSON.parse(`${offerHead}user@localhost 123456.789${offerTail}`).length;

/** The caller's and callee's candidates per call: each side sends this many. */
export const CANDIDATES = 10;

/** Encoded frames of one call `call`; `from` is the sender's address, `now` its clock (ms). */
export const frames = {
  invite: (call, caller, callee, now) => `["invite",{"caller":{"uri":"${caller}","name":"sent ${now}"},"callee":{"uri":"${callee}"}},{"call":"${call}"}]`,
  ringing: (call) => `["ringing",{},{"call":"${call}"}]`,
  offer: (call, from, now) => `["offer",{"type":"offer","sdp":${offerHead}${from} ${now}${offerTail}},{"call":"${call}"}]`,
  answer: (call, from, now) => `["answer",{"type":"answer","sdp":${answerHead}${from} ${now}${answerTail}},{"call":"${call}"}]`,
  icecandidate: (call, from, seq, now) =>
    `["icecandidate",{"candidate":"candidate:${1_000_000 + seq} 1 udp 2122260223 192.168.1.${20 + seq} ${50_000 + seq} typ host generation 0 ` +
    `ufrag Xk3q network-id 1 network-cost 10 x-bench ${from} ${now}","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Xk3q"},{"call":"${call}"}]`,
  bye: (call, now) => `["bye",{"code":200,"reason":"sent ${now}"},{"call":"${call}"}]`,
};

const SDP_MARK = /a=x-bench:(\S+) (\S+)\r\n$/;
const CANDIDATE_MARK = /^candidate:(\d+) .* x-bench (\S+) (\S+)$/;

/**
 * What a received (decoded) frame says about itself: `{ from, seq, sentAt }`, each when the frame carries it
 * (ringing carries nothing). `from` of an invite is the caller's uri, as the server stamped it.
 */
export function markOf(frame) {
  const [keyword, content] = frame;
  switch (keyword) {
    case 'invite':
      return { from: content.caller.uri, sentAt: Number(content.caller.name?.slice(5)) };
    case 'offer':
    case 'answer': {
      const [, from, sentAt] = SDP_MARK.exec(content.sdp) ?? [];
      return { from, sentAt: Number(sentAt) };
    }
    case 'icecandidate': {
      const [, seq, from, sentAt] = CANDIDATE_MARK.exec(content.candidate) ?? [];
      return { from, seq: Number(seq) - 1_000_000, sentAt: Number(sentAt) };
    }
    case 'bye':
      return { sentAt: Number(content.reason?.slice(5)) };
    default:
      return {};
  }
}
