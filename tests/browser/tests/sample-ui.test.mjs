// The sample site's interface: theme toggle, copy buttons on code blocks, and the phone layout
// (drawer sidebar, no horizontal page scroll, tables that scroll inside .table-wrap).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT, useSite, gotoAndSettle, describeProblems, expectInViewport } from '../lib/harness.mjs';

const site = useSite(REPO_ROOT);
const at = (rel) => new URL(rel, site.url).href;

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PAGES = ['index.html', 'physical-architecture-dev.html', 'physical-architecture-prod.html', 'reference/index.html', 'reference/high-level-architecture.html', 'reference/logical-architecture.html', 'reference/아키텍처패턴.html', 'reference/용어 사전.html', 'sitemap.html'];

function assertClean(problems, what) {
  const text = describeProblems(problems);
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

const state = (page) =>
  page.evaluate(() => {
    let stored = null;
    try { stored = localStorage.getItem('archsite-theme'); } catch { /* no storage */ }
    return {
      attr: document.documentElement.getAttribute('data-theme'),
      stored,
      bg: getComputedStyle(document.body).backgroundColor,
      scheme: getComputedStyle(document.documentElement).colorScheme,
    };
  });

/** Relative luminance of an rgb()/rgba() colour, 0 (black) .. 1 (white). */
function luminance(css) {
  const [r, g, b] = (css.match(/[\d.]+/g) || []).map(Number).slice(0, 3).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('sample site: interface', { timeout: 120_000 }, () => {
  test('theme toggle switches data-theme and the choice survives a reload (system light)', async () => {
    const { page, problems } = await site.open({ colorScheme: 'light' });
    await gotoAndSettle(page, at('index.html'));
    const initial = await state(page);
    assert.equal(initial.attr, null, 'no stored choice: the page follows the system');
    assert.ok(luminance(initial.bg) > 0.8, `light background at first (${initial.bg})`);

    await page.click('#theme-toggle');
    const dark = await state(page);
    assert.equal(dark.attr, 'dark');
    assert.equal(dark.stored, 'dark');
    assert.ok(luminance(dark.bg) < 0.1, `dark background after the toggle (${dark.bg})`);

    await page.reload();
    await page.waitForSelector('#sidebar-tree a', { state: 'attached' });
    const reloaded = await state(page);
    assert.equal(reloaded.attr, 'dark', 'the dark choice persists across a reload');
    assert.ok(luminance(reloaded.bg) < 0.1);

    // Another page of the site keeps it too.
    await gotoAndSettle(page, at('reference/용어 사전.html'));
    assert.equal((await state(page)).attr, 'dark');

    // Back to light = the system's theme: the choice is dropped and the page follows the system.
    await page.click('#theme-toggle');
    const light = await state(page);
    assert.notEqual(light.attr, 'dark');
    assert.equal(light.stored, null);
    assert.ok(luminance(light.bg) > 0.8, `light again (${light.bg})`);
    await page.reload();
    await page.waitForSelector('#sidebar-tree a', { state: 'attached' });
    assert.ok(luminance((await state(page)).bg) > 0.8, 'light after a reload');
    assertClean(problems, 'theme toggle');
  });

  test('theme toggle with a dark system: light is stored and survives a reload', async () => {
    const { page, problems } = await site.open({ colorScheme: 'dark' });
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    const initial = await state(page);
    assert.equal(initial.attr, null);
    assert.ok(luminance(initial.bg) < 0.1, `the system's dark theme applies (${initial.bg})`);
    await page.click('#theme-toggle');
    const light = await state(page);
    assert.equal(light.attr, 'light');
    assert.equal(light.stored, 'light');
    assert.ok(luminance(light.bg) > 0.8, `light after the toggle (${light.bg})`);
    await page.reload();
    await page.waitForSelector('#sidebar-tree a', { state: 'attached' });
    const reloaded = await state(page);
    assert.equal(reloaded.attr, 'light');
    assert.ok(luminance(reloaded.bg) > 0.8);
    assertClean(problems, 'theme toggle (dark system)');
  });

  test('code blocks: every pre.code gets one copy button that copies the code', async () => {
    const { page, context, problems } = await site.open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.origin });
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    const blocks = await page.locator('pre.code').count();
    assert.ok(blocks > 0, 'the dev page has code blocks');
    assert.equal(await page.locator('pre.code > button.copy-code').count(), blocks, 'one copy button per code block');
    const copyWord = await page.getAttribute('body', 'data-copy');
    const copiedWord = await page.getAttribute('body', 'data-copied');
    const first = page.locator('pre.code').first();
    const button = first.locator('button.copy-code');
    assert.equal((await button.textContent()).trim(), copyWord);
    assert.equal(await button.getAttribute('type'), 'button');

    await first.hover();
    await button.click();
    await page.waitForFunction((w) => document.querySelector('pre.code button.copy-code').textContent.trim() === w, copiedWord, { timeout: 3000 });
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    const code = await first.locator('code').evaluate((c) => c.textContent.replace(/\n$/, ''));
    assert.equal(clipboard, code, 'the clipboard holds the code (without the button label)');
    assertClean(problems, 'copy button');
  });

  test('phone (390x844): sidebar hidden, the menu button opens and closes it', async () => {
    const { page, problems } = await site.open(PHONE);
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    const sidebar = page.locator('#sidebar');
    const menu = page.locator('#menu-toggle');
    assert.equal(await sidebar.isVisible(), false, 'the sidebar is hidden on a phone');
    assert.ok(await menu.isVisible(), 'the menu button is shown');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.ok(!(await page.locator('#sidebar-tree a[aria-current="page"]').isVisible()), 'closed drawer links are not visible');

    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await sidebar.waitFor({ state: 'visible', timeout: 3000 });
    const box = await sidebar.boundingBox();
    assert.ok(box && box.x >= -1 && box.x + box.width <= 391, `the open drawer is on screen: ${JSON.stringify(box)}`);
    const current = page.locator('#sidebar-tree a[aria-current="page"]');
    assert.ok(await current.isVisible(), 'the current page is visible in the open drawer');

    // Escape closes it and gives focus back to the button.
    await page.keyboard.press('Escape');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await sidebar.waitFor({ state: 'hidden', timeout: 3000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'menu-toggle');

    // A link in the drawer navigates.
    await menu.click();
    await page.locator('#sidebar-tree a[href$="physical-architecture-prod.html"]').click();
    await page.waitForURL(/physical-architecture-prod\.html$/);
    assert.equal(await page.locator('#menu-toggle').getAttribute('aria-expanded'), 'false', 'a new page starts with the drawer closed');
    assertClean(problems, 'phone drawer');
  });

  test('phone (390x844): the TOC starts collapsed above the article; opened, an entry lands on its heading', async () => {
    const { page, problems } = await site.open(PHONE);
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    const details = page.locator('nav.toc details');
    assert.equal(await details.evaluate((d) => d.open), false, 'collapsed on a phone');
    await page.locator('nav.toc summary').click();
    assert.equal(await details.evaluate((d) => d.open), true);
    const entry = page.locator('nav.toc a').nth(10);
    const href = await entry.getAttribute('href');
    await entry.click();
    const id = decodeURIComponent(href.slice(1));
    await page.waitForFunction((i) => decodeURIComponent(location.hash.slice(1)) === i, id);
    await expectInViewport(page, id);
    assertClean(problems, 'phone TOC');
  });

  test('phone (390x844): no page scrolls sideways; wide tables scroll inside .table-wrap', async () => {
    const { page, problems } = await site.open(PHONE);
    const overflowing = [];
    let wideTables = 0;
    for (const rel of PAGES) {
      await gotoAndSettle(page, at(rel));
      const m = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        widest: [...document.querySelectorAll('body *')]
          .map((n) => ({ n, r: n.getBoundingClientRect() }))
          .filter(({ n, r }) => r.right > window.innerWidth + 1 && !n.closest('#sidebar, .table-wrap, pre'))
          .slice(0, 3)
          .map(({ n, r }) => `${n.tagName.toLowerCase()}${n.id ? '#' + n.id : ''}${n.className && typeof n.className === 'string' ? '.' + n.className.split(' ').join('.') : ''} right=${Math.round(r.right)}`),
      }));
      if (m.scrollWidth > m.innerWidth) overflowing.push(`${rel}: scrollWidth ${m.scrollWidth} > ${m.innerWidth} (${m.widest.join(', ')})`);

      const tables = await page.evaluate(() =>
        [...document.querySelectorAll('.table-wrap')].map((w) => ({
          scrollWidth: w.scrollWidth,
          clientWidth: w.clientWidth,
          right: w.getBoundingClientRect().right,
          overflowX: getComputedStyle(w).overflowX,
          tabindex: w.getAttribute('tabindex'),
          hasTable: !!w.querySelector(':scope > table'),
        })),
      );
      for (const [i, t] of tables.entries()) {
        assert.ok(t.hasTable, `${rel}: .table-wrap #${i} wraps a table`);
        assert.ok(t.right <= m.innerWidth + 1, `${rel}: .table-wrap #${i} fits the screen (right=${t.right})`);
        if (t.scrollWidth > t.clientWidth + 1) {
          wideTables++;
          assert.match(t.overflowX, /auto|scroll/, `${rel}: wide .table-wrap #${i} scrolls (overflow-x: ${t.overflowX})`);
          assert.equal(t.tabindex, '0', `${rel}: wide .table-wrap #${i} is focusable for keyboard scrolling`);
        }
      }
    }
    assert.deepEqual(overflowing, [], 'pages wider than the phone screen');
    assert.ok(wideTables > 0, 'at least one table is wider than a phone (the test would prove nothing otherwise)');

    // Scroll one wide table of the master page: the table moves, the page does not.
    await gotoAndSettle(page, at('index.html'));
    const wrap = page.locator('.table-wrap').filter({ has: page.locator('table') });
    const index = await wrap.evaluateAll((ws) => ws.findIndex((w) => w.scrollWidth > w.clientWidth + 1));
    assert.ok(index >= 0, 'the master page has a wide table on a phone');
    const target = wrap.nth(index);
    await target.scrollIntoViewIfNeeded();
    const result = await target.evaluate((w) => {
      w.scrollLeft = 80;
      return { scrollLeft: w.scrollLeft, pageX: window.scrollX };
    });
    assert.ok(result.scrollLeft > 0, 'the table scrolls inside its wrapper');
    assert.equal(result.pageX, 0, 'the page itself does not scroll sideways');
    assertClean(problems, 'phone layout');
  });
});
