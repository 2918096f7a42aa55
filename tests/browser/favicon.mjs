// Writes themes/default/static/favicon.ico from themes/default/static/assets/favicon.svg: the
// SVG drawn by headless Chromium at 16, 32 and 48 px, each PNG stored as is in one ICO file
// (browsers that ask for /favicon.ico on their own get the same icon as the <link>ed SVG).
//   cd tests/browser && node favicon.mjs

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, launchBrowser } from './lib/harness.mjs';

const theme = path.join(REPO_ROOT, 'themes', 'default', 'static');
const svg = readFileSync(path.join(theme, 'assets', 'favicon.svg'), 'utf8');
const browser = await launchBrowser();
const images = [];
try {
  for (const size of [16, 32, 48]) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await page.setContent(`<body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body>`);
    images.push({ size, png: await page.screenshot({ omitBackground: true }) });
    await page.close();
  }
} finally {
  await browser.close();
}
// ICONDIR (6 bytes), one ICONDIRENTRY (16 bytes) per image, then the PNGs.
const head = Buffer.alloc(6);
head.writeUInt16LE(0, 0);
head.writeUInt16LE(1, 2);
head.writeUInt16LE(images.length, 4);
let offset = 6 + 16 * images.length;
const entries = images.map(({ size, png }) => {
  const e = Buffer.alloc(16);
  e.writeUInt8(size % 256, 0);
  e.writeUInt8(size % 256, 1);
  e.writeUInt16LE(1, 4);
  e.writeUInt16LE(32, 6);
  e.writeUInt32LE(png.length, 8);
  e.writeUInt32LE(offset, 12);
  offset += png.length;
  return e;
});
const out = path.join(theme, 'favicon.ico');
writeFileSync(out, Buffer.concat([head, ...entries, ...images.map((i) => i.png)]));
console.log(`wrote ${path.relative(process.cwd(), out)} (${images.map((i) => i.size).join(', ')} px)`);
