// Size of the widget, Lit included, minified and gzipped, for a page that imports only `<wsp-call>`.
import { bundleElement } from '../scripts/bundle-element.mjs';

const GOAL = 12 * 1024;
const kb = (n) => `${(n / 1024).toFixed(2)} kB`;

export async function measureSize() {
  const widget = await bundleElement('src/wsp-call.ts');
  // Lit alone, as a reference for how much of the budget is ours.
  const lit = await bundleElement('bench/lit-only.js');
  return { widget, lit };
}

export function printSize({ widget, lit }) {
  console.log('## Size (esbuild --bundle --minify, gzip -9)');
  console.log(`widget <wsp-call>, Lit included: ${kb(widget.minified)} min, ${kb(widget.gzipped)} min+gzip (goal ≤ ${kb(GOAL)}: ${widget.gzipped <= GOAL ? 'met' : 'NOT met'})`);
  console.log(`of which Lit alone:               ${kb(lit.minified)} min, ${kb(lit.gzipped)} min+gzip`);
}

if (import.meta.url === `file://${process.argv[1]}`) printSize(await measureSize());
