import type { ReactiveControllerHost } from 'lit';

/** Where the self-view tile sits: a corner of the widget, in logical terms (mirrored right to left). */
export type Corner = 'bottom-end' | 'bottom-start' | 'top-start' | 'top-end';
const CORNERS: Corner[] = ['bottom-end', 'bottom-start', 'top-start', 'top-end'];
/** How far (px) a pointer must move before a press on the tile is a drag rather than a tap. */
const SLOP = 6;

/**
 * Lets the user move the self-view tile to any corner: drag it there (it follows the pointer, then settles in the
 * nearest corner), or tap it to send it to the next corner (the single-pointer way, WCAG 2.5.7).
 *
 * @example
 * const drag = new SelfViewDrag(el);
 * html`<div part="self-view" data-corner=${drag.corner} @pointerdown=${drag.down}>…</div>`;
 */
export class SelfViewDrag {
  /** The corner the tile sits in. */
  corner: Corner = 'bottom-end';
  readonly #host: ReactiveControllerHost & HTMLElement;
  #start?: { x: number; y: number; moved: boolean };

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
  }

  readonly down = (event: PointerEvent): void => {
    const tile = event.currentTarget as HTMLElement;
    tile.setPointerCapture(event.pointerId);
    this.#start = { x: event.clientX, y: event.clientY, moved: false };
    tile.onpointermove = this.#move;
    tile.onpointerup = tile.onpointercancel = this.#up;
  };

  readonly #move = (event: PointerEvent): void => {
    const start = this.#start;
    if (!start) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    start.moved ||= Math.hypot(dx, dy) > SLOP;
    // Set through the CSSOM, which a content security policy allows, and only while dragging.
    if (start.moved) (event.currentTarget as HTMLElement).style.translate = `${dx}px ${dy}px`;
  };

  readonly #up = (event: PointerEvent): void => {
    const tile = event.currentTarget as HTMLElement;
    const start = this.#start;
    this.#start = undefined;
    tile.onpointermove = tile.onpointerup = tile.onpointercancel = null;
    tile.removeAttribute('style');
    if (!start || event.type === 'pointercancel') return;
    if (!start.moved) this.corner = CORNERS[(CORNERS.indexOf(this.corner) + 1) % CORNERS.length]!;
    else {
      const box = this.#host.getBoundingClientRect();
      const top = event.clientY < box.top + box.height / 2;
      const left = event.clientX < box.left + box.width / 2;
      const rtl = getComputedStyle(this.#host).direction === 'rtl';
      this.corner = `${top ? 'top' : 'bottom'}-${left !== rtl ? 'start' : 'end'}`;
    }
    this.#host.requestUpdate();
  };
}
