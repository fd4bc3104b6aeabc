// The build's template minifier, an esbuild plugin: our CSS and HTML are written to be read, and shipped small.
// In our own src/**/*.ts only:
// - CSS: literals tagged `css` (Lit) and plain ones marked `/* css */` (`sheet.replaceSync(/* css */ `…`)`) go
//   through esbuild's CSS minifier. One with `${}` substitutions is left as written (and the build warns): what a
//   substitution stands for (a value, a selector, whole rules) decides what the minifier may do around it, and a
//   placeholder cannot tell it. Compose styles instead (`static styles = [base, css`…`]`).
// - HTML: literals tagged `html` (Lit) lose their formatting whitespace (html-whitespace.mjs says which).
// The literals are found by TypeScript's parser (template-literals.mjs). The rest of the code is left to esbuild.
import { readFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { minifyHtml } from './html-whitespace.mjs';
import { applyEdits } from './source-edits.mjs';
import { TemplateLiteralFinder } from './template-literals.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `source` with its CSS and HTML template literals minified, a source map back to it inlined, and what esbuild's CSS
 * minifier warned about (each warning's literal is left as written).
 * @param {string} source TypeScript or JavaScript.
 * @param {TemplateLiteralFinder} finder
 * @param {string} [file] The module's name, for the source map and the warnings.
 * @returns {Promise<{ code: string, warnings: import('esbuild').PartialMessage[] }>}
 *
 * @example
 * const { code } = await minifyTemplates('css`:host { color: red; }`', finder); // 'css`:host{color:red}`' and a source map
 */
export async function minifyTemplates(source, finder, file = 'module.ts') {
  const warnings = [];
  const edits = [];
  for (const literal of finder.find(source)) {
    const raws = literal.quasis.map((quasi) => source.slice(quasi.start, quasi.end));
    const warn = (text) => void warnings.push(warning(text, source, literal, file));
    const minified = literal.language === 'html' ? minifyHtml(raws) : await minifyCss(raws, warn);
    literal.quasis.forEach((quasi, index) => {
      if (minified && minified[index] !== raws[index]) edits.push({ start: quasi.start, end: quasi.end, text: minified[index] });
    });
  }
  if (edits.length === 0) return { code: source, warnings };
  const { code, map } = applyEdits(source, edits, basename(file));
  const inline = Buffer.from(JSON.stringify(map)).toString('base64');
  return { code: `${code}\n//# sourceMappingURL=data:application/json;base64,${inline}\n`, warnings };
}

/** The literal's CSS minified, as raw template text; undefined to leave it as written (and `warn` says why). */
async function minifyCss(raws, warn) {
  if (raws.length > 1) return warn('CSS with substitutions is shipped as written: compose styles instead');
  const css = cook(raws[0]);
  if (css === undefined) return warn('CSS with an invalid escape is shipped as written');
  const result = await transform(css, { loader: 'css', minify: true, charset: 'utf8', logLevel: 'silent' });
  if (result.warnings.length > 0) return warn(`CSS shipped as written, for esbuild warns: ${result.warnings.map((w) => w.text).join('; ')}`);
  return [toRaw(result.code.trimEnd())];
}

/** An esbuild warning about a literal, at its start. */
function warning(text, source, literal, file) {
  const start = literal.quasis[0].start;
  const lines = source.slice(0, start).split('\n');
  const lineText = source.slice(start - lines.at(-1).length).split('\n')[0];
  return { text, location: { file, line: lines.length, column: lines.at(-1).length, lineText } };
}

/**
 * The value of a template literal's raw text, as JavaScript reads it (escapes, line continuations, line ends), or
 * undefined for an invalid escape (`\2014`: CSS escapes need `\\2014` in a template). JavaScript's own reading: the text
 * comes from a literal of a parsed module, so in backticks it is that literal again, and a tag gets its value.
 */
function cook(raw) {
  return new Function(`return ((strings) => strings[0])\`${raw}\`;`)();
}

/** Text as a template literal writes it: the backslash, the backtick and `${` escaped. */
function toRaw(text) {
  return text.replace(/\\|`|\$\{/g, (match) => `\\${match}`);
}

/**
 * The esbuild plugin: every .ts module under `root`/src is loaded with its templates minified.
 * @param {{ root?: string }} [options] The repository's root; this one by default.
 * @returns {import('esbuild').Plugin}
 *
 * @example
 * await build({ entryPoints: ['src/wsp-call.ts'], bundle: true, plugins: [minifyTemplatesPlugin()] });
 */
export function minifyTemplatesPlugin({ root = ROOT } = {}) {
  const src = join(root, 'src') + sep;
  return {
    name: 'minify-templates',
    setup(build) {
      // One parser process per build, started by the first module it reads.
      let finder;
      build.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        if (!path.startsWith(src) || path.endsWith('.d.ts')) return undefined;
        finder ??= new TemplateLiteralFinder();
        const { code, warnings } = await minifyTemplates(await readFile(path, 'utf8'), finder, path);
        return { contents: code, loader: 'ts', warnings };
      });
      build.onEnd(() => {
        finder?.close();
        finder = undefined;
      });
    },
  };
}
