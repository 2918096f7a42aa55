// Full-text search on the sample site: Korean queries with particles land on the right section,
// English prefixes, keyboard use (/, Ctrl-K, arrows, Enter, Escape), the highlight on the opened
// page, lazy loading of the index, the whole query set (tests/search/queries.json) run by the
// browser's own search code, file://, and axe on the open result list in light and dark.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, useSite, gotoAndSettle, decodedHash, expectInViewport, describeProblems, runAxe, formatViolations } from '../lib/harness.mjs';

const site = useSite(REPO_ROOT);
const at = (rel) => new URL(rel, site.url).href;
const QUERIES = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tests', 'search', 'queries.json'), 'utf8'));

/** The options of the open result list: page title, section, target (decoded path + hash). */
const options = (page) =>
  page.$$eval('#search-results [role="option"]', (os) =>
    os.map((o) => {
      const u = new URL(o.getAttribute('data-href'), location.href);
      return {
        id: o.id,
        page: o.closest('[role="group"]').querySelector('.search-page').textContent,
        section: o.querySelector('.search-section').textContent,
        marks: [...o.querySelectorAll('mark')].map((m) => m.textContent),
        target: decodeURIComponent(u.pathname).replace(/^\//, '') + decodeURIComponent(u.hash),
      };
    }),
  );

/** Types `query` into the search box and waits for the result list (or its status line). */
async function searchFor(page, query) {
  await page.fill('#search-input', '');
  await page.click('#search-input');
  await page.keyboard.type(query);
  await page.waitForFunction(
    (q) => {
      const input = document.getElementById('search-input');
      const opts = document.querySelectorAll('#search-results [role="option"]');
      const status = document.getElementById('search-status').textContent;
      // The list of this query, not of an earlier keystroke's (typing "SERV", "S" alone finds
      // nothing and says so until the later queries answer).
      const list = document.getElementById('search-results');
      const answered = list.getAttribute('data-query') === q && list.getAttribute('aria-busy') !== 'true';
      return input.value === q && answered && input.getAttribute('aria-expanded') === 'true' && (opts.length > 0 || status !== '');
    },
    query,
    { polling: 20 },
  );
  return options(page);
}

describe('sample site: search', { timeout: 180_000 }, () => {
  test('the index loads only when search is first used', async () => {
    const { page, problems } = await site.open();
    const before = site.server.log.length;
    await gotoAndSettle(page, at('index.html'));
    const early = site.server.log.slice(before).filter((e) => e.path.includes('/search/'));
    assert.deepEqual(early, [], 'no index file is requested before the reader searches');
    assert.equal(await page.getAttribute('#search-input', 'placeholder'), '검색 (/ 또는 Ctrl+K)');
    await searchFor(page, '백업은');
    const loaded = site.server.log.slice(before).filter((e) => e.path.includes('/search/')).map((e) => e.path);
    assert.ok(loaded.some((p) => p.endsWith('/search/meta.js')), loaded.join('\n'));
    assert.ok(loaded.some((p) => /\/search\/t\/\d+\.js$/.test(p)), 'a term shard');
    assert.ok(loaded.length < 16, `a query loads a handful of files: ${loaded.join(', ')}`);
    assert.equal(describeProblems(problems), '');
  });

  test('Korean queries with particles find the right section', async () => {
    const { page } = await site.open();
    await gotoAndSettle(page, at('physical-architecture.html'));
    const cases = [
      ['환경별로', (t) => t.startsWith('index.html#') && t.includes('환경별')],
      ['백업은', (t) => /^physical-architecture-(dev|prod)\.html#44-백업-및-복구$/.test(t)],
      ['운영환경의', (t) => t === 'physical-architecture-prod.html#물리-아키텍처-설계서---운영환경' || t === 'index.html#222-운영환경-아키텍처'],
      ['노드풀에서', (t) => /^physical-architecture-(dev|prod)\.html#32-노드풀$/.test(t)],
      ['가용성', (t) => t.startsWith('index.html#') || t.startsWith('reference/high-level-architecture.html#')],
    ];
    for (const [query, ok] of cases) {
      const results = await searchFor(page, query);
      assert.ok(results.length > 0, `${query}: results`);
      assert.ok(ok(results[0].target), `${query}: first result ${results[0].target}`);
      assert.ok(results[0].marks.length > 0 || results[0].section.length > 0, `${query}: highlighted`);
    }
    // The stem is what is highlighted: 백업은 marks 백업 in the section title.
    const backup = await searchFor(page, '백업은');
    assert.ok(backup[0].marks.some((m) => m.startsWith('백업')), JSON.stringify(backup[0]));
  });

  test('English queries are case-insensitive prefixes', async () => {
    const { page } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const postg = await searchFor(page, 'postg');
    assert.match(postg[0].target, /^physical-architecture-(dev|prod)\.html#41-postgresql$/);
    assert.ok(postg[0].marks.some((m) => /^postgres/i.test(m)), JSON.stringify(postg[0]));
    const serv = await searchFor(page, 'SERV');
    assert.ok(serv.some((r) => /service bus/i.test(r.section)), JSON.stringify(serv.map((r) => r.section)));
    const hpa = await searchFor(page, 'hpa');
    assert.equal(hpa[0].target, 'reference/용어 사전.html#hpa');
    const none = await searchFor(page, 'zzzqqq');
    assert.equal(none.length, 0);
    assert.equal(await page.textContent('#search-status'), '검색 결과가 없습니다.');
  });

  test('keyboard: / and Ctrl-K focus, arrows move, Enter opens, and the page highlights the words', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    await page.locator('article h1').click();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
    await page.keyboard.type('백업');
    await page.waitForSelector('#search-results [role="option"]');
    await page.keyboard.press('Escape');
    assert.equal(await page.getAttribute('#search-input', 'aria-expanded'), 'false');
    await page.locator('article h1').click();
    await page.keyboard.press('Control+k');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');

    const results = await searchFor(page, '백업은');
    assert.ok(results.length >= 2);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('#search-input', 'aria-activedescendant'), results[0].id);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('#search-input', 'aria-activedescendant'), results[1].id);
    assert.equal(await page.getAttribute(`#${results[1].id}`, 'aria-selected'), 'true');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.getAttribute('#search-input', 'aria-activedescendant'), results[0].id);
    await page.keyboard.press('Enter');
    const [file, anchor] = results[0].target.split('#');
    await page.waitForURL((u) => decodeURIComponent(u.pathname).endsWith('/' + file));
    await page.waitForLoadState('load');
    assert.equal(await decodedHash(page), anchor);
    await expectInViewport(page, anchor);
    await page.waitForSelector('mark.search-hit');
    const marks = await page.$$eval('article mark.search-hit', (ms) => ms.map((m) => m.textContent));
    assert.ok(marks.length >= 2 && marks.every((m) => m.startsWith('백업')), JSON.stringify(marks));
    const inSection = await page.evaluate((id) => {
      const h = document.getElementById(id);
      return [...document.querySelectorAll('mark.search-hit')].some((m) => h.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);
    }, anchor);
    assert.ok(inSection, 'a highlighted word follows the target heading');
    assert.equal(describeProblems(problems), '');
  });

  test('the opened page marks the words the query matched, not words that share a part of it', async () => {
    const { page, problems } = await site.open();
    // The master compares 운영환경 with 개발환경: a search for 운영환경의 must mark neither
    // 개발환경 nor a bare 환경.
    await gotoAndSettle(page, at('index.html?hl=' + encodeURIComponent('운영환경의')));
    await page.waitForSelector('mark.search-hit');
    const marks = await page.$$eval('article mark.search-hit', (ms) => ms.map((m) => m.textContent));
    assert.ok(marks.length >= 10, `marks: ${marks.length}`);
    assert.deepEqual(marks.filter((m) => !m.startsWith('운영환경')), [], 'only 운영환경 and its inflections are marked');
    const text = await page.locator('article').textContent();
    assert.ok(text.includes('개발환경') && /(^|\s)환경/.test(text), 'the page has 개발환경 and bare 환경 that could have been marked');
    // The same words the result list marks: compounds that hold the whole word, and the word
    // written apart (운영 환경의) are found; words sharing only a part are not.
    const marked = await page.evaluate(async () => {
      const m = window.__archsiteSearch.marks;
      return {
        apart: await m('운영 환경의 비용과 개발환경의 비용', '운영환경의'),
        compound: await m('고가용성 구성과 가용 영역, 성능', '가용성'),
        prefix: await m('Postgres와 PostgreSQL, post', 'postg'),
      };
    });
    assert.deepEqual(marked.apart, ['운영', '환경의']);
    assert.deepEqual(marked.compound, ['고가용성']);
    assert.deepEqual(marked.prefix, ['postgres', 'postgresql']);
    assert.equal(describeProblems(problems), '');
  });

  test('the browser finds what the query set expects', async () => {
    const { page } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const failures = [];
    for (const q of QUERIES) {
      const found = await page.evaluate(async (query) => {
        const r = await window.__archsiteSearch.query(query);
        return r.hits.map((h) => {
          const p = r.pages[h.page];
          return { url: p.u, first: p.u + '#' + p.s[h.sections[0][0]][0] };
        });
      }, q.query);
      const urls = found.slice(0, 10).map((f) => f.url);
      // With more than 10 relevant pages, ten of them in the first ten is all there is to get
      // (as R@10 counts in tests/it/search.rs): then only an extra page is a failure.
      const missing = q.relevant.length <= 10 ? q.relevant.filter((u) => !urls.includes(u)) : [];
      const extra = urls.filter((u) => !q.relevant.includes(u));
      if (missing.length || extra.length) failures.push(`${q.query}: missing ${missing} extra ${extra}`);
      if (q.top && found.length && !q.top.includes(found[0].first)) failures.push(`${q.query}: first ${found[0].first}`);
    }
    // The Rust reference misses one first section (see tests/it/search.rs): the browser may not
    // miss more, and must find every relevant page and nothing else.
    assert.ok(failures.filter((f) => !f.includes(': first ')).length === 0, failures.join('\n'));
    assert.ok(failures.length <= 1, failures.join('\n'));
  });

  test('the best results show while the others are still loading', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    // Ranked first to last: the page files of every hit but the first are held back until the
    // first group is on screen.
    const order = await page.evaluate(async () => (await window.__archsiteSearch.query('백업')).hits.map((h) => h.page));
    assert.ok(order.length >= 2, `백업 finds several pages: ${order}`);
    const context = page.context();
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await context.route(/\/search\/p\/\d+\.js$/, async (route) => {
      const n = Number(route.request().url().match(/(\d+)\.js$/)[1]);
      if (n !== order[0]) await held;
      await route.continue();
    });
    // A fresh page: the first query above loaded every page file into this one.
    await gotoAndSettle(page, at('index.html'));
    await page.click('#search-input');
    await page.keyboard.type('백업');
    await page.waitForSelector('#search-results[aria-busy="true"] [role="option"]');
    const early = await options(page);
    assert.equal(new Set(early.map((o) => o.page)).size, 1, `only the first page's group: ${JSON.stringify(early)}`);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('#search-input', 'aria-activedescendant'), early[0].id);
    release();
    await page.waitForSelector('#search-results[aria-busy="false"]');
    const all = await options(page);
    assert.equal(new Set(all.map((o) => o.page)).size, order.length, JSON.stringify(all));
    assert.deepEqual(all.slice(0, early.length).map((o) => o.id), early.map((o) => o.id), 'the early options stay first');
    assert.equal(await page.getAttribute('#search-input', 'aria-activedescendant'), early[0].id, 'the selection survives');
    await context.unroute(/\/search\/p\/\d+\.js$/);
    assert.equal(describeProblems(problems), '');
  });

  test('a page file that fails to load leaves out its result, not the others, and says so', async () => {
    const { page } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const order = await page.evaluate(async () => (await window.__archsiteSearch.query('백업')).hits.map((h) => h.page));
    const context = page.context();
    const pageFile = /\/search\/p\/\d+\.js$/;
    assert.ok(order.length >= 3, `백업 finds several pages: ${order}`);
    await context.route(pageFile, (route) =>
      Number(route.request().url().match(/(\d+)\.js$/)[1]) === order[1] ? route.abort('failed') : route.continue());
    await gotoAndSettle(page, at('index.html'));
    await page.click('#search-input');
    await page.keyboard.type('백업');
    await page.waitForFunction(() => document.getElementById('search-results').getAttribute('data-query') === '백업' &&
      document.getElementById('search-results').getAttribute('aria-busy') === 'false');
    assert.equal(await page.textContent('#search-status'), '일부 결과를 불러오지 못했습니다.');
    const shown = await options(page);
    assert.equal(new Set(shown.map((o) => o.page)).size, order.length - 1, JSON.stringify(shown));
    await context.unroute(pageFile);
  });

  test('search works from file://', async () => {
    const { page, problems } = await site.open({ allowedOrigin: 'file' });
    await gotoAndSettle(page, site.fileUrl('reference/index.html'));
    const results = await searchFor(page, 'Redis');
    assert.ok(results.length > 0);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.protocol === 'file:' && u.hash !== '');
    await page.waitForLoadState('load');
    await page.waitForSelector('mark.search-hit');
    assert.equal(describeProblems(problems), '');
  });

  for (const scheme of ['light', 'dark']) {
    test(`axe: the open result list has no violations (${scheme})`, async () => {
      const { page } = await site.open({ colorScheme: scheme });
      await gotoAndSettle(page, at('index.html'));
      await searchFor(page, '보안');
      await page.keyboard.press('ArrowDown');
      const violations = await runAxe(page, { context: { include: [['.site-header']] } });
      assert.equal(violations.length, 0, formatViolations(violations));
    });
  }
});
