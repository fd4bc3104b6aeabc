// The whitespace rules for Lit `html` templates, on their raw text. Whitespace that holds a line break and sits between
// two boundaries (a tag, a comment, a `${}` binding, the template's start or end) is formatting, as in JSX: it goes.
// `</bdi>\n  <span>` → `</bdi><span>`. Any other run of whitespace in text, or between a tag's attributes, becomes one
// space, which renders the same (`</bdi> (` stays). Untouched: attribute values, `${}` expressions (they are not in
// the raw text), comments, and the content of <pre>, <textarea>, <script>, <style> and <title>.
//
// So a space that matters is written on the line it belongs to, never as a line break between tags or bindings. An
// element styled `white-space: pre` (or pre-line…) would show the collapsed runs: none of ours is.

/** HTML's whitespace (not U+00A0 or other Unicode spaces, which are text). */
const SPACE = /[ \t\n\f\r]/;
/** Elements whose text is kept as written. */
const KEPT = new Set(['pre', 'textarea', 'script', 'style', 'title']);

/**
 * The raw texts of one template (the parts around its `${}`), minified; as many as given, in the same order.
 * @param {string[]} raws
 * @returns {string[]}
 *
 * @example
 * minifyHtml(['<p>\n  ', '\n</p>']); // ['<p>', '</p>']
 */
export function minifyHtml(raws) {
  const reader = new HtmlReader();
  return raws.map((raw) => reader.read(raw));
}

/** Reads a template's raw texts in order, keeping the HTML tokenizer's state across its bindings. */
class HtmlReader {
  /** @type {'text' | 'tag' | 'quoted' | 'comment' | 'kept'} */
  #mode = 'text';
  /** What ends the current quoted value (`"`, `'`), comment (`-->`, `>`) or kept text (`</pre`…). */
  #until = '';
  /** The tag being read: a start tag of a KEPT element starts kept text. */
  #tag = { name: '', end: false };
  /** Just after a tag or a comment, in text: a boundary. */
  #afterTag = false;

  /**
   * One part of the template. Its start follows the template's start or a binding, its end precedes a binding or
   * the template's end: boundaries both, when in text.
   * @param {string} raw
   */
  read(raw) {
    let out = '';
    let at = 0;
    while (at < raw.length) {
      const char = raw[at];
      if (SPACE.test(char) && (this.#mode === 'text' || this.#mode === 'tag')) {
        const end = spaceEnd(raw, at);
        const run = raw.slice(at, end);
        // After a backslash: a line continuation or an escape, whose meaning is not ours to change.
        if (raw[at - 1] === '\\') out += run;
        else if (this.#mode === 'tag') out += ' ';
        else {
          const between = (at === 0 || this.#afterTag) && (end === raw.length || startsTag(raw, end));
          out += between && /[\n\r]/.test(run) ? '' : ' ';
          this.#afterTag = false;
        }
        at = end;
      } else if (this.#mode === 'text') {
        const opened = startsTag(raw, at);
        const copied = opened === 'comment' && raw.startsWith('<!--', at) ? '<!--' : char;
        if (opened === 'comment') this.#enter('comment', copied === '<!--' ? '-->' : '>');
        else if (opened === 'tag') {
          const end = raw[at + 1] === '/';
          const name = /^[a-zA-Z][^\s/>]*/.exec(raw.slice(at + (end ? 2 : 1)))?.[0] ?? '';
          this.#tag = { name: name.toLowerCase(), end };
          this.#mode = 'tag';
        }
        this.#afterTag = false;
        out += copied;
        at += copied.length;
      } else if (this.#mode === 'tag') {
        if (char === '"' || char === "'") this.#enter('quoted', char);
        else if (char === '>') this.#closeTag();
        out += char;
        at += 1;
      } else {
        // Quoted, comment or kept: copied as written up to what ends it (kept text: up to its end tag).
        const kept = this.#mode === 'kept';
        const found = kept ? indexOfTag(raw, this.#until, at) : raw.indexOf(this.#until, at);
        const end = found === -1 ? raw.length : found + (kept ? 0 : this.#until.length);
        out += raw.slice(at, end);
        at = end;
        if (found !== -1) this.#leave();
      }
    }
    return out;
  }

  #enter(mode, until) {
    this.#mode = mode;
    this.#until = until;
  }

  #leave() {
    if (this.#mode === 'kept') this.#tag = { name: this.#until.slice(2), end: true };
    if (this.#mode === 'comment') {
      this.#mode = 'text';
      this.#afterTag = true;
    } else this.#mode = 'tag';
  }

  #closeTag() {
    const { name, end } = this.#tag;
    if (!end && KEPT.has(name)) this.#enter('kept', `</${name}`);
    else {
      this.#mode = 'text';
      this.#afterTag = true;
    }
  }
}

/** Where `</name` (in any case) is in `raw` from `at`, or -1. */
function indexOfTag(raw, endTag, at) {
  const search = new RegExp(endTag, 'gi');
  search.lastIndex = at;
  return search.exec(raw)?.index ?? -1;
}

function spaceEnd(raw, at) {
  let end = at;
  while (end < raw.length && SPACE.test(raw[end])) end += 1;
  return end;
}

/** 'tag' when `raw` has a start or end tag at `at`, 'comment' for a comment (or `<!doctype>`, `<?…>`), else false. */
function startsTag(raw, at) {
  if (raw[at] !== '<') return false;
  const next = raw[at + 1] ?? '';
  if (next === '!' || next === '?') return 'comment';
  if (/[a-zA-Z]/.test(next) || (next === '/' && /[a-zA-Z]/.test(raw[at + 2] ?? ''))) return 'tag';
  return false;
}
