// Standards service pages (标准化服务), driven through the real UI against a real server:
// search (highlighting, Traditional characters, messy numbers, filters kept in the URL, export),
// the detail page with its edition chain, validity confirmation (anonymous check, saved report
// with a public verification link and a Merkle-log proof), and the catalogue import page
// (a bad row rejects the whole file; nothing is written).
//
// The catalogue is imported in `before` through the API with the admin token (NQI_ADMIN_TOKEN;
// without it, an admin session from NQI_ADMIN_USER/PASSWORD). Real standards, Chinese titles.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URL_, ADMIN_USER, ADMIN_PASSWORD, newPage, close, loginAs, unexpectedErrors } from './lib.mjs';

const TOKEN = process.env.NQI_ADMIN_TOKEN || '';

// Chinese headers (the aliases of the contract); replacements in both directions.
const CATALOGUE = `标准号,中文名称,英文名称,状态,发布日期,实施日期,代替标准,被代替标准,ICS,CCS,归口单位,采用国际标准,采用程度
GB/T 19580-2004,卓越绩效评价准则,Criteria for performance excellence,被代替,2004-08-30,2005-01-01,,GB/T 19580-2012,03.120.10,A00,,,
GB/T 19580-2012,卓越绩效评价准则,Criteria for performance excellence,现行,2012-03-09,2012-08-01,GB/T 19580-2004,,03.120.10,A00,,,
GB/T 19001-2008,质量管理体系 要求,Quality management systems—Requirements,被代替,2008-10-29,2009-03-01,,GB/T 19001-2016,03.120.10,A00,全国质量管理和质量保证标准化技术委员会,ISO 9001:2008,IDT
GB/T 19001-2016,质量管理体系 要求,Quality management systems—Requirements,现行,2016-12-30,2017-07-01,GB/T 19001-2008,,03.120.10,A00,全国质量管理和质量保证标准化技术委员会,ISO 9001:2015,IDT
GB 2760-2011,食品安全国家标准 食品添加剂使用标准,National food safety standard—Standard for uses of food additives,被代替,2011-04-20,2011-07-20,,GB 2760-2014,67.220.20,X40,,,
GB 2760-2014,食品安全国家标准 食品添加剂使用标准,National food safety standard—Standard for uses of food additives,被代替,2014-12-24,2015-05-24,GB 2760-2011,GB 2760-2024,67.220.20,X40,,,
GB 2760-2024,食品安全国家标准 食品添加剂使用标准,National food safety standard—Standard for uses of food additives,现行,2024-02-08,2025-02-08,GB 2760-2014,,67.220.20,X40,,,
GB/T 1.1-2020,标准化工作导则 第1部分：标准化文件的结构和起草规则,Directives for standardization—Part 1: Rules for the structure and drafting of standardizing documents,现行,2020-03-31,2020-10-01,,,01.120,A00,全国标准化原理与方法标准化技术委员会,,
`;

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

async function apiImport(csv, query = '') {
  const r = await fetch(URL_ + '/api/v1/standards/import' + query, {
    method: 'POST', headers: { ...(await adminAuth()), 'Content-Type': 'text/csv' }, body: csv,
  });
  return { status: r.status, body: await r.json() };
}

async function apiGet(path) {
  const r = await fetch(URL_ + '/api/v1' + path);
  return { status: r.status, body: await r.json().catch(() => null) };
}

// the portal's link form: slashes kept, each part encoded (see web/src/modules/standards/common.js)
const stdUrl = (n) => `${URL_}/standards/${n.split('/').map(encodeURIComponent).join('/')}`;

// --- page helpers ------------------------------------------------------------------------------
const rows = (page, table) => page.locator(`[data-test=${table}] .el-table__body-wrapper tr.el-table__row`);
const numbersShown = (page) => page.locator('[data-test=std-table] [data-test=std-number]').allInnerTexts();

// Wait until the results table shows exactly n rows (after a search response).
async function waitRows(page, table, n) {
  await page.waitForFunction(([t, k]) => document.querySelectorAll(`[data-test=${t}] .el-table__body-wrapper tr.el-table__row`).length === k
    && !document.querySelector(`[data-test=${t}] .el-loading-mask:not([style*="display: none"])`), [table, n]);
}

// Type a query into the search box and press the button; resolves with the API answer.
async function searchUi(page, q) {
  await page.locator('[data-test=std-q]').fill(q);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/standards?') && r.request().method() === 'GET'),
    page.locator('[data-test=std-search]').click(),
  ]);
  assert.equal(resp.status(), 200);
  const body = await resp.json();
  await waitRows(page, 'std-table', body.items.length);
  return body;
}

