// Measures save → painted in headless Chromium for bench/preview.py: how long after a writer
// saves a page the open preview shows the new text, and what else moved.
//
//   node bench/preview-paint.mjs URL FILE EDITS GAP_MS
//
// Opens URL (a page served by `archsite serve`, whose source is FILE) in Chromium, waits for
// its event stream and its diagrams, then EDITS times (after one warm-up edit, not counted):
// appends a new sentence to FILE as editors save (a temporary file renamed over it) and
// measures from just before the write to the animation frame that draws the sentence. The
// sentence is watched for by a MutationObserver installed in every document the tab loads
// (an init script), so a preview that reloads the page is measured the same way as one that
// morphs it. Each edit also counts whether the page was reloaded, whether the drawn diagrams
// are still the same elements, and how many diagrams mermaid drew meanwhile.
//
// Prints one JSON line per counted edit: { ms, event, fetched, morphed, reloaded, diagrams,
// kept, redrawn } (event, fetched, morphed: when live.js got the server's event, had the new
// page, had morphed it in, from the save, when it did not reload) and, last,
// { done: true, page_diagrams }. Wall clocks: Node's and the page's are the same OS clock.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const [url, file, editsArg = '10', gapArg = '400'] = process.argv.slice(2);
const edits = Number(editsArg);
const gap = Number(gapArg);
const now = () => performance.timeOrigin + performance.now();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  timeout: 30_000,
});
const fail = async (why) => {
  console.error(`preview-paint: ${why}`);
  await browser.close().catch(() => {});
  process.exit(1);
};

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(url).origin;
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  let expected = null;
  let painted = null;
  await page.exposeFunction('__benchExpected', () => expected);
  await page.exposeFunction('__benchPainted', (text, t) => {
    if (text === expected && painted) painted(t);
  });
  // In every document the tab loads: watch for the expected sentence, report the frame that
  // draws it; count mermaid's drawings and mark the document (a reload loses the mark).
  await page.addInitScript(() => {
    window.__benchDoc = Math.random();
    window.__benchRenders = 0;
    let hooked = false;
    const hook = () => {
      if (hooked || !window.mermaid || !window.mermaid.render) return;
      hooked = true;
      const render = window.mermaid.render.bind(window.mermaid);
      window.mermaid.render = (...args) => { window.__benchRenders++; return render(...args); };
    };
    let watching = null;
    const check = () => {
      hook();
      if (!watching) return;
      const article = document.querySelector('article');
      if (article && article.textContent.includes(watching)) {
        const text = watching;
        watching = null;
        requestAnimationFrame(() => window.__benchPainted(text, performance.timeOrigin + performance.now()));
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
    window.__benchWatch = (text) => { watching = text; check(); };
    document.addEventListener('DOMContentLoaded', () => {
      hook();
      window.__benchExpected().then((text) => { if (text) window.__benchWatch(text); });
    });
  });

  const streamOpen = page.waitForResponse((r) => r.url().endsWith('/__archsite/events'), { timeout: 15_000 });
  await page.goto(url, { waitUntil: 'load' });
  await streamOpen;
  await page.evaluate(() => (window.archsiteDiagrams ? window.archsiteDiagrams.ready() : null));
  const pageDiagrams = await page.evaluate(() => document.querySelectorAll('figure[data-diagram]').length);
  const original = readFileSync(file, 'utf8');

  for (let i = 0; i <= edits; i++) {
    await new Promise((r) => setTimeout(r, gap));
    const state = await page.evaluate(() => {
      performance.clearMarks();
      window.__benchSvgs = [...document.querySelectorAll('figure[data-diagram] .diagram-stage > svg')];
      return { doc: window.__benchDoc, renders: window.__benchRenders };
    });
    const sentence = `미리보기 측정 문장 ${i} ${Date.now()}.`;
    expected = sentence;
    const seen = new Promise((resolve) => { painted = resolve; });
    await page.evaluate((s) => window.__benchWatch(s), sentence);
    const t0 = now();
    const tmp = `${file}.bench.tmp`;
    writeFileSync(tmp, `${original}\n${sentence}\n`);
    renameSync(tmp, file);
    const t1 = await Promise.race([seen, new Promise((r) => setTimeout(() => r(null), 15_000))]);
    if (t1 === null) await fail(`edit ${i}: the sentence was not painted within 15 s`);
    // Let the diagrams settle (a preview that reloads draws them again) before counting.
    await page.evaluate(() => (window.archsiteDiagrams ? window.archsiteDiagrams.ready() : null));
    const after = await page.evaluate(() => {
      const svgs = [...document.querySelectorAll('figure[data-diagram] .diagram-stage > svg')];
      // live.js marks when the event came, the page arrived and the morph ended.
      const at = (step) => {
        const m = performance.getEntriesByName(`archsite-live:${step}`).pop();
        return m ? performance.timeOrigin + m.startTime : null;
      };
      return {
        steps: { event: at('event'), fetched: at('fetched'), morphed: at('morphed') },
        doc: window.__benchDoc,
        renders: window.__benchRenders,
        diagrams: svgs.length,
        kept: svgs.filter((s) => (window.__benchSvgs || []).includes(s)).length,
      };
    });
    const reloaded = after.doc !== state.doc;
    if (i === 0) continue; // warm-up
    const since = (t) => (t == null || reloaded ? null : Math.round((t - t0) * 10) / 10);
    console.log(JSON.stringify({
      ms: Math.round((t1 - t0) * 10) / 10,
      event: since(after.steps.event),
      fetched: since(after.steps.fetched),
      morphed: since(after.steps.morphed),
      reloaded,
      diagrams: after.diagrams,
      kept: reloaded ? 0 : after.kept,
      redrawn: reloaded ? after.renders : after.renders - state.renders,
    }));
  }
  writeFileSync(file, original);
  console.log(JSON.stringify({ done: true, page_diagrams: pageDiagrams }));
  await browser.close();
} catch (error) {
  await fail(error.stack || String(error));
}
