// The live preview (`archsite serve`) in a real browser: a save reloads the open page at the
// same scroll position, a broken save shows the error overlay over the last good page and the
// fix removes it, and a CSS-only change swaps the stylesheet without reloading the page.
//
// The sample site (archsite.yaml + content/) is copied to a temp folder, served with
// `archsite serve TMP --port 0` (a child process, killed in `after`) and edited on disk.
// The tests run in order on the same copy and the same page, each from the last good text the
// previous one left; after a failed test the next one restores that text and opens a new page.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, LIMITS, copySite, startServe, launchBrowser, openPage, describeProblems } from '../lib/harness.mjs';

/** How long a save may take to reach the browser (rebuild + event + reload), generously. */
const LIVE = 15_000;
const PAGE = 'physical-architecture-dev.html';
const SOURCE = path.join('content', 'physical-architecture-dev.md');

const env = {};
const at = (rel) => new URL(rel, env.server.url).href;
const sourcePath = () => path.join(env.site, SOURCE);

/** Writes `text` to `file` as editors do: a temporary file renamed over the original. */
function save(file, text) {
  const tmp = `${file}.archsite-test.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

before(async () => {
  env.site = copySite(REPO_ROOT, ['archsite.yaml', 'content']);
  // The override folder exists from the start, so that the CSS test only adds a file to a
  // folder that is already watched.
  mkdirSync(path.join(env.site, 'static', 'assets'), { recursive: true });
  env.original = readFileSync(sourcePath(), 'utf8');
  env.server = await startServe(env.site);
  env.browser = await launchBrowser();
}, { timeout: LIMITS.build + LIMITS.launch });

after(async () => {
  if (env.context) await env.context.close().catch(() => {});
  if (env.browser) await env.browser.close().catch(() => {});
  if (env.server) await env.server.stop();
  if (env.site) rmSync(env.site, { recursive: true, force: true });
}, { timeout: 30_000 });

/**
 * One page for the whole file (so that a reload is seen as one), with a counter of its loads.
 * A reload aborts the page's open event stream: that failed request is expected.
 */
async function openLivePage() {
  const opened = await openPage(env.browser, { allowedOrigin: env.server.origin });
  env.context = opened.context;
  const { page } = opened;
  page.loads = 0;
  page.streams = 0;
  page.streamsAtNavigation = 0;
  page.on('load', () => page.loads++);
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) page.streamsAtNavigation = page.streams;
  });
  page.on('response', (response) => {
    if (response.url().endsWith('/__archsite/events') && response.status() === 200) page.streams++;
  });
  // Requests still waiting for their response: named in the error when a load times out.
  const pending = new Map();
  page.on('request', (r) => pending.set(r, Date.now()));
  page.on('response', (r) => pending.delete(r.request()));
  page.on('requestfailed', (r) => pending.delete(r));
  page.pendingRequests = () =>
    [...pending.entries()]
      .filter(([r]) => !r.url().endsWith('/__archsite/events'))
      .map(([r, t]) => `${r.url()} (no response after ${Date.now() - t} ms)`);
  await explain(page, page.goto(at(PAGE), { waitUntil: 'load' }), 'loading the page');
  await page.waitForSelector('#sidebar-tree a', { state: 'attached' });
  await connected(page);
  return opened;
}

/** Adds the requests still waiting for a response to the error of `promise`, if it fails. */
async function explain(page, promise, what) {
  try {
    return await promise;
  } catch (error) {
    const stuck = page.pendingRequests?.() || [];
    if (stuck.length) error.message += `\n${what}: requests without a response from archsite serve:\n  ${stuck.join('\n  ')}`;
    throw error;
  }
}

/** Waits (bounded) until `check()` is true. */
async function until(check, what, timeout = LIVE) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the current document's live.js has its event stream open (else a save is missed). */
const connected = (page) => until(() => page.streams > page.streamsAtNavigation, 'the page to open /__archsite/events', LIMITS.action);

function assertClean(problems, what) {
  const text = describeProblems({
    ...problems,
    failed: problems.failed.filter((f) => !/\/__archsite\/events: net::ERR_ABORTED/.test(f)),
  });
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

const articleHas = (page, text) => page.evaluate((t) => document.querySelector('article').textContent.includes(t), text);

/** Sets a marker on the window object: it survives anything but a reload. */
const mark = (page) => page.evaluate(() => { window.__archsiteMarker = 'still here'; });
const marked = (page) => page.evaluate(() => window.__archsiteMarker === 'still here');

describe('live preview (archsite serve)', { timeout: 150_000 }, () => {
  let page;
  let problems;
  // Whether the previous test left the page connected and settled; when it did not (it
  // failed), the next test opens a fresh page, so that one failure does not hide the others.
  let settled = false;

  async function freshPageUnlessSettled() {
    if (settled) return;
    // The failed test may have left the page broken on disk: back to the last good text first.
    if (env.good && readFileSync(sourcePath(), 'utf8') !== env.good) {
      const since = env.server.log.length;
      save(sourcePath(), env.good);
      await env.server.waitForLog(/^Rebuilt in \d+ ms/, LIVE, since);
    }
    if (env.context) await env.context.close().catch(() => {});
    ({ page, problems } = await openLivePage());
    const geometry = await page.evaluate(() => ({ height: document.documentElement.scrollHeight, inner: window.innerHeight }));
    await page.evaluate((y) => window.scrollTo(0, y), Math.round((geometry.height - geometry.inner) / 2));
  }

  test('a save reloads the page with the new text at the same scroll position', async () => {
    ({ page, problems } = await openLivePage());
    const geometry = await page.evaluate(() => ({ height: document.documentElement.scrollHeight, inner: window.innerHeight }));
    assert.ok(geometry.height > 3 * geometry.inner, `the page is long (${geometry.height}px for a ${geometry.inner}px viewport)`);
    const middle = Math.round((geometry.height - geometry.inner) / 2);
    await page.evaluate((y) => window.scrollTo(0, y), middle);
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 1, middle, { timeout: LIMITS.action });
    const before = await page.evaluate(() => window.scrollY);
    await mark(page);
    const loads = page.loads;

    const sentence = `라이브 미리보기 시험 문장 ${Date.now()}.`;
    save(sourcePath(), `${env.original}\n${sentence}\n`);
    env.good = `${env.original}\n${sentence}\n`;
    env.sentence = sentence;

    // The page reloads by itself and shows the new sentence.
    await explain(
      page,
      page.waitForFunction(
        (t) => window.__archsiteMarker === undefined && document.readyState === 'complete' && document.querySelector('article')?.textContent.includes(t),
        sentence,
        { timeout: LIVE, polling: 50 },
      ),
      'the reload after the save',
    );
    assert.equal(page.loads, loads + 1, 'exactly one reload');
    await connected(page);
    // live.js restores the scroll position on `load`: give it a moment, then compare.
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 3, before, { timeout: 3000, polling: 50 }).catch(() => {});
    const after = await page.evaluate(() => window.scrollY);
    assert.ok(Math.abs(after - before) <= 3, `the scroll position is kept: ${before}px before the reload, ${after}px after`);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'the saved scroll position was consumed');
    await env.server.waitForLog(/^Rebuilt in \d+ ms/, 1000, 0);
    assertClean(problems, 'reload after a save');
    settled = true;
  });

  test('a broken save shows the overlay over the last good page; the fix removes it', async () => {
    if (!env.good) {
      // The first test failed before its save: the original text is the last good one.
      env.good = env.original;
      env.sentence = env.original.trim().split('\n').pop();
    }
    await freshPageUnlessSettled();
    settled = false;
    await page.waitForFunction((t) => document.querySelector('article')?.textContent.includes(t), env.sentence, { timeout: LIVE });
    await mark(page);
    const loads = page.loads;
    const scrolled = await page.evaluate(() => window.scrollY);

    // 1. A link to a heading that does not exist (an error in the page's body).
    const lines = env.good.split('\n');
    const badLine = lines.length; // 1-based line of the appended link (the file ends with '\n')
    const broken = `${env.good}[깨진 링크](#no-such-heading)\n`;
    assert.equal(broken.split('\n')[badLine - 1], '[깨진 링크](#no-such-heading)');
    save(sourcePath(), broken);

    const overlay = page.locator('#archsite-overlay');
    await overlay.waitFor({ state: 'visible', timeout: LIVE });
    assert.equal(await overlay.getAttribute('role'), 'alert');
    assert.equal(await overlay.locator('.archsite-diagnostic').count(), 1, 'one diagnostic');
    const text = await overlay.innerText();
    assert.match(text, /physical-architecture-dev\.md/, `the overlay names the file:\n${text}`);
    assert.match(text, new RegExp(`physical-architecture-dev\\.md:${badLine}:\\d+`), `the overlay gives line ${badLine}:\n${text}`);
    assert.match(text, /#no-such-heading/, `the overlay gives the message:\n${text}`);
    assert.match(text, /broken-anchor/, `the overlay gives the code:\n${text}`);

    // The last good page is still there under the overlay, not reloaded, at the same place.
    assert.ok(await marked(page), 'a broken build does not reload the page');
    assert.equal(page.loads, loads);
    assert.ok(await articleHas(page, env.sentence), 'the last good content is still shown');
    assert.equal(await page.evaluate(() => window.scrollY), scrolled);
    const under = await page.evaluate(() => {
      const el = document.elementFromPoint(innerWidth / 2, innerHeight * 0.3);
      return { inOverlay: !!el?.closest('#archsite-overlay'), inContent: !!el?.closest('main') };
    });
    assert.deepEqual(under, { inOverlay: false, inContent: true }, 'the upper part of the viewport still shows the page');
    const overlayBox = await overlay.boundingBox();
    const viewport = page.viewportSize();
    assert.ok(overlayBox.height <= viewport.height * 0.6 + 1, `the overlay covers at most 60 % of the viewport (${overlayBox.height}px)`);
    // The server keeps serving the last good page.
    const served = await page.evaluate(async (u) => (await fetch(u, { cache: 'no-store' })).text(), at(PAGE));
    assert.ok(served.includes(env.sentence) && !served.includes('no-such-heading'), 'GET returns the last good page');

    // A page loaded while the build is broken gets the overlay at once.
    await explain(page, page.reload({ waitUntil: 'load' }), 'reloading the page');
    await overlay.waitFor({ state: 'visible', timeout: LIVE });
    await connected(page);
    assert.match(await overlay.innerText(), /#no-such-heading/);

    // 2. Invalid front matter (an error before the body), the overlay follows the latest build.
    const badMatter = env.good.replace(/^weight: 10$/m, 'weight: "ten"');
    assert.notEqual(badMatter, env.good, 'the page has `weight: 10` in its front matter');
    const matterLine = badMatter.split('\n').indexOf('weight: "ten"') + 1;
    save(sourcePath(), badMatter);
    await page.waitForFunction(
      () => /front-matter/.test(document.getElementById('archsite-overlay')?.innerText || ''),
      null,
      { timeout: LIVE, polling: 50 },
    );
    const matterText = await overlay.innerText();
    assert.match(matterText, new RegExp(`physical-architecture-dev\\.md:${matterLine}:\\d+`), `front matter error at line ${matterLine}:\n${matterText}`);
    assert.match(matterText, /weight/, `the message names the key:\n${matterText}`);
    assert.doesNotMatch(matterText, /no-such-heading/, 'the fixed link is no longer reported');
    assert.ok(await articleHas(page, env.sentence), 'still the last good content');

    // 3. The fix: back to the last good text. The overlay goes away; nothing changed in the
    // output, so the page is not even reloaded.
    await mark(page);
    const loadsBeforeFix = page.loads;
    const since = env.server.log.length;
    save(sourcePath(), env.good);
    await overlay.waitFor({ state: 'detached', timeout: LIVE });
    await env.server.waitForLog(/^Rebuilt in \d+ ms/, LIVE, since);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#archsite-overlay').count(), 0);
    assert.ok(await marked(page), 'the fix back to the last good output does not reload');
    assert.equal(page.loads, loadsBeforeFix);
    assert.ok(await articleHas(page, env.sentence));
    assertClean(problems, 'error overlay');
    settled = true;
  });

  test('a CSS-only change swaps the stylesheet without reloading the page', async () => {
    await freshPageUnlessSettled();
    settled = false;
    await mark(page);
    const loads = page.loads;
    const scrolled = await page.evaluate(() => window.scrollY);
    const border = () => page.evaluate(() => getComputedStyle(document.body).outlineWidth + ' ' + getComputedStyle(document.body).outlineColor);
    assert.notEqual(await border(), '7px rgb(1, 2, 3)', 'the rule is not there before');

    // The theme's CSS as served, plus one rule, as a site override of the same path.
    const themeCss = await page.evaluate(async (u) => (await fetch(u, { cache: 'no-store' })).text(), at('assets/archsite.css'));
    assert.ok(themeCss.length > 1000, 'the theme CSS is served');
    const override = path.join(env.site, 'static', 'assets', 'archsite.css');
    const since = env.server.log.length;
    save(override, `${themeCss}\nbody { outline: 7px solid rgb(1, 2, 3); }\n`);

    await explain(
      page,
      page.waitForFunction(
        () => getComputedStyle(document.body).outlineWidth === '7px' && getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)',
        null,
        { timeout: LIVE, polling: 50 },
      ),
      'the stylesheet swap',
    );
    assert.ok(await marked(page), 'the page was not reloaded');
    assert.equal(page.loads, loads);
    assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'the page did not move');
    const hrefs = await page.locator('link[rel="stylesheet"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('href')));
    assert.ok(hrefs.every((h) => /[?&]archsite-v=\d+$/.test(h)), `every stylesheet was re-requested: ${hrefs.join(', ')}`);
    const line = await env.server.waitForLog(/^Rebuilt in \d+ ms/, LIVE, since);
    assert.match(line, /: 1 files changed$/, 'only the CSS changed');
    // The rest of the theme still applies (the override is the theme plus one rule).
    assert.ok(await page.locator('#sidebar-tree a').first().isVisible(), 'the sidebar is still styled and shown');

    // Removing the override brings the theme's CSS back, again without a reload.
    rmSync(override);
    await page.waitForFunction(() => getComputedStyle(document.body).outlineWidth !== '7px', null, { timeout: LIVE, polling: 50 });
    assert.ok(await marked(page), 'still no reload');
    assert.equal(page.loads, loads);
    assertClean(problems, 'CSS swap');
  });

  test('a page with a Korean, space-containing file name reloads when its file changes', async () => {
    // The server names changed pages by output path (`reference/용어 사전.html`); the browser's
    // location is percent-encoded: live.js must compare the decoded path.
    const opened = await openPage(env.browser, { allowedOrigin: env.server.origin });
    try {
      const { page: glossary } = opened;
      const stream = glossary.waitForResponse((r) => r.url().endsWith('/__archsite/events') && r.status() === 200, { timeout: LIMITS.action });
      await glossary.goto(at('reference/용어 사전.html'), { waitUntil: 'load' });
      await stream;
      const file = path.join(env.site, 'content', 'reference', '용어 사전.md');
      const sentence = `용어 사전 미리보기 문장 ${Date.now()}.`;
      save(file, `${readFileSync(file, 'utf8')}\n${sentence}\n`);
      await glossary.waitForFunction(
        (t) => document.readyState === 'complete' && document.querySelector('article')?.textContent.includes(t),
        sentence,
        { timeout: LIVE, polling: 50 },
      );
    } finally {
      await opened.context.close().catch(() => {});
    }
  });
});
