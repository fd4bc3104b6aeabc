import { limits } from './limits.js';

/** A WSP address `user@domain`; the domain may carry a port (`alpha.localhost:8443`) for development. */
export interface Address {
  readonly user: string;
  readonly domain: string;
}

const ADDRESS = /^([a-z0-9][a-z0-9._+-]{0,63})@([a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*(?::[0-9]{1,5})?)$/;

/**
 * Parses `user@domain`, case-insensitively: addresses compare in lower case, like e-mail domains.
 * Returns undefined for anything else, so callers decide which error to report.
 */
export function parseAddress(text: string): Address | undefined {
  if (text.length > limits.address) return undefined;
  const match = ADDRESS.exec(text.toLowerCase());
  return match ? { user: match[1]!, domain: match[2]! } : undefined;
}

/** The canonical `user@domain` string of an address. */
export function formatAddress(address: Address): string {
  return `${address.user}@${address.domain}`;
}

/** The canonical form of an address string, or undefined when it is not one. */
export function normalizeAddress(text: string): string | undefined {
  const address = parseAddress(text);
  return address && formatAddress(address);
}
