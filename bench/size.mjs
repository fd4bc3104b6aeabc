// Size of the widget as a site's bundler gets it. The budget (12,288 bytes): a project whose code is
// `import 'wsp-call'`, with this package installed in its node_modules (package.json and the dist/ that
// `npm run build` writes; its JavaScript only, built into a throwaway copy), bundled with
// `esbuild --bundle --splitting --minify --format=esm`; what loads on import (the entry chunk and every chunk it
// imports statically), each chunk gzip -9. Lazy chunks (the call engine, translations…) load only when used.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildPackageJs } from '../scripts/build-package.mjs';
import { bundleElement, chunksOf } from '../scripts/bundle-element.mjs';

const GOAL = 12 * 1024;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const kb = (n) => `${(n / 1024).toFixed(2)} kB`;
const bytes = (n) => n.toLocaleString('en-US');

/** A site's project with wsp-call installed from this repository (its dependencies linked to ours); removed by the caller. */
async function siteProject() {
  const site = await mkdtemp(join(tmpdir(), 'wsp-size-'));
  const installed = join(site, 'node_modules/wsp-call');
  await mkdir(installed, { recursive: true });
  await copyFile(join(ROOT, 'package.json'), join(installed, 'package.json'));
  await buildPackageJs(join(installed, 'dist'));
  const { dependencies } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  for (const name of Object.keys(dependencies)) {
    await mkdir(join(site, 'node_modules', name, '..'), { recursive: true });
    await symlink(join(ROOT, 'node_modules', name), join(site, 'node_modules', name));
  }
  await writeFile(join(site, 'entry.js'), "import 'wsp-call';\n");
  return site;
}

/** `node_modules/wsp-call/dist/x.js`, `../../node_modules/lit-html/lit-html.js` → `wsp-call/dist/x.js`, `lit-html/lit-html.js`. */
const moduleName = (path) => (path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length) : path);

export async function measureSize() {
  const site = await siteProject();
  try {
    const result = await build({
      absWorkingDir: site,
      entryPoints: ['entry.js'],
      bundle: true,
      splitting: true,
      minify: true,
      format: 'esm',
      outdir: 'out',
      write: false,
      metafile: true,
    });
    const split = chunksOf(result, 'entry.js', site);
    // Who the bytes on import are: each module's share of the eager chunks, minified (gzip is per chunk).
    const modules = new Map();
    for (const chunk of split.chunks.filter((c) => !c.lazy)) {
      for (const [path, { bytesInOutput }] of Object.entries(result.metafile.outputs[chunk.name].inputs)) {
        modules.set(moduleName(path), (modules.get(moduleName(path)) ?? 0) + bytesInOutput);
      }
    }
    // Everything in one module (lazy modules inlined), and Lit alone: how much of the budget is ours.
    const single = await bundleElement('src/wsp-call.ts');
    const lit = await bundleElement('bench/lit-only.js');
    // PeerJS alone, the library a site embeds for a call widget of its own: the call-setup bench's yardstick.
    const peerjs = await bundleElement('bench/peerjs-entry.js');
    return { widget: split.onImport, split, modules, single, lit, peerjs };
  } finally {
    await rm(site, { recursive: true, force: true });
  }
}

export function printSize({ widget, split, modules, single, lit, peerjs }) {
  console.log("## Size (import 'wsp-call' in a site, esbuild --bundle --splitting --minify --format=esm, gzip -9 per chunk)");
  console.log(
    `widget <wsp-call> on import, Lit included: ${kb(widget.minified)} min, ${kb(widget.gzipped)} min+gzip = ${bytes(widget.gzipped)} bytes (goal ≤ ${bytes(GOAL)}: ${widget.gzipped <= GOAL ? 'met' : 'NOT met'})`,
  );
  console.log('  on import, by module (bytes minified, before gzip):');
  for (const [name, size] of [...modules].sort((a, b) => b[1] - a[1])) console.log(`    ${String(size).padStart(6)}  ${name}`);
  for (const chunk of split.chunks.filter((c) => c.lazy)) {
    console.log(`  lazy chunk ${moduleName(chunk.source ?? chunk.name)}: ${kb(chunk.minified)} min, ${kb(chunk.gzipped)} min+gzip`);
  }
  console.log(`all chunks together:              ${kb(split.total.minified)} min, ${kb(split.total.gzipped)} min+gzip`);
  console.log(`one self-contained module (dist/wsp-call.bundle.js): ${kb(single.minified)} min, ${kb(single.gzipped)} min+gzip`);
  console.log(`of which Lit alone:               ${kb(lit.minified)} min, ${kb(lit.gzipped)} min+gzip`);
  console.log(`PeerJS alone, for comparison:     ${kb(peerjs.minified)} min, ${kb(peerjs.gzipped)} min+gzip`);
}

if (import.meta.url === `file://${process.argv[1]}`) printSize(await measureSize());
