// Quality-credit pages (质量信用) through the real UI against a real server: the public serious list
// and an enterprise's public credit page (entries shown, no class); as an admin the credit page with
// its class and explanation points, the removal dialog showing the server's date rule next to the
// field (early removal only one year after entry) with nothing removed, the enterprise credit page
// reached from the directory's entity page, and the overview's distribution and recompute button.
//
// Data comes through the API with the admin token in `before`: three entities with valid GB 32100
// codes in a region made up for this run, a serious-list entry and a penalty.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { URL_, ADMIN_USER, ADMIN_PASSWORD, newPage, close, loginAs, unexpectedErrors } from './lib.mjs';

const TOKEN = process.env.NQI_ADMIN_TOKEN || '';
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  return first17 + CHARSET[(31 - (sum % 31)) % 31];
}
const rnd = (n) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
const REGION = '46' + rnd(4);
const SERIAL = rnd(5);
const CODES = [0, 1, 2].map((i) => creditCode(`91${REGION}MA${SERIAL}${String(i).padStart(2, '0')}`));
const NAMES = ['海口椰城食品有限公司', '海口琼州电梯有限公司', '海口五公祠商贸有限公司'].map((n) => `${n}${SERIAL}`);
const TODAY = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const ENTERED = `${Number(TODAY.slice(0, 4)) - 1}-${TODAY.slice(5, 7)}-${TODAY.slice(5) === '02-29' ? '28' : TODAY.slice(8)}`; // ~1 year ago

let adminHeaders = null;
async function adminAuth() {
  if (adminHeaders) return adminHeaders;
  if (TOKEN) return (adminHeaders = { Authorization: `Bearer ${TOKEN}` });
  const r = await fetch(URL_ + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_USER, password: ADMIN_PASSWORD }),
  });
  const body = await r.json();
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return (adminHeaders = { Cookie: cookie, 'X-CSRF-Token': body.csrf_token });
}
async function apiCall(method, p, body, type = 'application/json') {
  const r = await fetch(URL_ + '/api/v1' + p, {
    method, headers: { ...(await adminAuth()), ...(body !== undefined ? { 'Content-Type': type } : {}) },
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

let entry = null;
before(async () => {
  const csv = '统一社会信用代码,企业名称,行业,区划代码,成立日期,登记状态\n'
    + CODES.map((c, i) => `${c},${NAMES[i]},${['食品生产', '特种设备', '工业产品'][i]},${REGION},2012-06-01,存续`).join('\n') + '\n';
  let r = await apiCall('POST', '/entities/import', csv, 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await apiCall('POST', '/credit/lists/serious', {
    credit_code: CODES[1], grounds: '使用未经定期检验的电梯，情节严重', entered_on: ENTERED,
    legal_basis: '《市场监督管理严重违法失信名单管理办法》第七条', decision_no: `琼市监列〔${SERIAL}〕1号`, authority: '海口市市场监督管理局',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  entry = r.body;
  r = await apiCall('POST', '/credit/penalties', {
    credit_code: CODES[0], decision_no: `琼市监罚〔${SERIAL}〕2号`, kind: 'fine', amount_yuan: 60000, decided_on: TODAY,
    legal_basis: '《中华人民共和国食品安全法》第一百二十四条', summary: '生产经营超范围使用食品添加剂的食品',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});
after(close);

test('public: the serious list and an enterprise credit page, without the class', async () => {
  const page = await newPage();
  await page.goto(`${URL_}/supervision/credit/lists/serious`);
  await page.locator('[data-test=list-q]').fill(CODES[1]);
  await page.locator('[data-test=list-search]').click();
  const link = page.locator('[data-test=list-code]', { hasText: CODES[1] });
  await link.waitFor();
  assert.equal(await page.locator('[data-test=list-enter]').count(), 0, 'no entry button for the public');
  await link.click();
  await page.waitForURL(`**/supervision/credit/${CODES[1]}`);
  await page.locator('[data-test=page-title]', { hasText: NAMES[1] }).waitFor();
  await page.locator('[data-test=credit-entries]').getByText('使用未经定期检验的电梯').waitFor();
  assert.equal(await page.locator('[data-test=credit-class-card]').count(), 0, 'the public does not see the class');
  // the penalty of CODES[0] is in publicity: public
  await page.goto(`${URL_}/supervision/credit/${CODES[0]}`);
  await page.locator('[data-test=credit-penalties]').getByText(`琼市监罚〔${SERIAL}〕2号`).waitFor();
  assert.deepEqual(unexpectedErrors(page), []);
});

test('admin: class and explanation; early removal refused with the date next to the field', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  // from the directory's entity page to the credit page
  await page.goto(`${URL_}/supervision/entities/${CODES[1]}`);
  await page.locator('[data-test=entity-credit-link]').click();
  await page.waitForURL(`**/supervision/credit/${CODES[1]}`);
  await page.locator('[data-test=credit-class]', { hasText: 'D' }).waitFor();
  await page.locator('[data-test=credit-hard-rule]').first().waitFor();
  const points = await page.locator('[data-test=credit-points]').allTextContents();
  assert.ok(points.includes('-40'), `serious-list fact weighs -40: ${points}`);
  assert.ok(points.includes('+10'), `over 10 years since registration: ${points}`);
  // the penalty entity: 70 + 10 - 20 = 60 -> C
  await page.goto(`${URL_}/supervision/credit/${CODES[0]}`);
  await page.locator('[data-test=credit-score]', { hasText: '60' }).waitFor();
  await page.locator('[data-test=credit-class]', { hasText: 'C' }).waitFor();

  // early removal before a year has passed (today is the anniversary at most): field error
  await page.goto(`${URL_}/supervision/credit/lists/serious`);
  await page.locator('[data-test=list-q]').fill(CODES[1]);
  await page.locator('[data-test=list-search]').click();
  await page.locator('[data-test=list-code]', { hasText: CODES[1] }).waitFor();
  await page.locator('[data-test=list-remove]').first().click();
  const dlg = page.locator('[data-test=removal-dialog]');
  await dlg.locator('[data-test=removal-pledge]').fill('本企业承诺守法诚信经营');
  await dlg.locator('[data-test=removal-save]').click();
  const msg = dlg.locator('.el-form-item__error', { hasText: 'early removal is possible from' });
  await msg.waitFor();
  assert.match(await msg.textContent(), /\d{4}-\d{2}-\d{2}/);
  const check = await apiCall('GET', `/credit/lists/serious/${entry.id}`);
  assert.equal(check.body.status, 'current', 'nothing removed');
  assert.deepEqual(unexpectedErrors(page, [/status of 422/]), []);
});

test('overview: distribution and recompute', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(`${URL_}/supervision/credit`);
  await page.locator('[data-test=credit-overview]').waitFor();
  await page.locator('[data-test=credit-recompute]').click();
  await page.locator('.el-message-box__btns .el-button--primary').click();
  await page.locator('.el-message--success').waitFor();
  await page.locator('[data-test=credit-last-run]', { hasText: '手动' }).waitFor();
  const d = Number((await page.locator('[data-test=credit-count-D] .n').textContent()).replace(/,/g, ''));
  assert.ok(d >= 1, 'the serious-listed entity is counted in D');
  assert.deepEqual(unexpectedErrors(page), []);
});
