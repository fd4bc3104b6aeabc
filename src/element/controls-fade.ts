import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The clock the fade runs on: the page's timers, or a test's. */
export type FadeTimers = Pick<typeof globalThis, 'setTimeout' | 'clearTimeout'>;

/** The activity that brings the controls back. */
const WAKE = ['pointermove', 'pointerdown', 'keydown', 'focusin'] as const;

/**
 * Fades a widget's controls out of the way of the video: after `delay` ms without pointer or key activity on the
 * widget, it adds the custom state `controls-hidden` (which the styles turn into a fade), and removes it at the next
 * move, tap, key or focus. Only while `active()` says so (a connected video call), and never while the focus is in the
 * widget: a keyboard user always sees where they are.
 *
 * @example
 * new ControlsFade(el, states, () => el.state === 'connected');
 * new ControlsFade(el, states, () => true, fakeTimers); // a test's clock
 */
export class ControlsFade implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #states: CustomStateSet;
  readonly #active: () => boolean;
  readonly #delay: number;
  readonly #timers: FadeTimers;
  #timer?: ReturnType<typeof setTimeout>;
  #hidden = false;

  constructor(host: ReactiveControllerHost & HTMLElement, states: CustomStateSet, active: () => boolean, timers: FadeTimers = globalThis, delay = 3000) {
    this.#host = host;
    this.#states = states;
    this.#active = active;
    this.#timers = timers;
    this.#delay = delay;
    host.addController(this);
  }

  hostConnected(): void {
    for (const type of WAKE) this.#host.addEventListener(type, this.#wake);
  }

  hostDisconnected(): void {
    for (const type of WAKE) this.#host.removeEventListener(type, this.#wake);
    this.#show();
  }

  hostUpdate(): void {
    // The element clears its states before each update: the fade outlives it.
    if (this.#hidden) this.#states.add('controls-hidden');
  }

  hostUpdated(): void {
    if (!this.#active()) this.#show();
    else this.#timer ??= this.#timers.setTimeout(this.#fade, this.#delay);
  }

  readonly #wake = (): void => {
    this.#show();
    if (this.#active()) this.#timer = this.#timers.setTimeout(this.#fade, this.#delay);
  };

  readonly #fade = (): void => {
    this.#timer = undefined;
    if (!this.#active()) return;
    if (this.#host.matches(':focus-within')) return this.#wake();
    this.#hidden = true;
    this.#states.add('controls-hidden');
  };

  #show(): void {
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#hidden = false;
    this.#states.delete('controls-hidden');
  }
}
