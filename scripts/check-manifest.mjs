// Fails when the committed custom-elements.json differs from what the analyzer generates from src/ now, or when
// src/element-api.ts (the framework typings' list of properties and events) differs from what that manifest gives.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { API_FILE, elementApiSource } from './element-api.mjs';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

// The analyzer takes --outdir relative to the project, so the fresh copy goes to an ignored folder in it.
const outdir = '.cem-check';
try {
  execFileSync(process.execPath, ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--outdir', outdir], { stdio: 'inherit' });
  const fresh = readFileSync(join(outdir, 'custom-elements.json'), 'utf8');
  const stale = [];
  if (fresh !== read('custom-elements.json')) stale.push('custom-elements.json');
  if (elementApiSource(JSON.parse(fresh)) !== read(API_FILE)) stale.push(API_FILE);
  if (stale.length > 0) {
    console.error(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale: run \`npm run manifest\` and commit the result.`);
    process.exit(1);
  }
  console.log(`custom-elements.json and ${API_FILE} are up to date.`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
