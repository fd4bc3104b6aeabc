import { decode, encode, type Frame } from '../../protocol/index.js';

/**
 * What the processes serving one domain share (docs/deploy.md "Several processes"): who is online where, a way to
 * reach one process, and which process owns a call id. The CallRouter of each process keeps its own calls; this is
 * only what it needs to know about the others. `MemoryHub` (one process, tests) and `RedisState` implement it.
 */
export interface SharedState {
  /** This process's id, unique among the live processes of the domain. */
  readonly node: string;
  /** Registers the process as live and starts delivering its messages to `receive`. */
  start(receive: (message: NodeMessage) => void): Promise<void>;
  /** A device of this process came online (`device` is `node/n`, unique in the domain). Best effort: never throws. */
  present(device: string, user: string): void;
  /** A device of this process went offline. Best effort: never throws. */
  absent(device: string, user: string): void;
  /**
   * In one atomic step: claims call id `call` for this process for `ttlMs` (no other process may place a call with it
   * meanwhile) and lists the devices of `user` on the other live processes. Rejects when the shared state cannot be
   * reached: the caller then serves what it knows locally, or fails fast.
   */
  prepareCall(call: string, user: string, ttlMs: number): Promise<CallPlan>;
  /** Sends `message` to process `node` only (never to all). Best effort: a message to a dead process is lost. */
  deliver(node: string, message: NodeMessage): void;
  /** Refreshes this process's liveness; rejects when the shared state cannot be reached. */
  heartbeat(): Promise<void>;
  /** Which of `nodes` are no longer live (their heartbeat expired); rejects when the shared state cannot be reached. */
  dead(nodes: readonly string[]): Promise<string[]>;
  /**
   * Called after the shared state came back from an outage, once this process's liveness and presence are written
   * again (a restarted Redis without persistence forgot them).
   */
  onRecovered?: () => void;
  /** Whether the shared state answers now (readiness checks); undefined when it cannot fail (in memory). */
  readonly reachable?: boolean;
  /** How many commands to it failed since the start (metrics). */
  readonly errors?: number;
  /** Leaves the domain: presence and liveness removed, subscriptions closed. */
  close(): Promise<void>;
}

/** A device of the callee on another process. */
export interface RemoteDeviceRef {
  node: string;
  device: string;
}

export type CallPlan = { claimed: false } | { claimed: true; devices: RemoteDeviceRef[] };

/**
 * A message between two processes of one domain. `frame` is the WSP frame as sent on the wire, decoded and validated
 * again by the receiver like any frame from the network.
 * - `to`: the call's owner `from` sends a frame to its device `device` on the receiving process;
 * - `from`: device `device` (user `user`) on process `node` sends a frame of a call the receiving process owns;
 * - `gone`: device `device` on process `node` went offline: the receiving process forgets it in its calls.
 */
export type NodeMessage =
  | { kind: 'to'; from: string; device: string; frame: Frame }
  | { kind: 'from'; node: string; device: string; user: string; frame: Frame }
  | { kind: 'gone'; node: string; device: string };

const NAME = /^[\w./:@-]{1,300}$/;

export function encodeMessage(message: NodeMessage): string {
  return JSON.stringify('frame' in message ? { ...message, frame: encode(message.frame) } : message);
}

/** The message in `text`, or undefined when it is none: a message from another process is checked like a client's. */
export function decodeMessage(text: string): NodeMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const name = (key: string) => (typeof fields[key] === 'string' && NAME.test(fields[key]) ? fields[key] : undefined);
  const device = name('device');
  if (device === undefined) return undefined;
  if (fields.kind === 'gone') {
    const node = name('node');
    return node === undefined ? undefined : { kind: 'gone', node, device };
  }
  if (typeof fields.frame !== 'string') return undefined;
  const decoded = decode(fields.frame);
  if (!decoded.ok) return undefined;
  if (fields.kind === 'to') {
    const from = name('from');
    return from === undefined ? undefined : { kind: 'to', from, device, frame: decoded.frame };
  }
  if (fields.kind === 'from') {
    const node = name('node');
    const user = name('user');
    return node === undefined || user === undefined ? undefined : { kind: 'from', node, device, user, frame: decoded.frame };
  }
  return undefined;
}
