// `wsp-server` as a process: the listening line harnesses read, the token subcommand, signals, exit codes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { clientProtocols, RefusalCode } from '../../src/protocol/index.js';
import { verifyToken } from '../../src/server/index.js';
import { run, serve } from './cli-helpers.js';
import { refusal } from './helpers.js';

const SECRET = 'cli-secret';

describe('wsp-server', { concurrency: true }, () => {
  test('serves, logs the listening line first, takes a minted token and drains and stops on SIGTERM', async () => {
    const { child, listening } = await serve(['--domain', 'Alpha.Localhost', '--secret', SECRET, '--users', 'alice,bob']);
    assert.equal(listening.msg, 'listening');
    assert.equal(typeof listening.port, 'number');
    assert.equal(listening.url, `ws://127.0.0.1:${listening.port}/wsp`);
    assert.equal(listening.domain, 'alpha.localhost');

    const minted = await run(['token', 'alice', '--domain', 'alpha.localhost', '--secret', SECRET]);
    assert.equal(minted.code, 0, minted.stderr);
    const token = minted.stdout.trim();
    const ws = new WebSocket(String(listening.url), clientProtocols(token));
    await once(ws, 'open');
    const closed = once(ws, 'close');

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await closed) as [number];
    assert.equal(code, 1012, 'SIGTERM drains: the idle client is told to come back');
    assert.deepEqual(await exited, [0, null]);
  });

  test('reads its settings from the environment, and SIGINT stops it too', async () => {
    const { child, log, listening } = await serve([], { WSP_DOMAIN: 'beta.localhost', WSP_DEV_TOKENS: '1', WSP_RING_TIMEOUT: '5000' });
    assert.equal(listening.domain, 'beta.localhost');
    const response = await fetch(`http://127.0.0.1:${listening.port}/dev/token?user=bob`);
    assert.equal(response.status, 200);
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    assert.deepEqual(await exited, [0, null]);
    const messages = log.map((entry) => `${entry.level} ${entry.msg}`);
    assert.ok(messages.includes('warn dev tokens are on: anyone can get a token at /dev/token; never use this in production'), messages.join('\n'));
    assert.ok(
      log.some((entry) => entry.msg === 'shutting down' && entry.signal === 'SIGINT'),
      messages.join('\n'),
    );
  });

  test('token prints a token for user or user@domain', async () => {
    const result = await run(['token', 'Carol@Gamma.Localhost', '--secret', SECRET, '--ttl', '60']);
    assert.equal(result.code, 0, result.stderr);
    const verified = await verifyToken(result.stdout.trim(), { secret: SECRET, domain: 'gamma.localhost' });
    assert.deepEqual(verified, { ok: true, address: 'carol@gamma.localhost' });
    const fromEnv = await run(['token', 'dave'], { WSP_DOMAIN: 'gamma.localhost', WSP_SECRET: SECRET });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
  });

  test('--help prints the usage and exits 0', async () => {
    const serveHelp = await run(['--help']);
    assert.equal(serveHelp.code, 0);
    assert.match(serveHelp.stdout, /Usage: wsp-server \[serve\]/);
    const tokenHelp = await run(['token', '--help']);
    assert.equal(tokenHelp.code, 0);
    assert.match(tokenHelp.stdout, /Usage: wsp-server token/);
  });

  test('exits 1 with the reason when it cannot listen', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    const result = await run(['--domain', 'a.localhost', '--port', String(port)]);
    taken.close();
    assert.equal(result.code, 1);
    assert.match(result.stderr, /EADDRINUSE/);
  });

  const mistakes: [string, string[], RegExp][] = [
    ['an unknown flag', ['--domain', 'a.localhost', '--bogus'], /Unknown option '--bogus'/],
    ['no domain', ['--port', '0'], /--domain is required/],
    ['a bad domain', ['--domain', 'not a domain'], /not a domain/],
    ['a bad port', ['--domain', 'a.localhost', '--port', '70000'], /--port must be an integer/],
    ['a bad user name', ['--domain', 'a.localhost', '--users', 'alice,b ob'], /not a user name: b ob/],
    ['an unknown command', ['launch'], /unknown command "launch"/],
    ['a token without a secret', ['token', 'alice', '--domain', 'a.localhost'], /--secret-file or WSP_SECRET is required/],
    [
      'a secret file that is missing',
      ['token', 'alice', '--domain', 'a.localhost', '--secret-file', '/nonexistent/wsp-secret'],
      /--secret-file: cannot read \/nonexistent\/wsp-secret: ENOENT/,
    ],
    [
      'both --secret and --secret-file',
      ['--domain', 'a.localhost', '--port', '0', '--secret', 'x', '--secret-file', '/dev/null'],
      /give --secret or --secret-file, not both/,
    ],
    [
      'an empty secret file',
      ['--domain', 'a.localhost', '--port', '0', '--secret-file', '/dev/null'],
      /--secret-file: \/dev\/null must hold the secret on one line/,
    ],
    [
      'a drain jitter beyond 300 s',
      ['--domain', 'a.localhost', '--port', '0', '--drain-jitter', '300001'],
      /--drain-jitter must be an integer from 0 to 300000/,
    ],
    ['a bad metrics port', ['--domain', 'a.localhost', '--port', '0', '--metrics-port', 'x'], /--metrics-port must be an integer/],
    ['a token without a domain', ['token', 'alice', '--secret', SECRET], /--domain is required/],
    ['a token for another domain', ['token', 'alice@b.localhost', '--domain', 'a.localhost', '--secret', SECRET], /not a user of a.localhost/],
    // KELVIN SIGN (U+212A): toLowerCase() folds it into k, so it once minted a token for kim.
    ['a token for a name outside ASCII', ['token', '\u212Aim', '--domain', 'a.localhost', '--secret', SECRET], /not an address: \u212Aim/],
    ['a token for a domain outside ASCII', ['token', 'kim', '--domain', 'a.\u212Aocalhost', '--secret', SECRET], /not an address|not a domain/],
    ['a domain outside ASCII', ['--domain', 'a.\u212Aocalhost', '--port', '0'], /not a domain/],
    ['a peer domain outside ASCII', ['--domain', 'a.localhost', '--port', '0', '--peer', '\u212A.localhost=http://127.0.0.1:1'], /--peer must be DOMAIN=URL/],
    [
      'a token valid longer than the 24-hour maximum',
      ['token', 'alice', '--domain', 'a.localhost', '--secret', SECRET, '--ttl', '86401'],
      /--ttl must be an integer from 1 to 86400/,
    ],
    [
      'a token valid longer than --max-token-ttl',
      ['token', 'alice', '--domain', 'a.localhost', '--secret', SECRET, '--max-token-ttl', '60', '--ttl', '61'],
      /--ttl must be an integer from 1 to 60/,
    ],
    ['a bad --max-token-ttl', ['--domain', 'a.localhost', '--port', '0', '--max-token-ttl', '0'], /--max-token-ttl must be an integer/],
    ['a token with a bad ttl', ['token', 'alice', '--domain', 'a.localhost', '--secret', SECRET, '--ttl', '-5'], /--ttl|Unknown option/],
    [
      'a --redis that is no redis: URL',
      ['--domain', 'a.localhost', '--port', '0', '--redis', 'http://127.0.0.1:6379'],
      /--redis must be a redis: or rediss: URL/,
    ],
    ['--redis-heartbeat without --redis', ['--domain', 'a.localhost', '--port', '0', '--redis-heartbeat', '500'], /--redis-heartbeat needs --redis/],
    [
      'a bad --redis-heartbeat',
      ['--domain', 'a.localhost', '--port', '0', '--redis', 'redis://127.0.0.1:1', '--redis-heartbeat', '5'],
      /--redis-heartbeat must be an integer from 10/,
    ],
  ];
  for (const [what, args, message] of mistakes) {
    test(`exits 2 with a message on stderr for ${what}`, async () => {
      const result = await run(args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }
});

describe('wsp-server metrics', { concurrency: true }, () => {
  test('--metrics-port serves /metrics on a listener of its own, on loopback; WSP_METRICS_PORT too', async (t) => {
    for (const [args, env] of [
      [['--metrics-port', '0'], {}],
      [[], { WSP_METRICS_PORT: '0' }],
    ] as const) {
      const { child, listening, logged } = await serve(['--domain', 'alpha.localhost', ...args], { WSP_SECRET: SECRET, ...env });
      t.after(() => child.kill('SIGKILL'));
      const { url } = await logged((entry) => entry.msg === 'metrics');
      assert.match(String(url), /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      assert.notEqual(new URL(String(url)).port, String(listening.port));
      const response = await fetch(String(url));
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^wsp_connections 0$/m);
      assert.equal((await fetch(`http://127.0.0.1:${String(listening.port)}/metrics`)).status, 404);
    }
  });
});

describe('wsp-server token lifetime', { concurrency: true }, () => {
  test('--max-token-ttl: a longer token is refused (4401); token --ttl goes up to the same maximum, from the flag or WSP_MAX_TOKEN_TTL', async (t) => {
    const { child, listening } = await serve(['--domain', 'alpha.localhost', '--max-token-ttl', '120'], { WSP_SECRET: SECRET });
    t.after(() => child.kill());
    const long = await run(['token', 'alice', '--domain', 'alpha.localhost', '--ttl', '600'], { WSP_SECRET: SECRET });
    assert.equal(long.code, 0, long.stderr);
    assert.deepEqual(await refusal(String(listening.url), clientProtocols(long.stdout.trim())), {
      code: RefusalCode.TOKEN,
      reason: 'token valid for longer than 120 s',
    });
    const short = await run(['token', 'alice', '--domain', 'alpha.localhost'], { WSP_SECRET: SECRET, WSP_MAX_TOKEN_TTL: '120' });
    assert.equal(short.code, 0, short.stderr);
    const ws = new WebSocket(String(listening.url), clientProtocols(short.stdout.trim()));
    await once(ws, 'open');
    ws.close();
    const day = await run(['token', 'alice', '--domain', 'alpha.localhost', '--ttl', '90000'], { WSP_SECRET: SECRET, WSP_MAX_TOKEN_TTL: '90000' });
    assert.equal(day.code, 0, day.stderr);
  });
});

describe('wsp-server secret', { concurrency: true }, () => {
  test('--secret on the command line works but logs a warning; WSP_SECRET and --secret-file do not', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'wsp-secret-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'secret');
    await writeFile(file, `${SECRET}\n`, { mode: 0o600 });
    const warning = /the secret was given with --secret, where other users of this machine can read it/;

    const flagged = await serve(['--domain', 'alpha.localhost', '--secret', SECRET]);
    t.after(() => flagged.child.kill());
    await flagged.logged((entry) => entry.level === 'warn' && warning.test(String(entry.msg)));

    for (const [what, args, env] of [
      ['--secret-file', ['--secret-file', file], {}],
      ['WSP_SECRET_FILE', [], { WSP_SECRET_FILE: file }],
      ['WSP_SECRET', [], { WSP_SECRET: SECRET }],
    ] as const) {
      const quiet = await serve(['--domain', 'alpha.localhost', ...args], env);
      t.after(() => quiet.child.kill());
      const token = await run(['token', 'alice', '--domain', 'alpha.localhost', '--secret-file', file]);
      assert.equal(token.code, 0, token.stderr);
      assert.equal(token.stderr, '', 'no warning without --secret');
      const ws = new WebSocket(String(quiet.listening.url), clientProtocols(token.stdout.trim()));
      await once(ws, 'open');
      ws.close();
      const exited = once(quiet.child, 'exit');
      quiet.child.kill('SIGTERM');
      await exited;
      assert.ok(!quiet.log.some((entry) => warning.test(String(entry.msg))), `${what}: ${JSON.stringify(quiet.log)}`);
    }

    const token = await run(['token', 'alice', '--domain', 'alpha.localhost', '--secret', SECRET]);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stderr, /^wsp-server: warning: the secret was given with --secret/);
  });
});
