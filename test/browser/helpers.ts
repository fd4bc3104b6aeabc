// Shared by the browser tests: where the WSP server is, widgets signed in as fresh users, event recording.
import { waitUntil as pollUntil } from '@open-wc/testing';
import { clientProtocols } from '../../src/protocol/handshake.js';
import '../../src/wsp-call.js';
import type { WspCall } from '../../src/wsp-call.js';

/**
 * Polls until `predicate` holds, like @open-wc/testing's waitUntil, with a default bound of 15 s instead of 1 s. The
 * bound only turns a hang into a failure; it never checks speed, and a busy machine (CI) is slow.
 */
export function waitUntil(predicate: () => unknown, message?: string, options: { timeout?: number; interval?: number } = {}): Promise<void> {
  return pollUntil(predicate as () => boolean | Promise<boolean>, message, { timeout: 15_000, ...options });
}

export interface WspServerConfig {
  /** The server's WebSocket address, `ws://127.0.0.1:N/wsp`. */
  url: string;
  /** Its HTTP origin, for `/dev/token`. */
  http: string;
  domain: string;
}

/** The single server (domain `localhost`), and two federated ones, `alpha.localhost:P` and `beta.localhost:Q`. */
export interface WspConfig extends WspServerConfig {
  /** The single server's token secret: a test mints tokens it refuses (expired ones) with it. */
  secret: string;
  /** A server of the same domain and secret whose `--origins` lists only `https://shop.example`: it refuses the test page. */
  strict: WspServerConfig;
  /** A WebSocket address where nothing listens, `ws://127.0.0.1:N/wsp`. */
  unreachable: string;
  alpha: WspServerConfig;
  beta: WspServerConfig;
  /** A server that issues TURN credentials for a real coturn (`urls`, its shared `secret`: test/browser/turn.test.ts). */
  turn: WspServerConfig & { urls: string[]; secret: string };
  /** A STUN server that never answers, `stun:127.0.0.1:N`. */
  blackHole: string;
}

/** Whether this browser has WebRTC at all: WebKitGTK, in this project's matrix, has not (WSP_BROWSERS=webkit). */
export const webrtc = 'RTCPeerConnection' in window;

/**
 * Whether the runner can emulate media and viewports and press keys (emulateMedia, setViewport, sendKeys): not in
 * WebKit, which it drives over plain WebDriver (scripts/webkit.mjs marks its pages with `wspPlainWebDriver`).
 */
export const emulation = !(window as { wspPlainWebDriver?: boolean }).wspPlainWebDriver;

