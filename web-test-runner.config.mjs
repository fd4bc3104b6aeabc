// Browser tests: real Chromium (Debian's; CHROME_PATH overrides) with fake camera and microphone, against a real
// WSP server process that a plugin starts before the tests and stops after them.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { startServer } from './scripts/start-server.mjs';

/** Every invite rings all of a user's devices, so each test takes users of its own from this directory. */
/** Test files take theirs by prefix (test/browser/helpers.ts, freshUser). */
export const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
for (const prefix of ['el', 'ev']) for (let i = 1; i <= 80; i++) users.push(`${prefix}${i}`);

/** Starts the server in serverStart, stops it in serverStop, and tells the page where it is: GET /__wsp/config.json. */
function wspServer() {
  let wsp;
  return {
    name: 'wsp-server',
    async serverStart() {
      wsp = await startServer(
        ['--domain', 'localhost', '--port', '0', '--dev-tokens', '--users', users.join(','), '--ring-timeout', '30000'],
        { log: (line) => process.env.WSP_VERBOSE && console.log(line) },
      );
    },
    async serverStop() {
      await wsp?.stop();
    },
    serve(context) {
      if (context.path !== '/__wsp/config.json') return undefined;
      const config = { url: wsp.url, http: `http://127.0.0.1:${wsp.port}`, domain: wsp.domain };
      return { body: JSON.stringify(config), type: 'application/json' };
    },
  };
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  // Two cores: one page at a time keeps WebRTC's encoders from starving each other.
  concurrency: 1,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 20_000 } },
  plugins: [esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }), wspServer()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs,
      },
    }),
  ],
};
