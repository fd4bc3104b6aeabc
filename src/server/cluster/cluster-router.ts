import { ByeCode, callIdOf, parseAddress, type ByeFrame, type Frame, type InviteFrame } from '../../protocol/index.js';
import type { CallRouter, Peer } from '../call-router.js';
import { LIVENESS_HEARTBEATS } from '../defaults.js';
import type { Logger } from '../log.js';
import type { NodeMessage, RemoteDeviceRef, SharedState } from './shared-state.js';

/** What the router relays for a device of this process in a call another process owns. */
interface Relay {
  readonly call: string;
  readonly owner: string;
  readonly device: Peer;
  /** Which bye 101 have passed (§4.4): once both have, the call lives on the DataChannel and the relay is done. */
  transferredIn: boolean;
  transferredOut: boolean;
}

export interface ClusterRouterOptions {
  domain: string;
  router: CallRouter;
  state: SharedState;
  /** How often liveness is proven and the other processes' checked, in ms. */
  heartbeatMs: number;
  /** How long a call id stays claimed: as long as the call may ring. */
  claimMs: number;
  log: Logger;
}

/** Said to a device whose call's owner died, and to a caller whose callee's process died, before the handover. */
export const NODE_LOST_REASON = 'the server holding the other party was lost';
/** Said to a caller when the processes of the domain cannot reach their shared state (Redis) and none of the callee's devices is here. */
export const STATE_UNREACHABLE_REASON = 'the servers of this domain cannot reach each other; try again shortly';

function bye(call: string, code: number, reason?: string): ByeFrame {
  return ['bye', reason === undefined ? { code } : { code, reason }, { call }];
}

/** A device of the callee on another process, as the owner's router sees it: frames to it go over the shared state. */
class RemoteDevice implements Peer {
  readonly user: string;
  readonly node: string;
  readonly id: string;
  readonly #send: (frame: Frame) => void;

  constructor(user: string, node: string, id: string, send: (frame: Frame) => void) {
    this.user = user;
    this.node = node;
    this.id = id;
    this.#send = send;
  }

  send(frame: Frame): void {
    this.#send(frame);
  }
}

/**
 * One domain on several processes (docs/deploy.md): sits between the connections (and federation links) and this
 * process's CallRouter. The process where a call is placed owns it: its router holds the call, and the callee's
 * devices on other processes are peers in it like local ones (`RemoteDevice`), so forking, the ring timeout and the
 * first accept win exactly as on one process — the owner sees every accept, in order. The call id is claimed for the
 * domain first (atomically, `SharedState.prepareCall`), so two processes never place calls with one id.
 *
 * On the device's process a frame of a call owned elsewhere goes straight to the owner (`Relay`); every other frame
 * to this process's router. A process that dies (its heartbeat expired) ends the calls it took part in that had not
 * handed over yet, on every other process, with bye 503.
 *
 * @example
 * const cluster = new ClusterRouter({ domain, router, state, heartbeatMs: 1000, claimMs: 60_000, log });
 * await cluster.start();
 * connection = new Connection(socket, user, cluster, log, limits);
 */
