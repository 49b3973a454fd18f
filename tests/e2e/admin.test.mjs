// Admin pages (users, tokens) and the audit page, driven as an admin through the real UI.
// Tests in this file run in order and share one logged-in page.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URL_, ROOT, ADMIN_USER, ADMIN_PASSWORD, newPage, close, loginAs, uniq, unexpectedErrors } from './lib.mjs';

let page;
const created = { username: uniq('e2e'), display: '质检员' + Math.floor(Math.random() * 1000), password: 'Strong-pass-2024' };

before(async () => {
  page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
});
after(close);

const dialog = () => page.locator('.el-dialog:visible');

async function pickOption(selectLocator, label) {
  await selectLocator.click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click();
}

async function searchUsers(q) {
  await page.locator('[data-test=users-q]').fill(q);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.request().method() === 'GET'),
    page.locator('[data-test=users-search]').click(),
  ]);
  assert.equal(resp.status(), 200);
  await page.waitForTimeout(100);
}

const userRows = () => page.locator('[data-test=users-table] .el-table__body-wrapper tr.el-table__row');

test('admin creates a user through the dialog and sees it in the table', async () => {
  await page.goto(URL_ + '/admin/users');
  await page.locator('[data-test=users-table]').waitFor();
  await page.locator('[data-test=users-table] .el-table__body-wrapper tr.el-table__row').first().waitFor();
  await page.locator('[data-test=user-create]').click();
  const d = dialog();
  await d.waitFor();
  await d.locator('[data-test=new-username]').fill(created.username);
  await d.locator('[data-test=new-display-name]').fill(created.display);
  await pickOption(d.locator('[data-test=field-role] .el-select'), '检查员');
  await d.locator('[data-test=new-password]').fill(created.password);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST'),
    d.locator('[data-test=user-save]').click(),
  ]);
  assert.equal(resp.status(), 201, await resp.text());
  assert.equal(resp.request().headers()['x-csrf-token']?.length >= 16, true, 'CSRF header sent');
  await d.waitFor({ state: 'hidden' });

  const row = page.locator('[data-test=users-table] tr.el-table__row', { hasText: created.username });
  await row.first().waitFor();
  const text = await row.first().innerText();
  assert.match(text, new RegExp(created.display));
  assert.match(text, /检查员/);
  assert.match(text, /正常/);

  // the search box finds exactly this user
  await searchUsers(created.username);
  assert.equal(await userRows().count(), 1);
  assert.match(await userRows().first().innerText(), new RegExp(created.username));
  // the role filter narrows the list
  await page.locator('[data-test=users-role]').click();
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes('role=admin')),
    page.locator('.el-select-dropdown__item:visible', { hasText: '管理员' }).first().click(),
  ]);
  await page.waitForTimeout(100);
  assert.equal(await userRows().count(), 0, 'the inspector is not an admin');
});

test('a field error from the server (password too short) is shown next to the field', async () => {
  await page.goto(URL_ + '/admin/users');
  await page.locator('[data-test=user-create]').click();
  const d = dialog();
  await d.waitFor();
  const name = uniq('short');
  await d.locator('[data-test=new-username]').fill(name);
  await d.locator('[data-test=new-password]').fill('short');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST'),
    d.locator('[data-test=user-save]').click(),
  ]);
  assert.equal(resp.status(), 422);
  const problem = await resp.json();
  const err = problem.errors.find((e) => e.field === 'password');
  assert.ok(err, 'server names the password field');
  const fieldError = d.locator('[data-test=field-password] .el-form-item__error');
  await fieldError.waitFor();
  assert.equal((await fieldError.innerText()).trim(), err.message);
  assert.equal(await d.locator('[data-test=field-username] .el-form-item__error').count(), 0, 'no error on other fields');
  assert.ok(await d.isVisible(), 'dialog stays open');
  await d.locator('button', { hasText: '取消' }).click();
  await searchUsers(name);
  assert.equal(await userRows().count(), 0, 'nothing was created');
});

test('disable and enable a user', async () => {
  await searchUsers(created.username);
  const row = userRows().first();
  await row.locator('[data-test=user-toggle]').click();
  await page.locator('.el-message-box:visible .el-button--primary').click();
  await row.locator('[data-test=user-status]', { hasText: '已停用' }).waitFor();
  // persisted on the server
  await searchUsers(created.username);
  assert.match(await userRows().first().locator('[data-test=user-status]').innerText(), /已停用/);
  const login = await fetch(URL_ + '/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: created.username, password: created.password }),
  });
  assert.ok(login.status === 401 || login.status === 403, `disabled user cannot log in (${login.status})`);
  await userRows().first().locator('[data-test=user-toggle]').click();
  await userRows().first().locator('[data-test=user-status]', { hasText: '正常' }).waitFor();
});

