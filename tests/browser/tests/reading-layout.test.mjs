// What readers see (issue #19) on the sample site: comparison tables that fit their column at
// desktop widths (and, on a phone, scroll under a sticky first column with a visible cue),
// diagrams whose text is never drawn below a readable size and whose toolbar covers no node,
// the phone header, the favicon, box-drawing characters in code, and `.mmd` page titles.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT, useSite, gotoAndSettle, describeProblems, runAxe, formatViolations } from '../lib/harness.mjs';

const site = useSite(REPO_ROOT);
const at = (rel) => new URL(rel, site.url).href;

/** Every page of the sample with a table or a diagram (the generated diff page included). */
const PAGES = [
  'index.html', 'physical-architecture-dev.html', 'physical-architecture-prod.html', 'environment-diff.html',
  'reference/high-level-architecture.html', 'reference/logical-architecture.html', 'reference/아키텍처패턴.html',
  'reference/용어 사전.html', 'physical-architecture-dev.mmd.html', 'physical-architecture-prod.mmd.html',
  'network-dev.mmd.html', 'network-prod.mmd.html',
];
const DESKTOP = [1280, 1440, 1920];
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** The smallest size (CSS px) diagram.js draws text at (its MIN_TEXT). */
const MIN_TEXT = 11;

function assertClean(problems, what) {
  const text = describeProblems(problems);
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

async function settle(page) {
  await page.evaluate(() => (window.archsiteDiagrams ? window.archsiteDiagrams.ready() : null));
  await page.evaluate(() => document.fonts.ready);
}

/** Every table wrapper of the page: its widths and those of its table. */
const tables = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.page-content .table-wrap, .page-content > table')].map((w) => {
      const table = w.matches('table') ? w : w.querySelector('table');
      const column = document.querySelector('article.page-content').getBoundingClientRect();
      const box = w.getBoundingClientRect();
      return {
        name: w.closest('figure')?.id || table.querySelector('th')?.textContent.trim().slice(0, 30),
        scrollWidth: w.scrollWidth,
        clientWidth: w.clientWidth,
        tableWidth: table.getBoundingClientRect().width,
        right: box.right,
        columnRight: column.right,
        overflowing: w.classList.contains('is-overflowing'),
        hint: !!(w.nextElementSibling && w.nextElementSibling.classList.contains('scroll-hint')),
      };
    }),
  );

/**
 * Every drawn diagram of the page: the smallest size its text is drawn at (font size in the
 * drawing's units times the drawing's scale on screen), and the toolbar's box against each
 * node's box (nodes, actors, clusters, edge labels) where the node is visible in its frame.
 */
