// WebKit for the browser tests: Debian's WebKitGTK (its MiniBrowser), driven by its WebKitWebDriver over plain W3C
// WebDriver, on a display of its own (Xvfb: MiniBrowser has no headless mode). No browser, driver or npm package is
// downloaded: the launcher speaks WebDriver with fetch(). apt: webkit2gtk-driver (WebKitWebDriver and MiniBrowser),
// xvfb. Runs as root.
//
// This build has no RTCPeerConnection, so no call is possible: WebKit runs the tests that place none (see
// web-test-runner.config.mjs), and the widget shows the unsupported state there, as a user of this browser sees it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const webkitDriverPath = process.env.WEBKIT_WEBDRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const miniBrowserPath = process.env.WEBKIT_MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/**
 * MiniBrowser's flags. Without `--automation` the WebDriver session never starts; the others give it fake camera and
 * microphone (granted without a prompt), and let media play without a gesture.
 */
export const miniBrowserArgs = [
  '--automation',
  '--enable-mock-capture-devices=true',
  '--enable-media-stream=true',
  '--enable-webrtc=true',
  '--autoplay-policy=allow',
];

/**
 * The test page for WebKit: marked `wspPlainWebDriver`, since plain WebDriver has no emulateMedia, setViewport or
 * sendKeys, so that the tests that need them skip themselves (test/browser/helpers.ts). A group's `testRunnerHtml`.
 */
export const webkitRunnerHtml = (framework) =>
  `<!DOCTYPE html><html><head><script>window.wspPlainWebDriver = true</script></head><body><script type="module" src="${framework}"></script></body></html>`;

/** Whether this machine has what the launcher needs. */
export const webkitAvailable = () => existsSync(webkitDriverPath) && existsSync(miniBrowserPath);

/** A free TCP port on loopback. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on a free display (`-displayfd`: it picks one and says which); resolves `{ display, process }`. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let said = '';
    let stderr = '';
    xvfb.stderr.on('data', (chunk) => (stderr += chunk));
    xvfb.stdio[3].on('data', (chunk) => {
      said += chunk;
      if (said.includes('\n')) resolve({ display: `:${said.trim()}`, process: xvfb });
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr.trim()}`)));
  });
}

/** Resolves once `url` answers (WebKitWebDriver's /status), or rejects after `ms`. */
async function reachable(url, ms) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A @web/test-runner BrowserLauncher for WebKitGTK. One MiniBrowser for the whole run: each test file is loaded in
 * it in turn (set `concurrency: 1` for it), so a test file's page never shares the browser with another.
 */
export function webkitLauncher({ args = miniBrowserArgs } = {}) {
  let xvfb;
  let driver;
  let base;
  let session;
  const active = new Map();
  /** One WebDriver command after the other: the driver handles one per session at a time. */
  let queue = Promise.resolve();

  async function command(method, path, body) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body && JSON.stringify(body),
    });
    const { value } = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error} ${value?.message ?? ''}`.trim());
    return value;
  }
  const serial = (task) => (queue = queue.then(task, task));

  async function browser() {
    if (session) return session;
    const capabilities = { alwaysMatch: { 'webkitgtk:browserOptions': { binary: miniBrowserPath, args } } };
    // The first start of the browser takes a few seconds.
    session = (await command('POST', '/session', { capabilities })).sessionId;
    return session;
  }

  async function kill(child) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  return {
    name: 'WebKit',
    type: 'wsp-webkitgtk',
    concurrency: 1,

    async initialize() {
      if (!webkitAvailable()) throw new Error(`WebKit: no ${webkitDriverPath} or ${miniBrowserPath} (apt-get install -y webkit2gtk-driver xvfb)`);
      xvfb = await startXvfb();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      // NO_AT_BRIDGE: no accessibility bus on a bare display (else GTK waits for it and warns).
      const env = { ...process.env, DISPLAY: xvfb.display, NO_AT_BRIDGE: '1' };
      driver = spawn(webkitDriverPath, [`--port=${port}`, '--host=127.0.0.1'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      driver.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
      driver.once('exit', (code) => code && process.env.WSP_VERBOSE && console.error(`WebKitWebDriver exited (${code}): ${stderr}`));
      // Should the runner die without stop(), the display and the driver go with it.
      process.once('exit', () => [driver, xvfb.process].forEach((child) => child.exitCode === null && child.kill('SIGKILL')));
      await reachable(`${base}/status`, 10_000);
    },

    async stop() {
      if (session) await command('DELETE', `/session/${session}`).catch(() => {});
      session = undefined;
      await kill(driver);
      await kill(xvfb?.process);
    },

    startSession(sessionId, url) {
      active.set(sessionId, url);
      return serial(async () => {
        const id = await browser();
        await command('POST', `/session/${id}/url`, { url });
      });
    },

    isActive(sessionId) {
      return active.has(sessionId);
    },

    getBrowserUrl(sessionId) {
      return active.get(sessionId);
    },

    stopSession(sessionId) {
      active.delete(sessionId);
      // The next test file's page replaces this one; about:blank ends this one's sockets and media now.
      return serial(async () => {
        if (session) await command('POST', `/session/${session}/url`, { url: 'about:blank' });
        return {};
      });
    },

    async startDebugSession() {
      throw new Error('WebKit: no debug sessions (the browser runs on a virtual display)');
    },
  };
}
