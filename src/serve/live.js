// archsite preview: when a save changes the open page, fetches its new version and morphs it
// into the page (idiomorph, bundled before this script): the main content, the page's title,
// the header and footer, and the sidebar when nav.js changed. Diagrams whose source did not
// change are kept as drawn; the scroll position, open disclosures, the reader's zoom and focus
// stay. The page reloads only when the assets it loads changed (a script, a diagram page's
// first diagram), swaps stylesheets when only CSS changed, and shows build errors in an
// overlay, in the site's language, over the last good page. Served only by `archsite serve`;
// never part of a built site.
(function () {
  "use strict";
  var doc = document;
  var script = doc.currentScript;
  var base = script.getAttribute("src").replace(/__archsite\/live\.js$/, "");
  // The server names changed files by their output paths, unencoded (`reference/용어 사전.html`).
  var here = decodeURIComponent(location.pathname.slice(base.length)) || "index.html";
  if (here.slice(-1) === "/") here += "index.html";
  var scrollKey = "archsite-scroll:" + location.pathname;
  var overlay = null;

  var WORDS = {
    ko: {
      errors: function (n) { return "오류 " + n + "개 — 아래는 마지막으로 성공한 빌드의 페이지입니다"; },
      close: "닫기",
      help: "도움말",
      error: "오류",
      warning: "경고"
    },
    en: {
      errors: function (n) { return n + (n === 1 ? " error" : " errors") + " — the page below is the last good build"; },
      close: "Close",
      help: "help",
      error: "error",
      warning: "warning"
    }
  };
  var words = WORDS[(doc.documentElement.getAttribute("lang") || "").slice(0, 2)] || WORDS.en;

  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var y = parseInt(saved, 10);
    var restore = function () { window.scrollTo(0, y); };
    if (doc.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }

  // Says why in the console (a writer wondering why the page blinked can look).
  function reload(why) {
    if (window.console) console.info("archsite preview: reloading the page: " + (why && why.message || why || "the server is back"));
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  // A URL without the version `fresh` gave it.
  function unversioned(url) {
    return url.replace(/([?&])archsite-v=\d+/, "").replace(/[?&]$/, "");
  }

  // The URL with a new version, so that the browser asks for it again.
  function fresh(url) {
    var clean = unversioned(url);
    return clean + (clean.indexOf("?") < 0 ? "?" : "&") + "archsite-v=" + Date.now();
  }

  function swapStyles() {
    var links = doc.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) links[i].href = fresh(links[i].href);
  }

  /* ---------- the overlay ---------- */

  function text(tag, className, content) {
    var el = doc.createElement(tag);
    if (className) el.className = className;
    el.textContent = content;
    return el;
  }

  function showErrors(list) {
    hideErrors();
    overlay = doc.createElement("div");
    overlay.id = "archsite-overlay";
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("lang", doc.documentElement.getAttribute("lang") || "en");
    overlay.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#1b1f24;color:#f0f3f6;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;" +
      "padding:16px 20px;border-top:4px solid #e5534b;box-shadow:0 -4px 24px rgba(0,0,0,.35);overflow-wrap:anywhere";
    var head = text("div", "", words.errors(list.length));
    head.style.cssText = "font-weight:700;margin-bottom:8px;color:#ff938a";
    overlay.appendChild(head);
    var close = text("button", "", "×");
    close.setAttribute("aria-label", words.close);
    close.style.cssText = "position:absolute;top:8px;right:12px;background:none;border:0;color:inherit;font-size:20px;cursor:pointer";
    close.onclick = hideErrors;
    overlay.appendChild(close);
    list.forEach(function (d) {
      var item = doc.createElement("div");
      item.className = "archsite-diagnostic";
      item.style.cssText = "margin:10px 0;padding-top:8px;border-top:1px solid #30363d";
      var where = d.file ? d.file + (d.line ? ":" + d.line + ":" + d.column : "") : "";
      var severity = words[d.severity] || d.severity;
      item.appendChild(text("div", "", severity + "[" + d.code + "]: " + d.message));
      if (where) item.appendChild(text("div", "archsite-location", "  --> " + where));
      if (d.snippet) item.appendChild(text("pre", "", d.snippet)).style.cssText = "margin:4px 0;white-space:pre-wrap;color:#adbac7";
      if (d.help) item.appendChild(text("div", "", words.help + ": " + d.help)).style.color = "#6cb6ff";
      overlay.appendChild(item);
    });
    doc.body.appendChild(overlay);
  }

  function hideErrors() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
    overlay = null;
  }

  /* ---------- the new version of the page, morphed in ---------- */

  // What a page loads: a new version that loads something else is reloaded, not morphed.
  function assets(d) {
    var list = [];
    var nodes = d.querySelectorAll('head link[rel="stylesheet"], head script[src]');
    for (var i = 0; i < nodes.length; i++) {
      var url = nodes[i].getAttribute("href") || nodes[i].getAttribute("src");
      list.push(unversioned(url));
    }
    return list.join("\n") + "\n" + d.documentElement.getAttribute("lang") + " " + d.documentElement.getAttribute("data-root");
  }

  // A short hash of a string (FNV-1a), to name a diagram figure by what it holds.
  function hash(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    return h.toString(36);
  }

  // What a diagram figure shows (its source and caption, diagram.js's key): a drawn figure
  // remembers it, as its source has made way for the drawing; the others still hold it.
  function diagramKey(figure) {
    if (figure.archsiteKey != null) return figure.archsiteKey;
    return window.archsiteDiagrams && window.archsiteDiagrams.key ? window.archsiteDiagrams.key(figure) : "";
  }

  // Names every diagram figure by what it shows (and its rank among equal ones): the morph
  // then pairs a figure with its unchanged new version, which is kept as drawn, and a changed
  // figure with nothing, so that its new version is drawn afresh.
  function nameFigures(root) {
    var seen = {};
    var figures = root.querySelectorAll("figure[data-diagram]");
    for (var i = 0; i < figures.length; i++) {
      var key = hash(diagramKey(figures[i]));
      seen[key] = (seen[key] || 0) + 1;
      figures[i].setAttribute("id", "archsite-diagram-" + key + "-" + seen[key]);
    }
  }

  var callbacks = {
    beforeNodeMorphed: function (old, next) {
      // An unchanged diagram stays as drawn (its drawing, zoom and place are the reader's).
      if (old.nodeType === 1 && old.matches("figure[data-diagram]")) {
        return !(next.nodeType === 1 && old.getAttribute("id") === next.getAttribute("id"));
      }
      return true;
    },
    // Buttons, hints and toolbars the theme's scripts added are not in the new HTML: keep them.
    beforeNodeRemoved: function (node) {
      return !(node.nodeType === 1 && node.hasAttribute("data-archsite-ui"));
    },
    // A disclosure the reader opened or closed stays so.
    beforeAttributeUpdated: function (name, element) {
      return !(name === "open" && element.tagName === "DETAILS");
    }
  };

  function morph(old, next) {
    if (!old || !next) return;
    // idiomorph's default style: `old` itself becomes `next`, attributes and children.
    window.Idiomorph.morph(old, next, { callbacks: callbacks });
  }

  function replaceHead(next, selector) {
    var mine = doc.head.querySelector(selector), theirs = next.head.querySelector(selector);
    if (mine && theirs) mine.replaceWith(doc.importNode(theirs, true));
    else if (mine) mine.remove();
    else if (theirs) doc.head.appendChild(doc.importNode(theirs, true));
  }

  // Marks each step of an update on the performance timeline (what bench/preview.py reports).
  function mark(step) {
    if (window.performance && performance.mark) performance.mark("archsite-live:" + step);
  }

  // Where the reader is: an element near the top of the viewport and where it is on the
  // screen, and the headings around it (ids) in case that element goes. The morph moves
  // elements with ids through a holding place, which defeats the browser's own scroll
  // anchoring: `keepPlace` scrolls the page so that the element is where it was.
  function readingPlace(main) {
    var header = doc.querySelector(".site-header");
    var top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
    var article = main.querySelector("article") || main;
    var box = article.getBoundingClientRect();
    var probe = doc.elementFromPoint(Math.round(box.left + Math.min(box.width / 2, 200)), Math.round(top + 24));
    var el = probe && probe !== article && article.contains(probe) ? probe : null;
    var headings = main.querySelectorAll("h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]");
    var ids = [];
    for (var i = 0; i < headings.length; i++) {
      var r = headings[i].getBoundingClientRect();
      if (r.top >= top) { ids.unshift([headings[i].id, r.top]); break; }
      ids.unshift([headings[i].id, r.top]);
      if (ids.length > 1) ids.pop();
    }
    return { el: el, top: el ? el.getBoundingClientRect().top : 0, ids: ids };
  }

  function keepPlace(place) {
    if (place.el && place.el.isConnected) {
      window.scrollBy(0, place.el.getBoundingClientRect().top - place.top);
      return;
    }
    for (var i = 0; i < place.ids.length; i++) {
      var heading = doc.getElementById(place.ids[i][0]);
      if (heading) {
        window.scrollBy(0, heading.getBoundingClientRect().top - place.ids[i][1]);
        return;
      }
    }
  }

  function apply(html) {
    mark("fetched");
    var next = new DOMParser().parseFromString(html, "text/html");
    var main = doc.getElementById("content"), newMain = next.getElementById("content");
    // Scripts in the content would not run when morphed in: such a page is reloaded.
    if (!main || !newMain || assets(doc) !== assets(next) || newMain.querySelector("script")) {
      reload(!main || !newMain ? "no <main id=content>" : newMain.querySelector("script") ? "the content has a script" : "the page loads other assets");
      return;
    }
    doc.title = next.title;
    replaceHead(next, 'meta[name="description"]');
    replaceHead(next, 'link[rel="prev"]');
    replaceHead(next, 'link[rel="next"]');
    nameFigures(doc);
    nameFigures(next);
    var place = window.scrollY > 0 ? readingPlace(main) : null;
    morph(main, newMain);
    morph(doc.querySelector(".site-header .site-title"), next.querySelector(".site-header .site-title"));
    morph(doc.querySelector(".site-footer"), next.querySelector(".site-footer"));
    if (window.archsite) window.archsite.enhance();
    if (window.archsiteDiagrams) window.archsiteDiagrams.refresh();
    if (place) keepPlace(place);
    hideErrors();
    mark("morphed");
    window.dispatchEvent(new CustomEvent("archsite:updated"));
  }

  // One update at a time; saves that come meanwhile make one more.
  var busy = false, again = false;
  function update() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.pathname + location.search, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(apply)
      .catch(reload)
      .then(function () {
        busy = false;
        if (again) { again = false; update(); }
      });
  }

  // nav.js changed (a title, a page added or removed): load it again and rebuild the sidebar.
  function updateNav(src) {
    var old = doc.querySelector('script[src*="nav.js"]');
    if (!old || !window.archsite) { reload("the sidebar cannot be rebuilt"); return; }
    var s = doc.createElement("script");
    s.src = fresh(old.src);
    s.onload = function () { window.archsite.rebuildNav(); s.remove(); };
    s.onerror = function () { reload("nav.js did not load"); };
    // In the body, not the head: the head's scripts are the page's assets (`assets`), which an
    // update running meanwhile compares with the new version's.
    doc.body.appendChild(s);
  }

  // Whether `path` (an output path) is one of this page's own resources: a script, an image…
  function usedHere(path) {
    var nodes = doc.querySelectorAll("script[src], img[src], source[src], video[src], audio[src], iframe[src], object[data], embed[src]");
    for (var i = 0; i < nodes.length; i++) {
      var url = nodes[i].src || nodes[i].data;
      if (!url || url.indexOf(location.origin) !== 0) continue;
      var rel = decodeURIComponent(new URL(url).pathname.slice(base.length));
      if (rel === path) return true;
    }
    return false;
  }

  function onReload(changed) {
    var nav = null, css = false, mine = false;
    for (var i = 0; i < changed.length; i++) {
      var p = changed[i];
      if (/\.css$/.test(p)) css = true;
      else if (/(^|\/)nav\.js$/.test(p)) nav = p;
      else if (p === here) mine = true;
      else if (!/\.html$/.test(p) && usedHere(p)) { reload(p + " changed"); return; }
    }
    if (css) swapStyles();
    if (nav) updateNav(nav);
    if (mine || overlay) update();
  }

  function connect() {
    var source = new EventSource(base + "__archsite/events");
    source.addEventListener("errors", function (e) { showErrors(JSON.parse(e.data)); });
    source.addEventListener("ok", hideErrors);
    source.addEventListener("reload", function (e) { mark("event"); onReload(JSON.parse(e.data)); });
    source.onerror = function () {
      // The server restarted or went away: try again shortly, and reload once it is back.
      source.close();
      setTimeout(function retry() {
        fetch(base + "__archsite/live.js", { cache: "no-store" }).then(function () { reload("the server is back"); }, function () { setTimeout(retry, 1000); });
      }, 500);
    };
  }

  connect();
})();
