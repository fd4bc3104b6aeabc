// The call's media experience in real calls between two widgets: tones while a call rings, the connection's quality,
// the reconnecting state, and screen sharing renegotiated over the DataChannel.
import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import { QualityChangeEvent, type Playing } from '../../src/call/call-media.js';
import { loudness } from '../../src/media/level.js';
import type { WspCall } from '../../src/wsp-call.js';
import { handedOver, next, pair, removeAll, video, waitUntil } from './helpers.js';
import { click, connected, part, ringing, shown, status } from './ui-helpers.js';

/** The tone `el` plays now, if any. */
const tone = (el: WspCall): Playing | undefined => el.client!.media?.tone;

/** Shares the video of `stream` as `el`'s screen (`force` true), or stops sharing; resolves with whether it is shared. */
const shareScreen = (el: WspCall, force: boolean, stream?: MediaStream): Promise<boolean> => el.client!.media!.share(force, stream);

/** Waits until the tone `el` plays is really heard: its analyser measures sound. */
async function audible(el: WspCall): Promise<void> {
  const samples = new Float32Array(2048);
  await waitUntil(() => {
    const playing = tone(el);
    playing?.analyser.getFloatTimeDomainData(samples);
    return playing && loudness(samples) > 0.3;
  }, `${el.caller}: no tone heard`);
}

afterEach(removeAll);

describe('camera and microphone', () => {
  it('open at the callee on accept, not while it rings: no live track, no self-view before', async () => {
    const [alice, bob] = await ringing();
    await waitUntil(() => bob.session?.pc.signalingState === 'have-local-offer', 'the callee prepares no offer while it rings');
    expect(bob.session!.localStream).to.equal(undefined);
    expect(part(bob, 'self-view')).to.equal(null);
    await waitUntil(() => part<HTMLVideoElement>(alice, 'local-video')?.srcObject, 'the caller’s camera opens with its call');
    const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await up;
    const self = video(bob, 'local-video').srcObject as MediaStream;
    expect(self.getVideoTracks().map((track) => track.readyState)).to.deep.equal(['live']);
    expect(video(bob, 'local-video').hidden).to.equal(false);
  });

  it('open while it rings with preview, to show the callee a self-view before answering', async () => {
    const [alice, bob] = await pair('ui');
    bob.setAttribute('preview', '');
    const rung = next(bob, 'ringing');
    await alice.call();
    await rung;
    const self = () => part<HTMLVideoElement>(bob, 'local-video')?.srcObject as MediaStream | null | undefined;
    await waitUntil(() => self()?.getVideoTracks().length, 'no self-view while it rings');
    expect(bob.state).to.equal('incoming');
    expect(video(bob, 'local-video').hidden).to.equal(false);
  });
});

describe('tones', () => {
  it('ring back at the caller and ring at the callee while the call rings, and stop once it is answered', async () => {
    const [alice, bob] = await ringing();
    expect(tone(alice)?.name).to.equal('ringback');
    expect(tone(bob)?.name).to.equal('ring');
    await Promise.all([audible(alice), audible(bob)]);
    const contexts = [tone(alice)!.player.context, tone(bob)!.player.context];
    expect(contexts.map((context) => context.state)).to.deep.equal(['running', 'running']);
    const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await up;
    expect(tone(alice)).to.equal(undefined);
    expect(tone(bob)).to.equal(undefined);
    await waitUntil(() => contexts.every((context) => context.state === 'closed'), 'the tones’ audio contexts stay open');
  });

  it('stop when the ringing widget leaves the page', async () => {
    const [alice, bob] = await ringing();
    await audible(bob);
    const context = tone(bob)!.player.context;
    const ended = next(alice, 'ended');
    bob.remove();
    await ended;
    await waitUntil(() => context.state === 'closed', 'the ring goes on after removal');
    expect(tone(bob)).to.equal(undefined);
  });

  it('stay silent with the silent attribute', async () => {
    const [alice, bob] = await ringing({ silent: '' });
    expect(alice.silent).to.equal(true);
    expect(tone(alice)).to.equal(undefined);
    expect(tone(bob)?.name).to.equal('ring');
    bob.silent = true;
    await bob.updateComplete;
    expect(tone(bob)).to.equal(undefined);
  });
});

describe('connection quality', () => {
  it('is rated good on loopback: event, custom state and a labelled indicator', async () => {
    // Listening on the document: the first rating may come before connected() returns.
    const rated = next(document, 'qualitychange', 30_000);
    const pair = await connected();
    const event = await rated;
    const caller = event.target as WspCall;
    expect(pair).to.include(caller);
    expect(event).to.be.instanceOf(QualityChangeEvent);
    expect(event.quality).to.equal('good');
    await caller.updateComplete;
    expect(caller.matches(':state(quality-good)')).to.equal(true);
    const indicator = await shown(caller, 'quality');
    expect(indicator.getAttribute('role')).to.equal('img');
    expect(indicator.getAttribute('aria-label')).to.equal('Connection: good');
  });
});

