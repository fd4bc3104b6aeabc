// Browser tests: real Chromium (Debian's; CHROME_PATH overrides) with fake camera and microphone, against a real
// WSP server process that a plugin starts before the tests and stops after them; and two more, alpha and beta,
// federated with each other, for the calls across domains (test/browser/federation.test.ts).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import * as puppeteer from 'puppeteer-core';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { firefoxLaunchOptions } from './scripts/firefox.mjs';
import { webkitLauncher, webkitRunnerHtml } from './scripts/webkit.mjs';
import { frameworkApps } from './scripts/framework-apps.mjs';
import { freePorts, LOOPBACK_ARGS, startFederation, startServer } from './scripts/start-server.mjs';
import { startBlackHole, startTurn } from './scripts/start-turn.mjs';

/** Every invite rings all of a user's devices, so each test takes users of its own from this directory. */
/** Test files take theirs by prefix (test/browser/helpers.ts, freshUser). */
export const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
// `wk`: WebKit's, whatever prefix its tests ask for (test/browser/helpers.ts).
for (const prefix of ['el', 'ev', 'fe', 're', 'ui', 'fw', 'cc', 'wk', 'tu', 'ce']) for (let i = 1; i <= 80; i++) users.push(`${prefix}${i}`);

/**
 * Starts the servers in serverStart, stops them in serverStop, and tells the page where they are: GET /__wsp/config.json.
 * For the TURN tests (test/browser/turn.test.ts): a real coturn, a WSP server that issues credentials for it (`turn`:
 * where it is, and coturn's URLs and secret, with which a test makes credentials coturn refuses), and a STUN server
 * that never answers (`blackHole`; `executeServerCommand('black-hole-requests')` says how many requests it swallowed).
 * For the connection errors (test/browser/connection-errors.test.ts): the single server's token `secret`, with which a
 * test mints tokens the server refuses (expired ones), a server of the same domain and secret that refuses every page's
 * origin but `https://shop.example` (`strict`), and a WebSocket address where nothing listens (`unreachable`).
 */
function wspServer() {
  const secret = randomBytes(24).toString('hex');
  let wsp;
  let strict;
  let unreachable;
  let federation;
  let turn;
  let turnWsp;
  let blackHole;
  const log = (line) => process.env.WSP_VERBOSE && console.log(line);
  const where = (server) => ({ url: server.url, http: `http://127.0.0.1:${server.port}`, domain: server.domain });
  return {
    name: 'wsp-server',
    async serverStart() {
      const args = ['--dev-tokens', '--users', users.join(','), '--ring-timeout', '30000', ...LOOPBACK_ARGS];
      const turnStarted = startTurn({ log: (line) => log(`coturn ${line}`) }).then(async (started) => {
        turn = started;
        const flags = ['--domain', 'localhost', '--port', '0', '--turn-urls', `${turn.urls.udp},${turn.urls.tcp}`, ...args];
        turnWsp = await startServer(flags, { log, env: { WSP_TURN_SECRET: turn.secret } });
      });
      const single = ['--domain', 'localhost', '--port', '0', ...args];
      [wsp, strict, federation, blackHole, [unreachable]] = await Promise.all([
        startServer(single, { log, env: { WSP_SECRET: secret } }),
        startServer([...single, '--origins', 'https://shop.example'], { log, env: { WSP_SECRET: secret } }),
        startFederation({ args, log }),
        startBlackHole(),
        freePorts(1),
        turnStarted,
      ]);
    },
    async serverStop() {
      await Promise.all([wsp?.stop(), strict?.stop(), federation?.stop(), turnWsp?.stop(), turn?.stop(), blackHole?.stop()]);
    },
    executeCommand({ command }) {
      if (command === 'black-hole-requests') return { requests: blackHole.requests() };
      return undefined;
    },
    serve(context) {
      if (context.path !== '/__wsp/config.json') return undefined;
      const config = {
        ...where(wsp),
        secret,
        strict: where(strict),
        unreachable: `ws://127.0.0.1:${unreachable}/wsp`,
        alpha: where(federation.alpha),
        beta: where(federation.beta),
        turn: { ...where(turnWsp), urls: [turn.urls.udp, turn.urls.tcp], secret: turn.secret },
        blackHole: blackHole.url,
      };
      return { body: JSON.stringify(config), type: 'application/json' };
    },
  };
}

