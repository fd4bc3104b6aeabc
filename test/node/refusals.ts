// Connecting when the server may refuse: the limits tests expect refusals as often as connections.
import type { TestContext } from 'node:test';
import type { ClientOptions } from 'ws';
import type { WspServer } from '../../src/server/index.js';
import { Client, type Refusal } from './helpers.js';

/** Connects as `user`, resolving with the HTTP refusal instead of a client when the upgrade is refused. */
export async function tryOpen(t: TestContext, server: Pick<WspServer, 'url' | 'domain'>, user: string, options: ClientOptions = {}): Promise<Client | Refusal> {
  try {
    return await Client.open(t, server as WspServer, user, options);
  } catch (error) {
    const refusal = (error as { refusal?: Refusal }).refusal;
    if (refusal) return refusal;
    throw error;
  }
}

/** The refusal an upgrade gets; fails when it is accepted. */
export async function refused(t: TestContext, server: Pick<WspServer, 'url' | 'domain'>, user: string, options: ClientOptions = {}): Promise<Refusal> {
  const result = await tryOpen(t, server, user, options);
  if (result instanceof Client) throw new Error(`${user}: the connection was accepted`);
  return result;
}
