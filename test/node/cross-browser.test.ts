// Real calls between browsers of different kinds: a Chromium page and a Firefox page, each in its own browser process
// (puppeteer-core: CDP for Chromium, WebDriver BiDi for Firefox), through real WSP server processes: one server, a
// federated pair, and one domain on two processes sharing a real redis-server. Each page holds one <wsp-call> driven through `window.phone` (test/pages/phone.ts); every wait is
// for an event or a state, checked in the page.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import type { Where } from '../pages/phone.js';
// @ts-expect-error -- a plain .mjs module without types, shared with the benchmarks
import { accept, hangUp, launch, openPhonePage, ring, servePhonePage, until, untilEvents } from '../../scripts/cross-browser.mjs';
// @ts-expect-error -- idem
import { LOOPBACK_ARGS, startFederation, startServer } from '../../scripts/start-server.mjs';
import { RedisServer } from './redis-helpers.js';

type Kind = 'chromium' | 'firefox';
interface Side {
  kind: Kind;
  page: Page;
  errors: string[];
}
interface Server {
  url: string;
  port: number;
  domain: string;
  stop(): Promise<void>;
}

const users = Array.from({ length: 16 }, (_, i) => `x${i + 1}`);
let wsp: Server;
let federation: { alpha: Server; beta: Server; stop(): Promise<void> };
/** `localhost` served by two processes through Redis (docs/deploy.md), with one secret: a token of one is good on both. */
let cluster: Server[] = [];
let redis: RedisServer | undefined;
let site: { url: string; close(): Promise<void> };
const browsers: Partial<Record<Kind, Browser>> = {};
const sides = {} as Record<Kind, Side>;
let taken = 0;

const where = (server: Server): Where => ({ url: server.url, http: `http://127.0.0.1:${server.port}`, domain: server.domain });
const name = (side: Side) => (side.kind === 'chromium' ? 'Chromium' : 'Firefox');

before(async () => {
  const args = ['--dev-tokens', '--users', users.join(','), ...LOOPBACK_ARGS];
  const log = (line: string) => process.env.WSP_VERBOSE && console.log(line);
  const startCluster = async () => {
    redis = await RedisServer.spawn();
    const env = { WSP_SECRET: `cluster-${process.pid}-secret`, WSP_REDIS: redis.url };
    return Promise.all([1, 2].map(() => startServer(['--domain', 'localhost', '--port', '0', ...args], { log, env })));
  };
  [wsp, federation, cluster, site, browsers.chromium, browsers.firefox] = await Promise.all([
    startServer(['--domain', 'localhost', '--port', '0', ...args], { log }),
    startFederation({ args, log }),
    startCluster(),
    servePhonePage(),
    launch('chromium'),
    launch('firefox'),
  ]);
  for (const kind of ['chromium', 'firefox'] as const) sides[kind] = { kind, ...(await openPhonePage(browsers[kind], site.url)) };
});

after(async () => {
  await Promise.allSettled([browsers.chromium?.close(), browsers.firefox?.close()]);
  await Promise.allSettled([site?.close(), wsp?.stop(), federation?.stop(), ...cluster.map((server) => server.stop())]);
  await redis?.remove();
});

afterEach(async () => {
  for (const side of Object.values(sides)) {
    await side.page.evaluate(() => window.phone.close()).catch(() => {});
    // Firefox logs "WebRTC: ICE failed, add a STUN server…" as an error of the page when a connection fails: the
    // browser's own report, not one that a script let escape (and it may come after the test whose call failed).
    const escaped = side.errors.splice(0).filter((message) => !message.startsWith('WebRTC: '));
    assert.deepEqual(escaped, [], `${name(side)}: errors that escaped to the page`);
  }
});

