// axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on every page, signed out and signed in
// as user, designer and administrator; reflow at 320 px; screenshots of the main
// pages at 1280 px and 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SEED, launch, signIn, adminCode, expectAccessible, screenshot } from '../lib/browser.mjs';

const ids = SEED.ids;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

async function sweep(context, who, paths, shots = []) {
  const page = await context.newPage();
  for (const path of paths) {
    const resp = await page.goto(BASE + path);
    assert.ok(resp.status() < 500, `${who} ${path} → ${resp.status()}`);
    await expectAccessible(page, `${who} ${path}`);
  }
  for (const [name, path] of shots) {
    await page.goto(BASE + path);
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await screenshot(page, `${who}-${name}-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  return page;
}

test('signed out: every public page passes axe', async () => {
  const context = await browser.newContext();
  const page = await sweep(context, 'visitor', [
    '/', '/chips', '/chips?q=dsp&sort=price&max_price=abc', `/chips/${ids.falcon}`, '/designers', '/designers?sort=rating',
    '/designers/bob-martin', '/sign-in', '/sign-up', '/voice/help', '/offline', '/chips/no-such-chip',
  ], [['home', '/'], ['search', '/chips?category=cpu'], ['chip', `/chips/${ids.falcon}`], ['sign-in', '/sign-in']]);
  // Forms with errors: the summary and the fields' messages pass too.
  await page.goto(BASE + '/sign-up');
  await page.click('form[action="/sign-up"] button[type=submit]');
  await page.waitForSelector('[data-error-summary]');
  await expectAccessible(page, 'sign-up with errors');
  await screenshot(page, 'visitor-sign-up-errors-1280');
  await context.close();
});

test('signed in as a user: every page passes axe', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'user@example.org');
  await sweep(context, 'user', [
    '/', `/chips/${ids.comet}`, `/chips/${ids.falcon}/buy`, '/wallet', '/purchases', `/purchases/${ids.purchase}`,
    '/following', '/following/alice-chen', '/account', '/account/two-factor', '/community',
    `/community/groups/${ids.group}`, `/community/threads/${ids.thread}`, '/community/collaborations', '/voice',
    '/designers/alice-chen',
  ], [['home', '/'], ['buy', `/chips/${ids.falcon}/buy`], ['wallet', '/wallet'], ['following', '/following'],
    ['account', '/account'], ['voice', '/voice'], ['community', '/community']]);
  // The 2FA set-up page with its QR code.
  await page.goto(BASE + '/account/two-factor');
  await page.click('form[action="/account/two-factor/enroll"] button');
  await page.waitForSelector('figure.qr svg');
  await expectAccessible(page, 'user 2FA enrolment');
  await screenshot(page, 'user-two-factor-1280');
  await context.close();
});

test('signed in as a designer: studio pages pass axe', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'bob@example.org');
  await sweep(context, 'designer', [
    '/studio', '/studio/new', `/chips/${ids.draft}`, '/account', '/community/collaborations', '/designers/bob-martin',
  ], [['studio', '/studio'], ['new-chip', '/studio/new'], ['profile', '/designers/bob-martin']]);
  await context.close();
});

test('signed in as an administrator: admin pages pass axe', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, SEED.admin.email, adminCode(0));
  await sweep(context, 'admin', ['/admin', '/account', '/account/two-factor'], [['admin', '/admin']]);
  await context.close();
});

test('pages reflow at 320 px without sideways scrolling', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  await signIn(page, 'user@example.org');
  for (const path of ['/', '/chips', `/chips/${ids.falcon}`, '/wallet', '/following', '/account', '/designers/alice-chen']) {
    await page.goto(BASE + path);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 320, `${path} is ${wide} px wide at 320 px`);
  }
  await context.close();
});
