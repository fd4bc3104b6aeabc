import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { LIVENESS_HEARTBEATS } from '../defaults.js';
import type { Logger } from '../log.js';
import { decodeMessage, encodeMessage, type CallPlan, type NodeMessage, type RemoteDeviceRef, type SharedState } from './shared-state.js';

export interface RedisStateOptions {
  /** `redis://host:port/db`, as node-redis reads it. */
  url: string;
  /** The domain served: its keys and channels are apart from any other domain's on the same Redis. */
  domain: string;
  /** How often this process proves it is live, in ms; it counts as dead LIVENESS_HEARTBEATS of these after its last proof. */
  heartbeatMs: number;
  log: Logger;
  /** This process's id. Default: a fresh random one per start, so a restarted process is never taken for its ghost. */
  node?: string;
  /** Told of each failed operation (connection, command, write, recover, leave): the server's `wsp_redis_errors_total`. */
  onError?: (operation: string) => void;
}

/**
 * Claims the call id and lists the callee's devices on live processes, in one round trip and atomically: the claim
 * and the listing see the same moment. Entries of processes whose heartbeat key expired are removed on the way.
 * KEYS: call key, presence hash. ARGV: this node, claim ttl (ms), prefix of the heartbeat keys.
 */
const PREPARE_CALL = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
local fields = redis.call('HGETALL', KEYS[2])
local live = {1}
for i = 1, #fields, 2 do
  local node = fields[i + 1]
  if node ~= ARGV[1] then
    if redis.call('EXISTS', ARGV[3] .. node) == 1 then
      table.insert(live, fields[i])
      table.insert(live, node)
    else
      redis.call('HDEL', KEYS[2], fields[i])
    end
  end