/**
 * Servers of their own for the fault tests (test/browser/reliability.test.ts), which kill them: the page runs
 * `executeServerCommand('wsp-start', {federated})` → `{id, servers: [{url, http, domain}]}`, then `wsp-kill` (SIGKILL
 * every process of `id`) and `wsp-restart` (the single server again, on the same port; it resolves at once, and the
 * test waits for its widgets to reconnect). Whatever is left is stopped with the runner.
 *
 * A page gets an answer to a command within 20 s or fails (@web/test-runner's limit), and a server process takes
 * longer than that to start on a busy machine: so `wsp-start` hands out a set started ahead, and starts the next.
 */
function faultServers() {
  /** id → { servers: started processes, stop: removes what they made, restarted?: the restart under way } */
  const sets = new Map();
  const args = ['--dev-tokens', '--users', users.join(','), ...LOOPBACK_ARGS];
  const where = (server) => ({ url: server.url, http: `http://127.0.0.1:${server.port}`, domain: server.domain });
  const launch = (federated) =>
    federated
      ? startFederation({ args }).then((pair) => ({ servers: [pair.alpha, pair.beta], stop: pair.stop }))
      : startServer(['--domain', 'localhost', '--port', '0', ...args]).then((one) => ({ servers: [one] }));
  /** The next set of each kind, started ahead. */
  const spares = {};
  const ahead = (federated) => {
    spares[federated] = launch(federated);
    // Handled when taken: a set that failed to start fails the test that takes it, not the runner.
    spares[federated].catch(() => {});
  };
  const take = (federated) => {
    const set = spares[federated] ?? launch(federated);
    ahead(federated);
    return set;
  };
  const stopSet = async (set) => {
    await set.restarted?.catch(() => {});
    await Promise.all(set.servers.map((server) => server.stop()));
    await set.stop?.();
  };
  const commands = {
    async 'wsp-start'({ federated }) {
      const set = await take(federated);
      const id = String(sets.size + 1);
      sets.set(id, set);
      return { id, servers: set.servers.map(where) };
    },
    async 'wsp-kill'({ id }) {
      const set = sets.get(id);
      await Promise.all(set.servers.map((server) => server.process.signalCode ?? (server.process.kill('SIGKILL'), server.stop())));
      return true;
    },
    async 'wsp-restart'({ id }) {
      const set = sets.get(id);
      const port = String(set.servers[0].port);
      set.restarted = startServer(['--domain', 'localhost', '--port', port, ...args]).then((one) => set.servers.push(one));
      return true;
    },
  };
  return {
    name: 'wsp-fault-servers',
    serverStart() {
      for (const federated of [false, true]) ahead(federated);
    },
    executeCommand({ command, payload }) {
      return commands[command]?.(payload);
    },
    async serverStop() {
      const spared = await Promise.allSettled(Object.values(spares));
      const left = [...sets.values(), ...spared.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))];
      await Promise.all(left.map(stopSet));
    },
  };
}

/**
 * Plain WebSocket servers on loopback that accept WSP's subprotocol and close their connections when a test says so,
 * for the call client's reconnect rules (test/browser/call-client.test.ts): `closer-start` → `{id, url}`;
 * `closer-close` `{id, code, reason}` closes every open connection with that close frame; `closer-count` `{id}` → the
 * connections accepted so far. They say nothing else: a client sees only that its socket opened and closed.
 */
