// The live preview (`archsite serve`) in a real browser (issue 19): a save updates the open page
// in place — its content, TOC, title and sidebar morphed in, no reload — keeping the scroll
// position, open disclosures, a diagram's zoom and every diagram whose source did not change
// as drawn; a changed diagram alone is drawn again; a broken save shows the overlay in the
// site's language over the last good page and the fix removes it; a CSS-only change swaps the
// stylesheet; a page whose assets change (its first diagram) is reloaded.
//
// The sample site (archsite.yaml + content/) is copied to a temp folder, with one page of two
// diagrams added, served with `archsite serve TMP --port 0` (a child process, killed in
// `after`) and edited on disk. The tests run in order on the same copy; each restores the text
// it changed and opens its own page.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, LIMITS, copySite, startServe, launchBrowser, openPage, describeProblems } from '../lib/harness.mjs';

/** How long a save may take to reach the browser, generously (the bench measures the speed). */
const LIVE = 15_000;
const DEV = 'physical-architecture-dev.html';
const DEV_MD = path.join('content', 'physical-architecture-dev.md');
const TWO = 'two-diagrams.html';
const TWO_MD = path.join('content', 'two-diagrams.md');
const DIAGRAM_A = 'flowchart LR\n    A1["첫째 그림 가"] --> A2["첫째 그림 나"]';
const DIAGRAM_B = 'flowchart LR\n    B1["둘째 그림 가"] --> B2["둘째 그림 나"]';
const twoDiagrams = (a, b) => `# 두 다이어그램\n\n앞 문단.\n\n\`\`\`mermaid\n${a}\n\`\`\`\n\n가운데 문단.\n\n\`\`\`mermaid\n${b}\n\`\`\`\n\n끝 문단.\n`;

const env = {};
const at = (rel) => new URL(rel, env.server.url).href;
const file = (rel) => path.join(env.site, rel);

