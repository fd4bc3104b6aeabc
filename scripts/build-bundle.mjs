// The builds for pages without a build step (a CMS, plain HTML), Lit included:
// - dist/cdn/wsp-call.js and its chunks: what such a page should host, as one folder. The page loads only the
//   entry; the in-call parts and translations follow when a call starts or a language is picked.
// - dist/wsp-call.bundle.js: everything in one self-contained file, for hosts that take a single file only.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { bundleElement, bundleElementChunks } from './bundle-element.mjs';

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} kB`;

rmSync('dist/cdn', { recursive: true, force: true });
const { onImport, total } = await bundleElementChunks('src/wsp-call.ts', 'dist/cdn');
console.log(`dist/cdn/wsp-call.js: ${kb(onImport.gzipped)} min+gzip on import, ${kb(total.gzipped)} with every lazy chunk`);

const { code, gzipped } = await bundleElement();
mkdirSync('dist', { recursive: true });
writeFileSync('dist/wsp-call.bundle.js', code);
console.log(`dist/wsp-call.bundle.js: ${kb(gzipped)} min+gzip, self-contained`);
