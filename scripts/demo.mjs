// `npm start`: two WSP domains, alpha and beta (two server processes federated with each other, development tokens on),
// and the Vite demo page in front of them, where alice@alpha calls bob@beta. The page reaches each server through
// Vite's proxy (/alpha/… and /beta/…), so it works from any host name without config; /domains.json names the domains.
import { createServer } from 'vite';
import { vueBuild } from './framework-apps.mjs';
import { startFederation } from './start-server.mjs';

const { alpha, beta, stop } = await startFederation({
  args: ['--dev-tokens', '--users', 'alice,bob,carol'],
  log: (line) => process.env.WSP_VERBOSE && console.log(line),
});
const servers = { alpha, beta };

/** `/NAME/wsp` and `/NAME/dev/token` → that server's `/wsp` and `/dev/token`. */
const proxy = Object.fromEntries(
  Object.entries(servers).map(([name, wsp]) => [
    `/${name}/`,
    { target: `http://127.0.0.1:${wsp.port}`, ws: true, rewrite: (path) => path.slice(name.length + 1) },
  ]),
);
const domains = { alpha: alpha.domain, beta: beta.domain };
const vite = await createServer({
  configFile: false,
  root: 'demo',
  resolve: { alias: vueBuild.alias },
  define: vueBuild.define,
  server: { host: '127.0.0.1', port: Number(process.env.PORT ?? 5173), proxy },
  plugins: [
    {
      name: 'wsp-demo-domains',
      configureServer(server) {
        server.middlewares.use('/domains.json', (_request, response) => {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify(domains));
        });
      },
    },
  ],
});
await vite.listen();

for (const wsp of [alpha, beta]) console.log(`WSP server for domain "${wsp.domain}" on ${wsp.url}`);
console.log(`Demo: ${vite.resolvedUrls.local[0]}  (alice@${alpha.domain} calls bob@${beta.domain}; Ctrl-C stops)`);

const shutdown = async () => {
  await Promise.allSettled([vite.close(), stop()]);
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
