// Where a server's time went, from a CPU profile (.cpuprofile, as bench/server-probe.mjs or `node --cpu-prof` write
// it): self time per function, and total time (self + callees) per function of src/, as shares of the sampled time.
// `node bench/profile-summary.mjs FILE [ROWS]`
import { readFileSync } from 'node:fs';

/** `{ sampledMs, self: [{ name, ms, share }], inclusive: [{ name, ms, share }] }`, largest first. */
export function summarizeProfile(profile, rows = 25) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = ({ callFrame: f }) => {
    const file = f.url.replace(/^file:\/\/.*?\/(src|node_modules|bench)\//, '$1/').replace(/^node:/, '');
    return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map();
  const inclusive = new Map();
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  const { samples, timeDeltas } = profile;
  let sampledMs = 0;
  for (let i = 0; i < samples.length; i++) {
    const ms = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000; // each delta precedes its sample: the next one is this one's length
    sampledMs += ms;
    let node = nodes.get(samples[i]);
    add(self, label(node), ms);
    const seen = new Set();
    for (; node; node = nodes.get(parent.get(node.id))) {
      const name = label(node);
      if (!node.callFrame.url.includes('/src/') || seen.has(name)) continue;
      seen.add(name);
      add(inclusive, name, ms);
    }
  }
  const top = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, ms]) => ({ name, ms, share: ms / sampledMs }));
  return { sampledMs, self: top(self), inclusive: top(inclusive) };
}

export function printProfile({ sampledMs, self, inclusive }) {
  const row = ({ name, ms, share }) => `  ${(share * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(6)} ms  ${name}`;
  console.log(`sampled ${sampledMs.toFixed(0)} ms; self time:`);
  for (const entry of self) console.log(row(entry));
  console.log('total time (with callees) of src/ functions:');
  for (const entry of inclusive) console.log(row(entry));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printProfile(summarizeProfile(JSON.parse(readFileSync(process.argv[2], 'utf8')), Number(process.argv[3] ?? 25)));
}
