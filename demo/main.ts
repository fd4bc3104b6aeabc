import '../src/wsp-call.js';
import type { WspCall } from '../src/wsp-call.js';
import { demoUser, type DomainName } from './servers.js';

const log = document.querySelector('#log')!;

for (const el of document.querySelectorAll<WspCall>('wsp-call')) {
  const user = el.dataset.user!;
  const home = el.dataset.domain as DomainName;
  // server last: the widget connects once it has a server, a caller and a token provider.
  const { server, ...settings } = await demoUser(user, home, el.dataset.callee!, el.dataset.calleeDomain as DomainName);
  Object.assign(el, settings, { server });
  el.closest('section')!.querySelector('h2')!.textContent = `${el.caller} (server ${home})`;
  const types = ['ringing', 'connected', 'ended', 'error', 'mutechange', 'camerachange', 'pipchange', 'screenshare', 'qualitychange'] as const;
  for (const type of types) {
    el.addEventListener(type, (event) => {
      const item = document.createElement('li');
      const detail =
        'code' in event
          ? ` ${(event as { code: number }).code} ${(event as { reason?: string }).reason ?? ''}`
          : 'on' in event
            ? ` ${event.on}`
            : 'quality' in event
              ? ` ${event.quality}`
              : '';
      item.textContent = `${new Date().toLocaleTimeString()} ${user}@${home}: ${type}${detail}`;
      log.prepend(item);
    });
  }
}

// Language, colour scheme, audio-only and silence apply to both widgets: what a site sets with attributes and CSS.
const look = document.querySelector<HTMLFormElement>('#look')!;
look.addEventListener('change', () => {
  const form = new FormData(look);
  for (const el of document.querySelectorAll<WspCall>('wsp-call')) {
    el.lang = `${form.get('lang')}`;
    el.style.colorScheme = `${form.get('scheme')}`;
    el.audioOnly = form.has('audioOnly');
    el.silent = form.has('silent');
  }
});
