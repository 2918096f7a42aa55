// The live preview's error overlay inserts diagnostics as text. A save whose errors carry HTML
// in their message, snippet and help (a link to `<img src=x onerror=…>.md`, a front matter line
// holding an `<img>` tag) shows that HTML as characters in the overlay: no element is created
// and no handler runs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIMITS, startServe, launchBrowser, openPage } from '../lib/harness.mjs';

const LIVE = 15_000;
const env = {};
const index = () => path.join(env.site, 'content', 'index.md');

function save(file, text) {
  const tmp = `${file}.archsite-test.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

before(async () => {
  env.site = mkdtempSync(path.join(os.tmpdir(), 'archsite-overlay-'));
  mkdirSync(path.join(env.site, 'content'));
  writeFileSync(path.join(env.site, 'archsite.yaml'), 'title: Overlay\n');
  writeFileSync(index(), '# Home\n\nA good page.\n');
  env.server = await startServe(env.site);
  env.browser = await launchBrowser();
}, { timeout: LIMITS.build + LIMITS.launch });

after(async () => {
  if (env.context) await env.context.close().catch(() => {});
  if (env.browser) await env.browser.close().catch(() => {});
  if (env.server) await env.server.stop();
  if (env.site) rmSync(env.site, { recursive: true, force: true });
}, { timeout: 30_000 });

test('HTML in diagnostics is shown as text in the overlay, never run', async () => {
  const { context, page } = await openPage(env.browser, { allowedOrigin: env.server.origin });
  env.context = context;
  const stream = page.waitForRequest(/__archsite\/events/, { timeout: LIVE });
  await page.goto(new URL('index.html', env.server.url).href, { waitUntil: 'load' });
  await stream;
  // Let the event stream open before the save.
  await page.waitForTimeout(300);

  const tag = '<img src=x onerror="window.__xss=1">';
  save(
    index(),
    `---\ntitle: x\nweight: ${tag}\n---\n# Home\n\n[x](%3Cimg%20src=x%20onerror=window.__xss=2%3E.md)\n`,
  );
  const overlay = page.locator('#archsite-overlay');
  await overlay.waitFor({ state: 'visible', timeout: LIVE });
  const text = await overlay.innerText();
  assert.ok(text.includes(`weight: ${tag}`), `the snippet is shown as text:\n${text}`);
  assert.ok(text.includes('<img src=x onerror=window.__xss=2>.md'), `the message is shown as text:\n${text}`);
  assert.equal(await overlay.locator('img, script').count(), 0, 'no element was made from the text');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no handler ran');
});
