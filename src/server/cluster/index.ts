export { ClusterRouter, NODE_LOST_REASON, STATE_UNREACHABLE_REASON, type ClusterRouterOptions } from './cluster-router.js';
export { MemoryHub } from './memory-state.js';
export { RedisState, type RedisStateOptions } from './redis-state.js';
export { decodeMessage, encodeMessage, type CallPlan, type NodeMessage, type RemoteDeviceRef, type SharedState } from './shared-state.js';
