// The HTTP paths of a WSP server, defined once: the server mounts them, the discovery document announces them, pages
// and other servers build their URLs from them (docs/protocol.md §3, §8).

/** Where clients connect: `wss://example.org/wsp`. */
export const WSP_PATH = '/wsp';
/** Where a server takes server-to-server links (the default `link` of its discovery document). */
export const LINK_PATH = '/wsp/federation';
/** Where every WSP domain serves its discovery document: `https://<domain>/.well-known/wsp`. */
export const WELL_KNOWN_PATH = '/.well-known/wsp';
/** Where an authenticated client gets short-lived TURN credentials (docs/protocol.md §3.1): `POST https://example.org/wsp/turn`, the token as its body. */
export const TURN_PATH = '/wsp/turn';
