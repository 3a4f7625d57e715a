// Run after the server is stopped: the installed app still opens and shows its
// offline page, styled from the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistent } from '../lib/browser.mjs';

const BASE = process.env.HOLOMESH_WEB_URL;

test('with the server down, the app shows its offline page', async () => {
  const down = await fetch(BASE + '/healthz').then(() => false, () => true);
  assert.ok(down, 'the server is really stopped');
  const context = await persistent(process.env.HOLOMESH_PWA_PROFILE);
  const page = await context.newPage();
  await page.goto(BASE + '/chips');
  assert.equal(await page.textContent('h1'), 'You are offline');
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle);
  assert.equal(styled, 'solid', 'the stylesheet came from the cache');
  await context.close();
});
