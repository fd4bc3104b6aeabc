// The build's template minifier (scripts/minify-templates.mjs), issue 13 item 5: CSS through esbuild's minifier,
// Lit templates without their formatting whitespace, nothing else touched. Sources are written as arrays of lines,
// so that their backticks and `${` are plain characters here.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are the source code of templates, bindings included.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build, transform } from 'esbuild';
// @ts-expect-error -- a plain .mjs module without types, shared with the build
import { minifyTemplates, minifyTemplatesPlugin } from '../../scripts/minify-templates.mjs';
// @ts-expect-error -- idem
import { TemplateLiteralFinder } from '../../scripts/template-literals.mjs';

const MAP_COMMENT = /\n\/\/# sourceMappingURL=data:application\/json;base64,[A-Za-z0-9+/=]+\n$/;

/** One parser process for the file's tests. */
let finder: { find(source: string): unknown[]; close(): void };
before(() => {
  finder = new TemplateLiteralFinder();
});
after(() => finder.close());

/** The module's code after minification, without the source map comment. */
async function minified(...lines: string[]): Promise<string> {
  const { code, warnings } = await minifyTemplates(lines.join('\n'), finder);
  assert.deepEqual(warnings, []);
  return code.replace(MAP_COMMENT, '');
}

/** An `html` template's text (between its backticks, bindings as written) once minified. */
async function html(...lines: string[]): Promise<string> {
  const code = await minified(`html\`${lines.join('\n')}\`;`);
  return code.slice('html`'.length, -'`;'.length);
}

/** The values a module's literals evaluate to, with Lit's tags standing in as the cooked texts' join. */
function evaluate(code: string, names: string[]): string[] {
  const tag = (strings: TemplateStringsArray, ...values: unknown[]) => strings.map((text, i) => text + (i < values.length ? `[${values[i]}]` : '')).join('');
  return new Function('css', 'html', `${code}\nreturn [${names.join(', ')}];`)(tag, tag);
}

describe('CSS template literals', () => {
  test('a `css` tagged literal is minified by esbuild, to the same stylesheet', async () => {
    const source = [
      'const styles = css`',
      '  :host {',
      '    display: block;',
      '    color: #ff0000;',
      '  }',
      '',
      '  /* The buttons. */',
      '  button:focus-visible {',
      '    outline: 3px solid var(--wsp-focus, light-dark(#0b57d0, #8ab4f8));',
      '  }',
      '`;',
    ];
    const code = await minified(...source);
    // A fallback of var() keeps its spaces: they are part of the value a custom property substitutes.
    assert.equal(
      code,
      'const styles = css`:host{display:block;color:red}button:focus-visible{outline:3px solid var(--wsp-focus, light-dark(#0b57d0, #8ab4f8))}`;',
    );
    const [written] = evaluate(source.join('\n'), ['styles']);
    const [shipped] = evaluate(code, ['styles']);
    assert.equal(shipped, (await transform(written!, { loader: 'css', minify: true })).code.trimEnd());
  });

  test('a plain literal marked /* css */ is minified, an unmarked or otherwise commented one is not', async () => {
    const code = await minified(
      'sheet.replaceSync(/* css */ `',
      '  [part=level] { width: min(100%, 320px) }',
      '`);',
      'const marked = /* css */`p { margin: 0 }`;',
      'const plain = `p { margin: 0 }`;',
      'const other = /* html */ `p { margin: 0 }`;',
      "const after = /* css */ 'x' + `p { margin: 0 }`;",
    );
    assert.equal(
      code,
      [
        'sheet.replaceSync(/* css */ `[part=level]{width:min(100%,320px)}`);',
        'const marked = /* css */`p{margin:0}`;',
        'const plain = `p { margin: 0 }`;',
        'const other = /* html */ `p { margin: 0 }`;',
        "const after = /* css */ 'x' + `p { margin: 0 }`;",
      ].join('\n'),
    );
  });

  test('escapes survive: a backslash, a backtick and ${ in the CSS stay what they were', async () => {
    // In the module: content: "\\2014 \` \${x}", which is the CSS content: "\2014 ` ${x}".
    const source = ['const styles = css`', '  p::before { content: "\\\\2014 \\` \\${x}" }', '`;'];
    const code = await minified(...source);
    // The CSS escape \2014 is written as the character itself (a module script is UTF-8).
    assert.equal(code, 'const styles = css`p:before{content:"—\\` \\${x}"}`;');
    const [written] = evaluate(source.join('\n'), ['styles']);
    const [shipped] = evaluate(code, ['styles']);
    assert.equal(written, '\n  p::before { content: "\\2014 ` ${x}" }\n');
    assert.equal(shipped, (await transform(written!, { loader: 'css', minify: true, charset: 'utf8' })).code.trimEnd());
  });

  test('a tagged CSS literal with an invalid escape (no cooked value) is shipped as written, and the build is told', async () => {
    const source = 'const styles = css`p::before { content: "\\2014" }`;';
    const { code, warnings } = await minifyTemplates(source, finder, 'styles.ts');
    assert.equal(code, source);
    assert.match(warnings.map((warning: { text: string }) => warning.text).join(), /invalid escape/);
  });

  test('a CSS literal with ${} substitutions is shipped as written, and the build is told', async () => {
    const source = 'const styles = css`\n  p { color: ${color}; }\n`;';
    const { code, warnings } = await minifyTemplates(source, finder, 'styles.ts');
    assert.equal(code, source);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.text!, /substitutions is shipped as written/);
    assert.deepEqual({ ...warnings[0]!.location, lineText: undefined }, { file: 'styles.ts', line: 1, column: 19, lineText: undefined });
  });
});