// What a browser or its runner cannot do, its tests skip (reported as skipped), by what their bodies use: without
// WebRTC, placing a call (call(), or the helpers ringing, connected, dialing); without emulation, the commands above.
// Every test file imports this module.
const cannot = [!webrtc && /\b(ringing|connected|dialing)\(|\.call\(\)/, !emulation && /\b(emulateMedia|setViewport|sendKeys|tabTo)\(/];
beforeEach(function () {
  const body = String(this.currentTest?.fn);
  if (cannot.some((uses) => uses !== false && uses.test(body))) this.skip();
});

let config: Promise<WspConfig> | undefined;

/** The server the runner's plugin started (web-test-runner.config.mjs). */
export function wspConfig(): Promise<WspConfig> {
  return (config ??= fetch('/__wsp/config.json').then((response) => response.json() as Promise<WspConfig>));
}

/** A development token for `user`, minted by the server (by default the single one). */
export async function devToken(user: string, server?: WspServerConfig): Promise<string> {
  const { http } = server ?? (await wspConfig());
  const response = await fetch(`${http}/dev/token?user=${encodeURIComponent(user)}`);
  return ((await response.json()) as { token: string }).token;
}

/**
 * A bare WSP client of `user` (by default on the single server), once its WebSocket is open: it offers the token as
 * the widget does (docs/protocol.md §3), and a test sends it any frame.
 */
export async function wspSocket(user: string, server?: WspServerConfig): Promise<WebSocket> {
  const { url } = server ?? (await wspConfig());
  const socket = new WebSocket(url, clientProtocols(await devToken(user, server)));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  return socket;
}

const taken: Record<string, number> = {};

/**
 * A user no other test uses (`el1`, `el2`, … for prefix `el`; the server knows 80 per prefix). Every invite rings
 * all of a user's devices, so tests that shared users would ring each other's widgets.
 */
export function freshUser(prefix: string): string {
  // A browser without WebRTC takes users of its own: its widgets refuse every invite (606), which would end a call that
  // Chromium or Firefox, running at the same time, place to the same user.
  if (!webrtc) prefix = 'wk';
  taken[prefix] = (taken[prefix] ?? 0) + 1;
  return `${prefix}${taken[prefix]}`;
}

/** Puts a `<wsp-call>` for `user` in the page, calling `callee` (a user name), and waits until it is online. */
export async function phone(user: string, callee?: string, attributes: Record<string, string> = {}): Promise<WspCall> {
  const server = await wspConfig();
  return phoneAt(server, user, callee && `${callee}@${server.domain}`, attributes);
}

/** Puts a `<wsp-call>` for `user` of `server` in the page, calling the address `callee`, and waits until it is online. */
export async function phoneAt(server: WspServerConfig, user: string, callee?: string, attributes: Record<string, string> = {}): Promise<WspCall> {
  const el = document.createElement('wsp-call');
  el.server = server.url;
  el.caller = `${user}@${server.domain}`;
  if (callee) el.callee = callee;
  el.tokenProvider = () => devToken(user, server);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  document.body.append(el);
  if (!(await el.connect())) throw new Error(`${user} could not connect`);
  return el;
}

/** Two online widgets that call each other. */
export async function pair(prefix: string, attributes?: Record<string, string>): Promise<[WspCall, WspCall]> {
  const a = freshUser(prefix);
  const b = freshUser(prefix);
  return Promise.all([phone(a, b, attributes), phone(b, a)]);
}

/** Removes every widget from the page (ending their calls) and waits until their sockets are closed. */
export async function removeAll(): Promise<void> {
  for (const el of document.querySelectorAll('wsp-call')) el.remove();
  // Removal takes effect after a microtask (a move within the page does not end a call).
  await new Promise((resolve) => setTimeout(resolve, 0));
}

type Events = HTMLElementEventMap;
export type Recorded = { type: string; event: Event }[];

/** Records the widget's own events (ringing, connected, ended, error, statechange), in order. */
export function record(el: WspCall): Recorded {
  const events: Recorded = [];
  for (const type of ['ringing', 'connected', 'ended', 'error', 'statechange'] as const) {
    el.addEventListener(type, (event) => events.push({ type, event }));
  }
  return events;
}

/** The next `type` event of `el`; listen before acting. */
export function next<K extends keyof Events>(el: EventTarget, type: K, timeout = 15_000): Promise<Events[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeout} ms`)), timeout);
    el.addEventListener(
      type,
      (event) => {
        clearTimeout(timer);
        resolve(event as Events[K]);
      },
      { once: true },
    );
  });
}

/** The states a widget went through, from its statechange events. */
export function states(events: Recorded): string[] {
  return events.filter(({ type }) => type === 'statechange').map(({ event }) => (event as Events['statechange']).state);
}

export function video(el: WspCall, part: 'remote-video' | 'local-video'): HTMLVideoElement {
  return el.shadowRoot!.querySelector<HTMLVideoElement>(`[part="${part}"]`)!;
}

/**
 * Waits until `el`'s remote video shows frames. The video may not exist yet at `connected`: on a page's first call the
 * in-call chunk can load after the call connects (the callee accepting at once, a busy dev server).
 */
export function remoteVideoPlays(el: WspCall): Promise<void> {
  const width = () => el.shadowRoot!.querySelector<HTMLVideoElement>('[part="remote-video"]')?.videoWidth ?? 0;
  return waitUntil(() => width() > 0, `${el.caller}: no remote video frames`, { timeout: 10_000 });
}

/** Waits until `el`'s remote video has played on by a fifth of a second: the call is alive and its media flows. */
export async function videoAdvances(el: WspCall): Promise<void> {
  const remote = video(el, 'remote-video');
  const start = remote.currentTime;
  await waitUntil(() => remote.currentTime > start + 0.2, `${el.caller}: the remote video stands still`);
}

/** Waits until both sides of the call sent and received `bye` 101. */
export function handedOver(...els: WspCall[]): Promise<void> {
  return waitUntil(() => els.every((el) => el.session?.handedOver && el.session.peerHandedOver), 'no handover', { timeout: 10_000 });
}
