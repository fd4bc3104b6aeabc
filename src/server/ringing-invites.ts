import { ByeCode, type ByeContent } from '../protocol/index.js';
import { exceeds, type ServerLimits } from './limits.js';

/** One invite ringing for a user of this server's domain: what its slot is counted under. */
export interface Ring {
  /** The local callee's address. */
  readonly callee: string;
  /** The caller's address: a connection's user, or the `caller.uri` a link speaks for (checked against its domain). */
  readonly caller: string;
  /** The other domain whose link brought the invite; undefined for callers of this server's own domain. */
  readonly domain?: string;
}

/** The limits the fair rule needs. */
export type RingLimits = Pick<ServerLimits, 'invitesPerUser' | 'invitesPerUserPerDomain'>;

/** What rings for one local user. */
interface Rings {
  count: number;
  /** The callers with an invite ringing for the user: at most one each. */
  readonly callers: Set<string>;
  /** How many invites ring from each other domain. */
  readonly domains: Map<string, number>;
}

/**
 * The invites ringing towards each local user, and the fair rule that decides whether one more may ring
 * (docs/protocol.md §2.4): one per caller, a share of `invitesPerUserPerDomain` per other domain, and
 * `invitesPerUser` in all. `invitesPerUser` alone let one connection re-inviting bob, or one domain naming
 * caller after caller, fill bob's slots, so that every other caller heard busy. Each step is O(1).
 *
 * The router adds a ring when an invite starts ringing and removes it exactly once, whichever way the
 * invite stops ringing.
 *
 * @example
 * const refusal = ringing.refusal(ring);
 * if (refusal) return caller.send(['bye', refusal, { call: id }]);
 * ringing.add(ring); // and, once it is accepted or ends: ringing.remove(ring)
 */
export class RingingInvites {
  readonly #limits: RingLimits;
  readonly #rings = new Map<string, Rings>();

  constructor(limits: RingLimits) {
    this.#limits = limits;
  }

  /** Why `ring` may not ring now, as the content of the `bye` that refuses its call; undefined when it may. */
  refusal({ callee, caller, domain }: Ring): ByeContent | undefined {
    const rings = this.#rings.get(callee);
    // 429, not 486: the callee is not busy, this caller already rings them; its other call goes on.
    if (rings?.callers.has(caller)) return { code: ByeCode.TOO_MANY, reason: `already calling ${callee}` };
    const share = this.#limits.invitesPerUserPerDomain;
    if (domain !== undefined && exceeds((rings?.domains.get(domain) ?? 0) + 1, share)) {
      return { code: ByeCode.BUSY, reason: `more than ${share} calls ringing for this user from ${domain}` };
    }
    const limit = this.#limits.invitesPerUser;
    if (exceeds((rings?.count ?? 0) + 1, limit)) return { code: ByeCode.BUSY, reason: `more than ${limit} calls ringing for this user` };
    return undefined;
  }

  add({ callee, caller, domain }: Ring): void {
    let rings = this.#rings.get(callee);
    if (!rings) this.#rings.set(callee, (rings = { count: 0, callers: new Set(), domains: new Map() }));
    rings.count += 1;
    rings.callers.add(caller);
    if (domain !== undefined) rings.domains.set(domain, (rings.domains.get(domain) ?? 0) + 1);
  }

  /** Gives back the slots of a ring that `add()` took; call it once per `add()`. */
  remove({ callee, caller, domain }: Ring): void {
    const rings = this.#rings.get(callee);
    if (!rings) return;
    rings.callers.delete(caller);
    if (domain !== undefined) {
      const left = (rings.domains.get(domain) ?? 1) - 1;
      if (left > 0) rings.domains.set(domain, left);
      else rings.domains.delete(domain);
    }
    rings.count -= 1;
    if (rings.count <= 0) this.#rings.delete(callee);
  }

  clear(): void {
    this.#rings.clear();
  }
}
