// The sample site opened straight from disk (file://, no server): the sidebar script and nav.js
// must load, and links between documents (Korean anchors, Korean and space file names) work.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { REPO_ROOT, useSite, gotoAndSettle, expandSidebar, decodedHash, expectInViewport, describeProblems } from '../lib/harness.mjs';

const site = useSite(REPO_ROOT, { serve: false });
const HANGUL = /[\u3131-\u318E\uAC00-\uD7A3]/;

/** Path of a file: URL relative to the output folder, decoded. */
const relOf = (url) => path.relative(site.outDir, fileURLToPath(url.split('#')[0])).split(path.sep).join('/');

function assertClean(problems, what) {
  const text = describeProblems(problems);
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

describe('sample site from file://', { timeout: 120_000 }, () => {
  test('the home page shows the sidebar built from nav.js', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, site.fileUrl('index.html'));
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    assert.ok(await page.evaluate(() => Array.isArray(window.ARCHSITE_NAV)), 'nav.js ran');
    await expandSidebar(page);
    assert.ok((await page.locator('#sidebar-tree a').count()) >= 8);
    assert.ok(await page.locator('#sidebar-tree a[aria-current="page"]').isVisible());
    const sidebarWidth = await page.locator('#sidebar').evaluate((n) => n.getBoundingClientRect().width);
    assert.ok(sidebarWidth > 100, 'the theme CSS applies');
    assertClean(problems, 'file:// home');
    assert.deepEqual(problems.offsite, []);
  });

  test('a cross-document link with a Korean anchor works from file://', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, site.fileUrl('index.html'));
    const links = await page.locator('article.page-content a[href^="physical-architecture-dev.html#"]').evaluateAll((as) =>
      as.map((a) => ({ href: a.getAttribute('href'), hash: decodeURIComponent(new URL(a.href).hash.slice(1)) })),
    );
    const target = links.filter((l) => HANGUL.test(l.hash)).pop();
    assert.ok(target, 'the master links a Korean section of the dev page');
    await page.locator(`article.page-content a[href="${target.href}"]`).first().click();
    await page.waitForURL((u) => u.protocol === 'file:' && relOf(u.href) === 'physical-architecture-dev.html');
    await page.waitForLoadState('load');
    assert.equal(await decodedHash(page), target.hash);
    await expectInViewport(page, target.hash);
    await page.waitForSelector('#sidebar-tree a[aria-current="page"]', { state: 'attached' });
    assertClean(problems, 'file:// cross-document link');
  });

  test('a page with a space in its Korean file name opens from file:// and its sidebar links lead back', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, site.fileUrl('index.html'));
    // The reference branch is closed on the home page: open it with its toggle first.
    const link = page.locator('#sidebar-tree a[href="reference/용어 사전.html"]');
    assert.equal(await link.isVisible(), false);
    await page.locator('#sidebar-tree li:has(> .nav-row > a[href="reference/index.html"]) > .nav-row > button.nav-toggle').click();
    await link.click();
    await page.waitForURL((u) => relOf(u.href) === 'reference/용어 사전.html');
    await page.waitForSelector('#sidebar-tree a[aria-current="page"]', { state: 'attached' });
    assert.equal(await page.locator('article.page-content h1').count(), 1);
    await page.locator('#sidebar-tree a[href="../physical-architecture-prod.html"]').click();
    await page.waitForURL((u) => relOf(u.href) === 'physical-architecture-prod.html');
    assertClean(problems, 'file:// Korean file name');
  });
});
