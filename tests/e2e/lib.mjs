// Shared helpers for the browser tests: playwright-core driving Debian's Chromium
// (/usr/bin/chromium; never `npx playwright install`). The runner (scripts/test.sh) starts a real
// `nqi serve --static web/dist` and passes NQI_URL, NQI_ADMIN_USER, NQI_ADMIN_PASSWORD,
// NQI_BIN and NQI_DB (for `nqi user add`).
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const URL_ = (process.env.NQI_URL || '').replace(/\/$/, '');
export const ADMIN_USER = process.env.NQI_ADMIN_USER;
export const ADMIN_PASSWORD = process.env.NQI_ADMIN_PASSWORD;
export const BIN = process.env.NQI_BIN;
export const DB = process.env.NQI_DB;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

if (!URL_ || !ADMIN_USER || !ADMIN_PASSWORD) {
  throw new Error('run through scripts/test.sh, or set NQI_URL, NQI_ADMIN_USER, NQI_ADMIN_PASSWORD (and NQI_BIN, NQI_DB)');
}

export function uniq(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

// Run the nqi CLI on the test database.
export function cli(args) {
  if (!BIN || !DB) throw new Error('NQI_BIN and NQI_DB are needed to create users');
  const r = spawnSync(BIN, args, { env: { ...process.env, NQI_DB: DB }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A user made with the CLI: {username, password}.
export function makeUser(role) {
  const username = uniq(role.slice(0, 3));
  const password = `pw-${uniq('x')}-long`;
  const r = cli(['user', 'add', '--role', role, '--password', password, username]);
  if (r.status !== 0) throw new Error(`nqi user add failed (${r.status}): ${r.stderr}`);
  return { username, password };
}

// Chromium flags for these machines: root needs --no-sandbox; the network is closed, so
// everything that phones home is off.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

let browser = null;

// One Chromium per test file. playwright-core's launch() gives it a fresh temporary
// --user-data-dir (removed on close); each test gets its own context from newPage().
export async function launch() {
  if (!browser) {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }
  return browser;
}

// A page in a new, isolated browser context (own cookies and localStorage), with errors
// collected in page.errors (uncaught exceptions, console errors such as CSP violations).
export async function newPage({ locale = 'zh-CN' } = {}) {
  const b = await launch();
  const ctx = await b.newContext({ locale, timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`console: ${m.text()}`);
  });
  return page;
}

export async function close() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
}

// Log in through the login page; resolves when the user menu shows the name.
export async function loginAs(page, username, password) {
  await page.goto(URL_ + '/login');
  await page.locator('[data-test=login-username]').fill(username);
  await page.locator('[data-test=login-password]').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await page.locator('[data-test=user-name]').waitFor();
}

// Errors a page logged, minus the expected ones (e.g. a 401 from /auth/me when logged out,
// which the browser reports as a failed resource load).
export function unexpectedErrors(page, allow = []) {
  const ok = [/Failed to load resource: the server responded with a status of 40[13]/, ...allow];
  return page.errors.filter((e) => !ok.some((re) => re.test(e)));
}
