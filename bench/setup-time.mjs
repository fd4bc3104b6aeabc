// accept() → `connected` on both sides, through a real WSP server process (or, federated, alice on alpha and bob on
// beta: two server processes relaying over their link), over many calls.
import { LOOPBACK_ARGS, startFederation, startServer } from '../scripts/start-server.mjs';
import { launchBrowser, servePage } from './browser.mjs';

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { n: sorted.length, median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted.at(-1) };
}

/** Where each widget connects: `{ server, http, domain }` for alice and for bob. */
async function startServers(federated) {
  const args = ['--dev-tokens', '--users', 'alice,bob', ...LOOPBACK_ARGS];
  const where = (wsp) => ({ server: wsp.url, http: `http://127.0.0.1:${wsp.port}`, domain: wsp.domain });
  if (federated) {
    const { alpha, beta, stop } = await startFederation({ args });
    return { alice: where(alpha), bob: where(beta), stop };
  }
  const wsp = await startServer(['--domain', 'localhost', '--port', '0', ...args]);
  return { alice: where(wsp), bob: where(wsp), stop: wsp.stop };
}

/**
 * Runs `calls` calls alice → bob in one page; returns the accept→connected times in ms. With `federated`, alice is a
 * user of alpha and bob of beta, each widget connected to its own server process (bench/federation.mjs).
 */
export async function measureSetup({ calls = 30, warmup = 3, federated = false } = {}) {
  const servers = await startServers(federated);
  const page = await servePage();
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    return await tab.evaluate(async ({ where, calls, warmup }) => {
      await customElements.whenDefined('wsp-call');
      const make = (user, peer) => {
        const { server, http, domain } = where[user];
        const el = document.createElement('wsp-call');
        el.tokenProvider = async () => (await (await fetch(`${http}/dev/token?user=${user}`)).json()).token;
        el.setAttribute('server', server);
        el.setAttribute('caller', `${user}@${domain}`);
        el.setAttribute('callee', `${peer}@${where[peer].domain}`);
        document.body.append(el);
        return el;
      };
      const once = (el, type) => new Promise((resolve) => el.addEventListener(type, resolve, { once: true }));
      const alice = make('alice', 'bob');
      const bob = make('bob', 'alice');
      await Promise.all([alice.connect(), bob.connect()]);
      const samples = [];
      for (let i = 0; i < calls + warmup; i++) {
        const ringing = once(bob, 'ringing');
        const callerRinging = once(alice, 'ringing');
        alice.call();
        await Promise.all([ringing, callerRinging]);
        // The widget prepares media and the peer connection while it rings; give it the time a person would.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const connected = Promise.all([once(alice, 'connected'), once(bob, 'connected')]);
        const start = performance.now();
        bob.accept();
        await connected;
        if (i >= warmup) samples.push(performance.now() - start);
        const ended = Promise.all([once(alice, 'ended'), once(bob, 'ended')]);
        alice.hangup();
        await ended;
      }
      alice.remove();
      bob.remove();
      return samples;
    }, { where: { alice: servers.alice, bob: servers.bob }, calls, warmup });
  } finally {
    await browser.close();
    await page.close();
    await servers.stop();
  }
}

export function printSetup(stats) {
  const ms = (n) => `${n.toFixed(1)} ms`;
  console.log('## Call setup: accept() → connected on both sides (one server, loopback, headless Chromium)');
  console.log(`calls ${stats.n}: median ${ms(stats.median)}, p95 ${ms(stats.p95)}, min ${ms(stats.min)}, max ${ms(stats.max)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) printSetup(summarize(await measureSetup()));