describe('reconnecting', () => {
  it('shows while the peer connection is disconnected, and clears when it is back', async () => {
    const [alice, bob] = await connected();
    await handedOver(alice, bob);
    const pc = alice.session!.pc;
    // The loopback path cannot be cut from a page: the connection reports `disconnected` as the browser would, and
    // the session's own handler reacts (it restarts ICE over the DataChannel) like on a real loss.
    Object.defineProperty(pc, 'connectionState', { value: 'disconnected', configurable: true });
    pc.dispatchEvent(new Event('connectionstatechange'));
    await alice.updateComplete;
    expect(alice.matches(':state(reconnecting)')).to.equal(true);
    expect(status(alice)).to.equal('Reconnecting…');
    expect(part(alice, 'status')!.getAttribute('role')).to.equal('status');
    delete (pc as { connectionState?: string }).connectionState;
    pc.dispatchEvent(new Event('connectionstatechange'));
    await alice.updateComplete;
    expect(alice.matches(':state(reconnecting)')).to.equal(false);
    expect(status(alice)).to.match(/^In a call with /);
    expect(alice.state).to.equal('connected');
  });

  it('is said in the widget’s language', async () => {
    const [alice, bob] = await connected();
    await handedOver(alice, bob);
    alice.lang = 'de';
    await waitUntil(() => status(alice).startsWith('Im Gespräch'), 'no German');
    const pc = alice.session!.pc;
    Object.defineProperty(pc, 'connectionState', { value: 'failed', configurable: true });
    pc.dispatchEvent(new Event('connectionstatechange'));
    await alice.updateComplete;
    expect(status(alice)).to.equal('Verbindung wird wiederhergestellt…');
  });
});