end
return live`;

/**
 * The shared state on a Redis server, through node-redis (the `redis` package): it reconnects by itself and, unlike a
 * client that forgets them, subscribes its channels again after a reconnect (test/node/cluster-redis.test.ts restarts
 * Redis mid-run to prove it). Keys, all under `wsp:<domain>:`:
 * - `node:<id>`: the process's heartbeat key, with a TTL of LIVENESS_HEARTBEATS heartbeats; a process is live while it
 *   exists (LiveKit's rule). Written on a connection of its own, so a long queue of frames never delays it;
 * - `user:<address>`: a hash device → node: where each device of the user is. An entry counts only while its node is
 *   live, so a killed process's users vanish when its key expires, without anybody writing for them;
 * - `call:<id>`: which process placed the call, claimed with `SET NX` for as long as the call may ring;
 * and one channel per process, `wsp:<domain>:node:<id>`: point-to-point, never a broadcast.
 *
 * Commands fail at once while Redis is unreachable (no offline queue): a call placed then must not wait for it.
 *
 * @example
 * const state = new RedisState({ url: 'redis://127.0.0.1:6379', domain: 'example.org', heartbeatMs: 1000, log });
 */
export class RedisState implements SharedState {
  readonly node: string;
  onRecovered?: () => void;
  /** Commands that failed (Redis unreachable or erring), for the operator's metrics. */
  errors = 0;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #log: Logger;
  readonly #onError?: (operation: string) => void;
  readonly #client: RedisClientType;
  readonly #subscriber: RedisClientType;
  /** Heartbeats and liveness checks only: behind thousands of queued PUBLISHes a heartbeat could come too late. */
  readonly #liveness: RedisClientType;
  /** This process's devices, device → user: written again after Redis lost them. */
  readonly #local = new Map<string, string>();
  #started = false;
  #closing = false;

  constructor(options: RedisStateOptions) {
    this.node = options.node ?? randomBytes(6).toString('hex');
    this.#prefix = `wsp:${options.domain}:`;
    this.#ttlMs = LIVENESS_HEARTBEATS * options.heartbeatMs;
    this.#log = options.log.child({ redisNode: this.node });
    this.#onError = options.onError;
    // Retries back off, but never beyond one heartbeat: a process must be back before the others' grace runs out.
    const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, options.heartbeatMs);
    this.#client = createClient({ url: options.url, disableOfflineQueue: true, socket: { reconnectStrategy } }) as RedisClientType;
    this.#subscriber = this.#client.duplicate() as RedisClientType;
    this.#liveness = this.#client.duplicate() as RedisClientType;
    for (const client of [this.#client, this.#subscriber, this.#liveness]) {
      // Without a listener node-redis would throw its connection errors and end the process.
      client.on('error', (error: Error) => {
        this.#failed('connection');
        this.#log.warn('redis error', { error: error.message });
      });
    }
    this.#client.on('ready', () => {
      if (this.#started && !this.#closing) void this.#recover();
    });
  }

  /** Whether all three connections (commands, subscriptions, liveness) are up now. */
  get reachable(): boolean {
    return this.#client.isReady && this.#subscriber.isReady && this.#liveness.isReady;
  }

  async start(receive: (message: NodeMessage) => void): Promise<void> {
    await Promise.all([this.#client.connect(), this.#subscriber.connect(), this.#liveness.connect()]);
    await this.#subscriber.subscribe(this.#channel(this.node), (text) => {
      const message = decodeMessage(text);
      if (message) receive(message);
      else this.#log.warn('malformed message from another process dropped', { length: text.length });
    });
    await this.heartbeat();
    this.#started = true;
  }

  present(device: string, user: string): void {
    this.#local.set(device, user);
    // Logged once written: from then on the other processes find the device (tests wait for this line).
    this.#best(this.#client.hSet(this.#userKey(user), device, this.node).then(() => this.#log.debug('presence written', { device })));
  }

  absent(device: string, user: string): void {
    this.#local.delete(device);
    this.#best(this.#client.hDel(this.#userKey(user), device));
  }

  async prepareCall(call: string, user: string, ttlMs: number): Promise<CallPlan> {
    const reply = (await this.#counted(
      this.#client.eval(PREPARE_CALL, {
        keys: [`${this.#prefix}call:${call}`, this.#userKey(user)],
        arguments: [this.node, String(ttlMs), `${this.#prefix}node:`],
      }),
    )) as unknown[];
    if (reply[0] !== 1) return { claimed: false };
    const devices: RemoteDeviceRef[] = [];
    for (let i = 1; i + 1 < reply.length; i += 2) devices.push({ device: String(reply[i]), node: String(reply[i + 1]) });
    return { claimed: true, devices };
  }

  deliver(node: string, message: NodeMessage): void {
    this.#best(this.#client.publish(this.#channel(node), encodeMessage(message)));
  }

  async heartbeat(): Promise<void> {
    await this.#counted(this.#liveness.set(this.#nodeKey(this.node), '1', { PX: this.#ttlMs }));
  }

  async dead(nodes: readonly string[]): Promise<string[]> {
    if (nodes.length === 0) return [];
    const live = await this.#counted(Promise.all(nodes.map((node) => this.#liveness.exists(this.#nodeKey(node)))));
    return nodes.filter((_, index) => live[index] === 0);
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#client.isReady) {
      const users = new Set(this.#local.values());
      const multi = this.#client.multi().del(this.#nodeKey(this.node));
      for (const [device, user] of this.#local) multi.hDel(this.#userKey(user), device);
      await multi.exec().catch(() => this.#failed('leave'));
      this.#log.debug('left the domain', { devices: this.#local.size, users: users.size });
    }
    this.#local.clear();
    for (const client of [this.#subscriber, this.#liveness, this.#client]) {
      if (client.isOpen) await client.close().catch(() => client.destroy());
      else client.destroy();
    }
  }

  /** Redis is back: it may have lost everything (a restart without persistence), so this process says again who it holds. */
  async #recover(): Promise<void> {
    try {
      const multi = this.#client.multi().set(this.#nodeKey(this.node), '1', { PX: this.#ttlMs });
      for (const [device, user] of this.#local) multi.hSet(this.#userKey(user), device, this.node);
      await multi.exec();
      this.#log.info('redis reachable again: presence written again', { devices: this.#local.size });
      this.onRecovered?.();
    } catch (error) {
      this.#failed('recover');
      this.#log.warn('redis recovery failed; retried at the next reconnect', { error: (error as Error).message });
    }
  }

  #counted<T>(command: Promise<T>): Promise<T> {
    return command.catch((error: unknown) => {
      this.#failed('command');
      throw error;
    });
  }

  /** A write whose failure only costs a log line: Redis being down is told once, by the client's error events. */
  #best(command: Promise<unknown>): void {
    command.catch(() => this.#failed('write'));
  }

  /** Counts a failed `operation` (connection, command, write, recover, leave) and tells the operator's metrics. */
  #failed(operation: string): void {
    this.errors++;
    this.#onError?.(operation);
  }

  #nodeKey(node: string): string {
    return `${this.#prefix}node:${node}`;
  }

  #userKey(user: string): string {
    return `${this.#prefix}user:${user}`;
  }

  #channel(node: string): string {
    return `${this.#prefix}node:${node}`;
  }
}
