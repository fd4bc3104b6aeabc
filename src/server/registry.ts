/** What the registry needs of a connection: whose it is. */
export interface Device {
  /** The authenticated user's canonical address `user@domain`. */
  readonly user: string;
}

/**
 * Who is online: each user's connected devices (a tab, a phone…). Pure bookkeeping, no sockets, so
 * the router and its tests share it. A user with no device left is removed, so `size` counts users.
 *
 * @example
 * const registry = new Registry<Connection>();
 * registry.add(connection);
 * for (const device of registry.devices('bob@example.org')) device.send(invite);
 */
export class Registry<D extends Device> {
  readonly #devices = new Map<string, Set<D>>();

  add(device: D): void {
    const set = this.#devices.get(device.user);
    if (set) set.add(device);
    else this.#devices.set(device.user, new Set([device]));
  }

  /** Removes a device; a no-op when it is not registered, so a double close is harmless. */
  remove(device: D): void {
    const set = this.#devices.get(device.user);
    if (!set?.delete(device)) return;
    if (set.size === 0) this.#devices.delete(device.user);
  }

  /** The devices of `user`, in connection order; a copy, so callers may add or remove while iterating. */
  devices(user: string): D[] {
    return [...(this.#devices.get(user) ?? [])];
  }

  isOnline(user: string): boolean {
    return this.#devices.has(user);
  }

  /** How many users are online. */
  get size(): number {
    return this.#devices.size;
  }
}