before(async () => {
  const r = await apiImport(CATALOGUE, '?source=' + encodeURIComponent('e2e: public catalogue facts'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.rows, 8);
  assert.equal(r.body.inserted + r.body.updated + r.body.unchanged, 8);
});
after(close);

test('search: 质量 lists the quality standards with <mark> highlighting; URL keeps the query; export links', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/');
  // the home card is live and leads to the search page
  const card = page.locator('[data-test=card-standards]');
  assert.match(await card.innerText(), /已上线/);
  await card.click();
  await page.waitForURL(/\/standards$/);
  await page.locator('[data-test=std-table]').waitFor();
  assert.equal(await page.locator('[data-test=std-q]').getAttribute('placeholder'),
    '输入标准号、标准名称、拼音或ICS/CCS分类号，如 GB/T 19580、质量管理、zhiliang');
  // sub-navigation: import is for staff only
  assert.equal(await page.locator('[data-test=std-nav-validity]').count(), 1);
  assert.equal(await page.locator('[data-test=std-nav-import]').count(), 0);

  const body = await searchUi(page, '质量');
  assert.match(page.url(), /[?&]q=%E8%B4%A8%E9%87%8F/);
  const shown = await numbersShown(page);
  assert.ok(shown.includes('GB/T 19001-2016') && shown.includes('GB/T 19001-2008'), shown.join(', '));
  assert.ok(!shown.some((n) => n.startsWith('GB 2760')), 'food additives do not match 质量');
  assert.deepEqual(shown, body.items.map((i) => i.number), 'the table shows the API answer, in order');
  // the highlight is real markup, not escaped text
  const marks = page.locator('[data-test=std-table] [data-test=std-title] mark');
  assert.ok((await marks.count()) >= 2);
  assert.deepEqual([...new Set(await marks.allInnerTexts())], ['质量']);
  assert.doesNotMatch(await page.locator('[data-test=std-table]').innerText(), /<mark>|&lt;/);
  // total and status tags
  assert.equal(await page.locator('[data-test=std-total]').getAttribute('data-total'), String(body.total));
  assert.match(await page.locator('[data-test=std-total]').innerText(), new RegExp(`共找到 ${body.total} 条标准`));
  const rowOf = (n) => rows(page, 'std-table').filter({ has: page.locator('[data-test=std-number]', { hasText: new RegExp(`^${n.replace(/[/.]/g, '\\$&')}$`) }) });
  const row2016 = rowOf('GB/T 19001-2016');
  assert.match(await row2016.locator('[data-test=std-status]').innerText(), /现行/);
  const row2008 = rowOf('GB/T 19001-2008');
  assert.match(await row2008.locator('[data-test=std-status]').innerText(), /被代替/);
  // facet counts are the server's
  assert.equal(await page.locator('[data-test=facet-status-replaced] [data-test=facet-count]').innerText(), String(body.facets.status.replaced));

  // export links carry the query; the CSV has the rows
  const href = await page.locator('[data-test=std-export-csv]').getAttribute('href');
  assert.match(href, /^\/api\/v1\/standards\/export\?/);
  assert.match(href, /format=csv/);
  assert.match(href, /q=%E8%B4%A8%E9%87%8F/);
  const csv = await page.request.get(URL_ + href);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /GB\/T 19001-2016/);
  assert.match(await page.locator('[data-test=std-export-xlsx]').getAttribute('href'), /format=xlsx/);

  // a shared link reproduces the search
  const p2 = await newPage();
  await p2.goto(page.url());
  await waitRows(p2, 'std-table', body.items.length);
  assert.equal(await p2.locator('[data-test=std-q]').inputValue(), '质量');
  assert.deepEqual(await numbersShown(p2), shown);
  assert.deepEqual(unexpectedErrors(page), []);
  assert.deepEqual(unexpectedErrors(p2), []);
  await page.context().close();
  await p2.context().close();
});

