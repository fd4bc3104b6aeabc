// `npm run screenshots`: renders <wsp-call> in every state in headless Chromium (fake camera, a real server on
// loopback, real calls) and writes docs/screenshots/<name>.png, which docs/element.md and the README show.
import { mkdir } from 'node:fs/promises';
import { launchBrowser, servePage } from '../bench/browser.mjs';
import { LOOPBACK_ARGS, startServer } from './start-server.mjs';

const outDir = 'docs/screenshots';
const server = await startServer(['--domain', 'localhost', '--port', '0', '--dev-tokens', '--users', 'alice,bob,carol', ...LOOPBACK_ARGS]);
const page = await servePage();
const browser = await launchBrowser();

/** In the page: widgets for users of the server, and a silent device that never answers `ringing`. */
function pageHelpers({ url, http }) {
  const token = async (user) => (await (await fetch(`${http}/dev/token?user=${user}`)).json()).token;
  window.widget = async (id, user, callee, attributes = {}) => {
    const el = document.createElement('wsp-call');
    el.id = id;
    el.style.cssText = `display: block; width: ${attributes.width ?? 480}px; height: ${attributes.height ?? 360}px; margin: 8px`;
    for (const [name, value] of Object.entries(attributes)) if (name !== 'width' && name !== 'height') el.setAttribute(name, value);
    el.server = url;
    el.caller = `${user}@localhost`;
    el.callee = `${callee}@localhost`;
    // People have names: Alice Example, Bob Example…
    const named = (name) => `${name[0].toUpperCase()}${name.slice(1)} Example`;
    el.callerName = named(user);
    el.calleeName = named(callee);
    el.tokenProvider = () => token(user);
    document.body.append(el);
    await el.connect();
    return el;
  };
  // A device of carol that takes the invite and never rings: the caller stays "dialing".
  window.silentDevice = async () => {
    // WSP's subprotocol and the token as a second one (docs/protocol.md §3).
    const socket = new WebSocket(url, ['wsp-1.0', `wsp-token.${await token('carol')}`]);
    await new Promise((resolve) => (socket.onopen = resolve));
    return socket;
  };
  window.reached = (el, state) =>
    new Promise((resolve) => (el.state === state ? resolve() : el.addEventListener('statechange', () => el.state === state && resolve())));
  window.clear = () => document.querySelectorAll('wsp-call').forEach((el) => el.remove());
}

async function shoot(tab, name, id) {
  // Let the state's transition (and the videos' first frames) settle, as a person would see it.
  await tab.waitForTimeout(600);
  await tab.locator(`#${id}`).screenshot({ path: `${outDir}/${name}.png`, animations: 'disabled' });
  console.log(`${outDir}/${name}.png`);
}

/** Places a call alice → bob with `attributes` on both and brings it to `until` (ringing, connected, ended). */
async function call(tab, attributes, until) {
  await tab.evaluate(
    async ({ attributes, until }) => {
      const [alice, bob] = await Promise.all([widget('alice', 'alice', 'bob', attributes), widget('bob', 'bob', 'alice', attributes)]);
      alice.call();
      await reached(bob, 'incoming');
      if (until === 'ringing') return;
      await bob.accept();
      await Promise.all([reached(alice, 'connected'), reached(bob, 'connected')]);
      if (until === 'ended') {
        await bob.hangup();
        await reached(alice, 'ended');
      }
    },
    { attributes, until },
  );
}

