/**
 * The WSP 1.0 signaling server: `createWspServer()` to run one, `mintToken()` for a site's backend to
 * let its users in. The protocol itself is in `wsp-call/protocol` and docs/protocol.md.
 */
export { createWspServer, WSP_PATH, type WspServer, type WspServerOptions } from './server.js';
export {
  mintToken,
  verifyToken,
  CLOCK_SKEW_SECONDS,
  DEFAULT_MAX_TOKEN_TTL_SECONDS,
  TOKEN_AUDIENCE,
  type MintOptions,
  type VerifyOptions,
  type VerifyResult,
} from './auth.js';
export {
  CallRouter,
  noFederation,
  systemTimers,
  type CallObserver,
  type CallRouterOptions,
  type Federation,
  type Peer,
  type RouterLimits,
  type Timers,
} from './call-router.js';
export { Registry, type Device } from './registry.js';
export { defaultLimits, limitNames, parseLimit, resolveLimits, type LimitName, type ServerLimits } from './limits.js';
export {
  checkTurnOptions,
  turnCredentials,
  DEFAULT_TURN_TTL_SECONDS,
  TURN_TTL_RANGE,
  type TurnCredentials,
  type TurnOptions,
} from './turn-credentials.js';
export { createLogger, silentLogger, type Fields, type Level, type Logger, type LoggerOptions } from './log.js';
export { createMetrics, type CallCounts, type FrameMetrics, type FrameSource, type MetricsSources, type RefusalReason, type ServerMetrics } from './metrics.js';
export {
  generateKeys,
  keysFromPem,
  keysToPem,
  LINK_PATH,
  loadOrCreateKeys,
  WELL_KNOWN_PATH,
  type FederationOptions,
  type ServerKeys,
  type WellKnownDocument,
} from './federation/index.js';
export { MemoryHub, RedisState, type RedisStateOptions, type SharedState } from './cluster/index.js';