test('search: Traditional 標準 and a messy number gb/t19580 find the standards', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/standards');
  await page.locator('[data-test=std-table]').waitFor();

  await searchUi(page, '標準');
  let shown = await numbersShown(page);
  for (const n of ['GB/T 1.1-2020', 'GB 2760-2024', 'GB 2760-2014']) assert.ok(shown.includes(n), `${n} in ${shown.join(', ')}`);
  assert.ok(!shown.includes('GB/T 19580-2012'), '卓越绩效评价准则 has no 标准');
  const marks = await page.locator('[data-test=std-table] [data-test=std-title] mark').allInnerTexts();
  assert.ok(marks.length >= 2 && marks.every((m) => m === '标准'), marks.join(','));

  const body = await searchUi(page, 'gb/t19580');
  shown = await numbersShown(page);
  assert.deepEqual([...shown].sort(), ['GB/T 19580-2004', 'GB/T 19580-2012']);
  assert.equal(shown[0], 'GB/T 19580-2012', 'the current edition first');
  assert.equal(body.total, 2);
  // pinyin
  await searchUi(page, 'zhiliang');
  shown = await numbersShown(page);
  assert.ok(shown.includes('GB/T 19001-2016'), shown.join(', '));
  // nothing found: an empty state, not an empty table
  await searchUi(page, '不存在的标准名称样例');
  await page.locator('[data-test=std-empty]').waitFor();
  assert.match(await page.locator('[data-test=std-total]').innerText(), /共找到 0 条/);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('search: a status filter narrows the results and the URL keeps it (reload, back)', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/standards?q=' + encodeURIComponent('食品添加剂'));
  await waitRows(page, 'std-table', 3);
  assert.deepEqual((await numbersShown(page)).sort(), ['GB 2760-2011', 'GB 2760-2014', 'GB 2760-2024']);

  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/standards?') && r.url().includes('status=replaced')),
    page.locator('[data-test=facet-status-replaced]').click(),
  ]);
  const body = await resp.json();
  await waitRows(page, 'std-table', 2);
  assert.equal(body.total, 2);
  assert.match(page.url(), /status=replaced/);
  assert.match(page.url(), /q=%E9%A3%9F%E5%93%81%E6%B7%BB%E5%8A%A0%E5%89%82/);
  assert.deepEqual((await numbersShown(page)).sort(), ['GB 2760-2011', 'GB 2760-2014']);
  for (const tag of await page.locator('[data-test=std-table] [data-test=std-status]').allInnerTexts()) assert.equal(tag.trim(), '被代替');
  assert.equal(await page.locator('[data-test=facet-status-replaced]').getAttribute('aria-pressed'), 'true');
  // the export follows the filter
  assert.match(await page.locator('[data-test=std-export-xlsx]').getAttribute('href'), /status=replaced/);

  await page.reload();
  await waitRows(page, 'std-table', 2);
  assert.equal(await page.locator('[data-test=std-q]').inputValue(), '食品添加剂');
  assert.equal(await page.locator('[data-test=facet-status-replaced]').getAttribute('aria-pressed'), 'true');
  assert.deepEqual((await numbersShown(page)).sort(), ['GB 2760-2011', 'GB 2760-2014']);

  await page.goBack();
  await waitRows(page, 'std-table', 3);
  assert.doesNotMatch(page.url(), /status=/);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('detail: GB/T 19580-2004 shows 被代替 and links to GB/T 19580-2012 in the edition chain', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/standards?q=' + encodeURIComponent('GB/T 19580'));
  await waitRows(page, 'std-table', 2);
  await page.locator('[data-test=std-number]', { hasText: 'GB/T 19580-2004' }).click();
  await page.waitForURL(/\/standards\/GB\/T%2019580-2004$/);
  await page.locator('[data-test=std-fields]').waitFor();
  assert.equal(await page.locator('[data-test=std-d-number]').innerText(), 'GB/T 19580-2004');
  assert.equal(await page.locator('[data-test=std-d-title]').innerText(), '卓越绩效评价准则');
  assert.equal(await page.locator('[data-test=std-d-status]').getAttribute('data-status'), 'replaced');
  assert.match(await page.locator('[data-test=std-d-status]').innerText(), /被代替/);
  const fields = await page.locator('[data-test=std-fields]').innerText();
  for (const s of ['2004-08-30', '2005-01-01', '03.120.10', 'A00', 'Criteria for performance excellence', '实施日期', '归口单位', '适用范围']) {
    assert.ok(fields.includes(s), `${s} on the detail page`);
  }
  const rep = page.locator('[data-test=std-replaced-by] a');
  assert.equal(await rep.innerText(), 'GB/T 19580-2012');
  assert.equal(await rep.getAttribute('href'), '/standards/GB/T%2019580-2012');

  // the chain: oldest first, the viewed edition highlighted, the other one a link
  const items = page.locator('[data-test=std-chain-item]');
  assert.equal(await items.count(), 2);
  assert.equal(await items.nth(0).getAttribute('data-number'), 'GB/T 19580-2004');
  assert.equal(await items.nth(0).getAttribute('data-current'), '1');
  assert.equal(await items.nth(1).getAttribute('data-number'), 'GB/T 19580-2012');
  assert.equal(await items.nth(1).getAttribute('data-current'), '0');
  assert.match(await items.nth(1).innerText(), /现行/);
  await items.nth(1).locator('a').click();
  await page.waitForURL(/\/standards\/GB\/T%2019580-2012$/);
  await page.waitForFunction(() => document.querySelector('[data-test=std-d-number]')?.textContent === 'GB/T 19580-2012');
  assert.equal(await page.locator('[data-test=std-d-status]').getAttribute('data-status'), 'in_force');
  assert.equal(await page.locator('[data-test=std-replaces] a').innerText(), 'GB/T 19580-2004');
  assert.equal(await page.locator('[data-test=std-chain-item][data-current="1"]').getAttribute('data-number'), 'GB/T 19580-2012');
  // change history has the import
  assert.match(await page.locator('[data-test=std-changes]').innerText(), /新增/);

  // a deep link (reload) and an unknown number
  await page.goto(stdUrl('GB 2760-2014'));
  await page.locator('[data-test=std-fields]').waitFor();
  assert.deepEqual(await page.locator('[data-test=std-chain-item]').evaluateAll((els) => els.map((e) => e.dataset.number)),
    ['GB 2760-2011', 'GB 2760-2014', 'GB 2760-2024']);
  // a dotted number, opened from the results (in the app)
  await page.goto(URL_ + '/standards?q=' + encodeURIComponent('GB/T 1.1-2020'));
  await page.locator('[data-test=std-number]', { hasText: 'GB/T 1.1-2020' }).first().click();
  await page.waitForFunction(() => document.querySelector('[data-test=std-d-number]')?.textContent === 'GB/T 1.1-2020');
  assert.match(await page.locator('[data-test=std-d-title]').innerText(), /标准化工作导则 第1部分/);
  await page.goto(stdUrl('GB/T 19580-1999'));
  await page.locator('[data-test=std-not-found]').waitFor();
  assert.deepEqual(unexpectedErrors(page, [/status of 404/]), []);
  await page.context().close();
});

