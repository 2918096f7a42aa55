/* archsite diagrams: draws every figure[data-diagram] with the mermaid.js served by the site
   itself (no CDN: works offline and from file://), or takes the SVG drawn at build time
   (PlantUML: .diagram-built, no script needed to see it), at a size whose text stays readable (a
   diagram wider than the page at that size is panned, not shrunk), and adds pan and zoom
   (buttons, Ctrl+wheel, drag, keyboard, sideways wheel), a full-screen view, and redraws when
   the site's light/dark theme changes or the page is printed. Loaded only by pages with a
   diagram. */
(function () {
  "use strict";

  var doc = document;
  var html = doc.documentElement;
  var builtOnly = !doc.querySelector("figure[data-diagram] .diagram-canvas:not(.diagram-built)");
  if (!doc.querySelector("figure[data-diagram]") || (typeof window.mermaid === "undefined" && !builtOnly)) {
    // Nothing to draw (e.g. every diagram was rejected at build time): ready() still answers.
    window.archsiteDiagrams = { ready: function () { return Promise.resolve(); }, refresh: function () { return Promise.resolve(); }, key: diagramKey };
    return;
  }
  var mermaid = window.mermaid;
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var printing = false;
  var counter = 0;
  var MIN = 0.2, MAX = 8, STEP = 1.25;
  // The smallest text size (CSS px) a diagram is drawn at before zooming: mermaid writes its
  // labels at 16 px, so a drawing is never shown below 11/16 of its size; a wider one is
  // panned instead. Full screen may enlarge a small drawing up to FULL_MAX.
  var MIN_TEXT = 11, FULL_MAX = 2;

  function isDark() {
    if (printing) return false;
    var chosen = html.getAttribute("data-theme");
    if (chosen) return chosen === "dark";
    return !!(darkQuery && darkQuery.matches);
  }

  function icon(path) {
    return '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="18" height="18">' +
      '<path d="' + path + '" stroke="currentColor" stroke-width="2" fill="none" ' +
      'stroke-linecap="round" stroke-linejoin="round"/></svg>';
  }
  var ICONS = {
    zoomIn: icon("M11 5v12M5 11h12M20 20l-3.5-3.5"),
    zoomOut: icon("M5 11h12M20 20l-3.5-3.5"),
    reset: icon("M4 12a8 8 0 1 0 2.3-5.7M4 4v4h4"),
    fullscreen: icon("M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"),
    close: icon("M6 6l12 12M18 6 6 18")
  };

  function button(figure, name, label, onClick) {
    var b = doc.createElement("button");
    b.type = "button";
    b.className = "diagram-button diagram-" + name;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.innerHTML = ICONS[name];
    b.addEventListener("click", onClick);
    return b;
  }

  // A figure's source and caption, as the live preview compares a figure with its new version
  // (exported as `archsiteDiagrams.key`); for a drawing made at build time, the drawing itself
  // (it changes with the files it includes, not only with its source).
  function diagramKey(figure) {
    var pre = figure.querySelector("pre.mermaid") || figure.querySelector(".diagram-built > svg");
    if (pre && pre.tagName.toLowerCase() === "svg") {
      pre = { textContent: pre.outerHTML };
    }
    var caption = figure.querySelector("figcaption");
    var links = caption ? [].map.call(caption.querySelectorAll("a"), function (a) { return a.getAttribute("href"); }) : [];
    return (pre ? pre.textContent : "") + "\u0000" + (caption ? caption.textContent : "") + "\u0000" + links.join("\u0000");
  }

  function Diagram(figure) {
    var self = this;
    var pre = figure.querySelector("pre.mermaid");
    this.figure = figure;
    figure.archsiteDiagram = this;
    this.source = pre ? pre.textContent : "";
    // What the figure shows, as the live preview compares it with a new version of the page:
    // a figure whose key is unchanged is kept as drawn instead of being drawn again.
    figure.archsiteKey = diagramKey(figure);
    this.canvas = figure.querySelector(".diagram-canvas");
    this.built = this.canvas.classList.contains("diagram-built") ? this.canvas.querySelector("svg") : null;
    this.stage = doc.createElement("div");
    this.stage.className = "diagram-stage";
    this.canvas.textContent = "";
    if (this.built) this.stage.appendChild(this.built);
    this.canvas.appendChild(this.stage);
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "group");
    this.canvas.setAttribute("aria-label", figure.getAttribute("data-label") || "diagram");
    this.scale = 1; this.x = 0; this.y = 0;
    this.base = 1; this.homeX = 0;

    // The toolbar is a bar of its own above the drawing: it never covers a node.
    var d = figure.dataset;
    var bar = doc.createElement("div");
    bar.className = "diagram-toolbar";
    bar.setAttribute("data-archsite-ui", "");
    this.hint = doc.createElement("span");
    this.hint.className = "diagram-hint";
    this.hint.textContent = d.panHint || "";
    bar.appendChild(this.hint);
    bar.appendChild(button(figure, "zoomIn", d.zoomIn, function () { self.zoom(STEP); }));
    bar.appendChild(button(figure, "zoomOut", d.zoomOut, function () { self.zoom(1 / STEP); }));
    bar.appendChild(button(figure, "reset", d.reset, function () { self.reset(); }));
    this.fullButton = button(figure, "fullscreen", d.fullscreen, function () { self.toggleFull(); });
    bar.appendChild(this.fullButton);
    figure.insertBefore(bar, this.canvas);

    // Ctrl/⌘ + wheel (and trackpad pinch, which sends ctrlKey) zooms at the pointer; a plain
    // wheel scrolls the page as usual, except in full screen where there is nothing to scroll.
    // A sideways wheel (trackpad, Shift+wheel) pans a drawing wider than its frame.
    this.canvas.addEventListener("wheel", function (e) {
      var rect = self.canvas.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey || self.full) {
        e.preventDefault();
        self.zoom(e.deltaY < 0 ? STEP : 1 / STEP, e.clientX - rect.left, e.clientY - rect.top);
        return;
      }
      var dx = e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX;
      if (Math.abs(dx) <= Math.abs(e.shiftKey ? 0 : e.deltaY)) return;
      var room = self.room();
      if ((dx > 0 && !room.right) || (dx < 0 && !room.left)) return;
      e.preventDefault();
      self.x -= dx;
      self.apply();
    }, { passive: false });

    var drag = null;
    this.canvas.addEventListener("pointerdown", function (e) {
      if (e.button !== 0 || e.target.closest("a")) return;
      drag = { id: e.pointerId, x: e.clientX - self.x, y: e.clientY - self.y };
      self.canvas.setPointerCapture(e.pointerId);
      self.canvas.classList.add("is-dragging");
    });
    this.canvas.addEventListener("pointermove", function (e) {
      if (!drag || drag.id !== e.pointerId) return;
      self.x = e.clientX - drag.x;
      self.y = e.clientY - drag.y;
      self.apply();
    });
    function stop(e) {
      if (!drag || drag.id !== e.pointerId) return;
      drag = null;
      self.canvas.classList.remove("is-dragging");
    }
    this.canvas.addEventListener("pointerup", stop);
    this.canvas.addEventListener("pointercancel", stop);

    this.canvas.addEventListener("keydown", function (e) {
      var step = 40, handled = true;
      switch (e.key) {
        case "+": case "=": self.zoom(STEP); break;
        case "-": case "_": self.zoom(1 / STEP); break;
        case "0": self.reset(); break;
        case "ArrowLeft": self.x += step; self.apply(); break;
        case "ArrowRight": self.x -= step; self.apply(); break;
        case "ArrowUp": self.y += step; self.apply(); break;
        case "ArrowDown": self.y -= step; self.apply(); break;
        case "Escape": if (self.full) self.toggleFull(); else handled = false; break;
        default: handled = false;
      }
      if (handled) e.preventDefault();
    });
  }

  Diagram.prototype.apply = function () {
    this.stage.style.transform = "translate(" + this.x + "px," + this.y + "px) scale(" + this.scale + ")";
    this.figure.classList.toggle("is-zoomed", this.scale !== 1 || this.x !== this.homeX || this.y !== 0);
    this.showRoom();
  };

  // Which sides of the drawing are cut off by the frame: those edges fade out and the toolbar
  // says the drawing can be moved.
  Diagram.prototype.room = function () {
    var svg = this.stage.querySelector("svg");
    if (!svg) return { left: false, right: false, up: false, down: false };
    var frame = this.canvas.getBoundingClientRect(), drawing = svg.getBoundingClientRect();
    return {
      left: drawing.left < frame.left - 1,
      right: drawing.right > frame.right + 1,
      up: drawing.top < frame.top - 1,
      down: drawing.bottom > frame.bottom + 1
    };
  };

  Diagram.prototype.showRoom = function () {
    var room = this.room(), c = this.canvas.classList;
    c.toggle("more-left", room.left);
    c.toggle("more-right", room.right);
    c.toggle("more-up", room.up);
    c.toggle("more-down", room.down);
    this.figure.classList.toggle("can-pan", room.left || room.right || room.up || room.down);
  };

  // The drawing's size at zoom 1: as large as fits the frame, but never so small that its
  // text is drawn below MIN_TEXT px, and never larger than mermaid drew it (FULL_MAX in full
  // screen). Sets the svg's width and height; the zoom is a transform on top.
  Diagram.prototype.fit = function () {
    var svg = this.stage.querySelector("svg");
    if (!svg) return;
    var box = svg.viewBox && svg.viewBox.baseVal;
    var width = box && box.width, height = box && box.height;
    if (!width || !height) return;
    if (this.smallest == null) this.smallest = smallestText(svg);
    var style = getComputedStyle(this.canvas);
    var room = this.canvas.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    var fit = room / width, most = 1;
    if (this.full) {
      var tall = this.canvas.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      fit = Math.min(fit, tall / height);
      most = FULL_MAX;
    }
    var least = Math.min(1, MIN_TEXT / this.smallest);
    this.base = Math.max(least, Math.min(fit, most));
    svg.style.maxWidth = "none";
    svg.style.width = width * this.base + "px";
    svg.style.height = height * this.base + "px";
    // A drawing wider than its frame starts with its middle in view (where a top-down
    // diagram begins), not its left edge.
    this.homeX = Math.min(0, (room - width * this.base) / 2);
  };

  // The smallest font size (in the drawing's own units) of the drawing's text.
  function smallestText(svg) {
    var least = 16;
    var texts = svg.querySelectorAll("text, foreignObject div, foreignObject span, foreignObject p");
    for (var i = 0; i < texts.length; i++) {
      if (!texts[i].textContent.trim()) continue;
      var size = parseFloat(getComputedStyle(texts[i]).fontSize);
      if (size > 0 && size < least) least = size;
    }
    return least;
  }

  // Zooms by `factor` keeping the point (px, py) of the canvas where it is (the centre by default).
  Diagram.prototype.zoom = function (factor, px, py) {
    var next = Math.min(MAX, Math.max(MIN, this.scale * factor));
    var rect = this.canvas.getBoundingClientRect();
    if (px == null) { px = rect.width / 2; py = rect.height / 2; }
    var k = next / this.scale;
    this.x = px - (px - this.x) * k;
    this.y = py - (py - this.y) * k;
    this.scale = next;
    this.apply();
  };

  Diagram.prototype.reset = function () {
    this.scale = 1; this.x = this.homeX; this.y = 0;
    this.apply();
  };

  Diagram.prototype.toggleFull = function () {
    this.full = !this.full;
    this.figure.classList.toggle("is-fullscreen", this.full);
    doc.body.classList.toggle("has-fullscreen-diagram", this.full);
    var d = this.figure.dataset;
    var label = this.full ? d.close : d.fullscreen;
    this.fullButton.setAttribute("aria-label", label);
    this.fullButton.title = label;
    this.fullButton.innerHTML = this.full ? ICONS.close : ICONS.fullscreen;
    this.fit();
    this.reset();
    (this.full ? this.canvas : this.fullButton).focus();
  };

  Diagram.prototype.draw = function () {
    var self = this;
    var id = "archsite-diagram-" + (++counter);
    // Drawn at build time: the SVG is there already (dark colours come from diagram.css).
    var rendering = this.built
      ? Promise.resolve(null)
      : mermaid.render(id, this.source);
    return rendering.then(function (result) {
      if (result) self.stage.innerHTML = result.svg;
      var svg = self.stage.querySelector("svg");
      if (svg) {
        // An image's parts are not reachable: a drawing with links in it (PlantUML's [[url]])
        // is a group, so that its links stay keyboard- and reader-reachable.
        svg.setAttribute("role", svg.querySelector("a[href]") ? "group" : "img");
        // (PlantUML puts <title>s deep inside its drawing, for lifelines: not the drawing's name.)
        if (!svg.getAttribute("aria-label") && !svg.querySelector(":scope > title")) {
          var caption = self.figure.querySelector(".diagram-caption");
          svg.setAttribute("aria-label", caption ? caption.textContent : self.canvas.getAttribute("aria-label"));
        }
      }
      if (result && result.bindFunctions) result.bindFunctions(self.stage);
      self.smallest = null;
      var home = self.x === self.homeX && self.y === 0 && self.scale === 1;
      self.fit();
      // A fresh drawing starts at its home view; a redraw (theme) keeps the reader's view.
      if (home) self.reset(); else self.apply();
      self.figure.classList.remove("diagram-failed");
      self.figure.setAttribute("data-rendered", "");
      // (A drawing made at build time is always light: CSS inverts it on a dark screen.)
      self.figure.setAttribute("data-drawn-theme", isDark() && !self.built ? "dark" : "light");
    }, function (error) {
      // Some errors only appear while drawing (the build-time check is the parser's).
      var stray = doc.getElementById("d" + id);
      if (stray) stray.remove();
      self.figure.classList.add("diagram-failed");
      var box = doc.createElement("div");
      box.className = "diagram-error";
      box.setAttribute("role", "note");
      var strong = doc.createElement("strong");
      strong.textContent = self.figure.getAttribute("data-render-error") || "Diagram error";
      var p = doc.createElement("p");
      p.appendChild(strong);
      p.appendChild(doc.createTextNode(" " + String((error && error.message) || error)));
      box.appendChild(p);
      self.stage.textContent = "";
      self.stage.appendChild(box);
      var details = self.figure.querySelector(".diagram-source");
      if (details) details.open = true;
    });
  };

  var diagrams = [];

  function configure() {
    if (!mermaid) return;
    var dark = isDark();
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: dark ? "dark" : "default",
      // mermaid's dark theme writes edge labels #ccc on #585858 (4.4:1, below WCAG AA's 4.5:1):
      // give them the page's dark muted background instead (#1d242d, 9.7:1).
      themeVariables: dark ? { edgeLabelBackground: "#1d242d" } : {},
      fontFamily: getComputedStyle(doc.body).fontFamily
    });
  }

  // One after another: mermaid's renderer keeps global state between calls.
  function drawEach(list) {
    return list.reduce(function (done, d) {
      return done.then(function () { return d.draw(); });
    }, Promise.resolve());
  }

  function drawAll() {
    configure();
    // A drawing made at build time follows the theme through CSS: only mermaid redraws.
    return drawEach(diagrams.filter(function (d) { return !d.built; }));
  }

  // Takes in the figures the page has now: those not drawn yet (new ones, after the live
  // preview swapped new content in) are drawn; figures that left the page are forgotten.
  function refresh() {
    diagrams = diagrams.filter(function (d) { return doc.contains(d.figure); });
    var fresh = [].slice.call(doc.querySelectorAll("figure[data-diagram]"))
      .filter(function (f) { return !f.archsiteDiagram; })
      .map(function (f) { return new Diagram(f); });
    diagrams = diagrams.concat(fresh);
    drawn = drawn.then(function () {
      if (!fresh.length) return;
      configure();
      return drawEach(fresh);
    });
    return drawn;
  }

  var drawn = Promise.resolve();
  refresh();
  var lastDark = isDark();
  function redrawIfThemeChanged() {
    if (isDark() === lastDark) return;
    lastDark = isDark();
    drawn = drawn.then(drawAll);
  }
  // A new width (window, phone turned) changes how large the drawings may be.
  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      diagrams.forEach(function (d) {
        var home = d.x === d.homeX && d.y === 0 && d.scale === 1;
        d.fit();
        if (home) d.reset(); else d.apply();
      });
    }, 150);
  });
  new MutationObserver(redrawIfThemeChanged).observe(html, { attributes: true, attributeFilter: ["data-theme"] });
  if (darkQuery && darkQuery.addEventListener) darkQuery.addEventListener("change", redrawIfThemeChanged);
  window.addEventListener("beforeprint", function () { printing = true; redrawIfThemeChanged(); });
  window.addEventListener("afterprint", function () { printing = false; redrawIfThemeChanged(); });
  doc.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    diagrams.forEach(function (d) { if (d.full) d.toggleFull(); });
  });
  window.archsiteDiagrams = { ready: function () { return drawn; }, refresh: refresh, key: diagramKey };
})();
