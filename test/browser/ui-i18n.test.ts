// Languages of <wsp-call>: the lang attribute (else the page's <html lang>) picks a shipped translation, loaded on
// demand; the strings property overrides any string; Arabic lays the widget out right to left.
import { expect } from '@open-wc/testing';
import { translation } from '../../src/i18n/strings.js';
import type { WspCall } from '../../src/wsp-call.js';
import { freshUser, next, pair, phone, removeAll, waitUntil, webrtc } from './helpers.js';
import { connected, part, ringing, shown, status } from './ui-helpers.js';

/** Waits until `el`'s status line reads `text` (a translation loads asynchronously). */
const says = (el: WspCall, text: string) => waitUntil(() => status(el) === text, `status is "${status(el)}", not "${text}"`);

/** What an idle, online widget says: ready, or, in a browser without WebRTC (WebKitGTK), that it cannot call. */
const idle = webrtc
  ? { en: 'Ready', de: 'Bereit', fr: 'Prêt' }
  : {
      en: 'Calls are not possible in this browser',
      de: 'Anrufe sind in diesem Browser nicht möglich',
      fr: 'Les appels ne sont pas possibles dans ce navigateur',
    };

describe('<wsp-call> languages', () => {
  afterEach(async () => {
    document.documentElement.lang = 'en';
    await removeAll();
  });

  it('speaks English by default', async () => {
    const el = await phone(freshUser('ui'), 'someone');
    await says(el, idle.en);
    expect(part(el, 'call-button')!.textContent).to.equal(`Call ${el.callee}`);
  });

  it('takes the language from the lang attribute, and follows its changes', async () => {
    const el = await phone(freshUser('ui'), 'someone', { lang: 'de' });
    await says(el, idle.de);
    expect(part(el, 'call-button')!.textContent).to.equal(`${el.callee} anrufen`);
    el.lang = 'fr-CA';
    await says(el, idle.fr);
    expect(el.getAttribute('lang')).to.equal('fr-CA');
    el.lang = 'en';
    await says(el, idle.en);
  });

  it('takes the page’s language when it has no lang of its own', async () => {
    document.documentElement.lang = 'fr';
    const el = await phone(freshUser('ui'), 'someone');
    await says(el, idle.fr);
  });

  it('falls back to English for a language it does not ship', async () => {
    const el = await phone(freshUser('ui'), 'someone', { lang: 'tlh' });
    // The element asked for the translation first, so its own callback has run once this one resolves.
    await translation('tlh');
    await el.updateComplete;
    expect(status(el)).to.equal(idle.en);
  });

  it('translates a whole call, down to the reason it ended', async () => {
    const [alice, bob] = await pair('ui');
    alice.lang = 'de';
    bob.lang = 'de';
    await says(bob, 'Bereit');
    const rung = Promise.all([next(alice, 'ringing'), next(bob, 'ringing')]);
    await alice.call();
    await rung;
    await says(bob, `${alice.caller} ruft an`);
    expect(part(bob, 'accept-button')!.textContent).to.equal('Annehmen');
    expect(part(bob, 'decline-button')!.textContent).to.equal('Ablehnen');
    const ended = next(alice, 'ended');
    await bob.decline();
    expect((await ended).reason).to.equal('Declined'); // the event keeps the protocol's English reason
    await says(alice, 'Abgelehnt');
  });

  it('translates the in-call controls', async () => {
    const [alice] = await connected({ lang: 'fr' });
    await says(alice, `En appel avec ${alice.callee}`);
    expect(part(alice, 'mute-button')!.textContent).to.equal('Couper le micro');
    expect(part(alice, 'hangup-button')!.textContent).to.equal('Raccrocher');
    expect(part(alice, 'timer')!.getAttribute('aria-label')).to.equal('Durée de l’appel');
  });

  it('lets the page override any string, in any language', async () => {
    const [alice, bob] = await pair('ui');
    alice.strings = { ready: 'Ready to talk', call: 'Ring {0} now', 603: 'Not now, sorry' };
    await says(alice, 'Ready to talk');
    expect(part(alice, 'call-button')!.textContent).to.equal(`Ring ${alice.callee} now`);
    bob.lang = 'de';
    bob.strings = { accept: 'Rangehen' };
    const rung = next(bob, 'ringing');
    await alice.call();
    await rung;
    await waitUntil(() => part(bob, 'accept-button')?.textContent === 'Rangehen', 'no override');
    // Not overridden: the German translation.
    await waitUntil(() => part(bob, 'decline-button')!.textContent === 'Ablehnen', 'not German');
    const ended = next(alice, 'ended');
    await bob.decline();
    await ended;
    await says(alice, 'Not now, sorry');
  });

  it('lays Arabic out right to left', async () => {
    const [alice, bob] = await ringing();
    bob.lang = 'ar';
    await says(bob, `${alice.caller} يتصل بك`);
    expect(bob.matches(':state(rtl)')).to.equal(true);
    await shown(bob, 'accept-button');
    expect(getComputedStyle(part(bob, 'controls')!).direction).to.equal('rtl');
    // The first button (accept) stands at the right, the second (decline) left of it.
    const accept = part(bob, 'accept-button')!.getBoundingClientRect();
    const decline = part(bob, 'decline-button')!.getBoundingClientRect();
    expect(accept.left).to.be.greaterThan(decline.left);
    expect(part(bob, 'accept-button')!.textContent).to.equal('قبول');
  });
});
