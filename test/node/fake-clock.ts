// A clock that moves only when a test says so, for the browser-side modules that take their timers injected.
import type { DeadlineTimers } from '../../src/call/connect-deadline.js';

/** `advance(ms)` fires what falls due, in order; `pending()` counts the timers set and not yet fired or cleared. */
export function fakeClock(): DeadlineTimers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; callback: () => void }>();
  return {
    setTimeout: (callback, ms) => (due.set(++next, { at: now + ms, callback }), next),
    clearTimeout: (handle) => void due.delete(handle as number),
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...due].sort(([, a], [, b]) => a.at - b.at)) if (timer.at <= now) due.delete(id), timer.callback();
    },
    pending: () => due.size,
  };
}
