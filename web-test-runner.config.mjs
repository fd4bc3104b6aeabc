// Browser tests: real Chromium (Debian's; CHROME_PATH overrides) with fake camera and microphone, against a real
// WSP server process that a plugin starts before the tests and stops after them; and two more, alpha and beta,
// federated with each other, for the calls across domains (test/browser/federation.test.ts).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { frameworkApps } from './scripts/framework-apps.mjs';
import { startFederation, startServer } from './scripts/start-server.mjs';

/** Every invite rings all of a user's devices, so each test takes users of its own from this directory. */
/** Test files take theirs by prefix (test/browser/helpers.ts, freshUser). */
export const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
for (const prefix of ['el', 'ev', 'fe', 're', 'ui', 'fw']) for (let i = 1; i <= 80; i++) users.push(`${prefix}${i}`);

/** Starts the servers in serverStart, stops them in serverStop, and tells the page where they are: GET /__wsp/config.json. */
function wspServer() {
  let wsp;
  let federation;
  const log = (line) => process.env.WSP_VERBOSE && console.log(line);
  const where = (server) => ({ url: server.url, http: `http://127.0.0.1:${server.port}`, domain: server.domain });
  return {
    name: 'wsp-server',
    async serverStart() {
      const args = ['--dev-tokens', '--users', users.join(','), '--ring-timeout', '30000'];
      [wsp, federation] = await Promise.all([
        startServer(['--domain', 'localhost', '--port', '0', ...args], { log }),
        startFederation({ args, log }),
      ]);
    },
    async serverStop() {
      await Promise.all([wsp?.stop(), federation?.stop()]);
    },
    serve(context) {
      if (context.path !== '/__wsp/config.json') return undefined;
      const config = { ...where(wsp), alpha: where(federation.alpha), beta: where(federation.beta) };
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
  plugins: [esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }), wspServer(), frameworkApps()],
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
