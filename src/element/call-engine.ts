/**
 * What a call needs beyond the page's first load, in one lazily imported chunk: the call session (peer connection,
 * negotiation, handover) and the remembered device choice. Most pages with a widget never place a call; those that
 * do load this while the call rings, where it costs no setup time.
 *
 * @internal
 */
export { CallSession } from '../call/call-session.js';
export { loadDeviceChoice, mediaConstraints } from '../media/devices.js';
