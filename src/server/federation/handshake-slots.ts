/**
 * How many link handshakes may wait for their origin's keys at once: per remote address and in all. A handshake names
 * its origin domain before anything proves it, and checking it means fetching that domain's document from wherever
 * it is: unbounded, one address naming a thousand domains would make the server open a thousand connections before
 * a single signature was checked. Pure bookkeeping.
 *
 * @example
 * const slot = slots.take(address);
 * if (!slot) return refuse(socket, 503, 'too many handshakes under way');
 * try { await discovery.lookup(origin); } finally { slot.release(); }
 */
export class HandshakeSlots {
  readonly #perAddress: number;
  readonly #total: number;
  readonly #taken = new Map<string, number>();
  #inUse = 0;

  constructor(perAddress: number, total: number) {
    this.#perAddress = perAddress;
    this.#total = total;
  }

  /** Handshakes waiting now, from `address` or in all. */
  waiting(address?: string): number {
    return address === undefined ? this.#inUse : (this.#taken.get(address) ?? 0);
  }

  /** A slot for one handshake from `address`, or undefined when that address or the server has none left. */
  take(address: string): { release(): void } | undefined {
    const taken = this.#taken.get(address) ?? 0;
    if (taken >= this.#perAddress || this.#inUse >= this.#total) return undefined;
    this.#taken.set(address, taken + 1);
    this.#inUse += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inUse -= 1;
        const left = (this.#taken.get(address) ?? 1) - 1;
        if (left > 0) this.#taken.set(address, left);
        else this.#taken.delete(address);
      },
    };
  }
}
