// Finds the CSS and HTML template literals of a TypeScript module with TypeScript's own parser, so that a backtick in
// a string, a comment or a nested template inside `${}` is never taken for one. TypeScript 7 parses in its native
// process (typescript/unstable/sync): one process per finder, fed each module through a virtual file system.
import { SyntaxKind } from 'typescript/unstable/ast';
import { getLeadingCommentRanges, getTrailingCommentRanges, skipTrivia } from 'typescript/unstable/ast/scanner';
import { createVirtualFileSystem } from 'typescript/unstable/fs';
import { API } from 'typescript/unstable/sync';

/**
 * @typedef {{ start: number, end: number }} Quasi
 * Where a text of a template literal is in the module's source, between two delimiters (`` ` `` or `}` before it,
 * `` ` `` or `${` after it), as written (raw).
 */
/**
 * @typedef {{ language: 'css' | 'html', quasis: Quasi[] }} TemplateLiteral
 * A literal's texts in order; its `${}` substitutions sit between them.
 */

/** The comment that marks a plain template literal as CSS: `sheet.replaceSync(/* css *\/ `…`)`. */
const CSS_MARKER = /^\/\*\s*css\s*\*\/$/;

const DIR = '/wsp-template-literals';
const FILE = `${DIR}/module.ts`;
const CONFIG = `${DIR}/tsconfig.json`;
// Parsing only: no lib, no imports followed, no types, so the program holds this one file.
const PROJECT = JSON.stringify({ compilerOptions: { noLib: true, noResolve: true, types: [] }, files: ['module.ts'] });

/** Where the text of a template piece starts and ends, after its opening delimiter and before its closing one. */
const DELIMITERS = new Map([
  [SyntaxKind.NoSubstitutionTemplateLiteral, ['`', '`']],
  [SyntaxKind.TemplateHead, ['`', '${']],
  [SyntaxKind.TemplateMiddle, ['}', '${']],
  [SyntaxKind.TemplateTail, ['}', '`']],
]);

/**
 * A parser process for many modules. Close it when done: it is a child process.
 *
 * @example
 * const finder = new TemplateLiteralFinder();
 * try { for (const literal of finder.find(source)) console.log(literal.language, literal.quasis.length); }
 * finally { finder.close(); }
 */
export class TemplateLiteralFinder {
  #files = createVirtualFileSystem({ [CONFIG]: PROJECT, [FILE]: '' });
  #api = new API({ fs: this.#files, cwd: DIR });
  #snapshot;

  /**
   * The literals of `source` (TypeScript or JavaScript) to minify, in source order, nested ones included: tagged
   * `css` or `html` (Lit), or plain ones marked with a `/* css *\/` comment just before them.
   * @param {string} source
   * @returns {TemplateLiteral[]}
   */
  find(source) {
    const found = [];
    const visit = (node) => {
      const language = languageOf(node, source);
      const template = node.kind === SyntaxKind.TaggedTemplateExpression ? node.template : node;
      const literal = language && literalOf(template, source, language);
      if (literal) found.push(literal);
      node.forEachChild(visit);
    };
    visit(this.#parse(source));
    return found.sort((a, b) => a.quasis[0].start - b.quasis[0].start);
  }

  /** Ends the parser process. */
  close() {
    this.#snapshot?.dispose();
    this.#api.close();
  }

  #parse(source) {
    this.#files.writeFile(FILE, source);
    const next = this.#api.updateSnapshot(this.#snapshot ? { fileChanges: { changed: [FILE] } } : { openProjects: [CONFIG] });
    this.#snapshot?.dispose();
    this.#snapshot = next;
    return next.getProject(CONFIG).program.getSourceFile(FILE);
  }
}

/** 'css' or 'html' for a literal to minify, else undefined. */
function languageOf(node, source) {
  if (node.kind === SyntaxKind.TaggedTemplateExpression) {
    const name = node.tag.kind === SyntaxKind.Identifier ? node.tag.text : undefined;
    return name === 'css' || name === 'html' ? name : undefined;
  }
  const plain = node.kind === SyntaxKind.NoSubstitutionTemplateLiteral || node.kind === SyntaxKind.TemplateExpression;
  if (!plain || node.parent?.kind === SyntaxKind.TaggedTemplateExpression) return undefined;
  // The comments before the literal: those on the line before its own (leading) and those after the previous token
  // on the same line (trailing). The last one is the marker, or the literal is no CSS.
  const comments = [...(getTrailingCommentRanges(source, node.pos) ?? []), ...(getLeadingCommentRanges(source, node.pos) ?? [])];
  const last = comments.at(-1);
  return last && CSS_MARKER.test(source.slice(last.pos, last.end)) ? 'css' : undefined;
}

/** The pieces of a template literal node, or undefined when its delimiters are not where they should be (a syntax error). */
function literalOf(template, source, language) {
  const pieces = template.kind === SyntaxKind.TemplateExpression ? [template.head, ...template.templateSpans.map((span) => span.literal)] : [template];
  const quasis = [];
  for (const piece of pieces) {
    const delimiters = DELIMITERS.get(piece.kind);
    if (!delimiters) return undefined;
    const [open, close] = delimiters;
    const start = skipTrivia(source, piece.pos) + 1;
    const end = piece.end - close.length;
    if (source[start - 1] !== open || source.slice(end, piece.end) !== close || end < start) return undefined;
    quasis.push({ start, end });
  }
  return { language, quasis };
}
