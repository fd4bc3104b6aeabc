import '../src/wsp-call.js';
import type { WspCall } from '../src/wsp-call.js';

// `npm start` runs two domains, alpha and beta, each its own server; /domains.json names them (they carry ports).
// Each widget talks only to its own user's server, through the dev server's proxy: /alpha/wsp, /beta/wsp.
// The demo's servers mint development tokens; a real site mints them in its own backend (see README).
type Name = 'alpha' | 'beta';
const domains = (await (await fetch('/domains.json')).json()) as Record<Name, string>;
const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const log = document.querySelector('#log')!;

for (const el of document.querySelectorAll<WspCall>('wsp-call')) {
  const user = el.dataset.user!;
  const home = el.dataset.domain as Name;
  el.caller = `${user}@${domains[home]}`;
  el.callee = `${el.dataset.callee!}@${domains[el.dataset.calleeDomain as Name]}`;
  el.closest('section')!.querySelector('h2')!.textContent = `${el.caller} (server ${home})`;
  el.tokenProvider = async () => {
    const response = await fetch(`/${home}/dev/token?user=${encodeURIComponent(user)}`);
    return ((await response.json()) as { token: string }).token;
  };
  el.server = `${scheme}://${location.host}/${home}/wsp`;
  for (const type of ['ringing', 'connected', 'ended', 'error', 'mutechange', 'camerachange', 'pipchange'] as const) {
    el.addEventListener(type, (event) => {
      const item = document.createElement('li');
      const detail = 'code' in event ? ` ${(event as { code: number }).code} ${(event as { reason?: string }).reason ?? ''}` : 'on' in event ? ` ${event.on}` : '';
      item.textContent = `${new Date().toLocaleTimeString()} ${user}@${home}: ${type}${detail}`;
      log.prepend(item);
    });
  }
}

// Language, colour scheme and audio-only apply to both widgets: what a site sets with attributes and CSS.
const look = document.querySelector<HTMLFormElement>('#look')!;
look.addEventListener('change', () => {
  const form = new FormData(look);
  for (const el of document.querySelectorAll<WspCall>('wsp-call')) {
    el.lang = `${form.get('lang')}`;
    el.style.colorScheme = `${form.get('scheme')}`;
    el.audioOnly = form.has('audioOnly');
  }
});
