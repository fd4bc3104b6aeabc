// Bundles the element the way a page that imports only `<wsp-call>` gets it: one minified ES module.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

/** @returns {Promise<{ code: string, minified: number, gzipped: number }>} */
export async function bundleElement(entry = 'src/wsp-call.ts') {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    legalComments: 'none',
  });
  const code = result.outputFiles[0].text;
  return { code, minified: Buffer.byteLength(code), gzipped: gzipSync(code, { level: 9 }).length };
}
