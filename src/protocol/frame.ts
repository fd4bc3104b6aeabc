/** The WebSocket subprotocol of this version. */
export const SUBPROTOCOL = 'wsp-1.0';
/** The label of the DataChannel that takes over signaling after the handover. */
export const DATA_CHANNEL_LABEL = 'wsp';

/** A party of a call, as it travels in `invite`. */
export interface Party {
  /** `user@domain`, canonical (lower case). */
  readonly uri: string;
  /** Display name, optional. */
  readonly name?: string;
}

export interface InviteContent {
  readonly caller: Party;
  readonly callee: Party;
}

/** What RTCSessionDescriptionInit holds, restricted to the one type each keyword allows. */
export interface Description<T extends 'offer' | 'answer'> {
  readonly type: T;
  readonly sdp: string;
}

/** What RTCIceCandidateInit holds. An empty `candidate` marks the end of candidates. */
export interface Candidate {
  readonly candidate: string;
  readonly sdpMid?: string | null;
  readonly sdpMLineIndex?: number | null;
  readonly usernameFragment?: string | null;
}

export interface ByeContent {
  readonly code: number;
  readonly reason?: string;
}

/** Options of every call-scoped frame: the call id lets one socket (or server link) carry many calls. */
export interface CallOptions {
  readonly call: string;
}

export interface InviteOptions extends CallOptions {
  /** How long the caller is willing to wait for an answer, in milliseconds (the server may shorten it). */
  readonly timeout?: number;
}

/** A `bye` without a call id is a connection-scoped notice: the server rejected a frame it could not attribute. */
export interface ByeOptions {
  readonly call?: string;
}

export type InviteFrame = readonly ['invite', InviteContent, InviteOptions];
export type RingingFrame = readonly ['ringing', Record<string, never>, CallOptions];
export type OfferFrame = readonly ['offer', Description<'offer'>, CallOptions];
export type AnswerFrame = readonly ['answer', Description<'answer'>, CallOptions];
export type IceCandidateFrame = readonly ['icecandidate', Candidate, CallOptions];
export type ByeFrame = readonly ['bye', ByeContent, ByeOptions];

/** A WSP 1.0 frame: `[keyword, content, options]`. */
export type Frame = InviteFrame | RingingFrame | OfferFrame | AnswerFrame | IceCandidateFrame | ByeFrame;

export type Keyword = Frame[0];

/** The keywords in the order a call uses them. */
export const keywords: readonly Keyword[] = ['invite', 'ringing', 'offer', 'answer', 'icecandidate', 'bye'];

/** The call id of a frame, if it has one. */
export function callIdOf(frame: Frame): string | undefined {
  return frame[2].call;
}
