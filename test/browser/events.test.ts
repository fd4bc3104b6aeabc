// The widget's events leave its shadow root and bubble, so a page (or a component around it) can listen anywhere.
import { expect } from '@open-wc/testing';
import type { WspCall } from '../../src/wsp-call.js';
import { next, pair, removeAll } from './helpers.js';

describe('<wsp-call> events', () => {
  afterEach(removeAll);

  it('bubble and are composed', async () => {
    const [alice, bob] = await pair('ev');
    // Put the caller inside another component's shadow root: the page sees its events on document all the same.
    const host = document.createElement('div');
    document.body.append(host);
    host.attachShadow({ mode: 'open' }).append(alice);
    const seen: Event[] = [];
    const types = ['ringing', 'connected', 'ended', 'statechange'] as const;
    for (const type of types) document.addEventListener(type, (event) => seen.push(event));
    const ringing = next(bob, 'ringing');
    await alice.call();
    await ringing;
    const connected = Promise.all([next(alice, 'connected'), next(bob, 'connected')]);
    await bob.accept();
    await connected;
    const ended = next(bob, 'ended');
    await alice.hangup();
    await ended;
    const fromAlice = seen.filter((event) => event.composedPath()[0] === alice || event.target === host);
    expect(new Set(fromAlice.map((event) => event.type))).to.deep.equal(new Set(types));
    for (const event of seen) {
      expect(event.bubbles, event.type).to.equal(true);
      expect(event.composed, event.type).to.equal(true);
    }
    host.remove();
  });

  it('report errors as composed error events with a message, that do not bubble up to window.onerror', async () => {
    // Inside another component's shadow root: its host hears the error, the document does not.
    const host = document.createElement('div');
    document.body.append(host);
    const el = document.createElement('wsp-call') as WspCall;
    host.attachShadow({ mode: 'open' }).append(el);
    const onDocument: Event[] = [];
    const listener = (event: Event) => onDocument.push(event);
    document.addEventListener('error', listener);
    const error = next(host, 'error');
    await el.call();
    const event = await error;
    document.removeEventListener('error', listener);
    expect(event.message).to.contain('user@domain');
    expect(event.composed).to.equal(true);
    expect(event.bubbles).to.equal(false);
    expect(onDocument).to.deep.equal([]);
    host.remove();
  });
});