const diagrams = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('figure[data-diagram]')].map((f) => {
      const svg = f.querySelector('.diagram-stage > svg');
      const box = svg.getBoundingClientRect();
      const scale = box.width / svg.viewBox.baseVal.width;
      let minText = Infinity;
      let authored = Infinity;
      for (const t of svg.querySelectorAll('text, foreignObject *')) {
        if (![...t.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
        const size = parseFloat(getComputedStyle(t).fontSize);
        authored = Math.min(authored, size);
        minText = Math.min(minText, size * scale);
      }
      const bar = f.querySelector('.diagram-toolbar').getBoundingClientRect();
      const frame = f.querySelector('.diagram-canvas').getBoundingClientRect();
      const hits = [];
      let nodes = 0;
      for (const n of svg.querySelectorAll('.node, .actor, .cluster, .edgeLabel, .label')) {
        const r = n.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        // Only what is shown: the frame clips the rest.
        const shown = { left: Math.max(r.left, frame.left), right: Math.min(r.right, frame.right), top: Math.max(r.top, frame.top), bottom: Math.min(r.bottom, frame.bottom) };
        if (shown.left >= shown.right || shown.top >= shown.bottom) continue;
        nodes++;
        const overlap = shown.left < bar.right && shown.right > bar.left && shown.top < bar.bottom && shown.bottom > bar.top;
        if (overlap) hits.push((n.textContent || n.getAttribute('class')).trim().slice(0, 40));
      }
      return { minText, authored, nodes, hits, drawing: box.width, frame: frame.width, canPan: f.classList.contains('can-pan') };
    }),
  );

describe('reading layout: tables and diagrams at desktop widths', { timeout: 300_000 }, () => {
  for (const width of DESKTOP) {
    test(`${width} px: no table overflows its column; diagram text >= ${MIN_TEXT} px; the toolbar covers no node`, async () => {
      const { page, problems, context } = await site.open({ viewport: { width, height: 900 } });
      let tableCount = 0;
      let diagramCount = 0;
      for (const rel of PAGES) {
        await gotoAndSettle(page, at(rel));
        await settle(page);
        for (const t of await tables(page)) {
          tableCount++;
          const where = `${rel} at ${width} px, table ${t.name}`;
          assert.ok(t.scrollWidth <= t.clientWidth + 1, `${where}: needs a horizontal scroll (${t.scrollWidth} px in ${t.clientWidth} px)`);
          assert.ok(t.tableWidth <= t.clientWidth + 1 && t.right <= t.columnRight + 1, `${where}: wider than its column`);
          assert.ok(!t.overflowing && !t.hint, `${where}: no scroll cue on a table that fits`);
        }
        for (const [i, d] of (await diagrams(page)).entries()) {
          diagramCount++;
          const where = `${rel} at ${width} px, diagram ${i + 1}`;
          assert.ok(d.minText >= Math.min(MIN_TEXT, d.authored) - 0.05, `${where}: text drawn at ${d.minText.toFixed(2)} px`);
          assert.ok(d.nodes > 0, `${where}: nodes in view`);
          assert.deepEqual(d.hits, [], `${where}: the toolbar covers nodes`);
          if (d.drawing > d.frame) assert.ok(d.canPan, `${where}: wider than its frame, so it says it pans`);
        }
      }
      assert.ok(tableCount >= 30, `the sample's tables were measured (${tableCount})`);
      assert.ok(diagramCount >= 8, `the sample's diagrams were measured (${diagramCount})`);

      // The master's cost table: every value of the prod and ratio columns is in view, with its
      // note under it.
      await gotoAndSettle(page, at('index.html'));
      const cost = await page.evaluate(() => {
        const wrap = document.querySelector('#table-cost .table-wrap').getBoundingClientRect();
        const cells = [...document.querySelectorAll('#table-cost td.num')];
        const note = document.querySelector('#table-cost td.num .cell-note');
        const value = note.parentElement.getBoundingClientRect();
        return {
          outside: cells.filter((c) => c.getBoundingClientRect().right > wrap.right + 1).map((c) => c.textContent),
          noteBelow: note.getBoundingClientRect().top >= value.top + 10 && getComputedStyle(note).display === 'block',
        };
      });
      assert.deepEqual(cost.outside, [], 'every number of the cost table is in view');
      assert.ok(cost.noteBelow, 'a value\'s note sits under it');
      assertClean(problems, `${width} px`);
      await context.close();
    });
  }

  test('full screen (1280x800, 1920x1080): starts readable, the toolbar covers no node', async () => {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
      const { page, problems, context } = await site.open({ viewport });
      for (const rel of ['physical-architecture-prod.mmd.html', 'network-dev.mmd.html', 'index.html']) {
        await gotoAndSettle(page, at(rel));
        await settle(page);
        await page.click('figure[data-diagram] .diagram-fullscreen');
        const [d] = await diagrams(page);
        const where = `${rel} in full screen at ${viewport.width} px`;
        assert.ok(d.minText >= Math.min(MIN_TEXT, d.authored) - 0.05, `${where}: text drawn at ${d.minText.toFixed(2)} px`);
        assert.deepEqual(d.hits, [], `${where}: the toolbar covers nodes`);
        await page.keyboard.press('Escape');
      }
      assertClean(problems, 'full screen');
      await context.close();
    }
  });

  test('a drawing wider than its frame pans: drag, sideways wheel, the edges fade where it is cut', async () => {
    const { page, problems, context } = await site.open({ viewport: { width: 1280, height: 900 } });
    await gotoAndSettle(page, at('physical-architecture-prod.mmd.html'));
    await settle(page);
    const figure = page.locator('figure[data-diagram]');
    const state = () =>
      figure.evaluate((f) => {
        const c = f.querySelector('.diagram-canvas');
        const d = f.querySelector('.diagram-stage > svg').getBoundingClientRect();
        return { left: d.left, right: d.right, canvas: c.getBoundingClientRect().toJSON(), classes: c.className, hint: getComputedStyle(f.querySelector('.diagram-hint')).visibility };
      });
    const start = await state();
    assert.match(start.classes, /more-left/);
    assert.match(start.classes, /more-right/);
    assert.equal(start.hint, 'visible', 'the toolbar says the drawing can be moved');
    // A sideways wheel pans (a vertical one scrolls the page).
    await page.mouse.move(start.canvas.x + 300, start.canvas.y + 200);
    await page.mouse.wheel(400, 0);
    await page.waitForFunction((l) => document.querySelector('.diagram-stage > svg').getBoundingClientRect().left < l - 100, start.left, { timeout: 5000 });
    // Far to the left: the right edge is reached, and no longer fades.
    for (let i = 0; i < 10; i++) await page.mouse.wheel(400, 0);
    await page.waitForFunction(() => !document.querySelector('.diagram-canvas').classList.contains('more-right'), null, { timeout: 5000 });
    const end = await state();
    assert.ok(end.right <= end.canvas.x + end.canvas.width + 1, 'the wheel stops at the right edge of the drawing');
    assertClean(problems, 'panning');
    await context.close();
  });
});

