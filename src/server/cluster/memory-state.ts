import { decodeMessage, encodeMessage, type CallPlan, type NodeMessage, type SharedState } from './shared-state.js';

/**
 * The shared state of several servers in one Node process: what Redis holds for processes on many machines, in plain
 * maps. For tests of the cross-process rules without a Redis, and as the reference the Redis version must match.
 * Messages pass through their text form, as over Redis, so both take the same validation path.
 *
 * @example
 * const hub = new MemoryHub();
 * const one = await createWspServer({ domain, cluster: hub.state('one') });
 * const two = await createWspServer({ domain, cluster: hub.state('two') });
 */
export class MemoryHub {
  readonly #receivers = new Map<string, (message: NodeMessage) => void>();
  /** user → device → node */
  readonly #presence = new Map<string, Map<string, string>>();
  readonly #calls = new Set<string>();

  /** The shared state as process `node` sees it. */
  state(node: string): SharedState {
    const hub = this;
    return {
      node,
      async start(receive) {
        hub.#receivers.set(node, receive);
      },
      present(device, user) {
        const devices = hub.#presence.get(user) ?? new Map<string, string>();
        hub.#presence.set(user, devices.set(device, node));
      },
      absent(device, user) {
        hub.#presence.get(user)?.delete(device);
      },
      async prepareCall(call, user): Promise<CallPlan> {
        if (hub.#calls.has(call)) return { claimed: false };
        hub.#calls.add(call);
        const devices = [...(hub.#presence.get(user) ?? [])].filter(([, at]) => at !== node && hub.#receivers.has(at));
        return { claimed: true, devices: devices.map(([device, at]) => ({ device, node: at })) };
      },
      deliver(to, message) {
        const receive = hub.#receivers.get(to);
        const decoded = decodeMessage(encodeMessage(message));
        // Asynchronous like a network hop, so no router ever re-enters itself.
        if (receive && decoded) queueMicrotask(() => receive(decoded));
      },
      async heartbeat() {},
      async dead(nodes) {
        return nodes.filter((at) => !hub.#receivers.has(at));
      },
      async close() {
        hub.kill(node);
      },
    };
  }

  /** Process `node` vanishes at once, as if killed: its devices and messages go nowhere from now on. */
  kill(node: string): void {
    this.#receivers.delete(node);
    for (const devices of this.#presence.values()) {
      for (const [device, at] of devices) if (at === node) devices.delete(device);
    }
  }
}