const THREE_LINES = ['GB/T 19580-2004 卓越绩效评价准则', 'gb/t19001—2016', '这一行不是标准号'];

async function runValidity(page, lines) {
  await page.locator('[data-test=validity-input]').fill(lines.join('\n'));
  assert.match(await page.locator('[data-test=validity-lines]').innerText(), new RegExp(`共 ${lines.length} 行`));
}

function outcomeRow(page, line) {
  return rows(page, 'validity-table').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${line}$`) }) });
}

async function assertThreeLines(page) {
  const count = async (k) => page.locator(`[data-test=summary-${k}]`).getAttribute('data-count');
  assert.equal(await count('total'), '3');
  assert.equal(await count('replaced'), '1');
  assert.equal(await count('in_force'), '1');
  assert.equal(await count('unparsed'), '1');
  assert.equal(await count('not_found'), '0');
  assert.match(await page.locator('[data-test=summary-replaced]').innerText(), /1\s*被代替/);
  await waitRows(page, 'validity-table', 3);
  const r1 = outcomeRow(page, 1);
  assert.equal(await r1.locator('[data-test=v-status]').getAttribute('data-status'), 'replaced');
  assert.equal(await r1.locator('[data-test=v-number]').innerText(), 'GB/T 19580-2004');
  assert.equal(await r1.locator('[data-test=v-current]').innerText(), 'GB/T 19580-2012');
  const r2 = outcomeRow(page, 2);
  assert.equal(await r2.locator('[data-test=v-status]').getAttribute('data-status'), 'in_force');
  assert.equal(await r2.locator('[data-test=v-number]').innerText(), 'GB/T 19001-2016');
  assert.match(await r2.innerText(), /gb\/t19001—2016/);
  assert.match(await r2.locator('[data-test=v-current]').innerText(), /本身即现行版本/);
  const r3 = outcomeRow(page, 3);
  assert.equal(await r3.locator('[data-test=v-status]').getAttribute('data-status'), 'unparsed');
  assert.match(await r3.locator('[data-test=v-status]').innerText(), /无法识别/);
  assert.match(await r3.locator('[data-test=v-note]').innerText(), /未识别出标准号/);
}

test('validity (anonymous): three lines give the right summary and per-line outcomes; filter; CSV export', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/standards/validity');
  await page.locator('[data-test=validity-input]').waitFor();
  assert.equal(await page.locator('[data-test=validity-save]').count(), 0, 'saving needs a login');
  assert.equal(await page.locator('[data-test=validity-login-hint]').count(), 1);
  await runValidity(page, THREE_LINES);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/validity/check') && r.request().method() === 'POST'),
    page.locator('[data-test=validity-start]').click(),
  ]);
  assert.equal(resp.status(), 200);
  const sent = JSON.parse(resp.request().postData());
  assert.deepEqual(sent.lines, THREE_LINES);
  assert.match(sent.as_of, /^\d{4}-\d{2}-\d{2}$/);
  await page.locator('[data-test=validity-result]').waitFor();
  await assertThreeLines(page);
  assert.equal(await page.locator('[data-test=validity-saved]').count(), 0);

  // filter by outcome
  await page.locator('[data-test=summary-replaced]').click();
  await waitRows(page, 'validity-table', 1);
  assert.match(await rows(page, 'validity-table').first().innerText(), /GB\/T 19580-2004/);
  await page.locator('[data-test=summary-total]').click();
  await waitRows(page, 'validity-table', 3);

  // unsaved: the CSV is made in the browser, with a BOM
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-test=validity-export-local]').click(),
  ]);
  const text = fs.readFileSync(await download.path(), 'utf8');
  assert.equal(text.charCodeAt(0), 0xfeff);
  assert.match(text, /GB\/T 19580-2004/);
  assert.match(text, /GB\/T 19580-2012/);
  assert.match(text, /被代替/);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('validity: an .xlsx made by the server\'s own export is uploaded; its numbers fill the box and all are recognised', async () => {
  // a real workbook: the search export of 质量 over the catalogue imported in `before`
  const xr = await fetch(URL_ + '/api/v1/standards/export?q=' + encodeURIComponent('质量') + '&format=xlsx');
  assert.equal(xr.status, 200);
  const xbuf = Buffer.from(await xr.arrayBuffer());
  assert.equal(xbuf.subarray(0, 2).toString(), 'PK', 'an .xlsx (zip) file');
  const file = path.join(process.env.NQI_TEST_TMP || os.tmpdir(), `e2e-${process.pid}-标准-质量.xlsx`);
  fs.writeFileSync(file, xbuf);
  // what the workbook lists: the same query as CSV (first column, header skipped)
  const cr = await fetch(URL_ + '/api/v1/standards/export?q=' + encodeURIComponent('质量') + '&format=csv');
  assert.equal(cr.status, 200);
  const expected = (await cr.text()).replace(/^\ufeff/, '').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(',')[0].replace(/^"|"$/g, ''));
  assert.ok(expected.includes('GB/T 19001-2016') && expected.includes('GB/T 19001-2008'), expected.join(', '));

  const page = await newPage();
  await page.goto(URL_ + '/standards/validity');
  await page.locator('[data-test=validity-input]').waitFor();
  assert.match(await page.locator('[data-test=validity-upload]').innerText(), /\.xlsx/);
  // read-excel-file is a separate chunk, fetched only now
  const chunk = page.waitForResponse((r) => /\/assets\/xlsx-[\w-]+\.js$/.test(r.url()));
  await page.locator('[data-test=validity-file]').setInputFiles(file);
  assert.equal((await chunk).status(), 200);
  await page.waitForFunction((n) => /从 Excel 读取了/.test(document.querySelector('[data-test=validity-file-info]')?.textContent || '')
    && document.querySelector('textarea[data-test=validity-input], [data-test=validity-input] textarea').value.split('\n').length === n, expected.length);
  assert.deepEqual((await page.locator('[data-test=validity-input]').inputValue()).split('\n'), expected);
  assert.match(await page.locator('[data-test=validity-file-info]').innerText(), new RegExp(`从 Excel 读取了 ${expected.length} 条.*标准号`));
  assert.match(await page.locator('[data-test=validity-lines]').innerText(), new RegExp(`共 ${expected.length} 行`));

  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/validity/check') && r.request().method() === 'POST'),
    page.locator('[data-test=validity-start]').click(),
  ]);
  assert.equal(resp.status(), 200);
  assert.deepEqual(JSON.parse(resp.request().postData()).lines, expected);
  await page.locator('[data-test=validity-result]').waitFor();
  const count = async (k) => page.locator(`[data-test=summary-${k}]`).getAttribute('data-count');
  assert.equal(await count('total'), String(expected.length));
  assert.equal(await count('unparsed'), '0');
  assert.equal(await count('not_found'), '0');
  assert.equal(Number(await count('in_force')) + Number(await count('replaced')) + Number(await count('withdrawn')) + Number(await count('upcoming')), expected.length);
  await waitRows(page, 'validity-table', expected.length);
  for (const [i, n] of expected.entries()) {
    const r = outcomeRow(page, i + 1);
    assert.equal(await r.locator('[data-test=v-number]').innerText(), n);
  }
  const row = (n) => outcomeRow(page, expected.indexOf(n) + 1);
  assert.equal(await row('GB/T 19001-2016').locator('[data-test=v-status]').getAttribute('data-status'), 'in_force');
  assert.equal(await row('GB/T 19001-2008').locator('[data-test=v-status]').getAttribute('data-status'), 'replaced');
  assert.equal(await row('GB/T 19001-2008').locator('[data-test=v-current]').innerText(), 'GB/T 19001-2016');

  // an old binary .xls is refused with a clear message; the box keeps the list
  await page.locator('[data-test=validity-file]').setInputFiles({ name: 'old.xls', mimeType: 'application/vnd.ms-excel', buffer: Buffer.from('not a workbook') });
  await page.locator('.el-message--error', { hasText: '仅支持 .xlsx' }).waitFor();
  assert.equal((await page.locator('[data-test=validity-input]').inputValue()).split('\n').length, expected.length);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
  fs.rmSync(file, { force: true });
});

test('validity (logged in): a saved report gets a verification link that anyone can open, with a proof', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/standards/validity');
  await runValidity(page, THREE_LINES);
  await page.locator('[data-test=validity-save]').click();
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/validity/reports') && r.request().method() === 'POST'),
    page.locator('[data-test=validity-start]').click(),
  ]);
  assert.equal(resp.status(), 201, await resp.text());
  const saved = await resp.json();
  assert.ok(saved.id);
  await page.locator('[data-test=validity-saved]').waitFor();
  await assertThreeLines(page);
  const link = page.locator('[data-test=validity-verify-link]');
  assert.equal(await link.getAttribute('href'), `/standards/validity/${saved.id}`);
  assert.equal(await link.innerText(), `${URL_}/standards/validity/${saved.id}`);
  // server-side exports for a saved report
  const xhref = await page.locator('[data-test=validity-export-xlsx]').getAttribute('href');
  assert.equal(xhref, `/api/v1/validity/${saved.id}/export?format=xlsx`);
  const xlsx = await page.request.get(URL_ + xhref);
  assert.equal(xlsx.status(), 200);
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK');
  const csv = await page.request.get(URL_ + (await page.locator('[data-test=validity-export-csv]').getAttribute('href')));
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /GB\/T 19580-2012/);

  // an anonymous visitor opens the link
  const anon = await newPage();
  await anon.goto(URL_ + `/standards/validity/${saved.id}`);
  await anon.locator('[data-test=report-meta]').waitFor();
  const api = await apiGet(`/validity/${saved.id}`);
  assert.equal(api.status, 200);
  assert.equal(await anon.locator('[data-test=report-uid]').innerText(), saved.id);
  assert.equal(await anon.locator('[data-test=report-asof]').innerText(), api.body.as_of);
  assert.match(api.body.result_hash, /^[0-9a-f]{64}$/);
  assert.equal(await anon.locator('[data-test=report-hash]').innerText(), api.body.result_hash);
  await assertThreeLines(anon);
  const proof = anon.locator('[data-test=report-proof]');
  assert.equal(await proof.innerText(), '下载包含证明');
  assert.equal(await proof.getAttribute('href'), `/api/v1/log/proof/${api.body.publog_index}`);
  const pr = await anon.request.get(URL_ + (await proof.getAttribute('href')));
  assert.equal(pr.status(), 200);
  assert.equal(typeof (await pr.json()), 'object');
  assert.match(await anon.locator('[data-test=report-verify-cmd]').innerText(), new RegExp(`^nqi verify nqi-proof-${api.body.publog_index}\\.json --key \\S+`));
  // the server's own verify_url (/validity/<uid>, also in the QR code of the export) lands here too
  await anon.goto(URL_ + api.body.verify_url);
  await anon.waitForURL(new RegExp(`/standards/validity/${saved.id}$`));
  await anon.locator('[data-test=report-meta]').waitFor();
  assert.deepEqual(unexpectedErrors(page), []);
  assert.deepEqual(unexpectedErrors(anon), []);
  await page.context().close();
  await anon.context().close();
});

test('import page: a CSV with a bad row shows the row error and writes nothing; a good file imports', async () => {
  // staff only
  const anon = await newPage();
  await anon.goto(URL_ + '/standards/import');
  await anon.waitForURL(/\/login\?redirect=/);
  await anon.context().close();

  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/standards');
  await page.locator('[data-test=std-nav-import]').click();
  await page.waitForURL(/\/standards\/import$/);

  const bad = 'number,title_zh,implemented_on\n'
    + 'GB/T 27065-2015,合格评定 产品、过程和服务认证机构要求,2015-06-01\n'
    + 'GB/T 27025-2019,检测和校准实验室能力的通用要求,2019-13-45\n';
  const before27065 = await apiGet('/standards/' + encodeURIComponent('GB/T 27065-2015'));
  assert.equal(before27065.status, 404, 'GB/T 27065-2015 is never imported by this test');
  await page.locator('[data-test=import-file]').setInputFiles({ name: 'catalogue-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  assert.match(await page.locator('[data-test=import-file-name]').innerText(), /catalogue-bad\.csv · CSV/);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/standards/import') && r.request().method() === 'POST'),
    page.locator('[data-test=import-submit]').click(),
  ]);
  assert.equal(resp.status(), 422);
  assert.match(resp.request().headers()['content-type'], /^text\/csv/);
  const sentBody = resp.request().postDataBuffer();
  if (sentBody) assert.equal(sentBody.toString('utf8'), bad, 'the file goes as raw bytes');
  const problem = await resp.json();
  await page.locator('[data-test=import-rejected]').waitFor();
  assert.match(await page.locator('[data-test=import-error-title]').innerText(), /共 1 行有误，未写入任何数据/);
  await waitRows(page, 'import-rejected', problem.errors.length);
  const [, row, col] = /^rows\/(\d+)\/(.+)$/.exec(problem.errors[0].field);
  const r0 = rows(page, 'import-rejected').first();
  assert.equal(await r0.locator('[data-test=rej-row]').innerText(), row);
  assert.equal(row, '2', 'the second data row is the bad one');
  assert.equal(await r0.locator('[data-test=rej-field]').getAttribute('data-field'), col);
  assert.match(await r0.locator('[data-test=rej-field]').innerText(), /实施日期/);
  assert.match(await r0.locator('[data-test=rej-reason]').innerText(), /2019-13-45/);
  assert.equal(await page.locator('[data-test=import-result]').count(), 0);
  // nothing was written: the good row of the rejected file is not in the catalogue
  assert.equal((await apiGet('/standards/' + encodeURIComponent('GB/T 27065-2015'))).status, 404);

  // a good file, validated only: counts shown, still nothing written
  const good = 'number,title_zh,title_en,issued_on,implemented_on,adopted,adoption_degree\n'
    + 'GB/T 27025-2019,检测和校准实验室能力的通用要求,General requirements for the competence of testing and calibration laboratories,2019-12-10,2020-07-01,ISO/IEC 17025:2017,IDT\n';
  const existed = (await apiGet('/standards/' + encodeURIComponent('GB/T 27025-2019'))).status === 200; // a re-run
  await page.locator('[data-test=import-file]').setInputFiles({ name: 'catalogue.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.locator('[data-test=import-dry-run]').click();
  const [dry] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/standards/import?') && r.url().includes('dry_run=1')),
    page.locator('[data-test=import-submit]').click(),
  ]);
  assert.equal(dry.status(), 200);
  await page.locator('[data-test=import-result]').waitFor();
  assert.match(await page.locator('[data-test=import-ok]').innerText(), /校验通过/);
  assert.equal(await page.locator('[data-test=import-rows]').innerText(), '1');
  assert.equal(await page.locator('[data-test=import-error]').count(), 0);
  if (!existed) {
    assert.equal(await page.locator('[data-test=import-inserted]').innerText(), '1');
    assert.equal((await apiGet('/standards/' + encodeURIComponent('GB/T 27025-2019'))).status, 404, 'dry run wrote nothing');
  }

  // for real
  await page.locator('[data-test=import-dry-run]').click();
  const [real] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/standards/import') && r.request().method() === 'POST'),
    page.locator('[data-test=import-submit]').click(),
  ]);
  assert.equal(real.status(), 200);
  assert.doesNotMatch(real.url(), /dry_run/);
  await page.locator('[data-test=import-ok]', { hasText: '导入完成' }).waitFor();
  assert.equal(await page.locator('[data-test=import-inserted]').innerText(), existed ? '0' : '1');
  const after = await apiGet('/standards/' + encodeURIComponent('GB/T 27025-2019'));
  assert.equal(after.status, 200);
  assert.equal(after.body.title_zh, '检测和校准实验室能力的通用要求');
  assert.equal(after.body.adopted, 'ISO/IEC 17025:2017');
  assert.deepEqual(unexpectedErrors(page, [/status of 422/]), []);
  await page.context().close();
});

test('notices: a publication notice is listed publicly and opens with its standards', async () => {
  // a real notice: GB 2760-2024 replacing GB 2760-2014 (409 when a previous run entered it)
  const r = await fetch(URL_ + '/api/v1/notices', {
    method: 'POST', headers: { ...(await adminAuth()), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      issuer: '国家卫生健康委员会 国家市场监督管理总局', notice_no: '2024年第1号', issued_on: '2024-02-08',
      title: '关于发布《食品安全国家标准 食品添加剂使用标准》（GB 2760—2024）等47项食品安全国家标准和6项修改单的公告',
      items: [{ action: 'replace', number: 'GB 2760-2024', title_zh: '食品安全国家标准 食品添加剂使用标准', implemented_on: '2025-02-08', replaces: ['GB 2760-2014'] }],
    }),
  });
  assert.ok(r.status === 201 || r.status === 409, `notice: ${r.status} ${await r.text()}`);

  const page = await newPage();
  await page.goto(URL_ + '/standards');
  await page.locator('[data-test=std-nav-notices]').click();
  await page.waitForURL(/\/standards\/notices$/);
  const row = rows(page, 'notices-table').filter({ hasText: '2024年第1号' });
  await row.first().waitFor();
  assert.match(await row.first().innerText(), /2024-02-08/);
  assert.match(await row.first().innerText(), /代替 1/);
  await row.first().locator('[data-test=notice-link]').click();
  await page.waitForURL(/\/standards\/notices\/\d+$/);
  const id = /notices\/(\d+)$/.exec(page.url())[1];
  await page.locator('[data-test=notice-items]').waitFor();
  const item = rows(page, 'notice-items').first();
  await item.waitFor();
  assert.equal(await item.locator('[data-test=notice-item-number]').innerText(), 'GB 2760-2024');
  assert.match(await item.innerText(), /代替[\s\S]*GB 2760-2014/);
  // the server's link form /notices/<id> lands on the same page
  await page.goto(`${URL_}/notices/${id}`);
  await page.waitForURL(new RegExp(`/standards/notices/${id}$`));
  await page.locator('[data-test=notice-meta]').waitFor();
  assert.match(await page.locator('[data-test=notice-meta]').innerText(), /国家卫生健康委员会/);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('tracking: a watch on GB/T 19580 gets an alert when the catalogue changes; read, delete', async () => {
  const anon = await newPage();
  await anon.goto(URL_ + '/standards/tracking');
  await anon.waitForURL(/\/login\?redirect=/);
  await anon.context().close();

  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/standards/tracking');
  await page.locator('[data-test=watch-table]').waitFor();
  const name = `卓越绩效-${Date.now().toString(36)}`;
  await page.locator('[data-test=watch-add]').click();
  const d = page.locator('.el-dialog:visible');
  await d.locator('[data-test=watch-name]').fill(name);
  await d.locator('[data-test=watch-value]').fill('gb/t19580');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/watchlists') && r.request().method() === 'POST'),
    d.locator('[data-test=watch-save]').click(),
  ]);
  assert.equal(resp.status(), 201, await resp.text());
  const watch = await resp.json();
  // the feed URL is shown once, absolute, and works without a login
  const feed = await page.locator('[data-test=watch-feed-url]').innerText();
  assert.equal(feed, URL_ + watch.feed_url);
  const atom = await fetch(feed);
  assert.equal(atom.status, 200);
  assert.match(atom.headers.get('content-type'), /atom\+xml/);
  await page.locator('[data-test=watch-secrets-close]').click();
  const wrow = rows(page, 'watch-table').filter({ hasText: name });
  await wrow.first().waitFor();
  assert.match(await wrow.first().innerText(), /标准号[\s\S]*gb\/t19580/);

  // a catalogue change to GB/T 19580-2012 (its source) -> an alert
  const imp = await apiImport('number,title_zh\nGB/T 19580-2012,卓越绩效评价准则\n', '?source=' + encodeURIComponent(`e2e tracking ${name}`));
  assert.equal(imp.status, 200);
  assert.equal(imp.body.updated, 1);
  await page.reload();
  const alert = rows(page, 'inbox-table').filter({ hasText: name }).filter({ hasText: 'GB/T 19580-2012' });
  await alert.first().waitFor();
  assert.match(await alert.first().innerText(), /GB\/T 19580-2012 信息更新/);
  assert.ok(Number(await page.locator('[data-test=inbox-unread]').getAttribute('data-count')) >= 1);
  // the alert opens the standard
  await alert.first().locator('[data-test=inbox-title]').click();
  await page.waitForURL(/\/standards\/GB\/T%2019580-2012$/);
  await page.locator('[data-test=std-d-number]', { hasText: 'GB/T 19580-2012' }).waitFor();
  await page.goBack();
  await alert.first().waitFor();
  const [readResp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/inbox/read')),
    page.locator('[data-test=inbox-read-all]').click(),
  ]);
  assert.equal(readResp.status(), 200);
  await page.waitForFunction(() => document.querySelector('[data-test=inbox-unread]')?.dataset.count === '0');
  assert.doesNotMatch(await alert.first().innerText(), /标为已读/);

  // delete the watch
  await wrow.first().locator('[data-test=watch-delete]').click();
  await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/api/v1/watchlists/${watch.id}`) && r.request().method() === 'DELETE'),
    page.locator('.el-message-box__btns .el-button--primary').click(),
  ]);
  await page.waitForFunction((n) => ![...document.querySelectorAll('[data-test=watch-table] tr.el-table__row')].some((tr) => tr.textContent.includes(n)), name);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});
