// Renders demo/public/icons/icon.svg to the PNG icons the web app manifest lists
// (192 and 512 px, and a maskable 512 px with the safe-zone padding), in Debian's
// Chromium. Run by hand after changing the SVG: node scripts/make-icons.mjs
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const svg = readFileSync('demo/public/icons/icon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const [name, size, padding] of [['icon-192.png', 192, 0], ['icon-512.png', 512, 0], ['icon-maskable-512.png', 512, 0.1]]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const inner = Math.round(size * (1 - 2 * padding));
    // Maskable icons fill the square; the glyph keeps to the central safe zone.
    await page.setContent(`<body style="margin:0;background:${padding ? '#1f5f8b' : 'transparent'};display:grid;place-items:center;width:${size}px;height:${size}px">
      <img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" width="${inner}" height="${inner}"></body>`);
    await page.screenshot({ path: `demo/public/icons/${name}`, omitBackground: !padding });
    await page.close();
  }
} finally {
  await browser.close();
}
