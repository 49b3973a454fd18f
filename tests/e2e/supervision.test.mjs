// Quality supervision pages (质量监管), driven through the real UI against a real server:
// the public draw list and draw page (commitment and pool hash shown, no seed before the reveal),
// run + reveal by an admin through the UI (seed and result with teams of 2 appear; 在线验证 shows
// every check passed; the downloaded record bundle passes `nqi draw verify`), the 新建抽查 dialog
// (a proportion of 150 puts the server's error next to that stratum's input; nothing is created;
// a valid plan is committed and opens its page), entity search (a two-character word of a name,
// a credit-code prefix), the staff-only directory vs the public entity page, and the import page.
//
// Data is imported in `before` through the API with the admin token (NQI_ADMIN_TOKEN; without it
// an admin session from NQI_ADMIN_USER/PASSWORD): 40 entities with valid GB 32100 credit codes in
// one region made up for this run (classes A–D), 6 inspectors, one inspection item.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { URL_, ADMIN_USER, ADMIN_PASSWORD, BIN, newPage, close, loginAs, unexpectedErrors } from './lib.mjs';

const TOKEN = process.env.NQI_ADMIN_TOKEN || '';
const TMP = process.env.NQI_TEST_TMP || os.tmpdir();

// --- GB 32100 check character --------------------------------------------------------------
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(first17) {
  assert.equal(first17.length, 17);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET.indexOf(first17[i]);
    assert.ok(v >= 0, `bad character in ${first17}`);
    sum += v * WEIGHTS[i];
  }
  return first17 + CHARSET[(31 - (sum % 31)) % 31];
}

// One region and one serial block per run, so re-runs against the same server do not mix.
const rnd = (n) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
const REGION = '35' + rnd(4);
const SERIAL = rnd(5);
const WORDS = ['闽江', '榕城', '鼓山', '左海', '于山', '乌山', '屏山', '西湖', '温泉', '金山'];
const KINDS = ['食品', '商贸', '药房', '机械'];
const CLASSES = ['A', 'B', 'C', 'D'];
const ENTITIES = Array.from({ length: 40 }, (_, i) => ({
  code: creditCode(`91${REGION}MA${SERIAL}${String(i).padStart(2, '0')}`),
  name: `福州${WORDS[i % 10]}${KINDS[i % 4]}有限公司${i}号`,
  cls: CLASSES[i % 4],
  industry: i % 2 ? '食品销售' : '食品生产',
  risk: i === 0 ? '投诉较多' : '',
}));
const ENTITY_CSV = '统一社会信用代码,名称,区划,类型,行业,信用等级,风险标签,许可\n'
  + ENTITIES.map((e) => `${e.code},${e.name},${REGION},有限责任公司,${e.industry},${e.cls},${e.risk},SC${SERIAL}`).join('\n') + '\n';
const INSPECTORS = Array.from({ length: 6 }, (_, i) => ({ id: `T${SERIAL}-${i + 1}`, name: ['陈明', '林芳', '王强', '张伟', '李娜', '郑华'][i] }));
const INSPECTOR_CSV = '编号,姓名,部门,区划,专业领域,在岗\n'
  + INSPECTORS.map((p, i) => `${p.id},${p.name},测试分局${i % 2},${REGION},食品生产;食品销售,1`).join('\n') + '\n';
const STRATA = { A: 10, B: 20, C: 30, D: 50 }; // 10 entities per class -> 1 + 2 + 3 + 5 targets

