// Structure and theming of <wsp-call>: every visible piece is a ::part, colours and sizes come from --wsp-* custom
// properties (light and dark), slots take the page's avatar, branding and controls, styles are constructable
// stylesheets only, and the layout holds from 320 px wide to full screen.
import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { WspCall } from '../../src/wsp-call.js';
import { emulation, freshUser, next, pair, phone, removeAll, video } from './helpers.js';
import { connected, emulate, part, ringing, shown } from './ui-helpers.js';

const parts = (el: WspCall) => [...el.shadowRoot!.querySelectorAll('[part]')].flatMap((node) => [...node.part]);

/** True when `inner`'s box lies within `outer`'s (1 px of rounding allowed). */
function within(inner: Element, outer: Element): boolean {
  const a = inner.getBoundingClientRect();
  const b = outer.getBoundingClientRect();
  return a.left >= b.left - 1 && a.top >= b.top - 1 && a.right <= b.right + 1 && a.bottom <= b.bottom + 1;
}

describe('<wsp-call> parts, theming and slots', () => {
  let sheet: HTMLStyleElement | undefined;
  afterEach(async () => {
    sheet?.remove();
    sheet = undefined;
    await emulate({ colorScheme: 'light' });
    if (emulation) await setViewport({ width: 800, height: 600 });
    await removeAll();
  });

  it('names every piece as a part, in each state', async () => {
    const [alice, bob] = await ringing();
    // The caller's self-view comes with the in-call chunk, and its camera.
    await shown(alice, 'local-video');
    expect(parts(bob)).to.include.members(['status', 'party', 'incoming', 'avatar', 'name', 'controls', 'button', 'accept-button', 'decline-button']);
    expect(parts(alice)).to.include.members(['status', 'party', 'avatar', 'name', 'button', 'hangup-button', 'local-video', 'remote-video']);
    const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await up;
    await shown(alice, 'timer');
    expect(parts(alice)).to.include.members([
      'remote-video',
      'local-video',
      'status',
      'timer',
      'controls',
      'mute-button',
      'camera-button',
      'fullscreen-button',
      'pip-button',
      'hangup-button',
    ]);
    const ended = next(alice, 'ended');
    await bob.hangup();
    await ended;
    await alice.updateComplete;
    expect(parts(alice)).to.include.members(['status', 'party', 'call-button']);
  });

  it('shows the caller’s name and address on the incoming screen', async () => {
    const [alice, bob] = await pair('ui');
    const rung = next(bob, 'ringing');
    // The invite's name comes from the caller's side: here, the address alone (no name given).
    await alice.call();
    await rung;
    const screen = await shown(bob, 'incoming');
    expect(part(bob, 'name')!.textContent).to.equal(alice.caller);
    expect(part(bob, 'avatar')!.textContent).to.equal(alice.caller[0]!.toUpperCase());
    expect(screen.checkVisibility()).to.equal(true);
  });

  it('lets the page style every part and set the theme through --wsp-* properties', async () => {
    sheet = document.createElement('style');
    sheet.textContent = `
      wsp-call { --wsp-accent: rgb(10, 20, 30); --wsp-radius: 16px; --wsp-font: monospace; --wsp-button-radius: 3px }
      wsp-call::part(status) { color: rgb(1, 2, 3) }
      wsp-call:state(online)::part(call-button) { outline: 4px dashed rgb(4, 5, 6) }`;
    document.head.append(sheet);
    const el = await phone(freshUser('ui'), freshUser('ui'));
    await el.updateComplete;
    const call = part(el, 'call-button')!;
    expect(getComputedStyle(call).backgroundColor).to.equal('rgb(10, 20, 30)');
    expect(getComputedStyle(call).borderRadius).to.equal('3px');
    expect(getComputedStyle(call).outlineStyle).to.equal('dashed');
    expect(getComputedStyle(el).borderRadius).to.equal('16px');
    expect(getComputedStyle(el).fontFamily).to.equal('monospace');
    expect(getComputedStyle(part(el, 'status')!).color).to.equal('rgb(1, 2, 3)');
  });

  it('follows the user’s light or dark preference, unless the page picks one', async function () {
    const el = await phone(freshUser('ui'));
    // Firefox: no way for a test to change the preference at run time (WebDriver BiDi has no such command).
    if (!(await emulate({ colorScheme: 'light' }))) this.skip();
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(232, 234, 237)');
    expect(getComputedStyle(el).color).to.equal('rgb(17, 17, 17)');
    await emulate({ colorScheme: 'dark' });
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(32, 33, 36)');
    expect(getComputedStyle(el).color).to.equal('rgb(255, 255, 255)');
    el.style.colorScheme = 'light';
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(232, 234, 237)');
    el.style.setProperty('--wsp-background', 'rgb(0, 0, 255)');
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(0, 0, 255)');
  });

  it('takes the page’s branding, the other party’s avatar and its own controls through slots', async () => {
    const [alice, bob] = await pair('ui');
    const logo = Object.assign(document.createElement('img'), { slot: 'branding', alt: 'Example Inc.' });
    alice.append(logo);
    await alice.updateComplete;
    const branding = alice.shadowRoot!.querySelector<HTMLSlotElement>('slot[name=branding]')!;
    expect(branding.assignedElements()).to.deep.equal([logo]);

    const avatar = Object.assign(document.createElement('img'), { slot: 'avatar', alt: '' });
    const leave = Object.assign(document.createElement('button'), { slot: 'controls', textContent: 'Leave' });
    leave.onclick = () => bob.hangup();
    bob.append(avatar, leave);
    const rung = next(bob, 'ringing');
    await alice.call();
    await rung;
    await shown(bob, 'incoming');
    expect(bob.shadowRoot!.querySelector<HTMLSlotElement>('slot[name=avatar]')!.assignedElements()).to.deep.equal([avatar]);
    expect(part(bob, 'avatar')!.checkVisibility()).to.equal(false);
    // The page's button stands in for the built-in ones, which are not rendered.
    expect(part(bob, 'accept-button')!.checkVisibility()).to.equal(false);
    const ended = next(alice, 'ended');
    leave.click();
    expect((await ended).code).to.equal(603);
  });

  it('uses constructable stylesheets only: no <style> element, no inline style', async () => {
    const [alice] = await connected();
    const root = alice.shadowRoot!;
    expect(root.querySelectorAll('style')).to.have.length(0);
    expect(root.querySelectorAll('[style]')).to.have.length(0);
    // The element's sheet, and the in-call chunk's.
    expect(root.adoptedStyleSheets).to.have.length(2);
  });

  it('fits 320 px: every button inside, the remote video filling, the self-view inset', async () => {
    await setViewport({ width: 320, height: 640 });
    const [alice] = await connected();
    alice.style.width = '320px';
    await alice.updateComplete;
    expect(alice.getBoundingClientRect().width).to.equal(320);
    // Every button shown (the menu's wait behind the "more" button) is inside, on one row.
    const visible = [...alice.shadowRoot!.querySelectorAll('button')].filter((button) => button.checkVisibility());
    for (const button of visible) expect(within(button, alice), button.part.value).to.equal(true);
    expect(new Set(visible.map((button) => button.getBoundingClientRect().top)).size).to.equal(1);
    const remote = video(alice, 'remote-video');
    const self = video(alice, 'local-video');
    expect(remote.getBoundingClientRect().toJSON()).to.deep.equal(alice.getBoundingClientRect().toJSON());
    expect(within(self, alice)).to.equal(true);
    expect(self.getBoundingClientRect().width).to.be.below(alice.getBoundingClientRect().width / 2);
    // Nothing overlaps: the self-view sits above the bar (however many rows its buttons take at this width), below the status line.
    const bar = part(alice, 'controls')!.getBoundingClientRect();
    expect(self.getBoundingClientRect().bottom).to.be.at.most(bar.top + 1);
    expect(self.getBoundingClientRect().top).to.be.at.least(part(alice, 'status')!.getBoundingClientRect().bottom - 1);
  });

  it('fills a large widget the same way', async () => {
    await setViewport({ width: 1600, height: 1000 });
    const [alice] = await connected();
    alice.style.width = '1400px';
    await alice.updateComplete;
    const remote = video(alice, 'remote-video');
    expect(remote.getBoundingClientRect().toJSON()).to.deep.equal(alice.getBoundingClientRect().toJSON());
    expect(within(video(alice, 'local-video'), alice)).to.equal(true);
  });
});
