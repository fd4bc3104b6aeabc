// The devices panel of <wsp-call>, with Chromium's fake camera and microphones: preview, level meter, pickers whose
// choice is remembered and, during a call, really switches the track the other side receives.
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { chosenConstraints, loadDeviceChoice, saveDeviceChoice } from '../../src/media/devices.js';
import type { WspCall } from '../../src/wsp-call.js';
import { freshUser, next, phone, removeAll, waitUntil } from './helpers.js';
import { connected, part, shown, tabTo } from './ui-helpers.js';

/** Opens the settings of `el` with a click and waits until the panel lists the devices. */
async function openPanel(el: WspCall): Promise<HTMLElement> {
  (await shown(el, 'settings-button')).click();
  const panel = await shown(el, 'devices');
  await waitUntil(() => panel.querySelectorAll('option').length > 0, 'no devices listed', { timeout: 10_000 });
  return panel;
}

function picker(el: WspCall, kind: 'videoinput' | 'audioinput' | 'audiooutput'): HTMLSelectElement {
  return part<HTMLSelectElement>(el, kind)!;
}

/** Picks `value` in `select` as a user would: the value changes, then `change` fires. */
function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change'));
}

beforeEach(() => saveDeviceChoice({}));
afterEach(removeAll);

describe('devices panel', () => {
  it('shows a preview, a moving microphone level and labelled pickers, and is accessible', async () => {
    const el = await phone(freshUser('ui'), 'someone');
    const panel = await openPanel(el);
    expect(panel.getAttribute('role')).to.equal('dialog');
    expect(panel.getAttribute('aria-modal')).to.equal('true');
    expect(el.shadowRoot!.getElementById(panel.getAttribute('aria-labelledby')!)!.textContent).to.equal('Settings');
    const preview = part<HTMLVideoElement>(el, 'preview')!;
    await waitUntil(() => preview.videoWidth > 0, 'no preview frames');
    // The fake microphone beeps: the meter moves.
    await waitUntil(() => part<HTMLMeterElement>(el, 'level')!.value > 0, 'the level meter stays at 0');
    for (const kind of ['videoinput', 'audioinput', 'audiooutput'] as const) {
      const select = picker(el, kind);
      expect(select.closest('label')!.textContent).to.contain({ videoinput: 'Camera', audioinput: 'Microphone', audiooutput: 'Speaker' }[kind]);
      expect(select.options.length, kind).to.be.greaterThan(0);
    }
    await expect(el).to.be.accessible();
    const tracks = (preview.srcObject as MediaStream).getTracks();
    part(el, 'close-button')!.click();
    await el.updateComplete;
    expect(part(el, 'devices')).to.equal(null);
    expect(tracks.map((track) => track.readyState)).to.deep.equal(['ended', 'ended']);
  });

  it('is keyboard operable', async () => {
    const el = await phone(freshUser('ui'), 'someone');
    await shown(el, 'settings-button');
    await tabTo(el, 'settings-button');
    await sendKeys({ press: 'Enter' });
    await shown(el, 'devices');
    // The panel takes the focus: its first picker.
    await waitUntil(() => el.shadowRoot!.activeElement?.part.contains('videoinput'), 'the focus stays outside the panel');
    // A modal dialog: what is behind it is inert, and Tab cycles within it (the close button first, at the top).
    expect((part(el, 'controls') as HTMLElement).inert).to.equal(true);
    const pickers = [...el.shadowRoot!.querySelectorAll('[part~=picker]')];
    await tabTo(el, pickers.at(-1)!.part[1]!);
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.part.contains('close-button')).to.equal(true);
    await tabTo(el, pickers.at(-1)!.part[1]!, 2, true);
    await tabTo(el, 'close-button');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(part(el, 'devices')).to.equal(null);
    expect(el.shadowRoot!.activeElement?.part.contains('settings-button')).to.equal(true);
    // Escape closes it too.
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.shadowRoot!.activeElement?.part.contains('videoinput'), 'the panel does not open again');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(part(el, 'devices')).to.equal(null);
  });

  it('remembers the choice for the next widget and its calls', async () => {
    const el = await phone(freshUser('ui'), 'someone');
    await openPanel(el);
    const microphones = [...picker(el, 'audioinput').options].map((option) => option.value);
    const last = microphones.at(-1)!;
    choose(picker(el, 'audioinput'), last);
    expect(loadDeviceChoice().audioinput).to.equal(last);
    el.remove();
    const again = await phone(freshUser('ui'), 'someone');
    await openPanel(again);
    await waitUntil(() => picker(again, 'audioinput').value === last, 'the choice is forgotten');
    await removeAll();
    // A call opens the microphone chosen.
    const [alice, bob] = await connected();
    for (const el of [alice, bob]) expect(el.session!.localStream!.getAudioTracks()[0]!.getSettings().deviceId, el.caller).to.equal(last);
  });

  it('asks for a remembered device exactly while it is present, and leaves a gone one to the browser', () => {
    const present = (...ids: string[]) => ({ audioinput: ids.map((deviceId) => ({ deviceId }) as MediaDeviceInfo), videoinput: [], audiooutput: [] });
    const choice = { audioinput: 'mic-2', videoinput: 'cam-9' };
    expect(chosenConstraints(choice, { video: true }, present('mic-1', 'mic-2'))).to.deep.equal({ audio: { deviceId: { exact: 'mic-2' } }, video: true });
    expect(chosenConstraints(choice, { video: false }, present('mic-1'))).to.deep.equal({ audio: true, video: false });
    // Ids hidden (no permission yet): the choice stays a preference.
    expect(chosenConstraints(choice, { video: true }, present(''))).to.deep.equal({
      audio: { deviceId: { ideal: 'mic-2' } },
      video: { deviceId: { ideal: 'cam-9' } },
    });
  });

  it('switches the camera and microphone of a live call without renegotiating', async () => {
    const [alice] = await connected();
    await openPanel(alice);
    const pc = alice.session!.pc;
    const sender = (kind: string) => pc.getSenders().find((candidate) => candidate.track?.kind === kind)!;
    const before = { audio: sender('audio').track!, video: sender('video').track! };
    const signaling = pc.signalingState;
    const microphones = [...picker(alice, 'audioinput').options].map((option) => option.value);
    const cameras = [...picker(alice, 'videoinput').options].map((option) => option.value);
    const microphone = microphones.find((id) => id !== before.audio.getSettings().deviceId) ?? microphones[0]!;
    const camera = cameras.find((id) => id !== before.video.getSettings().deviceId) ?? cameras[0]!;
    choose(picker(alice, 'audioinput'), microphone);
    await waitUntil(() => sender('audio').track !== before.audio, 'the microphone is not switched');
    choose(picker(alice, 'videoinput'), camera);
    await waitUntil(() => sender('video').track !== before.video, 'the camera is not switched');
    expect(sender('audio').track!.getSettings().deviceId).to.equal(microphone);
    expect(sender('video').track!.getSettings().deviceId).to.equal(camera);
    expect([before.audio.readyState, before.video.readyState]).to.deep.equal(['ended', 'ended']);
    expect(alice.session!.localStream!.getTracks()).to.include(sender('video').track);
    expect(pc.signalingState).to.equal(signaling);
    expect(loadDeviceChoice()).to.deep.equal({ audioinput: microphone, videoinput: camera });
    // Closing the panel during a call leaves the call's own camera and microphone alone.
    part(alice, 'close-button')!.click();
    await alice.updateComplete;
    expect(sender('video').track!.readyState).to.equal('live');
  });

  it('plays the other party on the speaker picked, during the call and in the next one', async () => {
    const [alice] = await connected();
    await openPanel(alice);
    const speakers = [...picker(alice, 'audiooutput').options].map((option) => option.value);
    const speaker = speakers.at(-1)!;
    const remote = part<HTMLVideoElement>(alice, 'remote-video')!;
    choose(picker(alice, 'audiooutput'), speaker);
    await waitUntil(() => remote.sinkId === speaker, `the speaker is ${remote.sinkId}, not ${speaker}`);
    expect(loadDeviceChoice().audiooutput).to.equal(speaker);
    await removeAll();
    const [again] = await connected();
    await waitUntil(() => part<HTMLVideoElement>(again, 'remote-video')!.sinkId === speaker, 'the next call forgets the speaker');
  });

  it('says so when the camera and microphone are refused, and fires error', async () => {
    const el = await phone(freshUser('ui'), 'someone');
    // Chromium's fake UI always grants: the refusal is what getUserMedia gives when the user says no.
    const original = navigator.mediaDevices.getUserMedia;
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    try {
      const error = next(el, 'error');
      (await shown(el, 'settings-button')).click();
      expect((await error).message).to.equal('Permission denied');
      const alert = await waitUntil(() => el.shadowRoot!.querySelector('[role=alert]'), 'no message in the panel').then(
        () => el.shadowRoot!.querySelector('[role=alert]')!,
      );
      expect(alert.textContent).to.equal('Camera or microphone unavailable: Permission denied');
      expect(part(el, 'preview')).to.equal(null);
      await expect(el).to.be.accessible();
      // The call can still be placed.
      expect(part<HTMLButtonElement>(el, 'call-button')!.disabled).to.equal(false);
    } finally {
      navigator.mediaDevices.getUserMedia = original;
    }
  });
});
