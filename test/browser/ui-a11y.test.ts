// Accessibility of <wsp-call>: axe finds nothing in any state, the whole call works from the keyboard with a visible
// focus ring, the status line is a live region that follows the call, and motion stops when the user asks for less.
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { freshUser, next, phone, removeAll, waitUntil, webrtc, wspConfig } from './helpers.js';
import { connected, dialing, emulate, part, ringing, shown, status, tabTo } from './ui-helpers.js';

describe('<wsp-call> accessibility', () => {
  afterEach(async () => {
    await emulate({ reducedMotion: 'no-preference', colorScheme: 'light' });
    await removeAll();
  });

  it('is axe-clean when idle, offline and online, in light and dark', async () => {
    const el = document.createElement('wsp-call');
    document.body.append(el);
    await el.updateComplete;
    await expect(el).to.be.accessible();
    el.remove();
    const online = await phone(freshUser('ui'), freshUser('ui'));
    await expect(online).to.be.accessible();
    // Dark as a page (or a dark preference) makes it: the same light-dark() colours, in every browser.
    online.style.colorScheme = 'dark';
    await expect(online).to.be.accessible();
  });

  it('is axe-clean while dialing', async () => {
    const { el, close } = await dialing();
    expect(el.state).to.equal('dialing');
    await expect(el).to.be.accessible();
    close();
  });

  it('is axe-clean while a call rings, on both sides', async () => {
    const [alice, bob] = await ringing();
    await shown(alice, 'party');
    await expect(alice).to.be.accessible();
    await expect(bob).to.be.accessible();
  });

  it('is axe-clean in a call and after it ended', async () => {
    const [alice, bob] = await connected();
    await expect(alice).to.be.accessible();
    bob.style.colorScheme = 'dark';
    await expect(bob).to.be.accessible();
    const ended = next(bob, 'ended');
    await alice.hangup();
    await ended;
    await bob.updateComplete;
    expect(status(bob)).to.equal('Call ended');
    await expect(bob).to.be.accessible();
  });

  it('is axe-clean when showing an error', async () => {
    const { url, domain } = await wspConfig();
    const el = document.createElement('wsp-call');
    const error = next(el, 'error');
    Object.assign(el, { server: url, caller: `${freshUser('ui')}@${domain}`, token: 'not-a-token', callee: `x@${domain}` });
    document.body.append(el);
    await error;
    await el.updateComplete;
    expect(el.matches(':state(error)')).to.equal(true);
    // Without WebRTC the status line keeps saying that calls are not possible, the more lasting news.
    expect(status(el)).to.match(webrtc ? /^Error: .*refused/ : /^Calls are not possible/);
    await expect(el).to.be.accessible();
  });

  it('labels every button, and announces each state in its live region', async () => {
    const [alice, bob] = await connected();
    for (const button of alice.shadowRoot!.querySelectorAll('button')) expect(button.textContent!.trim(), button.part.value).not.to.equal('');
    const live = part(alice, 'status')!;
    expect(live.getAttribute('role')).to.equal('status');
    expect(status(alice)).to.equal(`In a call with ${bob.caller}`);
    expect(part(alice, 'mute-button')!.getAttribute('aria-pressed')).to.equal('false');
    // The timer is a timer, not a live region: it does not chatter every second.
    expect(part(alice, 'timer')!.getAttribute('role')).to.equal('timer');
    expect(live.contains(part(alice, 'timer'))).to.equal(false);
  });

  it('places, takes, mutes and ends a call from the keyboard alone, with a visible focus ring', async () => {
    const caller = freshUser('ui');
    const callee = freshUser('ui');
    const alice = await phone(caller, callee);
    const bob = await phone(callee, caller);
    (document.activeElement as HTMLElement | null)?.blur();

    const callButton = await tabTo(alice, 'call-button');
    expect(callButton.matches(':focus-visible')).to.equal(true);
    const ring = getComputedStyle(callButton);
    expect(ring.outlineStyle).to.equal('solid');
    expect(parseFloat(ring.outlineWidth)).to.be.at.least(2);
    const rung = next(bob, 'ringing');
    await sendKeys({ press: 'Enter' });
    await rung;
    // The focus went to the control that cancels the call.
    expect(alice.shadowRoot!.activeElement?.part.contains('hangup-button')).to.equal(true);
    // The incoming call does not take the focus from where it is on the page; accept is the widget's first control.

    await shown(bob, 'accept-button');
    await tabTo(bob, 'accept-button');
    const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await sendKeys({ press: 'Enter' });
    await up;

    await shown(bob, 'mute-button');
    // Taken, the call's focus is on hang-up; mute is two Shift+Tabs before it.
    await waitUntil(() => bob.shadowRoot!.activeElement?.part.contains('hangup-button'), 'the focus is not on hang-up');
    await tabTo(bob, 'mute-button', 4, true);
    const muted = next(bob, 'mutechange');
    // The space bar by its character: Firefox's WebDriver BiDi keyboard knows no key named "Space".
    await sendKeys({ press: ' ' });
    expect((await muted).on).to.equal(true);

    await tabTo(bob, 'hangup-button');
    const ended = Promise.all([next(alice, 'ended'), next(bob, 'ended')]);
    await sendKeys({ press: 'Enter' });
    expect((await ended).map((event) => event.code)).to.deep.equal([200, 200]);
  });

  it('moves the focus to hang-up once a call is taken, and back to call once it ended: never to <body>', async () => {
    const [alice, bob] = await ringing();
    await tabTo(bob, 'accept-button');
    const up = next(bob, 'connected');
    await sendKeys({ press: 'Enter' });
    await up;
    await shown(bob, 'mute-button');
    expect(bob.shadowRoot!.activeElement?.part.contains('hangup-button')).to.equal(true);
    const ended = next(bob, 'ended');
    await sendKeys({ press: 'Enter' });
    await ended;
    await bob.updateComplete;
    expect(bob.shadowRoot!.activeElement?.part.contains('call-button')).to.equal(true);
    expect(document.activeElement).to.equal(bob);
    await alice.hangup();
  });

  it('gives the focus to an enabled control when the focused one becomes disabled', async () => {
    const el = await phone(freshUser('ui'), freshUser('ui'));
    const call = await tabTo(el, 'call-button');
    // Without a callee the call button is disabled: the focus goes to the settings.
    el.callee = '';
    await el.updateComplete;
    expect(call.matches(':disabled')).to.equal(true);
    expect(el.shadowRoot!.activeElement?.part.contains('settings-button')).to.equal(true);
  });

  it('stops the ringing animation when the user prefers reduced motion', async function () {
    const [, bob] = await ringing();
    const accept = part(bob, 'accept-button')!;
    // The ring around the button pulses; the button itself holds still, so that a pointer can rest on it.
    expect(accept.getAnimations()).to.have.length(0);
    const ring = accept.getAnimations({ subtree: true });
    expect(ring.map((animation) => (animation.effect as KeyframeEffect).pseudoElement)).to.deep.equal(['::before']);
    // Firefox: no way for a test to change the preference at run time (WebDriver BiDi has no such command).
    if (!(await emulate({ reducedMotion: 'reduce' }))) this.skip();
    await waitUntil(() => accept.getAnimations({ subtree: true }).length === 0, 'the animation runs on');
  });
});
