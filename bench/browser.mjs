// Headless Debian Chromium with fake media, and a loopback page that loads a bundle (by default the element).
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { bundleElement } from '../scripts/bundle-element.mjs';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

/** Serves `/` (an empty page) and `/bundle.js` (the bundle of `entry`, by default the element) on 127.0.0.1. */
export async function servePage(entry = 'src/wsp-call.ts') {
  const { code } = await bundleElement(entry);
  const server = createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/bundle.js"></script>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
