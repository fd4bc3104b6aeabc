// `npm start`: a WSP server with development tokens, and the Vite demo page in front of it.
// The page reaches the server through Vite's proxy, so it works from any host name without config.
import { createServer } from 'vite';
import { startServer } from './start-server.mjs';

const wsp = await startServer(
  ['--domain', 'localhost', '--port', '0', '--dev-tokens', '--users', 'alice,bob,carol'],
  { log: (line) => process.env.WSP_VERBOSE && console.log(line) },
);
const target = `http://127.0.0.1:${wsp.port}`;
const vite = await createServer({
  configFile: false,
  root: 'demo',
  server: {
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 5173),
    proxy: { '/wsp': { target, ws: true }, '/dev': { target } },
  },
});
await vite.listen();

console.log(`WSP server for domain "${wsp.domain}" on ${wsp.url}`);
console.log(`Demo: ${vite.resolvedUrls.local[0]}  (alice and bob call each other; Ctrl-C stops)`);

const shutdown = async () => {
  await Promise.allSettled([vite.close(), wsp.stop()]);
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
