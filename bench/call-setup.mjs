// Call setup as users get it (issue 12): caller and callee are pages in two separate browser contexts of one headless
// Chromium, each served over http from 127.0.0.1 as a site serves it: <wsp-call> loaded from the built dist/cdn/
// module with a tokenProvider, through one server or two federated ones; PeerJS 1.5 through its own PeerServer, in a
// widget built on it the usual way (bench/peerjs-phone.js). Calls alternate between the three, call by call; the
// callee accepts at once on ringing, then (second mode) 1.5 s after ringing.
//
// Every time is taken in the pages, as `performance.timeOrigin + performance.now()`: one clock for all the pages of
// the machine. Each page records the steps of each call (bench/call-trace.js): the bench prints the figures, and the
// merged timelines of each system's first call and median calls, to show where the time goes.
import { fork, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleElement } from '../scripts/bundle-element.mjs';
import { LOOPBACK_ARGS, startFederation, startServer } from '../scripts/start-server.mjs';
import { launchBrowser } from './browser.mjs';
import { summarize } from './stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cdn = join(root, 'dist/cdn');

export const SYSTEMS = { single: 'one server', federated: 'federated', peerjs: 'PeerJS' };
/** With a baseline (an A/B run), its calls alternate with the others': one server, the element built from that commit. */
const BASELINE = 'baseline';
export const MODES = {
  now: { label: 'callee accepts at once on ringing', delay: 0 },
  later: { label: 'callee accepts 1.5 s after ringing', delay: 1500 },
};

/** What is measured in each call (see measure()), as the table names it. */
const METRICS = {
  ringing: 'dial → ringing*',
  rings: 'dial → callee rings',
  connected: 'accept → connected, both sides',
  connectedCaller: '  caller',
  connectedCallee: '  callee',
  frame: 'accept → first remote frame, both',
  frameCaller: '  caller',
  frameCallee: '  callee',
  ended: 'hang-up → ended, other side',
};

/** The first time `step` was recorded in `steps` ([time, step] pairs), or NaN. */
const at = (steps, step) => steps.find((entry) => entry[1] === step)?.[0] ?? NaN;

/** One call's figures, in ms, from the steps of its two pages. */
export function measure(system, { caller, callee }) {
  const accept = at(callee, 'accept');
  const dial = at(caller, 'dial');
  const since = (start, step) => ({ caller: at(caller, step) - start, callee: at(callee, step) - start });
  const connected = since(accept, 'connected');
  const frame = since(accept, 'first remote frame');
  return {
    ringing: (system === 'peerjs' ? at(callee, 'incoming') : at(caller, 'ringing')) - dial,
    rings: at(callee, 'incoming') - dial,
    connected: Math.max(connected.caller, connected.callee),
    connectedCaller: connected.caller,
    connectedCallee: connected.callee,
    frame: Math.max(frame.caller, frame.callee),
    frameCaller: frame.caller,
    frameCallee: frame.callee,
    ended: at(callee, 'ended') - at(caller, 'hangup'),
    // PeerJS's callee opens its camera when its user accepts, then answers: how long that takes of the above.
    camera: callee.find(([time, step]) => time > accept && step === 'getUserMedia(audio+video) done')?.[0] - accept,
  };
}

