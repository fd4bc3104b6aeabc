/**
 * The `bye` codes of WSP 1.0. Borrowed from HTTP and SIP where one fits, so that a reader who knows
 * either can guess the meaning. The one table both the element and the server import; their English reasons are in
 * bye-reasons.ts.
 */
export const ByeCode = {
  /** Signaling moves to the peer-to-peer DataChannel `wsp`; the call goes on. */
  TRANSFERRED: 101,
  /** A party hung up after the call was established. */
  NORMAL: 200,
  /** A frame could not be decoded or broke the flow; it was dropped. */
  MALFORMED: 400,
  /** The connection is not (or no longer) authenticated. */
  UNAUTHORIZED: 401,
  /** The sender may not do this: act as another user, or touch a call it is not part of. */
  FORBIDDEN: 403,
  /** The callee does not exist on its domain. */
  UNKNOWN_USER: 404,
  /** Nobody accepted before the ring timeout. */
  NO_ANSWER: 408,
  /** Another device of the callee accepted the call. */
  ANSWERED_ELSEWHERE: 409,
  /** A frame exceeded a size limit. */
  TOO_LARGE: 413,
  /** A sender exceeded a rate or count limit (docs/protocol.md §2.4): the frame was dropped. */
  TOO_MANY: 429,
  /** The callee exists but has no device online. */
  OFFLINE: 480,
  /** Every device of the callee is already in a call. */
  BUSY: 486,
  /** The caller hung up before the call was accepted. */
  CANCELLED: 487,
  /** The two browsers could not agree on or establish media. */
  MEDIA_FAILED: 488,
  /** The server failed; the call cannot go on. */
  SERVER_ERROR: 500,
  /** The callee's domain cannot be reached. */
  UNREACHABLE: 502,
  /** The other party's connection was lost before the handover. */
  PEER_LOST: 503,
  /**
   * The two browsers found no network path to each other while setting up: not connected within the setup deadline,
   * no ICE candidate gathered (a TURN server refused the credentials), or ICE failed. The reason names the cause.
   */
  NO_ROUTE: 504,
  /** The callee declined. */
  DECLINED: 603,
  /** The callee's device cannot take calls at all: its browser lacks WebRTC or camera and microphone access (SIP's 606 Not Acceptable). */
  UNSUPPORTED: 606,
} as const;

export type ByeCode = (typeof ByeCode)[keyof typeof ByeCode];
