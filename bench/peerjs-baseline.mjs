// The same figure for PeerJS on the same machine, as the yardstick of our setup time: its callee answers an offer
// that the caller made before ringing, through its own server (`peer`), in one headless Chromium page.
// "Connected" means what it means for <wsp-call>: the peer connection is connected and remote media arrives.
import { fork } from 'node:child_process';
import { bundleElement } from '../scripts/bundle-element.mjs';
import { launchBrowser, servePage } from './browser.mjs';

export async function peerjsSize() {
  return bundleElement('bench/peerjs-entry.js');
}

/** Runs `calls` PeerJS calls a → b; returns the answer()→connected times in ms. `selfView`: each side plays its camera, and then the other's video, in a <video>, as a widget does. */
export async function measurePeerjsSetup({ calls = 30, warmup = 3, selfView = true } = {}) {
  const server = fork(new URL('./peer-server.mjs', import.meta.url));
  const { port } = await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`PeerServer exited with code ${code}`)));
  });
  const page = await servePage('bench/peerjs-entry.js');
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    return await tab.evaluate(async ({ port, calls, warmup, selfView }) => {
      while (!window.Peer) await new Promise((resolve) => setTimeout(resolve, 10));
      const open = (id) =>
        new Promise((resolve, reject) => {
          const peer = new window.Peer(id, { host: '127.0.0.1', port, path: '/', config: { iceServers: [] }, debug: 0 });
          peer.on('open', () => resolve(peer));
          peer.on('error', reject);
        });
      const connected = (pc) =>
        new Promise((resolve) => {
          let media = false;
          const check = () => media && pc.connectionState === 'connected' && resolve();
          pc.addEventListener('track', ({ track }) => {
            if (!track.muted) media = true;
            track.addEventListener('unmute', () => ((media = true), check()), { once: true });
            check();
          });
          pc.addEventListener('connectionstatechange', check);
        });
      const previews = [];
      const preview = (stream) => {
        const video = Object.assign(document.createElement('video'), { srcObject: stream, muted: true, autoplay: true, playsInline: true });
        document.body.append(video);
        previews.push(video);
      };
      const media = () => navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const a = await open(`a${Date.now()}`);
      const b = await open(`b${Date.now()}`);
      const samples = [];
      for (let i = 0; i < calls + warmup; i++) {
        // Media is ready before the call on both sides, as <wsp-call> has it ready while it rings.
        const [streamA, streamB] = await Promise.all([media(), media()]);
        // Each side shows its self-view while it rings, as <wsp-call> does: the same rendering load on the page…
        if (selfView) for (const stream of [streamA, streamB]) preview(stream);
        const incoming = new Promise((resolve) => b.once('call', resolve));
        const outgoing = a.call(b.id, streamA);
        const callerConnected = connected(outgoing.peerConnection);
        const call = await incoming;
        await new Promise((resolve) => setTimeout(resolve, 300)); // it rings, as in the <wsp-call> run
        // …and plays the other side's video as soon as PeerJS hands it over, as every PeerJS page does.
        if (selfView) for (const connection of [outgoing, call]) connection.once('stream', preview);
        const start = performance.now();
        call.answer(streamB);
        await Promise.all([callerConnected, connected(call.peerConnection)]);
        if (i >= warmup) samples.push(performance.now() - start);
        const closed = new Promise((resolve) => call.once('close', resolve));
        outgoing.close();
        await closed;
        for (const track of [...streamA.getTracks(), ...streamB.getTracks()]) track.stop();
        for (const video of previews.splice(0)) video.remove();
      }
      a.destroy();
      b.destroy();
      return samples;
    }, { port, calls, warmup, selfView });
  } finally {
    await browser.close();
    await page.close();
    server.kill();
  }
}
