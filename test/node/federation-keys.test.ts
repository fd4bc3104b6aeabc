// Server keys (docs/protocol.md §8.2): made on first start, kept in a file, read back unchanged.
import assert from 'node:assert/strict';
import { sign, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { generateKeys, keyId, keysFromPem, keysToPem, loadOrCreateKeys } from '../../src/server/federation/index.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wsp-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a key file is made on first start, owner-readable only, and read back as the same key', async (t) => {
  const file = join(await tempDir(t), 'nested', 'server-key.pem');
  const first = await loadOrCreateKeys(file);
  assert.match(await readFile(file, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const again = await loadOrCreateKeys(file);
  assert.equal(again.kid, first.kid);
  assert.equal(again.x, first.x);
  const signature = sign(null, Buffer.from('hello'), first.privateKey);
  assert.ok(verify(null, Buffer.from('hello'), again.publicKey, signature));
});

test('a key given as PEM is used as is; its id is derived from the public key', () => {
  const keys = generateKeys();
  const copy = keysFromPem(keysToPem(keys));
  assert.equal(copy.kid, keys.kid);
  assert.equal(copy.kid, keyId(keys.x));
  assert.match(keys.x, /^[A-Za-z0-9_-]{43}$/);
  assert.match(keys.kid, /^[A-Za-z0-9_-]{16}$/);
  assert.notEqual(generateKeys().kid, keys.kid);
});

test('a file that holds no Ed25519 key is an error, never silently replaced', async (t) => {
  const dir = await tempDir(t);
  const junk = join(dir, 'junk.pem');
  await writeFile(junk, 'not a key');
  await assert.rejects(loadOrCreateKeys(junk), /junk\.pem: the server key is not a PEM private key/);
  assert.equal(await readFile(junk, 'utf8'), 'not a key');
  const { generateKeyPairSync } = await import('node:crypto');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.throws(() => keysFromPem(rsa), /must be Ed25519, not rsa/);
});