/** Opens a widget for a fresh user in each page (`a` on `serverA`, `b` on `serverB`), calling each other. */
async function open(a: Side, b: Side, serverA = wsp, serverB = serverA): Promise<void> {
  const [userA, userB] = [users[taken++]!, users[taken++]!];
  await Promise.all([
    a.page.evaluate((at, user, callee) => window.phone.open(at, user, callee), where(serverA), userA, `${userB}@${serverB.domain}`),
    b.page.evaluate((at, user, callee) => window.phone.open(at, user, callee), where(serverB), userB, `${userA}@${serverA.domain}`),
  ]);
}

/** Both sides' remote video plays: frames decoded from the other side, the <video>'s time advancing. */
async function mediaFlows(...all: Side[]): Promise<void> {
  await Promise.all(all.map((side) => side.page.evaluate(() => window.phone.flows(10, 20_000))));
}

/** Runs a test's steps; a failure reports both sides' sessions and RTP counters, which say which end stopped. */
async function diagnosed(steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    const report = async (side: Side) => {
      const session = JSON.stringify(await side.page.evaluate(() => window.phone.session()));
      const rtp = await side.page.evaluate(() => window.phone.rtpSummary());
      const trace = await side.page.evaluate(() => window.phone.trace.slice(-80).join('\n    '));
      return `${name(side)}: ${session}\n  ${rtp}\n  trace:\n    ${trace}`;
    };
    const summaries = await Promise.all(Object.values(sides).map((side) => report(side).catch(String)));
    (error as Error).message += `\n${summaries.join('\n')}`;
    throw error;
  }
}

const session = (side: Side) => side.page.evaluate(() => window.phone.session()!);

/** Rings `caller` → `callee`, accepts, and checks connected, remote video and the DataChannel handover on both. */
async function connect(caller: Side, callee: Side): Promise<void> {
  await ring(caller.page, callee.page);
  const ringing = await caller.page.evaluate(() => window.phone.last('ringing')!);
  assert.equal(ringing.incoming, false, `${name(caller)}: its ringing event is for the outgoing call`);
  assert.equal((await callee.page.evaluate(() => window.phone.last('ringing')!)).incoming, true, `${name(callee)}: ringing, incoming`);
  // Its offer is ready while it rings; its camera and microphone are not opened before the user accepts.
  await until(callee.page, () => window.phone.session()?.signaling === 'have-local-offer', undefined, {
    what: `${name(callee)}: offer prepared while ringing`,
  });
  assert.deepEqual(await callee.page.evaluate(() => window.phone.devices()), { asked: 0, liveCamera: false }, `${name(callee)}: no device before accept`);
  await accept(caller.page, callee.page);
  assert.equal((await callee.page.evaluate(() => window.phone.devices())).liveCamera, true, `${name(callee)}: its camera opens on accept`);
  for (const side of [caller, callee]) assert.equal(await side.page.evaluate(() => window.phone.state()), 'connected', `${name(side)} connected`);
  await mediaFlows(caller, callee);
  for (const side of [caller, callee]) {
    const video = await side.page.evaluate(() => window.phone.video());
    assert.ok(video.width > 0 && video.height > 0, `${name(side)}: the remote video has a picture (${video.width}×${video.height})`);
  }
  await Promise.all(
    [caller, callee].map((side) =>
      until(side.page, () => window.phone.session()!.handedOver && window.phone.session()!.peerHandedOver, undefined, {
        what: `${name(side)}: DataChannel handover`,
      }),
    ),
  );
  for (const side of [caller, callee]) assert.equal((await session(side)).channel, 'datachannel');
}

/**
 * `from` mutes its microphone: its track is disabled and `mutechange` fires there; the other side then receives
 * silence (the power of the audio it receives falls to about 0), and sound again once `from` unmutes.
 */
