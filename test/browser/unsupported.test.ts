// Feature detection: what a browser lacks is hidden, not broken. Each test takes an API away (as a browser without it
// would be: WebKitGTK has no RTCPeerConnection, an http: page no navigator.mediaDevices) and puts it back after. In
// WebKitGTK itself (WSP_BROWSERS=webkit) there is nothing to take away: the first tests show what its users see.
import { expect, waitUntil } from '@open-wc/testing';
import { ByeCode } from '../../src/protocol/index.js';
import type { WspCall } from '../../src/wsp-call.js';
import { freshUser, handedOver, next, pair, phone, record, removeAll, webrtc, wspConfig, wspSocket } from './helpers.js';
import { connected, part, shown, status } from './ui-helpers.js';

/** Takes `name` away from `target` (from the object of its prototype chain that holds it); returns what puts it back. */
function without(target: object, name: string): () => void {
  let owner: object | null = target;
  while (owner && !Object.hasOwn(owner, name)) owner = Object.getPrototypeOf(owner);
  if (!owner) return () => {};
  const holder = owner;
  const descriptor = Object.getOwnPropertyDescriptor(holder, name)!;
  delete (holder as Record<string, unknown>)[name];
  return () => Object.defineProperty(holder, name, descriptor);
}

/** What each test took away, put back after it. */
const restore: (() => void)[] = [];
const take = (target: object, name: string) => void restore.push(without(target, name));

/** Tries to place a call (a helper: a test that calls call() itself is skipped where there is no WebRTC, see helpers.ts). */
const attempt = (el: WspCall) => el.call();

/** Asserts what a user of a browser that cannot call sees. */
async function unsupported(el: WspCall, text = 'Calls are not possible in this browser'): Promise<void> {
  await el.updateComplete;
  expect(el.matches(':state(unsupported)')).to.equal(true);
  expect(status(el)).to.equal(text);
  expect(part<HTMLButtonElement>(el, 'call-button')!.disabled).to.equal(true);
  expect(part(el, 'settings-button')).to.equal(null);
}

describe('<wsp-call> in a browser that cannot call', () => {
  afterEach(async () => {
    await removeAll();
    for (const put of restore.splice(0).reverse()) put();
  });

  it('without RTCPeerConnection: says so, disables the call button, and call() fires error unsupported', async () => {
    take(window, 'RTCPeerConnection');
    expect('RTCPeerConnection' in window).to.equal(false);
    const el = await phone(freshUser('ui'), 'someone');
    await unsupported(el);
    await expect(el).to.be.accessible();
    const events = record(el);
    const error = next(el, 'error');
    // Resolves: no ReferenceError, no call.
    await attempt(el);
    const event = await error;
    expect(event.code).to.equal('unsupported');
    expect(event.message).to.equal('Calls are not possible in this browser');
    expect(events.map(({ type }) => type)).to.deep.equal(['error']);
    expect(el.state).to.equal('idle');
    await unsupported(el);
  });

  it('without navigator.mediaDevices (an http: page): the same', async () => {
    take(navigator, 'mediaDevices');
    expect(navigator.mediaDevices).to.equal(undefined);
    const el = await phone(freshUser('ui'), 'someone');
    await unsupported(el);
    const error = next(el, 'error');
    await attempt(el);
    expect((await error).code).to.equal('unsupported');
  });

  it('says it in the widget’s language', async () => {
    take(window, 'RTCPeerConnection');
    const el = await phone(freshUser('ui'), 'someone', { lang: 'de' });
    await waitUntil(() => status(el) === 'Anrufe sind in diesem Browser nicht möglich', `status: ${status(el)}`);
    await unsupported(el, 'Anrufe sind in diesem Browser nicht möglich');
  });

  it('becomes a phone again once the API is back', async function () {
    if (!webrtc) this.skip();
    const put = without(window, 'RTCPeerConnection');
    const el = await phone(freshUser('ui'), 'someone');
    await unsupported(el);
    put();
    el.requestUpdate();
    await el.updateComplete;
    expect(el.matches(':state(unsupported)')).to.equal(false);
    expect(status(el)).to.equal('Ready');
    expect(part<HTMLButtonElement>(el, 'call-button')!.disabled).to.equal(false);
  });

  it('refuses an invite with bye 606: a caller elsewhere (a bare WSP client here) hears it at once', async () => {
    take(window, 'RTCPeerConnection');
    const callee = await phone(freshUser('ui'));
    const caller = freshUser('ui');
    const { domain } = await wspConfig();
    const socket = await wspSocket(caller);
    const refused = next(callee, 'error');
    const answer = new Promise((resolve) => (socket.onmessage = ({ data }) => resolve(JSON.parse(data as string))));
    socket.send(JSON.stringify(['invite', { caller: { uri: `${caller}@${domain}` }, callee: { uri: callee.caller } }, { call: 'refused-1' }]));
    expect(await answer).to.deep.equal(['bye', { code: 606 }, { call: 'refused-1' }]);
    expect((await refused).code).to.equal('unsupported');
    expect(callee.state).to.equal('idle');
    socket.close();
  });

  it('refuses an incoming call with bye 606 instead of ringing; the caller hears 606', async () => {
    const [alice, bob] = await pair('ui');
    const bobEvents = record(bob);
    const refused = next(bob, 'error');
    const ended = next(alice, 'ended');
    await alice.call();
    // Alice's call is placed (its peer connection made); the invite reaches Bob only in a later task, in a browser
    // without WebRTC.
    const put = without(window, 'RTCPeerConnection');
    try {
      expect((await refused).code).to.equal('unsupported');
    } finally {
      put();
    }
    const { code } = await ended;
    expect(code).to.equal(ByeCode.UNSUPPORTED);
    expect(code).to.equal(606);
    // Alice's browser (the same page) can call again: she sees why the call ended.
    alice.requestUpdate();
    await alice.updateComplete;
    expect(status(alice)).to.equal("Callee's browser cannot take calls");
    expect(bobEvents.map(({ type }) => type)).to.deep.equal(['error']);
    expect(bob.state).to.equal('idle');
  });
});

describe('<wsp-call> hides what the browser lacks', () => {
  afterEach(async () => {
    await removeAll();
    for (const put of restore.splice(0).reverse()) put();
  });

  it('no speaker picker without setSinkId', async function () {
    // The settings, where the picker is, are hidden where no call is possible.
    if (!webrtc) this.skip();
    take(HTMLMediaElement.prototype, 'setSinkId');
    const el = await phone(freshUser('ui'), 'someone');
    (await shown(el, 'settings-button')).click();
    const panel = await shown(el, 'devices');
    await waitUntil(() => panel.querySelectorAll('option').length > 0, 'no devices listed', { timeout: 10_000 });
    expect(part(el, 'audioinput')).to.exist;
    expect(part(el, 'audiooutput')).to.equal(null);
  });

  it('no picture-in-picture button without document.pictureInPictureEnabled, no screen button without getDisplayMedia', async () => {
    take(document, 'pictureInPictureEnabled');
    take(MediaDevices.prototype, 'getDisplayMedia');
    const [alice, bob] = await connected();
    await handedOver(alice, bob);
    alice.requestUpdate();
    await alice.updateComplete;
    expect(part(alice, 'fullscreen-button')).to.exist;
    expect(part(alice, 'pip-button')).to.equal(null);
    expect(part(alice, 'screen-button')).to.equal(null);
  });
});
