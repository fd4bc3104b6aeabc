import { CANDIDATES_PER_CALL } from '../protocol/limits.js';

/**
 * How much of the server one client, one address or one federation link may use. Each limit is an
 * integer; 0 means unlimited. The defaults suit a public server; tests and benchmarks lift them with
 * `limits: {…}` or `--limit name=value`. The wire-format limits (frame and field sizes) are not here:
 * they are the protocol's, in src/protocol/limits.ts. docs/protocol.md §2.4 is the normative table.
 */
export interface ServerLimits {
  /** Client sockets open (or opening) at once from one remote address; beyond, the upgrade gets HTTP 429. */
  connectionsPerAddress: number;
  /** Client upgrade attempts per minute from one remote address, successful or not; beyond, HTTP 429. */
  upgradesPerMinute: number;
  /** Frames a client connection may send per second, on average; beyond, frames are dropped, the first of a flood with a 429 notice. */
  framesPerSecond: number;
  /** Frames a client connection may send in a burst above `framesPerSecond`. */
  frameBurst: number;
  /** Calls one connection may have placed and not yet ended; beyond, `bye` 400 for the new call. */
  callsPerConnection: number;
  /** Invites ringing at once towards one user of this domain; beyond, the new invite gets `bye` 486. */
  invitesPerUser: number;
  /**
   * Invites ringing at once towards one user of this domain from callers of one other domain (over its links);
   * beyond, `bye` 486. A share, so one domain naming caller after caller cannot take all of `invitesPerUser`.
   */
  invitesPerUserPerDomain: number;
  /** `icecandidate` frames one side of a call may send through the server; beyond, dropped with a 429 notice. */
  candidatesPerCall: number;
  /**
   * What the frames a client leaves unread may cost the server before it drops the connection: their bytes plus a
   * per-frame overhead (QUEUED_WRITE_OVERHEAD in src/server/outbox.ts), as the process pays for them.
   */
  maxBufferedBytes: number;
  /** Frames a federation link may send per second: it carries a whole domain's calls. */
  linkFramesPerSecond: number;
  /** Frames a federation link may send in a burst above `linkFramesPerSecond`. */
  linkFrameBurst: number;
  /** Calls placed from the far side of one link and not yet ended; beyond, `bye` 400 for the new call. */
  callsPerLink: number;
  /** The same for a link, counted the same way; beyond, it is cut (which ends every call on it). */
  linkMaxBufferedBytes: number;
  /** Links open (or opening) at once from one remote address, whatever domains they claim; beyond, HTTP 429. */
  linksPerAddress: number;
  /** Link upgrade attempts per minute from one remote address, successful or not; beyond, HTTP 429. */
  linkUpgradesPerMinute: number;
}

export type LimitName = keyof ServerLimits;

/**
 * Defaults for a server open to the internet. A call's setup is about ten frames per side plus its
 * candidates, so 50 frames/s with a burst of 200 is far above any honest client, yet caps what one
 * socket can make the server do. A NAT may put a whole office behind one address: hence 64 sockets.
 */
export const defaultLimits: Readonly<ServerLimits> = Object.freeze({
  connectionsPerAddress: 64,
  upgradesPerMinute: 120,
  framesPerSecond: 50,
  frameBurst: 200,
  callsPerConnection: 32,
  invitesPerUser: 32,
  invitesPerUserPerDomain: 8,
  candidatesPerCall: CANDIDATES_PER_CALL,
  maxBufferedBytes: 1024 * 1024,
  linkFramesPerSecond: 5000,
  linkFrameBurst: 20_000,
  callsPerLink: 1024,
  linkMaxBufferedBytes: 16 * 1024 * 1024,
  // One link carries every call between two domains, so an honest server needs one, and reopens it seldom; a host
  // serving many domains from one address is the reason these are not 1.
  linksPerAddress: 16,
  linkUpgradesPerMinute: 30,
});

export const limitNames = Object.keys(defaultLimits) as readonly LimitName[];

function isLimitName(name: string): name is LimitName {
  return Object.hasOwn(defaultLimits, name);
}

/** The defaults with `overrides` applied; throws a RangeError naming the first unknown name or bad value. */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const resolved: ServerLimits = { ...defaultLimits };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!isLimitName(name)) throw new RangeError(`unknown limit "${name}"; known: ${limitNames.join(', ')}`);
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`limit ${name} must be an integer ≥ 0 (0 = unlimited), not ${value}`);
    resolved[name] = value;
  }
  return resolved;
}

/** Parses one `name=value` of `--limit`; throws a RangeError with the reason. */
export function parseLimit(text: string): [LimitName, number] {
  const match = /^\s*([A-Za-z]+)\s*=\s*(\d+)\s*$/.exec(text);
  if (!match) throw new RangeError(`a limit is name=value with an integer value, not "${text}"`);
  const [, name, value] = match as unknown as [string, string, string];
  if (!isLimitName(name)) throw new RangeError(`unknown limit "${name}"; known: ${limitNames.join(', ')}`);
  return [name, Number(value)];
}

/** 0 means unlimited. */
export function exceeds(count: number, limit: number): boolean {
  return limit > 0 && count > limit;
}
