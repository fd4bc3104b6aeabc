// What an outgoing call's `invite` says, from a client's settings. In the call engine's lazy chunk: the address
// rules and limits it needs are not loaded until the first call.
import { normalizeAddress } from '../protocol/address.js';
import type { InviteContent } from '../protocol/frame.js';
import { limits } from '../protocol/limits.js';

/** Who calls whom, and how long it may ring; see {@link invitation}. */
export interface Invitation {
  readonly parties: InviteContent;
  /** In ms, within the protocol's bounds; undefined leaves it to the server. */
  readonly timeout?: number;
}

/** What an invitation is made from: a client's settings. */
export interface InvitationSettings {
  readonly caller: string;
  readonly callee?: string;
  readonly callerName?: string;
  /** The callee as the caller knows them: the caller's own screen shows it (the callee's shows its own). */
  readonly calleeName?: string;
  readonly ringTimeout?: number;
}

/**
 * The invite of a call from `caller` to `callee`: the addresses normalized, the display name cut to the protocol's
 * text limit, the ring timeout rounded into its bounds (1000–120000 ms). A string says why there is none: an address
 * that is not `user@domain`. Pure.
 *
 * @example
 * invitation({ caller: 'Alice@Example.org', callee: 'bob@example.org', ringTimeout: 5 });
 * // { parties: { caller: { uri: 'alice@example.org' }, callee: { uri: 'bob@example.org' } }, timeout: 1000 }
 */
export function invitation({ caller, callee, callerName, calleeName, ringTimeout }: InvitationSettings): Invitation | string {
  const from = normalizeAddress(caller);
  const to = normalizeAddress(callee ?? '');
  if (!from || !to) return 'caller and callee must be user@domain';
  const { min, max } = limits.ringTimeout;
  const timeout = ringTimeout ? Math.min(max, Math.max(min, Math.round(ringTimeout))) : undefined;
  const party = (uri: string, name?: string) => (name ? { uri, name: name.slice(0, limits.text) } : { uri });
  return { parties: { caller: party(from, callerName), callee: party(to, calleeName) }, timeout };
}
