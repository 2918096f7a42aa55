// A design folder without a master index (tests/fixtures/design-folder/site: design/ with
// backend, database (*.sql, *.psql), infra (*-dev.md / *-prod.md without front matter) and
// architecture (.mmd)). Issue #17: the generated home page (sections, diagrams, environments)
// and a source page (numbered lines: #L3 marked without JavaScript, #L8-L15 marked as on a code
// host, a click on a line number sets the anchor and a shift-click makes a range), each in the
// light and the dark theme with axe-core.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, useSite, gotoAndSettle, decodedHash, expectInViewport, describeProblems, runAxe, formatViolations } from '../lib/harness.mjs';

const SITE = path.join(FIXTURES, 'design-folder', 'site');
const site = useSite(SITE);
const at = (rel) => new URL(rel, site.url).href;
const SCHEMA = 'design/database/schema.sql.html';

function assertClean(problems, what) {
  const text = describeProblems(problems);
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

async function noViolations(page, label) {
  const violations = await runAxe(page);
  assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) on ${label}:\n${formatViolations(violations)}`);
}

/** The lines of the source listing marked (by :target or by archsite.js), as numbers. */
const markedLines = (page) =>
  page.evaluate(() => {
    const plain = getComputedStyle(document.querySelector('pre.source-code code')).backgroundColor;
    return [...document.querySelectorAll('pre.source-code .line')]
      .filter((l) => getComputedStyle(l).backgroundColor !== plain && getComputedStyle(l).backgroundColor !== 'rgba(0, 0, 0, 0)')
      .map((l) => Number(l.id.slice(1)));
  });

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('design folder: generated home page and source pages', { timeout: 180_000 }, () => {
  for (const colorScheme of ['light', 'dark']) {
    test(`home page (${colorScheme}): the project's name, sections, diagrams, environments; axe`, async () => {
      const { page, problems } = await site.open({ colorScheme });
      const response = await gotoAndSettle(page, site.url);
      assert.equal(response.status(), 200);
      assert.equal(await page.title(), '주문 플랫폼 설계');
      assert.equal((await page.locator('article h1').innerText()).trim(), '주문 플랫폼 설계');
      const headings = await page.locator('article h2').allInnerTexts();
      assert.deepEqual(headings.map((h) => h.replace(/#$/, '').trim()), ['문서', '다이어그램', '환경']);
      // Every document, with its line.
      const docs = await page.locator('#home-documents ~ .home-folders a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const rel of ['design/index.html', 'design/architecture/overview.html', 'design/backend/api/order-service.html', 'design/database/database-design.html', 'design/infra/infra-dev.html', 'design/infra/infra-prod.html', 'design/infra/load-test.html']) {
        assert.ok(docs.includes(rel), `the home page lists ${rel}: ${docs}`);
      }
      assert.match(await page.locator('.home-folders').innerText(), /주문 데이터베이스의 테이블과 마이그레이션/);
      // Diagram cards lead to the diagram pages.
      const cards = page.locator('.home-card a');
      assert.equal(await cards.count(), 2);
      await cards.filter({ hasText: '논리 아키텍처' }).click();
      await page.waitForURL((u) => u.pathname.endsWith('/design/architecture/logical.mmd.html'));
      await page.goBack();
      // Environments: dev and prod of infra; the lone load-test is none.
      const envs = await page.locator('.home-envs').innerText();
      assert.match(envs, /개발환경\s*개발 인프라/);
      assert.match(envs, /운영환경\s*운영 인프라/);
      assert.doesNotMatch(envs, /부하 테스트/);
      assert.equal(await page.locator('.backlinks').count(), 0, 'no "referenced by" on the home page');
      await noViolations(page, `home (${colorScheme})`);
      assertClean(problems, `home (${colorScheme})`);
    });

    test(`source page (${colorScheme}): #L8-L15 marks the range, the code copies without numbers; axe`, async () => {
      const { page, problems } = await site.open({ colorScheme, viewport: { width: 1280, height: 500 } });
      await gotoAndSettle(page, at(`${SCHEMA}#L8-L15`));
      assert.deepEqual(await markedLines(page), range(8, 15));
      await expectInViewport(page, 'L8');
      // What a reader copies is the file, without line numbers.
      const file = readFileSync(path.join(SITE, 'design/database/schema.sql'), 'utf8');
      const copied = await page.locator('pre.source-code code').innerText();
      assert.equal(copied.replace(/\n+$/, ''), file.replace(/\n+$/, ''));
      // One line box per line: the listing is as tall as its lines, with no blank ones between.
      const heights = await page.locator('pre.source-code .line').evaluateAll((ls) => ls.map((l) => l.getBoundingClientRect().height));
      assert.ok(Math.max(...heights) < 1.6 * Math.min(...heights), `line heights ${heights}`);
      await noViolations(page, `${SCHEMA} (${colorScheme})`);
      assertClean(problems, `source page (${colorScheme})`);
    });
  }

  test('source page: #L3 is marked without JavaScript', async () => {
    const { page } = await site.open({ javaScriptEnabled: false });
    await page.goto(at(`${SCHEMA}#L3`));
    assert.deepEqual(await markedLines(page), [3]);
  });

  test('source page: a click on a line number sets #L5, a shift-click on another makes #L5-L9', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at(SCHEMA));
    assert.deepEqual(await markedLines(page), []);
    await page.locator('a.ln[data-line="5"]').click();
    assert.equal(await decodedHash(page), 'L5');
    assert.deepEqual(await markedLines(page), [5]);
    await page.locator('a.ln[data-line="9"]').click({ modifiers: ['Shift'] });
    assert.equal(await decodedHash(page), 'L5-L9');
    assert.deepEqual(await markedLines(page), range(5, 9));
    // The download link is the raw file.
    const href = await page.locator('a.source-download').getAttribute('href');
    assert.equal(href, 'schema.sql');
    const raw = await page.request.get(at('design/database/schema.sql'));
    assert.equal(raw.status(), 200);
    assertClean(problems, 'line clicks');
  });

  test('a document links to the source page with its line anchor', async () => {
    const { page, problems } = await site.open({ viewport: { width: 1280, height: 500 } });
    await gotoAndSettle(page, at('design/database/database-design.html'));
    await page.locator('article a', { hasText: '3행' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/schema.sql.html'));
    assert.equal(await decodedHash(page), 'L3');
    await expectInViewport(page, 'L3');
    assertClean(problems, 'document → source line');
  });
});
