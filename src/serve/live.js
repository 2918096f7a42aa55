// archsite preview: reloads the page when the site is rebuilt, swaps stylesheets when only CSS
// changed, and shows build errors in an overlay over the last good page. Served only by
// `archsite serve`; never part of a built site.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script.getAttribute("src").replace(/__archsite\/live\.js$/, "");
  // The server names changed files by their output paths, unencoded (`reference/용어 사전.html`).
  var here = decodeURIComponent(location.pathname.slice(base.length)) || "index.html";
  if (here.slice(-1) === "/") here += "index.html";
  var scrollKey = "archsite-scroll:" + location.pathname;
  var overlay = null;

  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var y = parseInt(saved, 10);
    var restore = function () { window.scrollTo(0, y); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function swapStyles() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = links[i].href.replace(/([?&])archsite-v=\d+/, "").replace(/[?&]$/, "");
      links[i].href = url + (url.indexOf("?") < 0 ? "?" : "&") + "archsite-v=" + Date.now();
    }
  }

  function text(tag, className, content) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = content;
    return el;
  }

  function showErrors(list) {
    hideErrors();
    overlay = document.createElement("div");
    overlay.id = "archsite-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#1b1f24;color:#f0f3f6;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
      "padding:16px 20px;border-top:4px solid #e5534b;box-shadow:0 -4px 24px rgba(0,0,0,.35)";
    var head = text("div", "", list.length + (list.length === 1 ? " error" : " errors") + " — the page below is the last good build");
    head.style.cssText = "font-weight:700;margin-bottom:8px;color:#ff938a";
    overlay.appendChild(head);
    var close = text("button", "", "×");
    close.setAttribute("aria-label", "Close");
    close.style.cssText = "position:absolute;top:8px;right:12px;background:none;border:0;color:inherit;font-size:20px;cursor:pointer";
    close.onclick = hideErrors;
    overlay.appendChild(close);
    list.forEach(function (d) {
      var item = document.createElement("div");
      item.className = "archsite-diagnostic";
      item.style.cssText = "margin:10px 0;padding-top:8px;border-top:1px solid #30363d";
      var where = d.file ? d.file + (d.line ? ":" + d.line + ":" + d.column : "") : "";
      item.appendChild(text("div", "", d.severity + "[" + d.code + "]: " + d.message));
      if (where) item.appendChild(text("div", "archsite-location", "  --> " + where));
      if (d.snippet) item.appendChild(text("pre", "", d.snippet)).style.cssText = "margin:4px 0;white-space:pre-wrap;color:#adbac7";
      if (d.help) item.appendChild(text("div", "", "help: " + d.help)).style.color = "#6cb6ff";
      overlay.appendChild(item);
    });
    document.body.appendChild(overlay);
  }

  function hideErrors() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
    overlay = null;
  }

  function connect() {
    var source = new EventSource(base + "__archsite/events");
    source.addEventListener("errors", function (e) { showErrors(JSON.parse(e.data)); });
    source.addEventListener("ok", hideErrors);
    source.addEventListener("reload", function (e) {
      var changed = JSON.parse(e.data);
      var onlyCss = changed.length > 0 && changed.every(function (p) { return /\.css$/.test(p); });
      if (onlyCss) { swapStyles(); hideErrors(); return; }
      var mine = changed.some(function (p) { return p === here || !/\.html$/.test(p); });
      if (mine || overlay) reload();
    });
    source.onerror = function () {
      // The server restarted or went away: try again shortly, and reload once it is back.
      source.close();
      setTimeout(function retry() {
        fetch(base + "__archsite/live.js", { cache: "no-store" }).then(reload, function () { setTimeout(retry, 1000); });
      }, 500);
    };
  }

  connect();
})();
