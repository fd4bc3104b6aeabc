import type { enCall } from './en-call.js';
import type { enDevices } from './en-devices.js';

/**
 * Every string `<wsp-call>` shows or announces before a call, in English (built in; those of a call are in
 * `en-call.ts`). `{0}`, at most once per string, stands for the other party: their name and address, or the address
 * alone (the error message in `error`). Ended calls show the reason of their `bye` code: a translation lists those by
 * code (`'603': 'Abgelehnt'`); English takes the reason the session gives.
 *
 * @example
 * el.strings = { hangup: 'Leave', 603: 'They are busy right now' };
 */
export const en = {
  /** The text direction of the language. */
  dir: 'ltr',
  label: 'Video call',
  /** The widget's accessible name once the other party is known (the callee before a call). */
  labelWith: 'Video call with {0}',
  ready: 'Ready',
  offline: 'Offline',
  error: 'Error: {0}',
  dialing: 'Calling {0}…',
  ringing: 'Ringing {0}…',
  incoming: '{0} is calling',
  connecting: 'Connecting to {0}…',
  connected: 'In a call with {0}',
  call: 'Call {0}',
  accept: 'Accept',
  decline: 'Decline',
  cancel: 'Cancel',
  hangup: 'Hang up',
  settings: 'Settings',
  /** Shown instead of the call button's status where the browser lacks WebRTC or camera and microphone access. */
  unsupported: 'Calls are not possible in this browser',
  // Why the widget is not connected to its server, by the `code` of its `error` event (ConnectionErrorCode).
  'origin-refused': 'This site may not connect',
  'token-refused': 'Sign-in refused',
  'token-provider': 'No sign-in token',
  unreachable: 'Server unreachable',
  'connection-lost': 'Connection lost',
};

/** The strings of one language: every key of {@link en}, of the in-call chunk's and of the devices panel's, plus ended reasons by `bye` code. */
export type Strings = typeof en & typeof enCall & typeof enDevices & Record<number, string>;

/** A translation, or an override: any subset of the strings. */
export type PartialStrings = Partial<typeof en & typeof enCall & typeof enDevices> & Record<number, string>;

// Each translation is its own lazily imported chunk: a page loads only the language it shows.
const shipped: Record<string, () => Promise<{ default: PartialStrings }>> = {
  ar: () => import('./ar.js'),
  de: () => import('./de.js'),
  fr: () => import('./fr.js'),
};

/**
 * The shipped translation of `lang` (a BCP 47 tag: `de`, `de-CH`, `ar-EG`…), or undefined for English and for a
 * language not shipped.
 *
 * @example
 * const de = await translation('de-AT'); // the German strings
 */
export async function translation(lang: string): Promise<PartialStrings | undefined> {
  return (await shipped[lang.split('-')[0]!.toLowerCase()]?.())?.default;
}
