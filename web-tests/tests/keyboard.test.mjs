// Keyboard-only flows (Tab, Shift+Tab, Enter, Space, arrows and typing; no mouse):
// sign up, find a chip, buy it, subscribe with auto-buy, publish a chip. Every
// focused element must show its focus; the order of the fields is checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SEED, launch, focused, tabTo, byName, byId } from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

async function press(page, key) {
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press(key)]);
}

async function follow(page, key = 'Enter') {
  await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
}

/** Skip link first, then into <main>. */
async function skipToMain(page) {
  await page.keyboard.press('Tab');
  const f = await focused(page);
  assert.equal(f.name, 'Skip to main content', 'the first Tab reaches the skip link');
  assert.ok(f.visible, 'the skip link shows its focus');
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).id, 'main', 'the skip link moves focus to the main content');
}

test('a client signs up, finds a chip, buys it and follows its designer, by keyboard only', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(BASE + '/sign-up');
  await skipToMain(page);
  const order = [];
  for (const [want, text] of [['Your name', 'Kim Keys'], ['Email', 'kim@example.org'], ['Password', SEED.password]]) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    assert.ok(f.visible);
    order.push(f.name);
    assert.ok(f.name.startsWith(want), `expected ${want}, focus is on ${f.name}`);
    await page.keyboard.type(text);
  }
  await page.keyboard.press('Tab');
  assert.match((await focused(page)).name, /buy chips/, 'then the role, its first choice selected');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Create account');
  await follow(page);
  assert.match(await page.textContent('[data-notice]'), /Welcome/);

  // Money first: the Wallet link in the navigation.
  await tabTo(page, byName('Wallet'));
  await follow(page);
  await tabTo(page, byId('f-amount'));
  await page.keyboard.type('100');
  await follow(page);
  assert.match(await page.textContent('[data-notice]'), /in your wallet/);
  assert.match(await page.textContent('[data-balance]'), /\$100\.00/);

  // Find the chip: Chips in the navigation, words, Enter.
  await tabTo(page, (f) => f.name === 'Chips');
  await follow(page);
  await tabTo(page, byId('f-q'));
  await page.keyboard.type('falcon');
  await follow(page);
  await tabTo(page, (f) => f.name === 'Falcon DSP');
  await follow(page);
  assert.equal(await page.textContent('h1'), 'Falcon DSP');

  // Buy it: the buy link, then the confirmation step (Confirm comes before Cancel).
  await tabTo(page, byName('Buy for $24.50'));
  await follow(page);
  assert.match(await page.textContent('h1'), /Buy Falcon DSP\?/);
  await tabTo(page, byName('Confirm purchase'));
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Cancel');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused(page)).name, 'Confirm purchase');
  await follow(page);
  assert.match(await page.textContent('[data-notice]'), /Purchase complete/);
  assert.match(await page.textContent('main'), /Licence token/);

  // Follow the designer of another chip with auto-buy: Designers, Alice Chen, Follow.
  await tabTo(page, (f) => f.name === 'Designers');
  await follow(page);
  await tabTo(page, (f) => f.name === 'Alice Chen');
  await follow(page);
  await tabTo(page, byName('Follow Alice Chen'));
  await follow(page);
  await tabTo(page, byId('f-notify'));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'f-auto_purchase');
  await page.keyboard.press('Space');
  assert.ok(await page.isChecked('#f-auto_purchase'), 'Space ticks the checkbox');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'f-max_price');
  await page.keyboard.type('50');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'f-monthly_budget');
  await page.keyboard.type('200');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Save subscription');
  await follow(page);
  assert.match(await page.textContent('[data-notice]'), /subscription is saved/);
  assert.match(await page.textContent('main'), /Alice Chen: Notifications: daily digest, auto-buy under \$50\.00, budget \$200\.00 a month/);
  await context.close();
});

test('a designer signs in and publishes a chip, by keyboard only', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(BASE + '/sign-in');
  await skipToMain(page);
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'f-email');
  await page.keyboard.type('bob@example.org');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'f-password');
  await page.keyboard.type(SEED.password);
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'f-code', 'the optional two-factor code comes next');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Sign in');
  await follow(page);
  await tabTo(page, (f) => f.name === 'Studio');
  await follow(page);
  await tabTo(page, (f) => f.name === 'New chip');
  await follow(page);
  const fields = [
    ['f-title', 'Kite DSP'], ['f-vlnv', 'martin.dev:dsp:kite:1.0'], ['f-description', 'A small FIR filter bank.'],
    ['f-category', 'dsp'], ['f-process_node', '28nm'], ['f-price', '12.50'], ['f-supply', '100'], ['f-royalty', '5'],
    ['f-tags', 'fir, filter'], ['f-design', null], ['f-sha256', 'ab'.repeat(32)], ['f-size', '2048'],
  ];
  await tabTo(page, byId('f-title'));
  for (const [i, [id, text]] of fields.entries()) {
    if (i > 0) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      assert.equal(f.id, id, `field ${i}: expected ${id}`);
      assert.ok(f.visible, `${id} shows its focus`);
    }
    if (text) await page.keyboard.type(text);
  }
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Save draft');
  await follow(page);
  assert.match(await page.textContent('[data-notice]'), /Draft saved/);
  await tabTo(page, byName('Publish Kite DSP'));
  await follow(page);
  assert.match(await page.textContent('[data-notice]'), /Published/);
  assert.equal(await page.textContent('h1'), 'Kite DSP');
  assert.match(await page.textContent('main'), /Download the record/);
  await context.close();
});