/** Builds dist/cdn (the step of `npm run build` that writes it) when it is missing or older than a source file. */
export async function ensureCdnBuild() {
  const newest = async (dir) => {
    let latest = 0;
    for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath ?? entry.path, entry.name))).mtimeMs);
    }
    return latest;
  };
  const built = await stat(join(cdn, 'wsp-call.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built >= (await newest(join(root, 'src')))) return;
  const build = spawnSync(process.execPath, ['scripts/build-bundle.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building dist/cdn failed:\n${build.stderr}`);
}

/**
 * dist/cdn as the commit `ref` builds it, in a directory of its own (the repository's node_modules linked in): the
 * "before" of an A/B run. Returns the directory holding its wsp-call.js.
 */
async function buildBaseline(ref) {
  const dir = await mkdtemp(join(tmpdir(), 'wsp-baseline-'));
  const archive = spawnSync('sh', ['-c', `git archive "$REF" | tar -x -C "$DIR"`], { cwd: root, env: { ...process.env, REF: ref, DIR: dir } });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed:\n${archive.stderr}`);
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync(process.execPath, ['scripts/build-bundle.mjs'], { cwd: dir, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building ${ref}'s dist/cdn failed:\n${build.stderr}`);
  return join(dir, 'dist/cdn');
}

/**
 * A <wsp-call> page as the README's "Embed it" has it: the module from the site's copy of dist/cdn, a tokenProvider;
 * `attributes` (e.g. `relay-only`) and `iceServers` as a page would set them.
 */
export const wspPage = ({ server, http, user, caller, callee, attributes = '', iceServers, cdnPath = '/cdn/' }) => `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${caller}</title>
<style>wsp-call { width: 480px }</style>
<script type="module" src="${cdnPath}wsp-call.js"></script>
<wsp-call server="${server}" caller="${caller}" callee="${callee}" ${attributes}></wsp-call>
<script type="module">
  const call = document.querySelector('wsp-call');${iceServers ? `\n  call.iceServers = ${JSON.stringify(iceServers)};` : ''}
  // The site's backend proves who the visitor is; the server's development tokens stand in for it.
  call.tokenProvider = async () => (await (await fetch('${http}/dev/token?user=${user}')).json()).token;
</script>
`;

/**
 * The two pages of a call on `site`, `name`-caller and `name`-callee: `a` on `callerServer` calls `b` on
 * `calleeServer` (the same server, or two federated ones); `extra` goes to each wspPage (attributes, ICE servers, CDN).
 */
export function wspPages(site, name, callerServer, calleeServer, extra = {}, [a, b] = ['alice', 'bob']) {
  const page = (user, server, peer, other) =>
    site.add(
      `${name}-${user}`,
      wspPage({
        server: server.url,
        http: `http://127.0.0.1:${server.port}`,
        user,
        caller: `${user}@${server.domain}`,
        callee: `${peer}@${other.domain}`,
        ...extra,
      }),
    );
  return { caller: page(a, callerServer, b, calleeServer), callee: page(b, calleeServer, a, callerServer) };
}

/** The PeerJS widget's page: the same size, the remote video filling it, the self-view inset. */
const peerjsPage = ({ id, callee, port }) => `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${id}</title>
<style>
  .phone { position: relative; width: 480px; aspect-ratio: 4/3; background: #111 }
  .remote { width: 100%; height: 100%; object-fit: cover }
  .self { position: absolute; right: 8px; bottom: 8px; width: 25%; transform: scaleX(-1) }
</style>
<div class="phone"><video class="remote" autoplay playsinline></video><video class="self" muted autoplay playsinline></video></div>
<script type="module">
  import { PeerjsPhone } from '/peerjs-phone.js';
  window.phone = new PeerjsPhone(document.querySelector('.phone'), { id: '${id}', callee: '${callee}', host: '127.0.0.1', port: ${port} });
</script>
`;

/** The site, on 127.0.0.1 (a secure context, as camera and microphone need): `/cdn/…`, `/peerjs-phone.js`, the pages added. */
export async function serveSite(baseline) {
  const pages = new Map();
  const { code: peerjs } = await bundleElement('bench/peerjs-phone.js');
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, 'http://site').pathname;
    const js = (body) => response.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
    if (pages.has(path)) return response.writeHead(200, { 'content-type': 'text/html' }).end(pages.get(path));
    if (path === '/peerjs-phone.js') return js(peerjs);
    for (const [prefix, dir] of [
      ['/cdn/', cdn],
      ['/cdn-baseline/', baseline],
    ]) {
      if (dir && path.startsWith(prefix) && extname(path) === '.js' && !path.includes('..')) {
        return readFile(join(dir, path.slice(prefix.length))).then(js, () => response.writeHead(404).end());
      }
    }
    response.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    add: (name, html) => (pages.set(`/${name}`, html), `${origin}/${name}`),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/** PeerJS's own signaling server, in a process of its own (bench/peer-server.mjs). */
async function startPeerServer() {
  const child = fork(new URL('./peer-server.mjs', import.meta.url));
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`PeerServer exited with code ${code}`)));
  });
  return { port, stop: () => child.kill() };
}

