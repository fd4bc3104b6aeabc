// The call screen as people use it: the idle and ended screens say whom you call and how the last call went, the
// in-call bar keeps one row (its secondary buttons in a menu when narrow), the controls fade out of the video's way and
// come back, the self-view is a tile the user can move, and the widget holds up under forced colours and at 320 px.
import { expect } from '@open-wc/testing';
import { executeServerCommand, resetMouse, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import { LitElement } from 'lit';
import { ControlsFade, type FadeTimers } from '../../src/element/controls-fade.js';
import type { WspCall } from '../../src/wsp-call.js';
import { emulation, freshUser, handedOver, next, phone, removeAll, waitUntil } from './helpers.js';
import { click, connected, part, shown, status } from './ui-helpers.js';

/** The centre of `el`'s box, in whole pixels. */
const centre = (el: Element): [number, number] => {
  const { x, y, width, height } = el.getBoundingClientRect();
  return [Math.round(x + width / 2), Math.round(y + height / 2)];
};

/** Every `el`'s box inside `outer`'s, to the pixel. */
const inside = (el: Element, outer: Element): boolean => {
  const a = el.getBoundingClientRect();
  const b = outer.getBoundingClientRect();
  return a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
};

afterEach(async () => {
  await resetMouse();
  if (emulation) await setViewport({ width: 800, height: 600 });
  await removeAll();
});

describe('the idle and ended screens', () => {
  it('say whom the widget calls and whether it is online, and name the widget after them', async function () {
    const el = await phone(freshUser('ui'), freshUser('ui'), { 'callee-name': 'Bob Example' });
    await el.updateComplete;
    expect(part(el, 'name')!.textContent).to.equal('Bob Example');
    expect(part(el, 'address')!.textContent).to.equal(el.callee);
    expect(part(el, 'avatar')!.textContent).to.equal('B');
    expect(status(el)).to.equal('Ready');
    expect(part(el, 'call-button')!.textContent).to.contain('Call Bob Example');
    // Two widgets on a page are told apart by their names (the ElementInternals' label, read from the accessibility
    // tree: Chromium's, the one a test can read).
    const other = await phone(freshUser('ui'), freshUser('ui'));
    await other.updateComplete;
    type Node = { role: string; name?: string; children?: Node[] };
    const groups = (node: Node): string[] => [...(node.role === 'group' && node.name ? [node.name] : []), ...(node.children ?? []).flatMap(groups)];
    const tree = (await executeServerCommand('accessibility-tree')) as Node | false;
    if (!tree) this.skip();
    expect(groups(tree!)).to.include.members(['Video call with Bob Example', `Video call with ${other.callee}`]);
  });

  it('clips a large slotted avatar to its circle, and keeps the name in view', async () => {
    const el = await phone(freshUser('ui'), freshUser('ui'));
    const avatar = document.createElement('canvas');
    avatar.width = avatar.height = 800;
    avatar.slot = 'avatar';
    el.append(avatar);
    await el.updateComplete;
    const frame = el.shadowRoot!.querySelector('.avatar')!;
    const box = frame.getBoundingClientRect();
    expect(box.width).to.equal(64);
    expect(box.height).to.equal(64);
    expect(getComputedStyle(frame).overflow).to.equal('hidden');
    expect(getComputedStyle(frame).borderRadius).to.equal('50%');
    expect(avatar.getBoundingClientRect().width).to.equal(64);
    const name = part(el, 'name')!;
    expect(inside(name, el)).to.equal(true);
    expect(name.getBoundingClientRect().top).to.be.at.least(box.bottom);
    expect(el.shadowRoot!.elementFromPoint(...centre(name))).to.equal(name);
  });

  it('shows how the call ended and how long it lasted, and calls again from there', async () => {
    const [alice, bob] = await connected();
    await waitUntil(() => alice.session!.connectedAt && performance.now() - alice.session!.connectedAt > 1000, 'the call lasts no second');
    const ended = next(alice, 'ended');
    await bob.hangup();
    await ended;
    await alice.updateComplete;
    expect(status(alice)).to.equal('Call ended');
    expect(part(alice, 'duration')!.textContent).to.match(/^Call lasted 0:0[1-9]$/);
    expect(part(alice, 'name')!.textContent).to.equal(bob.caller);
    const again = part(alice, 'call-button')!;
    expect(again.textContent!.trim()).to.equal('Call again');
    const rung = next(bob, 'ringing');
    await click(alice, 'call-button');
    await rung;
  });
});

describe('the in-call screen', () => {
  it('names the videos: the other party’s after them, the self-view as this side’s camera', async () => {
    const [alice, bob] = await connected();
    expect(part(alice, 'remote-video')!.getAttribute('aria-label')).to.equal(`Video of ${bob.caller}`);
    expect(part(alice, 'local-video')!.getAttribute('aria-label')).to.equal('Your camera');
  });

  it('offers no screen sharing in an audio-only call, even after the handover', async () => {
    const [alice, bob] = await connected({ 'audio-only': '' });
    await handedOver(alice, bob);
    await alice.updateComplete;
    await shown(alice, 'more-button');
    expect(part(alice, 'screen-button')).to.equal(null);
    expect(part(alice, 'self-view')).to.equal(null);
  });

  it('opens the narrow widget’s menu from the keyboard, and Escape closes it and returns the focus', async () => {
    await setViewport({ width: 320, height: 640 });
    const [alice, bob] = await connected();
    alice.style.width = '320px';
    await handedOver(alice, bob);
    const more = await shown(alice, 'more-button');
    expect(more.getAttribute('aria-expanded')).to.equal('false');
    more.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => more.getAttribute('aria-expanded') === 'true', 'the menu does not open');
    await waitUntil(() => alice.shadowRoot!.activeElement?.closest('[part=menu]'), 'the focus is not in the menu');
    await expect(alice).to.be.accessible();
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => more.getAttribute('aria-expanded') === 'false', 'Escape leaves the menu open');
    await waitUntil(() => alice.shadowRoot!.activeElement === more, 'the focus is not back on the more button');
    expect(part(alice, 'settings-button')!.checkVisibility()).to.equal(false);
  });

  it('moves the self-view to the corner it is dragged to, and to the next corner on a tap', async () => {
    const [alice] = await connected();
    const tile = await shown(alice, 'self-view');
    expect(tile.dataset.corner).to.equal('bottom-end');
    const box = alice.getBoundingClientRect();
    await sendMouse({ type: 'move', position: centre(tile) });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [Math.round(box.left + 30), Math.round(box.top + 60)] });
    await sendMouse({ type: 'up' });
    await waitUntil(() => tile.dataset.corner === 'top-start', `the tile went to ${tile.dataset.corner}`);
    await alice.updateComplete;
    // Settled in the corner, clear of the status line, and no inline style left behind.
    expect(tile.getBoundingClientRect().top).to.be.at.least(part(alice, 'status')!.getBoundingClientRect().bottom);
    expect(tile.getBoundingClientRect().left - box.left).to.be.below(box.width / 4);
    expect(tile.style.length).to.equal(0);
    await click(alice, 'self-view');
    await waitUntil(() => tile.dataset.corner === 'top-end', `a tap sent the tile to ${tile.dataset.corner}`);
  });

  it('shows this side’s initial in the self-view while the camera is stopped', async () => {
    const [alice] = await connected();
    alice.toggleCamera(true);
    await alice.updateComplete;
    const tile = part(alice, 'self-view')!;
    expect(tile.checkVisibility()).to.equal(true);
    expect(part(alice, 'local-video')!.checkVisibility()).to.equal(false);
    expect(tile.querySelector('.avatar')!.textContent).to.equal(alice.caller[0]!.toUpperCase());
    await expect(alice).to.be.accessible();
  });

  it('fades the controls after a while without activity, and brings them back on a pointer move', async () => {
    const [alice] = await connected();
    (document.activeElement as HTMLElement | null)?.blur();
    await sendMouse({ type: 'move', position: [0, 0] });
    await waitUntil(() => alice.matches(':state(controls-hidden)'), 'the controls never fade', { timeout: 15_000 });
    await waitUntil(() => getComputedStyle(part(alice, 'controls')!).opacity === '0', 'the controls stay visible');
    await sendMouse({ type: 'move', position: centre(alice) });
    await waitUntil(() => !alice.matches(':state(controls-hidden)'), 'a pointer move does not bring them back');
  });

  it('draws quality as bars, so that good, fair and poor differ by shape and not by colour alone', async () => {
    const [alice] = await connected();
    await waitUntil(() => alice.client!.media?.quality, 'no quality rated');
    const lit = () => [...part(alice, 'quality')!.querySelectorAll('rect')].filter((bar) => !bar.classList.contains('off')).length;
    const expected = { good: 3, fair: 2, poor: 1 } as const;
    for (const quality of ['poor', 'fair', 'good'] as const) {
      alice.client!.media!.quality = quality;
      alice.requestUpdate();
      await alice.updateComplete;
      expect(lit(), quality).to.equal(expected[quality]);
      expect(part(alice, 'quality')!.getAttribute('aria-label')).to.equal(`Connection: ${quality}`);
    }
  });
});

