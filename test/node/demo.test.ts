// `npm start`, as a person uses it: the demo script starts two federated servers and the Vite page; in headless
// Chromium (fake camera) alice@alpha calls bob@beta on the plain HTML page, and again in the React and Vue examples.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error -- a plain .mjs module without types, shared with the benchmarks
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
// @ts-expect-error -- idem
import { freePorts } from '../../scripts/start-server.mjs';

let demo: ReturnType<typeof spawn>;
let url: string;
let browser: Browser;

before(async () => {
  const [port] = (await freePorts(1)) as number[];
  demo = spawn(process.execPath, ['scripts/demo.mjs'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: demo.stdout! }).on('line', (line: string) => {
      const found = /^Demo: (\S+)/.exec(line);
      if (found) resolve(found[1]!);
    });
    demo.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
  });
  browser = await chromium.launch({ executablePath: chromiumPath as string, headless: true, args: chromiumArgs as string[] });
});

after(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    demo.kill('SIGTERM');
    await new Promise((resolve) => demo.once('exit', resolve));
  }
});

/** Opens `path`, waits until both widgets are online; page errors fail the test. */
async function open(path: string): Promise<Page> {
  // Reduced motion: the accept button pulses while a call rings, and Playwright clicks only what stands still.
  const page = await browser.newPage({ reducedMotion: 'reduce' });
  page.on('pageerror', (error) => assert.fail(`${path}: ${error.message}`));
  await page.goto(new URL(path, url).href);
  await page.waitForFunction(
    () => {
      const widgets = [...document.querySelectorAll('wsp-call')];
      return widgets.length === 2 && widgets.every((el) => el.online);
    },
    null,
    { timeout: 20_000 },
  );
  return page;
}

/** The states of the two widgets, alice's first. */
const states = (page: Page) => page.evaluate(() => [...document.querySelectorAll('wsp-call')].map((el) => el.state));

async function until(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction((expected) => [...document.querySelectorAll('wsp-call')].map((el) => el.state).join() === expected.join(), expected, {
    timeout: 15_000,
  });
}

/** Bob accepts with his widget's button, both connect, alice hangs up with hers: ended on both sides. */
async function acceptAndHangUp(page: Page): Promise<void> {
  await until(page, ['ringing', 'incoming']);
  await page.locator('wsp-call >> nth=1').locator('[part~=accept-button]').click();
  await until(page, ['connected', 'connected']);
  await page.locator('wsp-call >> nth=0').locator('[part~=hangup-button]').click();
  await until(page, ['ended', 'ended']);
  const codes = await page.evaluate(() => [...document.querySelectorAll('wsp-call')].map((el) => el.session?.code));
  assert.deepEqual(codes, [200, 200]);
}

describe('npm start', { timeout: 120_000 }, () => {
  test('the plain HTML page: alice@alpha calls bob@beta with the widget’s own buttons', async () => {
    const page = await open('/');
    assert.deepEqual(await states(page), ['idle', 'idle']);
    await page.locator('wsp-call >> nth=0').locator('[part~=call-button]').click();
    await acceptAndHangUp(page);
    await page.close();
  });

  for (const framework of ['react', 'vue']) {
    test(`the ${framework} page: the app's own button places the call`, async () => {
      const page = await open(`/${framework}/`);
      await page.locator('.phone >> nth=0').locator('button', { hasText: 'from the app' }).click();
      await acceptAndHangUp(page);
      assert.match((await page.locator('.app-status').allTextContents()).join('|'), /^ended: .*\(200\)\|ended: .*\(200\)$/);
      await page.close();
    });
  }
});