describe('reading layout: phones', { timeout: 180_000 }, () => {
  test('390 px: a wide table keeps its first column in view and says it scrolls', async () => {
    const { page, problems, context } = await site.open(PHONE);
    for (const [rel, selector] of [['index.html', '#table-cost .table-wrap'], ['physical-architecture-prod.html', '.table-wrap:has(th:text-is("노드풀"))']]) {
      await gotoAndSettle(page, at(rel));
      const wrap = page.locator(selector).first();
      await wrap.scrollIntoViewIfNeeded();
      const before = await wrap.evaluate((w) => ({
        overflowing: w.classList.contains('is-overflowing'),
        atEnd: w.classList.contains('is-at-end'),
        mask: getComputedStyle(w).maskImage || getComputedStyle(w).webkitMaskImage,
        hint: w.nextElementSibling?.classList.contains('scroll-hint') ? w.nextElementSibling.textContent : null,
        hintVisible: w.nextElementSibling ? w.nextElementSibling.getBoundingClientRect().height > 0 : false,
        sticky: getComputedStyle(w.querySelector('tbody tr > :first-child')).position,
      }));
      assert.ok(before.overflowing, `${rel}: the table is wider than a phone`);
      assert.equal(before.hint, '옆으로 밀어서 더 보기', `${rel}: a line under the table says it scrolls`);
      assert.ok(before.hintVisible);
      assert.match(before.mask, /gradient/, `${rel}: the cut edge fades out`);
      assert.equal(before.sticky, 'sticky', `${rel}: the first column sticks`);
      assert.ok(!before.atEnd);
      // Scrolled: the first column's cells stay at the left edge, over the others.
      const after = await wrap.evaluate(async (w) => {
        w.scrollLeft = 150;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const first = w.querySelector('tbody tr:not(.group) > :first-child').getBoundingClientRect();
        const covered = document.elementFromPoint(first.left + first.width / 2, first.top + first.height / 2);
        w.scrollLeft = w.scrollWidth;
        await new Promise((r) => setTimeout(r, 50));
        return {
          firstLeft: first.left - w.getBoundingClientRect().left,
          onTop: !!covered && covered.closest('tr > :first-child') !== null,
          atEnd: w.classList.contains('is-at-end'),
          mask: getComputedStyle(w).maskImage || getComputedStyle(w).webkitMaskImage,
          pageX: window.scrollX,
        };
      });
      assert.ok(Math.abs(after.firstLeft) <= 2, `${rel}: the first column stays at the left (${after.firstLeft})`);
      assert.ok(after.onTop, `${rel}: the first column is drawn over the scrolled cells`);
      assert.ok(after.atEnd, `${rel}: scrolled to the end`);
      assert.equal(after.mask, 'none', `${rel}: nothing fades once the end is reached`);
      assert.equal(after.pageX, 0, 'the page itself does not scroll sideways');
    }
    assertClean(problems, 'phone tables');
    await context.close();
  });

  test('390 px: the header shows the whole site title; the search box opens with a placeholder that fits', async () => {
    const { page, problems, context } = await site.open(PHONE);
    await gotoAndSettle(page, at('index.html'));
    const title = await page.locator('.site-title span').evaluate((s) => ({
      text: s.textContent,
      cut: s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1,
      right: s.getBoundingClientRect().right,
      next: document.getElementById('search-toggle').getBoundingClientRect().left,
    }));
    assert.equal(title.text, '여행 일정 서비스 물리 아키텍처');
    assert.ok(!title.cut, 'the site title is not truncated');
    assert.ok(title.right <= title.next, 'the title does not run under the buttons');
    assert.equal(await page.locator('#search-input').isVisible(), false, 'the box is a button until tapped');

    await page.locator('#search-toggle').tap();
    const input = page.locator('#search-input');
    await input.waitFor({ state: 'visible' });
    assert.ok(await input.evaluate((i) => i === document.activeElement), 'the box has the focus');
    assert.equal(await page.locator('#search-toggle').getAttribute('aria-expanded'), 'true');
    const fits = await input.evaluate((i) => {
      const style = getComputedStyle(i);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = i.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const box = i.getBoundingClientRect();
      return { placeholder: i.placeholder, text: ctx.measureText(i.placeholder).width, room, left: box.left, right: box.right };
    });
    assert.equal(fits.placeholder, '검색', 'a touch screen gets the short placeholder (no keyboard shortcut to show)');
    assert.ok(fits.text <= fits.room, `the placeholder fits (${fits.text} px in ${fits.room} px)`);
    assert.ok(fits.left >= 0 && fits.right <= 390, 'the box is on screen');
    await input.fill('백업');
    await page.locator('.search-option').first().waitFor({ state: 'visible', timeout: 10_000 });
    const violations = await runAxe(page);
    assert.equal(violations.length, 0, `axe on the open phone search:\n${formatViolations(violations)}`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#search-toggle').getAttribute('aria-expanded'), 'false', 'Escape closes the box');
    assertClean(problems, 'phone header');
    await context.close();
  });

  test('390 px: axe finds nothing on a page with a scrolling table (light and dark)', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const { page, context } = await site.open({ ...PHONE, colorScheme });
      await gotoAndSettle(page, at('index.html'));
      await page.locator('#table-cost').scrollIntoViewIfNeeded();
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, `axe (${colorScheme}):\n${formatViolations(violations)}`);
      await context.close();
    }
  });
});

