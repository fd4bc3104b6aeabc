// The call client without the element: two CallClients place, take, refuse and end real calls through the real
// server, with no <wsp-call> and no Lit on the way; and it comes back to a server that closed its connection.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { CallClient, type CallClientEventMap, type CallClientSettings } from '../../src/call/call-client.js';
import { devToken, freshUser, waitUntil, wspConfig } from './helpers.js';

const started: CallClient[] = [];

/**
 * A started client for a fresh user, calling `callee` (a user name), once online. Its settings are `settings`, filled
 * in: the client reads them at each use, so a test changes them there.
 */
async function client(user: string, callee?: string, settings: Partial<CallClientSettings> = {}): Promise<CallClient> {
  const { url, domain } = await wspConfig();
  const defaults = { server: url, caller: `${user}@${domain}`, callee: callee && `${callee}@${domain}`, tokenProvider: () => devToken(user), silent: true };
  const phone = new CallClient(Object.assign(settings, { ...defaults, ...settings }) as CallClientSettings);
  started.push(phone);
  phone.start();
  expect(await phone.connect(), `${user} could not connect`).to.not.equal(undefined);
  expect(phone.online).to.equal(true);
  return phone;
}

/** Two online clients that call each other. */
async function pair(): Promise<[CallClient, CallClient]> {
  const a = freshUser('cc');
  const b = freshUser('cc');
  return Promise.all([client(a, b), client(b, a)]);
}

/** The next `type` event of `phone`; listen before acting. */
function next<K extends keyof CallClientEventMap>(phone: CallClient, type: K): Promise<CallClientEventMap[K]> {
  return new Promise((resolve) => phone.addEventListener(type, resolve, { once: true }));
}

/** The states `phone` goes through from now on. */
function statesOf(phone: CallClient): string[] {
  const states: string[] = [];
  phone.addEventListener('statechange', (event) => states.push(event.state));
  return states;
}

afterEach(() => {
  for (const phone of started.splice(0)) phone.stop();
});

