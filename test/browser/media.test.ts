// The media helpers of src/media in real Chromium (fake camera and microphone): tones, level, devices, quality.
import { expect } from '@open-wc/testing';
import { canChooseSpeaker, listDevices, switchDevice, useSpeaker } from '../../src/media/devices.js';
import { watchLevel } from '../../src/media/level.js';
import { watchQuality, type Quality } from '../../src/media/quality.js';
import { TonePlayer, tones } from '../../src/media/tones.js';
import { waitUntil } from './helpers.js';

/** Two peer connections in this page, `a` sending `stream` to `b`, connected over loopback without any server. */
async function connectedPair(stream: MediaStream): Promise<{ a: RTCPeerConnection; b: RTCPeerConnection }> {
  const [a, b] = [new RTCPeerConnection(), new RTCPeerConnection()];
  a.onicecandidate = ({ candidate }) => candidate && void b.addIceCandidate(candidate);
  b.onicecandidate = ({ candidate }) => candidate && void a.addIceCandidate(candidate);
  for (const track of stream.getTracks()) a.addTrack(track, stream);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
  await waitUntil(() => a.connectionState === 'connected' && b.connectionState === 'connected', 'the pair never connected', { timeout: 10_000 });
  return { a, b };
}

async function packetsReceived(pc: RTCPeerConnection, kind: string): Promise<number> {
  let packets = 0;
  for (const stats of (await pc.getStats()).values()) if (stats.type === 'inbound-rtp' && stats.kind === kind) packets += stats.packetsReceived;
  return packets;
}

/** The strength in dB of `frequency` in what `analyser` hears now. */
function strengthAt(analyser: AnalyserNode, frequency: number): number {
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  return bins[Math.round((frequency / analyser.context.sampleRate) * analyser.fftSize)]!;
}

describe('TonePlayer', () => {
  it('plays the ringback as its two frequencies, and silence once stopped', async () => {
    const context = new AudioContext();
    const analyser = new AnalyserNode(context, { fftSize: 8192 });
    const player = new TonePlayer({ context, destination: analyser });
    player.play(tones.ringback);
    // Both frequencies stand 30 dB above the rest, once the analyser has heard enough of the tone.
    const clear = () => {
      const [low, high, elsewhere] = [strengthAt(analyser, 440), strengthAt(analyser, 480), strengthAt(analyser, 1000)];
      return low - elsewhere > 30 && high - elsewhere > 30;
    };
    await waitUntil(clear, `440 Hz ${strengthAt(analyser, 440)} dB, 480 Hz ${strengthAt(analyser, 480)} dB, 1 kHz ${strengthAt(analyser, 1000)} dB`);
    player.stop();
    const samples = new Float32Array(analyser.fftSize);
    const loudest = () => (analyser.getFloatTimeDomainData(samples), Math.max(...samples.map(Math.abs)));
    await waitUntil(() => loudest() < 1e-3, `still sounding once stopped: ${loudest()}`);
    player.dispose();
    await context.close();
  });

  it('waits for the first key press when autoplay keeps the context suspended', async () => {
    const context = new AudioContext();
    await context.suspend();
    const player = new TonePlayer({ context });
    expect(player.blocked).to.equal(true);
    player.play(tones.ring);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    await waitUntil(() => !player.blocked, 'the context never resumed');
    player.dispose();
    await context.close();
  });
});

describe('devices', () => {
  let stream: MediaStream;
  beforeEach(async () => {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  });
  afterEach(() => stream.getTracks().forEach((track) => track.stop()));

  it('lists microphones and cameras with labels once media was granted', async () => {
    const devices = await listDevices();
    expect(devices.audioinput.length).to.be.greaterThan(0);
    expect(devices.videoinput.length).to.be.greaterThan(0);
    expect(devices.videoinput.every((device) => device.label !== '')).to.equal(true);
  });

  it('reports the microphone level of the fake device', async () => {
    let loudest = 0;
    const stop = watchLevel(stream, (level) => (loudest = Math.max(loudest, level)));
    // Chromium's fake microphone beeps once a second.
    await waitUntil(() => loudest > 0.3, `the meter never rose above ${loudest}`);
    stop();
  });

  it('switches the microphone of a live call with replaceTrack, without renegotiating', async () => {
    const { a, b } = await connectedPair(stream);
    let negotiations = 0;
    a.onnegotiationneeded = () => negotiations++;
    const old = stream.getAudioTracks()[0]!;
    old.enabled = false;
    // Chromium fakes several microphones, Firefox one: switching to the same one still opens a new track to replace.
    const microphones = (await listDevices()).audioinput;
    const other = microphones.find((device) => device.deviceId !== old.getSettings().deviceId) ?? microphones[0]!;
    const track = await switchDevice(a, stream, 'audioinput', other.deviceId);
    expect(track).to.not.equal(old);
    expect(track.getSettings().deviceId).to.equal(other.deviceId);
    expect(a.getSenders().some((sender) => sender.track === track)).to.equal(true);
    expect(stream.getAudioTracks()).to.deep.equal([track]);
    expect(old.readyState).to.equal('ended');
    expect(track.enabled, 'a muted microphone stays muted').to.equal(false);
    const before = await packetsReceived(b, 'audio');
    await waitUntil(async () => (await packetsReceived(b, 'audio')) > before + 10, 'audio stopped flowing after the switch');
    expect(negotiations).to.equal(0);
    expect(a.signalingState).to.equal('stable');
    a.close();
    b.close();
  });

  it('chooses the speaker where setSinkId exists, and says when it cannot', async () => {
    const media = document.createElement('audio');
    expect(canChooseSpeaker()).to.equal(true);
    expect(await useSpeaker(media, '')).to.equal(true);
    expect(await useSpeaker(media, 'no-such-speaker')).to.equal(false);
  });

  it('rates a loopback call good', async () => {
    const { a, b } = await connectedPair(stream);
    const ratings: Quality[] = [];
    const stop = watchQuality(b, (quality) => ratings.push(quality), 500);
    await waitUntil(() => ratings.length > 0, 'no rating within 5 s');
    expect(ratings[0]).to.equal('good');
    stop();
    a.close();
    b.close();
  });
});
