// Installable PWA: a valid manifest with icons that load, a service worker that
// registers and takes control. The profile is kept (HOLOMESH_PWA_PROFILE) so the
// check after the server stops can open the app offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, persistent } from '../lib/browser.mjs';

test('the manifest is valid and its icons load', async () => {
  const r = await fetch(BASE + '/manifest.webmanifest');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/manifest+json');
  const m = await r.json();
  for (const k of ['name', 'short_name', 'start_url', 'display', 'icons', 'theme_color', 'background_color']) {
    assert.ok(m[k], `manifest has ${k}`);
  }
  assert.equal(m.display, 'standalone');
  const sizes = m.icons.map((i) => i.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'), 'PNG icons of 192 and 512 px');
  for (const icon of m.icons) {
    const res = await fetch(new URL(icon.src, BASE));
    assert.equal(res.status, 200, icon.src);
    assert.equal(res.headers.get('content-type'), icon.type);
    if (icon.type === 'image/png') {
      const bytes = Buffer.from(await res.arrayBuffer());
      const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
      assert.equal(`${w}x${h}`, icon.sizes, `${icon.src} is really ${icon.sizes}`);
    }
  }
});

test('the service worker registers, controls the page and caches the offline page', async () => {
  const context = await persistent(process.env.HOLOMESH_PWA_PROFILE);
  const page = await context.newPage();
  await page.goto(BASE + '/');
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, BASE + '/');
  await page.reload();
  const controlled = await page.evaluate(() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL);
  assert.equal(controlled, BASE + '/sw.js');
  const cached = await page.evaluate(async () => !!(await caches.match('/offline')));
  assert.ok(cached, 'the offline page is cached');
  await context.close();
});