describe('HTML template literals', () => {
  test('whitespace with a line break between tags and bindings is formatting: it goes', async () => {
    const text = await html(
      '',
      '  <div part="party">',
      '    <slot name="avatar"></slot>',
      '    ${pieces.remote}',
      '    ${pieces.self}',
      '    <strong part="name">${who}</strong>',
      '  </div>',
      '',
    );
    assert.equal(text, '<div part="party"><slot name="avatar"></slot>${pieces.remote}${pieces.self}<strong part="name">${who}</strong></div>');
  });

  test('a meaningful space stays; other runs of whitespace in text become one space', async () => {
    assert.equal(await html('<bdi>${remote.name}</bdi> (${remote.uri})'), '<bdi>${remote.name}</bdi> (${remote.uri})');
    assert.equal(await html('${before}<bdi>${value}</bdi>${after}'), '${before}<bdi>${value}</bdi>${after}');
    assert.equal(await html('<p>', '  In a call   with', '  ${name}', '</p>'), '<p> In a call with ${name}</p>');
    assert.equal(await html('<span>${minutes}:${seconds}</span> <span>left</span>'), '<span>${minutes}:${seconds}</span> <span>left</span>');
    // No break in the run: a space between two tags may be meaningful (inline elements), so one stays.
    assert.equal(await html('<b>a</b>   <i>b</i>'), '<b>a</b> <i>b</i>');
  });

  test('attribute values are untouched; the whitespace between attributes becomes one space', async () => {
    const text = await html(
      '<button',
      '  part="button ${name}-button"',
      '  title="two  spaces',
      '  and a line"',
      "  data-x='a   b'",
      '  aria-pressed=${pressed ?? nothing}',
      '  ?disabled=${disabled}',
      '  @click=${action}',
      '>${label}</button>',
    );
    assert.equal(
      text,
      '<button part="button ${name}-button" title="two  spaces\n  and a line" data-x=\'a   b\' aria-pressed=${pressed ?? nothing} ?disabled=${disabled} @click=${action} >${label}</button>',
    );
  });

  test('expressions are untouched, and a template nested in one is minified on its own', async () => {
    const text = await html(
      '<p>',
      "  ${label.replace(/  +/g, ' ') + `  keep  ` + '  kept\\n  '}",
      '  ${live',
      '    ? html`',
      '        <span part="timer">${time}</span>',
      '      `',
      '    : nothing}',
      '</p>',
    );
    assert.equal(
      text,
      "<p>${label.replace(/  +/g, ' ') + `  keep  ` + '  kept\\n  '}${live\n    ? html`<span part=\"timer\">${time}</span>`\n    : nothing}</p>",
    );
  });

  test('comments and the text of <pre>, <textarea>, <script>, <style> and <title> are kept as written', async () => {
    const text = await html(
      '<div>',
      '  <!--  a  comment',
      '  -->',
      '  <pre>  two',
      '    lines  ${x}  </pre>',
      '  <textarea>  typed  </textarea>',
      '  <STYLE>  p {  }  </STYLE>',
      '</div>',
    );
    assert.equal(text, '<div><!--  a  comment\n  --><pre>  two\n    lines  ${x}  </pre><textarea>  typed  </textarea><STYLE>  p {  }  </STYLE></div>');
  });

  test('a backslash before whitespace (a line continuation) is left alone', async () => {
    assert.equal(await html('<p>a\\', '   b</p>'), '<p>a\\\n   b</p>');
  });
});

describe('what is not a template literal to minify', () => {
  test('a literal in a comment or a string, and other tags, are untouched', async () => {
    const source = [
      '// html`',
      '//   <p>  </p>`',
      '/* css` p { color: red } ` */',
      "const text = 'html`  <p>\\n  </p>  ` and css`p { color: red }`';",
      'const quoted = "/* css */ `p { color: red }`";',
      'const other = svg`',
      '  <g></g>',
      '`;',
      'const plain = `',
      '  <p></p>',
      '`;',
      'type T = `css${string}`;',
    ];
    assert.equal(await minified(...source), source.join('\n'));
  });

  test('the plugin minifies the modules under src/ only, and the build still maps to the lines as written', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wsp-minify-'));
    try {
      await mkdir(join(root, 'src'));
      const module = ['export const view = (html: Tag) => html`', '  <p>', '    ${1}', '  </p>', '`;', 'export const marker = 42;', ''].join('\n');
      await writeFile(join(root, 'src/view.ts'), module);
      await writeFile(join(root, 'other.ts'), module);
      const result = await build({
        absWorkingDir: root,
        entryPoints: ['src/view.ts', 'other.ts'],
        outdir: 'out',
        format: 'esm',
        sourcemap: true,
        write: false,
        logLevel: 'silent',
        plugins: [minifyTemplatesPlugin({ root })],
      });
      const output = (name: string) => result.outputFiles.find((file) => file.path.endsWith(name))!.text;
      assert.match(output('out/src/view.js'), /html`<p>\$\{1\}<\/p>`/);
      assert.match(output('out/other.js'), /html`\n {2}<p>\n {4}\$\{1\}\n {2}<\/p>\n`/);

      const js = output('out/src/view.js');
      const map = new SourceMap(JSON.parse(output('out/src/view.js.map')));
      const before = js.slice(0, js.indexOf('42')).split('\n');
      const entry = map.findEntry(before.length - 1, before.at(-1)!.length) as { originalLine: number; originalColumn: number; originalSource: string };
      assert.equal(module.split('\n')[entry.originalLine]!.slice(entry.originalColumn), '42;');
      assert.match(entry.originalSource, /src\/view\.ts$/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
