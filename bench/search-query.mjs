// Measures search queries in headless Chromium for bench/search.py. For each query, three
// fresh pages load the site's home page:
//
// - cold: half a second after the page has loaded, window.__archsiteSearch.query(q) runs from
//   nothing (meta.js, the term shards and the page files load by <script>), then again (warm: files cached, the matching and ranking
//   alone). search.js marks each step on the performance timeline, so the cold time is also
//   given per step: meta, shards, ranking, the first hit's page file, all page files.
//   cold_first_ms is the time to the first hit's data (the list shows from then on), cold_ms
//   to all of it;
// - pasted: the reader clicks the box (which loads meta.js) and, half a second later, pastes
//   the query (one input event): a reader's first query at its slowest. pasted_ms is the time
//   from the input event to the first results on screen, pasted_complete_ms to all of them;
// - typed: the same, the query typed a character every 100 ms; from the last keystroke
//   (earlier keystrokes' queries have loaded some files by then, as they would).
//
// Prints one JSON line per query: { query, cold_ms, cold_first_ms, warm_ms, steps: {meta,
// shards, rank, first, pages}, pasted_ms, pasted_complete_ms, typed_ms, typed_complete_ms,
// bytes, files, hits }, bytes being the body sizes of the /search/ files the cold query loaded
// (Resource Timing, the server sends no compression; none from file://).
//
//   node bench/search-query.mjs URL QUERY...     (playwright-core from tests/browser/node_modules)

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const [url, ...queries] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  timeout: 30_000,
});

// Clicks the search box, waits for meta.js to have loaded, then runs `enter`; resolves to the
// times from the last input event to the query's first results shown and to all of them.
// Nothing runs in the page meanwhile: the marks are collected by a PerformanceObserver and
// awaited with one evaluate (waitForFunction would poll the page's main thread and inject
// Playwright's 300 KB helper script into it while the query runs).
async function afterInput(page, query, enter) {
  await page.evaluate(() => {
    window.__lastKey = 0;
    // Capturing on window: before search.js's own listener, whose query may finish (from
    // cached files) before a listener on the input would run.
    window.addEventListener('input', () => { window.__lastKey = performance.now(); }, true);
    const marks = [];
    let wake = null;
    new PerformanceObserver((list) => {
      marks.push(...list.getEntries());
      if (wake) wake();
    }).observe({ type: 'mark' });
    window.__answered = (q) => new Promise((resolve) => {
      // Only the last query renders (search.js drops earlier keystrokes' results), so the
      // marks after the last input event are its own.
      const after = (name) => marks.find((e) => e.name === 'archsite-search:' + name && e.startTime >= window.__lastKey);
      wake = () => {
        const shown = after('shown'), complete = after('complete');
        if (document.getElementById('search-input').value !== q || !shown || !complete) return;
        wake = null;
        resolve([shown.startTime - window.__lastKey, complete.startTime - window.__lastKey]);
      };
      wake();
    });
  });
  await page.click('#search-input');
  // From file:// Chromium keeps no resource timings to wait on: a pause long enough for one
  // small file.
  await page.waitForTimeout(500);
  await enter();
  return page.evaluate((q) => window.__answered(q), query);
}

async function fresh() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { context, page };
}

try {
  for (const query of queries) {
    let { context, page } = await fresh();
    // As a reader would, after the page has settled: its own load work (the sidebar, garbage
    // to collect) is not the query's.
    await page.waitForTimeout(500);
    const r = await page.evaluate(async (q) => {
      const t0 = performance.now();
      const cold = await window.__archsiteSearch.query(q);
      const t1 = performance.now();
      await window.__archsiteSearch.query(q);
      const t2 = performance.now();
      const at = (step) => {
        const m = performance.getEntriesByName('archsite-search:' + step).find((e) => e.startTime >= t0);
        return m ? m.startTime - t0 : null;
      };
      const [meta, shards, ranked, first, pages] = ['meta', 'shards', 'ranked', 'first', 'pages'].map(at);
      const files = performance.getEntriesByType('resource').filter((e) => e.name.includes('/search/'));
      return {
        cold_ms: t1 - t0,
        cold_first_ms: first,
        warm_ms: t2 - t1,
        steps: { meta, shards: shards - meta, rank: ranked - shards, first: first - ranked, pages: pages - ranked },
        bytes: files.reduce((n, e) => n + (e.encodedBodySize || e.transferSize || 0), 0),
        files: files.length,
        hits: cold.hits.length,
      };
    }, query);
    await context.close();

    // The reader's way in: a click in the box (which loads meta.js), then the query pasted
    // (one input event), or typed a character every 100 ms, in fresh pages.
    ({ context, page } = await fresh());
    [r.pasted_ms, r.pasted_complete_ms] = await afterInput(page, query, () => page.fill('#search-input', query));
    await context.close();
    ({ context, page } = await fresh());
    [r.typed_ms, r.typed_complete_ms] = await afterInput(page, query, () => page.keyboard.type(query, { delay: 100 }));
    await context.close();
    console.log(JSON.stringify({ query, ...r }));
  }
} finally {
  await browser.close();
}
