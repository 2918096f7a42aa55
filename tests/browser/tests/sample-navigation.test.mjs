// The sample site (content/ at the repository root, Korean): loading, sidebar, TOC, links
// between documents with Korean anchors, backlinks, pager, environment pairing, Korean file
// names and the 404 page. Served over http://127.0.0.1.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  useSite,
  gotoAndSettle,
  expandSidebar,
  decodedPath,
  decodedHash,
  expectInViewport,
  describeProblems,
} from '../lib/harness.mjs';

const HANGUL = /[\u3131-\u318E\uAC00-\uD7A3]/;
const SITE_TITLE = (readFileSync(path.join(REPO_ROOT, 'archsite.yaml'), 'utf8').match(/^title:\s*(.+)$/m) || [])[1]?.trim();

const site = useSite(REPO_ROOT);
const at = (rel) => new URL(rel, site.url).href;

/** Decoded href target of a link relative to the server root, e.g. 'reference/용어 사전.html#sla'. */
async function linkTargets(locator) {
  return locator.evaluateAll((links) =>
    links.map((a) => {
      const u = new URL(a.href);
      return {
        href: a.getAttribute('href'),
        path: decodeURIComponent(u.pathname).replace(/^\//, ''),
        hash: decodeURIComponent(u.hash.slice(1)),
        text: a.textContent.trim(),
      };
    }),
  );
}

function assertClean(problems, what, options) {
  const text = describeProblems(problems, options);
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

describe('sample site (served)', { timeout: 120_000 }, () => {
  test('home page loads: lang="ko", a title, no console errors, no failed or off-site requests', async () => {
    const { page, problems } = await site.open();
    const response = await gotoAndSettle(page, site.url);
    assert.equal(response.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    const title = await page.title();
    assert.ok(title.trim().length > 0, 'the home page has a <title>');
    if (SITE_TITLE) assert.ok(title.includes(SITE_TITLE), `title "${title}" contains the site title "${SITE_TITLE}"`);
    assert.equal(await page.locator('article.page-content h1').count(), 1, 'one H1 in the article');
    // Give late requests (deferred scripts, images) a moment, then check.
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
    assertClean(problems, 'home page');
    assert.deepEqual(problems.offsite, [], 'no request leaves 127.0.0.1');
    const failing = site.server.log.filter((e) => e.status >= 400);
    assert.deepEqual(failing, [], 'the server answered every request of the home page');
  });

  test('sidebar: the tree is built by the script, the current page has aria-current, a click opens the dev document', async () => {
    const raw = readFileSync(path.join(site.outDir, 'index.html'), 'utf8');
    assert.match(raw, /<div id="sidebar-tree">\s*<\/div>/, 'the served HTML has an empty #sidebar-tree (the script fills it)');

    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const navCount = await page.evaluate(() => {
      const count = (items) => items.reduce((n, i) => n + (i.u != null ? 1 : 0) + count(i.c || []), 0);
      return count(window.ARCHSITE_NAV || []);
    });
    assert.ok(navCount >= 8, `ARCHSITE_NAV lists the pages (got ${navCount})`);
    // Closed branches are made when first opened: at first only the open ones have links.
    const glossary = page.locator('#sidebar-tree a[href="reference/용어 사전.html"]');
    assert.equal(await glossary.count(), 0, 'the closed reference branch has no links yet');
    const before = await page.locator('#sidebar-tree a').count();
    assert.ok(before < navCount, `fewer links than pages before any branch is opened (${before} of ${navCount})`);
    assert.ok((await expandSidebar(page)) >= 1);
    assert.equal(await page.locator('#sidebar-tree a').count(), navCount, 'opened, one sidebar link per page of nav.js');
    assert.ok(await glossary.isVisible(), 'the reference branch shows its pages once opened');

    const current = page.locator('#sidebar-tree a[aria-current="page"]');
    assert.equal(await current.count(), 1, 'exactly one sidebar link is the current page');
    assert.equal(decodedPath(await current.evaluate((a) => a.href)), '/index.html');

    const devLink = page.locator('#sidebar-tree a[href$="physical-architecture-dev.html"]');
    assert.equal(await devLink.count(), 1, 'the sidebar links the dev document');
    await devLink.click();
    await page.waitForURL(/\/physical-architecture-dev\.html$/);
    await page.waitForSelector('#sidebar-tree a[aria-current="page"]', { state: 'attached' });
    const nowCurrent = await page.locator('#sidebar-tree a[aria-current="page"]').evaluateAll((as) => as.map((a) => a.href));
    assert.equal(nowCurrent.length, 1);
    assert.equal(decodedPath(nowCurrent[0]), '/physical-architecture-dev.html');
    assertClean(problems, 'sidebar navigation');
  });

  test('sidebar: on a nested page with a Korean file name its branch is open and its link is current and visible', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('reference/용어 사전.html'));
    const current = page.locator('#sidebar-tree a[aria-current="page"]');
    assert.equal(await current.count(), 1);
    assert.equal(decodedPath(await current.evaluate((a) => a.href)), '/reference/용어 사전.html');
    assert.ok(await current.isVisible(), 'the current link is visible (its folder is expanded)');
    // The links of the tree resolve against the nested page correctly (data-root="../").
    const hrefs = await page.locator('#sidebar-tree a').evaluateAll((as) => as.map((a) => decodeURIComponent(new URL(a.href).pathname)));
    assert.ok(hrefs.includes('/index.html'), `sidebar links resolve from a nested page: ${hrefs.join(', ')}`);
    assertClean(problems, 'reference page');
  });

  test('TOC: clicking an entry with a Korean heading scrolls to that heading', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    const entries = await linkTargets(page.locator('nav.toc a'));
    assert.ok(entries.length > 5, 'the dev page has a TOC');
    // A Korean entry well down the page, so that the click really has to scroll.
    const korean = entries.filter((e) => HANGUL.test(e.hash));
    assert.ok(korean.length > 3, 'the TOC has Korean entries');
    const target = korean[Math.floor(korean.length * 0.6)];
    await page.locator(`nav.toc a[href="${target.href}"]`).click();
    await page.waitForFunction((id) => decodeURIComponent(location.hash.slice(1)) === id, target.hash);
    assert.equal(await decodedHash(page), target.hash);
    const tag = await page.evaluate((id) => document.getElementById(id)?.tagName, target.hash);
    assert.match(tag || '', /^H[1-6]$/, `an element with id "${target.hash}" is a heading`);
    await expectInViewport(page, target.hash);
    assert.ok((await page.evaluate(() => window.scrollY)) > 0, 'the page scrolled');
    assertClean(problems, 'TOC click');
  });

  test('heading anchors: clicking the # of a Korean heading puts its id in the URL and keeps it in view', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    const anchors = await page.locator('article.page-content a.heading-anchor').evaluateAll((as) =>
      as.map((a) => ({ href: a.getAttribute('href'), id: a.parentElement.id, label: a.getAttribute('aria-label') })),
    );
    assert.ok(anchors.length > 10, 'headings carry anchors');
    for (const a of anchors) {
      assert.equal(decodeURIComponent(a.href.slice(1)), a.id, `the anchor of #${a.id} points to its own heading`);
      assert.ok(a.label && a.label.trim(), `the anchor of #${a.id} has an aria-label`);
    }
    const korean = anchors.filter((a) => HANGUL.test(a.id));
    const pick = korean[Math.floor(korean.length / 2)];
    const heading = page.locator(`[id="${pick.id}"]`);
    await heading.scrollIntoViewIfNeeded();
    await heading.hover();
    await heading.locator(':scope > a.heading-anchor').click();
    await page.waitForFunction((id) => decodeURIComponent(location.hash.slice(1)) === id, pick.id);
    await expectInViewport(page, pick.id);
    assertClean(problems, 'heading anchor');
  });

  test('breadcrumbs: a reference page shows master > reference index, and they navigate', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('reference/용어 사전.html'));
    const crumbs = await linkTargets(page.locator('nav.breadcrumbs a'));
    assert.deepEqual(crumbs.map((c) => c.path), ['index.html', 'reference/index.html']);
    await page.locator('nav.breadcrumbs a').nth(1).click();
    await page.waitForURL((u) => decodedPath(u.href) === '/reference/index.html');
    await page.locator('nav.breadcrumbs a').first().click();
    await page.waitForURL((u) => decodedPath(u.href) === '/index.html');
    assertClean(problems, 'breadcrumbs');
  });

  test('skip link: the first Tab focuses it and Enter moves focus to the main content', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => ({ cls: document.activeElement?.className, href: document.activeElement?.getAttribute('href') }));
    assert.deepEqual(focused, { cls: 'skip-link', href: '#content' });
    const box = await page.locator('.skip-link').boundingBox();
    assert.ok(box && box.y >= 0, `the focused skip link is on screen: ${JSON.stringify(box)}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'content');
    assertClean(problems, 'skip link');
  });

  for (const env of ['dev', 'prod']) {
    test(`cross-document link with a Korean anchor: master → ${env} lands on the heading`, async () => {
      const { page, problems } = await site.open();
      await gotoAndSettle(page, at('index.html'));
      const links = await linkTargets(page.locator(`article.page-content a[href^="physical-architecture-${env}.html#"]`));
      const korean = links.filter((l) => HANGUL.test(l.hash));
      assert.ok(korean.length > 0, `the master links a Korean section of the ${env} document`);
      const target = korean[korean.length - 1]; // the last one: far from the top of the target page
      await page.locator(`article.page-content a[href="${target.href}"]`).first().click();
      await page.waitForURL((u) => decodedPath(u.href) === `/physical-architecture-${env}.html`);
      await page.waitForLoadState('load');
      assert.equal(await decodedHash(page), target.hash);
      assert.equal(await page.locator(`[id="${target.hash}"]`).count(), 1, `the ${env} page has an element with id "${target.hash}"`);
      await expectInViewport(page, target.hash);
      assertClean(problems, `master → ${env}`);
    });
  }

  test('every link from the master to an anchor of another page finds its element', async () => {
    const { page } = await site.open();
    await gotoAndSettle(page, at('index.html'));
    const links = (await linkTargets(page.locator('article.page-content a[href*=".html#"]'))).filter((l) => !/^[a-z]+:/.test(l.href));
    assert.ok(links.length > 5);
    const missing = [];
    const idsByPage = new Map();
    for (const link of links) {
      if (!idsByPage.has(link.path)) {
        const html = readFileSync(path.join(site.outDir, link.path), 'utf8');
        idsByPage.set(link.path, new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
      }
      if (!idsByPage.get(link.path).has(link.hash)) missing.push(`${link.text} → ${link.path}#${link.hash}`);
    }
    assert.deepEqual(missing, [], 'anchors without a target');
  });

  test('backlinks: the dev page lists the master index and the link opens index.html', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    const backlinks = await linkTargets(page.locator('section.backlinks a'));
    const master = backlinks.find((b) => b.path === 'index.html');
    assert.ok(master, `backlinks of the dev page include index.html: ${JSON.stringify(backlinks)}`);
    await page.locator(`section.backlinks a[href="${master.href}"]`).click();
    await page.waitForURL((u) => decodedPath(u.href) === '/index.html');
    assert.equal(await page.getAttribute('body', 'data-url'), 'index.html');
    assertClean(problems, 'backlinks');
  });

  test('pager: on the dev page rel=next opens the prod page and rel=prev the master', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    assert.equal(await page.locator('nav.pager a[rel="next"]').count(), 1);
    assert.equal(await page.locator('nav.pager a[rel="prev"]').count(), 1);

    await page.locator('nav.pager a[rel="next"]').click();
    await page.waitForURL((u) => decodedPath(u.href) === '/physical-architecture-prod.html');
    assert.equal(await page.getAttribute('body', 'data-url'), 'physical-architecture-prod.html');

    await gotoAndSettle(page, at('physical-architecture-dev.html'));
    await page.locator('nav.pager a[rel="prev"]').click();
    await page.waitForURL((u) => decodedPath(u.href) === '/index.html');
    assert.equal(await page.getAttribute('body', 'data-url'), 'index.html');
    assertClean(problems, 'pager');
  });

  test('environments: the dev page switches to prod, and a heading env-section link lands on the same-numbered prod section', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at('physical-architecture-dev.html'));

    const peers = await linkTargets(page.locator('nav.env-switch a'));
    const prod = peers.find((p) => p.path === 'physical-architecture-prod.html');
    assert.ok(prod, `nav.env-switch links the prod page: ${JSON.stringify(peers)}`);
    const currentPeer = await page.locator('nav.env-switch a[aria-current="page"]').evaluateAll((as) => as.map((a) => decodeURIComponent(new URL(a.href).pathname)));
    assert.deepEqual(currentPeer, ['/physical-architecture-dev.html'], 'the dev link is the current environment');

    // Every env-section link of the dev page points at an existing prod heading with the same number.
    const sectionNumber = (text) => (text.match(/^\s*(\d+(?:\.\d+)*)/) || [])[1] || null;
    const sections = await page.locator('article.page-content a.env-section').evaluateAll((as) =>
      as.map((a) => {
        const heading = a.closest('h1,h2,h3,h4,h5,h6');
        const clone = heading.cloneNode(true);
        clone.querySelectorAll('a.env-section, a.heading-anchor').forEach((x) => x.remove());
        const u = new URL(a.href);
        return { href: a.getAttribute('href'), path: decodeURIComponent(u.pathname), hash: decodeURIComponent(u.hash.slice(1)), headingText: clone.textContent.trim(), headingId: heading.id };
      }),
    );
    assert.ok(sections.length > 5, 'the dev headings carry env-section links');
    const prodHtml = readFileSync(path.join(site.outDir, 'physical-architecture-prod.html'), 'utf8');
    const prodHeadings = new Map([...prodHtml.matchAll(/<h[1-6] id="([^"]+)">([^<]*)/g)].map((m) => [m[1], m[2].trim()]));
    const mismatches = [];
    for (const s of sections) {
      if (s.path !== '/physical-architecture-prod.html') mismatches.push(`${s.headingText}: points to ${s.path}`);
      else if (!prodHeadings.has(s.hash)) mismatches.push(`${s.headingText}: prod has no heading #${s.hash}`);
      else if (sectionNumber(prodHeadings.get(s.hash)) !== sectionNumber(s.headingText)) {
        mismatches.push(`${s.headingText}: lands on "${prodHeadings.get(s.hash)}"`);
      }
    }
    assert.deepEqual(mismatches, [], 'env-section links that do not lead to the same-numbered prod section');

    // Click one deep in the page and land on the heading.
    const korean = sections.filter((s) => HANGUL.test(s.hash));
    const pick = korean[Math.floor(korean.length * 0.7)];
    const link = page.locator(`[id="${pick.headingId}"] > a.env-section`);
    await link.click();
    await page.waitForURL((u) => decodedPath(u.href) === '/physical-architecture-prod.html');
    await page.waitForLoadState('load');
    assert.equal(await decodedHash(page), pick.hash);
    await expectInViewport(page, pick.hash);
    const landed = await page.evaluate((id) => {
      const h = document.getElementById(id).cloneNode(true);
      h.querySelectorAll('a').forEach((x) => x.remove());
      return h.textContent.trim();
    }, pick.hash);
    assert.equal(sectionNumber(landed), sectionNumber(pick.headingText), `"${pick.headingText}" → "${landed}"`);

    // And the switcher on the prod page leads back to dev.
    await page.locator('nav.env-switch a:not([aria-current])').filter({ hasText: /./ }).first().click();
    await page.waitForURL((u) => decodedPath(u.href) === '/physical-architecture-dev.html');
    assertClean(problems, 'environment pairing');
  });

  for (const rel of ['reference/아키텍처패턴.html', 'reference/용어 사전.html']) {
    test(`Korean / space file name: the link to ${rel} loads with status 200`, async () => {
      const { page, problems } = await site.open();
      await gotoAndSettle(page, at('index.html'));
      const links = (await linkTargets(page.locator('article.page-content a'))).filter((l) => l.path === rel);
      assert.ok(links.length > 0, `the master links ${rel}`);
      const responsePromise = page.waitForResponse((r) => decodedPath(r.url()) === `/${rel}` && r.request().isNavigationRequest());
      await page.locator(`article.page-content a[href="${links[0].href}"]`).first().click();
      const response = await responsePromise;
      assert.equal(response.status(), 200);
      await page.waitForLoadState('load');
      assert.equal(decodedPath(page.url()), `/${rel}`);
      assert.equal(await page.getAttribute('body', 'data-url'), rel);
      assert.equal(await page.locator('article.page-content h1').count(), 1, 'the page rendered its content');
      if (links[0].hash) await expectInViewport(page, links[0].hash);
      await page.waitForSelector('#sidebar-tree a[aria-current="page"]', { state: 'attached' });
      assertClean(problems, rel);
    });
  }

  test('404: an unknown URL gets the built 404.html (status 404) in the site language, with working assets and a way home', async () => {
    const { page, problems } = await site.open();
    const response = await page.goto(at('reference/no/such/page.html'));
    assert.equal(response.status(), 404);
    await page.waitForSelector('#sidebar-tree a', { state: 'attached' });
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    const h1 = (await page.locator('main h1').textContent()).trim();
    assert.match(h1, HANGUL, `the 404 heading is in Korean: "${h1}"`);
    const title = await page.title();
    assert.ok(title.includes(h1), `the title "${title}" names the 404`);
    if (SITE_TITLE) assert.ok(title.includes(SITE_TITLE));
    const bodyText = await page.locator('main').innerText();
    assert.match(bodyText, HANGUL);
    assert.doesNotMatch(bodyText, /not found|page you/i, 'no English words on the Korean 404 page');
    // Stylesheets applied even two folders deep (the 404 page uses absolute asset URLs).
    const sidebarWidth = await page.locator('#sidebar').evaluate((n) => n.getBoundingClientRect().width);
    assert.ok(sidebarWidth > 100, 'the theme CSS is applied');
    assertClean(problems, '404 page', { ignoreUrls: [at('reference/no/such/page.html')] });

    await page.locator('main a[href$="index.html"]').first().click();
    await page.waitForURL((u) => decodedPath(u.href) === '/index.html');
  });
});

