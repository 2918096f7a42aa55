// Measures search queries in headless Chromium for bench/search.py: for each query, a fresh
// page loads the site's home page, then window.__archsiteSearch.query(q) runs cold (the index
// files load by <script>, as on first use) and again warm. Prints one JSON line per query:
// { query, cold_ms, warm_ms, bytes, files, hits }, bytes being the body sizes of the /search/
// files the query loaded (Resource Timing, the server sends no compression).
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
try {
  for (const query of queries) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    const r = await page.evaluate(async (q) => {
      const t0 = performance.now();
      const cold = await window.__archsiteSearch.query(q);
      const t1 = performance.now();
      await window.__archsiteSearch.query(q);
      const t2 = performance.now();
      const files = performance.getEntriesByType('resource').filter((e) => e.name.includes('/search/'));
      return {
        cold_ms: t1 - t0,
        warm_ms: t2 - t1,
        bytes: files.reduce((n, e) => n + (e.encodedBodySize || e.transferSize || 0), 0),
        files: files.length,
        hits: cold.hits.length,
      };
    }, query);
    console.log(JSON.stringify({ query, ...r }));
    await context.close();
  }
} finally {
  await browser.close();
}
