// Writes docs/screenshot.png: the sample site's master page (index.html) at 1400x900 in the
// light theme, taken with headless Chromium from a fresh build served on 127.0.0.1.
//   cd tests/browser && node screenshot.mjs [output.png]

import { rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, buildSite, serve, launchBrowser, openPage, describeProblems } from './lib/harness.mjs';

const output = path.resolve(process.argv[2] || path.join(REPO_ROOT, 'docs', 'screenshot.png'));
const { tmp, outDir } = await buildSite(REPO_ROOT);
const server = await serve(outDir);
const browser = await launchBrowser();
try {
  const { page, problems } = await openPage(browser, {
    allowedOrigin: new URL(server.url).origin,
    viewport: { width: 1400, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  await page.goto(new URL('index.html', server.url).href, { waitUntil: 'load' });
  await page.waitForSelector('#sidebar-tree a[aria-current="page"]', { state: 'attached' });
  await page.evaluate(() => document.fonts.ready);
  if ((await page.getAttribute('html', 'data-theme')) === 'dark') throw new Error('expected the light theme');
  const issues = describeProblems(problems);
  if (issues) throw new Error(`the page had problems:\n${issues}`);
  await page.screenshot({ path: output, fullPage: false });
  console.log(`wrote ${path.relative(process.cwd(), output)} (1400x900)`);
} finally {
  await browser.close();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
}