function closingServers() {
  const servers = new Map();
  const commands = {
    async 'closer-start'() {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has('wsp-1.0') ? 'wsp-1.0' : false) });
      await new Promise((resolve) => server.once('listening', resolve));
      const entry = { server, accepted: 0 };
      server.on('connection', () => entry.accepted++);
      const id = String(servers.size + 1);
      servers.set(id, entry);
      return { id, url: `ws://127.0.0.1:${server.address().port}/wsp` };
    },
    'closer-close'({ id, code, reason }) {
      for (const socket of servers.get(id).server.clients) socket.close(code, reason);
      return true;
    },
    'closer-count'({ id }) {
      return servers.get(id).accepted;
    },
  };
  return {
    name: 'wsp-closing-servers',
    executeCommand({ command, payload }) {
      return commands[command]?.(payload);
    },
    async serverStop() {
      for (const { server } of servers.values()) {
        for (const socket of server.clients) socket.terminate();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

/**
 * `executeServerCommand('focus-page')` gives the test's page the browser's focus back (`page.bringToFront()`): a
 * picture-in-picture window takes it, and Firefox then holds back enumerateDevices() and key presses in the page.
 */
/** The test's puppeteer page when it runs in Chromium (whose CDP the commands below use), else undefined. */
async function chromiumPage(session) {
  const page = session.browser.getPage?.(session.id);
  return page && /chrom/i.test(await page.browser().version()) ? page : undefined;
}

/**
 * `forced-colors` command: emulates Windows high contrast (`forced-colors: active`, the forced palette applied) in
 * Chromium over CDP, or ends it (`{ active: false }`); answers false where the browser cannot (Firefox over WebDriver
 * BiDi, WebKit). Puppeteer's own media emulation knows only colour scheme, reduced motion and colour gamut.
 */
function forcedColors() {
  // One CDP session a page, kept: a detached session's emulation ends with it.
  const sessions = new WeakMap();
  return {
    name: 'wsp-forced-colors',
    async executeCommand({ command, payload, session }) {
      if (command !== 'forced-colors') return undefined;
      const page = await chromiumPage(session);
      if (!page) return false;
      if (!sessions.has(page)) sessions.set(page, await page.createCDPSession());
      await sessions.get(page).send('Emulation.setEmulatedMedia', { features: [{ name: 'forced-colors', value: payload.active ? 'active' : 'none' }] });
      return true;
    },
  };
}

/**
 * `accessibility-tree` command: the page's whole accessibility tree as puppeteer sees it in Chromium (every node, not
 * only the "interesting" ones that the stock a11y-snapshot command keeps), for names that no DOM API reads back (an
 * element's ElementInternals label); false where the browser cannot tell.
 */
function accessibilityTree() {
  return {
    name: 'wsp-accessibility-tree',
    async executeCommand({ command, session }) {
      if (command !== 'accessibility-tree') return undefined;
      const page = await chromiumPage(session);
      if (!page) return false;
      return page.accessibility.snapshot({ interestingOnly: false });
    },
  };
}

function focusPage() {
  return {
    name: 'wsp-focus-page',
    async executeCommand({ command, session }) {
      if (command !== 'focus-page') return undefined;
      await session.browser.getPage(session.id).bringToFront();
      return true;
    },
  };
}

/**
 * What WebKit runs: the rendering, state, accessibility and i18n tests. WebKitGTK has no RTCPeerConnection, so within
 * these files the tests that place a call skip themselves there (test/browser/helpers.ts), and the widget shows the
 * unsupported state, which test/browser/unsupported.test.ts checks.
 */
export const webkitFiles = ['call-state', 'events', 'ui-a11y', 'ui-i18n', 'ui-parts', 'ui-states', 'unsupported'].map((name) => `test/browser/${name}.test.ts`);

const wanted = (process.env.WSP_BROWSERS ?? 'chromium,firefox,webkit').split(',');
const others = browsers();
const webkit = wanted.includes('webkit') ? webkitLauncher() : undefined;

export default {
  // WebKit alone runs its files; with other browsers (WSP_BROWSERS=chromium,firefox,webkit), as a group of its own.
  files: others.length ? ['test/browser/**/*.test.ts'] : webkitFiles,
  nodeResolve: true,
  // Two cores: one page at a time, one browser after the other, keeps WebRTC's encoders from starving each other.
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 180_000,
  // A busy machine (CI, or a second suite beside this one) starts a browser and a page slowly: Firefox most of all.
  browserStartTimeout: 120_000,
  testsStartTimeout: 120_000,
  testFramework: { config: { timeout: 20_000 } },
  // A site's backend that refuses to mint a token, the visitor not being signed in (test/browser/connection-errors.test.ts).
  middleware: [
    (context, next) => {
      if (context.path !== '/__wsp/unauthorized') return next();
      context.status = 401;
      context.body = 'not signed in';
    },
  ],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
    wspServer(),
    faultServers(),
    frameworkApps(),
    focusPage(),
    forcedColors(),
    accessibilityTree(),
    closingServers(),
  ],
  browsers: others.length ? others : [webkit],
  testRunnerHtml: others.length ? undefined : webkitRunnerHtml,
  groups: others.length && webkit ? [{ name: 'webkit', files: webkitFiles, browsers: [webkit], testRunnerHtml: webkitRunnerHtml }] : [],
};

/**
 * Chromium and Firefox ESR, and WebKitGTK for the files above (scripts/webkit.mjs); `WSP_BROWSERS=firefox` (or
 * `chromium`, `webkit`, `chromium,webkit`…) runs those, e.g. while working on one.
 */
function browsers() {
  const all = {
    chromium: () => chromeLauncher({ launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs } }),
    // puppeteer-core drives Debian's Firefox over WebDriver BiDi: the Chrome launcher takes it as a custom puppeteer.
    firefox: () => chromeLauncher({ puppeteer, launchOptions: firefoxLaunchOptions() }),
  };
  const unknown = wanted.filter((name) => !all[name] && name !== 'webkit');
  if (unknown.length) raise(`WSP_BROWSERS: no browser "${unknown[0]}" (chromium, firefox, webkit)`);
  return wanted.filter((name) => all[name]).map((name) => all[name]());
}

function raise(message) {
  throw new Error(message);
}
