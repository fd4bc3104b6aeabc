// The package's JavaScript in dist/: one module per source file, where tsc would write it (tsc writes only the
// declarations), with the CSS and HTML templates minified. A user's bundler gets small templates from readable source.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { minifyTemplatesPlugin } from './minify-templates.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Writes every module of src/ as JavaScript (and its source map) to `outdir`, in src's layout.
 * @param {string} [outdir] Relative to the repository's root, or absolute.
 *
 * @example
 * await buildPackageJs('dist'); // dist/wsp-call.js, dist/element/wsp-call.js…
 */
export async function buildPackageJs(outdir = 'dist') {
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/**/*.ts'],
    outbase: 'src',
    outdir,
    format: 'esm',
    platform: 'neutral',
    // tsconfig.json's target: the code as tsc wrote it, left for the user's bundler to minify.
    target: 'es2022',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
    plugins: [minifyTemplatesPlugin({ root: ROOT })],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildPackageJs();
