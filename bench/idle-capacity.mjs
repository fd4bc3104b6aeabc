// Idle capacity (issue 5, "Load"): one real WSP server process holding many authenticated client connections, its
// memory per connection (RSS from /proc, V8 heap from bench/server-probe.mjs, both after a full GC), and a call that
// still goes through once it is loaded. The connections are held by child processes (bench/idle-clients.mjs).
import { forkChild, openSocket } from './children.mjs';
import { cpuMsOf, mintTokens, offers, rssOf, startBenchCluster, startBenchServer } from './load-servers.mjs';
import { frames } from './signaling-frames.mjs';

/** A WSP client of the bench server that hands out the frames it receives, in order. */
async function wspClient(server, token) {
  const [protocols] = await offers([token]);
  const socket = await openSocket(server.url, protocols);
  const queue = [];
  const waiting = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(data);
    if (waiting.length) waiting.shift()(frame);
    else queue.push(frame);
  });
  const next = (keyword, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${keyword} within ${timeoutMs} ms`)), timeoutMs);
      const take = (frame) => {
        clearTimeout(timer);
        if (frame[0] === keyword) resolve(frame);
        else reject(new Error(`expected ${keyword}, got ${JSON.stringify(frame).slice(0, 200)}`));
      };
      if (queue.length) take(queue.shift());
      else waiting.push(take);
    });
  return { socket, next, send: (text) => socket.send(text) };
}

/** A new client calls `callee`, held by an idle client, through the whole flow: ms from invite to its candidate. */
async function callThrough(server, callee) {
  const caller = 'load-check@localhost';
  const [token] = await mintTokens([caller]);
  const started = performance.now();
  const client = await wspClient(server, token);
  const connectMs = performance.now() - started;
  try {
    const call = 'idle-check';
    const invited = performance.now();
    client.send(frames.invite(call, caller, callee, invited));
    await client.next('ringing');
    await client.next('offer');
    client.send(frames.answer(call, caller, performance.now()));
    await client.next('icecandidate');
    const callMs = performance.now() - invited;
    client.send(frames.bye(call, performance.now()));
    return { connectMs, callMs };
  } finally {
    client.socket.terminate();
  }
}

/** The memory of `servers` added up: RSS from /proc, the rest from each one's probe. */
async function memoryOf(servers) {
  const each = await Promise.all(servers.map(async (server) => ({ rss: rssOf(server.pid), ...(await server.memory()) })));
  return Object.fromEntries(Object.keys(each[0]).map((key) => [key, each.reduce((sum, memory) => sum + memory[key], 0)]));
}

/**
 * Opens `connections` authenticated connections (users idle0…, no user directory) to one server process — or, with
 * `servers` > 1, to that many processes serving the domain together through Redis, connection i to process
 * i mod `servers` — from `processes` client processes, at most `concurrency` handshakes in flight in each; measures
 * the servers' memory before and after, then places a call through the first server to the last user connected
 * (held by another process of the cluster when there are several).
 */
export async function measureIdleCapacity({ connections = 10_000, processes = 2, concurrency = 64, servers: count = 1 } = {}) {
  const cluster = count > 1 ? await startBenchCluster(count) : undefined;
  const servers = cluster?.servers ?? [await startBenchServer()];
  const server = servers[0];
  const children = Array.from({ length: processes }, () => forkChild('./idle-clients.mjs'));
  const cpu = () => servers.reduce((sum, { pid }) => sum + cpuMsOf(pid), 0);
  try {
    const before = await memoryOf(servers);
    const users = Array.from({ length: connections }, (_, i) => `idle${i}@localhost`);
    const minting = performance.now();
    const protocols = await offers(await mintTokens(users));
    const mintMs = performance.now() - minting;
    const share = (i) => users.map((_, index) => index).filter((index) => index % processes === i);
    const started = performance.now();
    const cpuBefore = cpu();
    await Promise.all(
      children.map((child, i) =>
        child.ask({
          type: 'open',
          concurrency,
          users: share(i).map((index) => users[index]),
          targets: share(i).map((index) => ({ url: servers[index % servers.length].url, protocols: protocols[index] })),
        }),
      ),
    );
    const openMs = performance.now() - started;
    const openCpuPercent = ((cpu() - cpuBefore) / openMs) * 100;
    const after = await memoryOf(servers);
    const check = await callThrough(server, users.at(-1));
    const counts = await Promise.all(children.map((child) => child.ask({ type: 'count' })));
    const held = counts.reduce((sum, count) => sum + count.open, 0);
    const unexpected = counts.reduce((sum, count) => sum + count.unexpected, 0);
    if (held !== connections || unexpected > 0) throw new Error(`idle capacity: ${held} of ${connections} connections held, ${unexpected} unexpected frames`);
    return { connections, processes, servers: servers.length, held, mintMs, openMs, openCpuPercent, before, after, ...check };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await (cluster ? cluster.stop() : server.stop());
  }
}

export function printIdleCapacity(figures) {
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const perConnection = (key) => `${((figures.after[key] - figures.before[key]) / figures.connections / 1024).toFixed(2)} kB`;
  const { before, after } = figures;
  const where = figures.servers > 1 ? `${figures.servers} server processes of one domain sharing a Redis` : 'one server process (the CLI)';
  console.log(`## Idle capacity: ${where}, ${figures.connections} authenticated client connections from ${figures.processes} client processes (loopback)`);
  console.log(
    `opened ${figures.connections} in ${(figures.openMs / 1000).toFixed(2)} s (${Math.round(figures.connections / (figures.openMs / 1000))} connections/s, ` +
      `server CPU ${Math.round(figures.openCpuPercent)} % meanwhile; tokens minted beforehand in ${(figures.mintMs / 1000).toFixed(2)} s); ` +
      `${figures.held} still open at the end`,
  );
  console.log(`server RSS ${mb(before.rss)} → ${mb(after.rss)}: ${perConnection('rss')} per connection`);
  console.log(
    `server V8 heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)} (after a full GC): ${perConnection('heapUsed')} per connection; ` +
      `external ${mb(before.external)} → ${mb(after.external)}`,
  );
  console.log(
    `a call through the loaded server: a new client connected in ${figures.connectMs.toFixed(1)} ms, called the last held user: ` +
      `invite → ringing → offer → answer → icecandidate in ${figures.callMs.toFixed(1)} ms, then bye 200`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printIdleCapacity(await measureIdleCapacity({ connections: Number(process.env.BENCH_IDLE_CONNECTIONS ?? 10_000) }));
}
