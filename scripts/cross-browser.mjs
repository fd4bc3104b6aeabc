// Calls between browsers of different kinds, each in its own process: Chromium and Firefox launched by puppeteer-core
// (CDP and WebDriver BiDi), each with a page holding one <wsp-call> that Node drives through `window.phone`
// (test/pages/phone.ts). Shared by test/node/cross-browser.test.ts and the benchmarks (bench/cross-browser.mjs).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import puppeteer from 'puppeteer-core';
import { bundleElement } from './bundle-element.mjs';
import { chromiumArgs, chromiumPath } from './chromium.mjs';
import { firefoxLaunchOptions } from './firefox.mjs';

/**
 * Serves test/pages/phone.html at `/` and the bundle of test/pages/phone.ts (the element with its in-call chunk, and
 * `window.phone`) at `/phone.js`, on 127.0.0.1 (a secure context, as media needs).
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function servePhonePage() {
  const [{ code }, html] = await Promise.all([bundleElement('test/pages/phone.ts'), readFile(new URL('../test/pages/phone.html', import.meta.url), 'utf8')]);
  const server = createServer((request, response) => {
    if (request.url === '/phone.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else response.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/** @typedef {'chromium' | 'firefox'} BrowserKind */

/**
 * A headless browser of `kind` with fake camera and microphone: Debian's Chromium (scripts/chromium.mjs) or Firefox
 * ESR over WebDriver BiDi (scripts/firefox.mjs).
 * @param {BrowserKind} kind
 * @returns {Promise<import('puppeteer-core').Browser>}
 */
export function launch(kind) {
  if (kind === 'firefox') return puppeteer.launch(firefoxLaunchOptions());
  return puppeteer.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/**
 * A tab of `browser` on the phone page at `url`, once `window.phone` is there. Errors that escape to the page are
 * collected in `errors` (a test asserts none).
 * @returns {Promise<{ page: import('puppeteer-core').Page, errors: string[] }>}
 */
export async function openPhonePage(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error?.message ?? error)));
  await page.goto(url);
  await page.waitForFunction(() => 'phone' in window, { polling: 50, timeout: 30_000 });
  return { page, errors };
}

/**
 * Waits until `predicate(arg)` is true in the page, checking every 100 ms (not at each animation frame: a headless
 * page may have none). `what` names the wait in the error.
 */
export async function until(page, predicate, arg, { timeout = 20_000, what = 'condition' } = {}) {
  try {
    await page.waitForFunction(predicate, { polling: 100, timeout }, arg);
  } catch (error) {
    throw new Error(`${what}: not within ${timeout} ms (${error.message})`);
  }
}

/** Waits until the widget of `page` has had `n` events of `type` in all (recorded by `window.phone`). */
export function untilEvents(page, type, n = 1, options = {}) {
  return until(page, ({ type, n }) => window.phone.count(type) >= n, { type, n }, { what: `${type} event #${n}`, ...options });
}

/**
 * Rings `callee` from `caller` (pages whose widgets are open and call each other), and waits until the caller has its
 * `ringing` event and the callee's widget is `incoming`.
 */
export async function ring(caller, callee, options) {
  const [before] = await Promise.all([caller.evaluate(() => window.phone.count('ringing'))]);
  await caller.evaluate(() => window.phone.call());
  await Promise.all([
    untilEvents(caller, 'ringing', before + 1, options),
    until(callee, () => window.phone.state() === 'incoming', undefined, { what: 'callee incoming', ...options }),
  ]);
}

/**
 * Accepts the ringing call at `callee`; resolves, once both widgets had their `connected` event, with the times from
 * accept() to each side's `connected` event, in ms: `{ caller, callee, both }` (`both`: the later of the two). The
 * pages' wall clocks (Date.now()) are the machine's one clock, so that times across browsers compare.
 */
export async function accept(caller, callee, options) {
  const counts = await Promise.all([caller, callee].map((page) => page.evaluate(() => window.phone.count('connected'))));
  const start = await callee.evaluate(() => {
    const now = Date.now();
    void window.phone.accept();
    return now;
  });
  await Promise.all([caller, callee].map((page, i) => untilEvents(page, 'connected', counts[i] + 1, options)));
  const [callerAt, calleeAt] = await Promise.all([caller, callee].map((page) => page.evaluate(() => window.phone.last('connected').wall)));
  return { caller: callerAt - start, callee: calleeAt - start, both: Math.max(callerAt, calleeAt) - start };
}

/** Hangs up at `from`; waits until both widgets had `ended`; returns the codes [from, other] of the sessions. */
export async function hangUp(from, other, options) {
  const counts = await Promise.all([from, other].map((page) => page.evaluate(() => window.phone.count('ended'))));
  await from.evaluate(() => window.phone.hangup());
  await Promise.all([from, other].map((page, i) => untilEvents(page, 'ended', counts[i] + 1, options)));
  return Promise.all([from, other].map((page) => page.evaluate(() => window.phone.session()?.code)));
}
