// The parse-only bundle archsite runs inside QuickJS: mermaid's own parser, no DOM, no renderer
// called. esbuild inlines mermaid's lazy diagram imports, so one file holds every grammar.
import './quickjs-env.mjs';
import mermaid from 'mermaid';

mermaid.initialize({ startOnLoad: false });
// For the tests of the shortcuts in quickjs-env.mjs (mermaid's real configuration).
globalThis.__archsiteMermaid = mermaid;

// mermaid.parse() reports lines of the text its parsers see: mermaid's preprocessDiagram
// (src/preprocess.ts) first drops the front matter, `%%{…}%%` directives and `%%` comment
// lines, then trims the start. These are the same regexes, applied to a copy that remembers
// each character's line, so that an error's line maps back to the line the writer sees.
const FRONT_MATTER = /^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/s;
const DIRECTIVE = /%{2}{\s*(?:(\w+)\s*:|(\w+))\s*(?:(\w+)|((?:(?!}%{2}).|\r?\n)*))?\s*(?:}%{2})?/gi;
const COMMENT_LINE = /^\s*%%(?!{)[^\n]+\n?/gm;

function sourceLines(original) {
  let text = '';
  let lines = [];
  let line = 1;
  for (let i = 0; i < original.length; i++) {
    const c = original[i];
    if (c === '\r') {
      if (original[i + 1] === '\n') continue;
      text += '\n';
    } else {
      text += c;
    }
    lines.push(line);
    if (c === '\n' || c === '\r') line++;
  }
  const strip = (pattern) => {
    let kept = '';
    const keptLines = [];
    let from = 0;
    text.replace(pattern, (...args) => {
      const match = args[0];
      const at = args.find((a, k) => k > 0 && typeof a === 'number');
      kept += text.slice(from, at);
      keptLines.push(...lines.slice(from, at));
      from = at + match.length;
      return '';
    });
    kept += text.slice(from);
    keptLines.push(...lines.slice(from));
    text = kept;
    lines = keptLines;
  };
  strip(FRONT_MATTER);
  strip(DIRECTIVE);
  strip(COMMENT_LINE);
  strip(/^\s+/);
  // Line n of what the parser saw starts at the character after the (n-1)th newline.
  const starts = [lines[0] ?? 1];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') starts.push(lines[i + 1] ?? lines[i] + 1);
  }
  return starts;
}

function describe(err, text) {
  const hash = (err && err.hash) || {};
  const result = {
    ok: false,
    message: String((err && err.message) || err),
    // jison: the lexer's line (0-based) and the last token shifted before the error.
    lexerLine: typeof hash.line === 'number' ? hash.line + 1 : null,
    loc: hash.loc ? { line: hash.loc.first_line, column: hash.loc.first_column } : null,
    token: hash.token != null ? String(hash.token) : null,
    text: typeof hash.text === 'string' ? hash.text : null,
    expected: Array.isArray(hash.expected) ? hash.expected.map(String) : null,
    lines: null,
  };
  try {
    result.lines = sourceLines(text);
  } catch (e) {
    result.lines = null;
  }
  return result;
}

// Called from Rust with the diagram source; the result lands in globalThis.__archsiteResult
// once the promise settles (Rust drives QuickJS's job queue).
globalThis.__archsiteParse = function (text) {
  globalThis.__archsiteResult = null;
  mermaid.parse(text).then(
    (ok) => { globalThis.__archsiteResult = { ok: true, type: (ok && ok.diagramType) || null }; },
    (err) => { globalThis.__archsiteResult = describe(err, text); },
  );
};
