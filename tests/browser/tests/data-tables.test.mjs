// Data tables generated from content/data/*.yaml: the rendered cost table of the sample site
// (values, total, ratio), the inline values in the prose, the copy-as-CSV/Markdown action, the
// phone layout (the table scrolls inside its wrapper) and an axe audit of the table and the
// environment-diff page.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT, useSite, gotoAndSettle, describeProblems, runAxe, formatViolations } from '../lib/harness.mjs';

const site = useSite(REPO_ROOT);
const at = (rel) => new URL(rel, site.url).href;

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** The cost table as rows of cell texts (header, body rows, footer). */
const costTable = (page) =>
  page.evaluate(() => {
    const figure = document.querySelector('figure#table-cost');
    const text = (cell) => cell.textContent.replace(/\s+/g, ' ').trim();
    const rows = (sel) => [...figure.querySelectorAll(sel)].map((tr) => [...tr.children].map(text));
    return {
      caption: text(figure.querySelector('caption')),
      head: rows('thead tr'),
      body: rows('tbody tr:not(.group):not(.subtotal)'),
      subtotals: rows('tbody tr.subtotal'),
      total: rows('tfoot tr')[0],
      numericAlign: getComputedStyle(figure.querySelector('tfoot td.num')).textAlign,
      scopes: [...figure.querySelectorAll('th[scope]')].map((th) => th.getAttribute('scope')),
    };
  });

const money = (s) => Number(s.replace(/\(.*\)/, '').replace(/[$,\s]/g, ''));

describe('sample site: data tables', { timeout: 120_000 }, () => {
  test('the cost table shows every row, the totals and the ratio, and they add up', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const t = await costTable(page);
    assert.equal(t.caption, '월간 비용 비교 (USD)');
    assert.deepEqual(t.head[0], ['구성 요소', '개발환경', '운영환경', '배율 (운영환경/개발환경)']);
    assert.equal(t.body.length, 8, JSON.stringify(t.body));
    const nodes = t.body.find((r) => r[0] === '애플리케이션 노드풀');
    assert.deepEqual(nodes.slice(1), ['$50 (Standard_D4s_v5 × 2, Spot)', '$850 (Standard_D8s_v5 × 3 Reserved + 확장분 종량제)', '17배']);
    const postgres = t.body.find((r) => r[0] === 'PostgreSQL');
    assert.equal(postgres[3], '무제한', 'a zero base shows the configured infinity');
    assert.deepEqual(t.total, ['합계', '$150', '$2,300', '15.3배']);
    // The numbers on the page add up: rows → total, and the ratio is total/total.
    const sum = (col) => t.body.reduce((acc, r) => acc + money(r[col]), 0);
    assert.equal(sum(1), money(t.total[1]));
    assert.equal(sum(2), money(t.total[2]));
    assert.equal((money(t.total[2]) / money(t.total[1])).toFixed(1) + '배', t.total[3]);
    assert.deepEqual(t.subtotals.map((r) => r.slice(1)), [['$120', '$1,200', '10배'], ['$0', '$700', '무제한']]);
    assert.equal(t.numericAlign, 'right');
    assert.ok(t.scopes.includes('col') && t.scopes.includes('row') && t.scopes.includes('rowgroup'));

    const quoted = await page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('.data-value')].map((s) => [s.dataset.ref, s.textContent])));
    assert.equal(quoted['cost.total.prod'], '$2,300');
    assert.equal(quoted['cost.total.dev'], '$150');
    assert.equal(quoted['cost.total.prod/dev'], '15.3배');
    const body = await page.evaluate(() => document.querySelector('article').textContent);
    assert.ok(!body.includes('2,650') && !body.includes('17.7'), 'the seed\'s wrong figures never appear');
    assert.equal(describeProblems(problems), '');
  });

  test('the environment documents show their column of the same data', async () => {
    const { page } = await site.open();
    for (const [rel, total] of [['physical-architecture-dev.html', '$150'], ['physical-architecture-prod.html', '$2,300']]) {
      await gotoAndSettle(page, at(rel));
      const foot = await page.evaluate(() =>
        [...document.querySelectorAll('figure#table-cost tfoot tr > *')].map((c) => c.textContent.trim()));
      assert.deepEqual(foot, ['합계', '', total], rel);
    }
  });

  test('copy as CSV and Markdown', async () => {
    const { page, context } = await site.open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
    await gotoAndSettle(page, at('index.html'));
    const buttons = await page.$$eval('figure#table-cost .table-copy', (bs) => bs.map((b) => b.textContent));
    assert.deepEqual(buttons, ['CSV 복사', 'Markdown 복사']);
    await page.click('figure#table-cost .table-copy[data-format="csv"]');
    const csv = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(csv.startsWith('구성 요소,개발환경,운영환경,배율 (운영환경/개발환경)\n'), csv);
    assert.ok(csv.includes('\n합계,$150,"$2,300",15.3배\n'), csv);
    await page.click('figure#table-cost .table-copy[data-format="markdown"]');
    const md = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(md.includes('| 합계 | $150 | $2,300 | 15.3배 |'), md);
    assert.ok(md.split('\n')[1].startsWith('| --- |'), md);
  });

  test('on a phone the wide table scrolls inside its wrapper, not the page', async () => {
    const { page } = await site.open(PHONE);
    await gotoAndSettle(page, at('index.html'));
    const m = await page.evaluate(() => {
      const wrap = document.querySelector('figure#table-cost .table-wrap');
      return {
        pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        wrapScrolls: wrap.scrollWidth > wrap.clientWidth,
        focusable: wrap.getAttribute('tabindex'),
      };
    });
    assert.ok(m.pageOverflow <= 1, `the page does not scroll sideways (${m.pageOverflow}px)`);
    assert.ok(m.wrapScrolls, 'the table scrolls inside its wrapper');
    assert.equal(m.focusable, '0', 'keyboard users can scroll it');
  });

  test('axe: tables and the environment-diff page have no violations', async () => {
    const { page } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const tables = await runAxe(page, { context: { include: [['figure.data-table']] } });
    assert.equal(tables.length, 0, formatViolations(tables));
    await gotoAndSettle(page, at('environment-diff.html'));
    const sections = await page.$$eval('section.env-diff h2 a', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(sections.includes('index.html#table-cost'), JSON.stringify(sections));
    const diff = await runAxe(page);
    assert.equal(diff.length, 0, formatViolations(diff));
  });
});
