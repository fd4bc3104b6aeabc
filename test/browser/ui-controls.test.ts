// In-call controls of <wsp-call>, in real calls: mute and camera off really disable the tracks (the other side gets
// black frames), the timer counts, full screen and picture-in-picture follow real clicks, audio-only asks no camera and shows no video.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { WspCall } from '../../src/wsp-call.js';
import { next, pair, remoteVideoPlays, removeAll, video, waitUntil } from './helpers.js';
import { click, connected, part, ringing, shown, status } from './ui-helpers.js';

/** The mean brightness (0–255) of the frame `el`'s remote video shows now. */
function brightness(el: WspCall): number {
  const remote = video(el, 'remote-video');
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 24;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(remote, 0, 0, 32, 24);
  const { data } = context.getImageData(0, 0, 32, 24);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += data[i]! + data[i + 1]! + data[i + 2]!;
  return sum / (data.length / 4) / 3;
}

describe('<wsp-call> in-call controls', () => {
  afterEach(removeAll);

  it('reports a refused full screen (no user gesture) as an error event', async () => {
    const [alice] = await connected();
    // First in this file: no real click happened in the page yet, so nothing lends this one an activation.
    expect(navigator.userActivation.isActive).to.equal(false);
    const error = next(alice, 'error');
    part(alice, 'fullscreen-button')!.click();
    // Chromium: "Permissions check failed"; Firefox: "Fullscreen request denied".
    expect((await error).message).to.match(/gesture|activation|permission|denied/i);
    expect(alice.state).to.equal('connected');
  });

  it('mutes: the microphone track is disabled, the button pressed, mutechange fired; and back', async () => {
    const [alice] = await connected();
    const track = alice.session!.localStream!.getAudioTracks()[0]!;
    expect(track.enabled).to.equal(true);
    const muted = next(alice, 'mutechange');
    part(alice, 'mute-button')!.click();
    expect((await muted).on).to.equal(true);
    await alice.updateComplete;
    expect(track.enabled).to.equal(false);
    expect(track.readyState).to.equal('live');
    expect(alice.muted).to.equal(true);
    expect(alice.matches(':state(muted)')).to.equal(true);
    expect(part(alice, 'mute-button')!.getAttribute('aria-pressed')).to.equal('true');
    const unmuted = next(alice, 'mutechange');
    expect(alice.toggleMute()).to.equal(false);
    expect((await unmuted).on).to.equal(false);
    expect(track.enabled).to.equal(true);
  });

  it('turns the camera off: the track is disabled, the self-view hidden, the other side sees black', async () => {
    const [alice, bob] = await connected();
    await remoteVideoPlays(bob);
    await waitUntil(() => brightness(bob) > 20, 'the fake camera shows a picture');
    const off = next(alice, 'camerachange');
    part(alice, 'camera-button')!.click();
    expect((await off).on).to.equal(true);
    await alice.updateComplete;
    expect(alice.session!.localStream!.getVideoTracks()[0]!.enabled).to.equal(false);
    expect(video(alice, 'local-video').hidden).to.equal(true);
    expect(alice.matches(':state(camera-off)')).to.equal(true);
    await waitUntil(() => brightness(bob) < 2, 'the other side still sees the camera', { timeout: 10_000 });
    alice.cameraOff = false;
    await waitUntil(() => brightness(bob) > 20, 'the picture did not come back', { timeout: 10_000 });
  });

  it('accepts without video: the callee’s camera is off from the start, the caller sees black, the call is otherwise whole', async () => {
    const [alice, bob] = await ringing();
    const button = await shown(bob, 'accept-audio-button');
    expect(button.textContent).to.equal('Accept without video');
    const up = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    button.click();
    await up;
    await bob.updateComplete;
    expect(bob.cameraOff).to.equal(true);
    expect(bob.matches(':state(camera-off)')).to.equal(true);
    expect(bob.session!.localStream!.getTracks().map((track) => [track.kind, track.enabled])).to.have.deep.members([
      ['audio', true],
      ['video', false],
    ]);
    await remoteVideoPlays(alice);
    await waitUntil(() => brightness(alice) < 2, 'the caller sees the callee’s camera', { timeout: 10_000 });
    // The camera can still be turned on during the call.
    bob.toggleCamera();
    await waitUntil(() => brightness(alice) > 20, 'the picture never came', { timeout: 10_000 });
  });

  it('offers no video-less accept to an audio-only callee', async () => {
    const [alice, bob] = await pair('ui');
    bob.audioOnly = true;
    const rung = next(bob, 'ringing');
    await alice.call();
    await rung;
    // The avatar comes with the in-call chunk, as the video-less accept would.
    await shown(bob, 'avatar');
    expect(!!part(bob, 'accept-button')).to.equal(true);
    expect(!!part(bob, 'accept-audio-button')).to.equal(false);
  });

  it('joins muted and with the camera off when the attributes say so', async () => {
    const [alice, bob] = await pair('ui', { muted: '', 'camera-off': '' });
    const events: Event[] = [];
    alice.addEventListener('mutechange', (event) => events.push(event));
    const rung = next(bob, 'ringing');
    await alice.call();
    await rung;
    await waitUntil(() => alice.session!.localStream, 'no local stream');
    await alice.updateComplete;
    expect(alice.session!.localStream!.getTracks().map((track) => [track.kind, track.enabled])).to.have.deep.members([
      ['audio', false],
      ['video', false],
    ]);
    // The page's own choice is no news: no mutechange for it.
    expect(events).to.deep.equal([]);
  });

  it('counts the call time', async () => {
    const [alice] = await connected();
    const timer = part(alice, 'timer')!;
    expect(timer.textContent).to.equal('0:00');
    await waitUntil(() => timer.textContent === '0:01', `timer shows ${timer.textContent}`, { timeout: 10_000 });
    const ended = next(alice, 'ended');
    await alice.hangup();
    await ended;
    await alice.updateComplete;
    expect(part(alice, 'timer')).to.equal(null);
  });

  it('keeps both videos playing through re-renders, mute and camera off: no video reloads its stream', async () => {
    const [alice, bob] = await connected();
    const videos = [alice, bob].flatMap((el) => [video(el, 'remote-video'), video(el, 'local-video')]);
    // Playing: each video's first load is through and its events dispatched (Chromium may show a picture's size
    // before it dispatches the first loadstart).
    await waitUntil(() => videos.every((element) => element.currentTime > 0), 'the videos do not play');
    const streams = videos.map((element) => element.srcObject);
    // A reload: the video drops its picture and starts loading again (Lit used to set srcObject at every render).
    const reloads: string[] = [];
    let phase = 'first tick';
    for (const element of videos) {
      const host = (element.getRootNode() as ShadowRoot).host as WspCall;
      for (const type of ['emptied', 'loadstart']) element.addEventListener(type, () => reloads.push(`${host.caller} ${element.part} ${type} in the ${phase}`));
    }
    // The timer re-renders both widgets every second: three ticks, with a mute and a camera off in between.
    const timer = part(alice, 'timer')!;
    const tick = async (next: string) => {
      const shown = timer.textContent;
      await waitUntil(() => timer.textContent !== shown, 'the timer stopped', { timeout: 10_000 });
      phase = next;
    };
    await tick('mute and camera off');
    alice.toggleMute();
    bob.toggleCamera();
    await tick('unmute and camera on');
    alice.toggleMute();
    bob.toggleCamera();
    await tick('end');
    expect(reloads).to.deep.equal([]);
    expect(videos.map((element) => element.srcObject)).to.deep.equal(streams);
  });

  it('goes full screen on a click, and back', async () => {
    const [alice] = await connected();
    // Firefox refuses full screen to a page without the browser's focus (FullscreenDeniedNotFocusedTab).
    await executeServerCommand('focus-page');
    let changes = 0;
    alice.addEventListener('fullscreenchange', () => changes++);
    await click(alice, 'fullscreen-button');
    await waitUntil(() => alice.fullscreen && changes === 1, 'not full screen');
    await alice.updateComplete;
    expect(part(alice, 'fullscreen-button')!.getAttribute('aria-pressed')).to.equal('true');
    await click(alice, 'fullscreen-button');
    await waitUntil(() => !alice.fullscreen && changes === 2, 'still full screen');
  });

  it('puts the remote video in picture-in-picture on a click, where the browser can', async () => {
    const [alice] = await connected();
    expect(document.pictureInPictureEnabled).to.equal(true);
    await remoteVideoPlays(alice);
    const entered = next(alice, 'pipchange');
    await click(alice, 'pip-button');
    expect((await entered).on).to.equal(true);
    await alice.updateComplete;
    expect(part(alice, 'pip-button')!.getAttribute('aria-pressed')).to.equal('true');
    const left = next(alice, 'pipchange');
    await alice.togglePictureInPicture(false);
    expect((await left).on).to.equal(false);
    // The picture-in-picture window took the browser's focus: the next tests need it in their page.
    await executeServerCommand('focus-page');
  });

  it('audio-only: no camera asked, no video shown, no camera button', async () => {
    const [alice, bob] = await connected({ 'audio-only': '' });
    expect(alice.audioOnly).to.equal(true);
    expect(part(alice, 'local-video')).to.equal(null);
    expect(video(alice, 'remote-video').hidden).to.equal(true);
    expect(part(alice, 'camera-button')).to.equal(null);
    expect(part(alice, 'pip-button')).to.equal(null);
    expect(part(alice, 'mute-button')).to.exist;
    // The other party's name stands where the video would.
    expect((await shown(alice, 'party')).textContent).to.contain(bob.caller);
    expect(alice.matches(':state(camera-off)')).to.equal(true);
    // Only the microphone was asked for: the camera light never comes on.
    expect(alice.session!.localStream!.getTracks().map((track) => track.kind)).to.deep.equal(['audio']);
    expect(
      bob.session!.remoteStream.getVideoTracks().every((track) => track.muted),
      'bob gets no picture from alice',
    ).to.equal(true);
    expect(status(alice)).to.contain('In a call');
  });
});
