import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A server's Ed25519 key pair (docs/protocol.md §8): the private half signs the statement that opens a
 * link, the public half is published in the well-known document.
 */
export interface ServerKeys {
  /** The key id, derived from the public key, so it needs no configuration and changes with the key. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key, raw 32 bytes in base64url: the `x` of its JWK. */
  readonly x: string;
}

/** The raw public key: the `x` member of the key's JWK (RFC 8037). */
function rawPublicKey(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 public key');
  return jwk.x;
}

/** 12 bytes of SHA-256 of the raw key: short enough for a header, long enough never to collide by accident. */
export function keyId(x: string): string {
  return createHash('sha256').update(Buffer.from(x, 'base64url')).digest().subarray(0, 12).toString('base64url');
}

function fromPrivateKey(privateKey: KeyObject): ServerKeys {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`the server key must be Ed25519, not ${privateKey.asymmetricKeyType ?? 'a symmetric key'}`);
  }
  const publicKey = createPublicKey(privateKey);
  const x = rawPublicKey(publicKey);
  return { kid: keyId(x), privateKey, publicKey, x };
}

/** A fresh key pair. */
export function generateKeys(): ServerKeys {
  return fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
}

/**
 * Keys from a PKCS #8 PEM private key (`-----BEGIN PRIVATE KEY-----`), as `openssl genpkey -algorithm ed25519`
 * writes it and as `loadOrCreateKeys()` keeps it.
 */
export function keysFromPem(pem: string): ServerKeys {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new TypeError('the server key is not a PEM private key');
  }
  return fromPrivateKey(privateKey);
}

/** The PEM text `keysFromPem()` reads back. */
export function keysToPem(keys: ServerKeys): string {
  return keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * Reads the server's key from `file`, or makes one and keeps it there on first start: a server's key
 * must survive restarts, since other servers check links against the key its domain publishes.
 * The file is written readable by its owner only, through a rename so a crash never leaves half a key.
 *
 * @example
 * const keys = await loadOrCreateKeys('/var/lib/wsp/server-key.pem');
 */
export async function loadOrCreateKeys(file: string): Promise<ServerKeys> {
  try {
    return keysFromPem(await readFile(file, 'utf8'));
  } catch (error) {
    if (!isMissing(error)) throw error instanceof TypeError ? new TypeError(`${file}: ${error.message}`) : error;
  }
  const keys = generateKeys();
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, keysToPem(keys), { mode: 0o600, flag: 'wx' });
  await rename(temporary, file);
  return keys;
}