describe('reading layout: smaller items', { timeout: 120_000 }, () => {
  test('favicon: shipped, linked, and /favicon.ico answers 200', async () => {
    const { page, problems, context } = await site.open();
    await gotoAndSettle(page, at('reference/용어 사전.html'));
    const icons = await page.$$eval('link[rel="icon"]', (ls) => ls.map((l) => l.href));
    assert.equal(icons.length, 2);
    // Fetched from Node: Chromium refuses a page's fetch() of /favicon.ico.
    for (const href of [...icons, at('favicon.ico')]) {
      const res = await fetch(href);
      const r = { status: res.status, type: res.headers.get('content-type'), size: (await res.arrayBuffer()).byteLength };
      assert.equal(r.status, 200, href);
      assert.match(r.type, /^image\//, href);
      assert.ok(r.size > 100, `${href}: ${r.size} bytes`);
    }
    assert.ok(icons.includes(at('favicon.ico')), 'favicon.ico is linked from a page in a sub-folder');
    assertClean(problems, 'favicon');
    await context.close();
  });

  test('code: box-drawing characters are as wide as letters (the ASCII tree lines up)', async () => {
    const { page, problems, context } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const widths = await page.evaluate(() => {
      const code = [...document.querySelectorAll('pre.code code')].find((c) => c.textContent.includes('├──'));
      const probe = (text) => {
        const span = document.createElement('span');
        span.textContent = text;
        code.appendChild(span);
        const w = span.getBoundingClientRect().width;
        span.remove();
        return w;
      };
      return { box: probe('├──│└'.repeat(8)), latin: probe('abcde'.repeat(8)), family: getComputedStyle(code).fontFamily };
    });
    assert.ok(Math.abs(widths.box - widths.latin) <= 0.5, `├──│└ and abcde are drawn ${widths.box} and ${widths.latin} px wide (${widths.family})`);
    assertClean(problems, 'box drawing');
    await context.close();
  });

  test('.mmd pages are titled from the diagram, not the file name', async () => {
    const { page, problems, context } = await site.open();
    for (const [rel, title] of [
      ['physical-architecture-prod.mmd.html', '운영환경 물리 아키텍처'],
      ['physical-architecture-dev.mmd.html', '개발환경 물리 아키텍처'],
      ['network-prod.mmd.html', '운영환경 네트워크'],
      ['network-dev.mmd.html', '개발환경 네트워크'],
    ]) {
      await gotoAndSettle(page, at(rel));
      assert.equal(await page.locator('article h1').textContent(), title, rel);
      assert.match(await page.title(), new RegExp(`^${title} · `), rel);
    }
    assertClean(problems, '.mmd titles');
    await context.close();
  });
});
