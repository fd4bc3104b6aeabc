// The hardening flags of `wsp-server` (README "Run a server", docs/protocol.md §2.4, §3): --origins, --limit,
// --heartbeat, --trust-proxy and their environment variables, on a real server process.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RefusalCode } from '../../src/protocol/index.js';
import type { WspServer } from '../../src/server/index.js';
import { run, serve } from './cli-helpers.js';
import { Client, SECRET } from './helpers.js';
import { refused, tryOpen } from './refusals.js';

/** The server a CLI process runs, as the test clients need it: where it is and its domain. */
const at = (listening: Record<string, unknown>) => ({ url: String(listening.url), domain: String(listening.domain) }) as WspServer;

describe('wsp-server hardening flags', { concurrency: true }, () => {
  test('--origins refuses other origins (close 4403); --limit applies a limit; without --origins a warning says so', async (t) => {
    const { child, log, listening } = await serve([
      '--domain',
      'alpha.localhost',
      '--secret',
      SECRET,
      '--origins',
      'https://shop.example, http://localhost:8000',
      '--limit',
      'connectionsPerAddress=2',
      '--limit',
      'framesPerSecond=0',
    ]);
    t.after(() => child.kill());
    const server = at(listening);
    assert.deepEqual(await refused(t, server, 'alice', { origin: 'https://evil.example' }), {
      code: RefusalCode.ORIGIN,
      reason: 'origin https://evil.example is not allowed to connect',
    });
    const first = await Client.open(t, server, 'alice', { origin: 'https://shop.example' });
    const second = await Client.open(t, server, 'bob');
    assert.deepEqual(await refused(t, server, 'carol', { origin: 'http://localhost:8000' }), { status: 429, body: 'more than 2 connections from one address' });
    await Promise.all([first.sync(), second.sync()]);
    assert.ok(!log.some((entry) => String(entry.msg).startsWith('no origins given')));

    const open = await serve(['--domain', 'beta.localhost']);
    t.after(() => open.child.kill());
    // The lines after the first come a moment later: wait for the warning.
    await open.logged((entry) => entry.level === 'warn' && String(entry.msg).startsWith('no origins given'));
  });

  test('reads WSP_ORIGINS, WSP_LIMITS, WSP_HEARTBEAT and WSP_TRUST_PROXY', async (t) => {
    const { child, listening } = await serve([], {
      WSP_DOMAIN: 'alpha.localhost',
      WSP_SECRET: SECRET,
      WSP_ORIGINS: 'https://shop.example',
      WSP_LIMITS: 'connectionsPerAddress=1,upgradesPerMinute=0',
      WSP_HEARTBEAT: '1000',
      WSP_TRUST_PROXY: '1',
    });
    t.after(() => child.kill());
    const server = at(listening);
    assert.equal((await refused(t, server, 'alice', { origin: 'https://evil.example' })).code, RefusalCode.ORIGIN);
    // Behind the trusted proxy, each forwarded address has its own limit of one.
    const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
    const alice = await tryOpen(t, server, 'alice', from('198.51.100.1'));
    assert.ok(alice instanceof Client);
    assert.equal((await refused(t, server, 'bob', from('198.51.100.1'))).status, 429);
    const bob = await tryOpen(t, server, 'bob', from('198.51.100.2'));
    assert.ok(bob instanceof Client);
    // A heartbeat of 1 s: a client that answers no ping is gone within two beats. Shorter ones dropped the answering
    // clients too on a busy machine, whose event loop can stall longer than a beat.
    const silent = await Client.open(t, server, 'carol', { autoPong: false, ...from('198.51.100.3') });
    assert.equal(await silent.closed, 1006);
    await Promise.all([alice.sync(), bob.sync()]);
  });

  const mistakes: [string, string[], RegExp][] = [
    ['an unknown limit', ['--limit', 'framesPerSecnd=5'], /--limit: unknown limit "framesPerSecnd"; known: connectionsPerAddress/],
    ['a limit without a value', ['--limit', 'frameBurst'], /--limit: a limit is name=value/],
    ['a negative limit', ['--limit', 'frameBurst=-1'], /--limit: a limit is name=value/],
    ['an origin that is not a URL', ['--origins', 'shop.example'], /--origins: not an http: or https: origin: shop.example/],
    ['a bad heartbeat', ['--heartbeat', '0'], /--heartbeat must be an integer/],
  ];
  for (const [what, args, message] of mistakes) {
    test(`exits 2 with a message on stderr for ${what}`, async () => {
      const result = await run(['--domain', 'a.localhost', '--port', '0', ...args]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
    });
  }

  test('--help lists every limit with its default', async () => {
    const { stdout } = await run(['--help']);
    assert.match(stdout, /--limit N=V/);
    assert.match(stdout, /^ {2}framesPerSecond=50$/m);
    assert.match(stdout, /^ {2}invitesPerUser=32$/m);
  });
});
