// Shared by the server tests: a real server on 127.0.0.1, real `ws` clients, frames awaited one at a time.
import type { Socket } from 'node:net';
import type { TestContext } from 'node:test';
import WebSocket, { type ClientOptions } from 'ws';
import { clientProtocols, decode, encode, SUBPROTOCOL, type ByeFrame, type Frame } from '../../src/protocol/index.js';
import { createLogger, createWspServer, mintToken, silentLogger, type Logger, type WspServer, type WspServerOptions } from '../../src/server/index.js';
import { NOTICE_BURST, NOTICES_PER_SECOND } from '../../src/server/intake.js';

export const SECRET = 'test-secret-0123456789';
export const DOMAIN = 'alpha.localhost';

/** Starts a quiet server on a free port; it closes when the test ends. */
export async function startServer(t: TestContext, options: Partial<WspServerOptions> = {}): Promise<WspServer> {
  const server = await createWspServer({ domain: DOMAIN, secret: SECRET, log: silentLogger, ...options });
  t.after(() => server.close());
  return server;
}

/** A logger that keeps its lines, parsed, for a test to read: what a server tells its operator and nobody else. */
export function recordingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { log: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }), lines };
}

export function address(user: string): string {
  return `${user}@${DOMAIN}`;
}

/**
 * What a refused upgrade answered: an HTTP status and body (over a limit, a malformed request), or, for a WSP client the
 * server will not take (its origin, its token), the code and reason of the WebSocket it closed at once (§3).
 */
export type Refusal = { status: number; body: string; code?: undefined } | { code: number; reason: string; status?: undefined };

/** The subprotocols a client offers (§3): WSP's, and the token when there is one. */
export function offer(token?: string): string[] {
  return token === undefined ? [SUBPROTOCOL] : clientProtocols(token);
}

/**
 * Opens a WebSocket and resolves with it once open, or rejects with the HTTP refusal. `protocols`
 * defaults to WSP's subprotocol.
 */
function openSocket(url: string, protocols: string[] = [SUBPROTOCOL], options: ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        ws.terminate(); // we read the refusal ourselves; ws would otherwise report it as an error
        reject(Object.assign(new Error(`refused: ${response.statusCode} ${body}`), { refusal: { status: response.statusCode ?? 0, body } }));
      });
    });
  });
}

/**
 * Whether the server took an open socket: it answers a frame it cannot decode with a notice, while a refused socket is
 * closed without an answer, whatever it sends. Resolves with the close of a refused one, undefined for one taken (whose
 * notice it consumes).
 */
function admission(ws: WebSocket): Promise<Refusal | undefined> {
  return new Promise((resolve) => {
    const taken = () => {
      ws.off('close', closed);
      resolve(undefined);
    };
    const closed = (code: number, reason: Buffer) => {
      ws.off('message', taken);
      resolve({ code, reason: String(reason) });
    };
    ws.once('message', taken);
    ws.once('close', closed);
    ws.send('not a frame');
  });
}

/** Connects with `protocols`; resolves with the socket once the server took it, or with its refusal (HTTP or close). */
export async function attempt(url: string, protocols: string[], options: ClientOptions = {}): Promise<WebSocket | Refusal> {
  let ws: WebSocket;
  try {
    ws = await openSocket(url, protocols, options);
  } catch (error) {
    const refused = (error as { refusal?: Refusal }).refusal;
    if (refused) return refused;
    throw error;
  }
  return (await admission(ws)) ?? ws;
}

/** Resolves with what a refused connection got (HTTP status and body, or close code and reason); fails when it is taken. */
export async function refusal(url: string, protocols?: string[], options: ClientOptions = {}): Promise<Refusal> {
  const result = await attempt(url, protocols ?? [SUBPROTOCOL], options);
  if (!(result instanceof WebSocket)) return result;
  result.terminate();
  throw new Error('the connection was accepted');
}

/** A WSP client as a test sees it: send frames, await the next one, in order. */
export class Client {
  readonly ws: WebSocket;
  readonly user: string;
  /** Resolves with the close code once the socket closed. */
  readonly closed: Promise<number>;
  /** Frames in arrival order; an Error stands for a frame the server should never have sent. */
  readonly #inbox: (Frame | Error)[] = [];
  /** Every message's text as it came, in arrival order. */
  readonly texts: string[] = [];
  #waiter: (() => void) | undefined;

  constructor(ws: WebSocket, user: string) {
    this.ws = ws;
    this.user = user;
    this.closed = new Promise((resolve) => ws.once('close', resolve));
    ws.on('message', (data) => {
      this.texts.push(String(data));
      const result = decode(String(data));
      this.#inbox.push(result.ok ? result.frame : new Error(`the server sent a malformed frame: ${result.error.reason}`));
      this.#waiter?.();
    });
  }

