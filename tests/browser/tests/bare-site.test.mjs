// A bare folder of Markdown without archsite.yaml and without an index page
// (tests/fixtures/bare/site: overview.md, notes/storage.md, notes/api.md). archsite generates
// the home page listing every page; the site is English.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, useSite, gotoAndSettle, expandSidebar, decodedPath, decodedHash, expectInViewport, describeProblems } from '../lib/harness.mjs';

const site = useSite(path.join(FIXTURES, 'bare', 'site'));
const at = (rel) => new URL(rel, site.url).href;
const PAGES = ['overview.html', 'notes/storage.html', 'notes/api.html'];

function assertClean(problems, what) {
  const text = describeProblems(problems);
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

describe('bare folder without config', { timeout: 120_000 }, () => {
  test('the generated home page is English and lists every page', async () => {
    const { page, problems } = await site.open();
    const response = await gotoAndSettle(page, site.url);
    assert.equal(response.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.title()).trim().length > 0, 'the home page has a title');
    const listed = await page
      .locator('main a')
      .evaluateAll((as) => as.map((a) => decodeURIComponent(new URL(a.href).pathname).replace(/^\//, '')));
    for (const rel of PAGES) assert.ok(listed.includes(rel), `the home page links ${rel} (links: ${listed.join(', ')})`);
    assertClean(problems, 'bare home');
    assert.deepEqual(problems.offsite, []);
  });

  test('home → overview → notes/storage.html#retention-policy lands on the heading', async () => {
    const { page, problems } = await site.open({ viewport: { width: 1280, height: 500 } });
    await gotoAndSettle(page, site.url);
    await page.locator('main a[href="overview.html"]').click();
    await page.waitForURL((u) => decodedPath(u.href) === '/overview.html');
    await page.waitForLoadState('load');
    assert.equal(await page.locator('article h1').first().innerText().then((t) => t.replace(/#$/, '').trim()), 'System overview');

    await page.locator('article a[href="notes/storage.html#retention-policy"]').click();
    await page.waitForURL((u) => decodedPath(u.href) === '/notes/storage.html');
    await page.waitForLoadState('load');
    assert.equal(await decodedHash(page), 'retention-policy');
    const heading = page.locator('#retention-policy');
    assert.equal(await heading.count(), 1);
    assert.match(await heading.evaluate((h) => h.tagName), /^H[1-6]$/);
    await expectInViewport(page, 'retention-policy');

    // And back to the overview through the relative link of the nested page.
    await page.locator('article a[href="../overview.html"]').click();
    await page.waitForURL((u) => decodedPath(u.href) === '/overview.html');
    assertClean(problems, 'bare navigation');
  });

  test('sidebar: built from nav.js, the current page is marked, the folder opens, links navigate', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('overview.html'));
    const current = await page.locator('#sidebar-tree a[aria-current="page"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(current, ['overview.html']);

    // "notes" has no index page: a toggle button; it is closed here, opens on click.
    const folder = page.locator('#sidebar-tree button.nav-folder', { hasText: 'notes' });
    assert.equal(await folder.count(), 1, 'the notes folder is a toggle');
    const api = page.locator('#sidebar-tree a[href="notes/api.html"]');
    assert.equal(await folder.getAttribute('aria-expanded'), 'false');
    assert.equal(await api.isVisible(), false, 'a closed folder hides its pages');
    await folder.click();
    assert.equal(await folder.getAttribute('aria-expanded'), 'true');
    await expandSidebar(page);
    const links = await page.locator('#sidebar-tree a').evaluateAll((as) => as.map((a) => decodeURIComponent(new URL(a.href).pathname).replace(/^\//, '')));
    for (const rel of PAGES) assert.ok(links.includes(rel), `the sidebar links ${rel} (got ${links.join(', ')})`);
    // Closed again, then opened again: the same list, not a second one.
    await folder.click();
    assert.equal(await api.isVisible(), false, 'closing the folder hides its pages again');
    await folder.click();
    assert.equal(await api.count(), 1, 'reopening shows the list made the first time');
    await api.click();
    await page.waitForURL((u) => decodedPath(u.href) === '/notes/api.html');
    await page.waitForSelector('#sidebar-tree a[aria-current="page"]', { state: 'attached' });
    const nowCurrent = page.locator('#sidebar-tree a[aria-current="page"]');
    assert.equal(decodedPath(await nowCurrent.evaluate((a) => a.href)), '/notes/api.html');
    assert.ok(await nowCurrent.isVisible(), 'on a page inside notes/ the folder is open');

    // From the nested page, the sidebar links resolve back to the root.
    await page.locator('#sidebar-tree a[href="../overview.html"]').click();
    await page.waitForURL((u) => decodedPath(u.href) === '/overview.html');
    assertClean(problems, 'bare sidebar');
  });

  test('the code block of notes/api gets a copy button with the English word', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('notes/api.html'));
    assert.equal(await page.locator('pre.code button.copy-code').count(), await page.locator('pre.code').count());
    assert.equal((await page.locator('pre.code button.copy-code').first().textContent()).trim(), await page.getAttribute('body', 'data-copy'));
    assert.match(await page.getAttribute('body', 'data-copy'), /^[A-Za-z ]+$/, 'an English label');
    assertClean(problems, 'bare api page');
  });
});
