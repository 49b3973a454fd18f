// Public pages: home (Chinese first, module cards, health, Merkle log head), language switch,
// placeholders, footer API link, 404, and the public log page with a proof that `nqi verify` accepts.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URL_, ROOT, BIN, cli, newPage, close, unexpectedErrors } from './lib.mjs';

after(close);

const MODULES = [
  ['standards', '标准化服务', 'Standards'],
  ['supervision', '质量监管', 'Supervision'],
  ['trace', '信息采集追溯', 'Traceability'],
  ['services', '一站式服务', 'Services'],
  ['governance', '质量治理', 'Governance'],
];

async function getJson(p) {
  const r = await fetch(URL_ + p);
  assert.equal(r.status, 200, `${p}: ${r.status}`);
  return r.json();
}

test('home page renders in Chinese with module cards, health "ok" and the Merkle log head', async () => {
  const health = await getJson('/api/v1/health');
  const head = await getJson('/api/v1/log/head');
  const page = await newPage();
  await page.goto(URL_ + '/');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.match(await page.title(), /nqi 质量基础设施一站式服务平台/);
  assert.equal((await page.locator('[data-test=product-name]').innerText()).trim(), 'nqi 质量基础设施一站式服务平台');

  // module cards: all five, in Chinese, each linking to its route, each tagged 建设中 or 已上线
  const cards = page.locator('[data-test=module-cards] > a');
  await cards.first().waitFor(); // the home page is a lazily loaded chunk
  assert.equal(await cards.count(), 5);
  for (const [key, zh] of MODULES) {
    const card = page.locator(`[data-test=card-${key}]`);
    assert.match(await card.innerText(), new RegExp(zh));
    assert.equal(await card.getAttribute('href'), `/${key}`);
    assert.match(await card.innerText(), /建设中|已上线/);
    assert.equal((await page.locator(`[data-test=nav-${key}]`).innerText()).trim(), zh);
  }

  // health line reflects the real server
  const status = page.locator('[data-test=health-status]');
  await status.waitFor();
  assert.equal(await status.getAttribute('data-status'), 'ok');
  assert.match(await status.innerText(), /运行正常/);
  assert.equal((await page.locator('[data-test=health-version]').innerText()).trim(), health.version);
  assert.match(await page.locator('[data-test=health-db]').innerText(), health.db === 'sqlite' ? /SQLite/ : /PostgreSQL/);

  // Merkle log head: tree size and shortened root hash
  const logHead = page.locator('[data-test=log-head]');
  assert.match(await logHead.innerText(), /公开记录 Merkle 日志/);
  const size = Number((await page.locator('[data-test=log-tree-size]').innerText()).replace(/[^\d]/g, ''));
  assert.ok(size >= head.tree_size && size >= 1, `tree size ${size} vs ${head.tree_size}`);
  const root = await page.locator('[data-test=log-root]').innerText();
  assert.match(root, /^[0-9a-f]{8}…[0-9a-f]{8}$/);

  // footer links to the OpenAPI document, which the server serves
  const apiLink = page.locator('[data-test=footer-api]');
  assert.equal(await apiLink.getAttribute('href'), '/api/v1/openapi.json');
  const openapi = await getJson('/api/v1/openapi.json');
  assert.match(openapi.openapi, /^3\./);

  // login link shown to visitors
  assert.equal(await page.locator('[data-test=login-link]').count(), 1);
  assert.equal(await page.locator('[data-test=nav-admin]').count(), 0);

  await page.waitForLoadState('networkidle');
  assert.deepEqual(unexpectedErrors(page), [], 'no script errors or CSP violations');
  fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
  await page.screenshot({ path: path.join(process.env.NQI_SCREENSHOT_DIR || process.env.NQI_TEST_TMP || '/tmp', 'screenshot-home.png'), fullPage: true });
  await page.context().close();
});

test('language switch to English changes the nav and is remembered', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/');
  assert.equal((await page.locator('[data-test=nav-home]').innerText()).trim(), '首页');
  await page.locator('[data-test=lang-en]').click();
  await page.locator('[data-test=nav-home]', { hasText: 'Home' }).waitFor();
  for (const [key, , en] of MODULES) {
    assert.equal((await page.locator(`[data-test=nav-${key}]`).innerText()).trim(), en);
  }
  assert.equal((await page.locator('[data-test=nav-log]').innerText()).trim(), 'Public log');
  assert.match(await page.locator('[data-test=health-status]').innerText(), /Operational/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.evaluate(() => localStorage.getItem('nqi.locale')), 'en');

  await page.reload();
  assert.equal((await page.locator('[data-test=nav-home]').innerText()).trim(), 'Home', 'choice survives a reload');
  assert.match(await page.locator('[data-test=card-standards]').innerText(), /Coming soon|Available/);

  await page.locator('[data-test=lang-zh]').click();
  await page.locator('[data-test=nav-home]', { hasText: '首页' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('nqi.locale')), 'zh-CN');
  await page.context().close();
});

test('module placeholders, deep links and unknown paths work (SPA fallback)', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/');
  await page.locator('[data-test=card-supervision]').click();
  await page.waitForURL(URL_ + '/supervision');
  const title = page.locator('[data-test=page-title]');
  assert.equal((await title.innerText()).trim(), '质量监管');
  const built = (await page.locator('[data-test=placeholder]').count()) === 0;
  if (!built) assert.match(await page.locator('[data-test=placeholder]').innerText(), /建设中/);

  // a deep link loaded from the server, not only client-side navigation
  await page.goto(URL_ + '/governance');
  assert.match(await page.locator('[data-test=page-title]').first().innerText(), /质量治理/);

  await page.goto(URL_ + '/no/such/page');
  await page.locator('[data-test=not-found]').waitFor();
  assert.match(await page.locator('[data-test=not-found]').innerText(), /页面不存在/);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('public log page: head, entries and a downloadable proof that nqi verify accepts', async () => {
  const head = await getJson('/api/v1/log/head');
  const page = await newPage();
  await page.goto(URL_ + '/log');
  await page.locator('[data-test=log-root]').waitFor();
  assert.equal((await page.locator('[data-test=log-root]').innerText()).trim(), head.root_hash);
  assert.equal((await page.locator('[data-test=log-pubkey]').innerText()).trim(), head.public_key);
  assert.match(await page.locator('[data-test=verify-cmd]').innerText(), new RegExp(`^nqi verify \\S+ --key ${head.public_key}$`));

  const rows = page.locator('[data-test=log-table] .el-table__body tr.el-table__row');
  await rows.first().waitFor();
  assert.ok((await rows.count()) >= 1);
  assert.match(await page.locator('[data-test=log-table]').innerText(), /log\.genesis|\d/);

  const link = page.locator('[data-test=log-proof]').last();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /^nqi-proof-\d+\.json$/);
  const file = path.join(os.tmpdir(), `e2e-${process.pid}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  const proof = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.ok(proof.root_hash && proof.leaf, 'proof JSON has root_hash and leaf');
  if (BIN && process.env.NQI_DB) {
    const r = cli(['verify', file, '--key', head.public_key]);
    assert.equal(r.status, 0, `nqi verify: ${r.stdout}${r.stderr}`);
  }
  fs.rmSync(file, { force: true });
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});
