// Replaces ranges of a source text and says where each piece of the result came from (a source map), so that a
// build's own source map still points into the file as written after a plugin rewrote parts of it.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * @typedef {{ start: number, end: number, text: string }} Edit `source.slice(start, end)` becomes `text`.
 */

/**
 * `source` with the edits made (disjoint ranges, in any order), and a source map (v3) from the result back to
 * `source`: code kept as it was maps to the column of each of its words, edited text to the start of what it replaced.
 * @param {string} source
 * @param {Edit[]} edits
 * @param {string} file The name the map gives `source`.
 * @returns {{ code: string, map: object }}
 *
 * @example
 * applyEdits('a  = 1', [{ start: 1, end: 3, text: ' ' }], 'a.ts').code; // 'a = 1'
 */
export function applyEdits(source, edits, file) {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const map = new MappingWriter(source);
  let code = '';
  let from = 0;
  for (const edit of sorted) {
    if (edit.start < from) throw new Error(`overlapping edits at ${edit.start}`);
    map.kept(source.slice(from, edit.start), from);
    map.replaced(edit.text, edit.start);
    code += source.slice(from, edit.start) + edit.text;
    from = edit.end;
  }
  map.kept(source.slice(from), from);
  code += source.slice(from);
  return { code, map: { version: 3, sources: [file], sourcesContent: [source], names: [], mappings: map.mappings() } };
}

/** The map's segments, written as the result is: each line's segments in VLQ, relative to the previous ones. */
class MappingWriter {
  #lineStarts;
  #lines = [[]];
  #column = 0;

  constructor(source) {
    this.#lineStarts = [0];
    for (let at = source.indexOf('\n'); at !== -1; at = source.indexOf('\n', at + 1)) this.#lineStarts.push(at + 1);
  }

  /** Text copied from `source` at `from`: a segment at each start of a word, of a run of other characters, of a line. */
  kept(text, from) {
    for (let i = 0; i < text.length; i++) {
      if (i === 0 || text[i - 1] === '\n' || isWord(text[i]) !== isWord(text[i - 1])) this.#segment(from + i);
      this.#advance(text[i]);
    }
  }

  /** New text in place of what was at `from`: each of its lines maps there. */
  replaced(text, from) {
    for (let i = 0; i < text.length; i++) {
      if (i === 0 || text[i - 1] === '\n') this.#segment(from);
      this.#advance(text[i]);
    }
  }

  mappings() {
    let previous = [0, 0, 0];
    return this.#lines
      .map((segments) => {
        let column = 0;
        return segments
          .map(([outColumn, line, sourceColumn]) => {
            const fields = [outColumn - column, 0, line - previous[1], sourceColumn - previous[2]];
            column = outColumn;
            previous = [0, line, sourceColumn];
            return fields.map(vlq).join('');
          })
          .join(',');
      })
      .join(';');
  }

  #segment(position) {
    let line = this.#lineStarts.length - 1;
    let low = 0;
    while (low < line) {
      const middle = (low + line + 1) >> 1;
      if (this.#lineStarts[middle] <= position) low = middle;
      else line = middle - 1;
    }
    this.#lines.at(-1).push([this.#column, line, position - this.#lineStarts[line]]);
  }

  #advance(char) {
    if (char === '\n') {
      this.#lines.push([]);
      this.#column = 0;
    } else this.#column += 1;
  }
}

const isWord = (char) => /[\w$]/.test(char);

function vlq(value) {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}