async function muteSeenBy(from: Side, other: Side): Promise<void> {
  const before = await other.page.evaluate(() => window.phone.audioPower());
  assert.ok(before > 1e-5, `${name(other)}: audio from ${name(from)} before muting (power ${before})`);
  assert.equal(await from.page.evaluate(() => window.phone.toggleMute(true)), true);
  await untilEvents(from.page, 'mutechange');
  assert.equal((await from.page.evaluate(() => window.phone.last('mutechange')!)).on, true);
  assert.equal((await from.page.evaluate(() => window.phone.localTracks())).audio, false, `${name(from)}: microphone track disabled`);
  const muted = await other.page.evaluate((limit) => window.phone.audioPowerUntil(true, limit), before / 100);
  assert.ok(muted < before / 100, `${name(other)}: silence while ${name(from)} is muted (power ${muted}, was ${before})`);
  await from.page.evaluate(() => window.phone.toggleMute(false));
  await untilEvents(from.page, 'mutechange', 2);
  await other.page.evaluate((limit) => window.phone.audioPowerUntil(false, limit), before / 10);
}

/**
 * `from` turns its camera off: `camerachange` fires there, its track is disabled, and the other side's remote picture
 * turns black (its brightest pixel about 0) while frames keep coming; turned on again, the picture comes back.
 */
async function cameraOffSeenBy(from: Side, other: Side): Promise<void> {
  const lit = await other.page.evaluate(() => window.phone.brightnessUntil(false, 80));
  assert.equal(await from.page.evaluate(() => window.phone.toggleCamera(true)), true);
  await untilEvents(from.page, 'camerachange');
  assert.equal((await from.page.evaluate(() => window.phone.last('camerachange')!)).on, true);
  assert.equal((await from.page.evaluate(() => window.phone.localTracks())).video, false, `${name(from)}: camera track disabled`);
  const dark = await other.page.evaluate(() => window.phone.brightnessUntil(true, 40));
  assert.ok(dark < 40, `${name(other)}: black picture while ${name(from)}'s camera is off (brightest ${dark}, was ${lit})`);
  await from.page.evaluate(() => window.phone.toggleCamera(false));
  await untilEvents(from.page, 'camerachange', 2);
  await other.page.evaluate(() => window.phone.brightnessUntil(false, 80));
  await mediaFlows(other);
  for (const side of [from, other]) assert.equal(await side.page.evaluate(() => window.phone.state()), 'connected');
}

/**
 * `from` shares a canvas (16:9) as its screen: the other side's remote video switches from the camera track to the
 * shared one and plays it; when the share stops, it shows the camera (4:3) again.
 */
async function screenShareSeenBy(from: Side, other: Side): Promise<void> {
  const shares = await from.page.evaluate(() => window.phone.count('screenshare'));
  assert.equal(await from.page.evaluate(() => window.phone.share(true)), true, `${name(from)}: shareScreen()`);
  await untilEvents(from.page, 'screenshare', shares + 1);
  assert.equal((await from.page.evaluate(() => window.phone.last('screenshare')!)).on, true);
  const screenShown = () => {
    const { track, width, height } = window.phone.video();
    return !!track && track !== window.phone.remoteCameraTrack() && width > 0 && width / height > 1.6;
  };
  await until(other.page, screenShown, undefined, { what: `${name(other)}: ${name(from)}'s screen as the remote video` });
  await mediaFlows(other);
  assert.equal(await from.page.evaluate(() => window.phone.share(false)), false);
  await untilEvents(from.page, 'screenshare', shares + 2);
  const cameraShown = () => {
    const { track, width, height } = window.phone.video();
    return track === window.phone.remoteCameraTrack() && width > 0 && width / height < 1.4;
  };
  await until(other.page, cameraShown, undefined, { what: `${name(other)}: ${name(from)}'s camera back after the share` });
  await mediaFlows(other);
}

