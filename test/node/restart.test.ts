// The close reason of a draining server (docs/protocol.md §3.1), written by the server and read by clients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_RETRY_AFTER_MS, restartCloseReason, retryAfterOf } from '../../src/protocol/index.js';

test('retryAfterOf reads back every delay restartCloseReason writes, up to the maximum', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 999_999_999 }), (ms) => {
      assert.equal(retryAfterOf(restartCloseReason(ms)), Math.min(ms, MAX_RETRY_AFTER_MS));
    }),
  );
  assert.equal(restartCloseReason(1830), 'retry-after=1830');
});

test('retryAfterOf refuses anything but retry-after= and 1 to 9 digits', () => {
  for (const reason of [
    '',
    'retry-after=',
    'retry-after=-5',
    'retry-after=1.5',
    'retry-after=1e3',
    ' retry-after=5',
    'retry-after=5 ',
    'Retry-After=5',
    'retry-after=1234567890',
    'server shutting down',
  ]) {
    assert.equal(retryAfterOf(reason), undefined, reason);
  }
});
