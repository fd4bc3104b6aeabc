// `wsp-server --turn-urls … --turn-secret-file …`: the flags and variables that make a server issue TURN credentials.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mintToken, type TurnCredentials } from '../../src/server/index.js';
import { run, serve } from './cli-helpers.js';

const SECRET = 'cli-secret';
const URLS = 'turn:127.0.0.1:3478?transport=udp,turns:turn.example.org:443?transport=tcp';

describe('wsp-server TURN flags', { concurrency: true }, () => {
  test('--turn-urls with --turn-secret-file and --turn-ttl: /wsp/turn answers credentials for those URLs', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'wsp-turn-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'turn-secret');
    await writeFile(file, 'turn-secret\n');
    const { child, listening } = await serve([
      '--domain',
      'localhost',
      '--secret',
      SECRET,
      '--turn-urls',
      URLS,
      '--turn-secret-file',
      file,
      '--turn-ttl',
      '600',
    ]);
    t.after(async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    });
    const token = await mintToken({ address: 'alice@localhost', secret: SECRET });
    const response = await fetch(`http://127.0.0.1:${listening.port}/wsp/turn`, { method: 'POST', body: token });
    assert.equal(response.status, 200);
    const body = (await response.json()) as TurnCredentials;
    assert.deepEqual(body.iceServers[0]!.urls, URLS.split(','));
    assert.equal(body.ttl, 600);
  });

  test('--turn-secret on the command line works, with a warning that ps shows it', async (t) => {
    const { child, logged } = await serve(['--domain', 'localhost', '--secret', SECRET, '--turn-urls', URLS, '--turn-secret', 'visible']);
    t.after(() => child.kill());
    const warning = await logged((entry) => String(entry.msg).startsWith('the TURN secret was given with --turn-secret'));
    assert.equal(warning.level, 'warn');
  });

  test('each of --turn-urls and the secret needs the other; a bad URL or TTL is a usage error', async () => {
    const base = ['--domain', 'localhost', '--secret', SECRET];
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--turn-urls', URLS], {}, /--turn-urls needs --turn-secret-file/],
      [[], { WSP_TURN_SECRET: 's' }, /--turn-secret needs --turn-urls/],
      [['--turn-urls', 'http://turn.example.org'], { WSP_TURN_SECRET: 's' }, /not a stun:, turn: or turns: URL/],
      [['--turn-urls', URLS, '--turn-ttl', '10'], { WSP_TURN_SECRET: 's' }, /--turn-ttl must be an integer from 60 to 86400/],
    ];
    for (const [args, env, message] of cases) {
      const { code, stderr } = await run([...base, ...args], env);
      assert.match(stderr, message);
      assert.notEqual(code, 0);
    }
  });
});