describe('screen share', () => {
  /** The shape of the picture `video` shows now, width over height: a sender may scale its picture down on a busy machine, never reshape it. */
  const aspect = (video: HTMLVideoElement) => (video.videoHeight ? video.videoWidth / video.videoHeight : 0);
  /** True while `video` shows a picture of shape `ratio`: 4/3 a camera, 16/9 the screens shared here. */
  const shows = (video: HTMLVideoElement, ratio: number) => Math.abs(aspect(video) - ratio) < 0.02;
  const showsCamera = (video: HTMLVideoElement) => shows(video, 4 / 3);

  /** A canvas that keeps drawing: its capture stands in for a screen (headless Chromium offers no screen to pick). */
  function canvasScreen(): { stream: MediaStream; stop: () => void } {
    const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
    const context = canvas.getContext('2d')!;
    let hue = 0;
    const timer = setInterval(() => {
      context.fillStyle = `hsl(${(hue += 10)} 80% 50%)`;
      context.fillRect(0, 0, 320, 180);
    }, 50);
    return { stream: canvas.captureStream(15), stop: () => clearInterval(timer) };
  }

  it('sends a new video track over a renegotiation on the DataChannel, shown as the other side’s main video, and reverts', async () => {
    const [alice, bob] = await connected();
    await handedOver(alice, bob);
    await shown(alice, 'screen-button');
    const screen = canvasScreen();
    try {
      const remote = video(bob, 'remote-video');
      await waitUntil(() => showsCamera(remote), 'no camera picture first', { timeout: 10_000 });
      const on = next(alice, 'screenshare');
      expect(await shareScreen(alice, true, screen.stream)).to.equal(true);
      expect((await on).on).to.equal(true);
      expect(alice.signalingChannel).to.equal('datachannel');
      await waitUntil(() => shows(remote, 16 / 9), 'the screen does not show at the other side', { timeout: 10_000 });
      expect(bob.session!.remoteStream.getVideoTracks()).to.have.length(2);
      expect(part(alice, 'screen-button')!.getAttribute('aria-pressed')).to.equal('true');
      // The browser's own "stop sharing" ends the track: the share stops as with the button. Firefox delivers no
      // event a page dispatches on a MediaStreamTrack to its listeners, so there the button stops it.
      const off = next(alice, 'screenshare');
      if (navigator.userAgent.includes('Firefox')) part(alice, 'screen-button')!.click();
      else screen.stream.getVideoTracks()[0]!.dispatchEvent(new Event('ended'));
      expect((await off).on).to.equal(false);
      await waitUntil(() => showsCamera(remote), 'the camera does not come back', { timeout: 10_000 });
      expect(alice.state).to.equal('connected');
      expect(bob.state).to.equal('connected');
    } finally {
      screen.stop();
    }
  });

  it('shares the screen the browser offers from the button (headless Chromium picks its fake screen)', async () => {
    const [alice, bob] = await connected();
    await handedOver(alice, bob);
    const remote = video(bob, 'remote-video');
    if (navigator.userAgent.includes('Firefox')) {
      // Headless Firefox has no screen to offer: getDisplayMedia rejects (NotFoundError), the widget says so and the call goes on.
      const error = next(alice, 'error');
      await shown(alice, 'screen-button');
      await click(alice, 'screen-button');
      expect((await error).message).to.match(/not be found|NotFound/i);
      expect([alice.state, bob.state]).to.deep.equal(['connected', 'connected']);
      return;
    }
    const on = next(alice, 'screenshare');
    (await shown(alice, 'screen-button')).click();
    expect((await on).on).to.equal(true);
    // The picture of the sent screen track, whatever size the fake screen has.
    const screen = alice.session!.pc.getSenders().at(-1)!.track!;
    expect(screen.label).to.not.equal(alice.session!.localStream!.getVideoTracks()[0]!.label);
    const local = Object.assign(document.createElement('video'), { srcObject: new MediaStream([screen]), muted: true });
    await local.play();
    await waitUntil(() => local.videoWidth > 0, 'the screen shows no picture here');
    await waitUntil(() => shows(remote, aspect(local)), `the other side shows a picture of shape ${aspect(remote)}, not the screen's ${aspect(local)}`, {
      timeout: 10_000,
    });
    expect(showsCamera(remote)).to.equal(false);
    const off = next(alice, 'screenshare');
    part(alice, 'screen-button')!.click();
    expect((await off).on).to.equal(false);
    await waitUntil(() => showsCamera(remote), 'the camera does not come back', { timeout: 10_000 });
  });

  it('leaves room for the self-view in a 320 px widget with every button of a call', async () => {
    await setViewport({ width: 320, height: 640 });
    const [alice, bob] = await connected();
    alice.style.width = '320px';
    await handedOver(alice, bob);
    await shown(alice, 'screen-button');
    const self = video(alice, 'local-video').getBoundingClientRect();
    // One row: mute, camera, hang-up and the menu of the rest.
    const visible = [...alice.shadowRoot!.querySelectorAll('button')].filter((button) => button.checkVisibility());
    expect(visible.map((button) => button.part[1])).to.deep.equal(['mute-button', 'camera-button', 'hangup-button', 'more-button']);
    expect(new Set(visible.map((button) => button.getBoundingClientRect().top)).size).to.equal(1);
    expect(self.bottom).to.be.at.most(part(alice, 'controls')!.getBoundingClientRect().top + 1);
    expect(self.top).to.be.at.least(part(alice, 'status')!.getBoundingClientRect().bottom - 1);
    // The menu holds the others, each named in full, inside the widget.
    await click(alice, 'more-button');
    await waitUntil(() => part(alice, 'screen-button')!.checkVisibility(), 'the menu does not open');
    expect(alice.shadowRoot!.activeElement?.part.contains('screen-button')).to.equal(true);
    const box = alice.getBoundingClientRect();
    for (const name of ['screen-button', 'fullscreen-button', 'pip-button', 'settings-button']) {
      const { left, right, top, bottom } = part(alice, name)!.getBoundingClientRect();
      expect(left >= box.left && right <= box.right && top >= box.top && bottom <= box.bottom, name).to.equal(true);
    }
    await setViewport({ width: 800, height: 600 });
  });

  it('stops sharing when the call ends', async () => {
    const [alice, bob] = await connected();
    await handedOver(alice, bob);
    const screen = canvasScreen();
    await shareScreen(alice, true, screen.stream);
    const off = next(alice, 'screenshare');
    await bob.hangup();
    expect((await off).on).to.equal(false);
    expect(screen.stream.getVideoTracks()[0]!.readyState).to.equal('ended');
    screen.stop();
  });

  it('shares again after a stop, and the button stops it', async () => {
    const [alice, bob] = await connected();
    await handedOver(alice, bob);
    const remote = video(bob, 'remote-video');
    for (let round = 0; round < 2; round++) {
      const screen = canvasScreen();
      await shareScreen(alice, true, screen.stream);
      await waitUntil(() => shows(remote, 16 / 9), `round ${round}: no screen`, { timeout: 10_000 });
      const off = next(alice, 'screenshare');
      (await shown(alice, 'screen-button')).click();
      expect((await off).on).to.equal(false);
      expect(screen.stream.getVideoTracks()[0]!.readyState).to.equal('ended');
      await waitUntil(() => showsCamera(remote), `round ${round}: no camera back`, { timeout: 10_000 });
      screen.stop();
    }
  });
});
