// Shared by the ui-*.test.ts suites: parts by name, calls brought to a given state, a bare WSP client that never
// answers (to hold a call in `dialing`), and keyboard navigation through real key presses.
import { emulateMedia, sendKeys, sendMouse } from '@web/test-runner-commands';
import type { WspCall } from '../../src/wsp-call.js';
import { emulation, freshUser, next, pair, phone, waitUntil, wspSocket } from './helpers.js';

/** The element of `el`'s shadow root with `part` among its parts. */
export function part<E extends Element = HTMLElement>(el: WspCall, name: string): E | null {
  return el.shadowRoot!.querySelector<E>(`[part~="${name}"]`);
}

/** A real click at the middle of `el`'s part `name`: it carries the user activation that full screen, PiP and screen sharing need. */
export async function click(el: WspCall, name: string): Promise<void> {
  const { x, y, width, height } = part(el, name)!.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(x + width / 2), Math.round(y + height / 2)] });
}

/** Waits until `el` shows the part `name` (the in-call chunk may still be loading when a call starts). */
export async function shown<E extends Element = HTMLElement>(el: WspCall, name: string): Promise<E> {
  await waitUntil(() => part(el, name), `${el.caller}: no part ${name} in state ${el.state}`, { timeout: 10_000 });
  return part<E>(el, name)!;
}

/** The status line's text. */
export function status(el: WspCall): string {
  return part(el, 'status')!.textContent!.trim();
}

/** Two widgets of fresh `ui` users; the first calls, the second's device rings. */
export async function ringing(attributes?: Record<string, string>): Promise<[WspCall, WspCall]> {
  const [alice, bob] = await pair('ui', attributes);
  const rung = Promise.all([next(alice, 'ringing'), next(bob, 'ringing')]);
  await alice.call();
  await rung;
  await shown(bob, 'incoming');
  return [alice, bob];
}

/** A connected call between two fresh `ui` widgets, their in-call controls shown. */
export async function connected(attributes?: Record<string, string>): Promise<[WspCall, WspCall]> {
  const [alice, bob] = await ringing(attributes);
  const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
  await bob.accept();
  await up;
  await Promise.all([shown(alice, 'timer'), shown(bob, 'timer')]);
  return [alice, bob];
}

/**
 * A widget whose call stays in `dialing`: its callee is online through a bare WebSocket that takes the invite and
 * never answers `ringing`. `close()` takes that callee off the server.
 */
export async function dialing(): Promise<{ el: WspCall; close: () => void }> {
  const callee = freshUser('ui');
  const socket = await wspSocket(callee);
  const invited = new Promise((resolve) => (socket.onmessage = resolve));
  const el = await phone(freshUser('ui'), callee);
  await el.call();
  await invited;
  await shown(el, 'party');
  return { el, close: () => socket.close() };
}

/** Presses Tab (Shift+Tab when `back`) until the focus is on `el`'s part `name`; fails after `max` presses. */
export async function tabTo(el: WspCall, name: string, max = 12, back = false): Promise<HTMLElement> {
  for (let i = 0; i < max; i++) {
    const focused = el.shadowRoot!.activeElement;
    if (focused?.part.contains(name)) return focused as HTMLElement;
    // Puppeteer presses one key at a time: Shift is held around the Tab.
    if (back) await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    if (back) await sendKeys({ up: 'Shift' });
  }
  throw new Error(`Tab never reached ${name}`);
}

/**
 * Emulates the user's preferences (colour scheme, reduced motion) where the browser lets a test do so, and says
 * whether it could: Chromium can (over CDP); Firefox cannot, since WebDriver BiDi has no command for it yet, nor
 * WebKit over plain WebDriver.
 */
export async function emulate(features: Parameters<typeof emulateMedia>[0]): Promise<boolean> {
  if (!emulation || navigator.userAgent.includes('Firefox')) return false;
  await emulateMedia(features);
  return true;
}
