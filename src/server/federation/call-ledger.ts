import { ByeCode, type Frame } from '../../protocol/index.js';

/** Which way a frame crossed a link: `out` from this server, `in` from the other. */
export type Direction = 'in' | 'out';

/**
 * The calls a link carries, learnt from the frames that cross it, so that a link knows when it is idle
 * (docs/protocol.md §8.5). A call starts with its `invite` and ends with any `bye` of its id but 101;
 * with 101 it ends once both directions have sent one (the handover, §4.4). Pure bookkeeping: whether
 * a frame is allowed is the router's business, not this one's.
 *
 * @example
 * ledger.note('out', invite);   // ledger.size === 1
 * ledger.note('in', bye603);    // ledger.size === 0
 */
export class CallLedger {
  /** call id → the directions that sent bye 101. */
  readonly #calls = new Map<string, Set<Direction>>();

  /** How many calls are open on the link. */
  get size(): number {
    return this.#calls.size;
  }

  has(call: string): boolean {
    return this.#calls.has(call);
  }

  note(direction: Direction, frame: Frame): void {
    const call = frame[2].call;
    if (call === undefined) return; // a notice ends nothing (§6)
    if (frame[0] === 'invite') {
      if (!this.#calls.has(call)) this.#calls.set(call, new Set());
      return;
    }
    if (frame[0] !== 'bye') return;
    const transferred = this.#calls.get(call);
    if (!transferred) return;
    if (frame[1].code !== ByeCode.TRANSFERRED) {
      this.#calls.delete(call);
      return;
    }
    transferred.add(direction);
    if (transferred.size === 2) this.#calls.delete(call);
  }

  clear(): void {
    this.#calls.clear();
  }
}
