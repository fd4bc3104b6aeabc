// accept() → `connected` on both sides for calls between browsers of different kinds, each page in its own browser
// process: Chromium → Firefox, Firefox → Chromium, and Chromium → Chromium for comparison, through one real WSP
// server process, in alternating rounds (a busy spell of the machine then weighs on all three alike). The pages and
// the call steps are the cross-browser test's (scripts/cross-browser.mjs, test/pages/phone.ts).
import { LOOPBACK_ARGS, startServer } from '../scripts/start-server.mjs';
import { accept, hangUp, launch, openPhonePage, ring, servePhonePage } from '../scripts/cross-browser.mjs';
import { summarize } from './stats.mjs';

/** The three pairs, caller first: a page of one Chromium process, of a second one, and of Firefox. */
export const PAIRS = [
  ['chromium', 'firefox'],
  ['firefox', 'chromium'],
  ['chromium', 'chromium2'],
];
const USERS = { chromium: 'alice', chromium2: 'bob', firefox: 'carol' };

/**
 * Runs `calls` measured calls per pair (after `warmup` each), alternating the pairs call by call; returns
 * `{ 'chromium→firefox': number[], … }`, the accept → connected-on-both times in ms.
 */
export async function measureCrossSetup({ calls = 10, warmup = 2 } = {}) {
  const wsp = await startServer(['--domain', 'localhost', '--port', '0', '--dev-tokens', '--users', Object.values(USERS).join(','), ...LOOPBACK_ARGS]);
  const where = { url: wsp.url, http: `http://127.0.0.1:${wsp.port}`, domain: wsp.domain };
  const site = await servePhonePage();
  const browsers = {};
  try {
    [browsers.chromium, browsers.chromium2, browsers.firefox] = await Promise.all([launch('chromium'), launch('chromium'), launch('firefox')]);
    const pages = {};
    for (const [name, browser] of Object.entries(browsers)) {
      pages[name] = (await openPhonePage(browser, site.url)).page;
      await pages[name].evaluate((where, user) => window.phone.open(where, user, ''), where, USERS[name]);
    }
    const samples = Object.fromEntries(PAIRS.map((pair) => [pair.join('→'), []]));
    for (let i = 0; i < calls + warmup; i++) {
      for (const [from, to] of PAIRS) {
        const [caller, callee] = [pages[from], pages[to]];
        await caller.evaluate((address) => (window.phone.el.callee = address), `${USERS[to]}@${wsp.domain}`);
        await ring(caller, callee);
        // The widget prepares media and the peer connection while it rings; give it the time a person would.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const { both } = await accept(caller, callee);
        if (i >= warmup) samples[`${from}→${to}`].push(both);
        await hangUp(caller, callee);
      }
    }
    return samples;
  } finally {
    await Promise.allSettled(Object.values(browsers).map((browser) => browser.close()));
    await site.close();
    await wsp.stop();
  }
}

const LABELS = { chromium: 'Chromium', chromium2: 'Chromium', firefox: 'Firefox' };

export function printCrossSetup(samples) {
  const ms = (n) => `${n.toFixed(0)} ms`;
  console.log('## Call setup across browsers: accept → connected on both sides (one server, loopback, each page its own headless browser)');
  for (const [pair, times] of Object.entries(samples)) {
    const stats = summarize(times);
    const [from, to] = pair.split('→').map((name) => LABELS[name]);
    console.log(
      `${`${from} → ${to}:`.padEnd(21)} median ${ms(stats.median)}, p95 ${ms(stats.p95)}, min ${ms(stats.min)}, max ${ms(stats.max)} (${stats.n} calls, alternating)`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printCrossSetup(await measureCrossSetup());
