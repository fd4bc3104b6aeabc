// The framework typings against the element's documented API (custom-elements.json): every public property and every
// event of <wsp-call> must be in the React typing (src/react.ts) and the Vue one (src/vue.ts), typed as the element
// types it. The check compiles a probe written from the manifest, so it holds however the typings are made.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

interface Member {
  kind: string;
  name: string;
  privacy?: string;
  static?: boolean;
  readonly?: boolean;
}
interface Declaration {
  customElement?: boolean;
  tagName?: string;
  members?: Member[];
  events?: { name: string; type?: { text: string } }[];
}

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as { modules: { declarations?: Declaration[] }[] };
const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement)!;
/** What a page may set: the public fields the analyzer found (getters without setters are readonly). */
const properties = (element.members ?? []).filter((m) => m.kind === 'field' && m.privacy === 'public' && !m.static && !m.readonly).map((m) => m.name);
const events = (element.events ?? []).map((e) => ({ name: e.name, type: e.type?.text ?? 'Event' }));
/** Event types the DOM defines: the element's own ones are exported by the package's entry. */
const domEvents = new Set(['Event', 'ErrorEvent', 'CustomEvent']);

/** The probe: one assignment per property and per event, each failing to compile where the typing lacks it. */
function probe(): string {
  const lines = [
    `import type { GlobalComponents } from 'vue';`,
    `import type { WspCallProps } from '../../src/react.js';`,
    `import type {} from '../../src/vue.js';`,
    `import type * as entry from '../../src/wsp-call.js';`,
    `type Vue = InstanceType<GlobalComponents['${element.tagName}']>;`,
    `declare const element: entry.WspCall;`,
    `declare const vue: Vue;`,
    // A typing that accepts anything would pass every line below: this one makes sure it does not.
    `// @ts-expect-error -- not a property of the element`,
    `export const none: WspCallProps = { notAProperty: 1 };`,
  ];
  properties.forEach((name, i) => {
    lines.push(`export const reactProperty${i}: WspCallProps = { ${name}: element.${name} };`);
    lines.push(`export const vueProperty${i}: Vue['$props'] = { ${name}: element.${name} };`);
  });
  events.forEach(({ name, type }, i) => {
    const event = domEvents.has(type) ? type : `entry.${type}`;
    const vueName = `on${name[0]!.toUpperCase()}${name.slice(1)}`;
    // A listener that needs the element's event class: it fails where the typing passes a plainer event, or none.
    lines.push(`export const reactEvent${i}: WspCallProps = { on${name}: (event: ${event}) => event };`);
    lines.push(`export const vueEvent${i}: Vue['$props'] = { ${vueName}: (event: ${event}) => event };`);
    lines.push(`vue.$emit('${name}', null as unknown as ${event});`);
  });
  return `${lines.join('\n')}\n`;
}

test('the React and Vue typings have every documented property and event of the element', async () => {
  assert.ok(properties.length > 0 && events.length > 0, 'custom-elements.json lists no properties or events');
  // Inside the project (tmp/ is ignored), so that the probe resolves `vue` and the sources as a user's code would.
  mkdirSync('tmp', { recursive: true });
  const dir = mkdtempSync(join('tmp', 'typings-'));
  try {
    writeFileSync(join(dir, 'probe.ts'), probe());
    // The browser project's settings: DOM types, no Node's.
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../../src/tsconfig.json', compilerOptions: { noEmit: true, rootDir: '../..' }, include: ['probe.ts'] }),
    );
    const tsc = promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', join(dir, 'tsconfig.json')]);
    const output = await tsc.then(
      () => '',
      (error: { stdout?: string }) => error.stdout || String(error),
    );
    // Each error names a line of the probe, and so the property or event the typing lacks.
    assert.equal(output, '', `the typings differ from custom-elements.json:\n${output}\nprobe:\n${probe()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
