// A page (or a framework such as React) that sets the widget's properties before its module has loaded: the element
// is not defined yet, so they land on a plain HTMLElement. They must survive the upgrade (issue 13 item 7).
// This file imports no helper: helpers.ts defines <wsp-call> on import, and here the definition must come last.
import { expect, waitUntil } from '@open-wc/testing';
import type { WspCall } from '../../src/wsp-call.js';

interface Config {
  url: string;
  http: string;
  domain: string;
}

describe('<wsp-call> defined after the page set its properties', () => {
  it('keeps server, caller and tokenProvider set before the upgrade, and goes online with them', async () => {
    expect(customElements.get('wsp-call'), 'defined too early for this test').to.equal(undefined);
    const { url, http, domain } = (await (await fetch('/__wsp/config.json')).json()) as Config;
    const el = document.createElement('wsp-call') as WspCall;
    el.server = url;
    el.caller = `cc80@${domain}`;
    let asked = 0;
    el.tokenProvider = async () => {
      asked++;
      return ((await (await fetch(`${http}/dev/token?user=cc80`)).json()) as { token: string }).token;
    };
    document.body.append(el);
    await import('../../src/wsp-call.js');
    expect(el).to.be.instanceOf(customElements.get('wsp-call')!);
    await waitUntil(() => el.online, 'the widget did not go online with the properties set before its upgrade', { timeout: 10_000 });
    expect(asked).to.be.greaterThan(0);
    expect(el.caller).to.equal(`cc80@${domain}`);
    el.remove();
  });
});