describe('CallClient, without an element', () => {
  it('places a call that the other client takes: ringing, connected, media both ways, hang-up ends both', async () => {
    const [alice, bob] = await pair();
    const aliceStates = statesOf(alice);
    const bobStates = statesOf(bob);
    const incoming = next(bob, 'ringing');
    const outgoing = next(alice, 'ringing');
    await alice.call();
    const ring = await incoming;
    expect(ring.incoming).to.equal(true);
    expect(ring.caller.uri).to.equal(alice.session!.parties!.caller.uri);
    expect((await outgoing).incoming).to.equal(false);
    expect(bob.state).to.equal('incoming');
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await connected;
    // Media flows both ways: each side receives the other's audio and video.
    await waitUntil(() => alice.session!.remoteStream.getTracks().length === 2 && bob.session!.remoteStream.getTracks().length === 2, 'no remote tracks');
    expect(
      alice
        .session!.localStream!.getTracks()
        .map((track) => track.kind)
        .sort(),
    ).to.deep.equal(['audio', 'video']);
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    alice.hangup();
    const [aliceEnd, bobEnd] = await ended;
    expect(aliceEnd.code).to.equal(200);
    expect(bobEnd.code).to.equal(200);
    expect(aliceEnd.duration).to.be.greaterThan(0);
    expect(aliceStates).to.deep.equal(['dialing', 'ringing', 'connecting', 'connected', 'ended']);
    expect(bobStates).to.deep.equal(['incoming', 'connecting', 'connected', 'ended']);
    expect(alice.busy).to.equal(false);
    expect(bob.online && alice.online).to.equal(true);
  });

  it('follows its settings: muted and camera off disable the tracks of the live call', async () => {
    const settings = { muted: false, cameraOff: false };
    const a = freshUser('cc');
    const b = freshUser('cc');
    const [alice, bob] = await Promise.all([client(a, b, settings), client(b, a)]);
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    bob.addEventListener('ringing', () => void bob.accept(), { once: true });
    await alice.call();
    await connected;
    const track = (kind: string) => alice.session!.localStream!.getTracks().find((candidate) => candidate.kind === kind)!;
    expect(track('audio').enabled).to.equal(true);
    Object.assign(settings, { muted: true, cameraOff: true });
    alice.update();
    expect(track('audio').enabled).to.equal(false);
    expect(track('video').enabled).to.equal(false);
  });

  it('is busy during a call: a third client hears 486, and the call goes on', async () => {
    const [a, b, c] = [freshUser('cc'), freshUser('cc'), freshUser('cc')];
    const [alice, bob, carol] = await Promise.all([client(a, b), client(b, a), client(c, b)]);
    bob.addEventListener('ringing', () => void bob.accept(), { once: true });
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await alice.call();
    await connected;
    const refused = next(carol, 'ended');
    await carol.call();
    expect((await refused).code).to.equal(486);
    expect(bob.state).to.equal('connected');
    expect(alice.state).to.equal('connected');
  });

  it('refuses an invalid callee with an error event, placing no call', async () => {
    const phone = await client(freshUser('cc'), 'not an address');
    const error = next(phone, 'error');
    await phone.call();
    expect((await error).message).to.equal('caller and callee must be user@domain');
    expect(phone.session).to.equal(undefined);
  });

  it('fires its events on the target it is given, and goes offline when stopped', async () => {
    const { url, domain } = await wspConfig();
    const user = freshUser('cc');
    const target = new EventTarget();
    const phone = new CallClient({ server: url, caller: `${user}@${domain}`, tokenProvider: () => devToken(user) }, target);
    let changes = 0;
    phone.onchange = () => changes++;
    phone.start();
    expect(await phone.connect()).to.not.equal(undefined);
    expect(changes).to.be.greaterThan(0);
    const error = new Promise<Event>((resolve) => target.addEventListener('error', resolve, { once: true }));
    await phone.call();
    expect(((await error) as ErrorEvent).message).to.equal('caller and callee must be user@domain');
    phone.stop();
    expect(phone.online).to.equal(false);
  });
});

describe('CallClient when its server closes the connection', () => {
  interface Closer {
    id: string;
    url: string;
  }
  const accepted = ({ id }: Closer) => executeServerCommand<number, { id: string }>('closer-count', { id });
  const close = ({ id }: Closer, code: number, reason: string) => executeServerCommand('closer-close', { id, code, reason });

  /** A client of a server that closes when told to, once online; and the errors it reports. */
  async function closing(): Promise<{ server: Closer; phone: CallClient; errors: string[] }> {
    const server = (await executeServerCommand<Closer, undefined>('closer-start'))!;
    // A token's shape, which the client checks before it sends one; these servers check nothing.
    const phone = new CallClient({ server: server.url, caller: 'cc@localhost', token: 'un.check.ed' });
    started.push(phone);
    const errors: string[] = [];
    phone.addEventListener('error', (event) => errors.push(`${event.code}: ${event.message}`));
    phone.start();
    expect(await phone.connect()).to.not.equal(undefined);
    return { server, phone, errors };
  }

  it('comes back after a drain (close 1012, retry-after) and reports no error', async () => {
    const { server, phone, errors } = await closing();
    await close(server, 1012, 'retry-after=50');
    await waitUntil(async () => (await accepted(server)) === 2 && phone.online, 'no reconnection after the drain');
    expect(errors).to.deep.equal([]);
  });

  it('reports a connection lost otherwise, and comes back after its backoff', async () => {
    const { server, phone, errors } = await closing();
    await close(server, 1011, 'internal error');
    await waitUntil(() => errors.length, 'no error for the lost connection');
    expect(errors).to.deep.equal(['connection-lost: Connection lost: internal error']);
    await waitUntil(async () => (await accepted(server)) === 2 && phone.online, 'no reconnection after the backoff');
  });
});
