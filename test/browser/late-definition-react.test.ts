// React 19 renders `<wsp-call>` before its module has loaded: the element is not defined yet, so React sets string props
// as attributes (which the element reads once upgraded) and drops a function prop such as `tokenProvider` (an unknown
// element's property it cannot tell from an attribute). The widget must say so rather than stay "Offline" in silence,
// and go online once the page gives it a token provider.
// This file imports no helper: helpers.ts defines <wsp-call> on import, and here the definition must come last.
import { expect, waitUntil } from '@open-wc/testing';
import type * as ReactApp from '../../demo/react/app.js';
import type { WspErrorEvent } from '../../src/call/events.js';
import type { WspCall } from '../../src/wsp-call.js';

interface Config {
  url: string;
  http: string;
  domain: string;
}

describe('<wsp-call> rendered by React before it is defined', () => {
  it('keeps the attributes, says that the token provider is missing, and goes online once it is given', async () => {
    expect(customElements.get('wsp-call'), 'defined too early for this test').to.equal(undefined);
    const { url, http, domain } = (await (await fetch('/__wsp/config.json')).json()) as Config;
    const token = async () => ((await (await fetch(`${http}/dev/token?user=cc79`)).json()) as { token: string }).token;
    const { mountPhones } = (await import(/* @vite-ignore */ '/__fw/react.js' as string)) as typeof ReactApp;
    const container = document.body.appendChild(document.createElement('div'));
    const root = mountPhones(container, [{ server: url, caller: `cc79@${domain}`, callee: `cc78@${domain}`, tokenProvider: token }]);
    await waitUntil(() => container.querySelector('wsp-call'), 'React rendered no widget');
    const el = container.querySelector('wsp-call') as WspCall;
    expect(el.getAttribute('caller')).to.equal(`cc79@${domain}`);
    const errors: WspErrorEvent[] = [];
    el.addEventListener('error', (event) => errors.push(event));

    await import('../../src/wsp-call.js');
    await waitUntil(() => errors.length > 0, 'the widget stays offline without a word');
    expect(errors[0]!.code).to.equal('token-provider');
    expect(errors[0]!.message).to.contain('define <wsp-call> before rendering it');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('No sign-in token');
    expect(el.online).to.equal(false);

    // The page's remedy when it cannot define the element first: set the function through a ref, as a property.
    el.tokenProvider = token;
    await waitUntil(() => el.online, 'the widget did not go online with the token provider set afterwards', { timeout: 10_000 });
    await el.updateComplete;
    expect(el.matches(':state(error)')).to.equal(false);
    root.unmount();
    container.remove();
  });
});
