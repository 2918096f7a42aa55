// axe-core on the sample site: the master, an environment document and a reference page, in the
// light theme, the dark theme chosen with the toggle, and the system's dark theme; plus the open
// phone drawer. Every violation fails the test and is printed with its nodes.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT, useSite, gotoAndSettle, runAxe, formatViolations } from '../lib/harness.mjs';

const site = useSite(REPO_ROOT);
const at = (rel) => new URL(rel, site.url).href;

const PAGES = ['index.html', 'physical-architecture-dev.html', 'reference/용어 사전.html'];
const MODES = [
  { name: 'light', colorScheme: 'light', toggle: false, expect: null },
  { name: 'dark (toggle)', colorScheme: 'light', toggle: true, expect: 'dark' },
  { name: 'dark (system)', colorScheme: 'dark', toggle: false, expect: null },
];

async function check(page, label, axeArgs) {
  const violations = await runAxe(page, axeArgs);
  assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) on ${label}:\n${formatViolations(violations)}`);
}

// Code blocks count too: the generated assets/highlight.css must keep 4.5:1 on the code
// background in both themes (the dev page has YAML and shell blocks).
describe('accessibility (axe-core)', { timeout: 180_000 }, () => {
  for (const rel of PAGES) {
    for (const mode of MODES) {
      test(`${rel} — ${mode.name}: no axe violations`, async () => {
        const { page } = await site.open({ colorScheme: mode.colorScheme });
        await gotoAndSettle(page, at(rel));
        if (mode.toggle) {
          await page.click('#theme-toggle');
          assert.equal(await page.getAttribute('html', 'data-theme'), mode.expect);
          await page.mouse.move(0, 400); // no hover styles on the toggle during the scan
        }
        await check(page, `${rel} (${mode.name})`);
      });
    }
  }

  test('phone with the drawer open (light and dark): no axe violations', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const { page } = await site.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme });
      await gotoAndSettle(page, at('physical-architecture-dev.html'));
      await page.click('#menu-toggle');
      await page.locator('#sidebar').waitFor({ state: 'visible', timeout: 3000 });
      // The drawer and the header only: the page content is covered by the tests above.
      await check(page, `phone drawer (${colorScheme})`, { context: { include: [['#sidebar'], ['.site-header']] } });
    }
  });

  test('404 page and sitemap: no axe violations', async () => {
    const { page } = await site.open();
    await page.goto(at('no-such-page.html'));
    await page.waitForSelector('#sidebar-tree a', { state: 'attached' });
    await check(page, '404.html');
    await gotoAndSettle(page, at('sitemap.html'));
    await check(page, 'sitemap.html');
  });
});
