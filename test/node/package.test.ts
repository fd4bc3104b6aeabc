// The packages as a user meets them: `npm pack` in a copy of the repo (so that the build it runs writes nothing here),
// each tarball installed into a project of its own (a site's front end and backend with wsp-call, a server machine
// with wsp-server) and used there as the README says. The installs pin the repo lockfile's versions and read the
// npm cache that the repo's own `npm ci` filled: no registry is asked while that cache holds them.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { clientProtocols, RefusalCode } from '../../src/protocol/index.js';
import { cleanEnv, type Launch, serve } from './cli-helpers.js';
import { refusal } from './helpers.js';
import { type Lockfile, lockfileFor, type Manifest, type Tarball } from './offline-lockfile.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'package-test-secret';
const DOMAIN = 'example.localhost';

/** The packages and where each one's package.json is, in the repo and in its lockfile. */
const PACKAGES = [
  { name: 'wsp-call', location: '' },
  { name: 'wsp-server', location: 'packages/wsp-server' },
] as const;

/**
 * The environment for npm in the throwaway projects: without the variables of an `npm test` run around this one (the
 * repo's package name, lifecycle, prefix), which would point npm back at the repo. The cache stays.
 */
function npmEnv(): Record<string, string> {
  const kept = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env = Object.entries(cleanEnv()).filter(([name, value]) => value !== undefined && (!name.startsWith('npm_') || kept.has(name)));
  return Object.fromEntries(env) as Record<string, string>;
}

async function npm(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('npm', args, { cwd, env: npmEnv(), maxBuffer: 64 << 20 });
  return stdout;
}

/** The repo's files as git sees them (committed or not, minus ignored ones), with its node_modules for the build. */
async function copyRepo(to: string): Promise<void> {
  const { stdout } = await execFileAsync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 << 20 });
  // node_modules is a symlink in a worktree, which git lists as a file; a file deleted but not yet committed is listed too.
  const files = stdout.split('\0').filter((file) => file !== '' && file !== 'node_modules');
  await Promise.all(files.map((file) => cp(join(root, file), join(to, file)).catch((error: NodeJS.ErrnoException) => ignoreMissing(error))));
  await symlink(await realpath(join(root, 'node_modules')), join(to, 'node_modules'));
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

/** Packs both packages (their prepack scripts build them) and describes each tarball for an install. */
async function pack(repo: string, into: string): Promise<Map<string, Tarball>> {
  await mkdir(into);
  await npm(repo, 'pack', '--workspaces', '--include-workspace-root', '--pack-destination', into);
  const tarballs = new Map<string, Tarball>();
  for (const { name, location } of PACKAGES) {
    const manifest = JSON.parse(await readFile(join(repo, location, 'package.json'), 'utf8')) as Manifest;
    const file = `${name}-${manifest.version}.tgz`;
    const bytes = await readFile(join(into, file));
    tarballs.set(name, {
      name,
      manifest,
      spec: `file:../tarballs/${file}`,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      repoLocation: location,
    });
  }
  return tarballs;
}

/** A project that depends on these tarballs only, installed with `npm ci` from a lockfile pinned to the repo's. */
async function install(dir: string, repoLock: Lockfile, tarballs: Tarball[]): Promise<void> {
  await mkdir(dir);
  const name = `try-${tarballs.map((tarball) => tarball.name).join('-')}`;
  const dependencies = Object.fromEntries(tarballs.map((tarball) => [tarball.name, tarball.spec]));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', dependencies }));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lockfileFor(repoLock, name, tarballs)));
  await npm(dir, 'ci', '--prefer-offline', '--no-audit', '--no-fund');
}

/** `user@domain`'s token, minted in `site` the way a site's backend does it: `mintToken` from `wsp-call/server`. */
async function mintIn(site: string, address: string, secret: string): Promise<string> {
  const code = `import { mintToken } from 'wsp-call/server';
process.stdout.write(await mintToken({ address: process.argv[1], secret: process.env.SITE_SECRET }));`;
  const env = { ...cleanEnv(), SITE_SECRET: secret };
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '--eval', code, address], { cwd: site, env });
  return stdout;
}

/**
 * What tsc says of `probe` in `dir` (nothing when it is well typed), with strict settings and the packed declaration
 * files checked too (no skipLibCheck): a wrong types path in package.json, or a declaration that needs a file left out
 * of the tarball, shows here.
 */
async function typecheck(dir: string, probe: string, options: Record<string, unknown>): Promise<string> {
  await writeFile(join(dir, 'probe.ts'), probe);
  const compilerOptions = { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, ...options };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['probe.ts'] }));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  return execFileAsync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout || String(error),
  );
}

/** `node_modules/@lit/reactive-element/x.js` → `@lit/reactive-element`. */
function packageOf(path: string): string {
  const [first, second] = path.slice('node_modules/'.length).split('/');
  return first!.startsWith('@') ? `${first}/${second}` : first!;
}

