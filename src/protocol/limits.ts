/**
 * `icecandidate` frames one side of a call may send: a server relays at most this many (its `candidatesPerCall`
 * default), a peer applies at most this many from the DataChannel after the handover (§2.4, §4.7).
 */
export const CANDIDATES_PER_CALL = 100;

/**
 * Size limits of WSP 1.0. A receiver rejects anything larger with bye 413 (frames) or 400 (fields).
 * Chromium's SDP for audio, video and a DataChannel is about 6 kB, so these leave ample room
 * while keeping a hostile peer from making a server buffer megabytes per frame.
 */
export const limits = {
  /** Bytes of one encoded frame (UTF-8). */
  frame: 64 * 1024,
  /** Characters of an SDP blob in `offer` / `answer`. */
  sdp: 32 * 1024,
  /** Characters of one ICE candidate line. */
  candidate: 1024,
  /** Characters of a call id. */
  callId: 64,
  /** Characters of a `user@domain` address. */
  address: 256,
  /** Characters of a display name, a bye reason, an sdpMid or a ufrag. */
  text: 256,
  /** Ring timeout a caller may request, in milliseconds. */
  ringTimeout: { min: 1000, max: 120_000 },
} as const;
