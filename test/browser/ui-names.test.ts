// Who calls, as the widget shows it (issue 11, item 5): a caller's display name cannot hide their address, pose as
// another address, reorder the widget's own words or rewrite the status line.
import { expect } from '@open-wc/testing';
import type { WspCall } from '../../src/wsp-call.js';
import { freshUser, next, phone, removeAll, webrtc, wspConfig, wspSocket } from './helpers.js';
import { part, shown, status } from './ui-helpers.js';

/** A bare WSP client (it can send any name the protocol allows) invites a fresh widget; resolves once it rings there. */
async function invitedBy(name: string): Promise<{ el: WspCall; caller: string }> {
  const { domain } = await wspConfig();
  const user = freshUser('ui');
  const el = await phone(freshUser('ui'), user);
  const socket = await wspSocket(user);
  sockets.push(socket);
  const caller = `${user}@${domain}`;
  const rung = next(el, 'ringing');
  socket.send(JSON.stringify(['invite', { caller: { uri: caller, name }, callee: { uri: el.caller } }, { call: crypto.randomUUID() }]));
  await rung;
  await shown(el, 'incoming');
  await el.updateComplete;
  return { el, caller };
}

const sockets: WebSocket[] = [];

describe('<wsp-call> caller names', () => {
  // A browser without WebRTC refuses every call: nothing rings there.
  if (!webrtc) return;
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await removeAll();
  });

  it('shows the address when the name is empty or blank', async () => {
    for (const name of ['', '  ', '\u202E']) {
      const { el, caller } = await invitedBy(name);
      expect(part(el, 'name')!.textContent).to.equal(caller);
      expect(part(el, 'avatar')!.textContent).to.equal(caller[0]!.toUpperCase());
      expect(status(el)).to.equal(`${caller} is calling`);
      await removeAll();
    }
  });

  it('strips a right-to-left override, shows the address beside the name and isolates both', async () => {
    const { el, caller } = await invitedBy('\u202Egro.elpmaxe@ecila');
    expect(part(el, 'name')!.textContent).to.equal('gro.elpmaxe@ecila');
    expect(part(el, 'address')!.textContent).to.equal(caller);
    expect(status(el)).to.equal(`gro.elpmaxe@ecila (${caller}) is calling`);
    expect(part(el, 'status')!.querySelector('bdi'), 'the name is not isolated in the status line').to.not.equal(null);
    expect(getComputedStyle(part(el, 'name')!).unicodeBidi).to.equal('isolate');
    expect(el.shadowRoot!.textContent!.includes('\u202E'), 'the override reached the page').to.equal(false);
  });

  it('shows a name with replacement patterns as it is, and the status line intact', async () => {
    const { el, caller } = await invitedBy("$'$`$&");
    expect(part(el, 'name')!.textContent).to.equal("$'$`$&");
    expect(part(el, 'address')!.textContent).to.equal(caller);
    expect(status(el)).to.equal(`$'$\`$& (${caller}) is calling`);
  });

  it('fills translations without replacement patterns too', async () => {
    const { el, caller } = await invitedBy('$&');
    el.strings = { incoming: '{0} ruft an ($&)' };
    await el.updateComplete;
    expect(status(el)).to.equal(`$& (${caller}) ruft an ($&)`);
  });
});
