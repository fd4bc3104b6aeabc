// `npm run bench`: every figure the issues ask for, printed as plain lines for a closing note.
// `npm run bench -- NAME…` runs only the sections named: size, setup, cross, turn, link, load (or one load section: idle,
// signaling, relay).
import { measureSize, printSize } from './size.mjs';
import { measureCallSetup, printCallSetup } from './call-setup.mjs';
import { measureCrossSetup, printCrossSetup } from './cross-browser.mjs';
import { measureLinkThroughput, printLinkThroughput } from './federation.mjs';
import { loadSections } from './load.mjs';
import { measureTurnSetup, printTurnSetup } from './turn-setup.mjs';

async function size() {
  printSize(await measureSize());
}

/**
 * wsp-call (one server, federated) and PeerJS, caller and callee in separate browser contexts, alternating call by
 * call: BENCH_CALLS calls each with the callee accepting at once, half as many with it accepting 1.5 s after ringing.
 * BENCH_BASELINE=<commit> adds a fourth system, one server with the element as that commit builds it: an A/B in one run.
 */
async function setup() {
  const calls = Number(process.env.BENCH_CALLS ?? 20);
  printCallSetup(await measureCallSetup({ calls, delayedCalls: Math.ceil(calls / 2), baseline: process.env.BENCH_BASELINE }));
}

/** Chromium → Firefox, Firefox → Chromium and Chromium → Chromium, each page its own browser; BENCH_CROSS_CALLS each. */
async function cross() {
  printCrossSetup(await measureCrossSetup({ calls: Number(process.env.BENCH_CROSS_CALLS ?? 10) }));
}

/** Direct vs relay-only through coturn vs a black-hole STUN server, BENCH_TURN_CALLS calls each (issue 14). */
async function turn() {
  printTurnSetup(await measureTurnSetup({ calls: Number(process.env.BENCH_TURN_CALLS ?? 20) }));
}

async function link() {
  printLinkThroughput(await measureLinkThroughput());
}

async function load() {
  for (const [name, section] of Object.entries(loadSections)) {
    await section();
    if (name !== Object.keys(loadSections).at(-1)) console.log();
  }
}

/** In the order `npm run bench` runs them; each prints its own figures. */
const sections = { size, setup, cross, turn, link, load };
const known = { ...sections, ...loadSections };

const names = process.argv.slice(2);
const unknown = names.filter((name) => !known[name]);
if (unknown.length > 0) {
  console.error(`unknown bench section ${unknown.join(', ')}; known: ${Object.keys(known).join(', ')}`);
  process.exit(2);
}
const chosen = names.length > 0 ? names : Object.keys(sections);
for (const [i, name] of chosen.entries()) {
  if (i > 0) console.log();
  await known[name]();
}
