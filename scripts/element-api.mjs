// Writes src/element-api.ts from custom-elements.json: the names of <wsp-call>'s properties and events, the one list
// the framework typings (src/react.ts, src/vue.ts) map over, each name typed by the element itself. `npm run manifest`
// runs it after the analyzer; `npm run manifest:check` fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const API_FILE = 'src/element-api.ts';

/** The text of src/element-api.ts for `manifest`: its custom element's public writable fields and its events. */
export function elementApiSource(manifest) {
  const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement);
  const properties = element.members.filter((m) => m.kind === 'field' && m.privacy === 'public' && !m.static && !m.readonly).map((m) => m.name);
  const events = (element.events ?? []).map((e) => e.name);
  const union = (names) => names.map((name) => `\n  | '${name}'`).join('');
  return `// Generated from custom-elements.json by scripts/element-api.mjs (\`npm run manifest\`): do not edit.
// The one list of <${element.tagName}>'s API that the framework typings (react.ts, vue.ts) map over; the types come from
// the element (its fields, its HTMLElementEventMap entries). test/node/element-typings.test.ts checks the typings.

/** The properties a page may set on \`<${element.tagName}>\`: its public fields. */
export type WspCallProperty =${union(properties)};

/** The events \`<${element.tagName}>\` fires. */
export type WspCallEventName =${union(events)};
`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(API_FILE, elementApiSource(JSON.parse(readFileSync('custom-elements.json', 'utf8'))));
}