describe('the controls fade (its own clock)', () => {
  /** Timers that run when the test says so. */
  function manualTimers(): FadeTimers & { run(): void } {
    let queue: (() => void)[] = [];
    return {
      setTimeout: ((callback: () => void) => queue.push(callback)) as unknown as typeof setTimeout,
      clearTimeout: (() => (queue = [])) as typeof clearTimeout,
      run() {
        const due = queue;
        queue = [];
        for (const callback of due) callback();
      },
    };
  }

  class Host extends LitElement {
    readonly internals = this.attachInternals();
    override render() {
      return document.createElement('button');
    }
  }
  customElements.define('fade-host', Host);

  it('never hides while the focus is inside, and hides once it left', async () => {
    const host = document.body.appendChild(new Host());
    const timers = manualTimers();
    new ControlsFade(host, host.internals.states, () => true, timers);
    host.requestUpdate();
    await host.updateComplete;
    const button = host.renderRoot.querySelector('button')!;
    button.focus();
    timers.run();
    timers.run();
    expect(host.matches(':state(controls-hidden)')).to.equal(false);
    button.blur();
    timers.run();
    expect(host.matches(':state(controls-hidden)')).to.equal(true);
    host.dispatchEvent(new KeyboardEvent('keydown'));
    expect(host.matches(':state(controls-hidden)')).to.equal(false);
    host.remove();
  });
});

