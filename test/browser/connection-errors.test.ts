// Why a widget is not connected to its server (issue 13, item 7): a refused origin, a bad or expired token, a failing
// tokenProvider, an unreachable server and a dropped connection each fire `error` with a code of their own and show a
// status line of their own, in the widget's language; and the token reaches no console message, no error text, no
// status line and no URL the page requested. Real servers (web-test-runner.config.mjs): the single one, one that
// refuses this page's origin, an address where nothing listens, and a server that closes when told to.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { SignJWT } from 'jose';
import type { WspErrorEvent } from '../../src/call/events.js';
import type { WspCall } from '../../src/wsp-call.js';
import { devToken, freshUser, next, removeAll, waitUntil, wspConfig } from './helpers.js';
import { part, status } from './ui-helpers.js';

/** Every text the page showed or wrote: console messages, uncaught errors, error events' messages, status lines. */
const shown: string[] = [];
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    shown.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(' '));
    original(...args);
  };
}
addEventListener('error', (event) => shown.push(String(event.message)));
addEventListener('unhandledrejection', (event) => shown.push(String(event.reason)));

/** Every token this file handed to a widget: none may be in what the page showed, nor in a URL it requested. */
const tokens: string[] = [];

/** A token the file hands out, remembered. */
function handed(token: string): string {
  tokens.push(token);
  return token;
}

/** Fails when a token handed out is in anything the page showed or in the URL of a request it made. */
function expectNoTokenShown(): void {
  const requested = performance.getEntriesByType('resource').map((entry) => entry.name);
  for (const token of tokens) {
    // The signature alone is secret enough: a text holding it holds a usable token's worst part.
    const signature = token.split('.')[2] || token;
    for (const text of [...shown, ...requested]) expect(text.includes(signature), `the token in: ${text}`).to.equal(false);
  }
}

/** A token for `user@localhost` signed with the single server's secret, with `claims` of its own (an `exp` gone by). */
async function minted(user: string, claims: { iat: number; exp: number }, secret?: string): Promise<string> {
  const key = new TextEncoder().encode(secret ?? (await wspConfig()).secret);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`${user}@localhost`)
    .setAudience('wsp')
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(key);
  return handed(token);
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * A German widget for a fresh user that connects to `server` with `settings` once its translation is shown (so that
 * its first error is told in German); resolves with its first `error` event.
 */
async function failing(server: string, settings: Partial<Pick<WspCall, 'caller' | 'token' | 'tokenProvider'>>): Promise<{ el: WspCall; error: WspErrorEvent }> {
  const el = document.createElement('wsp-call');
  el.lang = 'de';
  el.callee = 'someone@localhost';
  document.body.append(el);
  await waitUntil(() => part(el, 'call-button')?.textContent === 'someone@localhost anrufen', 'no German');
  const error = next(el, 'error');
  Object.assign(el, { caller: `${freshUser('ce')}@localhost`, ...settings, server });
  const event = await error;
  shown.push(event.message);
  await el.updateComplete;
  shown.push(status(el));
  return { el, error: event };
}

