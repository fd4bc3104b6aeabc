// Faults (issue 5): servers killed with SIGKILL mid-call, WebSockets dropped before the handover, ICE restarts, glare
// and double actions — with real servers (dedicated processes the runner's plugin starts and kills), real Chromium
// peer connections and widgets.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { CallSession } from '../../src/call/call-session.js';
import { TOKEN_PROTOCOL_PREFIX } from '../../src/protocol/handshake.js';
import type { WspCall } from '../../src/wsp-call.js';
import { freshUser, handedOver, next, pair, phoneAt, record, removeAll, states, waitUntil, type WspServerConfig } from './helpers.js';

interface Dedicated {
  id: string;
  servers: WspServerConfig[];
}

/** A server process (or a federated pair) of this test's own, which it may kill (web-test-runner.config.mjs). */
function dedicated(federated = false): Promise<Dedicated> {
  return executeServerCommand<Dedicated, { federated: boolean }>('wsp-start', { federated });
}

const kill = ({ id }: Dedicated) => executeServerCommand('wsp-kill', { id });

// Every WebSocket the page opens, with the subprotocols it offered, so a test can drop one widget's connection.
const sockets: { socket: WebSocket; protocols: string[] }[] = [];
window.WebSocket = class extends WebSocket {
  constructor(url: string | URL, protocols: string | string[] = []) {
    super(url, protocols);
    sockets.push({ socket: this, protocols: [protocols].flat() });
  }
};

/** The user a token was minted for: its `sub`. */
function subjectOf(token: string): string {
  const payload = token.split('.')[1]!;
  return (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string }).sub;
}

/** The open WebSocket of `el`: the one whose token (offered as `wsp-token.<JWT>`, docs/protocol.md §3) names its user. */
function socketOf(el: WspCall): WebSocket {
  const token = (protocols: string[]) => protocols.find((name) => name.startsWith(TOKEN_PROTOCOL_PREFIX))!.slice(TOKEN_PROTOCOL_PREFIX.length);
  return sockets.filter(({ socket, protocols }) => socket.readyState === WebSocket.OPEN && subjectOf(token(protocols)) === el.caller).at(-1)!.socket;
}

async function ring(caller: WspCall, callee: WspCall): Promise<void> {
  const ringing = Promise.all([next(caller, 'ringing'), next(callee, 'ringing')]);
  await caller.call();
  await ringing;
}

async function connect(caller: WspCall, callee: WspCall): Promise<void> {
  await ring(caller, callee);
  const connected = Promise.all([next(caller, 'connected'), next(callee, 'connected')]);
  await callee.accept();
  await connected;
  await handedOver(caller, callee);
}

/** Two widgets of fresh users, each on its own server (the same one unless two are given), that call each other. */
function twoOn(a: WspServerConfig, b = a): Promise<[WspCall, WspCall]> {
  const [x, y] = [freshUser('re'), freshUser('re')];
  return Promise.all([phoneAt(a, x, `${y}@${b.domain}`), phoneAt(b, y, `${x}@${a.domain}`)]);
}

/** Video frames decoded so far from the peer. */
async function framesDecoded(session: CallSession): Promise<number> {
  let frames = 0;
  (await session.pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
  });
  return frames;
}

/** Waits until each side decoded at least 10 more video frames from the other (the fake camera sends 20–30/s). */
async function mediaFlows(...els: WspCall[]): Promise<void> {
  await Promise.all(
    els.map(async (el) => {
      const session = el.session!;
      const start = await framesDecoded(session);
      await waitUntil(async () => (await framesDecoded(session)) >= start + 10, `${el.caller}: remote video stalled`, { timeout: 10_000 });
    }),
  );
}

/** The ICE username fragment of a session's current local description. */
function ufrag(el: WspCall): string {
  return /a=ice-ufrag:(\S+)/.exec(el.session!.pc.localDescription!.sdp)![1]!;
}

/** Restarts ICE from the given sides at once; waits until both sides have new credentials and are connected again. */
async function restartIce(alice: WspCall, bob: WspCall, from: WspCall[]): Promise<void> {
  const before = [ufrag(alice), ufrag(bob)];
  for (const el of from) el.session!.pc.restartIce();
  await waitUntil(
    () => ufrag(alice) !== before[0] && ufrag(bob) !== before[1] && [alice, bob].every((el) => el.session!.pc.signalingState === 'stable'),
    'ICE was not restarted on both sides',
    { timeout: 10_000 },
  );
  await waitUntil(() => [alice, bob].every((el) => el.session!.pc.connectionState === 'connected'), 'not connected after the restart', { timeout: 10_000 });
}

async function hangUp(from: WspCall, other: WspCall): Promise<number[]> {
  const ended = Promise.all([next(from, 'ended'), next(other, 'ended')]);
  await from.hangup();
  return (await ended).map((event) => event.code);
}

// Nothing a widget does may reach the page as an uncaught error or rejection.
const escaped: unknown[] = [];
const onEscape = (event: ErrorEvent | PromiseRejectionEvent) => escaped.push('reason' in event ? event.reason : event.message);

