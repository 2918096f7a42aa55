// An OpenAPI spec's page (tests/fixtures/api: backend/api/*.yaml, a design folder's API specs):
// operations grouped by tag with method badges and anchors, the parameters table, schemas and
// allOf/oneOf shown, $ref links landing on the right schema of the right page, readable
// without JavaScript, and axe-clean in the light and dark themes.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, useSite, gotoAndSettle, decodedPath, decodedHash, expectInViewport, describeProblems, runAxe, formatViolations } from '../lib/harness.mjs';

const site = useSite(path.join(FIXTURES, 'api', 'site'));
const at = (rel) => new URL(rel, site.url).href;
const ORDER = 'backend/api/order-service-api.yaml.html';

describe('API reference pages', { timeout: 120_000 }, () => {
  test('operations by tag, with badges, parameters and responses', async () => {
    const { page, problems } = await site.open();
    await gotoAndSettle(page, at(ORDER));
    assert.equal(await page.locator('article h1').first().innerText(), '주문 서비스 API');
    const groups = await page.locator('section.api-group > h2').evaluateAll((hs) => hs.map((h) => h.textContent.replace(/#$/, '').trim()));
    assert.deepEqual(groups, ['주문', '주문 항목']);
    const ops = await page.locator('section.api-op h3').evaluateAll((hs) =>
      hs.map((h) => `${h.querySelector('.method').textContent} ${h.querySelector('.api-path').textContent}`));
    assert.deepEqual(ops, ['POST /orders', 'GET /orders', 'GET /orders/{orderId}', 'DELETE /orders/{orderId}', 'GET /orders/{orderId}/items']);
    // The method badge is readable: white on a solid colour.
    const badge = await page.locator('#op-createOrder .method').evaluate((b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]);
    assert.equal(badge[0], 'rgb(255, 255, 255)');
    assert.notEqual(badge[1], 'rgba(0, 0, 0, 0)');
    const params = await page.locator('section[aria-labelledby="op-listOrders"] table.api-params tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.replace(/\s+/g, ' ').trim())));
    assert.deepEqual(params, [['from', 'query', 'string (date)', '', ''], ['X-Request-Id', 'header', 'string (uuid)', '', '']]);
    const combined = await page.locator('#schema-OrderRequest').locator('xpath=..').innerText();
    assert.match(combined, /다음 중 정확히 하나 \(oneOf\)/);
    assert.equal(describeProblems(problems), '');
  });

  test('a link to an operation lands on it; a $ref lands on the schema of the other spec', async () => {
    const { page, problems } = await site.open({ viewport: { width: 1280, height: 600 } });
    await gotoAndSettle(page, at('backend/api-overview.html'));
    await page.locator('article a[href="api/order-service-api.yaml.html#op-createOrder"]').click();
    await page.waitForURL((u) => decodedPath(u.href) === `/${ORDER}`);
    assert.equal(await decodedHash(page), 'op-createOrder');
    await expectInViewport(page, 'op-createOrder');
    await page.locator('section[aria-labelledby="op-createOrder"] a.api-ref', { hasText: 'Error' }).first().click();
    await page.waitForURL((u) => decodedPath(u.href) === '/backend/api/common.yaml.html');
    assert.equal(await decodedHash(page), 'schema-Error');
    await expectInViewport(page, 'schema-Error');
    assert.equal(describeProblems(problems), '');
  });

  test('readable without JavaScript: every operation and schema is in the page', async () => {
    const { page } = await site.open({ javaScriptEnabled: false });
    await page.goto(at(ORDER), { waitUntil: 'load' });
    assert.equal(await page.locator('section.api-op').count(), 5);
    assert.equal(await page.locator('section.api-schema-def').count(), 5);
    assert.ok(await page.locator('#schema-Order').isVisible());
  });

  for (const colorScheme of ['light', 'dark']) {
    test(`axe finds nothing on an API page (${colorScheme})`, async () => {
      const { page } = await site.open({ colorScheme });
      for (const rel of [ORDER, 'backend/api/notification-service-api.yaml.html']) {
        await gotoAndSettle(page, at(rel));
        const violations = await runAxe(page);
        assert.deepEqual(violations, [], `${rel} (${colorScheme}):\n${formatViolations(violations)}`);
      }
    });
  }
});
