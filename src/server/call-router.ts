import { ByeCode, callIdOf, limits, parseAddress, type ByeContent, type ByeFrame, type Frame, type InviteFrame, type OfferFrame } from '../protocol/index.js';
import { defaultLimits, exceeds, type ServerLimits } from './limits.js';
import { silentLogger, type Logger } from './log.js';
import { Registry, type Device } from './registry.js';
import { RingingInvites, type Ring } from './ringing-invites.js';

/**
 * One end the router can talk to: a client's connection, or a link to another domain's server.
 * `user` is the identity the server authenticated; the router never takes one from a frame.
 */
export interface Peer extends Device {
  send(frame: Frame): void;
  /**
   * Set on a link to another domain's server (docs/protocol.md §8): the peer speaks for every user of
   * that domain, authenticated as a whole, and stands for the far side of each call it carries.
   */
  readonly domain?: string;
}

/**
 * How the router reaches other domains (docs/protocol.md §4.1 step 2). `route()` returns the link to
 * the callee's server, which the router then treats as the callee's one device: the invite goes to it
 * and its answers come back through `receive()` like a device's.
 */
export interface Federation {
  /** The link to the WSP server of `domain`, or undefined when it cannot be reached (the caller gets bye 502). */
  route(domain: string): Peer | undefined;
}

/** Until federation exists every other domain is unreachable. */
export const noFederation: Federation = { route: () => undefined };

/** The timer functions the router uses, injectable so tests can drive the ring timeout. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface CallRouterOptions {
  /** This server's domain, lower case: callees there are served from the registry. */
  domain: string;
  /** The longest the server lets a call ring, in ms; an invite may ask for less. */
  ringTimeoutMs: number;
  /** The user directory (user names), if the server has one: other callees get bye 404 instead of 480. */
  users?: ReadonlySet<string>;
  federation?: Federation;
  timers?: Timers;
  log?: Logger;
  /** The call limits (docs/protocol.md §2.4); each defaults to `defaultLimits`'s, 0 = unlimited. */
  limits?: Partial<RouterLimits>;
  /** Told how calls end and how long they took to set up (the server's metrics). */
  observer?: CallObserver;
  /** A clock in ms for setup times; default `performance.now`. */
  now?: () => number;
}

/** What the router reports as calls go: for metrics, and for a draining server waiting for peers to be free. */
export interface CallObserver {
  /** A call left the table with this code (101 once both parties handed over). */
  ended?(code: number): void;
  /** A call's setup time, in ms: from its invite to the caller's first answer relayed to the callee. */
  setUp?(ms: number): void;
  /** `peer` stopped taking part in a call (it ended, the peer handed over or stopped ringing): it may be free now, see `busy()`. */
  released?(peer: Peer): void;
}

/** The limits the router enforces: they need the call table. */
export type RouterLimits = Pick<ServerLimits, 'callsPerConnection' | 'callsPerLink' | 'invitesPerUser' | 'invitesPerUserPerDomain' | 'candidatesPerCall'>;

interface Call {
  readonly id: string;
  readonly caller: Peer;
  /** Every device the invite went to: a late frame from one that has left is out of turn (400), not foreign (403). */
  readonly devices: Set<Peer>;
  /** The devices still ringing; emptied when one accepts. */
  readonly ringing: Set<Peer>;
  /** The device that sent the offer. */
  callee?: Peer;
  /** Whether a `ringing` has gone to the caller: only the first does. */
  rang: boolean;
  /**
   * What the caller hears when no device is left ringing: 480 while none refused; 606 while those that refused could not
   * take calls (bye 606); 486 once one refused otherwise (bye 486 or another code); 503 while none refused and some
   * were lost with their process (several processes, docs/deploy.md).
   */
  refused: number;
  /** The parties that sent bye 101 (§4.4); when both have, the server forgets the call. */
  readonly transferred: Set<Peer>;
  /** `icecandidate` frames relayed from each party, for `candidatesPerCall`. */
  readonly candidates: Map<Peer, number>;
  /** The slot this call holds in the ringing counts while it rings for a local callee; cleared when it stops. */
  ring?: Ring;
  /** When the invite arrived (the router's clock), until the caller's first answer measures the setup time. */
  placedAt?: number;
  timer?: unknown;
}