describe('reliability', () => {
  before(() => {
    addEventListener('error', onEscape);
    addEventListener('unhandledrejection', onEscape);
  });
  afterEach(async () => {
    await removeAll();
    expect(escaped.splice(0), 'errors that escaped to the page').to.deep.equal([]);
  });
  after(() => {
    removeEventListener('error', onEscape);
    removeEventListener('unhandledrejection', onEscape);
  });

  describe('after the handover the call belongs to the browsers', () => {
    it('server SIGKILLed mid-call: media flows, signaling goes on over the DataChannel, hang-up 200 on both sides; once the server is back a new call works', async function () {
      this.timeout(120_000);
      const server = await dedicated();
      const [alice, bob] = await twoOn(server.servers[0]!);
      await connect(alice, bob);
      await kill(server);
      await waitUntil(() => !alice.online && !bob.online, 'the WebSockets stayed open');
      expect([alice.state, bob.state]).to.deep.equal(['connected', 'connected']);
      await mediaFlows(alice, bob);
      // Renegotiation needs signaling: with no server, only the DataChannel carries it.
      await restartIce(alice, bob, [bob]);
      await mediaFlows(alice, bob);

      // The widgets keep reconnecting (backoff, a fresh token each time): once the server is back, they are online.
      await executeServerCommand('wsp-restart', { id: server.id });
      // The widgets back off up to 30 s between attempts, and the server may take a while to start on a busy machine.
      await waitUntil(() => alice.online && bob.online, 'no reconnection to the restarted server', { timeout: 75_000 });
      expect([alice.state, bob.state]).to.deep.equal(['connected', 'connected']);
      expect(await hangUp(alice, bob)).to.deep.equal([200, 200]);
      await connect(bob, alice);
      expect(await hangUp(bob, alice)).to.deep.equal([200, 200]);
    });

    it('both federated servers SIGKILLed mid-call: media flows, signaling over the DataChannel, hang-up 200 on both sides', async function () {
      this.timeout(40_000);
      const federation = await dedicated(true);
      const [alpha, beta] = federation.servers as [WspServerConfig, WspServerConfig];
      const [alice, bob] = await twoOn(alpha, beta);
      await connect(alice, bob);
      await kill(federation);
      await waitUntil(() => !alice.online && !bob.online, 'the WebSockets stayed open');
      await mediaFlows(alice, bob);
      await restartIce(alice, bob, [alice]);
      await mediaFlows(alice, bob);
      expect(await hangUp(bob, alice)).to.deep.equal([200, 200]);
    });
  });

  describe('a WebSocket drops before the handover: the call ends on both sides, then the widget reconnects', () => {
    it('the callee’s socket drops while it rings: callee 503, caller 480', async () => {
      const [alice, bob] = await pair('re');
      const aliceEvents = record(alice);
      await ring(alice, bob);
      const ended = Promise.all([next(alice, 'ended', 5_000), next(bob, 'ended', 5_000)]);
      socketOf(bob).close();
      expect((await ended).map((event) => event.code)).to.deep.equal([480, 503]);
      expect(states(aliceEvents)).to.deep.equal(['dialing', 'ringing', 'ended']);
      await waitUntil(() => bob.online, 'the callee did not reconnect', { timeout: 10_000 });
    });

    it('the callee’s socket drops while connecting: 503 on both sides', async () => {
      const [alice, bob] = await pair('re');
      const [aliceEvents, bobEvents] = [record(alice), record(bob)];
      await ring(alice, bob);
      const ended = Promise.all([next(alice, 'ended', 5_000), next(bob, 'ended', 5_000)]);
      await bob.accept();
      socketOf(bob).close();
      expect((await ended).map((event) => event.code)).to.deep.equal([503, 503]);
      expect(states(bobEvents)).to.deep.equal(['incoming', 'connecting', 'ended']);
      expect(states(aliceEvents).at(-1)).to.equal('ended');
      expect(states(aliceEvents)).to.not.include('connected');
      await waitUntil(() => bob.online, 'the callee did not reconnect', { timeout: 10_000 });
    });

    it('the caller’s socket drops while it rings: caller 503, callee 487', async () => {
      const [alice, bob] = await pair('re');
      await ring(alice, bob);
      const ended = Promise.all([next(alice, 'ended', 5_000), next(bob, 'ended', 5_000)]);
      socketOf(alice).close();
      expect((await ended).map((event) => event.code)).to.deep.equal([503, 487]);
    });
  });

  describe('ICE restart with perfect negotiation', () => {
    it('restartIce() on the caller mid-call: new credentials on both sides, still connected, media continues', async () => {
      const [alice, bob] = await pair('re');
      await connect(alice, bob);
      const events = [record(alice), record(bob)];
      await restartIce(alice, bob, [alice]);
      await mediaFlows(alice, bob);
      expect([alice.state, bob.state]).to.deep.equal(['connected', 'connected']);
      expect(events.flat().filter(({ type }) => type !== 'error')).to.deep.equal([]);
    });

    it('restartIce() on the callee mid-call', async () => {
      const [alice, bob] = await pair('re');
      await connect(alice, bob);
      await restartIce(alice, bob, [bob]);
      await mediaFlows(alice, bob);
    });

    it('both sides restart at once (offers collide): the polite caller yields, both get new credentials, media continues', async () => {
      const [alice, bob] = await pair('re');
      await connect(alice, bob);
      const events = [record(alice), record(bob)];
      const offers = [alice, bob].map((el) => {
        const received: string[] = [];
        el.session!.channel!.addEventListener('message', ({ data }) => (data as string).startsWith('["offer"') && received.push(data as string));
        return received;
      });
      await restartIce(alice, bob, [alice, bob]);
      // Each side offered: the offers crossed on the DataChannel.
      expect(offers.map((received) => received.length > 0)).to.deep.equal([true, true]);
      await mediaFlows(alice, bob);
      expect([alice.state, bob.state]).to.deep.equal(['connected', 'connected']);
      expect(events.flat()).to.deep.equal([]);
      expect(await hangUp(alice, bob)).to.deep.equal([200, 200]);
    });
  });

  describe('glare and double actions', () => {
    it('both call each other at once: exactly one call, the invite with the lower call id; the loser takes it', async () => {
      const [alice, bob] = await pair('re');
      const [aliceEvents, bobEvents] = [record(alice), record(bob)];
      // Waited for as events, not against a clock: a loaded machine sets a call up slowly, and a call that cannot
      // connect ends (bye 504 after connect-timeout), which the assertions below report.
      const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
      await Promise.all([alice.call(), bob.call()]);
      const outgoing = [alice.session!, bob.session!];
      const [winner, loser] = outgoing[0]!.id < outgoing[1]!.id ? [alice, bob] : [bob, alice];
      const winnerId = winner.session!.id;
      await Promise.race([up, Promise.all([next(alice, 'ended'), next(bob, 'ended')])]);
      expect([alice.state, bob.state]).to.deep.equal(['connected', 'connected']);
      expect(alice.session!.id).to.equal(winnerId);
      expect(bob.session!.id).to.equal(winnerId);
      expect(winner.session!.role).to.equal('caller');
      expect(loser.session!.role).to.equal('callee');
      // The losing invite was cancelled without an `ended`: the widget turned it into the incoming call.
      expect(outgoing.find((session) => session.id !== winnerId)!.code).to.equal(487);
      expect([...aliceEvents, ...bobEvents].filter(({ type }) => type === 'ended' || type === 'error')).to.deep.equal([]);
      expect(states(winner === alice ? aliceEvents : bobEvents)).to.deep.equal(['dialing', 'ringing', 'connecting', 'connected']);
      expect(states(loser === alice ? aliceEvents : bobEvents).slice(-3)).to.deep.equal(['incoming', 'connecting', 'connected']);
      expect(await hangUp(loser, winner)).to.deep.equal([200, 200]);
    });

    it('call() twice places one call', async () => {
      const [alice, bob] = await pair('re');
      const bobEvents = record(bob);
      await Promise.all([alice.call(), alice.call()]);
      const session = alice.session;
      await next(bob, 'ringing');
      await alice.call();
      expect(alice.session).to.equal(session);
      expect(await hangUp(alice, bob)).to.deep.equal([487, 487]);
      // The server relays in order: a second invite would have rung bob before alice's cancel ended his call.
      expect(bobEvents.filter(({ type }) => type === 'ringing')).to.have.length(1);
    });

    it('accept() after the caller hung up does nothing: the callee stays ended with 487', async () => {
      const [alice, bob] = await pair('re');
      await ring(alice, bob);
      expect(await hangUp(alice, bob)).to.deep.equal([487, 487]);
      await bob.accept();
      expect(bob.state).to.equal('ended');
      expect(bob.session!.code).to.equal(487);
    });

    it('hangup() twice ends the call once on each side', async () => {
      const [alice, bob] = await pair('re');
      await connect(alice, bob);
      const [aliceEvents, bobEvents] = [record(alice), record(bob)];
      const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
      await Promise.all([alice.hangup(), alice.hangup()]);
      await alice.hangup();
      expect((await ended).map((event) => event.code)).to.deep.equal([200, 200]);
      // Once both peer connections are closed, no second bye can still be on its way over the DataChannel.
      await waitUntil(() => [alice, bob].every((el) => el.session!.pc.signalingState === 'closed'), 'a peer connection stayed open');
      for (const events of [aliceEvents, bobEvents]) expect(events.filter(({ type }) => type === 'ended')).to.have.length(1);
    });

    it('decline() after accept() does nothing: the call connects', async () => {
      const [alice, bob] = await pair('re');
      await ring(alice, bob);
      const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
      await Promise.all([bob.accept(), bob.decline()]);
      await connected;
      expect([alice.state, bob.state]).to.deep.equal(['connected', 'connected']);
      expect(await hangUp(bob, alice)).to.deep.equal([200, 200]);
    });
  });
});