test('the visible user list exports to CSV with a UTF-8 BOM', async () => {
  await searchUsers(created.username);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=users-export]').click()]);
  assert.match(download.suggestedFilename(), /^nqi-用户列表-\d{8}-\d{6}\.csv$/);
  const file = path.join(os.tmpdir(), `e2e-${process.pid}-users.csv`);
  await download.saveAs(file);
  const buf = fs.readFileSync(file);
  fs.rmSync(file, { force: true });
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const lines = buf.toString('utf8').slice(1).trim().split(/\r\n/);
  assert.match(lines[0], /^ID,用户名,姓名/);
  assert.equal(lines.length, 2);
  assert.match(lines[1], new RegExp(`,${created.username},${created.display},检查员,`));
});

test('token creation shows the token once, and revoking it works', async () => {
  await page.goto(URL_ + '/admin/tokens');
  await page.locator('[data-test=tokens-table]').waitFor();
  const name = uniq('机器令牌');
  await page.locator('[data-test=token-create]').click();
  const d = dialog();
  await d.waitFor();
  await d.locator('[data-test=token-name]').fill(name);
  await pickOption(d.locator('[data-test=field-role] .el-select'), '监管人员');
  await d.locator('[data-test=token-owner]').fill('某市市场监督管理局');
  await d.locator('[data-test=token-save]').click();

  const secretDialog = page.locator('.el-dialog:visible', { has: page.locator('[data-test=token-secret]') });
  await secretDialog.waitFor();
  assert.match(await secretDialog.locator('[data-test=token-warning]').innerText(), /无法再次查看/);
  const token = (await secretDialog.locator('[data-test=token-secret]').innerText()).trim();
  assert.ok(token.length >= 20, token);
  assert.equal(await secretDialog.locator('[data-test=token-copy]').count(), 1);

  // the token works as a bearer token with the chosen role
  const use = await fetch(URL_ + '/api/v1/audit?limit=1', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(use.status, 200);

  await secretDialog.locator('[data-test=token-secret-close]').click();
  await secretDialog.waitFor({ state: 'hidden' });
  const row = page.locator('[data-test=tokens-table] tr.el-table__row', { hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), /监管人员/);
  assert.match(await row.innerText(), /某市市场监督管理局/);
  assert.ok(!(await page.content()).includes(token), 'the secret is gone from the page');
  await page.reload();
  await row.waitFor();
  assert.ok(!(await page.content()).includes(token), 'and is never listed again');

  await row.locator('[data-test=token-revoke]').click();
  await page.locator('.el-message-box:visible .el-button--primary').click();
  await row.locator('[data-test=token-status]', { hasText: '已吊销' }).waitFor();
  const after = await fetch(URL_ + '/api/v1/audit?limit=1', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(after.status, 401, 'revoked token refused');
});

test('audit page lists the user-creation record and verifying the chain succeeds', async () => {
  await page.goto(URL_ + '/audit');
  await page.locator('[data-test=audit-entity]').fill('user');
  await page.locator('[data-test=audit-search]').click();
  const row = page.locator('[data-test=audit-table] tr.el-table__row', { hasText: /user\.create|create/ })
    .filter({ hasText: ADMIN_USER });
  await row.first().waitFor();
  // find the record whose `after` names our user: expand rows until found
  let found = false;
  const n = await row.count();
  for (let i = 0; i < n && !found; i++) {
    await row.nth(i).locator('.el-table__expand-icon').click();
    const body = page.locator('[data-test=audit-after]:visible');
    await body.last().waitFor();
    found = (await body.last().innerText()).includes(created.username);
    if (!found) await row.nth(i).locator('.el-table__expand-icon').click();
  }
  assert.ok(found, 'the expanded after-JSON of a create record names the new user');
  assert.ok(!(await page.locator('[data-test=audit-table]').innerText()).includes(created.password), 'no password in the audit view');

  await page.locator('[data-test=audit-verify]').click();
  const result = page.locator('[data-test=verify-result]');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-ok'), 'true');
  assert.match(await result.innerText(), /哈希链完整：已校验 \d+ 条记录/);
  assert.match(await result.getAttribute('class'), /el-alert--success/, 'shown in green');
});

test('screenshot of the admin users page', async () => {
  await page.goto(URL_ + '/admin/users');
  await page.locator('[data-test=users-table] tr.el-table__row').first().waitFor();
  await page.waitForLoadState('networkidle');
  fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
  await page.screenshot({ path: path.join(process.env.NQI_SCREENSHOT_DIR || process.env.NQI_TEST_TMP || '/tmp', 'screenshot-admin.png'), fullPage: false });
  // the only failed request expected is the 422 of the field-error test
  assert.deepEqual(unexpectedErrors(page, [/status of 422/]), [], 'no script errors during the admin tests');
});