/** Writes `text` to `rel` as editors do: a temporary file renamed over the original. */
function save(rel, text) {
  const target = file(rel);
  const tmp = `${target}.archsite-test.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, target);
}

/** Saves `text` and waits for the server's rebuild line (so that the next step starts clean). */
async function saveAndRebuild(rel, text, re = /^(Rebuilt|Rebuild failed) in \d+ ms/) {
  const since = env.server.log.length;
  save(rel, text);
  return env.server.waitForLog(re, LIVE, since);
}

before(async () => {
  env.site = copySite(REPO_ROOT, ['archsite.yaml', 'content']);
  // The override folder exists from the start, so that the CSS test only adds a file to a
  // folder that is already watched.
  mkdirSync(path.join(env.site, 'static', 'assets'), { recursive: true });
  writeFileSync(file(TWO_MD), twoDiagrams(DIAGRAM_A, DIAGRAM_B));
  env.original = readFileSync(file(DEV_MD), 'utf8');
  env.server = await startServe(env.site);
  env.browser = await launchBrowser();
}, { timeout: LIMITS.build + LIMITS.launch });

after(async () => {
  if (env.browser) await env.browser.close().catch(() => {});
  if (env.server) await env.server.stop();
  if (env.site) rmSync(env.site, { recursive: true, force: true });
}, { timeout: 30_000 });

/**
 * A page of the preview, with a counter of its loads and of the drawings mermaid makes in it;
 * waits for its event stream and its diagrams. A reload aborts the page's event stream: that
 * failed request is expected.
 */
async function openLive(rel, options = {}) {
  const opened = await openPage(env.browser, { allowedOrigin: env.server.origin, ...options });
  const { page } = opened;
  page.loads = 0;
  page.on('load', () => page.loads++);
  // live.js says in the console why it reloads a page.
  page.said = [];
  page.on('console', (m) => page.said.push(m.text()));
  // Counts mermaid.render calls in every document the page loads.
  await page.addInitScript(() => {
    window.__renders = 0;
    const hook = () => {
      if (!window.mermaid || window.mermaid.__counted) return;
      const render = window.mermaid.render.bind(window.mermaid);
      window.mermaid.render = (...args) => { window.__renders++; return render(...args); };
      window.mermaid.__counted = true;
    };
    document.addEventListener('DOMContentLoaded', hook);
  });
  const stream = page.waitForResponse((r) => r.url().endsWith('/__archsite/events') && r.status() === 200, { timeout: LIMITS.action });
  await page.goto(at(rel), { waitUntil: 'load' });
  await stream;
  await page.waitForSelector('#sidebar-tree a', { state: 'attached' });
  await page.evaluate(() => (window.archsiteDiagrams ? window.archsiteDiagrams.ready() : null));
  return opened;
}

function assertClean(problems, what) {
  const text = describeProblems({
    ...problems,
    failed: problems.failed.filter((f) => !/\/__archsite\/events: net::ERR_ABORTED/.test(f)),
  });
  assert.equal(text, '', `${what}: unexpected console errors or failed requests:\n${text}`);
}

/** Sets a marker on the window object: it survives anything but a reload. */
const mark = (page) => page.evaluate(() => { window.__marker = 'still here'; });
const marked = (page) => page.evaluate(() => window.__marker === 'still here');
const articleHas = (page, text) => page.evaluate((t) => document.querySelector('article').textContent.includes(t), text);
const waitForArticle = (page, text) =>
  page.waitForFunction((t) => document.querySelector('article')?.textContent.includes(t), text, { timeout: LIVE, polling: 50 });

/** The drawn diagrams: remembered on the window, so that "the same element" can be asked later. */
const rememberDrawings = (page) =>
  page.evaluate(() => {
    window.__drawings = [...document.querySelectorAll('figure[data-diagram] .diagram-stage > svg')];
    return { count: window.__drawings.length, renders: window.__renders };
  });
const drawings = (page) =>
  page.evaluate(() => {
    const now = [...document.querySelectorAll('figure[data-diagram] .diagram-stage > svg')];
    return {
      count: now.length,
      same: now.map((svg) => (window.__drawings || []).includes(svg)),
      text: now.map((svg) => svg.textContent.replace(/\s+/g, ' ')),
      renders: window.__renders,
    };
  });

describe('live preview (archsite serve): in-place updates', { timeout: 170_000 }, () => {
  test('a text edit is morphed in: no reload, same scroll, open disclosures, zoom and drawing kept', async () => {
    const { page, problems, context } = await openLive(DEV);
    try {
      // The reader's state: scrolled to the middle, the diagram zoomed in and its source open,
      // a TOC disclosure closed by hand (the phone layout's TOC is <details> too).
      const figure = page.locator('figure[data-diagram]');
      await figure.locator('.diagram-zoomIn').click();
      await figure.locator('details.diagram-source > summary').click();
      const zoom = await figure.locator('.diagram-stage').evaluate((s) => s.style.transform);
      assert.match(zoom, /scale\(1\.25\)/);
      const geometry = await page.evaluate(() => ({ height: document.documentElement.scrollHeight, inner: window.innerHeight }));
      assert.ok(geometry.height > 3 * geometry.inner, `the page is long (${geometry.height}px)`);
      const middle = Math.round((geometry.height - geometry.inner) / 2);
      await page.evaluate((y) => window.scrollTo(0, y), middle);
      await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 1, middle);
      // The first heading in view, and where it is on the screen.
      const anchor = () =>
        page.evaluate((id) => {
          const hs = [...document.querySelectorAll('article :is(h2, h3)')];
          const h = id ? document.getElementById(id) : hs.find((x) => x.getBoundingClientRect().top > 60);
          return { id: h.id, top: h.getBoundingClientRect().top };
        }, null);
      const before = await anchor();
      await mark(page);
      const drawn = await rememberDrawings(page);
      assert.equal(drawn.count, 1);
      const loads = page.loads;

      // Appended at the end, and a word changed near the top (above the reader's place).
      const sentence = `라이브 미리보기 시험 문장 ${Date.now()}.`;
      const edited = env.original.replace('## 1. 개요', '## 1. 개요\n\n위쪽에 더한 문단입니다.') + `\n${sentence}\n`;
      assert.notEqual(edited, env.original);
      save(DEV_MD, edited);
      await waitForArticle(page, sentence);
      assert.ok(await articleHas(page, '위쪽에 더한 문단입니다.'));

      assert.ok(await marked(page), `the page was not reloaded: ${page.said.join(' | ')}`);
      assert.equal(page.loads, loads, 'no load event');
      // A paragraph was added above the reader's place: what they were reading stays put on
      // the screen (the page scrolled by the paragraph's height).
      const after = await page.evaluate((id) => document.getElementById(id).getBoundingClientRect().top, before.id);
      assert.ok(Math.abs(after - before.top) <= 2, `#${before.id} was at ${before.top}px on screen, is at ${after}px`);
      const kept = await drawings(page);
      assert.deepEqual(kept.same, [true], 'the diagram is the same drawing');
      assert.equal(kept.renders, drawn.renders, 'mermaid drew nothing');
      assert.equal(await figure.locator('.diagram-stage').evaluate((s) => s.style.transform), zoom, 'the zoom is kept');
      assert.equal(await figure.locator('details.diagram-source').evaluate((d) => d.open), true, 'the opened source stays open');
      // What the theme's scripts add is still there, and on new content too.
      assert.equal(await page.locator('pre.code .copy-code').count(), await page.locator('pre.code').count(), 'one copy button per code block');
      assertClean(problems, 'text edit');
    } finally {
      await saveAndRebuild(DEV_MD, env.original);
      await context.close();
    }
  });

  test('a heading rename updates the TOC; a title rename the page title and the sidebar', async () => {
    const { page, problems, context } = await openLive(DEV);
    try {
      await mark(page);
      const sidebarLink = page.locator(`#sidebar-tree a[href$="${DEV}"]`);
      assert.equal(await sidebarLink.textContent(), '물리 아키텍처 설계서 - 개발환경');
      const renamed = env.original
        .replace('### 6.2 로그\n', '### 6.2 로그 수집과 보관\n')
        .replace('# 물리 아키텍처 설계서 - 개발환경\n', '# 물리 아키텍처 설계서 - 개발환경 (개정)\n');
      save(DEV_MD, renamed);
      const toc = page.locator('.toc a[href="#62-로그-수집과-보관"]');
      await toc.waitFor({ state: 'attached', timeout: LIVE });
      assert.equal(await toc.textContent(), '6.2 로그 수집과 보관');
      assert.equal(await page.locator('.toc a[href="#62-로그"]').count(), 0, 'the old entry is gone');
      assert.equal(await page.locator('h3[id="62-로그-수집과-보관"]').count(), 1, 'the heading has its new id');
      await page.waitForFunction(() => document.title.startsWith('물리 아키텍처 설계서 - 개발환경 (개정)'), null, { timeout: LIVE });
      // nav.js changed too: the sidebar is built again from it, in place.
      await page.waitForFunction((u) => [...document.querySelectorAll('#sidebar-tree a')].some((a) => a.getAttribute('href').endsWith(u) && a.textContent === '물리 아키텍처 설계서 - 개발환경 (개정)'), DEV, { timeout: LIVE });
      assert.equal(await page.locator(`#sidebar-tree a[aria-current="page"]`).textContent(), '물리 아키텍처 설계서 - 개발환경 (개정)');
      // A TOC click still lands on the renamed heading.
      await toc.click();
      await page.waitForFunction(() => decodeURIComponent(location.hash) === '#62-로그-수집과-보관');
      assert.ok(await marked(page), `no reload: ${page.said.join(' | ')}`);
      assertClean(problems, 'heading rename');
    } finally {
      await saveAndRebuild(DEV_MD, env.original);
      await context.close();
    }
  });

  test('a diagram edit draws that diagram again and keeps the other as drawn', async () => {
    const { page, problems, context } = await openLive(TWO);
    try {
      await mark(page);
      const drawn = await rememberDrawings(page);
      assert.equal(drawn.count, 2);
      save(TWO_MD, twoDiagrams(DIAGRAM_A, DIAGRAM_B.replace('둘째 그림 나', '둘째 그림 바뀜')));
      await page.waitForFunction(() => {
        const svgs = document.querySelectorAll('figure[data-diagram] .diagram-stage > svg');
        return svgs.length === 2 && svgs[1].textContent.includes('둘째 그림 바뀜');
      }, null, { timeout: LIVE, polling: 50 });
      await page.evaluate(() => window.archsiteDiagrams.ready());
      const now = await drawings(page);
      assert.deepEqual(now.same, [true, false], 'the first drawing is kept, the second is new');
      assert.equal(now.renders - drawn.renders, 1, 'mermaid drew one diagram');
      assert.ok(now.text[0].includes('첫째 그림 나') && !now.text[1].includes('둘째 그림 나'));
      assert.ok(await marked(page), `no reload: ${page.said.join(' | ')}`);
      assertClean(problems, 'diagram edit');
    } finally {
      await saveAndRebuild(TWO_MD, twoDiagrams(DIAGRAM_A, DIAGRAM_B));
      await context.close();
    }
  });

  test('an error shows the overlay in Korean over the last good page; the fix updates the page in place', async () => {
    const { page, problems, context } = await openLive(DEV);
    try {
      await mark(page);
      const loads = page.loads;
      const drawn = await rememberDrawings(page);
      const lines = env.original.split('\n');
      const badLine = lines.length; // the appended link's line (the file ends with '\n')
      save(DEV_MD, `${env.original}[깨진 링크](#no-such-heading)\n`);
      const overlay = page.locator('#archsite-overlay');
      await overlay.waitFor({ state: 'visible', timeout: LIVE });
      assert.equal(await overlay.getAttribute('role'), 'alert');
      assert.equal(await overlay.getAttribute('lang'), 'ko');
      const text = await overlay.innerText();
      assert.match(text, /^오류 1개 — 아래는 마지막으로 성공한 빌드의 페이지입니다/, `the overlay speaks the site's language:\n${text}`);
      assert.match(text, /오류\[broken-anchor\]/);
      assert.match(text, new RegExp(`physical-architecture-dev\\.md:${badLine}:\\d+`), `file:line:col:\n${text}`);
      assert.match(text, /#no-such-heading/);
      assert.equal(await overlay.locator('button').getAttribute('aria-label'), '닫기');
      assert.ok(await marked(page), `a broken build does not reload the page: ${page.said.join(' | ')}`);
      assert.ok(!(await articleHas(page, '깨진 링크')), 'the last good content is still shown');
      const overlayBox = await overlay.boundingBox();
      assert.ok(overlayBox.height <= page.viewportSize().height * 0.6 + 1, 'the overlay covers at most 60 % of the viewport');

      // The fix is a new text (not the last good one): the overlay goes, the page is morphed.
      const fixed = `${env.original}[고친 링크](#1-개요)\n`;
      save(DEV_MD, fixed);
      await overlay.waitFor({ state: 'detached', timeout: LIVE });
      await waitForArticle(page, '고친 링크');
      assert.ok(await marked(page), `the fix does not reload either: ${page.said.join(' | ')}`);
      assert.equal(page.loads, loads);
      assert.deepEqual((await drawings(page)).same, [true], 'the diagram stayed as drawn throughout');
      assert.equal((await drawings(page)).renders, drawn.renders);
      assertClean(problems, 'error then fix');
    } finally {
      await saveAndRebuild(DEV_MD, env.original);
      await context.close();
    }
  });

  test('a page opened while the build is broken shows the overlay at once', async () => {
    await saveAndRebuild(DEV_MD, env.original.replace(/^weight: 10$/m, 'weight: "ten"'), /^Rebuild failed in \d+ ms/);
    const { page, problems, context } = await openLive(DEV);
    try {
      const overlay = page.locator('#archsite-overlay');
      await overlay.waitFor({ state: 'visible', timeout: LIVE });
      assert.match(await overlay.innerText(), /front-matter/);
      assert.match(await overlay.innerText(), /weight/);
      // Back to the last good text: nothing changed in the output, so nothing but the overlay moves.
      await mark(page);
      await saveAndRebuild(DEV_MD, env.original);
      await overlay.waitFor({ state: 'detached', timeout: LIVE });
      await page.waitForTimeout(300);
      assert.ok(await marked(page), page.said.join(' | '));
      assertClean(problems, 'overlay on load');
    } finally {
      await context.close();
    }
  });

  test('a CSS-only change swaps the stylesheet without reloading the page', async () => {
    const { page, problems, context } = await openLive(DEV);
    try {
      await mark(page);
      const scrolled = await page.evaluate(() => { window.scrollTo(0, 600); return window.scrollY; });
      const outline = () => page.evaluate(() => getComputedStyle(document.body).outlineWidth + ' ' + getComputedStyle(document.body).outlineColor);
      assert.notEqual(await outline(), '7px rgb(1, 2, 3)', 'the rule is not there before');
      const themeCss = await page.evaluate(async (u) => (await fetch(u, { cache: 'no-store' })).text(), at('assets/archsite.css'));
      assert.ok(themeCss.length > 1000, 'the theme CSS is served');
      const override = path.join('static', 'assets', 'archsite.css');
      const line = await saveAndRebuild(override, `${themeCss}\nbody { outline: 7px solid rgb(1, 2, 3); }\n`);
      assert.match(line, /: 1 files changed$/, 'only the CSS changed');
      await page.waitForFunction(() => getComputedStyle(document.body).outlineWidth === '7px', null, { timeout: LIVE, polling: 50 });
      assert.ok(await marked(page), `the page was not reloaded: ${page.said.join(' | ')}`);
      assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'the page did not move');
      const hrefs = await page.locator('link[rel="stylesheet"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('href')));
      assert.ok(hrefs.every((h) => /[?&]archsite-v=\d+$/.test(h)), `every stylesheet was re-requested: ${hrefs.join(', ')}`);
      rmSync(file(override));
      await page.waitForFunction(() => getComputedStyle(document.body).outlineWidth !== '7px', null, { timeout: LIVE, polling: 50 });
      assert.ok(await marked(page), `still no reload: ${page.said.join(' | ')}`);
      assertClean(problems, 'CSS swap');
    } finally {
      rmSync(file(path.join('static', 'assets', 'archsite.css')), { force: true });
      await context.close();
    }
  });

  test('a page with a Korean, space-containing file name is updated when its file changes', async () => {
    // The server names changed pages by output path (`reference/용어 사전.html`); the browser's
    // location is percent-encoded: live.js must compare the decoded path.
    const rel = path.join('content', 'reference', '용어 사전.md');
    const original = readFileSync(file(rel), 'utf8');
    const { page, problems, context } = await openLive('reference/용어 사전.html');
    try {
      await mark(page);
      const sentence = `용어 사전 미리보기 문장 ${Date.now()}.`;
      save(rel, `${original}\n${sentence}\n`);
      await waitForArticle(page, sentence);
      assert.ok(await marked(page), `updated in place: ${page.said.join(' | ')}`);
      assertClean(problems, 'Korean file name');
    } finally {
      await saveAndRebuild(rel, original);
      await context.close();
    }
  });

  test('a page whose assets change (its first diagram) is reloaded, and draws it', async () => {
    const rel = path.join('content', 'reference', '아키텍처패턴.md');
    const original = readFileSync(file(rel), 'utf8');
    const { page, problems, context } = await openLive('reference/아키텍처패턴.html');
    try {
      assert.equal(await page.locator('figure[data-diagram]').count(), 0);
      await mark(page);
      const loads = page.loads;
      save(rel, `${original}\n\`\`\`mermaid\nflowchart LR\n    P["새 그림"] --> Q["다음"]\n\`\`\`\n`);
      await page.waitForFunction(() => document.querySelector('figure[data-diagram] .diagram-stage > svg')?.textContent.includes('새 그림'), null, { timeout: LIVE, polling: 100 });
      assert.ok(!(await marked(page)), 'the page was reloaded (it now loads mermaid.js)');
      assert.equal(page.loads, loads + 1);
      assertClean(problems, 'assets changed');
    } finally {
      await saveAndRebuild(rel, original);
      await context.close();
    }
  });
});