/**
 * Installed in each page once its widget is there: the user's actions as marks (dial, accept, hang-up) and the
 * widget's events (ringing, connected, ended). The callee accepts after `bench.acceptDelay` ms (-1: never), in a
 * microtask when 0: at once, as a user's click could not be sooner.
 */
function drive() {
  const widget = document.querySelector('wsp-call') ?? window.phone;
  const { mark } = window.benchTrace;
  const bench = (window.bench = {
    acceptDelay: -1,
    dial: () => (mark('dial'), void widget.call()),
    hangup: () => (mark('hangup'), void widget.hangup()),
  });
  widget.addEventListener('ringing', ({ incoming }) => {
    mark(incoming ? 'incoming' : 'ringing');
    if (!incoming || bench.acceptDelay < 0) return;
    const accept = () => (mark('accept'), void widget.accept());
    if (bench.acceptDelay) setTimeout(accept, bench.acceptDelay);
    else queueMicrotask(accept);
  });
  widget.addEventListener('connected', () => mark('connected'));
  widget.addEventListener('ended', () => mark('ended'));
}

/** A page of its own browser context at `url`, traced, once its widget is online. */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  await context.addInitScript({ path: fileURLToPath(new URL('./call-trace.js', import.meta.url)) });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`${error}`));
  await page.goto(url);
  await page.waitForFunction(() => (document.querySelector('wsp-call') ?? window.phone)?.online, null, { polling: 50, timeout: 30_000 });
  await page.evaluate(drive);
  return { page, errors };
}

/**
 * Lists the devices, opens the camera and a peer connection once, in a page of its own, and closes them: the first
 * use of the camera in a browser starts its capture service, and the first device listing took up to 0.8 s here; no
 * system's first call should pay that for the others. Each still pays its own page's first-time costs.
 */
export async function warmUp(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(async () => {
    await navigator.mediaDevices.enumerateDevices();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    await pc.setLocalDescription();
    pc.close();
    for (const track of stream.getTracks()) track.stop();
  });
  await context.close();
}

