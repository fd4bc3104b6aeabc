// docs/protocol.md against the code: its tables of size limits (§2.3), rate and count limits (§2.4), refusals' close
// codes (§3.3) and bye codes (§5)
// name every limit and code the code defines, with the same values, and nothing else. Names come from the code, so a
// limit added there fails here until the spec has its row.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { byeReasons } from '../../src/protocol/bye-reasons.js';
import { ByeCode } from '../../src/protocol/codes.js';
import { RefusalCode } from '../../src/protocol/handshake.js';
import { CANDIDATES_PER_CALL, limits } from '../../src/protocol/limits.js';
import { defaultLimits } from '../../src/server/limits.js';

const doc = readFileSync('docs/protocol.md', 'utf8').split('\n');

/** The cells of a table row; `\|` stays inside its cell. */
const cells = (line: string) =>
  line
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

/** The first table under the heading that starts with `heading`: one record per row, keyed by the header's cells. */
function table(heading: string): Record<string, string>[] {
  const start = doc.findIndex((line) => line.startsWith(heading));
  assert.notEqual(start, -1, `docs/protocol.md has no heading "${heading}"`);
  const lines: string[] = [];
  for (const line of doc.slice(start + 1)) {
    if (line.startsWith('#') || (lines.length > 0 && !line.startsWith('|'))) break;
    if (line.startsWith('|')) lines.push(line);
  }
  assert.ok(lines.length > 2, `no table under "${heading}"`);
  const [header, , ...rows] = lines.map(cells);
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}

/** The `code` spans of a cell: the names it gives. */
const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((found) => found[1]!);
/** The integers of a cell, in order: `50, 200` → [50, 200]; `1000–120000 ms` → [1000, 120000]. */
const numbers = (cell: string) => [...cell.matchAll(/\d+/g)].map((found) => Number(found[0]));

/** Name → values of a table whose `nameColumn` names one or more limits and `valueColumn` gives a value for each. */
function documented(heading: string, nameColumn: string, valueColumn: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const row of table(heading)) {
    const [rowNames, values] = [names(row[nameColumn] ?? ''), numbers(row[valueColumn] ?? '')];
    assert.ok(rowNames.length > 0, `${heading}: a row names no limit: ${JSON.stringify(row)}`);
    if (rowNames.length === 1) found.set(rowNames[0]!, values);
    else {
      assert.equal(values.length, rowNames.length, `${heading}: ${rowNames.join(', ')} need one value each, not "${row[valueColumn]}"`);
      rowNames.forEach((name, i) => found.set(name, [values[i]!]));
    }
  }
  return found;
}

/** Fails unless the spec's table and the code agree, saying which names are missing where or differ. */
function agree<V>(spec: Map<string, V>, code: Map<string, V>, where: string): void {
  const show = (value: V | undefined) => JSON.stringify(value);
  const problems = [
    ...[...code.keys()].filter((name) => !spec.has(name)).map((name) => `${name} (${show(code.get(name))}) is not in ${where}`),
    ...[...spec.keys()].filter((name) => !code.has(name)).map((name) => `${name} is in ${where} but not in the code`),
    ...[...spec.keys()]
      .filter((name) => code.has(name) && show(spec.get(name)) !== show(code.get(name)))
      .map((name) => `${name}: ${where} says ${show(spec.get(name))}, the code ${show(code.get(name))}`),
  ];
  assert.deepEqual(problems, [], `docs/protocol.md and the code differ:\n${problems.join('\n')}`);
}

test('§2.3 lists every size limit of src/protocol/limits.ts with its value', () => {
  const code = new Map(Object.entries(limits).map(([name, value]): [string, number[]] => [name, typeof value === 'number' ? [value] : [value.min, value.max]]));
  agree(documented('### 2.3 ', 'limit', 'at most'), code, '§2.3');
});

test('§2.4 lists every limit of the server (defaultLimits) with its default', () => {
  const spec = documented('### 2.4 ', 'limit', 'default');
  const code = new Map(Object.entries(defaultLimits).map(([name, value]): [string, number[]] => [name, [value]]));
  agree(spec, code, '§2.4');
  // The protocol's own count, which the server's default is: a peer applies as many after the handover (§4.7).
  assert.deepEqual(spec.get('candidatesPerCall'), [CANDIDATES_PER_CALL]);
});

test('§5 lists every bye code of ByeCode under its name, and the English reasons cover the same codes', () => {
  const spec = new Map(table('## 5. ').map((row): [string, string] => [row.code!, row.name!]));
  // TOO_MANY is "too many", UNKNOWN_USER "unknown user".
  const code = new Map(Object.entries(ByeCode).map(([name, value]): [string, string] => [String(value), name.toLowerCase().replaceAll('_', ' ')]));
  agree(spec, code, '§5');
  assert.deepEqual(Object.keys(byeReasons).sort(), [...code.keys()].sort());
});

test('§3.3 lists every close code of RefusalCode under its name', () => {
  const spec = new Map(table('### 3.3 ').map((row): [string, number[]] => [names(row.name!)[0]!, numbers(row['close code']!)]));
  const code = new Map(Object.entries(RefusalCode).map(([name, value]): [string, number[]] => [name, [value]]));
  agree(spec, code, '§3.3');
});
