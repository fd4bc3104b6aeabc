// The single-file module for `<script type="module" src=".../wsp-call.bundle.js">`, Lit included: for pages without a build step.
import { writeFileSync, mkdirSync } from 'node:fs';
import { bundleElement } from './bundle-element.mjs';

const { code, gzipped } = await bundleElement();
mkdirSync('dist', { recursive: true });
writeFileSync('dist/wsp-call.bundle.js', code);
console.log(`dist/wsp-call.bundle.js: ${(gzipped / 1024).toFixed(2)} kB min+gzip`);