/** Waits until `step` was recorded in the page since its last call. */
async function until(side, name, step) {
  try {
    await side.page.waitForFunction((step) => window.benchTrace.has(step), step, { polling: 20, timeout: 20_000 });
  } catch (error) {
    const errors = side.errors.length ? `; page errors: ${side.errors.join('; ')}` : '';
    const steps = await side.page
      .evaluate(() =>
        window.benchTrace
          .take()
          .map((entry) => entry[1])
          .join(', '),
      )
      .catch(() => '?');
    throw new Error(`${name}: no "${step}" within 20 s${errors} (${error.message.split('\n')[0]}); its steps: ${steps}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One call caller → callee, accepted `delay` ms after ringing; resolves with the steps of both pages. */
export async function oneCall({ caller, callee }, delay) {
  // What the last call did after its pages were read (the hanging-up side closes its peer connection up to 1 s
  // later) is no step of this one.
  await callee.page.evaluate((delay) => ((window.bench.acceptDelay = delay), void window.benchTrace.take()), delay);
  await caller.page.evaluate(() => (window.benchTrace.take(), window.bench.dial()));
  await Promise.all([until(caller, 'caller', 'first remote frame'), until(callee, 'callee', 'first remote frame')]);
  // They talk a moment (the DataChannel takes over wsp-call's signaling), then the caller hangs up.
  await sleep(500);
  await caller.page.evaluate(() => window.bench.hangup());
  await Promise.all([until(caller, 'caller', 'ended'), until(callee, 'callee', 'ended')]);
  // Closing the peer connections and channels takes its time after `ended`: it must not fall into the next call.
  await sleep(300);
  const [callerSteps, calleeSteps] = await Promise.all([caller, callee].map(({ page }) => page.evaluate(() => window.benchTrace.take())));
  return { caller: callerSteps, callee: calleeSteps };
}

/**
 * Runs the calls: first one call of each system (fresh pages; counted apart), then `calls` per system with the callee
 * accepting at once, then `delayedCalls` with it accepting 1.5 s after ringing, the systems alternating call by call.
 * Returns `{ first: { [system]: call }, now: { [system]: call[] }, later: { [system]: call[] } }`, each call
 * `{ figures, steps }` (see measure()).
 */
export async function measureCallSetup({ calls = 20, delayedCalls = 10, baseline } = {}) {
  await ensureCdnBuild();
  const baselineCdn = baseline && (await buildBaseline(baseline));
  const systems = baseline ? [...Object.keys(SYSTEMS), BASELINE] : Object.keys(SYSTEMS);
  const args = ['--dev-tokens', '--users', 'alice,bob,carol,dave', ...LOOPBACK_ARGS];
  const stops = [];
  let browser;
  try {
    const single = await startServer(['--domain', 'localhost', '--port', '0', ...args]);
    stops.push(single.stop);
    const federation = await startFederation({ args });
    stops.push(federation.stop);
    const peerServer = await startPeerServer();
    stops.push(peerServer.stop);
    const site = await serveSite(baselineCdn);
    stops.push(site.close);
    browser = await launchBrowser();
    await warmUp(browser, site.add('warm-up', '<!doctype html><title>warm-up</title>'));

    const run = Date.now().toString(36);
    const urls = {
      single: wspPages(site, 'single', single, single),
      federated: wspPages(site, 'federated', federation.alpha, federation.beta),
      peerjs: {
        caller: site.add('peerjs-a', peerjsPage({ id: `a-${run}`, callee: `b-${run}`, port: peerServer.port })),
        callee: site.add('peerjs-b', peerjsPage({ id: `b-${run}`, callee: `a-${run}`, port: peerServer.port })),
      },
    };
    // Other users than alice and bob: the baseline's widgets are online beside theirs, on the same server.
    if (baseline) urls[BASELINE] = wspPages(site, BASELINE, single, single, { cdnPath: '/cdn-baseline/' }, ['carol', 'dave']);
    const pairs = {};
    for (const [system, { caller, callee }] of Object.entries(urls)) {
      pairs[system] = { caller: await openPage(browser, caller), callee: await openPage(browser, callee) };
    }

    const call = async (system, delay) => {
      const steps = await oneCall(pairs[system], delay);
      return { figures: measure(system, steps), steps };
    };
    const results = { first: {}, now: {}, later: {}, baseline };
    for (const system of systems) results.first[system] = await call(system, MODES.now.delay);
    for (const [mode, count] of [
      ['now', calls],
      ['later', delayedCalls],
    ]) {
      for (const system of systems) results[mode][system] = [];
      for (let i = 0; i < count; i++) {
        for (const system of systems) results[mode][system].push(await call(system, MODES[mode].delay));
      }
    }
    return results;
  } finally {
    await browser?.close();
    for (const stop of stops.reverse()) await stop();
  }
}

const ms = (n) => (Number.isFinite(n) ? n.toFixed(1) : '–');

/**
 * The merged steps of one call's two pages, in time order, relative to the callee's accept: caller left, callee right.
 * A step, or a pair of steps, repeated on one side with nothing in between (candidates found and sent) is one line,
 * at the first: `step ×n`, `step, next step ×n`.
 */
function timeline(steps) {
  const accept = at(steps.callee, 'accept');
  const merged = [...steps.caller.map(([time, step]) => ({ time, side: 0, step })), ...steps.callee.map(([time, step]) => ({ time, side: 1, step }))].sort(
    (a, b) => a.time - b.time,
  );
  const same = (a, b) => a && b && a.side === b.side && a.step === b.step;
  const rows = [];
  for (let i = 0; i < merged.length; ) {
    const [a, b] = [merged[i], merged[i + 1]];
    let n = 1;
    if (same(a, b)) {
      while (same(a, merged[i + n])) n++;
      rows.push({ ...a, n });
      i += n;
      continue;
    }
    while (b?.side === a.side && same(a, merged[i + 2 * n]) && same(b, merged[i + 2 * n + 1])) n++;
    rows.push(n > 1 ? { ...a, step: `${a.step}, ${b.step}`, n } : { ...a, n });
    i += n > 1 ? 2 * n : 1;
  }
  const lines = [`${'ms'.padStart(9)}  ${'caller'.padEnd(44)}callee`];
  for (const { time, side, step, n } of rows) {
    const offset = time - accept;
    const text = n > 1 ? `${step} ×${n}` : step;
    const [caller, callee] = side ? ['', text] : [text, ''];
    lines.push(`${`${offset >= 0 ? '+' : ''}${offset.toFixed(1)}`.padStart(9)}  ${caller.padEnd(44)}${callee}`.trimEnd());
  }
  return lines;
}

export function printCallSetup(results) {
  const systems = Object.keys(results.first);
  const names = { ...SYSTEMS, [BASELINE]: `baseline ${results.baseline ?? ''}`.trim() };
  const row = (label, cells) => `${label.padEnd(36)}${cells.map((cell) => cell.padEnd(17)).join('')}`.trimEnd();
  console.log('## Call setup as users get it: caller and callee in separate browser contexts of one headless Chromium, loopback');
  console.log('<wsp-call> loaded from dist/cdn/wsp-call.js, one server or federated (alice@alpha → bob@beta, two server processes);');
  console.log('PeerJS 1.5.5 through its PeerServer, in a widget that opens the camera at dial and at accept (bench/peerjs-phone.js).');
  console.log('Systems alternate call by call. Times in ms, taken in the pages (timeOrigin + now): median (p95).');
  console.log("* PeerJS tells its caller nothing while the callee rings: its dial → ringing is dial → the callee's `call` event.");
  const first = results.first;
  console.log();
  console.log("First call of each system (fresh pages, accept at once; the browser's devices listed and camera opened before), counted apart");
  console.log(
    row(
      '',
      systems.map((system) => names[system]),
    ),
  );
  for (const metric of ['ringing', 'connected', 'frame', 'ended']) {
    console.log(
      row(
        METRICS[metric],
        systems.map((system) => ms(first[system].figures[metric])),
      ),
    );
  }
  for (const [mode, { label }] of Object.entries(MODES)) {
    const calls = results[mode];
    const stats = (system, metric) => summarize(calls[system].map((call) => call.figures[metric]));
    const n = [...new Set(systems.map((system) => calls[system].length))].join('/');
    console.log();
    console.log(`${label[0].toUpperCase()}${label.slice(1)}, ${n} calls each`);
    const ab = results.baseline ? ', one server/baseline' : '';
    console.log(row('', [...systems.map((system) => names[system]), `wsp/PeerJS medians: one server, federated${ab}`]));
    for (const [metric, name] of Object.entries(METRICS)) {
      const per = Object.fromEntries(systems.map((system) => [system, stats(system, metric)]));
      const ratio = (system) => (per[system].median / per.peerjs.median).toFixed(2);
      const cells = systems.map((system) => `${ms(per[system].median)} (${ms(per[system].p95)})`);
      const vsBaseline = results.baseline ? `, ${(per.single.median / per[BASELINE].median).toFixed(2)}` : '';
      console.log(row(name, [...cells, `${ratio('single')}, ${ratio('federated')}${vsBaseline}`]));
    }
    console.log(`PeerJS's callee opens its camera on accept, before answer(): median ${ms(stats('peerjs', 'camera').median)} of the above`);
  }
  const trace = (title, call) => {
    console.log();
    console.log(`### Trace: ${title} (accept → both connected ${ms(call.figures.connected)}), ms from accept`);
    for (const line of timeline(call.steps)) console.log(line);
  };
  for (const system of systems) trace(`${names[system]}, first call`, first[system]);
  for (const [mode, { label }] of Object.entries(MODES)) {
    for (const system of systems) {
      const calls = [...results[mode][system]].sort((a, b) => a.figures.connected - b.figures.connected);
      if (calls.length) trace(`${names[system]}, ${label}: the median call`, calls[Math.ceil(calls.length / 2) - 1]);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const calls = Number(process.env.BENCH_CALLS ?? 20);
  printCallSetup(await measureCallSetup({ calls, delayedCalls: Math.ceil(calls / 2) }));
}
