// Bundles the element the way pages get it: minified ES modules, Lit included, our templates minified.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { minifyTemplatesPlugin } from './minify-templates.mjs';

// charset utf8: module scripts are always decoded as UTF-8, so non-ASCII text (translations) need not be escaped.
const options = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  charset: 'utf8',
  plugins: [minifyTemplatesPlugin()],
};
const measure = (code) => ({ minified: Buffer.byteLength(code), gzipped: gzipSync(code, { level: 9 }).length });

/**
 * One self-contained module: lazily imported modules (translations…) are inlined, so it runs from anywhere alone.
 * @returns {Promise<{ code: string, minified: number, gzipped: number }>}
 */
export async function bundleElement(entry = 'src/wsp-call.ts') {
  const result = await build({ ...options, entryPoints: [entry], write: false });
  const code = result.outputFiles[0].text;
  return { code, ...measure(code) };
}

/**
 * @typedef {{ name: string, code: string, minified: number, gzipped: number, lazy: boolean, source?: string }} Chunk
 * `lazy`: loaded only when the code calls import(); `source`: the module a lazy chunk was split for.
 */

/**
 * The element split into chunks (esbuild code splitting), as a server hosts them next to each other: the entry
 * chunk and the chunks it imports statically load with the page (`onImport`); the lazy chunks (`import()`) load only
 * when needed: a translation, for instance. Written to `outdir` when given.
 * @returns {Promise<{ chunks: Chunk[], onImport: { minified: number, gzipped: number }, total: { minified: number, gzipped: number } }>}
 */
export async function bundleElementChunks(entry = 'src/wsp-call.ts', outdir) {
  const result = await build({
    ...options,
    entryPoints: [entry],
    splitting: true,
    outdir: outdir ?? 'dist/chunks',
    write: false,
    metafile: true,
    chunkNames: '[name]-[hash]',
  });
  if (outdir) {
    mkdirSync(outdir, { recursive: true });
    for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  }
  return chunksOf(result, entry);
}

/**
 * The chunks of a split build (`metafile: true`, `write: false`), measured: which load on import of `entry` and which
 * are lazy. `cwd`: the build's absWorkingDir, to which the metafile's names are relative.
 * @param {import('esbuild').BuildResult} result
 * @returns {{ chunks: Chunk[], onImport: { minified: number, gzipped: number }, total: { minified: number, gzipped: number } }}
 */
export function chunksOf(result, entry, cwd = process.cwd()) {
  const outputs = result.metafile.outputs;
  const files = new Map(result.outputFiles.map((file) => [relative(cwd, file.path), file.text]));
  const start = Object.keys(outputs).find((name) => outputs[name].entryPoint === entry);
  // What a page loads on import: the entry chunk and, transitively, what it imports statically.
  const eager = new Set();
  const visit = (name) => {
    if (eager.has(name)) return;
    eager.add(name);
    for (const { path, kind } of outputs[name].imports) if (kind === 'import-statement' && outputs[path]) visit(path);
  };
  visit(start);
  const chunks = Object.entries(outputs)
    .filter(([name]) => name.endsWith('.js'))
    .map(([name, output]) => {
      const code = files.get(name) ?? '';
      const chunk = { name, code, ...measure(code), lazy: !eager.has(name) };
      return output.entryPoint && name !== start ? { ...chunk, source: output.entryPoint } : chunk;
    });
  const sum = (list) => ({
    minified: list.reduce((total, chunk) => total + chunk.minified, 0),
    gzipped: list.reduce((total, chunk) => total + chunk.gzipped, 0),
  });
  return { chunks, onImport: sum(chunks.filter((chunk) => !chunk.lazy)), total: sum(chunks) };
}
