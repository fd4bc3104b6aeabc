// Client load runs in child processes: each holds its own sockets (and file descriptors), and the parent only
// orchestrates. One request, one reply, in order, over the IPC channel (advanced serialization: typed arrays pass).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

/** Forks `file` (relative to bench/): `ask(message)` resolves with its reply; `stop()` ends it. */
export function forkChild(file) {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  let failure;
  const fail = (error) => {
    failure = error;
    for (const { reject } of waiting.splice(0)) reject(error);
  };
  child.on('message', (reply) => {
    const next = waiting.shift();
    if (reply?.error) next?.reject(new Error(`${file}: ${reply.error}`));
    else next?.resolve(reply);
  });
  child.once('exit', (code, signal) => fail(new Error(`${file} exited (${signal ?? code})`)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid,
    ask: (message) => {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.send(message);
      });
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The child's side: answers each request `{ type, … }` with what `handlers[type]` returns (or `{ error }`). */
export function serve(handlers) {
  process.on('message', async (message) => {
    try {
      process.send(await handlers[message.type](message));
    } catch (error) {
      process.send({ error: error instanceof Error ? error.stack : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0)); // the parent is gone: nobody needs these sockets
}

/**
 * Opens a WSP client socket offering `protocols` (wsp-1.0 and the token, docs/protocol.md §3: `offers()` of
 * load-servers.mjs); rejects on error or on a refused upgrade.
 */
export function openSocket(url, protocols = ['wsp-1.0']) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.on('error', reject); // kept for the socket's life: an error after open must not throw (a no-op then)
    ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
  });
}

/**
 * Opens every target `{ url, protocols }` with at most `concurrency` handshakes in flight; returns the sockets, in the
 * order of `targets`.
 */
export async function openAll(targets, concurrency) {
  const sockets = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      sockets[index] = await openSocket(targets[index].url, targets[index].protocols);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return sockets;
}
