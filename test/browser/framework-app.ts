// The scenario the React and Vue example apps (demo/react, demo/vue) go through: the app renders two phones, places a
// call with its own button, shows the widget's events in its own status line, and unmounting it cleans up.
import { expect } from '@open-wc/testing';
import type { WspCall } from '../../src/wsp-call.js';
import { devToken, freshUser, next, remoteVideoPlays, waitUntil, wspConfig } from './helpers.js';

export interface PhoneSettings {
  server: string;
  caller: string;
  callee: string;
  tokenProvider: () => Promise<string>;
}

/** Mounts the app's phones into a container; returns how to unmount it. */
export type MountApp = (container: Element, phones: PhoneSettings[]) => () => void;

/** Loads a framework app's bundle, served by scripts/framework-apps.mjs. */
export async function loadApp<T>(path: '/__fw/react.js' | '/__fw/vue.js'): Promise<T> {
  return (await import(/* @vite-ignore */ path as string)) as T;
}

async function phoneSettings(user: string, callee: string): Promise<PhoneSettings> {
  const server = await wspConfig();
  return { server: server.url, caller: `${user}@${server.domain}`, callee: `${callee}@${server.domain}`, tokenProvider: () => devToken(user) };
}

function statusOf(phone: Element): string {
  return phone.querySelector('.app-status')!.textContent!.trim();
}

/** Renders two phones with `mount`, calls from the first through the app's button, accepts, hangs up, unmounts. */
export async function callThroughApp(mount: MountApp): Promise<void> {
  const [a, b] = [freshUser('fw'), freshUser('fw')];
  const container = document.createElement('div');
  document.body.append(container);
  const unmount = mount(container, [await phoneSettings(a, b), await phoneSettings(b, a)]);
  await waitUntil(() => container.querySelectorAll('wsp-call').length === 2, 'the app rendered no widgets');
  const [alice, bob] = [...container.querySelectorAll<WspCall>('wsp-call')];
  const [alicePhone, bobPhone] = [...container.querySelectorAll('.phone')];
  // Props arrived as properties: tokenProvider is a function, not an attribute string.
  expect(typeof alice.tokenProvider).to.equal('function');
  expect(alice.hasAttribute('tokenProvider') || alice.hasAttribute('tokenprovider')).to.equal(false);
  await Promise.all([alice.connect(), bob.connect()]);

  const incoming = next(bob, 'ringing');
  alicePhone.querySelector('button')!.click();
  await incoming;
  await waitUntil(() => statusOf(bobPhone) === `incoming call from ${alice.caller}`, `bob's app shows "${statusOf(bobPhone)}"`);
  await waitUntil(() => statusOf(alicePhone) === 'ringing', `alice's app shows "${statusOf(alicePhone)}"`);

  await bob.accept();
  await waitUntil(() => statusOf(alicePhone) === 'connected' && statusOf(bobPhone) === 'connected', 'the apps never showed connected', {
    timeout: 10_000,
  });
  await remoteVideoPlays(alice);

  await bob.hangup();
  await waitUntil(() => [alicePhone, bobPhone].every((phone) => statusOf(phone) === 'ended: Call ended (200)'), 'the apps never showed the end');

  const tracks = [...(alice.session?.localStream?.getTracks() ?? []), ...(bob.session?.localStream?.getTracks() ?? [])];
  unmount();
  container.remove();
  expect(document.querySelectorAll('wsp-call').length).to.equal(0);
  expect(tracks.length).to.be.greaterThan(0);
  expect(tracks.every((track) => track.readyState === 'ended')).to.equal(true);
  await waitUntil(() => !alice.online && !bob.online, 'unmounted widgets stayed connected');
}