export class ClusterRouter {
  readonly #domain: string;
  readonly #router: CallRouter;
  readonly #state: SharedState;
  readonly #heartbeatMs: number;
  readonly #claimMs: number;
  readonly #log: Logger;
  /** This process's devices: connection ↔ domain-wide id. */
  readonly #ids = new Map<Peer, string>();
  readonly #devices = new Map<string, Peer>();
  #sequence = 0;
  /** Devices of other processes in calls this process owns, by id. */
  readonly #remote = new Map<string, RemoteDevice>();
  /** Calls owned elsewhere that devices of this process take part in, by `call \n device id`. */
  readonly #relays = new Map<string, Relay>();
  /** Per device of this process: its relays, and the processes it was invited from (told when it goes). */
  readonly #relaysOf = new Map<Peer, Set<string>>();
  readonly #ownersOf = new Map<Peer, Set<string>>();
  /** Work waiting on the shared state, per sender: its later frames wait too, so a bye never overtakes its invite. */
  readonly #queues = new Map<Peer, Promise<void>>();
  /** Heartbeats to let pass, after Redis came back, before judging others dead: they are writing their keys again. */
  #grace = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: ClusterRouterOptions) {
    this.#domain = options.domain;
    this.#router = options.router;
    this.#state = options.state;
    this.#heartbeatMs = options.heartbeatMs;
    this.#claimMs = options.claimMs;
    this.#log = options.log;
    this.#state.onRecovered = () => {
      this.#grace = LIVENESS_HEARTBEATS;
    };
  }

  /** This process's id among the domain's processes. */
  get node(): string {
    return this.#state.node;
  }

  /** For readiness and metrics: whether the shared state answers now, and how many commands to it failed. */
  health(): { node: string; reachable: boolean; errors: number } {
    return { node: this.#state.node, reachable: this.#state.reachable ?? true, errors: this.#state.errors ?? 0 };
  }

  async start(): Promise<void> {
    await this.#state.start((message) => this.#message(message));
    this.#schedule();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#state.close();
  }

  connect(peer: Peer): void {
    this.#router.connect(peer);
    if (peer.domain !== undefined) return;
    const id = `${this.#state.node}/${++this.#sequence}`;
    this.#ids.set(peer, id);
    this.#devices.set(id, peer);
    this.#state.present(id, peer.user);
  }

  disconnect(peer: Peer): void {
    this.#serially(peer, () => this.#disconnect(peer));
  }

  receive(from: Peer, frame: Frame): void {
    const id = callIdOf(frame);
    const relay = id === undefined ? undefined : this.#relays.get(this.#relayKey(id, from));
    if (relay && frame[0] !== 'invite') return this.#forward(relay, frame);
    this.#serially(from, () => (frame[0] === 'invite' ? this.#invite(from, frame) : this.#router.receive(from, frame)));
  }

  /** Runs `work` now, or after the sender's pending work: a sender's frames reach the router in the order they came. */
  #serially(peer: Peer, work: () => void | Promise<void>): void {
    const pending = this.#queues.get(peer);
    if (!pending) {
      const result = work();
      if (result) this.#queue(peer, result);
      return;
    }
    this.#queue(
      peer,
      pending.then(() => work()),
    );
  }

  #queue(peer: Peer, promise: Promise<void>): void {
    const tail = promise.catch((error: unknown) => this.#log.error('cluster routing failed', { error }));
    this.#queues.set(peer, tail);
    void tail.then(() => {
      if (this.#queues.get(peer) === tail) this.#queues.delete(peer);
    });
  }

  /** Invites to this domain's users learn first where the callee's devices are; others go to the router as they are. */
  async #invite(from: Peer, frame: InviteFrame): Promise<void> {
    const callee = frame[1].callee.uri;
    if (parseAddress(callee)?.domain !== this.#domain) return this.#router.receive(from, frame);
    const id = frame[2].call;
    let remote: RemoteDevice[];
    try {
      const plan = await this.#state.prepareCall(id, callee, this.#claimMs);
      if (!plan.claimed) {
        const reason = `call id ${id} is already in use`;
        return from.send(from.domain === undefined ? ['bye', { code: ByeCode.MALFORMED, reason }, {}] : bye(id, ByeCode.MALFORMED, reason));
      }
      remote = plan.devices.map((ref) => this.#remoteDevice(ref, callee));
    } catch (error) {
      this.#log.warn('shared state unreachable at an invite', { call: id, error });
      // The devices here still ring; the others cannot be found, so a callee with none here cannot be reached now.
      if (!this.#router.registry.isOnline(callee)) return from.send(bye(id, ByeCode.SERVER_ERROR, STATE_UNREACHABLE_REASON));
      remote = [];
    }
    if (this.#closed) return;
    this.#router.receive(from, frame, remote);
  }

  #disconnect(peer: Peer): void {
    const id = this.#ids.get(peer);
    if (id !== undefined) {
      this.#ids.delete(peer);
      this.#devices.delete(id);
      this.#state.absent(id, peer.user);
      for (const key of this.#relaysOf.get(peer) ?? []) this.#relays.delete(key);
      for (const owner of this.#ownersOf.get(peer) ?? []) this.#state.deliver(owner, { kind: 'gone', node: this.#state.node, device: id });
      this.#relaysOf.delete(peer);
      this.#ownersOf.delete(peer);
    }
    this.#router.disconnect(peer);
  }

  #remoteDevice(ref: RemoteDeviceRef, user: string): RemoteDevice {
    let device = this.#remote.get(ref.device);
    if (!device) {
      const node = this.#state.node;
      device = new RemoteDevice(user, ref.node, ref.device, (frame) => this.#state.deliver(ref.node, { kind: 'to', from: node, device: ref.device, frame }));
      this.#remote.set(ref.device, device);
    }
    return device;
  }

  #message(message: NodeMessage): void {
    if (this.#closed) return;
    switch (message.kind) {
      case 'to':
        return this.#deliverLocally(message.from, message.device, message.frame);
      case 'from': {
        // A process speaks for its own devices only; and a device places its calls on its own process.
        if (!message.device.startsWith(`${message.node}/`) || message.frame[0] === 'invite') {
          return this.#log.warn('message from another process dropped', { node: message.node, keyword: message.frame[0] });
        }
        const device = this.#remoteDevice(message, message.user);
        return this.#router.receive(device, message.frame);
      }
      case 'gone': {
        const device = this.#remote.get(message.device);
        if (!device || device.node !== message.node) return;
        this.#remote.delete(message.device);
        return this.#router.disconnect(device);
      }
    }
  }

  /** A frame from the owner of a call to a device of this process. */
  #deliverLocally(owner: string, deviceId: string, frame: Frame): void {
    const device = this.#devices.get(deviceId);
    // Gone already: the owner forgets it in its calls, as it would a closed local connection.
    if (!device) return this.#state.deliver(owner, { kind: 'gone', node: this.#state.node, device: deviceId });
    const id = callIdOf(frame);
    if (id !== undefined) {
      const key = this.#relayKey(id, device);
      const relay = this.#relays.get(key);
      if (frame[0] === 'invite') {
        // Call ids are claimed for the domain while they ring; a clash means an id reused after: the device is busy.
        if (relay || this.#router.hasCall(id)) return this.#toOwner(owner, deviceId, device, bye(id, ByeCode.BUSY));
        this.#relays.set(key, { call: id, owner, device, transferredIn: false, transferredOut: false });
        this.#add(this.#relaysOf, device, key);
        this.#add(this.#ownersOf, device, owner);
      } else if (relay && frame[0] === 'bye') {
        this.#passed(relay, key, frame, 'in');
      }
    }
    device.send(frame);
  }

  /** A frame of a device of this process, in a call another process owns. */
  #forward(relay: Relay, frame: Frame): void {
    const deviceId = this.#ids.get(relay.device)!;
    if (frame[0] === 'bye') this.#passed(relay, this.#relayKey(relay.call, relay.device), frame, 'out');
    this.#toOwner(relay.owner, deviceId, relay.device, frame);
  }

  #toOwner(owner: string, deviceId: string, device: Peer, frame: Frame): void {
    this.#state.deliver(owner, { kind: 'from', node: this.#state.node, device: deviceId, user: device.user, frame });
  }

  /** A bye went through: the relay ends with it, or with the second bye 101 (then the call is on its DataChannel). */
  #passed(relay: Relay, key: string, frame: ByeFrame, direction: 'in' | 'out'): void {
    if (frame[1].code === ByeCode.TRANSFERRED) {
      if (direction === 'in') relay.transferredIn = true;
      else relay.transferredOut = true;
      if (!(relay.transferredIn && relay.transferredOut)) return;
    }
    this.#relays.delete(key);
    this.#relaysOf.get(relay.device)?.delete(key);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#beat().finally(() => this.#schedule()), this.#heartbeatMs);
    this.#timer.unref();
  }

  /**
   * Proves this process live, then ends the calls of processes that are not: their devices leave this process's calls
   * (a callee lost before the handover ends the call with bye 503), and devices here in calls they owned get bye 503.
   * While the shared state cannot be reached nobody is judged: an outage of Redis is no death of a process.
   */
  async #beat(): Promise<void> {
    let dead: string[];
    try {
      await this.#state.heartbeat();
      if (this.#grace > 0) {
        this.#grace--;
        return;
      }
      const nodes = new Set<string>();
      for (const device of this.#remote.values()) nodes.add(device.node);
      for (const relay of this.#relays.values()) nodes.add(relay.owner);
      dead = await this.#state.dead([...nodes]);
    } catch {
      return;
    }
    if (this.#closed) return;
    for (const node of dead) this.#lost(node);
  }

  #lost(node: string): void {
    this.#log.warn('process lost: ending its calls', { node });
    for (const device of [...this.#remote.values()]) {
      if (device.node !== node) continue;
      this.#remote.delete(device.id);
      this.#router.disconnect(device, ByeCode.PEER_LOST);
    }
    for (const [key, relay] of [...this.#relays]) {
      if (relay.owner !== node) continue;
      this.#relays.delete(key);
      this.#relaysOf.get(relay.device)?.delete(key);
      relay.device.send(bye(relay.call, ByeCode.PEER_LOST, NODE_LOST_REASON));
    }
    for (const owners of this.#ownersOf.values()) owners.delete(node);
  }

  #relayKey(call: string, device: Peer): string {
    return `${call}\n${this.#ids.get(device)}`;
  }

  #add(map: Map<Peer, Set<string>>, peer: Peer, value: string): void {
    const set = map.get(peer);
    if (set) set.add(value);
    else map.set(peer, new Set([value]));
  }
}
