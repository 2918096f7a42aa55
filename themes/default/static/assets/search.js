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
  var WAVES = [1, 4, MAX_PAGES];
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

  var JAMO = /[\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uD7B0-\uD7FF]/;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var DIGIT = /[0-9]/;

  // 1 for a Hangul syllable, 2 for another letter or digit, 0 otherwise. ASCII and Hangul
  // syllables, nearly all of the text, are told by their code; the regular expressions decide
  // the rest.
  function charClass(c) {
    var code = c.charCodeAt(0);
    if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ? 2 : 0;
    if (code >= 0xAC00 && code <= 0xD7A3) return 1;
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

  // Whether a word of the text matches a query word (for highlighting): the word itself or a
  // longer word it begins (its stem), or, for Korean, a compound that holds the whole query
  // word (고가용성 for 가용성). Words that only share a part with it do not: a search for
  // 운영환경의 must not mark 개발환경 or 환경 on a page that compares exactly those.
  function wordMatches(w, q, suffixes) {
    // A stem is a prefix of its word: a word that does not start with the query's term cannot
    // match it, and is not stemmed (a hundred suffixes to try, for every word of a snippet).
    if (w.text.indexOf(q.term) === 0) {
      var t = w.hangul ? stem(w.text, suffixes) : w.text;
      if (t === q.term || (q.prefix && t.indexOf(q.term) === 0)) return true;
    }
    return w.hangul && q.grams.length > 0 && w.text.indexOf(q.term) > 0;
  }

  // Words of a Korean query word written apart (운영 환경의 for 운영환경의): runs of words with
  // only spaces between them that spell the query's term. Adds them to `hit`.
  function spelledApart(text, list, q, hit) {
    if (!q.grams.length) return;
    for (var i = 0; i < list.length; i++) {
      // Only a word shorter than the term starts such a run (a longer one matches by itself).
      var spelled = list[i].text;
      if (!list[i].hangul || spelled.length >= q.term.length || q.term.indexOf(spelled) !== 0) continue;
      for (var j = i + 1; j < list.length && list[j].hangul; j++) {
        if (/\S/.test(text.slice(list[j - 1].end, list[j].start))) break;
        spelled += list[j].text;
        if (spelled.indexOf(q.term) === 0) {
          for (var k = i; k <= j; k++) hit[k] = true;
          break;
        }
        if (q.term.indexOf(spelled) !== 0) break;
      }
    }
  }

  function matching(text, qs, suffixes) {
    var list = words(text, suffixes), hit = [];
    for (var i = 0; i < qs.length; i++) spelledApart(text, list, qs[i], hit);
    return list.filter(function (w, k) {
      if (hit[k]) return true;
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

  // The numbers are read where they are used, digit by digit, with nothing allocated: a query
  // reads thousands of them before the engine has optimised anything, and garbage collection
  // was a third of its time when each list was decoded into an array first.

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

  // Adds an entry's postings to `m.scores` (section key → best score) and, for a long list cut
  // at build time, its pages to `m.pages` (page → score of a section not listed; a typed array
  // over all pages, since such a list names thousands of them).
  function addEntry(entry, weight, meta, m, withPages) {
    var w = weight * idf(entry[0], meta.sections), scores = m.scores;
    // Postings are triples: page delta, section, weight.
    var s = entry[1], v = 0, k = 0, page = 0, section = 0, i, c, d;
    for (i = 0; i < s.length; i++) {
      c = s.charCodeAt(i);
      d = c < 128 ? VALUE[c] : -1;
      if (d >= 32) { v = v * 32 + d - 32; continue; }
      if (d < 0) continue;
      v = v * 32 + d;
      if (k === 0) { page += v; k = 1; }
      else if (k === 1) { section = v; k = 2; }
      else {
        var key = page * SECTIONS + section, score = w * v, old = scores.get(key);
        if (old === undefined || score > old) scores.set(key, score);
        k = 0;
      }
      v = 0;
    }
    if (entry[2] && withPages) {
      var all = entry[2], p = 0, pages = m.pages || (m.pages = new Float64Array(meta.pages));
      for (i = 0, v = 0; i < all.length; i++) {
        c = all.charCodeAt(i);
        d = c < 128 ? VALUE[c] : -1;
        if (d >= 32) { v = v * 32 + d - 32; continue; }
        if (d < 0) continue;
        p += v * 32 + d;
        v = 0;
        if (w > pages[p]) pages[p] = w;
      }
    }
  }

  function matchWord(meta, q) {
    var m = { scores: new Map(), pages: null };
    if (q.term) {
      var exact = lookup(meta, "w", q.term);
      if (exact) addEntry(exact, EXACT, meta, m, true);
      if (q.prefix) {
        shardsFor(meta, { term: q.term, prefix: true, grams: [] }).forEach(function (i) {
          var terms = store.shards[i].w;
          for (var t in terms) {
            if (t !== q.term && t.indexOf(q.term) === 0) addEntry(terms[t], PREFIX, meta, m, true);
          }
        });
      }
    }
    if (q.grams.length) {
      var all = null;
      for (var g = 0; g < q.grams.length; g++) {
        var entry = lookup(meta, "g", q.grams[g]);
        if (!entry) { all = null; break; }
        var here = { scores: new Map(), pages: null };
        addEntry(entry, q.term ? COVER : EXACT, meta, here, false);
        if (all === null) all = here.scores;
        else {
          var both = new Map();
          all.forEach(function (v, key) { var h = here.scores.get(key); if (h !== undefined) both.set(key, Math.min(v, h)); });
          all = both;
        }
      }
      if (all) all.forEach(function (v, key) { var old = m.scores.get(key); if (old === undefined || v > old) m.scores.set(key, v); });
    }
    return m;
  }

  // Pages best first, each with its best sections: the same ranking as index.rs `search`.
  // One pass over the matched sections keeps, per page, each word's best score and the page's
  // best PER_PAGE sections; nothing else is allocated per section (a common word matches
  // thousands of pages, and this runs before the engine has optimised anything).
  function rank(meta, qs, limit) {
    var matches = qs.map(function (q) { return matchWord(meta, q); });
    var n = qs.length, byPage = new Map();
    for (var w = 0; w < n; w++) {
      matches[w].scores.forEach(function (ignored, key) {
        // Each section once: skip it for the later words that match it too.
        for (var e = 0; e < w; e++) if (matches[e].scores.has(key)) return;
        var p = Math.floor(key / SECTIONS), state = byPage.get(p);
        if (!state) {
          state = { best: [], top: [] };
          for (var b = 0; b < n; b++) state.best.push(0);
          byPage.set(p, state);
        }
        var count = 0, sum = 0;
        for (var i = 0; i < n; i++) {
          var m = matches[i], v = m.scores.get(key);
          // A section not listed for a word whose list was cut still has it if its page does.
          if (v === undefined) v = m.pages ? m.pages[p] : 0;
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
    // The best `limit` pages, best first (higher score, then first page), kept while going
    // through them rather than sorting the thousands a common word matches.
    var hits = [], most = 0;
    byPage.forEach(function (state, p) {
      var matched = 0, score = state.top[0][2];
      for (var i = 0; i < n; i++) { if (state.best[i] > 0) matched++; score += state.best[i]; }
      if (matched < most) return;
      if (matched > most) { most = matched; hits = []; }
      var at = hits.length;
      while (at > 0 && (hits[at - 1].score < score || (hits[at - 1].score === score && hits[at - 1].page > p))) at--;
      if (at < limit) {
        hits.splice(at, 0, { page: p, score: score, top: state.top });
        if (hits.length > limit) hits.pop();
      }
    });
    return hits.map(function (h) {
      return { page: h.page, score: h.score, sections: h.top.map(function (s) { return [s[1], s[2]]; }) };
    });
  }

  // Marks each step of a query on the performance timeline (what bench/search.py reports).
  function mark(step) {
    if (window.performance && performance.mark) performance.mark("archsite-search:" + step);
  }

  // Runs a query: resolves to { words, hits, pages, ready } with the page files of the first
  // MAX_PAGES hits. `onPart`, when given, is called each time the hits from the first on
  // (`ready` of them) can be shown and more are still loading. The page files load in WAVES,
  // the best hit's alone first: a browser spends a few milliseconds on each file, so with ten
  // at once the best results waited for the slowest (bench/search.py at 10,000 pages, medians:
  // first results 27 ms this way, 31 ms with the best three first, 34 ms with all ten; the
  // whole list 60, 58 and 49 ms).
  function query(text, onPart) {
    mark("start");
    return loadMeta().then(function (meta) {
      mark("meta");
      var qs = queryWords(text, meta.suffixes).filter(function (q) { return q.term || q.grams.length; });
      if (!qs.length) return { words: qs, hits: [], pages: {}, ready: 0 };
      var need = {};
      qs.forEach(function (q) { shardsFor(meta, q).forEach(function (i) { need[i] = true; }); });
      return Promise.all(Object.keys(need).map(loadShard)).then(function () {
        mark("shards");
        var hits = rank(meta, qs, MAX_PAGES);
        mark("ranked");
        // A page file that cannot be loaded leaves its hit out (and result.incomplete set)
        // rather than the results whose files came.
        var result = { words: qs, hits: hits, pages: store.pages, ready: 0, incomplete: false };
        var missing = {};
        function arrived() {
          var n = result.ready;
          while (n < hits.length && (store.pages[hits[n].page] || missing[hits[n].page])) n++;
          if (n === result.ready) return;
          if (!result.ready) mark("first");
          result.ready = n;
          if (onPart && n < hits.length) onPart(result);
        }
        function wave(from, to) {
          return Promise.all(hits.slice(from, to).map(function (h) {
            return loadPage(h.page).catch(function () { missing[h.page] = true; result.incomplete = true; }).then(arrived);
          }));
        }
        arrived();
        return WAVES.reduce(function (done, end, k) {
          return done.then(function () { return wave(k ? WAVES[k - 1] : 0, end); });
        }, Promise.resolve()).then(function () {
          mark("pages");
          return result;
        });
      });
    });
  }
  api.query = query;
  // The words of `text` a query marks (what the result list and the opened page highlight).
  api.marks = function (text, q) {
    return loadMeta().then(function (meta) {
      var qs = queryWords(q, meta.suffixes).filter(function (x) { return x.term || x.grams.length; });
      return matching(text, qs, meta.suffixes).map(function (w) { return w.text; });
    });
  };
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
  var shownHits = 0;
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

  // Shows the first `result.ready` hits. While more are loading (aria-busy), a later call for
  // the same query appends the groups that came in and keeps the option the reader is on.
  function render(q, result, suffixes) {
    var more = list.getAttribute("data-query") === q && list.getAttribute("aria-busy") === "true";
    if (!more) {
      list.textContent = "";
      options = [];
      setActive(-1);
      shownHits = 0;
    }
    for (; shownHits < result.ready; shownHits++) renderHit(q, result, suffixes, shownHits);
    var busy = result.ready < result.hits.length;
    status.textContent = !result.hits.length ? box.getAttribute("data-none") :
      result.incomplete && !busy ? box.getAttribute("data-incomplete") : "";
    list.hidden = !options.length;
    // Which query the list answers (results of earlier keystrokes can still be showing), and
    // whether more of its results are on their way.
    list.setAttribute("data-query", q);
    list.setAttribute("aria-busy", busy ? "true" : "false");
    // Only a query's first results open the list: not the later ones of a list closed since.
    if (!more) { open(true); mark("shown"); }
    if (!busy) mark("complete");
  }

  function renderHit(q, result, suffixes, h) {
    var hit = result.hits[h];
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
  }

  function run() {
    var q = input.value;
    var mine = ++seq;
    if (!q.trim()) { list.textContent = ""; options = []; list.setAttribute("aria-busy", "false"); status.textContent = ""; open(false); return; }
    if (!store.meta) { status.textContent = box.getAttribute("data-loading"); list.hidden = true; open(true); }
    var show = function (result) { if (mine === seq) render(q, result, store.meta.suffixes); };
    query(q, show).then(show, function () {
      if (mine !== seq) return;
      list.setAttribute("data-query", q);
      list.setAttribute("aria-busy", "false");
      status.textContent = box.getAttribute("data-failed");
      list.hidden = true;
      open(true);
    });
  }

  // On a phone the box opens from a button in the header (archsite.css); there, and on any
  // touch screen, the placeholder is the short word: no keyboard, no shortcut to show.
  var toggle = doc.getElementById("search-toggle");
  var header = box && box.closest(".site-header");
  function setSearching(on) {
    if (!toggle || !header) return;
    header.classList.toggle("is-searching", on);
    toggle.setAttribute("aria-expanded", on ? "true" : "false");
  }
  if (input && window.matchMedia && window.matchMedia("(hover: none), (pointer: coarse)").matches) {
    var touchWord = input.getAttribute("data-placeholder-touch");
    if (touchWord) input.setAttribute("placeholder", touchWord);
  }
  if (toggle && header && input) {
    toggle.addEventListener("click", function () {
      var on = !header.classList.contains("is-searching");
      setSearching(on);
      if (on) input.focus();
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
    box.addEventListener("focusout", function (e) {
      if (box.contains(e.relatedTarget)) return;
      open(false);
      if (e.relatedTarget !== toggle) setSearching(false);
    });
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
        else if (header && header.classList.contains("is-searching")) { setSearching(false); toggle.focus(); }
      }
    });
    doc.addEventListener("keydown", function (e) {
      var t = e.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey) ||
          (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey)) {
        e.preventDefault();
        setSearching(true);
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
