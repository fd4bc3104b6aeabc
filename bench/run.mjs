// `npm run bench`: every figure the issues ask for, printed as plain lines for a closing note.
// `npm run bench -- NAME…` runs only the sections named: size, setup, cross, link, load (or one load section: idle,
// signaling, relay).
import { measureSize, printSize } from './size.mjs';
import { measureSetup, printSetup, summarize } from './setup-time.mjs';
import { measurePeerjsSetup, peerjsSize } from './peerjs-baseline.mjs';
import { measureCrossSetup, printCrossSetup } from './cross-browser.mjs';
import { measureFederatedSetup, measureLinkThroughput, printFederatedSetup, printLinkThroughput } from './federation.mjs';
import { loadSections } from './load.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 30);
const kb = (n) => `${(n / 1024).toFixed(2)} kB`;
const ms = (n) => `${n.toFixed(1)} ms`;

async function size() {
  printSize(await measureSize());
  console.log(`PeerJS alone, for comparison:     ${kb((await peerjsSize()).gzipped)} min+gzip`);
}

/** Rounds that alternate the three setups, so that a busy spell of the machine does not favour one of them. */
const ROUNDS = 3;

async function setup() {
  const samples = { single: [], federated: [], peerjs: [] };
  const per = Math.ceil(calls / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    samples.single.push(...(await measureSetup({ calls: per })));
    samples.federated.push(...(await measureFederatedSetup({ calls: per })));
    samples.peerjs.push(...(await measurePeerjsSetup({ calls: per })));
  }
  const [ours, federated, peerjs] = [summarize(samples.single), summarize(samples.federated), summarize(samples.peerjs)];
  printSetup(ours);
  printFederatedSetup({ single: ours, federated });
  console.log(`PeerJS baseline, same page load (self-views, remote video played): median ${ms(peerjs.median)}, p95 ${ms(peerjs.p95)} (${peerjs.n} calls)`);
  console.log(`wsp-call / PeerJS median: one server ${(ours.median / peerjs.median).toFixed(2)}, federated ${(federated.median / peerjs.median).toFixed(2)} (${ROUNDS} alternating rounds)`);
}

/** Chromium → Firefox, Firefox → Chromium and Chromium → Chromium, each page its own browser; BENCH_CROSS_CALLS each. */
async function cross() {
  printCrossSetup(await measureCrossSetup({ calls: Number(process.env.BENCH_CROSS_CALLS ?? 10) }));
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
const sections = { size, setup, cross, link, load };
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
