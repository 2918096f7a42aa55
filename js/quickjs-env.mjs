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

// Two shortcuts that build.rs splices into the bundle (see `patch_bundle` there). Each gives
// the same result as the mermaid code it stands in for, or undefined when it does not apply
// (that code then runs unchanged); tests/it/mermaid.rs holds them to the original code.

// `assignWithDepth(dst, src)` (mermaid's config merge, depth 2) into a fresh empty object: what
// `getConfig()` does a dozen to thirty times per diagram, 70 % of a small diagram's time in
// QuickJS. Same keys in the same order, same nesting and sharing (objects two levels down are
// copied with Object.assign, arrays deduplicated), without a closure, a destructured pair and a
// property descriptor per key. Only `__proto__` needs defineProperty to become an own key.
g.__archsiteAssignFresh = function assignFresh(dst, src) {
  if (dst === null || typeof dst !== 'object' || Array.isArray(dst)
      || Object.getPrototypeOf(dst) !== Object.prototype || Reflect.ownKeys(dst).length !== 0
      || !Object.isExtensible(dst)
      || src === null || typeof src !== 'object' || Array.isArray(src)) {
    return undefined;
  }
  const define = (o, k, v) => {
    if (k === '__proto__') {
      Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
    } else {
      o[k] = v;
    }
  };
  const unique = (into, from) => {
    from.forEach((s) => { if (!into.includes(s)) into.push(s); });
    return into;
  };
  const entries = Object.entries(src);
  for (let i = 0; i < entries.length; i++) {
    const key = entries[i][0];
    const value = entries[i][1];
    if (typeof value === 'object') {
      if (value === null) continue;
      if (Array.isArray(value)) {
        define(dst, key, unique([], value));
        continue;
      }
      const level = {};
      const inner = Object.entries(value);
      for (let j = 0; j < inner.length; j++) {
        const k = inner[j][0];
        const v = inner[j][1];
        if (typeof v === 'object') {
          if (v === null) continue;
          define(level, k, Array.isArray(v) ? unique([], v) : Object.assign({}, v));
        } else if (typeof level[k] !== 'object') {
          define(level, k, v);
        }
      }
      define(dst, key, level);
    } else if (typeof dst[key] !== 'object') {
      define(dst, key, value);
    }
  }
  return dst;
};

// The jison lexer's rule loop tries a state's rules one by one (up to ~150 `match` calls per
// token) and takes the first that matches at the start of the input. One regex of all of them,
// `(^(?:r1))|(^(?:r2))|…`, sticky, finds the same first rule in one call (an alternation tries
// its branches in order); the caller then runs that rule's own regex, so the match it keeps is
// the one the loop would have kept. QuickJS allows 255 capture groups per regex, so the rules
// are combined in chunks, tried in order. Returns the rule's position in `rules`, -1 when none
// matches, undefined when the shortcut does not apply (flex or backtracking lexers, rules
// without `^`, other flags, back-references).
const MAX_GROUPS = 200;
const combined = new WeakMap();
function combine(lexer, rules) {
  const patterns = rules.map((r) => lexer.rules[r]);
  const flags = patterns.length ? patterns[0].flags : '';
  const usable = patterns.length > 0 && patterns.every((p) => p instanceof RegExp
    && p.flags === flags && !/[gmy]/.test(flags)
    && p.source.charCodeAt(0) === 94 /* ^ */ && !/\\[1-9k]/.test(p.source));
  if (!usable) return null;
  const chunks = [];
  let chunk = null;
  patterns.forEach((p, i) => {
    // `p|` always matches, so its result has one slot per group of p.
    const groups = new RegExp(p.source + '|', flags).exec('').length - 1;
    if (groups + 1 > MAX_GROUPS) throw new Error('too many groups');
    if (chunk === null || chunk.group + groups + 1 > MAX_GROUPS) {
      chunk = { first: i, sources: [], starts: [], group: 1 };
      chunks.push(chunk);
    }
    chunk.sources.push('(' + p.source + ')');
    chunk.starts.push(chunk.group);
    chunk.group += groups + 1;
  });
  return chunks.map((c) => ({ first: c.first, starts: c.starts,
    all: new RegExp(c.sources.join('|'), flags + 'y') }));
}
g.__archsiteFirstRule = function firstRule(lexer, rules) {
  if (lexer.options && (lexer.options.flex || lexer.options.backtrack_lexer)) return undefined;
  let plan = combined.get(rules);
  if (plan === undefined) {
    try {
      plan = combine(lexer, rules);
    } catch (e) {
      plan = null;
    }
    combined.set(rules, plan);
  }
  if (plan === null) return undefined;
  const input = lexer._input;
  for (const chunk of plan) {
    chunk.all.lastIndex = 0;
    const m = chunk.all.exec(input);
    if (m === null) continue;
    for (let i = 0; i < chunk.starts.length; i++) {
      if (m[chunk.starts[i]] !== undefined) return chunk.first + i;
    }
    return undefined;
  }
  return -1;
};
