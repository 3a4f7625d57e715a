// Without JavaScript: reading, searching, signing in, buying (with its confirmation
// step) and verifying a design file all work through plain links and form posts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SEED, launch, signIn } from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('browse and buy with JavaScript off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(BASE + '/');
  assert.match(await page.textContent('h1'), /Chip designs/);
  await page.fill('#f-q, #home-q', 'vega');
  await Promise.all([page.waitForNavigation(), page.press('#home-q', 'Enter')]);
  assert.match(page.url(), /\/chips\?q=vega/);
  await Promise.all([page.waitForNavigation(), page.click('text=Vega RISC-V core')]);
  assert.equal(await page.textContent('h1'), 'Vega RISC-V core');
  // The signed record is there to read, and the buy link asks to sign in first.
  assert.match(await page.textContent('pre.record'), /"properties"/);
  await Promise.all([page.waitForNavigation(), page.click('text=Sign in to buy')]);
  assert.match(page.url(), /\/sign-in\?next=/);
  await page.fill('#f-email', 'user@example.org');
  await page.fill('#f-password', SEED.password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/sign-in"] button[type=submit]')]);
  assert.match(page.url(), new RegExp(`/chips/${SEED.ids.vega}/buy`));
  assert.match(await page.textContent('h1'), /Buy Vega RISC-V core\?/);
  await Promise.all([page.waitForNavigation(), page.click('#confirm-buy')]);
  assert.match(page.url(), /\/purchases\/.+notice=purchased/);
  assert.match(await page.textContent('main'), /Purchase complete/);
  assert.match(await page.textContent('main'), /Licence token/);
  await context.close();
});

test('verify a design file with JavaScript off (the server checks it)', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${BASE}/chips/${SEED.ids.falcon}`);
  await page.setInputFiles('#f-design', { name: 'falcon.v', mimeType: 'text/plain', buffer: Buffer.from('module falcon; endmodule') });
  await Promise.all([page.waitForNavigation(), page.click('form.verify button[type=submit]')]);
  assert.match(await page.textContent('[data-verify-result]'), /does not match/);
  await context.close();
});

test('verify in the browser with JavaScript on (WebCrypto and the server agree)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/chips/${SEED.ids.falcon}`);
  await page.setInputFiles('#f-design', { name: 'falcon.v', mimeType: 'text/plain', buffer: Buffer.from('not the design') });
  await page.click('form.verify button[type=submit]');
  await page.waitForFunction(() => /in your browser/.test(document.querySelector('[data-verify-result]').textContent));
  const text = await page.textContent('[data-verify-result]');
  assert.match(text, /does not match/);
  assert.match(text, /on the server/);
  await context.close();
});