/**
 * The reason of every `bye` 502, whatever failed: what went wrong (refused, timed out, not a public address…) goes to
 * the server's log only. Told to the caller, it would make the server a port scanner for anyone with an account.
 */
export function unreachableReason(domain: string): string {
  return `domain ${domain} cannot be reached`;
}

function bye(call: string, code: number, reason?: string): ByeFrame {
  const content: ByeContent = reason === undefined ? { code } : { code, reason };
  return ['bye', content, { call }];
}

/** A connection-scoped `bye` (§6): it names no call, because the offending frame's call id is not trusted. */
function notice(reason: string, code: number = ByeCode.MALFORMED): ByeFrame {
  return ['bye', { code, reason }, {}];
}

/**
 * The call table and the flow of docs/protocol.md §4: routes invites, forks them to every device of
 * the callee, and relays a call's frames only between its two parties. Pure: no sockets, no clock
 * but the injected timers, so every rule is testable with plain objects.
 *
 * Identity comes from the `Peer` a frame arrived on, never from the frame. A frame for a call the
 * sender is not part of changes nothing and is answered with bye 403 (§6).
 *
 * @example
 * const router = new CallRouter({ domain: 'example.org', ringTimeoutMs: 30_000 });
 * router.connect(connection);
 * connection.onFrame = (frame) => router.receive(connection, frame);
 * connection.onClose = () => router.disconnect(connection);
 */
export class CallRouter {
  readonly registry = new Registry<Peer>();
  readonly #calls = new Map<string, Call>();
  /** The calls each peer takes part in, so a closing connection ends its calls without a scan. */
  readonly #callsOf = new Map<Peer, Set<Call>>();
  readonly #domain: string;
  readonly #ringTimeoutMs: number;
  readonly #users: ReadonlySet<string> | undefined;
  readonly #federation: Federation;
  readonly #timers: Timers;
  readonly #log: Logger;
  readonly #limits: RouterLimits;
  /** Invites ringing towards each local user, for the fair rule (one per caller, a share per domain, invitesPerUser). */
  readonly #ringing: RingingInvites;
  readonly #observer: CallObserver;
  readonly #now: () => number;

