import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which hosts federation may connect to (docs/security.md, "Federation cannot reach the server's own network"). Any
 * user may name any domain, and any domain's well-known document may name any link URL: without this rule a caller
 * could make the server open connections into the network it runs in (SSRF). So discovery and links reach public
 * unicast addresses only, checked on the address actually connected to (a name that resolves to a public address
 * when checked and to 127.0.0.1 when connecting gains nothing), except:
 * - the host an operator configured for a domain (`--peer D=URL`): that host, with its port, is reached as it is;
 * - networks the operator allows (`--allow-network 10.0.0.0/8`), for a federation inside a LAN or on one machine.
 */

/** What to connect with: the `lookup` to give node:net (undefined when the host needs none), or why not to connect. */
export type Target = { readonly ok: true; readonly lookup: LookupFunction | undefined } | { readonly ok: false; readonly reason: string };

/**
 * Whether `ip` is an ordinary public unicast address: not loopback, private, link-local, carrier-grade NAT,
 * multicast, reserved or documentation space, nor an IPv6 form that carries an IPv4 address (mapped, NAT64, 6to4,
 * Teredo), whose IPv4 half could be any of those. ipaddr.js names every IANA special-purpose range.
 */
export function isPublicAddress(ip: string): boolean {
  return ipaddr.isValid(ip) && ipaddr.process(ip).range() === 'unicast';
}

/** Whether a domain's host is an IP address, as a URL parser reads it: `127.1`, `0x7f.0.0.1` and `2130706433` are. */
export function isIpLiteralDomain(domain: string): boolean {
  if (!URL.canParse(`https://${domain}`)) return false;
  return isIP(new URL(`https://${domain}`).hostname.replace(/^\[|\]$/g, '')) !== 0;
}

type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseNetwork(text: string): Network {
  try {
    return ipaddr.parseCIDR(text.trim());
  } catch {
    throw new RangeError(`not a network in CIDR notation (10.0.0.0/8, fd00::/8): ${JSON.stringify(text)}`);
  }
}

/** Carries the address's code, so logs say why as node:net errors do. */
function notPublic(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${hostname} has no public address`), { code: 'ENOTPUBLIC' });
}

/**
 * @example
 * const policy = new NetworkPolicy(['10.0.0.0/8']);
 * const target = policy.target(new URL(link), discovery.configuredHost(domain));
 * if (target.ok) new WebSocket(link, { lookup: target.lookup });
 */
export class NetworkPolicy {
  readonly #allowed: readonly Network[];
  readonly #lookup: LookupFunction;

  /** `allowNetworks`: CIDR ranges that may be reached though not public; throws a RangeError for one that is not a range. */
  constructor(allowNetworks: readonly string[] = []) {
    this.#allowed = allowNetworks.map(parseNetwork);
    this.#lookup = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        // Names that resolve to both kinds keep their public addresses only: a rebinding answer gains nothing.
        const usable = addresses.filter(({ address }) => this.allows(address));
        if (usable.length === 0) return callback(notPublic(hostname), '', 0);
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      });
    };
  }

  /** Whether connecting to `ip` is allowed: a public address, or one of the allowed networks. */
  allows(ip: string): boolean {
    if (isPublicAddress(ip)) return true;
    if (!ipaddr.isValid(ip)) return false;
    const address = ipaddr.process(ip);
    return this.#allowed.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits));
  }

  /**
   * How to reach `url`: a host the operator configured (`configuredHost`, as `URL.host` gives it) needs no check; an IP
   * address is checked now, since node:net connects to it without a lookup; a name is checked by the lookup returned,
   * on each address it resolves to when the connection is made.
   */
  target(url: URL, configuredHost?: string): Target {
    if (configuredHost !== undefined && url.host === configuredHost) return { ok: true, lookup: undefined };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) return { ok: true, lookup: this.#lookup };
    return this.allows(host) ? { ok: true, lookup: undefined } : { ok: false, reason: `${host} is not a public address` };
  }
}