/** restartIce() at `from`: new ICE credentials on both sides, both connected again, video flowing both ways. */
async function iceRestart(from: Side, other: Side): Promise<void> {
  const before = await Promise.all([from, other].map(async (side) => (await session(side)).ufrag));
  await from.page.evaluate(() => window.phone.restartIce());
  await Promise.all(
    [from, other].map((side, i) =>
      until(
        side.page,
        (old: string | undefined) => {
          const now = window.phone.session()!;
          // An ended call will not reconnect: said below rather than waited for.
          return now.state === 'ended' || (now.ufrag !== old && now.signaling === 'stable' && now.connection === 'connected');
        },
        before[i],
        { what: `${name(side)}: new ICE credentials and connected after ${name(from)}'s restartIce()` },
      ),
    ),
  );
  for (const side of [from, other]) {
    const errors = await side.page.evaluate(() => window.phone.log.filter(({ type }) => type === 'error').map(({ message }) => message));
    assert.equal(
      await side.page.evaluate(() => window.phone.state()),
      'connected',
      `${name(side)}: the call ended at ${name(from)}'s ICE restart (${errors.join('; ')})`,
    );
  }
  await mediaFlows(from, other);
}

async function hangUpFrom(from: Side, other: Side): Promise<void> {
  assert.deepEqual(await hangUp(from.page, other.page), [200, 200], 'session codes');
  for (const side of [from, other]) {
    assert.equal((await side.page.evaluate(() => window.phone.last('ended')!)).code, 200, `${name(side)}: ended event code`);
    assert.equal(await side.page.evaluate(() => window.phone.state()), 'ended');
  }
}

describe('calls between Chromium and Firefox', { timeout: 300_000 }, () => {
  for (const [callerKind, calleeKind, hangsUp] of [
    ['chromium', 'firefox', 'caller'],
    ['firefox', 'chromium', 'callee'],
  ] as const) {
    const [Caller, Callee] = [callerKind, calleeKind].map((kind) => (kind === 'chromium' ? 'Chromium' : 'Firefox'));
    const pick = (who: 'caller' | 'callee'): [Side, Side] =>
      who === 'caller' ? [sides[callerKind], sides[calleeKind]] : [sides[calleeKind], sides[callerKind]];

    test(`${Caller} calls ${Callee}: ringing, connected, video both ways, handover, mute and camera seen across, screen share from each side, the ${hangsUp} hangs up`, {
      timeout: 120_000,
    }, async () => {
      const [caller, callee] = pick('caller');
      await diagnosed(async () => {
        await open(caller, callee);
        await connect(caller, callee);
        await muteSeenBy(caller, callee);
        await cameraOffSeenBy(caller, callee);
        await screenShareSeenBy(caller, callee);
        await screenShareSeenBy(callee, caller);
        await hangUpFrom(...pick(hangsUp));
      });
    });

    // The callee restarts ICE (docs/protocol.md §4.7: a restart offered by the side that answered the first offer
    // breaks calls between these two browsers), in a call of its own, so that the flow above is judged apart; the
    // other side than above hangs up.
    const other = hangsUp === 'caller' ? 'callee' : 'caller';
    test(`${Caller} calls ${Callee}: restartIce() at the callee; both stay connected, video flows both ways; the ${other} hangs up`, {
      timeout: 120_000,
    }, async () => {
      const [caller, callee] = pick('caller');
      await diagnosed(async () => {
        await open(caller, callee);
        await connect(caller, callee);
        await iceRestart(callee, caller);
        await hangUpFrom(...pick(other));
      });
    });
  }

  for (const [callerKind, calleeKind] of [
    ['chromium', 'firefox'],
    ['firefox', 'chromium'],
  ] as const) {
    test(`one domain on two processes (Redis): ${callerKind} on process 1 calls ${calleeKind} on process 2, video both ways, handover, hang-up 200 on both`, {
      timeout: 120_000,
    }, async () => {
      const [caller, callee] = [sides[callerKind], sides[calleeKind]];
      await diagnosed(async () => {
        await open(caller, callee, cluster[0], cluster[1]);
        await connect(caller, callee);
        await hangUpFrom(callee, caller);
      });
    });
  }

  test('federated: Firefox as a user of alpha calls Chromium as a user of beta, video both ways, hang-up 200 on both', { timeout: 120_000 }, async () => {
    const [caller, callee] = [sides.firefox, sides.chromium];
    await diagnosed(async () => {
      await open(caller, callee, federation.alpha, federation.beta);
      await connect(caller, callee);
      await hangUpFrom(caller, callee);
    });
  });
});
