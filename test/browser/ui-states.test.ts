// Custom states of <wsp-call> (ElementInternals.states): exactly one call state at a time, in step with the call,
// plus online/offline, muted, camera-off, error and rtl, so that a page styles every state in pure CSS.
import { expect } from '@open-wc/testing';
import type { WspCall } from '../../src/wsp-call.js';
import { devToken, freshUser, next, pair, removeAll, waitUntil, wspConfig } from './helpers.js';
import { dialing } from './ui-helpers.js';

const callStates = ['idle', 'dialing', 'ringing', 'incoming', 'connecting', 'connected', 'ended'];

/** The call states `el` matches with :state(), checked at each of its statechange events. */
function follow(el: WspCall): string[][] {
  const seen: string[][] = [];
  // Custom states are set as the element renders the new state, right after statechange.
  el.addEventListener('statechange', () => void el.updateComplete.then(() => seen.push(callStates.filter((state) => el.matches(`:state(${state})`)))));
  return seen;
}

describe('<wsp-call> custom states', () => {
  afterEach(removeAll);

  it('starts idle and offline, then online', async () => {
    const { url, domain } = await wspConfig();
    const el = document.createElement('wsp-call');
    document.body.append(el);
    await el.updateComplete;
    expect(el.matches(':state(idle)')).to.equal(true);
    expect(el.matches(':state(offline)')).to.equal(true);
    expect(el.matches(':state(online)')).to.equal(false);
    const user = freshUser('ui');
    el.server = url;
    el.caller = `${user}@${domain}`;
    el.tokenProvider = () => devToken(user);
    expect(await el.connect()).to.equal(true);
    await el.updateComplete;
    expect(el.matches(':state(online)')).to.equal(true);
    expect(el.matches(':state(offline)')).to.equal(false);
  });

  it('holds exactly one call state, in step with the call, on both sides', async () => {
    const [alice, bob] = await pair('ui');
    const aliceSeen = follow(alice);
    const bobSeen = follow(bob);
    const rung = next(bob, 'ringing');
    await alice.call();
    await rung;
    const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await up;
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await alice.hangup();
    await ended;
    await Promise.all([alice.updateComplete, bob.updateComplete]);
    expect(aliceSeen).to.deep.equal([['dialing'], ['ringing'], ['connecting'], ['connected'], ['ended']]);
    expect(bobSeen).to.deep.equal([['incoming'], ['connecting'], ['connected'], ['ended']]);
  });

  it('stays in dialing until a device of the callee rings', async () => {
    // The invite has reached the callee's device, which has not answered: still dialing, not ringing.
    const { el, close } = await dialing();
    await el.updateComplete;
    expect(el.matches(':state(dialing)')).to.equal(true);
    close();
  });

  it('says muted and camera-off, and lets the page style them', async () => {
    const [alice] = await pair('ui');
    const style = document.createElement('style');
    style.textContent = 'wsp-call:state(muted) { outline: 2px solid rgb(200, 0, 0) }';
    document.head.append(style);
    alice.muted = true;
    await alice.updateComplete;
    expect(alice.matches(':state(muted)')).to.equal(true);
    expect(getComputedStyle(alice).outlineColor).to.equal('rgb(200, 0, 0)');
    alice.toggleCamera();
    await alice.updateComplete;
    expect(alice.matches(':state(camera-off)')).to.equal(true);
    alice.muted = alice.cameraOff = false;
    await alice.updateComplete;
    expect(alice.matches(':state(muted), :state(camera-off)')).to.equal(false);
    style.remove();
  });

  it('says error while the status line shows one, until the call moves on', async () => {
    const [alice, bob] = await pair('ui');
    // An error that is not the end of anything: calling without a callee.
    const callee = alice.callee;
    alice.callee = '';
    const error = next(alice, 'error');
    await alice.call();
    await error;
    await alice.updateComplete;
    expect(alice.matches(':state(error)')).to.equal(true);
    alice.callee = callee;
    const rung = Promise.all([next(alice, 'ringing'), next(bob, 'ringing')]);
    await alice.call();
    await rung;
    await alice.updateComplete;
    expect(alice.matches(':state(error)')).to.equal(false);
    expect(alice.matches(':state(ringing)')).to.equal(true);
    await alice.hangup();
  });

  it('clears an error once the server connection is back', async () => {
    const { url, domain } = await wspConfig();
    const user = freshUser('ui');
    const el = document.createElement('wsp-call');
    let tokens = 0;
    // The first token is refused; the next ones are good.
    el.tokenProvider = async () => (tokens++ ? devToken(user) : 'bad');
    const error = next(el, 'error');
    Object.assign(el, { server: url, caller: `${user}@${domain}` });
    document.body.append(el);
    await error;
    await el.updateComplete;
    expect(el.matches(':state(error)')).to.equal(true);
    await waitUntil(() => el.online, 'never online', { timeout: 10_000 });
    await el.updateComplete;
    expect(el.matches(':state(error)')).to.equal(false);
  });

  it('says rtl for a right-to-left language', async () => {
    const [alice] = await pair('ui');
    expect(alice.matches(':state(rtl)')).to.equal(false);
    alice.lang = 'ar';
    await waitUntil(() => alice.matches(':state(rtl)'), 'no rtl state');
    alice.lang = 'de';
    await waitUntil(() => !alice.matches(':state(rtl)'), 'still rtl');
  });
});