// --- API helpers (admin) ---------------------------------------------------------------------
let adminHeaders = null;
async function adminAuth() {
  if (adminHeaders) return adminHeaders;
  if (TOKEN) {
    adminHeaders = { Authorization: `Bearer ${TOKEN}` };
    return adminHeaders;
  }
  const r = await fetch(URL_ + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_USER, password: ADMIN_PASSWORD }),
  });
  assert.equal(r.status, 200, 'admin login for the API');
  const body = await r.json();
  const cookie = (r.headers.getSetCookie ? r.headers.getSetCookie() : [r.headers.get('set-cookie')]).map((c) => c.split(';')[0]).join('; ');
  adminHeaders = { Cookie: cookie, 'X-CSRF-Token': body.csrf_token };
  return adminHeaders;
}
async function apiCall(method, p, body, type = 'application/json') {
  const r = await fetch(URL_ + '/api/v1' + p, {
    method, headers: { ...(await adminAuth()), ...(body !== undefined ? { 'Content-Type': type } : {}) },
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}
async function publicGet(p) {
  const r = await fetch(URL_ + '/api/v1' + p);
  return { status: r.status, body: await r.json().catch(() => null) };
}
async function planDraw(name) {
  const r = await apiCall('POST', '/draws', { name, item_ids: [itemId], filter: { region: REGION }, strata: STRATA, team_size: 2 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

let itemId = null;
const ITEM_NAME = `食品生产企业监督检查-${SERIAL}`;

before(async () => {
  let r = await apiCall('POST', '/entities/import', ENTITY_CSV, 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.rows, 40);
  r = await apiCall('POST', '/inspectors/import', INSPECTOR_CSV, 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await apiCall('POST', '/inspection-items', { name: ITEM_NAME, kind: 'key', default_proportion: 10, method: '现场检查', filter: { region: REGION } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  itemId = r.body.id;
});
after(close);

// --- page helpers ------------------------------------------------------------------------------
const tableRows = (page, t) => page.locator(`[data-test=${t}] .el-table__body-wrapper tr.el-table__row`);
async function waitTable(page, t) {
  await page.waitForFunction((x) => document.querySelector(`[data-test=${x}]`)
    && !document.querySelector(`[data-test=${x}] .el-loading-mask:not([style*="display: none"])`), t);
}

test('home: the supervision card is live and the module nav works', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/');
  const card = page.locator('[data-test=card-supervision]');
  await card.getByText('已上线').first().waitFor();
  assert.equal(await card.getByText('建设中').count(), 0, 'supervision is no longer a placeholder');
  await page.goto(URL_ + '/supervision');
  await page.locator('[data-test=sv-subnav]').waitFor();
  // anonymous: public sections only
  assert.equal(await page.locator('[data-test=sv-nav-draws]').count(), 1);
  assert.equal(await page.locator('[data-test=sv-nav-items]').count(), 1);
  assert.equal(await page.locator('[data-test=sv-nav-entities]').count(), 0);
  assert.equal(await page.locator('[data-test=sv-nav-inspectors]').count(), 0);
  await page.locator('[data-test=sv-nav-items]').click();
  await page.locator('[data-test=item-name]', { hasText: ITEM_NAME }).waitFor();
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('committed draw: public list and page show commitment and pool hash, no seed, no result', async () => {
  const d = await planDraw(`测试抽查-承诺-${SERIAL}`);
  assert.equal(d.status, 'committed');
  const page = await newPage();
  await page.goto(URL_ + '/supervision/draws');
  await waitTable(page, 'draws-table');
  const row = tableRows(page, 'draws-table').filter({ hasText: d.id });
  await row.waitFor();
  assert.equal((await row.locator('[data-test=draw-status]').innerText()).trim(), '已承诺');
  assert.ok((await row.innerText()).includes('40'), 'pool size in the list');
  assert.equal(await page.locator('[data-test=draw-new]').count(), 0, 'no 新建抽查 for the public');
  await row.locator('[data-test=draw-link]').click();
  await page.waitForURL(`**/supervision/draws/${d.id}`);
  await page.locator('[data-test=draw-commitment-hash]').waitFor();
  assert.equal((await page.locator('[data-test=draw-commitment-hash]').innerText()).trim(), d.commitment);
  assert.equal((await page.locator('[data-test=draw-pool-hash]').innerText()).trim(), d.pool_hash);
  assert.equal((await page.locator('[data-test=draw-pool-size]').innerText()).trim(), '40');
  assert.equal((await page.locator('[data-test=draw-roster-hash]').innerText()).trim(), d.roster_hash);
  assert.match(await page.locator('[data-test=draw-strata]').innerText(), /A 10%[\s\S]*B 20%[\s\S]*C 30%[\s\S]*D 50%/);
  assert.equal((await page.locator('[data-test=draw-seed-pending]').innerText()).trim(), '种子将在抽取完成后公开');
  assert.equal(await page.locator('[data-test=draw-seed]').count(), 0);
  assert.equal(await page.locator('[data-test=draw-targets]').count(), 0);
  assert.equal(await page.locator('[data-test=draw-actions]').count(), 0, 'no run button for the public');
  assert.equal((await page.locator('[data-test=draw-verify-cmd]').innerText()).trim(), `nqi draw verify ${d.id}.json`);
  // nothing on the page looks like a 64-hex seed other than the published hashes
  const hexes = (await page.locator('main, body').first().innerText()).match(/\b[0-9a-f]{64}\b/g) || [];
  for (const h of hexes) assert.ok([d.commitment, d.pool_hash, d.roster_hash, d.seed_hash].includes(h), `unexpected 64-hex value ${h}`);
  // verification before the reveal: verified so far, not complete
  await page.locator('[data-test=draw-verify-btn]').click();
  await page.locator('[data-test=verify-summary]').waitFor();
  assert.equal((await page.locator('[data-test=verify-summary]').innerText()).trim(), '目前各项检查通过（尚未公开种子）');
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('admin runs and reveals through the UI: seed, teams of 2, online and offline verification', async () => {
  const d = await planDraw(`测试抽查-公开-${SERIAL}`);
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(`${URL_}/supervision/draws/${d.id}`);
  await page.locator('[data-test=draw-run]').click();
  await page.locator('[data-test=run-dialog]').waitFor();
  // a malformed public value is refused next to the input, nothing drawn
  await page.locator('[data-test=run-public-value]').fill('xyz');
  await page.locator('[data-test=run-confirm]').click();
  await page.locator('[data-test=run-dialog] .el-form-item__error').waitFor();
  assert.equal((await publicGet(`/draws/${d.id}`)).body.status, 'committed');
  const pv = 'ab'.repeat(32);
  await page.locator('[data-test=run-public-value]').fill(pv);
  await page.locator('[data-test=run-confirm]').click();
  await page.waitForFunction(() => document.querySelector('[data-test=draw-status]')?.innerText.trim() === '已抽取');
  assert.equal((await page.locator('[data-test=draw-public-value]').innerText()).trim(), pv);
  assert.equal(await page.locator('[data-test=draw-seed]').count(), 0, 'still no seed after the run');
  // the public still sees no result
  const pub = await publicGet(`/draws/${d.id}`);
  assert.equal(pub.body.status, 'drawn');
  assert.equal(pub.body.targets, null);
  assert.equal(pub.body.seed ?? null, null);

  await page.locator('[data-test=draw-reveal]').click();
  await page.locator('.el-message-box').waitFor();
  await page.locator('.el-message-box .el-button--primary').click();
  await page.waitForFunction(() => document.querySelector('[data-test=draw-status]')?.innerText.trim() === '已公开');
  const api = (await publicGet(`/draws/${d.id}`)).body;
  assert.equal(api.status, 'revealed');
  assert.match(api.seed, /^[0-9a-f]{64}$/);
  assert.equal((await page.locator('[data-test=draw-seed]').innerText()).trim(), api.seed);
  assert.equal(await page.locator('[data-test=draw-actions]').count(), 0, 'no actions once revealed');

  // result table = the API's targets, with names and teams of 2
  assert.equal(api.targets.length, 11);
  const rows = tableRows(page, 'draw-targets');
  assert.equal(await rows.count(), api.targets.length);
  const byCode = new Map(ENTITIES.map((e) => [e.code, e]));
  for (let i = 0; i < api.targets.length; i++) {
    const t = api.targets[i];
    const row = rows.nth(i);
    assert.equal((await row.locator('[data-test=target-code]').innerText()).trim(), t.credit_code);
    assert.equal((await row.locator('[data-test=target-name]').innerText()).trim(), byCode.get(t.credit_code).name);
    const members = row.locator('[data-test=team-member]');
    assert.equal(await members.count(), 2, 'team of 2');
    for (let j = 0; j < 2; j++) {
      const m = t.team[j];
      const text = await members.nth(j).innerText();
      assert.ok(text.includes(m.id) && text.includes(m.name), `member ${m.id} ${m.name} in "${text}"`);
    }
  }
  // the target link opens the entity page
  const first = api.targets[0];
  // 在线验证: every check green
  await page.locator('[data-test=draw-verify-btn]').click();
  await page.locator('[data-test=verify-summary]').waitFor();
  assert.equal((await page.locator('[data-test=verify-summary]').innerText()).trim(), '全部检查通过');
  const checks = page.locator('[data-test=verify-check]');
  assert.ok((await checks.count()) >= 7);
  assert.deepEqual(await checks.evaluateAll((els) => els.filter((e) => e.dataset.ok !== '1').map((e) => e.innerText)), []);
  for (const name of ['名录哈希', '承诺值', '种子', '抽取对象', '检查组']) {
    assert.equal(await checks.filter({ hasText: name }).count() >= 1, true, `check ${name} listed`);
  }
  // offline: the downloaded bundle passes `nqi draw verify`
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=draw-record-link]').click()]);
  const file = path.join(TMP, `${d.id}-${Date.now()}.json`);
  await dl.saveAs(file);
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(bundle.draw_id, d.id);
  if (BIN) {
    const r = spawnSync(BIN, ['draw', 'verify', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
  }
  fs.rmSync(file, { force: true });
  await page.locator('[data-test=target-link]').first().click();
  await page.waitForURL(`**/supervision/entities/${first.credit_code}`);
  assert.equal((await page.locator('[data-test=entity-code]').innerText()).trim(), first.credit_code);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('新建抽查: a proportion of 150 shows the server error next to B; a valid plan is committed', async () => {
  const before = (await publicGet('/draws?limit=200')).body.items.length;
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/supervision/draws');
  await page.locator('[data-test=draw-new]').click();
  await page.locator('[data-test=draw-name]').waitFor();
  await page.locator('[data-test=draw-name]').fill(`测试抽查-界面-${SERIAL}`);
  await page.locator('[data-test=draw-items]').click();
  await page.locator('.el-select-dropdown__item', { hasText: ITEM_NAME }).click();
  await page.keyboard.press('Escape').catch(() => {});
  await page.locator('[data-test=draw-region]').fill(REGION);
  for (const [c, v] of Object.entries({ A: '10', B: '150', C: '30', D: '50' })) await page.locator(`[data-test=draw-strata-${c}]`).fill(v);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/draws') && r.request().method() === 'POST'),
    page.locator('[data-test=draw-submit]').click(),
  ]);
  assert.equal(resp.status(), 422);
  const err = page.locator('[data-test=draw-strata-error-B]');
  await err.waitFor();
  assert.match(await err.innerText(), /0 and 100|0.*100/);
  for (const c of ['A', 'C', 'D']) assert.equal(await page.locator(`[data-test=draw-strata-error-${c}]`).count(), 0);
  assert.equal((await publicGet('/draws?limit=200')).body.items.length, before, 'nothing created');
  // fix it and commit
  await page.locator('[data-test=draw-strata-B]').fill('20');
  await page.locator('[data-test=draw-submit]').click();
  await page.waitForURL(/\/supervision\/draws\/D\d{8}-/);
  const id = decodeURIComponent(page.url().split('/').pop());
  await page.locator('[data-test=draw-commitment-hash]').waitFor();
  const d = (await publicGet(`/draws/${id}`)).body;
  assert.equal(d.status, 'committed');
  assert.equal(d.pool_size, 40);
  assert.equal((await page.locator('[data-test=draw-commitment-hash]').innerText()).trim(), d.commitment);
  assert.equal((await page.locator('[data-test=draw-status]').innerText()).trim(), '已承诺');
  assert.deepEqual(unexpectedErrors(page, [/status of 422/]), []);
  await page.context().close();
});

test('entity search: a two-character word of the name, a credit-code prefix; CSV export with BOM', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/supervision/entities');
  const search = async (q, region) => {
    await page.locator('[data-test=entities-q]').fill(q);
    await page.locator('[data-test=entities-region]').fill(region || '');
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/entities?') && r.request().method() === 'GET'),
      page.locator('[data-test=entities-search]').click(),
    ]);
    assert.equal(resp.status(), 200);
    await waitTable(page, 'entities-table');
    return page.locator('[data-test=entities-table] [data-test=entity-name]').allInnerTexts();
  };
  // 屏山: entities 6, 16, 26, 36 of this run
  let names = await search('屏山', REGION);
  assert.deepEqual(names.sort(), ENTITIES.filter((e) => e.name.includes('屏山')).map((e) => e.name).sort());
  assert.ok(page.url().includes('q='), 'query kept in the URL');
  // credit-code prefix: entities 10..19
  const prefix = `91${REGION}MA${SERIAL}1`;
  names = await search(prefix.toLowerCase());
  const codes = await page.locator('[data-test=entities-table] [data-test=entity-code]').allInnerTexts();
  assert.deepEqual(codes.map((s) => s.trim()).sort(), ENTITIES.filter((e) => e.code.startsWith(prefix)).map((e) => e.code).sort());
  // reload keeps the search
  await page.reload();
  await waitTable(page, 'entities-table');
  await page.locator('[data-test=entities-table] [data-test=entity-code]').first().waitFor();
  assert.equal(await tableRows(page, 'entities-table').count(), 10);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=entities-export]').click()]);
  const buf = fs.readFileSync(await dl.path());
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const lines = buf.toString('utf8').trim().split(/\r\n/);
  assert.equal(lines.length, 11);
  assert.ok(lines[0].includes('统一社会信用代码'));
  assert.ok(lines.slice(1).every((l) => l.startsWith(prefix)));
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('anonymous: no directory, but the public entity page (class meaning, no risk tags)', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/supervision/entities');
  await page.waitForURL(/\/login\?redirect=/);
  assert.ok(decodeURIComponent(page.url()).includes('redirect=/supervision/entities'));
  const e = ENTITIES[0]; // class A, risk tag 投诉较多
  await page.goto(`${URL_}/supervision/entities/${e.code}`);
  await page.locator('[data-test=entity-name]').waitFor();
  assert.equal((await page.locator('[data-test=entity-name]').innerText()).trim(), e.name);
  assert.match(await page.locator('[data-test=entity-class]').innerText(), /A\s*信用风险低/);
  assert.equal(await page.locator('[data-test=entity-risk]').count(), 0);
  assert.ok(!(await page.locator('body').innerText()).includes('投诉较多'), 'risk tags are staff only');
  // staff see them
  const staff = await newPage();
  await loginAs(staff, ADMIN_USER, ADMIN_PASSWORD);
  await staff.goto(`${URL_}/supervision/entities/${e.code}`);
  await staff.locator('[data-test=entity-risk]').waitFor();
  assert.ok((await staff.locator('[data-test=entity-risk]').innerText()).includes('投诉较多'));
  // an unknown code: error state, not a blank page
  await page.goto(`${URL_}/supervision/entities/${creditCode('91' + REGION + 'MA9999999')}`);
  await page.locator('[data-test=entity-not-found]').waitFor();
  assert.ok((await page.locator('[data-test=entity-not-found]').innerText()).includes('未找到'));
  assert.deepEqual(unexpectedErrors(page, [/status of 404/]), []);
  await page.context().close();
  await staff.context().close();
});

test('import page: a bad credit code lists the row and writes nothing; dry run writes nothing', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/supervision/entities/import');
  const good = creditCode(`91${REGION}MA${SERIAL}90`);
  const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
  const csv = `统一社会信用代码,名称,区划\n${good},福州导入测试有限公司,${REGION}\n${bad},福州坏行有限公司,${REGION}\n`;
  const file = path.join(TMP, `entities-${SERIAL}.csv`);
  fs.writeFileSync(file, csv);
  await page.locator('[data-test=import-file]').setInputFiles(file);
  await page.locator('[data-test=import-submit]').click();
  await page.locator('[data-test=import-rejected]').waitFor();
  assert.equal((await page.locator('[data-test=rej-row]').first().innerText()).trim(), '2');
  assert.match(await page.locator('[data-test=rej-field]').first().innerText(), /credit_code/);
  assert.equal((await publicGet(`/entities/${good}`)).status, 404, 'nothing written');
  // dry run of a good file
  fs.writeFileSync(file, `统一社会信用代码,名称,区划\n${good},福州导入测试有限公司,${REGION}\n`);
  await page.locator('[data-test=import-file]').setInputFiles(file);
  await page.locator('[data-test=import-dry-run]').click();
  await page.locator('[data-test=import-submit]').click();
  await page.locator('[data-test=import-ok]').waitFor();
  assert.equal((await page.locator('[data-test=import-rows]').innerText()).trim(), '1');
  assert.equal((await publicGet(`/entities/${good}`)).status, 404, 'dry run writes nothing');
  fs.rmSync(file, { force: true });
  assert.deepEqual(unexpectedErrors(page, [/status of 422/]), []);
  await page.context().close();
});

test('inspectors page lists the imported inspectors (staff)', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/supervision/inspectors');
  await waitTable(page, 'inspectors-table');
  await page.locator('[data-test=inspector-id]', { hasText: INSPECTORS[0].id }).waitFor();
  const ids = (await page.locator('[data-test=inspector-id]').allInnerTexts()).map((s) => s.trim());
  for (const p of INSPECTORS) assert.ok(ids.includes(p.id), p.id);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});
