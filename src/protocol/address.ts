import { limits } from './limits.js';

/** A WSP address `user@domain`; the domain may carry a port (`alpha.localhost:8443`) for development. */
export interface Address {
  readonly user: string;
  readonly domain: string;
}

// ASCII letters of either case, spelled out: no `i` flag, whose case folding is not ASCII-only either.
const ADDRESS = /^([a-zA-Z0-9][a-zA-Z0-9._+-]{0,63})@([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,62})(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,62}))*(?::[0-9]{1,5})?)$/;

/**
 * Lower-cases A–Z and nothing else. `String.prototype.toLowerCase()` also folds characters outside ASCII into it
 * (KELVIN SIGN U+212A → `k`, and `İ` → `i̇`), so a check made after it would pass a name that is not the one given.
 */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * Parses `user@domain`, case-insensitively in ASCII only: addresses compare in lower case, like e-mail domains.
 * The text is checked first (ASCII letters, digits and the few signs allowed), then folded, so no character outside
 * ASCII can turn into an allowed one. Returns undefined for anything else, so callers decide which error to report.
 */
export function parseAddress(text: string): Address | undefined {
  if (text.length > limits.address) return undefined;
  const match = ADDRESS.exec(text);
  return match ? { user: asciiLowerCase(match[1]!), domain: asciiLowerCase(match[2]!) } : undefined;
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
