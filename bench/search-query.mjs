// Measures search queries in headless Chromium for bench/search.py. For each query, two fresh
// pages load the site's home page:
//
// - cold: window.__archsiteSearch.query(q) runs from nothing (meta.js, the term shards and the
//   page files load by <script>, as on a reader's first search), then again (warm: files
//   cached, the matching and ranking alone). search.js marks each step on the performance
//   timeline, so the cold time is also given per step: meta, shards, ranking, page files;
// - typed: the reader clicks the box (which loads meta.js), then types the query a character
//   every 100 ms; the time from the last keystroke to the result list shown for the whole
//   query (earlier keystrokes' queries have loaded some files by then, as they would).
//
// Prints one JSON line per query: { query, cold_ms, warm_ms, steps: {meta, shards, rank,
// pages}, typed_ms, bytes, files, hits }, bytes being the body sizes of the /search/ files the
// cold query loaded (Resource Timing, the server sends no compression).
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

async function fresh() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { context, page };
}

try {
  for (const query of queries) {
    let { context, page } = await fresh();
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
      const [meta, shards, ranked, pages] = ['meta', 'shards', 'ranked', 'pages'].map(at);
      const files = performance.getEntriesByType('resource').filter((e) => e.name.includes('/search/'));
      return {
        cold_ms: t1 - t0,
        warm_ms: t2 - t1,
        steps: { meta, shards: shards - meta, rank: ranked - shards, pages: pages - ranked },
        bytes: files.reduce((n, e) => n + (e.encodedBodySize || e.transferSize || 0), 0),
        files: files.length,
        hits: cold.hits.length,
      };
    }, query);
    await context.close();

    // From file:// Chromium records no resource timings to wait on: the cold and warm
    // measures only.
    if (url.startsWith('file:')) {
      console.log(JSON.stringify({ query, ...r, typed_ms: null }));
      continue;
    }
    ({ context, page } = await fresh());
    await page.evaluate(() => {
      window.__lastKey = 0;
      // Capturing on window: before search.js's own listener, whose query may finish (from
      // cached files) before a listener on the input would run.
      window.addEventListener('input', () => { window.__lastKey = performance.now(); }, true);
    });
    await page.click('#search-input');
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/search/meta.js') && e.responseEnd > 0));
    await page.keyboard.type(query, { delay: 100 });
    const typed = await page.waitForFunction(
      (q) => {
        if (document.getElementById('search-input').value !== q) return false;
        const shown = performance.getEntriesByName('archsite-search:shown').find((e) => e.startTime >= window.__lastKey);
        return shown ? shown.startTime - window.__lastKey : false;
      },
      query,
      { polling: 5, timeout: 30_000 },
    );
    r.typed_ms = await typed.jsonValue();
    await context.close();
    console.log(JSON.stringify({ query, ...r }));
  }
} finally {
  await browser.close();
}
