// Soak: 1,000 consecutive calls in one page, each with widgets of its own (created, call, connected, hang-up, removed),
// through a real WSP server process. Prints the page's JS heap after a forced GC (CDP HeapProfiler.collectGarbage) and
// the peer connections still open, at the start, every 100 calls and at the end: neither may grow.
//   node bench/soak.mjs [--calls 1000] [--every 100] [--minutes 15]
import { parseArgs } from 'node:util';
import { LOOPBACK_ARGS, startServer } from '../scripts/start-server.mjs';
import { launchBrowser, servePage } from './browser.mjs';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '1000' }, every: { type: 'string', default: '100' }, minutes: { type: 'string', default: '15' } },
});
const calls = Number(values.calls);
const every = Number(values.every);
const deadline = Date.now() + Number(values.minutes) * 60_000;

/** Counts peer connections as they are made, weakly, so that counting keeps none alive. */
function trackPeerConnections() {
  let made = 0;
  let refs = [];
  const Native = RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      made++;
      refs.push(new WeakRef(this));
    }
  };
  window.soakPeerConnections = () => {
    // Collected ones are forgotten, so that the counting itself does not grow the heap.
    refs = refs.filter((ref) => ref.deref());
    const alive = refs.map((ref) => ref.deref());
    return { made, uncollected: alive.length, open: alive.filter((pc) => pc.signalingState !== 'closed').length };
  };
}

/** Runs `count` calls alice → bob in the page, each with new widgets; returns how long they took, in ms. */
async function runCalls({ where, count }) {
  await customElements.whenDefined('wsp-call');
  const once = (el, type) => new Promise((resolve) => el.addEventListener(type, resolve, { once: true }));
  const make = (user, peer) => {
    const el = document.createElement('wsp-call');
    el.tokenProvider = async () => (await (await fetch(`${where.http}/dev/token?user=${user}`)).json()).token;
    Object.assign(el, { server: where.server, caller: `${user}@${where.domain}`, callee: `${peer}@${where.domain}` });
    document.body.append(el);
    return el;
  };
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const alice = make('alice', 'bob');
    const bob = make('bob', 'alice');
    await Promise.all([alice.connect(), bob.connect()]);
    const ringing = once(bob, 'ringing');
    await alice.call();
    await ringing;
    const connected = Promise.all([once(alice, 'connected'), once(bob, 'connected')]);
    await bob.accept();
    await connected;
    const ended = Promise.all([once(alice, 'ended'), once(bob, 'ended')]);
    await alice.hangup();
    const codes = (await ended).map((event) => event.code);
    if (codes.some((code) => code !== 200)) throw new Error(`call ${i} ended with ${codes}`);
    alice.remove();
    bob.remove();
  }
  return performance.now() - start;
}

const wsp = await startServer(['--domain', 'localhost', '--port', '0', '--dev-tokens', '--users', 'alice,bob', ...LOOPBACK_ARGS]);
const page = await servePage();
const browser = await launchBrowser();
try {
  const tab = await browser.newPage();
  await tab.addInitScript(trackPeerConnections);
  await tab.goto(page.url);
  const cdp = await tab.context().newCDPSession(tab);
  const where = { server: wsp.url, http: `http://127.0.0.1:${wsp.port}`, domain: wsp.domain };
  const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MB`;
  const sample = async (done, ms) => {
    // Peer connections close a moment after the call (a bye on a young DataChannel waits 500 ms): let them.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const pcs = await tab.evaluate(() => window.soakPeerConnections());
    const pace = ms ? `, ${(ms / every).toFixed(0)} ms/call` : '';
    console.log(
      `calls ${String(done).padStart(5)}: JS heap ${mb(usedSize)}, peer connections open ${pcs.open} (made ${pcs.made}, not yet collected ${pcs.uncollected})${pace}`,
    );
    return { usedSize, open: pcs.open };
  };
  console.log(`## Soak: ${calls} consecutive calls in one page, new widgets for each (one server, loopback, headless Chromium)`);
  const first = await sample(0);
  let done = 0;
  let last = first;
  while (done < calls && Date.now() < deadline) {
    const count = Math.min(every, calls - done);
    const ms = await tab.evaluate(runCalls, { where, count });
    done += count;
    last = await sample(done, ms);
  }
  if (done < calls) console.log(`stopped after ${done} calls: the ${values.minutes}-minute bound was reached`);
  console.log(`heap growth ${mb(last.usedSize - first.usedSize)} over ${done} calls; peer connections open at the end: ${last.open}`);
} finally {
  await browser.close();
  await page.close();
  await wsp.stop();
}
