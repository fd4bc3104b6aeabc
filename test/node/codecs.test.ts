// The check that decides whether the callee's trimmed offer can leave as it is (src/call/codecs.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strayPayloadTypes } from '../../src/call/codecs.js';

const section = (m: string, ...lines: string[]) => [m, ...lines].join('\r\n');

describe('strayPayloadTypes', () => {
  test('a consistent offer has none', () => {
    const sdp = section('m=video 9 UDP/TLS/RTP/SAVPF 120 124', 'a=rtpmap:120 VP8/90000', 'a=rtcp-fb:120 nack', 'a=fmtp:124 apt=120', 'a=rtcp-fb:* ccm fir');
    assert.deepEqual(strayPayloadTypes(sdp), []);
  });

  test('finds the rtcp-fb lines Firefox keeps for codecs it left out after setCodecPreferences', () => {
    const sdp = section('m=video 9 UDP/TLS/RTP/SAVPF 120 124', 'a=rtcp-fb:120 nack', 'a=rtcp-fb:121 nack', 'a=rtcp-fb:99 nack pli', 'a=rtpmap:120 VP8/90000');
    assert.deepEqual(strayPayloadTypes(sdp), ['121', '99']);
  });

  test('judges each media section by its own m= line', () => {
    const sdp = section('m=audio 9 UDP/TLS/RTP/SAVPF 109', 'a=rtpmap:109 opus/48000/2', 'm=video 9 UDP/TLS/RTP/SAVPF 120', 'a=rtpmap:109 opus/48000/2', '');
    assert.deepEqual(strayPayloadTypes(sdp), ['109']);
  });

  test('an application section (the DataChannel) lists no payload types and names none', () => {
    assert.deepEqual(strayPayloadTypes(section('m=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=sctp-port:5000')), []);
  });
});
