import '../src/wsp-call.js';
import type { WspCall } from '../src/wsp-call.js';

// The demo's WSP server mints development tokens; a real site mints them in its own backend (see README).
const server = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/wsp`;
const log = document.querySelector('#log')!;

for (const el of document.querySelectorAll<WspCall>('wsp-call')) {
  const user = el.caller.split('@')[0]!;
  el.tokenProvider = async () => {
    const response = await fetch(`/dev/token?user=${encodeURIComponent(user)}`);
    return ((await response.json()) as { token: string }).token;
  };
  el.server = server;
  for (const type of ['ringing', 'connected', 'ended', 'error'] as const) {
    el.addEventListener(type, (event) => {
      const item = document.createElement('li');
      const detail = 'code' in event ? ` ${(event as { code: number }).code} ${(event as { reason?: string }).reason ?? ''}` : '';
      item.textContent = `${new Date().toLocaleTimeString()} ${user}: ${type}${detail}`;
      log.prepend(item);
    });
  }
}
