/* archsite search: the search box of the default theme. No server, no network, no framework.
   The index (search/meta.js, search/t/N.js, search/p/N.js, written by `archsite build`) is
   loaded only when the reader first searches, by <script> elements with paths relative to the
   page, which also works from file:// where fetch() is refused. The query rules mirror
   src/search/index.rs and tokenize.rs; the Korean suffix table comes from meta.js. */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement.getAttribute("data-root") || "";
  var base = root + "search/";
  var EXACT = 1.0, PREFIX = 0.6, COVER = 0.5, MAX_PAGES = 10, PER_PAGE = 3, MAX_PREFIX_SHARDS = 8;
  var SNIPPET = 90;

  /* ---------- loading: each index file is a script that calls back into this object ---------- */

  var store = { meta: null, shards: {}, pages: {} };
  var loading = {};
  // Each file passes its data as a JSON string (parsed faster than an object literal).
  var api = window.__archsiteSearch = {
    meta: function (m) { store.meta = JSON.parse(m); },
    shard: function (i, s) { store.shards[i] = JSON.parse(s); },
    page: function (i, p) { store.pages[i] = JSON.parse(p); }
  };

  function load(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (resolve, reject) {
        var s = doc.createElement("script");
        s.src = base + path;
        s.async = true;
        s.onload = function () { resolve(); };
        s.onerror = function () { delete loading[path]; reject(new Error("cannot load " + path)); };
        doc.head.appendChild(s);
      });
    }
    return loading[path];
  }

  function loadMeta() { return load("meta.js").then(function () { return store.meta; }); }
  function loadShard(i) { return load("t/" + i + ".js").then(function () { return store.shards[i]; }); }
  function loadPage(i) { return load("p/" + i + ".js").then(function () { return store.pages[i]; }); }

  /* ---------- analysis (tokenize.rs) ---------- */

  var HANGUL = /[\uAC00-\uD7A3]/;
  var JAMO = /[\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uD7B0-\uD7FF]/;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var DIGIT = /[0-9]/;

  function charClass(c) {
    if (HANGUL.test(c)) return 1;
    if (ALNUM.test(c) && !JAMO.test(c)) return 2;
    return 0;
  }

  function isParticle(w, suffixes) {
    for (var i = 0; i < suffixes.length; i++) if (suffixes[i][0] === w) return true;
    return false;
  }

  // Words of `text` with their UTF-16 offsets: [{text, start, end, hangul}].
  function words(text, suffixes) {
    var out = [];
    var chars = Array.from(text);
    var offsets = [];
    var at = 0;
    for (var k = 0; k < chars.length; k++) { offsets.push(at); at += chars[k].length; }
    offsets.push(at);
    var i = 0;
    while (i < chars.length) {
      var cls = charClass(chars[i]);
      if (cls === 0) { i++; continue; }
      var j = i + 1;
      while (j < chars.length) {
        var c = charClass(chars[j]);
        if (c === cls) { j++; continue; }
        if (cls === 2 && (chars[j] === "." || chars[j] === ",") && DIGIT.test(chars[j - 1]) &&
            j + 1 < chars.length && DIGIT.test(chars[j + 1])) { j++; continue; }
        break;
      }
      var start = offsets[i], end = offsets[j];
      var raw = text.slice(start, end);
      var last = out[out.length - 1];
      var glued = last && last.end === start && !last.hangul;
      if (cls === 1) {
        if (!(glued && isParticle(raw, suffixes))) out.push({ text: raw, start: start, end: end, hangul: true });
      } else {
        out.push({ text: raw.toLowerCase().replace(/,/g, ""), start: start, end: end, hangul: false });
      }
      i = j;
    }
    return out;
  }

  function finalConsonant(c) { return (c.charCodeAt(0) - 0xAC00) % 28; }

  function stem(word, suffixes) {
    var best = null;
    var n = word.length; // Hangul syllables are one UTF-16 unit each
    for (var i = 0; i < suffixes.length; i++) {
      var sfx = suffixes[i], text = sfx[0];
      if (text.length >= n || word.slice(n - text.length) !== text) continue;
      if (n - text.length < Math.max(sfx[2], 1)) continue;
      var f = finalConsonant(word.charAt(n - text.length - 1));
      var after = sfx[1];
      if ((after === 1 && f === 0) || (after === 2 && f !== 0) || (after === 3 && f !== 0 && f !== 8)) continue;
      if (!best || text.length > best.length) best = text;
    }
    return best ? word.slice(0, n - best.length) : word;
  }

  function cover(s) {
    var out = [];
    for (var i = 0; i + 1 < s.length; i += 2) out.push(s.slice(i, i + 2));
    if (s.length > 2 && s.length % 2 === 1) out.push(s.slice(s.length - 2));
    return out;
  }

  function queryWords(query, suffixes) {
    return words(query, suffixes).map(function (w) {
      if (!w.hangul) return { term: w.text, prefix: w.text.length >= 2, grams: [] };
      var t = stem(w.text, suffixes);
      return { term: t, prefix: true, grams: cover(t) };
    });
  }

  // Whether a word of the text matches a query word (for highlighting).
  function wordMatches(w, q, suffixes) {
    var t = w.hangul ? stem(w.text, suffixes) : w.text;
    if (t === q.term || (q.prefix && t.indexOf(q.term) === 0)) return true;
    for (var i = 0; i < q.grams.length; i++) if (w.text.indexOf(q.grams[i]) >= 0) return true;
    return false;
  }

  function matching(text, qs, suffixes) {
    return words(text, suffixes).filter(function (w) {
      for (var i = 0; i < qs.length; i++) if (wordMatches(w, qs[i], suffixes)) return true;
      return false;
    });
  }

  /* ---------- the index (shard.rs) ---------- */

  // Postings are base-32 numbers, the last digit of each from LAST, the others from MORE
  // (shard.rs). VALUE maps a character code to its value, +32 for a MORE digit, -1 otherwise.
  var LAST = "0123456789abcdefghijklmnopqrstuv", MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~!*";
  var VALUE = new Int8Array(128).fill(-1);
  for (var d = 0; d < 32; d++) { VALUE[LAST.charCodeAt(d)] = d; VALUE[MORE.charCodeAt(d)] = d + 32; }

  function decode(s) {
    var out = [], v = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), d = c < 128 ? VALUE[c] : -1;
      if (d >= 32) v = v * 32 + d - 32;
      else if (d >= 0) { out.push(v * 32 + d); v = 0; }
    }
    return out;
  }

  // A section's key: page * 65536 + section (sections are numbered below 65536 per page).
  var SECTIONS = 65536;

  function shardOf(starts, term) {
    var lo = 0, hi = starts.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (starts[mid] <= term) lo = mid + 1; else hi = mid; }
    return lo - 1;
  }

  // The shards a query word needs: its term's, the next ones while they may hold longer terms
  // with that prefix, and its bigrams'.
  function shardsFor(meta, q) {
    var need = {};
    var s = meta.starts;
    if (q.term) {
      var i = shardOf(s, q.term);
      if (i >= 0) need[i] = true;
      if (q.prefix) {
        for (var k = i + 1, n = 0; k < s.length && s[k].indexOf(q.term) === 0 && n < MAX_PREFIX_SHARDS; k++, n++) need[k] = true;
      }
    }
    q.grams.forEach(function (g) { var j = shardOf(s, g); if (j >= 0) need[j] = true; });
    return Object.keys(need).map(Number);
  }

  function idf(df, n) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); }

  function lookup(meta, kind, term) {
    var i = shardOf(meta.starts, term);
    var shard = i >= 0 && store.shards[i];
    return shard && Object.prototype.hasOwnProperty.call(shard[kind], term) ? shard[kind][term] : null;
  }

  // Adds an entry's postings to `scores` (section key → best score) and, for a long list cut
  // at build time, its pages to `pages` (page → score of a section not listed).
  function addEntry(entry, weight, n, scores, pages) {
    var w = weight * idf(entry[0], n);
    var nums = decode(entry[1]);
    var page = 0;
    for (var i = 0; i + 2 < nums.length; i += 3) {
      page += nums[i];
      var key = page * SECTIONS + nums[i + 1];
      var v = w * nums[i + 2];
      var old = scores.get(key);
      if (old === undefined || v > old) scores.set(key, v);
    }
    if (entry[2] && pages) {
      var all = decode(entry[2]), p = 0;
      for (var j = 0; j < all.length; j++) {
        p += all[j];
        var had = pages.get(p);
        if (had === undefined || w > had) pages.set(p, w);
      }
    }
  }

  function matchWord(meta, q) {
    var n = meta.sections;
    var scores = new Map(), pages = new Map();
    if (q.term) {
      var exact = lookup(meta, "w", q.term);
      if (exact) addEntry(exact, EXACT, n, scores, pages);
      if (q.prefix) {
        shardsFor(meta, { term: q.term, prefix: true, grams: [] }).forEach(function (i) {
          var terms = store.shards[i].w;
          for (var t in terms) {
            if (t !== q.term && t.indexOf(q.term) === 0) addEntry(terms[t], PREFIX, n, scores, pages);
          }
        });
      }
    }
    if (q.grams.length) {
      var all = null;
      for (var g = 0; g < q.grams.length; g++) {
        var entry = lookup(meta, "g", q.grams[g]);
        if (!entry) { all = null; break; }
        var here = new Map();
        addEntry(entry, q.term ? COVER : EXACT, n, here, null);
        if (all === null) all = here;
        else {
          var both = new Map();
          all.forEach(function (v, key) { var h = here.get(key); if (h !== undefined) both.set(key, Math.min(v, h)); });
          all = both;
        }
      }
      if (all) all.forEach(function (v, key) { var old = scores.get(key); if (old === undefined || v > old) scores.set(key, v); });
    }
    return { scores: scores, pages: pages };
  }

  // Pages best first, each with its best sections: the same ranking as index.rs `search`.
  // One pass over the matched sections keeps, per page, each word's best score and the page's
  // best PER_PAGE sections; nothing else is allocated per section (a common word matches
  // thousands of pages, and this runs before the engine has optimised anything).
  function rank(meta, qs) {
    var matches = qs.map(function (q) { return matchWord(meta, q); });
    var n = qs.length, byPage = new Map();
    for (var w = 0; w < n; w++) {
      matches[w].scores.forEach(function (ignored, key) {
        // Each section once: skip it for the later words that match it too.
        for (var e = 0; e < w; e++) if (matches[e].scores.has(key)) return;
        var p = Math.floor(key / SECTIONS), state = byPage.get(p);
        if (!state) byPage.set(p, state = { best: new Float64Array(n), top: [] });
        var count = 0, sum = 0;
        for (var i = 0; i < n; i++) {
          var m = matches[i], v = m.scores.get(key);
          // A section not listed for a word whose list was cut still has it if its page does.
          if (v === undefined) v = m.pages.get(p) || 0;
          if (v > 0) count++;
          sum += v;
          if (v > state.best[i]) state.best[i] = v;
        }
        var section = key - p * SECTIONS, top = state.top, at = top.length;
        // Insertion into the page's best sections: more words, then higher score, then first.
        while (at > 0) {
          var o = top[at - 1];
          if (o[0] > count || (o[0] === count && (o[2] > sum || (o[2] === sum && o[1] < section)))) break;
          at--;
        }
        if (at < PER_PAGE) {
          top.splice(at, 0, [count, section, sum]);
          if (top.length > PER_PAGE) top.pop();
        }
      });
    }
    var hits = [], most = 0;
    byPage.forEach(function (state, p) {
      var matched = 0, score = state.top[0][2];
      for (var i = 0; i < n; i++) { if (state.best[i] > 0) matched++; score += state.best[i]; }
      if (matched < most) return;
      if (matched > most) { most = matched; hits = []; }
      hits.push({ page: p, score: score, top: state.top });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
    return hits.map(function (h) {
      return { page: h.page, score: h.score, sections: h.top.map(function (s) { return [s[1], s[2]]; }) };
    });
  }

  // Marks each step of a query on the performance timeline (what bench/search.py reports).
  function mark(step) {
    if (window.performance && performance.mark) performance.mark("archsite-search:" + step);
  }

  // Runs a query: resolves to { hits, pages } with the page files of the first MAX_PAGES hits.
  function query(text) {
    mark("start");
    return loadMeta().then(function (meta) {
      mark("meta");
      var qs = queryWords(text, meta.suffixes).filter(function (q) { return q.term || q.grams.length; });
      if (!qs.length) return { words: qs, hits: [], pages: {} };
      var need = {};
      qs.forEach(function (q) { shardsFor(meta, q).forEach(function (i) { need[i] = true; }); });
      return Promise.all(Object.keys(need).map(loadShard)).then(function () {
        mark("shards");
        var hits = rank(meta, qs).slice(0, MAX_PAGES);
        mark("ranked");
        return Promise.all(hits.map(function (h) { return loadPage(h.page); })).then(function () {
          mark("pages");
          return { words: qs, hits: hits, pages: store.pages };
        });
      });
    });
  }
  api.query = query;
  api.analyze = function (text) {
    return loadMeta().then(function (meta) {
      return words(text, meta.suffixes).map(function (w) { return w.hangul ? stem(w.text, meta.suffixes) : w.text; });
    });
  };

  /* ---------- rendering ---------- */

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  // Appends `text` to `parent` with the given ranges wrapped in <mark>.
  function appendMarked(parent, text, ranges) {
    var at = 0;
    ranges.forEach(function (r) {
      if (r.start < at) return;
      if (r.start > at) parent.appendChild(doc.createTextNode(text.slice(at, r.start)));
      parent.appendChild(el("mark", null, text.slice(r.start, r.end)));
      at = r.end;
    });
    if (at < text.length) parent.appendChild(doc.createTextNode(text.slice(at)));
  }

  // A window of the section text around its first match.
  function snippet(text, qs, suffixes) {
    var hits = matching(text, qs, suffixes);
    var from = hits.length ? Math.max(0, hits[0].start - SNIPPET / 3) : 0;
    var to = Math.min(text.length, from + SNIPPET * 2);
    if (from > 0) { var sp = text.indexOf(" ", from); if (sp >= 0 && sp < hits[0].start) from = sp + 1; }
    var piece = text.slice(from, to);
    var ranges = hits.filter(function (h) { return h.start >= from && h.end <= to; })
      .map(function (h) { return { start: h.start - from, end: h.end - from }; });
    return { text: (from > 0 ? "…" : "") + piece + (to < text.length ? "…" : ""), ranges: ranges.map(function (r) {
      var shift = from > 0 ? 1 : 0; return { start: r.start + shift, end: r.end + shift };
    }) };
  }

  function pageHref(url, anchor, q) {
    var path = url.split("/").map(encodeURIComponent).join("/");
    return root + path + "?hl=" + encodeURIComponent(q) + (anchor ? "#" + encodeURIComponent(anchor) : "");
  }

  /* ---------- the search box: a combobox with a listbox of results ---------- */

  var box = doc.getElementById("search");
  var input = doc.getElementById("search-input");
  var panel = doc.getElementById("search-panel");
  var list = doc.getElementById("search-results");
  var status = doc.getElementById("search-status");
  var options = [];
  var active = -1;
  var seq = 0;

  function setActive(i) {
    if (active >= 0 && options[active]) {
      options[active].classList.remove("is-active");
      options[active].setAttribute("aria-selected", "false");
    }
    active = i;
    if (i >= 0 && options[i]) {
      options[i].classList.add("is-active");
      options[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open(show) {
    panel.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) setActive(-1);
  }

  function go(option) {
    if (option) window.location.href = option.getAttribute("data-href");
  }

  function render(q, result, suffixes) {
    list.textContent = "";
    options = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    result.hits.forEach(function (hit, h) {
      var page = result.pages[hit.page];
      if (!page) return;
      var group = el("div", "search-group");
      group.setAttribute("role", "group");
      var label = el("div", "search-page", page.t);
      label.id = "search-page-" + h;
      label.setAttribute("role", "presentation");
      group.setAttribute("aria-labelledby", label.id);
      group.appendChild(label);
      hit.sections.forEach(function (s, k) {
        var section = page.s[s[0]];
        if (!section) return;
        var option = el("div", "search-option");
        option.id = "search-option-" + h + "-" + k;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-href", pageHref(page.u, section[0], q));
        var title = el("span", "search-section");
        appendMarked(title, section[1], matching(section[1], result.words, suffixes));
        option.appendChild(title);
        var snip = snippet(section[2], result.words, suffixes);
        if (snip.text) {
          var text = el("span", "search-snippet");
          appendMarked(text, snip.text, snip.ranges);
          option.appendChild(text);
        }
        option.addEventListener("click", function () { go(option); });
        options.push(option);
        group.appendChild(option);
      });
      list.appendChild(group);
    });
    status.textContent = result.hits.length ? "" : box.getAttribute("data-none");
    list.hidden = !options.length;
    // Which query the list answers: results of earlier keystrokes can still be showing.
    list.setAttribute("data-query", q);
    open(true);
    mark("shown");
  }

  function run() {
    var q = input.value;
    var mine = ++seq;
    if (!q.trim()) { list.textContent = ""; options = []; status.textContent = ""; open(false); return; }
    if (!store.meta) { status.textContent = box.getAttribute("data-loading"); list.hidden = true; open(true); }
    query(q).then(function (result) {
      if (mine === seq) render(q, result, store.meta.suffixes);
    }, function () {
      if (mine !== seq) return;
      list.setAttribute("data-query", q);
      status.textContent = box.getAttribute("data-failed");
      list.hidden = true;
      open(true);
    });
  }

  if (box && input && panel && list && status) {
    input.addEventListener("focus", function () {
      loadMeta().catch(function () { /* reported when a query runs */ });
      if (input.value.trim() && options.length) open(true);
    });
    input.addEventListener("input", run);
    // A click in the list (or on its scroll bar) must not blur the input, which closes it.
    panel.addEventListener("mousedown", function (e) { e.preventDefault(); });
    // The list stays open while focus is in the search box or the list (which keyboard users
    // may tab to and scroll); it closes when focus leaves both.
    box.addEventListener("focusout", function (e) { if (!box.contains(e.relatedTarget)) open(false); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "Down") {
        e.preventDefault();
        if (panel.hidden && input.value.trim()) open(true);
        if (options.length) setActive(active + 1 < options.length ? active + 1 : 0);
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        e.preventDefault();
        if (options.length) setActive(active > 0 ? active - 1 : options.length - 1);
      } else if (e.key === "Enter") {
        e.preventDefault();
        go(options[active >= 0 ? active : 0]);
      } else if (e.key === "Escape" || e.key === "Esc") {
        if (!panel.hidden) { e.preventDefault(); e.stopPropagation(); open(false); }
        else if (input.value) { input.value = ""; run(); }
      }
    });
    doc.addEventListener("keydown", function (e) {
      var t = e.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey) {
        e.preventDefault();
        input.focus();
        input.select();
      } else if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.focus();
        input.select();
      }
    });
  }

  /* ---------- on the page a result opened: highlight the query's words ---------- */

  function highlightPage(q) {
    var article = doc.querySelector("article.page-content");
    if (!article) return;
    loadMeta().then(function (meta) {
      var qs = queryWords(q, meta.suffixes).filter(function (x) { return x.term || x.grams.length; });
      if (!qs.length) return;
      var walker = doc.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
        acceptNode: function (n) {
          var p = n.parentNode;
          if (!n.nodeValue.trim() || (p && /^(SCRIPT|STYLE|MARK)$/.test(p.nodeName))) return NodeFilter.FILTER_REJECT;
          if (p && p.closest && p.closest(".heading-anchor, .env-section, .visually-hidden, .table-actions")) return NodeFilter.FILTER_REJECT;
          return NodeFilter.FILTER_ACCEPT;
        }
      });
      var nodes = [];
      while (walker.nextNode()) nodes.push(walker.currentNode);
      nodes.forEach(function (node) {
        var text = node.nodeValue;
        var hits = matching(text, qs, meta.suffixes);
        if (!hits.length) return;
        var frag = doc.createDocumentFragment();
        appendMarked(frag, text, hits);
        Array.prototype.forEach.call(frag.querySelectorAll("mark"), function (m) { m.className = "search-hit"; });
        node.parentNode.replaceChild(frag, node);
      });
    }).catch(function () { /* no index: nothing to highlight */ });
  }

  var hl = null;
  try { hl = new URLSearchParams(window.location.search).get("hl"); } catch (e) { hl = null; }
  if (hl) highlightPage(hl);
})();
