// Login, logout, session persistence, rate-limit message, and role guards.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { URL_, ADMIN_USER, ADMIN_PASSWORD, newPage, close, loginAs, makeUser, unexpectedErrors } from './lib.mjs';

after(close);

async function me(page) {
  return page.evaluate(async () => {
    const r = await fetch('/api/v1/auth/me');
    return { status: r.status, body: r.status === 200 ? await r.json() : null };
  });
}

test('login with a wrong password shows the server\'s error and does not log in', async () => {
  const u = makeUser('inspector');
  const page = await newPage();
  await page.goto(URL_ + '/login');
  await page.locator('[data-test=login-username]').fill(u.username);
  await page.locator('[data-test=login-password]').fill('definitely-wrong-pw');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
    page.locator('[data-test=login-submit]').click(),
  ]);
  assert.equal(resp.status(), 401);
  const problem = await resp.json();
  const alert = page.locator('[data-test=login-error]');
  await alert.waitFor();
  const shown = (await alert.innerText()).trim();
  assert.ok(shown.length > 0);
  assert.equal(shown, (problem.detail || problem.title).trim(), 'the problem+json detail is shown');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.locator('[data-test=user-menu]').count(), 0);
  assert.equal(await page.locator('[data-test=login-password]').inputValue(), '', 'password field cleared');
  assert.equal((await me(page)).status, 401);
  await page.context().close();
});

test('repeated failures show "too many attempts" (429)', async () => {
  const u = makeUser('inspector');
  const page = await newPage();
  await page.goto(URL_ + '/login');
  let last = 0;
  for (let i = 0; i < 8 && last !== 429; i++) {
    await page.locator('[data-test=login-username]').fill(u.username);
    await page.locator('[data-test=login-password]').fill(`wrong-${i}-password`);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      page.locator('[data-test=login-submit]').click(),
    ]);
    last = resp.status();
    await page.locator('[data-test=login-submit]:not(.is-loading)').waitFor();
  }
  assert.equal(last, 429, 'server rate-limited the login');
  assert.match(await page.locator('[data-test=login-error]').innerText(), /尝试次数过多/);
  await page.context().close();
});

test('admin logs in: user menu shows the name, session survives a reload, logout ends it', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/');
  await page.locator('[data-test=login-link]').click();
  await page.waitForURL(/\/login/);
  // the button shows a loading state while the request is in flight
  await page.route('**/api/v1/auth/login', async (route) => {
    await new Promise((r) => setTimeout(r, 400));
    await route.continue();
  });
  await page.locator('[data-test=login-username]').fill(ADMIN_USER);
  await page.locator('[data-test=login-password]').fill(ADMIN_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.locator('[data-test=login-submit].is-loading').waitFor({ timeout: 2000 });

  const name = page.locator('[data-test=user-name]');
  await name.waitFor();
  await page.unroute('**/api/v1/auth/login');
  const who = await me(page);
  assert.equal(who.status, 200);
  assert.equal(who.body.user.username, ADMIN_USER);
  assert.equal((await name.innerText()).trim(), who.body.user.display_name || ADMIN_USER);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.locator('[data-test=login-link]').count(), 0);
  // admin sees the admin and audit navigation
  assert.equal(await page.locator('[data-test=nav-admin]').count(), 1);
  assert.equal(await page.locator('[data-test=nav-audit]').count(), 1);

  await page.reload();
  await name.waitFor();
  assert.equal((await name.innerText()).trim(), who.body.user.display_name || ADMIN_USER);

  await page.locator('[data-test=user-menu]').click();
  await page.locator('[data-test=logout]').click();
  await page.locator('[data-test=login-link]').waitFor();
  assert.equal((await me(page)).status, 401, 'server session ended');
  await page.goto(URL_ + '/admin/users');
  await page.waitForURL(/\/login\?redirect=/);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('a protected deep link sends a visitor to login and back after it', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/admin/tokens');
  await page.waitForURL(/\/login\?redirect=(%2F|\/)admin(%2F|\/)tokens$/);
  await page.locator('[data-test=login-username]').fill(ADMIN_USER);
  await page.locator('[data-test=login-password]').fill(ADMIN_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL(URL_ + '/admin/tokens');
  await page.locator('[data-test=tokens-table]').waitFor();
  await page.context().close();
});

test('a regulator cannot see the admin pages but can open the audit log', async () => {
  const u = makeUser('regulator');
  const page = await newPage();
  await loginAs(page, u.username, u.password);
  assert.equal(await page.locator('[data-test=nav-admin]').count(), 0, 'no admin menu');
  assert.equal(await page.locator('[data-test=nav-audit]').count(), 1, 'audit menu shown');

  for (const p of ['/admin/users', '/admin/tokens']) {
    await page.goto(URL_ + p);
    const f = page.locator('[data-test=forbidden]');
    await f.waitFor();
    assert.match(await f.innerText(), /无权访问/);
    assert.equal(await page.locator('[data-test=users-table], [data-test=tokens-table]').count(), 0);
  }
  // and the server agrees
  const r = await page.evaluate(async () => (await fetch('/api/v1/users')).status);
  assert.equal(r, 403);

  await page.goto(URL_ + '/audit');
  await page.locator('[data-test=audit-table]').waitFor();
  assert.equal(await page.locator('[data-test=forbidden]').count(), 0);
  await page.context().close();
});
