// What mermaid's parsers expect from a browser or Node and QuickJS lacks. Imported before
// mermaid, so it runs first. Only the parse-only bundle includes it; readers' browsers run the
// untouched mermaid.min.js.

const g = globalThis;
const noop = () => {};
g.console ??= { log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop };
// Parsing never waits on a timer; running the callback as a job keeps ordering sane.
g.setTimeout ??= (fn) => { Promise.resolve().then(fn); return 0; };
g.clearTimeout ??= noop;
g.queueMicrotask ??= (fn) => { Promise.resolve().then(fn); };

g.structuredClone ??= function clone(value) {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [clone(k), clone(v)]));
  if (value instanceof Set) return new Set([...value].map(clone));
  if (Array.isArray(value)) return value.map(clone);
  const out = {};
  for (const key of Object.keys(value)) out[key] = clone(value[key]);
  return out;
};

// UTF-8 only, which is all the parsers ask for.
g.TextEncoder ??= class TextEncoder {
  get encoding() { return 'utf-8'; }
  encode(text = '') {
    const bytes = [];
    for (const ch of String(text)) {
      const c = ch.codePointAt(0);
      if (c < 0x80) bytes.push(c);
      else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(bytes);
  }
};
g.TextDecoder ??= class TextDecoder {
  get encoding() { return 'utf-8'; }
  decode(input) {
    if (!input) return '';
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input.buffer ?? input);
    let out = '';
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      const n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
      let c = n === 1 ? b : b & (0xff >> (n + 1));
      for (let k = 1; k < n; k++) c = (c << 6) | (bytes[i + k] & 63);
      out += String.fromCodePoint(c);
      i += n;
    }
    return out;
  }
};

// Enough of WHATWG URL for @braintree/sanitize-url: absolute URLs parse, relative ones without a
// base throw, as in a browser.
g.URL ??= class URL {
  constructor(input, base) {
    const text = String(input).trim();
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(text);
    if (!m) {
      if (base === undefined) throw new TypeError(`Invalid URL: ${text}`);
      const b = new URL(base);
      return new URL(b.protocol + (b.host ? '//' + b.host : '') + (text.startsWith('/') ? text : '/' + text));
    }
    this.protocol = m[1].toLowerCase();
    this.host = m[3] ?? '';
    this.hostname = this.host.replace(/:\d+$/, '');
    this.port = (/:(\d+)$/.exec(this.host) ?? [])[1] ?? '';
    this.pathname = m[4] || (m[2] ? '/' : '');
    this.search = m[5] ?? '';
    this.hash = m[6] ?? '';
    this.username = '';
    this.password = '';
  }
  get origin() { return this.host ? `${this.protocol}//${this.host}` : 'null'; }
  get href() { return `${this.protocol}${this.host ? '//' + this.host : ''}${this.pathname}${this.search}${this.hash}`; }
  toString() { return this.href; }
  toJSON() { return this.href; }
  static canParse(input, base) {
    try { new URL(input, base); return true; } catch { return false; }
  }
};

// jison lexers test `/^(?:…)/` rules with `input.match(rule)`. QuickJS does not stop a failed
// `^` match at offset 0: it retries at every offset, which turns lexing into O(n²) (10 s instead
// of 0.25 s on a large flowchart). A sticky copy of the rule can only match at lastIndex.
const match = String.prototype.match;
// Per pattern: its sticky twin, or null when it is not a `^` pattern (asked once: reading
// `.source` builds a new string each time).
const sticky = new WeakMap();
String.prototype.match = function (pattern) {
  if (pattern instanceof RegExp) {
    let anchored = sticky.get(pattern);
    if (anchored === undefined) {
      anchored = !pattern.global && !pattern.sticky && !pattern.multiline
        && pattern.source.charCodeAt(0) === 94 /* ^ */
        ? new RegExp(pattern.source, pattern.flags + 'y')
        : null;
      sticky.set(pattern, anchored);
    }
    if (anchored) {
      anchored.lastIndex = 0;
      return anchored.exec(this);
    }
  }
  return match.call(this, pattern);
};