try {
  await mkdir(outDir, { recursive: true });
  const tab = await browser.newPage({ viewport: { width: 1040, height: 800 } });
  await tab.goto(page.url);
  await tab.waitForFunction(() => customElements.get('wsp-call'));
  await tab.evaluate(pageHelpers, { url: server.url, http: `http://127.0.0.1:${server.port}` });
  const reset = () => tab.evaluate(() => clear());

  await tab.evaluate(() => widget('alice', 'alice', 'bob'));
  await shoot(tab, 'idle', 'alice');
  await reset();

  await tab.evaluate(async () => {
    window.silent = await silentDevice();
    const alice = await widget('alice', 'alice', 'carol');
    alice.call();
    await reached(alice, 'dialing');
  });
  await shoot(tab, 'dialing', 'alice');
  await tab.evaluate(() => window.silent.close());
  await reset();

  await call(tab, {}, 'ringing');
  await shoot(tab, 'ringing', 'alice');
  await shoot(tab, 'incoming', 'bob');
  await reset();

  await call(tab, {}, 'connected');
  await shoot(tab, 'connected', 'alice');
  await reset();

  await call(tab, {}, 'ended');
  await shoot(tab, 'ended', 'alice');
  await reset();

  await tab.evaluate(async () => {
    const el = await widget('alice', 'alice', 'bob');
    el.tokenProvider = async () => 'not-a-token';
    el.server = `${el.server}?again`;
    await new Promise((resolve) => el.addEventListener('error', resolve, { once: true }));
  });
  await shoot(tab, 'error', 'alice');
  await reset();

  // A server that is down, said in German.
  await tab.evaluate(async () => {
    const el = document.createElement('wsp-call');
    el.id = 'alice';
    el.style.cssText = 'display: block; width: 480px; height: 360px; margin: 8px';
    el.lang = 'de';
    el.server = 'ws://127.0.0.1:9/wsp';
    el.caller = 'alice@localhost';
    el.callee = 'bob@localhost';
    el.calleeName = 'Bob Example';
    el.token = 'a.b.c';
    document.body.append(el);
    await new Promise((resolve) => el.addEventListener('error', resolve, { once: true }));
  });
  await shoot(tab, 'error-unreachable-german', 'alice');
  await reset();

  await tab.emulateMedia({ colorScheme: 'dark' });
  await call(tab, {}, 'connected');
  await shoot(tab, 'connected-dark', 'alice');
  await reset();
  await tab.emulateMedia({ colorScheme: 'light' });

  await call(tab, { lang: 'ar' }, 'ringing');
  await shoot(tab, 'incoming-arabic', 'bob');
  await reset();

  await call(tab, { width: 320, height: 480 }, 'connected');
  await shoot(tab, 'connected-320px', 'alice');
  await tab.evaluate(() => {
    const root = document.querySelector('#alice').shadowRoot;
    root.querySelector('[part~=more-button]').click();
  });
  await shoot(tab, 'connected-320px-menu', 'alice');
  await reset();

  await call(tab, { width: 320, height: 240, preview: '' }, 'ringing');
  await shoot(tab, 'incoming-320px', 'bob');
  await reset();

  await call(tab, { 'audio-only': '' }, 'connected');
  await shoot(tab, 'audio-only', 'alice');
  await reset();

  await tab.evaluate(async () => {
    const el = await widget('alice', 'alice', 'bob');
    el.shadowRoot.querySelector('[part~=settings-button]').click();
    await new Promise((resolve) => {
      const listed = () => (el.shadowRoot.querySelector('[part~=picker] option') ? resolve() : setTimeout(listed, 50));
      listed();
    });
  });
  await shoot(tab, 'settings', 'alice');
  await reset();

  await tab.emulateMedia({ colorScheme: 'dark' });
  await tab.evaluate(() => widget('alice', 'alice', 'bob'));
  await shoot(tab, 'idle-dark', 'alice');
  await reset();
  await tab.emulateMedia({ colorScheme: 'light' });

  // Windows high contrast: the palette forced on the page.
  await tab.emulateMedia({ forcedColors: 'active' });
  await call(tab, {}, 'connected');
  await tab.evaluate(() => document.querySelector('#alice').toggleMute(true));
  await shoot(tab, 'connected-forced-colors', 'alice');
  await reset();
  await tab.emulateMedia({ forcedColors: 'none' });
} finally {
  await browser.close();
  await page.close();
  await server.stop();
}
