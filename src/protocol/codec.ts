import { ByeCode } from './codes.js';
import { normalizeAddress } from './address.js';
import type { Candidate, Frame, InviteOptions, Party } from './frame.js';
import { limits } from './limits.js';

/** Why a frame was rejected: a `bye` code (400 or 413) and a reason meant for a developer's log. */
export interface ProtocolError {
  readonly code: typeof ByeCode.MALFORMED | typeof ByeCode.TOO_LARGE;
  readonly reason: string;
}

export type DecodeResult = { readonly ok: true; readonly frame: Frame } | { readonly ok: false; readonly error: ProtocolError };

/** Thrown only inside this module and turned into a DecodeResult: decode() itself never throws. */
class Invalid extends Error {}

type Json = Record<string, unknown>;

function fail(reason: string): never {
  throw new Invalid(reason);
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be an object`);
  return value as Json;
}

function text(value: unknown, what: string, max: number, min = 0): string {
  if (typeof value !== 'string') fail(`${what} must be a string`);
  if (value.length > max) fail(`${what} is longer than ${max} characters`);
  if (value.length < min) fail(`${what} is empty`);
  return value;
}

function optionalText(value: unknown, what: string, max: number): string | undefined {
  return value === undefined ? undefined : text(value, what, max);
}

/** null, undefined and absent are all "not given" in RTCIceCandidateInit. */
function nullableText(value: unknown, what: string, max: number): string | null | undefined {
  return value === null ? null : optionalText(value, what, max);
}

function integer(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${what} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const CALL_ID = /^[A-Za-z0-9_-]+$/;

function callId(value: unknown): string {
  const id = text(value, 'options.call', limits.callId, 1);
  if (!CALL_ID.test(id)) fail('options.call may hold only letters, digits, "-" and "_"');
  return id;
}

function party(value: unknown, what: string): Party {
  const json = object(value, what);
  const uri = normalizeAddress(text(json.uri, `${what}.uri`, limits.address));
  if (!uri) fail(`${what}.uri must be an address user@domain`);
  const name = optionalText(json.name, `${what}.name`, limits.text);
  return name === undefined ? { uri } : { uri, name };
}

function description<T extends 'offer' | 'answer'>(value: unknown, type: T) {
  const json = object(value, 'content');
  if (json.type !== type) fail(`content.type must be "${type}"`);
  return { type, sdp: text(json.sdp, 'content.sdp', limits.sdp, 1) };
}

function candidate(value: unknown): Candidate {
  const json = object(value, 'content');
  const result: { -readonly [K in keyof Candidate]: Candidate[K] } = {
    candidate: text(json.candidate, 'content.candidate', limits.candidate),
  };
  const sdpMid = nullableText(json.sdpMid, 'content.sdpMid', limits.text);
  if (sdpMid !== undefined) result.sdpMid = sdpMid;
  if (json.sdpMLineIndex === null) result.sdpMLineIndex = null;
  else if (json.sdpMLineIndex !== undefined) result.sdpMLineIndex = integer(json.sdpMLineIndex, 'content.sdpMLineIndex', 0, 65535);
  const ufrag = nullableText(json.usernameFragment, 'content.usernameFragment', limits.text);
  if (ufrag !== undefined) result.usernameFragment = ufrag;
  return result;
}

function inviteOptions(json: Json): InviteOptions {
  const call = callId(json.call);
  if (json.timeout === undefined) return { call };
  return { call, timeout: integer(json.timeout, 'options.timeout', limits.ringTimeout.min, limits.ringTimeout.max) };
}

/**
 * Builds a fresh frame from parsed JSON, copying only the fields WSP 1.0 defines: unknown fields
 * (a later version's, or `__proto__` tricks) never reach the application or another peer.
 */
function toFrame(value: unknown): Frame {
  if (!Array.isArray(value)) fail('a frame must be a JSON array [keyword, content, options]');
  if (value.length !== 3) fail(`a frame has 3 elements, this one has ${value.length}`);
  const [keyword, content, rawOptions] = value as [unknown, unknown, unknown];
  const options = object(rawOptions, 'options');
  switch (keyword) {
    case 'invite': {
      const json = object(content, 'content');
      return ['invite', { caller: party(json.caller, 'content.caller'), callee: party(json.callee, 'content.callee') }, inviteOptions(options)];
    }
    case 'ringing':
      object(content, 'content');
      return ['ringing', {}, { call: callId(options.call) }];
    case 'offer':
      return ['offer', description(content, 'offer'), { call: callId(options.call) }];
    case 'answer':
      return ['answer', description(content, 'answer'), { call: callId(options.call) }];
    case 'icecandidate':
      return ['icecandidate', candidate(content), { call: callId(options.call) }];
    case 'bye': {
      const json = object(content, 'content');
      const code = integer(json.code, 'content.code', 100, 699);
      const reason = optionalText(json.reason, 'content.reason', limits.text);
      const bye = reason === undefined ? { code } : { code, reason };
      return ['bye', bye, options.call === undefined ? {} : { call: callId(options.call) }];
    }
    default:
      return fail(typeof keyword === 'string' ? `unknown keyword "${keyword.slice(0, 32)}"` : 'the keyword must be a string');
  }
}

/**
 * Decodes and validates one WSP frame. Never throws: a bad frame yields `{ok: false, error}` with
 * the `bye` code and reason a receiver reports (see docs/protocol.md, "Malformed frames").
 *
 * @example
 * const result = decode(event.data);
 * if (result.ok) handle(result.frame); else report(result.error);
 */
export function decode(data: string): DecodeResult {
  // A UTF-8 character takes up to 3 bytes per UTF-16 unit, so only long strings need counting.
  if (data.length > limits.frame || (data.length > limits.frame / 3 && utf8Length(data) > limits.frame)) {
    return { ok: false, error: { code: ByeCode.TOO_LARGE, reason: `frame larger than ${limits.frame} bytes` } };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, error: { code: ByeCode.MALFORMED, reason: 'frame is not JSON' } };
  }
  try {
    return { ok: true, frame: toFrame(value) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: { code: ByeCode.MALFORMED, reason: error.message } };
    throw error;
  }
}

// Browsers and Node both have it, but the protocol is compiled against neither's types (src/protocol/tsconfig.json).
declare const TextEncoder: new () => { encode(input: string): Uint8Array };
const utf8 = new TextEncoder();

function utf8Length(data: string): number {
  return utf8.encode(data).length;
}

/** How many JSON strings (keys and string values) encoding `value` writes. */
function stringsIn(value: unknown): number {
  if (typeof value === 'string') return 1;
  if (typeof value !== 'object' || value === null) return 0;
  // for…in rather than Object.values(): no array made per object, on the relay's hot path.
  const keys = Array.isArray(value) ? 0 : 1;
  let count = 0;
  for (const key in value) count += keys + stringsIn((value as Json)[key]);
  return count;
}

/**
 * True when `text`, which decode() turned into `frame`, holds nothing else: every member of every object in it is one
 * that `frame` kept, so it has no unknown and no repeated key (which parsers read differently: JSON.parse takes the
 * last). Whitespace and escapes aside, any JSON parser then reads from `text` what decode() validated, and a relay
 * may forward `text` itself instead of encoding `frame` anew. Counts quotes, which is cheap next to encoding an SDP:
 * each extra member brings a quoted key. A text with an escaped quote is not judged (false).
 *
 * @example
 * const result = decode(text);
 * const wire = result.ok && carriesOnly(text, result.frame) ? text : encode(result.frame);
 */
export function carriesOnly(text: string, frame: Frame): boolean {
  if (text.includes('\\"')) return false;
  let quotes = 0;
  for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', at + 1)) quotes++;
  return quotes === 2 * stringsIn(frame);
}

/** Encodes a frame for the wire. Frames built from this module's types need no further checks. */
export function encode(frame: Frame): string {
  return JSON.stringify(frame);
}
