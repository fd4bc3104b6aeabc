// The pure rules of the call client (src/call): when it reconnects (backoff, a draining server's delay), what it
// reports of a connection that closed, and what its invite says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { invitation } from '../../src/call/invitation.js';
import { closeFailure, failure, retryDelay } from '../../src/call/reconnect.js';

describe('retryDelay', () => {
  test('backs off 1 s after the first failure, doubling up to 30 s (docs/protocol.md §4.6)', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map((failures) => retryDelay(failures)),
      [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000],
    );
  });

  test('takes the delay a draining server asks for, whatever the failures so far', () => {
    assert.equal(retryDelay(0, { code: 1012, reason: 'retry-after=2500' }), 2500);
    assert.equal(retryDelay(5, { code: 1012, reason: 'retry-after=0' }), 0);
  });

  test('keeps a drain delay within the protocol’s bound (§3.2): a server cannot keep a client away longer than 300 s', () => {
    assert.equal(retryDelay(0, { code: 1012, reason: 'retry-after=999999999' }), 300_000);
  });

  test('backs off as usual for other closes, and for a drain reason it cannot read', () => {
    assert.equal(retryDelay(2, { code: 1006, reason: 'retry-after=2500' }), 2000);
    assert.equal(retryDelay(2, { code: 1012, reason: 'retry-after=soon' }), 2000);
    assert.equal(retryDelay(2, { code: 1012, reason: 'retry-after=-5' }), 2000);
    assert.equal(retryDelay(2, { code: 1012, reason: '' }), 2000);
  });
});

describe('closeFailure', () => {
  test('tells the refusals of docs/protocol.md §3.3 apart, with the server’s reason', () => {
    assert.deepEqual(closeFailure({ code: 4401, reason: 'token expired' }, true), { code: 'token-refused', message: 'Sign-in refused: token expired' });
    assert.deepEqual(closeFailure({ code: 4404, reason: 'unknown user mallory' }, true), {
      code: 'token-refused',
      message: 'Sign-in refused: unknown user mallory',
    });
    assert.deepEqual(closeFailure({ code: 4403, reason: 'origin https://evil.example is not allowed to connect' }, true), {
      code: 'origin-refused',
      message: 'This site may not connect: origin https://evil.example is not allowed to connect',
    });
  });

  test('any other close: unreachable when the socket never opened, lost when it had', () => {
    assert.deepEqual(closeFailure({ code: 1006, reason: '' }, false), { code: 'unreachable', message: 'Server unreachable' });
    assert.deepEqual(closeFailure({ code: 1006, reason: '' }, true), { code: 'connection-lost', message: 'Connection lost' });
    assert.deepEqual(closeFailure({ code: 1001, reason: 'server shutting down' }, true), {
      code: 'connection-lost',
      message: 'Connection lost: server shutting down',
    });
    assert.deepEqual(failure('token-provider', 'Error: token: HTTP 401'), { code: 'token-provider', message: 'No sign-in token: Error: token: HTTP 401' });
  });
});

describe('invitation', () => {
  test('normalizes both addresses and leaves the timeout to the server when none is set', () => {
    assert.deepEqual(invitation({ caller: 'Alice@Example.org', callee: 'bob@example.org' }), {
      parties: { caller: { uri: 'alice@example.org' }, callee: { uri: 'bob@example.org' } },
      timeout: undefined,
    });
  });

  test('sends the display name, cut to the protocol’s text limit, and rounds the ring timeout into its bounds', () => {
    const long = 'A'.repeat(1000);
    const invite = invitation({ caller: 'alice@example.org', callee: 'bob@example.org', callerName: long, ringTimeout: 5 });
    assert.ok(typeof invite !== 'string');
    assert.ok(invite.parties.caller.name!.length < long.length);
    assert.equal(invite.timeout, 1000);
    const late = invitation({ caller: 'alice@example.org', callee: 'bob@example.org', ringTimeout: 1e9 });
    assert.equal(typeof late !== 'string' && late.timeout, 120_000);
  });

  test('names the callee as the caller knows them, cut to the same limit', () => {
    const invite = invitation({ caller: 'alice@example.org', callee: 'bob@example.org', calleeName: 'Bob Example' });
    assert.ok(typeof invite !== 'string');
    assert.deepEqual(invite.parties.callee, { uri: 'bob@example.org', name: 'Bob Example' });
  });

  test('says why there is no call when an address is not user@domain', () => {
    assert.equal(invitation({ caller: 'alice@example.org', callee: 'bob' }), 'caller and callee must be user@domain');
    assert.equal(invitation({ caller: '', callee: 'bob@example.org' }), 'caller and callee must be user@domain');
    assert.equal(invitation({ caller: 'alice@example.org' }), 'caller and callee must be user@domain');
  });
});
