// A child process of bench/idle-capacity.mjs: opens and holds its share of the idle connections (each process has
// its own file-descriptor limit). A held user still answers a call, as a widget would: ringing and offer for an
// invite, a candidate for the answer; so the parent can check a call reaches a connection held under load.
import { openAll, serve } from './children.mjs';
import { frames } from './signaling-frames.mjs';

let sockets = [];
let unexpected = 0;

function answerCalls(socket, me) {
  socket.on('message', (data) => {
    const [keyword, content, { call }] = JSON.parse(data);
    if (keyword === 'invite') {
      socket.send(frames.ringing(call));
      socket.send(frames.offer(call, me, performance.now()));
    } else if (keyword === 'answer') {
      socket.send(frames.icecandidate(call, me, 0, performance.now()));
    } else if (keyword !== 'bye' || content.code !== 200) {
      unexpected++;
    }
  });
}

serve({
  async open({ targets, users, concurrency }) {
    const started = performance.now();
    sockets = await openAll(targets, concurrency);
    const ms = performance.now() - started;
    sockets.forEach((socket, i) => answerCalls(socket, users[i]));
    return { ms, opened: sockets.length };
  },
  /** How many sockets are still open, and how many frames came that no idle client should get. */
  count: () => ({ open: sockets.filter((socket) => socket.readyState === socket.OPEN).length, unexpected }),
});
