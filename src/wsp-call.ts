/**
 * Registers `<wsp-call>`. Importing this module defines the element (once, even if the module is loaded twice);
 * the class itself lives in `./element/wsp-call.js`, free of side effects.
 *
 * @example
 * import 'wsp-call';
 * document.body.append(Object.assign(document.createElement('wsp-call'), { server, caller, callee, tokenProvider }));
 */
import { WspCall } from './element/wsp-call.js';

export { WspCall };
export * from './call/events.js';
export { CallState } from './call/call-state.js';
export type { SignalingChannel } from './call/call-session.js';
export type { PartialStrings, Strings } from './i18n/strings.js';
export type { QualityChangeEvent } from './call/call-media.js';

if (!customElements.get('wsp-call')) customElements.define('wsp-call', WspCall);

declare global {
  interface HTMLElementTagNameMap {
    'wsp-call': WspCall;
  }
}
