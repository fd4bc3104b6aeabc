// The floor the WSP server is compared with (bench/signaling.mjs): the simplest relay `ws` allows. No auth, no
// parsing, no validation, no logging: a client connects to /?me=NAME&peer=NAME and every message it sends is written,
// as the same bytes, to the socket that connected as `peer`. Same `ws` settings as the WSP server (no
// permessage-deflate, the same maxPayload). Prints {"msg":"listening","port":…} like wsp-server, then runs until killed.
// With `--json` each message is parsed and re-serialized on the way (JSON.parse, JSON.stringify, nothing checked):
// the share of the WSP server's cost that any relay of JSON frames pays.
// Run with `node --import tsx` (for the limit, read from the protocol's one definition).
import { WebSocketServer } from 'ws';
import { limits } from '../src/protocol/limits.ts';

const json = process.argv.includes('--json');
const sockets = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: limits.frame });

wss.on('connection', (ws, request) => {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const me = query.get('me');
  const peer = query.get('peer');
  sockets.set(me, ws);
  ws.on(
    'message',
    json
      ? (data) => sockets.get(peer)?.send(JSON.stringify(JSON.parse(data.toString())))
      : (data, isBinary) => sockets.get(peer)?.send(data, { binary: isBinary }),
  );
  ws.on('error', () => {});
  ws.once('close', () => {
    if (sockets.get(me) === ws) sockets.delete(me);
  });
});
wss.once('listening', () => process.stdout.write(`${JSON.stringify({ msg: 'listening', port: wss.address().port })}\n`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
