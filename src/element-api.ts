// Generated from custom-elements.json by scripts/element-api.mjs (`npm run manifest`): do not edit.
// The one list of <wsp-call>'s API that the framework typings (react.ts, vue.ts) map over; the types come from
// the element (its fields, its HTMLElementEventMap entries). test/node/element-typings.test.ts checks the typings.

/** The properties a page may set on `<wsp-call>`: its public fields. */
export type WspCallProperty =
  | 'server'
  | 'caller'
  | 'callerName'
  | 'callee'
  | 'calleeName'
  | 'token'
  | 'ringTimeout'
  | 'tokenProvider'
  | 'iceServers'
  | 'relayOnly'
  | 'connectTimeout'
  | 'audioOnly'
  | 'muted'
  | 'cameraOff'
  | 'silent'
  | 'preview'
  | 'lang'
  | 'strings';

/** The events `<wsp-call>` fires. */
export type WspCallEventName =
  | 'mutechange'
  | 'camerachange'
  | 'ringing'
  | 'connected'
  | 'ended'
  | 'error'
  | 'statechange'
  | 'pipchange'
  | 'fullscreenchange'
  | 'screenshare'
  | 'qualitychange';
