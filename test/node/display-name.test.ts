// The sanitizer of peers' display names (src/i18n/display-name.ts), issue 11 item 5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { displayName } from '../../src/i18n/display-name.js';

describe('displayName', () => {
  test('keeps an ordinary name, in any script', () => {
    assert.equal(displayName('Alice Example'), 'Alice Example');
    assert.equal(displayName('محمد علي'), 'محمد علي');
    assert.equal(displayName('Zoë 👩‍👩‍👧'), 'Zoë 👩‍👩‍👧');
    // ZWNJ is part of Persian spelling.
    assert.equal(displayName('می‌خواهم'), 'می‌خواهم');
  });

  test('an absent, empty or blank name is no name', () => {
    for (const name of [undefined, '', ' ', '\t\n', '\u202E', '\u200B\u2066\u2069', '\u0000\u007F\u0085']) {
      assert.equal(displayName(name), undefined, JSON.stringify(name));
    }
  });

  test('removes bidi marks, embeddings, overrides and isolates', () => {
    for (const mark of ['\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u061C']) {
      assert.equal(displayName(`bob${mark}@example.org`), 'bob@example.org', `U+${mark.codePointAt(0)!.toString(16)}`);
    }
    assert.equal(displayName('\u202Egro.elpmaxe@ecila'), 'gro.elpmaxe@ecila');
  });

  test('turns controls and separators into single spaces, removes other format characters', () => {
    assert.equal(displayName('a\u0000b\u001Fc\u007Fd\u0080e\u009Ff'), 'a b c d e f');
    assert.equal(displayName('line\r\none\u2028two\u2029three'), 'line one two three');
    assert.equal(displayName('zero\u200Bwidth\uFEFF\u00ADtag\u{E0041}'), 'zerowidthtag');
    assert.equal(displayName('lone \uD800 surrogate'), 'lone surrogate');
  });

  test('leaves replacement patterns as text: the caller of it fills strings without them', () => {
    assert.equal(displayName("$'$`$&"), "$'$`$&");
  });
});