  /** Connects as `user` of the test domain with a freshly minted token. */
  static async open(t: TestContext, server: WspServer, user: string, options: ClientOptions = {}): Promise<Client> {
    const token = await mintToken({ address: `${user}@${server.domain}`, secret: SECRET });
    const client = new Client(await openSocket(server.url, offer(token), options), `${user}@${server.domain}`);
    t.after(() => client.close());
    return client;
  }

  /** Connects as `user` as open() does, but resolves with the refusal when the server does not take the socket. */
  static async attempt(t: TestContext, server: Pick<WspServer, 'url' | 'domain'>, user: string, options: ClientOptions = {}): Promise<Client | Refusal> {
    const token = await mintToken({ address: `${user}@${server.domain}`, secret: SECRET });
    const result = await attempt(server.url, offer(token), options);
    if (!(result instanceof WebSocket)) return result;
    const client = new Client(result, `${user}@${server.domain}`);
    t.after(() => client.close());
    return client;
  }

  send(frame: Frame | string | Buffer): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : encode(frame));
  }

  /**
   * The next frame from the server; rejects when none comes within `timeoutMs`. The default bound only turns a hang
   * into a failure, never checks speed: a busy machine (CI, a second suite beside this one) is slow.
   */
  async next(timeoutMs = 15_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.user}: no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    const frame = this.#inbox.shift()!;
    if (frame instanceof Error) throw frame;
    return frame;
  }

  /** The next frame, which must be a bye; returns it. */
  async nextBye(): Promise<ByeFrame> {
    const frame = await this.next();
    if (frame[0] !== 'bye') throw new Error(`${this.user}: expected a bye, got ${encode(frame)}`);
    return frame;
  }

  /** The next frame, which must be a connection-scoped notice (a bye without call id); returns it. */
  async nextNotice(code = 400): Promise<ByeFrame> {
    const frame = await this.nextBye();
    if (!isNotice(frame, code)) throw new Error(`${this.user}: expected a ${code} notice, got ${encode(frame)}`);
    return frame;
  }

  /**
   * Proves that nothing else is on its way to this client: the server answers a non-JSON message with
   * a notice, and anything it sent before would arrive first. No sleeping needed.
   */
  async sync(): Promise<void> {
    this.send('sync');
    const frame = await this.next();
    if (frame[0] !== 'bye' || frame[1].reason !== 'frame is not JSON') {
      throw new Error(`${this.user}: unexpected frame ${encode(frame)}`);
    }
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** Frame builders, so tests read like the flow in docs/protocol.md §4. */
export const frames = {
  invite: (call: string, caller: string, callee: string, timeout?: number): Frame => [
    'invite',
    { caller: { uri: caller }, callee: { uri: callee } },
    timeout === undefined ? { call } : { call, timeout },
  ],
  ringing: (call: string): Frame => ['ringing', {}, { call }],
  offer: (call: string, sdp = 'v=0 offer'): Frame => ['offer', { type: 'offer', sdp }, { call }],
  answer: (call: string, sdp = 'v=0 answer'): Frame => ['answer', { type: 'answer', sdp }, { call }],
  candidate: (call: string, candidate = 'candidate:1 1 udp 1 127.0.0.1 9 typ host'): Frame => [
    'icecandidate',
    { candidate, sdpMid: '0', sdpMLineIndex: 0 },
    { call },
  ],
  bye: (call: string, code: number, reason?: string): ByeFrame => ['bye', reason === undefined ? { code } : { code, reason }, { call }],
};

/** alice has called bob and bob accepted (his offer reached her): the call is established. */
export async function established(alice: Client, bob: Client, call = 'c1'): Promise<void> {
  alice.send(frames.invite(call, alice.user, bob.user));
  if ((await bob.next())[0] !== 'invite') throw new Error(`${bob.user}: expected the invite`);
  bob.send(frames.offer(call));
  if ((await alice.next())[0] !== 'offer') throw new Error(`${alice.user}: expected the offer`);
}

/** The connection-scoped notice a server answers a bad frame with. */
export function isNotice(frame: Frame, code = 400): frame is ByeFrame {
  return frame[0] === 'bye' && frame[1].code === code && frame[2].call === undefined;
}

/**
 * The most 400 notices one sender can have earned since `since` (a performance.now()): its allowance, full at the
 * start, plus what refilled since (docs/protocol.md §6). Counted from the clock, as the allowance is.
 */
export function noticeBound(since: number): number {
  return NOTICE_BURST + Math.ceil((NOTICES_PER_SECOND * (performance.now() - since)) / 1000);
}

/**
 * Stops reading `ws`'s TCP socket, as a hung page or server would: what is sent to it fills the kernel's buffers, then
 * the sender's. Returns the function that reads again. (ws.pause() may leave the socket paused after resume().)
 */
export function stopReading(ws: WebSocket): () => void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  socket.pause();
  return () => socket.resume();
}
