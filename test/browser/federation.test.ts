// <wsp-call> across two real server processes (web-test-runner.config.mjs starts them): alice@alpha calls bob@beta,
// each widget connected only to its own server; every frame and every end code crosses the alpha–beta link.
import { expect } from '@open-wc/testing';
import type { WspCall } from '../../src/wsp-call.js';
import { freshUser, handedOver, next, phoneAt, record, remoteVideoPlays, removeAll, states, wspConfig } from './helpers.js';

/** A widget on alpha and one on beta that call each other (`fe` users exist on both servers). */
async function crossPair(attributes?: Record<string, string>): Promise<[WspCall, WspCall]> {
  const { alpha, beta } = await wspConfig();
  const a = freshUser('fe');
  const b = freshUser('fe');
  return Promise.all([phoneAt(alpha, a, `${b}@${beta.domain}`, attributes), phoneAt(beta, b, `${a}@${alpha.domain}`)]);
}

async function ring(caller: WspCall, callee: WspCall): Promise<void> {
  const ringing = Promise.all([next(caller, 'ringing'), next(callee, 'ringing')]);
  await caller.call();
  await ringing;
}

async function connectedCrossPair(): Promise<[WspCall, WspCall]> {
  const [alice, bob] = await crossPair();
  await ring(alice, bob);
  const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
  await bob.accept();
  await connected;
  await handedOver(alice, bob);
  return [alice, bob];
}

describe('<wsp-call> across two domains', () => {
  afterEach(removeAll);

  it('alice@alpha calls bob@beta: ringing, connected with video both ways, handover, caller hangs up → 200', async () => {
    const { alpha, beta } = await wspConfig();
    const [alice, bob] = await crossPair();
    expect(alice.server).to.equal(alpha.url);
    expect(bob.server).to.equal(beta.url);
    expect(alpha.url).to.not.equal(beta.url);
    const aliceEvents = record(alice);
    const bobEvents = record(bob);

    const ringing = Promise.all([next(alice, 'ringing'), next(bob, 'ringing')]);
    await alice.call();
    const [outgoing, incoming] = await ringing;
    expect(outgoing.callee.uri).to.equal(bob.caller);
    expect(incoming.incoming).to.equal(true);
    expect(incoming.caller.uri).to.equal(alice.caller);
    expect(alice.caller.endsWith(`@${alpha.domain}`)).to.equal(true);
    expect(bob.caller.endsWith(`@${beta.domain}`)).to.equal(true);

    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await connected;
    await Promise.all([remoteVideoPlays(alice), remoteVideoPlays(bob)]);
    await handedOver(alice, bob);
    expect(alice.signalingChannel).to.equal('datachannel');
    expect(bob.signalingChannel).to.equal('datachannel');
    expect(states(aliceEvents)).to.deep.equal(['dialing', 'ringing', 'connecting', 'connected']);
    expect(states(bobEvents)).to.deep.equal(['incoming', 'connecting', 'connected']);

    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await alice.hangup();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([200, 200]);
    expect(a.duration).to.be.greaterThan(0);
    expect([...aliceEvents, ...bobEvents].filter(({ type }) => type === 'error')).to.have.length(0);
  });

  it('bob@beta hangs up: ended 200 on both sides', async () => {
    const [alice, bob] = await connectedCrossPair();
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await bob.hangup();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([200, 200]);
  });

  it('declines across the link: 603 on both sides', async () => {
    const [alice, bob] = await crossPair();
    await ring(alice, bob);
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await bob.decline();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([603, 603]);
  });

  it('cancels across the link while it rings: 487 on both sides', async () => {
    const [alice, bob] = await crossPair();
    await ring(alice, bob);
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await alice.hangup();
    const [a, b] = await ended;
    expect([a.code, b.code]).to.deep.equal([487, 487]);
  });

  it('ends with 404 for a callee beta does not know', async () => {
    const { alpha, beta } = await wspConfig();
    const alice = await phoneAt(alpha, freshUser('fe'), `nobody@${beta.domain}`);
    const ended = next(alice, 'ended');
    await alice.call();
    expect((await ended).code).to.equal(404);
  });

  it('ends with 480 for a callee of beta with no device online', async () => {
    const { alpha, beta } = await wspConfig();
    const alice = await phoneAt(alpha, freshUser('fe'), `${freshUser('fe')}@${beta.domain}`);
    const ended = next(alice, 'ended');
    await alice.call();
    expect((await ended).code).to.equal(480);
  });

  it('gives up after ring-timeout with 408 on both sides', async () => {
    const [alice, bob] = await crossPair({ 'ring-timeout': '1000' });
    await ring(alice, bob);
    const [a, b] = await Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    expect([a.code, b.code]).to.deep.equal([408, 408]);
  });
});
