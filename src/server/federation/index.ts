/**
 * Federation (docs/protocol.md §8): discovery of other domains, Ed25519 server keys, the signed link
 * handshake, and the links that carry calls between domains.
 */
export { CallLedger, type Direction } from './call-ledger.js';
export { Discovery, type Discovered, type DiscoveryOptions, type DocumentLocation } from './discovery.js';
export { createFederation, type Federated, type FederationOptions, type FederationSetup } from './federation.js';
export { generateKeys, keyId, keysFromPem, keysToPem, loadOrCreateKeys, type ServerKeys } from './keys.js';
export { Link, type LinkDirection, type LinkHandler, type LinkOptions, type LinkState } from './link.js';
export {
  LINK_AUTH_SCHEME,
  linkStatement,
  parseLinkAuthorization,
  precheckLink,
  ReplayCache,
  signLink,
  verifyLink,
  type LinkAuthorization,
  type LinkClaims,
} from './link-auth.js';
export { backoffDelay, LinkManager, type LinkManagerLimits, type LinkManagerOptions } from './links.js';
export {
  LINK_PATH,
  parseWellKnown,
  WELL_KNOWN_PATH,
  wellKnownDocument,
  type PublishedKey,
  type ServerInfo,
  type WellKnownDocument,
} from './well-known.js';
export { isIpLiteralDomain, isPublicAddress, NetworkPolicy, type Target } from './network-policy.js';
