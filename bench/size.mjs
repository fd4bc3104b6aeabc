// Size of the widget, Lit included, minified and gzipped. The budget is what a page that imports only `<wsp-call>`
// loads on import (the entry chunk and its static imports); lazy chunks (translations…) load only when used.
import { bundleElement, bundleElementChunks } from '../scripts/bundle-element.mjs';

const GOAL = 12 * 1024;
const kb = (n) => `${(n / 1024).toFixed(2)} kB`;

export async function measureSize() {
  const split = await bundleElementChunks('src/wsp-call.ts');
  // Everything in one module (lazy modules inlined), and Lit alone: how much of the budget is ours.
  const single = await bundleElement('src/wsp-call.ts');
  const lit = await bundleElement('bench/lit-only.js');
  // PeerJS alone, the library a site embeds for a call widget of its own: the call-setup bench's yardstick.
  const peerjs = await bundleElement('bench/peerjs-entry.js');
  return { widget: split.onImport, split, single, lit, peerjs };
}

export function printSize({ widget, split, single, lit, peerjs }) {
  console.log('## Size (esbuild --bundle --minify --splitting, gzip -9)');
  console.log(
    `widget <wsp-call> on import, Lit included: ${kb(widget.minified)} min, ${kb(widget.gzipped)} min+gzip = ${widget.gzipped} bytes (goal ≤ ${kb(GOAL)}: ${widget.gzipped <= GOAL ? 'met' : 'NOT met'})`,
  );
  for (const chunk of split.chunks.filter((c) => c.lazy)) {
    console.log(`  lazy chunk ${chunk.source ?? chunk.name}: ${kb(chunk.minified)} min, ${kb(chunk.gzipped)} min+gzip`);
  }
  console.log(`all chunks together:              ${kb(split.total.minified)} min, ${kb(split.total.gzipped)} min+gzip`);
  console.log(`one self-contained module:        ${kb(single.minified)} min, ${kb(single.gzipped)} min+gzip`);
  console.log(`of which Lit alone:               ${kb(lit.minified)} min, ${kb(lit.gzipped)} min+gzip`);
  console.log(`PeerJS alone, for comparison:     ${kb(peerjs.minified)} min, ${kb(peerjs.gzipped)} min+gzip`);
}

if (import.meta.url === `file://${process.argv[1]}`) printSize(await measureSize());