describe('forced colours and narrow widgets', () => {
  afterEach(() => executeServerCommand('forced-colors', { active: false }));

  it('keeps the widget’s edge, the buttons, pressed switches and the quality visible under forced colours', async function () {
    const [alice] = await connected();
    // Firefox and WebKit: no way for a test to force colours at run time.
    if (!(await executeServerCommand('forced-colors', { active: true }))) this.skip();
    await waitUntil(() => matchMedia('(forced-colors: active)').matches, 'forced colours are not on');
    expect(getComputedStyle(alice).borderTopStyle).to.equal('solid');
    for (const button of alice.shadowRoot!.querySelectorAll('button')) {
      if (button.checkVisibility()) expect(getComputedStyle(button).borderTopStyle, button.part.value).to.equal('solid');
    }
    alice.toggleMute(true);
    await alice.updateComplete;
    const pressed = getComputedStyle(part(alice, 'mute-button')!).backgroundColor;
    const unpressed = getComputedStyle(part(alice, 'camera-button')!).backgroundColor;
    expect(pressed).to.not.equal(unpressed);
    const quality = await shown(alice, 'quality');
    expect(quality.getBoundingClientRect().width).to.be.above(0);
    expect(getComputedStyle(quality.querySelector('rect')!).fill).to.not.equal('none');
  });

  it('keeps the settings’ close button in view at 320 px', async () => {
    await setViewport({ width: 320, height: 640 });
    const el = await phone(freshUser('ui'), freshUser('ui'));
    el.style.width = '320px';
    await click(el, 'settings-button');
    const close = await shown(el, 'close-button');
    await waitUntil(() => part(el, 'picker'), 'the panel lists no devices');
    expect(inside(close, el)).to.equal(true);
    expect(el.shadowRoot!.elementFromPoint(...centre(close))?.closest('button')).to.equal(close);
  });

  it('keeps the caller’s name clear of the self-view on a 320 px incoming screen with preview', async () => {
    await setViewport({ width: 320, height: 640 });
    const [, bob] = await ringingWithPreview({ width: '320px' });
    // The preview fills the widget behind the name, under a scrim.
    const tile = await shown(bob, 'self-view');
    await waitUntil(() => part<HTMLVideoElement>(bob, 'local-video')!.videoWidth > 0, 'no preview');
    const name = part(bob, 'name')!;
    expect(inside(name, bob)).to.equal(true);
    expect(bob.shadowRoot!.elementFromPoint(...centre(name))).to.equal(name);
    expect(tile.getBoundingClientRect().toJSON()).to.deep.equal(bob.getBoundingClientRect().toJSON());
  });
});

/** The widget whose incoming screen has a self-view preview: a callee with `preview`. */
async function ringingWithPreview(style: Partial<CSSStyleDeclaration> = {}): Promise<[WspCall, WspCall]> {
  const caller = freshUser('ui');
  const callee = freshUser('ui');
  const bob = await phone(callee, caller, { preview: '' });
  Object.assign(bob.style, style);
  const alice = await phone(caller, callee);
  const rung = next(bob, 'ringing');
  await alice.call();
  await rung;
  return [alice, bob];
}
