/**
 * A display name as a peer sent it, made safe to show: control characters (C0, DEL, C1) and line or paragraph
 * separators become spaces, format characters — bidi marks, embeddings, overrides and isolates (U+200E/F,
 * U+202A–U+202E, U+2066–U+2069, U+061C), zero-width spaces, U+FEFF, tags — and lone surrogates are removed, runs of
 * white space collapse to one space. Only ZWNJ and ZWJ (U+200C, U+200D) stay: Persian and Indic names and emoji
 * sequences need them, and neither reorders text. A name left empty is no name: undefined, and the address shows.
 *
 * @example
 * displayName('\u202Egro.elpmaxe@ecila'); // 'gro.elpmaxe@ecila', shown as written, no longer as an address
 * displayName('  '); // undefined
 */
export function displayName(name: string | undefined): string | undefined {
  return (
    name
      ?.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
      .replace(/(?![\u200c\u200d])[\p{Cf}\p{Cs}]/gu, '')
      .replace(/\s+/g, ' ')
      .trim() || undefined
  );
}
