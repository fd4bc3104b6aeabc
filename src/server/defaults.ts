// The server's defaults, each defined once: createWspServer(), the federation links, the CLI and its help text use
// these. The token lifetime's is in auth.ts (DEFAULT_MAX_TOKEN_TTL_SECONDS), the limits' in limits.ts.

/** Where the server listens unless told otherwise: loopback only, with a TLS proxy in front. */
export const DEFAULT_HOST = '127.0.0.1';
/** The CLI's port (createWspServer()'s default is 0, a free port). */
export const DEFAULT_PORT = 8080;
/** The longest a call rings, in ms. */
export const DEFAULT_RING_TIMEOUT_MS = 30_000;
/** How often the server pings each client, and each federation link, in ms. */
export const DEFAULT_HEARTBEAT_MS = 30_000;
/**
 * With several processes on Redis: how often each proves it is live, in ms. A killed process counts as dead
 * LIVENESS_HEARTBEATS of these after its last proof, and its calls that had not handed over end then.
 */
export const DEFAULT_CLUSTER_HEARTBEAT_MS = 1_000;
/**
 * How many heartbeats a process may miss before the others count it dead. Five, not fewer: a process saturated with
 * frames (bench/load.mjs cluster) was late by more than three and had its calls ended while alive.
 */
export const LIVENESS_HEARTBEATS = 5;
/** How long a draining server waits for calls that ring or have not handed over, in ms, before it ends them. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** A draining server tells each client to reconnect after a random delay of up to this many ms: no stampede. */
export const DEFAULT_DRAIN_JITTER_MS = 5000;