describe('the packed packages, installed', () => {
  let work: string;
  /** A site: its front end bundles the element, its backend mints tokens. wsp-call only. */
  let site: string;
  /** A machine that runs the server. wsp-server only. */
  let server: string;
  /** The libraries wsp-server needs and wsp-call does not. */
  let serverOnly: string[];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'wsp-pack-'));
    const repo = join(work, 'repo');
    await copyRepo(repo);
    const tarballs = await pack(repo, join(work, 'tarballs'));
    const repoLock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as Lockfile;
    site = join(work, 'site');
    server = join(work, 'server');
    await Promise.all([install(site, repoLock, [tarballs.get('wsp-call')!]), install(server, repoLock, [tarballs.get('wsp-server')!])]);
    const callNeeds = tarballs.get('wsp-call')!.manifest.dependencies ?? {};
    serverOnly = Object.keys(tarballs.get('wsp-server')!.manifest.dependencies ?? {}).filter((name) => !(name in callNeeds));
  });

  after(() => rm(work, { recursive: true, force: true }));

  test('a front end gets wsp-call without the server libraries, and esbuild bundles the element', async () => {
    assert.ok(serverOnly.includes('ws') && serverOnly.includes('redis'), serverOnly.join());
    for (const name of serverOnly) assert.ok(!existsSync(join(site, 'node_modules', name)), `${name} came with wsp-call`);
    assert.ok(!existsSync(join(site, 'node_modules/.bin')), 'wsp-call linked commands');

    await writeFile(join(site, 'entry.js'), "import 'wsp-call';\n");
    const result = await build({
      absWorkingDir: site,
      entryPoints: ['entry.js'],
      bundle: true,
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const packages = new Set(inputs.filter((path) => path.startsWith('node_modules/')).map(packageOf));
    assert.deepEqual([...packages].sort(), ['@lit/reactive-element', 'lit', 'lit-element', 'lit-html', 'wsp-call']);
    assert.ok(!inputs.some((path) => path.startsWith('node_modules/wsp-call/dist/server/')), 'the bundle has server code');
    assert.match(result.outputFiles[0]!.text, /customElements\.define\("wsp-call", WspCall\)/);
  });

  test('TypeScript finds the installed types of wsp-call, wsp-call/server and wsp-call/protocol', async () => {
    const probe = `import type { WspCall } from 'wsp-call';
import { ByeCode } from 'wsp-call/protocol';
import { mintToken } from 'wsp-call/server';
export const token: Promise<string> = mintToken({ address: 'alice@example.org', secret: 's' });
export const element: WspCall | null = document.querySelector('wsp-call');
export const declined: 603 = ByeCode.DECLINED;
`;
    // A browser project's settings.
    assert.equal(await typecheck(site, probe, { lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] }), '');
  });

  test('npx wsp-server --help works where wsp-server is installed, and the package exports createWspServer', async () => {
    // --yes=false: never fetch a package called wsp-server from the registry when the installed one is missing.
    const { stdout } = await execFileAsync('npx', ['--yes=false', 'wsp-server', '--help'], { cwd: server, env: npmEnv() });
    assert.match(stdout, /^Usage: wsp-server \[serve\]/);
    const code = "const { createWspServer } = await import('wsp-server'); process.stdout.write(typeof createWspServer);";
    const exported = await execFileAsync(process.execPath, ['--input-type=module', '--eval', code], { cwd: server, env: cleanEnv() });
    assert.equal(exported.stdout, 'function');
  });

  test('TypeScript finds the types of wsp-server in a Node program, ws types included', async () => {
    const probe = `import { createWspServer, type WspServer } from 'wsp-server';
export const start: (options: Parameters<typeof createWspServer>[0]) => Promise<WspServer> = createWspServer;
`;
    // @types/node comes with wsp-server's @types/ws; a Node program has it anyway.
    assert.equal(await typecheck(server, probe, { lib: ['ES2022'], types: ['node'] }), '');
  });

  test('the installed server serves, and takes the token that wsp-call/server minted on the site', async (t) => {
    // Its own process group: npx passes no signal on to the server it started, a group signal reaches both.
    const launch: Launch = (args, env) => spawn('npx', ['--yes=false', 'wsp-server', ...args], { cwd: server, env: { ...npmEnv(), ...env }, detached: true });
    const { child, listening } = await serve(['--domain', DOMAIN], { WSP_SECRET: SECRET }, launch);
    const stopGroup = (signal: NodeJS.Signals) => process.kill(-child.pid!, signal);
    let stopped = false;
    t.after(() => stopped || stopGroup('SIGKILL'));
    assert.equal(listening.domain, DOMAIN);

    const token = await mintIn(site, `alice@${DOMAIN}`, SECRET);
    const ws = new WebSocket(String(listening.url), clientProtocols(token));
    await once(ws, 'open');
    const forged = await mintIn(site, `alice@${DOMAIN}`, 'another-secret');
    assert.deepEqual(await refusal(String(listening.url), clientProtocols(forged)), { code: RefusalCode.TOKEN, reason: 'token signature invalid' });

    const closed = once(ws, 'close');
    const ended = once(child, 'close');
    // SIGTERM drains (docs/protocol.md §3.2): a client in no call is told at once to reconnect elsewhere.
    stopGroup('SIGTERM');
    stopped = true;
    assert.equal(((await closed) as [number])[0], 1012);
    await ended;
  });
});
