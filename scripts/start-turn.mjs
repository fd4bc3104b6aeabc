// Starts a real coturn (Debian's /usr/bin/turnserver) for tests and benchmarks, on free loopback ports with a config
// of its own in a temporary directory, and a "black hole" STUN server: a UDP socket that reads and never answers.
// Shared by the browser tests' runner plugin and the bench, like start-server.mjs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const turnserverPath = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

/** A port free for both UDP and TCP on 127.0.0.1: coturn listens on both, and cannot pick a port itself. */
async function freeUdpTcpPort() {
  for (;;) {
    const tcp = await new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    const port = tcp.address().port;
    const udp = createSocket('udp4');
    const free = await new Promise((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise((resolve) => tcp.close(resolve));
    if (free) await new Promise((resolve) => udp.close(resolve));
    if (free) return port;
  }
}

/** A STUN Binding request (RFC 5389 §6): what a readiness probe sends, and coturn answers even without credentials. */
function bindingRequest() {
  const message = Buffer.alloc(20);
  message.writeUInt16BE(0x0001, 0);
  message.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(message, 8);
  return message;
}

/** Resolves once a STUN server on `port` answers a Binding request, re-sent as STUN itself re-sends (RFC 5389 §7.2.1). */
function stunAnswers(port, exited) {
  const socket = createSocket('udp4');
  let timer;
  return new Promise((resolve, reject) => {
    let wait = 50;
    const send = () => {
      socket.send(bindingRequest(), port, '127.0.0.1');
      timer = setTimeout(send, (wait = Math.min(wait * 2, 1600)));
    };
    socket.once('message', () => resolve());
    exited.then((code) => reject(new Error(`turnserver exited with code ${code} before it answered`)));
    socket.bind(0, '127.0.0.1', send);
  }).finally(() => {
    clearTimeout(timer);
    socket.close();
  });
}

/**
 * Starts coturn with `use-auth-secret` (the TURN REST API scheme the WSP server's credentials follow), listening on
 * 127.0.0.1 over UDP and TCP without TLS, relaying on loopback. `allow-loopback-peers` is for tests only: the
 * deployment guide's config refuses relaying to loopback and private ranges (README, "TURN").
 * @param {{ secret?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<{ port: number, secret: string, realm: string, urls: { udp: string, tcp: string }, stop(): Promise<void> }>}
 */
export async function startTurn({ secret = randomBytes(24).toString('base64url'), log } = {}) {
  if (!existsSync(turnserverPath)) throw new Error(`no ${turnserverPath}: apt-get install -y coturn`);
  const dir = await mkdtemp(join(tmpdir(), 'wsp-turn-'));
  const port = await freeUdpTcpPort();
  // Relay ports from a range of its own, picked at random so that two runs on one machine rarely share one.
  const minPort = 20000 + Math.floor(Math.random() * 400) * 100;
  const realm = 'wsp.test';
  const config = [
    'listening-ip=127.0.0.1',
    'relay-ip=127.0.0.1',
    `listening-port=${port}`,
    `min-port=${minPort}`,
    `max-port=${minPort + 99}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    'allow-loopback-peers',
    `pidfile=${join(dir, 'turnserver.pid')}`,
    `userdb=${join(dir, 'turndb')}`,
    'log-file=stdout',
    'simple-log',
  ];
  const file = join(dir, 'turnserver.conf');
  await writeFile(file, `${config.join('\n')}\n`, { mode: 0o600 });
  const child = spawn(turnserverPath, ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (data) => log?.(String(data).trimEnd()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await stunAnswers(port, exited);
  } catch (error) {
    await stop();
    throw error;
  }
  const host = `127.0.0.1:${port}`;
  return { port, secret, realm, urls: { udp: `turn:${host}?transport=udp`, tcp: `turn:${host}?transport=tcp` }, stop };
}

/**
 * A STUN server that never answers: a UDP socket on loopback that reads every request and drops it. Configured as
 * the ICE server, it makes gathering wait for the STUN transaction's timeout (seconds), which a call must not wait for.
 * @returns {Promise<{ url: string, requests: () => number, stop(): Promise<void> }>}
 */
export async function startBlackHole() {
  const socket = createSocket('udp4');
  let requests = 0;
  socket.on('message', () => requests++);
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    url: `stun:127.0.0.1:${socket.address().port}`,
    requests: () => requests,
    stop: () => new Promise((resolve) => socket.close(resolve)),
  };
}
