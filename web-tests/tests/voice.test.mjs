// Push-to-talk in the browser: Chromium's fake microphone plays a bundled recording
// ("buy the falcon dsp"); the page shows what was heard, the question, and after
// Confirm the purchase (also in the purchase list, bought by voice).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, launch, signIn, expectAccessible, screenshot } from '../lib/browser.mjs';

const SAMPLE = path.resolve(process.env.HOLOMESH_REPO || '.', 'tests/audio/03-buy.wav');
let browser;
before(async () => {
  browser = await launch([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${SAMPLE}%noloop`,
    '--autoplay-policy=no-user-gesture-required',
  ]);
});
after(async () => { await browser.close(); });

test('hold to talk: heard, confirmed, bought', async () => {
  const context = await browser.newContext({ permissions: ['microphone'] });
  const page = await context.newPage();
  await signIn(page, 'voice@example.org');
  await page.goto(BASE + '/');
  const ptt = page.locator('#ptt');
  await ptt.waitFor({ state: 'visible' });
  assert.equal(await ptt.getAttribute('aria-pressed'), 'false');
  // Hold the button with the keyboard (Space down … up) while the recording plays.
  await ptt.focus();
  await page.keyboard.down('Space');
  await page.waitForFunction(() => document.querySelector('#ptt').getAttribute('aria-pressed') === 'true');
  await page.waitForTimeout(4500);
  await page.keyboard.up('Space');
  assert.equal(await ptt.getAttribute('aria-pressed'), 'false');

  const heard = page.locator('[data-heard]');
  await page.waitForFunction(() => {
    const t = document.querySelector('#voice-reply').textContent;
    return t && !/^(Working|Listening)…$/.test(t);
  }, null, { timeout: 120000 });
  const said = `heard "${await heard.textContent()}", replied "${await page.textContent('#voice-reply')}"`;
  assert.match(await heard.textContent(), /buy.*falcon/i, said);
  assert.match(await page.textContent('[data-understood]'), /Buy chip/);
  const reply = page.locator('#voice-reply');
  assert.equal(await reply.getAttribute('aria-live'), 'polite');
  assert.match(await reply.textContent(), /Falcon DSP/);
  assert.match(await reply.textContent(), /\?/, 'a question waiting for a yes');
  const confirm = page.locator('[data-voice-answer="confirm"]');
  await confirm.waitFor({ state: 'visible' });
  await expectAccessible(page, 'voice waiting for confirmation');
  await screenshot(page, 'voice-confirm-1280');
  await confirm.click();
  await page.waitForFunction(() => /bought|done/i.test(document.querySelector('#voice-reply').textContent), null, { timeout: 30000 });
  assert.ok(await page.locator('[data-voice-confirm]').isHidden());

  await page.goto(BASE + '/purchases');
  const row = page.locator('tr', { hasText: 'Falcon DSP' });
  assert.match(await row.textContent(), /by voice/);
  await page.goto(BASE + '/voice');
  assert.match(await page.textContent('main'), /falcon/i);
  await screenshot(page, 'voice-history-1280');
  await context.close();
});

test('a typed command uses the same assistant, with Cancel', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'voice@example.org');
  await page.fill('#say-text', 'buy the comet cpu');
  await page.press('#say-text', 'Enter');
  const cancel = page.locator('[data-voice-answer="cancel"]');
  await cancel.waitFor({ state: 'visible' });
  assert.match(await page.textContent('[data-heard]'), /comet/i);
  await cancel.click();
  await page.waitForFunction(() => /cancel|okay|won't|not/i.test(document.querySelector('#voice-reply').textContent));
  await context.close();
});
