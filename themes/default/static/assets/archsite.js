/* archsite default theme: sidebar tree, drawer menu, theme toggle, TOC, copy buttons.
   One classic deferred script without dependencies, so it also works from file://. */
(function () {
  "use strict";

  var doc = document;
  var html = doc.documentElement;
  var body = doc.body;
  var root = html.getAttribute("data-root") || "";
  var current = body.getAttribute("data-url") || "";
  var THEME_KEY = "archsite-theme";
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  // Must match the drawer and TOC breakpoints in archsite.css.
  var drawerQuery = window.matchMedia ? window.matchMedia("(max-width: 899.98px)") : null;
  var wideQuery = window.matchMedia ? window.matchMedia("(min-width: 1200px)") : null;

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function on(query, fn) {
    if (!query) return;
    if (query.addEventListener) query.addEventListener("change", fn);
    else if (query.addListener) query.addListener(fn);
  }

  /* ---------- theme ---------- */

  function systemTheme() {
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  function setTheme(theme) {
    // Picking what the system already shows drops the override, so the page follows the
    // system again (e.g. at night) instead of being pinned forever.
    var stored = theme === systemTheme() ? null : theme;
    if (stored) html.setAttribute("data-theme", stored);
    else html.removeAttribute("data-theme");
    try {
      if (stored) localStorage.setItem(THEME_KEY, stored);
      else localStorage.removeItem(THEME_KEY);
    } catch (e) { /* storage disabled: the choice lasts for this page only */ }
  }

  var themeButton = doc.getElementById("theme-toggle");
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      var now = html.getAttribute("data-theme") || systemTheme();
      setTheme(now === "dark" ? "light" : "dark");
    });
  }

  /* ---------- sidebar tree ---------- */

  var chevronSvg = '<svg class="nav-chevron" aria-hidden="true" focusable="false" viewBox="0 0 16 16" ' +
    'width="14" height="14"><path d="M6 3.5 10.5 8 6 12.5" stroke="currentColor" stroke-width="1.8" ' +
    'fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>';

  // A closed branch's list is made when it is first opened: a 10,000-page site's tree is
  // 34,000 elements, which every page would otherwise build and lay out on load.
  function toggleButton(className, label, branch, open) {
    var button = el("button", className);
    button.type = "button";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (label) button.setAttribute("aria-label", label);
    button.innerHTML = chevronSvg;
    if (open) listOf(branch);
    button.addEventListener("click", function () {
      var expand = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", expand ? "true" : "false");
      listOf(branch).hidden = !expand;
      if (expand) openKeys[branch.key] = true; else delete openKeys[branch.key];
    });
    return button;
  }

  function listOf(branch) {
    if (!branch.ul) {
      branch.ul = buildTree(branch.items, branch.key);
      branch.li.appendChild(branch.ul);
    }
    return branch.ul;
  }

  // Branches the reader opened, by their place in the tree: kept when the live preview
  // rebuilds the tree from a new nav.js.
  var openKeys = {};

  // The items from the top of the tree down to the current page, which start open.
  function pathTo(items) {
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (item.u != null && item.u === current) return [item];
      var below = item.c && item.c.length ? pathTo(item.c) : null;
      if (below) {
        below.unshift(item);
        return below;
      }
    }
    return null;
  }

  var openPath = [];

  function buildTree(items, parentKey) {
    var ul = el("ul");
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var li = el("li");
      var row = el("div", "nav-row");
      var isCurrent = item.u != null && item.u === current;
      var key = (parentKey || "") + "/" + (item.u != null ? item.u : item.t);
      var branch = item.c && item.c.length ? { li: li, items: item.c, ul: null, key: key } : null;
      var open = openPath.indexOf(item) >= 0 || openKeys[key] === true;
      li.appendChild(row);

      if (item.u != null) {
        var link = el("a", null, item.t);
        link.href = root + item.u;
        if (isCurrent) link.setAttribute("aria-current", "page");
        row.appendChild(link);
        if (branch) row.appendChild(toggleButton("nav-toggle", item.t, branch, open));
      } else if (branch) {
        // A folder without its own page: the whole row toggles.
        var folder = toggleButton("nav-folder", null, branch, open);
        folder.insertBefore(el("span", null, item.t), folder.firstChild);
        row.appendChild(folder);
      } else {
        row.appendChild(el("span", "nav-folder", item.t));
      }
      if (branch) li.className = "nav-branch";
      ul.appendChild(li);
    }
    return ul;
  }

  var sidebar = doc.getElementById("sidebar");
  var treeHost = doc.getElementById("sidebar-tree");

  function showTree() {
    openPath = pathTo(window.ARCHSITE_NAV) || [];
    var tree = buildTree(window.ARCHSITE_NAV);
    tree.className = "nav-tree";
    treeHost.appendChild(tree);
    return tree;
  }

  if (treeHost && window.ARCHSITE_NAV && window.ARCHSITE_NAV.length) {
    var active = showTree().querySelector('[aria-current="page"]');
    if (active && sidebar) {
      var offset = active.getBoundingClientRect().top - sidebar.getBoundingClientRect().top;
      if (offset > sidebar.clientHeight * 0.7) sidebar.scrollTop = offset - sidebar.clientHeight / 3;
    }
  }

  // The live preview loaded a new nav.js (a title changed, a page came or went): the tree is
  // built again with the same branches open and the sidebar at the same place.
  function rebuildNav() {
    if (!treeHost || !window.ARCHSITE_NAV) return;
    var top = sidebar ? sidebar.scrollTop : 0;
    treeHost.textContent = "";
    if (window.ARCHSITE_NAV.length) showTree();
    if (sidebar) sidebar.scrollTop = top;
  }

  /* ---------- drawer menu (phones) ---------- */

  var menuButton = doc.getElementById("menu-toggle");
  var scrim = doc.querySelector(".scrim");

  function setMenu(open, restoreFocus) {
    if (!menuButton) return;
    body.classList.toggle("nav-open", open);
    menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (scrim) scrim.hidden = !open;
    if (open) {
      var target = sidebar && (sidebar.querySelector('[aria-current="page"]') || sidebar.querySelector("a, button"));
      if (target) target.focus({ preventScroll: false });
    } else if (restoreFocus) {
      menuButton.focus();
    }
  }

  if (menuButton) {
    menuButton.addEventListener("click", function () {
      setMenu(menuButton.getAttribute("aria-expanded") !== "true", true);
    });
  }
  if (scrim) scrim.addEventListener("click", function () { setMenu(false, true); });
  doc.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && body.classList.contains("nav-open")) {
      setMenu(false, true);
    }
  });
  on(drawerQuery, function () { setMenu(false, false); });

  /* ---------- table of contents ---------- */

  // Above the article a long TOC would push the text below the fold: it starts collapsed
  // there. The live preview swaps a new TOC in: `setUpToc` runs again for it.
  var tocObserver = null;
  function setUpToc() {
    if (tocObserver) { tocObserver.disconnect(); tocObserver = null; }
    var toc = doc.querySelector(".toc details");
    if (!toc) return;
    if (!toc.hasAttribute("data-archsite-toc")) {
      toc.setAttribute("data-archsite-toc", "");
      if (wideQuery) toc.open = wideQuery.matches;
      on(wideQuery, function () { toc.open = wideQuery.matches; });
      toc.querySelector("summary").addEventListener("click", function (event) {
        if (wideQuery && wideQuery.matches) event.preventDefault();
      });
    }

    var links = toc.querySelectorAll('a[href^="#"]');
    var byId = {};
    var headings = [];
    for (var i = 0; i < links.length; i++) {
      var id = links[i].getAttribute("href").slice(1);
      try { id = decodeURIComponent(id); } catch (e) { /* a raw "%" in an id: use it as written */ }
      var heading = doc.getElementById(id);
      if (heading) { byId[id] = links[i]; headings.push(heading); }
    }
    if (headings.length && "IntersectionObserver" in window) {
      var visible = {};
      var markActive = function () {
        var chosen = null;
        for (var j = 0; j < headings.length; j++) {
          if (visible[headings[j].id]) { chosen = headings[j].id; break; }
        }
        if (!chosen) return; // between headings: keep the last one highlighted
        for (var key in byId) byId[key].classList.toggle("is-active", key === chosen);
      };
      tocObserver = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
        markActive();
      }, { rootMargin: "-56px 0px -60% 0px" });
      headings.forEach(function (h) { tocObserver.observe(h); });
    }
  }

  /* ---------- code blocks ---------- */

  var copyWord = body.getAttribute("data-copy") || "Copy";
  var copiedWord = body.getAttribute("data-copied") || "Copied";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  // execCommand still works where the async clipboard API is missing or refused (old
  // browsers, some file:// setups).
  function fallbackCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  // Elements made here, not in the page's HTML, carry `data-archsite-ui`: the live preview
  // keeps them when it swaps a new version of the page in.
  function uiElement(tag, className, text) {
    var node = el(tag, className, text);
    node.setAttribute("data-archsite-ui", "");
    return node;
  }

  function flash(button, label) {
    button.textContent = copiedWord;
    button.classList.add("is-copied");
    clearTimeout(button._timer);
    button._timer = setTimeout(function () {
      button.textContent = label;
      button.classList.remove("is-copied");
    }, 1600);
  }

  function addCopyButtons(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("pre.code"), function (pre) {
      if (pre.querySelector(":scope > .copy-code")) return;
      var button = uiElement("button", "copy-code", copyWord);
      button.type = "button";
      button.addEventListener("click", function () {
        // The code element of the moment: the preview may have swapped it since.
        var code = pre.querySelector("code") || pre;
        copyText(code.textContent.replace(/\n$/, "")).then(function () { flash(button, copyWord); },
          function () { /* nothing useful to show: the text stays selectable */ });
      });
      pre.appendChild(button);
    });
  }

  /* ---------- data tables: copy as CSV or Markdown ---------- */

  var korean = (html.getAttribute("lang") || "").indexOf("ko") === 0;

  function cellText(cell) {
    var copy = cell.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".visually-hidden"), function (n) {
      n.parentNode.removeChild(n);
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // Rows of text, header first; a group heading spanning the row fills the first column.
  function tableRows(table) {
    var width = 0;
    var rows = Array.prototype.map.call(table.querySelectorAll("tr"), function (tr) {
      var cells = Array.prototype.map.call(tr.children, cellText);
      width = Math.max(width, cells.length);
      return cells;
    });
    return rows.map(function (cells) {
      while (cells.length < width) cells.push("");
      return cells;
    });
  }

  function toCsv(rows) {
    return rows.map(function (cells) {
      return cells.map(function (c) {
        return /[",\n]/.test(c) ? '"' + c.replace(/"/g, '""') + '"' : c;
      }).join(",");
    }).join("\n") + "\n";
  }

  function toMarkdown(rows) {
    var line = function (cells) {
      return "| " + cells.map(function (c) { return c.replace(/\|/g, "\\|"); }).join(" | ") + " |";
    };
    var out = [line(rows[0]), line(rows[0].map(function () { return "---"; }))];
    for (var i = 1; i < rows.length; i++) out.push(line(rows[i]));
    return out.join("\n") + "\n";
  }

  function addTableButtons(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("figure.data-table"), function (figure) {
      if (!figure.querySelector("table") || figure.querySelector(".table-copy")) return;
      var bar = figure.querySelector(".table-actions");
      if (!bar) {
        bar = uiElement("p", "table-actions");
        figure.appendChild(bar);
      }
      // Inserted at the front in turn, so the bar reads CSV, Markdown, then the links.
      [["Markdown", toMarkdown], ["CSV", toCsv]].forEach(function (format) {
        var label = korean ? format[0] + " 복사" : "Copy " + format[0];
        var button = uiElement("button", "table-copy", label);
        button.type = "button";
        button.setAttribute("data-format", format[0].toLowerCase());
        button.addEventListener("click", function () {
          copyText(format[1](tableRows(figure.querySelector("table")))).then(function () { flash(button, label); },
            function () { /* the table stays selectable */ });
        });
        bar.insertBefore(button, bar.firstChild);
      });
    });
  }

  /* ---------- wide tables and code: keyboard scrolling, the scroll cue ---------- */

  var scrollHint = body.getAttribute("data-scroll-hint") || "";

  function trackEnd(wrap) {
    wrap.classList.toggle("is-at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 2);
  }

  // Keyboard users must be able to scroll wide code, tables and diagrams (and axe checks it).
  // A table wider than its column also gets a sticky first column, a fade on the cut edge and
  // a line saying it scrolls (archsite.css), from the widths as laid out.
  function markScrollable() {
    var boxes = doc.querySelectorAll("pre.code > code, .table-wrap, pre.mermaid");
    Array.prototype.forEach.call(boxes, function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide) box.setAttribute("tabindex", "0");
      else if (!box.hasAttribute("role")) box.removeAttribute("tabindex");
      if (!box.classList.contains("table-wrap")) return;
      box.classList.toggle("is-overflowing", wide);
      var hint = box.nextElementSibling;
      var hasHint = hint && hint.classList.contains("scroll-hint");
      if (wide && !hasHint && scrollHint) {
        hint = uiElement("p", "scroll-hint", scrollHint);
        hint.setAttribute("aria-hidden", "true");
        box.parentNode.insertBefore(hint, box.nextSibling);
      } else if (!wide && hasHint) {
        hint.parentNode.removeChild(hint);
      }
      if (wide && !box._archsiteScroll) {
        box._archsiteScroll = true;
        box.addEventListener("scroll", function () { trackEnd(box); }, { passive: true });
      }
      trackEnd(box);
    });
  }

  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollable, 150);
  });

  // Source pages: `#L12-L20` marks those lines and scrolls to the first (`#L12` alone is marked
  // by CSS, without this script); a shift-click on a second line number makes the range.
  function markLines() {
    var code = doc.querySelector("pre.source-code");
    if (!code) return;
    Array.prototype.forEach.call(code.querySelectorAll(".line.is-marked"), function (line) {
      line.classList.remove("is-marked");
    });
    var m = /^#L(\d+)(?:-L?(\d+))?$/.exec(window.location.hash);
    if (!m) return;
    var from = +m[1], to = m[2] ? +m[2] : from;
    if (to < from) { var t = from; from = to; to = t; }
    for (var n = from; n <= to; n++) {
      var line = doc.getElementById("L" + n);
      if (line) line.classList.add("is-marked");
    }
    var first = doc.getElementById("L" + from);
    if (first && m[2]) first.scrollIntoView({ block: "start" });
  }

  function setUpLines() {
    var code = doc.querySelector("pre.source-code");
    if (!code || code._archsiteLines) return;
    code._archsiteLines = true;
    code.addEventListener("click", function (event) {
      var number = event.target.closest && event.target.closest("a.ln");
      if (!number) return;
      var n = +number.getAttribute("data-line");
      var m = /^#L(\d+)/.exec(window.location.hash);
      if (event.shiftKey && m) {
        event.preventDefault();
        var a = Math.min(+m[1], n), b = Math.max(+m[1], n);
        history.replaceState(null, "", "#L" + a + (a === b ? "" : "-L" + b));
        markLines();
      }
    });
    window.addEventListener("hashchange", markLines);
    markLines();
  }

  // Everything the page's content gets from this script; run again (idempotent) by the live
  // preview after it swapped a new version of the content in.
  function enhance() {
    var scope = doc.getElementById("content") || body;
    setUpToc();
    addCopyButtons(scope);
    addTableButtons(scope);
    markScrollable();
    setUpLines();
  }
  enhance();

  window.archsite = { enhance: enhance, rebuildNav: rebuildNav };
})();
