// Connecting when the server may refuse: the limits tests expect refusals as often as connections.
import type { TestContext } from 'node:test';
import type { ClientOptions } from 'ws';
import type { WspServer } from '../../src/server/index.js';
import { Client, type Refusal } from './helpers.js';

/** Connects as `user`, resolving with the refusal (HTTP, or a close at once) instead of a client when it is refused. */
export function tryOpen(t: TestContext, server: Pick<WspServer, 'url' | 'domain'>, user: string, options: ClientOptions = {}): Promise<Client | Refusal> {
  return Client.attempt(t, server, user, options);
}

/** The refusal an upgrade gets; fails when it is accepted. */
export async function refused(t: TestContext, server: Pick<WspServer, 'url' | 'domain'>, user: string, options: ClientOptions = {}): Promise<Refusal> {
  const result = await tryOpen(t, server, user, options);
  if (result instanceof Client) throw new Error(`${user}: the connection was accepted`);
  return result;
}