describe('<wsp-call> connection errors', () => {
  afterEach(async () => {
    expectNoTokenShown();
    await removeAll();
  });

  it('a page of an origin the server does not list: origin-refused, with the server’s reason', async () => {
    const { strict } = await wspConfig();
    const user = freshUser('ce');
    const token = handed(await devToken(user)); // valid: the same domain and secret, a user it knows
    const { el, error } = await failing(strict.url, { token, caller: `${user}@localhost` });
    expect(error.code).to.equal('origin-refused');
    expect(error.message).to.equal(`This site may not connect: origin ${location.origin} is not allowed to connect`);
    expect(status(el)).to.equal('Fehler: Diese Website darf sich nicht verbinden');
    expect(el.online).to.equal(false);
    expect(el.matches(':state(offline)') && el.matches(':state(error)')).to.equal(true);
  });

  it('a forged token: token-refused', async () => {
    const { url } = await wspConfig();
    const user = freshUser('ce');
    const forged = await minted(user, { iat: now(), exp: now() + 60 }, 'not the server secret');
    const { el, error } = await failing(url, { token: forged, caller: `${user}@localhost` });
    expect(error.code).to.equal('token-refused');
    expect(error.message).to.equal('Sign-in refused: token signature invalid');
    expect(status(el)).to.equal('Fehler: Anmeldung abgelehnt');
  });

  it('an expired token from tokenProvider: token-refused', async () => {
    const { url } = await wspConfig();
    const user = freshUser('ce');
    const expired = await minted(user, { iat: now() - 120, exp: now() - 60 });
    const { el, error } = await failing(url, { tokenProvider: async () => expired, caller: `${user}@localhost` });
    expect(error.code).to.equal('token-refused');
    expect(error.message).to.equal('Sign-in refused: token expired');
    expect(status(el)).to.equal('Fehler: Anmeldung abgelehnt');
  });

  it('what cannot be a token (a backend’s error page) is not sent: token-refused', async () => {
    const { url } = await wspConfig();
    const page = handed('<h1>Unauthorized</h1>');
    const { el, error } = await failing(url, { tokenProvider: async () => page });
    expect(error.code).to.equal('token-refused');
    expect(error.message).to.equal('Sign-in refused: not a JWT of at most 4096 characters');
    expect(status(el)).to.equal('Fehler: Anmeldung abgelehnt');
  });

  it('a token longer than a header line may carry is not sent: token-refused, and nothing breaks', async () => {
    const { url } = await wspConfig();
    const long = handed(`${'a'.repeat(5000)}.${'b'.repeat(100)}.${'c'.repeat(43)}`);
    const { el, error } = await failing(url, { token: long });
    expect(error.code).to.equal('token-refused');
    expect(error.message).to.equal('Sign-in refused: not a JWT of at most 4096 characters');
    expect(status(el)).to.equal('Fehler: Anmeldung abgelehnt');
  });

  it('a tokenProvider that throws: token-provider', async () => {
    const { url } = await wspConfig();
    const { el, error } = await failing(url, {
      tokenProvider: () => {
        throw new Error('backend down');
      },
    });
    expect(error.code).to.equal('token-provider');
    expect(error.message).to.equal('No sign-in token: Error: backend down');
    expect(status(el)).to.equal('Fehler: Kein Anmelde-Token erhalten');
  });

  it('a tokenProvider whose backend answers 401 (it throws, as the README’s does): token-provider', async () => {
    const { url } = await wspConfig();
    const tokenProvider = async () => {
      const response = await fetch('/__wsp/unauthorized');
      if (!response.ok) throw new Error(`token: HTTP ${response.status}`);
      return response.text();
    };
    const { el, error } = await failing(url, { tokenProvider });
    expect(error.code).to.equal('token-provider');
    expect(error.message).to.equal('No sign-in token: Error: token: HTTP 401');
    expect(status(el)).to.equal('Fehler: Kein Anmelde-Token erhalten');
  });

  it('a tokenProvider that returns no string: token-provider, and nothing is sent', async () => {
    const { url } = await wspConfig();
    const user = freshUser('ce');
    const token = handed(await devToken(user));
    // A common slip: the backend's JSON, not its token.
    const given = { token };
    const { el, error } = await failing(url, { tokenProvider: async () => given as unknown as string, caller: `${user}@localhost` });
    expect(error.code).to.equal('token-provider');
    expect(error.message).to.equal('No sign-in token: tokenProvider gave no string');
    expect(status(el)).to.equal('Fehler: Kein Anmelde-Token erhalten');
    expect(el.online).to.equal(false);
  });

  it('a server nobody answers at: unreachable', async () => {
    const { unreachable } = await wspConfig();
    const user = freshUser('ce');
    const token = handed(await devToken(user));
    const { el, error } = await failing(unreachable, { token, caller: `${user}@localhost` });
    expect(error.code).to.equal('unreachable');
    expect(error.message).to.equal('Server unreachable');
    expect(status(el)).to.equal('Fehler: Server nicht erreichbar');
  });

  it('a connection that was open and dropped: connection-lost, and the widget comes back', async () => {
    const server = (await executeServerCommand<{ id: string; url: string }, undefined>('closer-start'))!;
    const user = freshUser('ce');
    const token = handed(await devToken(user));
    const el = document.createElement('wsp-call');
    Object.assign(el, { lang: 'de', caller: `${user}@localhost`, token, server: server.url });
    document.body.append(el);
    await waitUntil(() => el.online, 'never online');
    await waitUntil(() => status(el) === 'Bereit', 'no German');
    const error = next(el, 'error');
    await executeServerCommand('closer-close', { id: server.id, code: 1011, reason: 'internal error' });
    const event = await error;
    shown.push(event.message);
    expect(event.code).to.equal('connection-lost');
    expect(event.message).to.equal('Connection lost: internal error');
    await el.updateComplete;
    expect(status(el)).to.equal('Fehler: Verbindung verloren');
    await waitUntil(() => el.online, 'not back after the backoff');
  });

  it('a refused token is retried after the backoff with a fresh one from tokenProvider; each refusal is told', async () => {
    const { url } = await wspConfig();
    const user = freshUser('ce');
    const errors: string[] = [];
    let asked = 0;
    // Two expired tokens, then good ones.
    const tokenProvider = async () => (++asked <= 2 ? minted(user, { iat: now() - 120, exp: now() - 60 }) : handed(await devToken(user)));
    const el = document.createElement('wsp-call');
    el.addEventListener('error', (event) => errors.push(`${event.code}: ${event.message}`));
    Object.assign(el, { caller: `${user}@localhost`, tokenProvider, server: url });
    document.body.append(el);
    await waitUntil(() => el.online && asked >= 3, 'never online with the third token', { timeout: 20_000 });
    expect(errors).to.deep.equal(['token-refused: Sign-in refused: token expired', 'token-refused: Sign-in refused: token expired']);
    await el.updateComplete;
    expect(status(el)).to.equal('Ready');
    shown.push(...errors, status(el));
  });

  it('no console message, error text or status line holds the token, nor any URL the page requested', async () => {
    // The checks of every test above run after each (afterEach); this one asks for TURN credentials too, whose request
    // carries the token in its body, and tries an upgrade the server refuses for its origin with a valid token.
    const { turn, strict } = await wspConfig();
    const user = freshUser('ce');
    const el = document.createElement('wsp-call');
    Object.assign(el, { caller: `${user}@localhost`, tokenProvider: async () => handed(await devToken(user, turn)), server: turn.url });
    document.body.append(el);
    await waitUntil(() => el.online, 'never online');
    const turnRequests = () => performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/wsp/turn'));
    await waitUntil(() => turnRequests().length > 0, 'no TURN credentials asked for');
    const refused = await failing(strict.url, { token: handed(await devToken(freshUser('ce'))) });
    expect(refused.error.code).to.equal('origin-refused');
    expect(tokens.length).to.be.greaterThan(2);
    console.debug('the page’s console is read'); // what the checks read holds what the page writes
    expect(shown).to.include('the page’s console is read');
    expectNoTokenShown();
  });
});
