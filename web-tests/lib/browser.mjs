// Shared test helpers: the system Chromium through playwright-core (nothing is
// downloaded), the seeded data, signing in, axe-core checks and screenshots.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync, mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';

export const BASE = process.env.HOLOMESH_WEB_URL;
export const SEED = JSON.parse(readFileSync(process.env.HOLOMESH_SEED, 'utf8'));
export const SHOTS = process.env.HOLOMESH_SCREENSHOTS || 'target/web-screenshots';
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', ...extraArgs],
  });
}

export async function persistent(dir, options = {}) {
  return chromium.launchPersistentContext(dir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    ...options,
  });
}

/** Signs in through the form (any role); returns the page. */
export async function signIn(page, email, code) {
  await page.goto(BASE + '/sign-in');
  await page.fill('#f-email', email);
  await page.fill('#f-password', SEED.password);
  if (code) await page.fill('#f-code', code);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.click('form[action="/sign-in"] button[type=submit]')]);
  return page;
}

/** The administrator signs in with one of the recovery codes (each works once). */
export function adminCode(index) {
  return SEED.admin.recovery_codes[index];
}

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Runs axe-core on the page; fails with a readable list of violations. */
export async function expectAccessible(page, label) {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.equal(problems.length, 0, `${label}: axe found\n  ${problems.join('\n  ')}`);
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** The focused element's description and whether its focus indicator is visible. */
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', name: '', visible: false };
    const style = getComputedStyle(el);
    const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
    const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
    const name = (el.getAttribute('aria-label') || label || el.textContent || el.value || '').replace(/\s+/g, ' ').trim();
    return { tag: el.tagName.toLowerCase(), id: el.id, name, visible, type: el.getAttribute('type') || '' };
  });
}

/**
 * Presses Tab until the focused element matches `want` (a function of the focus
 * description), checking on the way that every focused element shows its focus.
 * Returns the list of names passed, in order.
 */
export async function tabTo(page, want, max = 80) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(f.name || f.id || f.tag);
    assert.ok(f.visible, `focus is not visible on ${f.tag}#${f.id} "${f.name}"`);
    if (want(f)) return seen;
  }
  assert.fail(`never reached the wanted element; passed: ${seen.join(' | ')}`);
}

export const byName = (text) => (f) => f.name.toLowerCase().includes(text.toLowerCase());
export const byId = (id) => (f) => f.id === id;