  constructor(options: CallRouterOptions) {
    this.#domain = options.domain;
    this.#ringTimeoutMs = options.ringTimeoutMs;
    this.#users = options.users;
    this.#federation = options.federation ?? noFederation;
    this.#timers = options.timers ?? systemTimers;
    this.#log = options.log ?? silentLogger;
    this.#limits = {
      callsPerConnection: defaultLimits.callsPerConnection,
      callsPerLink: defaultLimits.callsPerLink,
      invitesPerUser: defaultLimits.invitesPerUser,
      invitesPerUserPerDomain: defaultLimits.invitesPerUserPerDomain,
      candidatesPerCall: defaultLimits.candidatesPerCall,
      ...options.limits,
    };
    this.#ringing = new RingingInvites(this.#limits);
    this.#observer = options.observer ?? {};
    this.#now = options.now ?? (() => performance.now());
  }

  /** How many calls the server currently knows. */
  get size(): number {
    return this.#calls.size;
  }

  /** The calls by state, for metrics: ringing, accepted, and half handed over (one party sent bye 101). */
  callCounts(): { ringing: number; accepted: number; handover: number } {
    const counts = { ringing: 0, accepted: 0, handover: 0 };
    for (const call of this.#calls.values()) {
      if (!call.callee) counts.ringing += 1;
      else if (call.transferred.size === 0) counts.accepted += 1;
      else counts.handover += 1;
    }
    return counts;
  }

  /**
   * Whether `peer` still needs the server for a call: it is ringing, or a party that has not sent its bye 101. A device
   * that lost the race to accept, or refused, is not; neither is a party after its own bye 101 (§4.4).
   */
  busy(peer: Peer): boolean {
    for (const call of this.#callsOf.get(peer) ?? []) {
      if (peer === call.caller || peer === call.callee ? !call.transferred.has(peer) : call.ringing.has(peer)) return true;
    }
    return false;
  }

  /** Ends every call with `code`, telling each party and ringing device that still needs the server: for a drain that timed out. */
  endAll(code: number): void {
    for (const call of [...this.#calls.values()]) {
      const parties = call.callee ? [call.caller, call.callee] : [call.caller, ...call.ringing];
      this.#end(
        call,
        bye(call.id, code),
        parties.filter((peer) => !call.transferred.has(peer)),
      );
    }
  }

  /** A device came online: invites to its user ring it from now on. */
  connect(peer: Peer): void {
    this.registry.add(peer);
  }

  /** Whether a call with this id is in the call table. */
  hasCall(id: string): boolean {
    return this.#calls.has(id);
  }

  /**
   * A connection closed: it rings no more, and its calls end as §4.2 and §4.5 say. A lost link (§8.6)
   * ends each call it carried, ringing or not, with 503 for the party on this side. `lost` 503 says the device was
   * lost with its whole process (docs/deploy.md): a call left with no device ringing then ends with 503, not 480.
   */
  disconnect(peer: Peer, lost?: typeof ByeCode.PEER_LOST): void {
    this.registry.remove(peer);
    const link = peer.domain !== undefined;
    for (const call of [...(this.#callsOf.get(peer) ?? [])]) {
      if (peer === call.caller || peer === call.callee) {
        // After its own bye 101 a party needs the server no more; the call stays for the other side's 101.
        if (call.transferred.has(peer)) continue;
        if (call.callee) this.#end(call, bye(call.id, ByeCode.PEER_LOST), [this.#other(call, peer)]);
        else this.#end(call, bye(call.id, link ? ByeCode.PEER_LOST : ByeCode.CANCELLED), call.ringing);
      } else if (link && call.ringing.has(peer)) {
        this.#end(call, bye(call.id, ByeCode.PEER_LOST), [call.caller]);
      } else {
        call.devices.delete(peer);
        this.#callsOf.get(peer)?.delete(call);
        if (!call.ringing.delete(peer)) continue;
        if (lost !== undefined && call.refused === ByeCode.OFFLINE) call.refused = lost;
        this.#leftRinging(call);
      }
    }
    this.#callsOf.delete(peer);
  }

  /**
   * Handles one decoded frame that arrived on `from`. An invite rings `remote` too: the callee's devices on the other
   * processes of the domain (cluster/cluster-router.ts), besides those connected here.
   */
  receive(from: Peer, frame: Frame, remote: readonly Peer[] = []): void {
    if (frame[0] === 'invite') return this.#invite(from, frame, remote);
    const id = callIdOf(frame);
    if (id === undefined) {
      // Only a bye notice lacks a call id: a client's complaint about a frame of ours. Answering it could loop (§6).
      // Its code only: the reason is the sender's free text, which may hold anything (a token, an SDP).
      this.#log.info(from.domain ? 'notice from a link' : 'notice from client', { user: from.user, code: frame[0] === 'bye' ? frame[1].code : undefined });
      return;
    }
    const call = this.#calls.get(id);
    if (!call || (from !== call.caller && !call.devices.has(from))) {
      // Two servers answering each other's byes with 403 would never stop: a link's late bye is dropped (§8.5).
      if (from.domain && frame[0] === 'bye') return this.#log.debug('bye for no call of this link', { call: id, code: frame[1].code });
      from.send(bye(id, ByeCode.FORBIDDEN)); // exactly §6's frame: nothing about whether the call exists
      return;
    }
    switch (frame[0]) {
      case 'ringing':
        if (!call.ringing.has(from)) return from.send(notice('ringing out of turn'));
        // Every device rings; the caller needs to hear it once.
        if (!call.rang) {
          call.rang = true;
          call.caller.send(['ringing', {}, { call: id }]);
        }
        return;
      case 'offer':
        if (call.ringing.has(from)) return this.#accept(call, from, frame);
        if (from === call.callee) return call.caller.send(frame); // a renegotiation
        return from.send(notice(from === call.caller ? 'offer comes from the callee' : 'call accepted on another device'));
      case 'answer':
        if (from === call.caller && call.callee) {
          if (call.placedAt !== undefined) this.#observer.setUp?.(this.#now() - call.placedAt);
          call.placedAt = undefined;
          return call.callee.send(frame);
        }
        return from.send(notice('answer comes from the caller, after an offer'));
      case 'icecandidate': {
        if (!call.callee || (from !== call.caller && from !== call.callee)) return from.send(notice('icecandidate before the call is accepted'));
        const sent = (call.candidates.get(from) ?? 0) + 1;
        const limit = this.#limits.candidatesPerCall;
        // A notice, not a bye for the call: the call may well connect with the candidates it has.
        if (exceeds(sent, limit)) return from.send(notice(`more than ${limit} candidates from one side of a call`, ByeCode.TOO_MANY));
        call.candidates.set(from, sent);
        return this.#other(call, from).send(frame);
      }
      case 'bye':
        return this.#bye(call, from, frame[1]);
    }
  }

  /** Ends every call and stops every timer, telling no one: for a server that is shutting down. */
  close(): void {
    for (const call of this.#calls.values()) this.#timers.clear(call.timer);
    this.#calls.clear();
    this.#callsOf.clear();
    this.#ringing.clear();
  }

  #invite(from: Peer, [, content, options]: InviteFrame, remote: readonly Peer[]): void {
    const id = options.call;
    const callee = parseAddress(content.callee.uri);
    if (!callee) return from.send(notice('callee.uri must be an address user@domain')); // decode() already checked
    if (from.domain !== undefined) {
      // A link answers for its own call id: a notice would reach no one on the other server (§8.5).
      if (this.#calls.has(id)) return from.send(bye(id, ByeCode.MALFORMED, `call id ${id} is already in use`));
      // A link speaks for its domain's users only, and reaches ours only: no spoofed callers, no open relay.
      if (parseAddress(content.caller.uri)?.domain !== from.domain) {
        return from.send(bye(id, ByeCode.FORBIDDEN, `caller.uri must be a user of ${from.domain}`));
      }
      if (callee.domain !== this.#domain) return from.send(bye(id, ByeCode.FORBIDDEN, `${this.#domain} does not relay to ${callee.domain}`));
    } else {
      if (this.#calls.has(id)) return from.send(notice(`call id ${id} is already in use`));
      // The server stamps the caller: the connection's user is the only identity it trusts (§3).
      if (content.caller.uri !== from.user) {
        return from.send(bye(id, ByeCode.FORBIDDEN, `caller.uri must be your own address ${from.user}`));
      }
    }
    const cap = from.domain === undefined ? this.#limits.callsPerConnection : this.#limits.callsPerLink;
    const placed = [...(this.#callsOf.get(from) ?? [])].filter((call) => call.caller === from).length;
    if (exceeds(placed + 1, cap)) return from.send(bye(id, ByeCode.MALFORMED, `more than ${cap} calls at once`));
    let devices: Peer[];
    let ring: Ring | undefined;
    if (callee.domain === this.#domain) {
      if (this.#users && !this.#users.has(callee.user)) return from.send(bye(id, ByeCode.UNKNOWN_USER));
      // A user may call themselves on another device, never on the very connection that calls.
      devices = [...this.registry.devices(content.callee.uri), ...remote].filter((device) => device !== from);
      if (devices.length === 0) return from.send(bye(id, ByeCode.OFFLINE));
      // Neither one caller calling again and again nor one domain's many callers can keep the user busy for the others.
      // caller.uri was checked above: the connection's user, or a user of the link's domain.
      ring = { callee: content.callee.uri, caller: content.caller.uri, domain: from.domain };
      const refusal = this.#ringing.refusal(ring);
      if (refusal) return from.send(['bye', refusal, { call: id }]);
    } else {
      const link = this.#federation.route(callee.domain);
      if (!link) return from.send(bye(id, ByeCode.UNREACHABLE, unreachableReason(callee.domain)));
      devices = [link];
    }
    const ringMs = Math.min(options.timeout ?? Infinity, this.#ringTimeoutMs);
    const call: Call = {
      id,
      caller: from,
      devices: new Set(devices),
      ringing: new Set(devices),
      rang: false,
      refused: ByeCode.OFFLINE,
      transferred: new Set(),
      candidates: new Map(),
      ring,
      placedAt: this.#now(),
    };
    if (ring) this.#ringing.add(ring);
    this.#calls.set(id, call);
    for (const peer of [from, ...devices]) this.#link(peer, call);
    call.timer = this.#timers.set(() => this.#end(call, bye(id, ByeCode.NO_ANSWER), [call.caller, ...call.ringing]), ringMs);
    this.#log.info('call placed', { call: id, caller: from.user, callee: content.callee.uri, devices: devices.length });
    // Devices learn how long they ring, when the wire format can say it (a test server may ring for less than 1 s).
    const { min, max } = limits.ringTimeout;
    const forwarded = ringMs >= min && ringMs <= max ? { call: id, timeout: ringMs } : { call: id };
    // A link's caller was checked against the link's domain above; a connection's is its user.
    const caller = from.domain === undefined ? { ...content.caller, uri: from.user } : content.caller;
    const invite: InviteFrame = ['invite', { caller, callee: content.callee }, forwarded];
    for (const device of devices) device.send(invite);
  }

  #accept(call: Call, device: Peer, offer: OfferFrame): void {
    this.#timers.clear(call.timer);
    this.#stopRinging(call);
    call.ringing.delete(device);
    call.callee = device;
    for (const other of call.ringing) other.send(bye(call.id, ByeCode.ANSWERED_ELSEWHERE));
    const others = [...call.ringing];
    call.ringing.clear();
    for (const other of others) this.#observer.released?.(other);
    this.#log.info('call accepted', { call: call.id });
    call.caller.send(offer);
  }

  #bye(call: Call, from: Peer, { code, reason }: ByeContent): void {
    const relayed = bye(call.id, code, reason);
    if (call.callee) {
      // A device that lost the race may still say goodbye; the call is not its business any more.
      if (from !== call.caller && from !== call.callee) return;
      if (code !== ByeCode.TRANSFERRED) return this.#end(call, relayed, [this.#other(call, from)]);
      if (call.transferred.has(from)) return; // a duplicate: relayed once already
      call.transferred.add(from);
      this.#other(call, from).send(relayed);
      if (call.transferred.size === 2) this.#end(call, relayed, []);
      else this.#observer.released?.(from);
      return;
    }
    if (code === ByeCode.TRANSFERRED) return from.send(notice('bye 101 before the call is accepted'));
    if (from === call.caller) {
      // The other server already turned its caller's hang-up, timeout or loss into a code: pass it on (§8.5).
      return this.#end(call, from.domain === undefined ? bye(call.id, ByeCode.CANCELLED) : relayed, call.ringing);
    }
    if (!call.ringing.has(from)) return; // it left already; a repeated bye changes nothing
    // A link is the whole far side, every device of the callee: its code is the call's outcome (404, 480, 486…).
    if (from.domain !== undefined) return this.#end(call, relayed, [call.caller]);
    if (code === ByeCode.DECLINED) {
      call.ringing.delete(from);
      return this.#end(call, relayed, [call.caller, ...call.ringing]);
    }
    call.ringing.delete(from);
    call.refused = code === ByeCode.UNSUPPORTED && call.refused !== ByeCode.BUSY ? code : ByeCode.BUSY;
    this.#observer.released?.(from);
    this.#leftRinging(call);
  }

  /** A device stopped ringing without accepting; when it was the last, the caller learns why. */
  #leftRinging(call: Call): void {
    if (call.ringing.size > 0 || call.callee) return;
    this.#end(call, bye(call.id, call.refused), [call.caller]);
  }

  /** Forgets a call, telling `recipients` with `frame`. */
  #end(call: Call, frame: ByeFrame, recipients: Iterable<Peer>): void {
    const targets = [...recipients];
    this.#timers.clear(call.timer);
    this.#stopRinging(call);
    this.#calls.delete(call.id);
    for (const peer of [call.caller, ...call.devices]) this.#callsOf.get(peer)?.delete(call);
    this.#log.info('call ended', { call: call.id, code: frame[1].code });
    this.#observer.ended?.(frame[1].code);
    for (const peer of targets) peer.send(frame);
    if (this.#observer.released) for (const peer of [call.caller, ...call.devices]) this.#observer.released(peer);
  }

  /** The call no longer rings for its local callee: its slot in the ringing counts is free, once. */
  #stopRinging(call: Call): void {
    if (call.ring === undefined) return;
    this.#ringing.remove(call.ring);
    call.ring = undefined;
  }

  #link(peer: Peer, call: Call): void {
    const calls = this.#callsOf.get(peer);
    if (calls) calls.add(call);
    else this.#callsOf.set(peer, new Set([call]));
  }

  #other(call: Call, party: Peer): Peer {
    return party === call.caller ? call.callee! : call.caller;
  }
}
