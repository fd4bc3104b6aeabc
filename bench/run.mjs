// `npm run bench`: every figure the issues ask for, printed as plain lines for a closing note.
// `npm run bench -- NAME…` runs only the sections named: size, setup, link, load (or one load section: idle,
// signaling, relay).
import { measureSize, printSize } from './size.mjs';
import { measureSetup, printSetup, summarize } from './setup-time.mjs';
import { measurePeerjsSetup, peerjsSize } from './peerjs-baseline.mjs';
import { measureFederatedSetup, measureLinkThroughput, printFederatedSetup, printLinkThroughput } from './federation.mjs';
import { loadSections } from './load.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 30);
const kb = (n) => `${(n / 1024).toFixed(2)} kB`;
const ms = (n) => `${n.toFixed(1)} ms`;

async function size() {
  printSize(await measureSize());
  console.log(`PeerJS alone, for comparison:     ${kb((await peerjsSize()).gzipped)} min+gzip`);
}

async function setup() {
  const ours = summarize(await measureSetup({ calls }));
  printSetup(ours);
  printFederatedSetup({ single: ours, federated: summarize(await measureFederatedSetup({ calls })) });
  const peerjs = summarize(await measurePeerjsSetup({ calls }));
  console.log(`PeerJS baseline, same page load (self-views, remote video played): median ${ms(peerjs.median)}, p95 ${ms(peerjs.p95)} (${peerjs.n} calls)`);
  console.log(`wsp-call / PeerJS median: ${(ours.median / peerjs.median).toFixed(2)}`);
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
const sections = { size, setup, link, load };
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
// PeerServer (the PeerJS baseline) re-arms its expiry and liveness timers forever and has no way to stop them:
// without this the process would never end.
process.exit(0);
