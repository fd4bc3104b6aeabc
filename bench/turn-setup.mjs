// Real networks (issue 14): accept → connected with no ICE server (direct, the baseline), relay-only through a real
// coturn with the credentials the WSP server issues, and with a STUN server that never answers (the black hole), in
// one run, the three alternating call by call. Pages, browser and tracing as the setup bench (bench/call-setup.mjs).
import { LOOPBACK_ARGS, startServer } from '../scripts/start-server.mjs';
import { startBlackHole, startTurn } from '../scripts/start-turn.mjs';
import { launchBrowser } from './browser.mjs';
import { ensureCdnBuild, measure, oneCall, openPage, serveSite, warmUp, wspPages } from './call-setup.mjs';
import { summarize } from './stats.mjs';

export const VARIANTS = {
  direct: 'no ICE server (direct)',
  relay: 'relay-only through coturn',
  blackHole: 'black-hole STUN server',
};

/** Returns `{ [variant]: figures[] }` (see measure() in call-setup.mjs), `calls` calls each, accepted at once. */
export async function measureTurnSetup({ calls = 20 } = {}) {
  await ensureCdnBuild();
  const args = ['--domain', 'localhost', '--port', '0', '--dev-tokens', '--users', 'alice,bob,carol,dave', ...LOOPBACK_ARGS];
  const stops = [];
  let browser;
  try {
    const turn = await startTurn();
    stops.push(turn.stop);
    const blackHole = await startBlackHole();
    stops.push(blackHole.stop);
    const plain = await startServer(args);
    stops.push(plain.stop);
    const issuing = await startServer([...args, '--turn-urls', turn.urls.udp], { env: { WSP_TURN_SECRET: turn.secret } });
    stops.push(issuing.stop);
    const site = await serveSite();
    stops.push(site.close);
    browser = await launchBrowser();
    await warmUp(browser, site.add('warm-up', '<!doctype html><title>warm-up</title>'));

    // Each variant's users are alone on their server but for the black hole's, which shares the plain server with
    // the direct pages: those get users of their own.
    const urls = {
      direct: wspPages(site, 'direct', plain, plain),
      relay: wspPages(site, 'relay', issuing, issuing, { attributes: 'relay-only' }),
      blackHole: wspPages(site, 'black-hole', plain, plain, { iceServers: [{ urls: blackHole.url }] }, ['carol', 'dave']),
    };
    const pairs = {};
    for (const [variant, { caller, callee }] of Object.entries(urls)) {
      pairs[variant] = { caller: await openPage(browser, caller), callee: await openPage(browser, callee) };
    }
    // One call each first, not counted: each page's first call loads the call engine and the in-call chunk.
    for (const variant of Object.keys(VARIANTS)) await oneCall(pairs[variant], 0);
    const results = Object.fromEntries(Object.keys(VARIANTS).map((variant) => [variant, []]));
    for (let i = 0; i < calls; i++) {
      for (const variant of Object.keys(VARIANTS)) results[variant].push(measure('single', await oneCall(pairs[variant], 0)));
    }
    return results;
  } finally {
    await browser?.close();
    for (const stop of stops.reverse()) await stop();
  }
}

const ms = (n) => (Number.isFinite(n) ? n.toFixed(1) : '–');

export function printTurnSetup(results) {
  const variants = Object.keys(VARIANTS);
  const row = (label, cells) => `${label.padEnd(36)}${cells.map((cell) => cell.padEnd(28)).join('')}`.trimEnd();
  console.log('## Real networks: accept → connected direct, relayed through coturn, and with a STUN server that never answers');
  console.log('One headless Chromium, caller and callee in separate contexts, loopback; a real coturn 4.6 (use-auth-secret) with');
  console.log("credentials from the WSP server (/wsp/turn); the black hole's page uses no TURN. Variants alternate call by call,");
  console.log(`each page's first call not counted. Times in ms: median (p95); ${results.direct.length} calls each.`);
  console.log(
    row(
      '',
      variants.map((variant) => VARIANTS[variant]),
    ),
  );
  for (const [metric, name] of [
    ['connected', 'accept → connected, both sides'],
    ['connectedCaller', '  caller'],
    ['connectedCallee', '  callee'],
    ['frame', 'accept → first remote frame, both'],
  ]) {
    const per = variants.map((variant) => summarize(results[variant].map((figures) => figures[metric])));
    console.log(
      row(
        name,
        per.map(({ median, p95 }) => `${ms(median)} (${ms(p95)})`),
      ),
    );
  }
  const median = (variant) => summarize(results[variant].map((figures) => figures.connected)).median;
  console.log(`relay − direct, medians: ${ms(median('relay') - median('direct'))} ms; black hole − direct: ${ms(median('blackHole') - median('direct'))} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTurnSetup(await measureTurnSetup({ calls: Number(process.env.BENCH_TURN_CALLS ?? 20) }));
}
