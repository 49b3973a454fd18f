// Inspection pages (检查任务, 产品抽查, 结果公示, 工作日历) through the real UI against a real server:
// the draw page creates the tasks of a revealed draw and records a recusal (the redraw appears in
// the draw's history and the task's team follows); two inspectors — user accounts named after
// their inspector codes — fill the on-site record, attach a PDF and sign; a regulator publishes
// and the public results page lists the result with its log proof; the dashboard shows an overdue
// task in red; a test result with a bad standard number shows the server's error on that item;
// the calendar's working-day calculator counts the 2026 Spring Festival with its 调休 Saturday.
//
// The entity import page takes an .xlsx (converted to CSV in the browser): a workbook written
// here (a stored zip of SpreadsheetML, numbers as numeric cells) imports, and a bad row is
// reported by its sheet row.
//
// Data comes in `before` through the API with the admin token: 6 entities with valid GB 32100
// codes in a region made up for this run, 4 inspectors, 2 items, a revealed draw.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { URL_, ADMIN_USER, ADMIN_PASSWORD, newPage, close, loginAs, unexpectedErrors, cli } from './lib.mjs';

const TOKEN = process.env.NQI_ADMIN_TOKEN || '';
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  return first17 + CHARSET[(31 - (sum % 31)) % 31];
}
const rnd = (n) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
const REGION = '36' + rnd(4);
const SERIAL = rnd(5);
const CODES = Array.from({ length: 6 }, (_, i) => creditCode(`91${REGION}MA${SERIAL}${String(i).padStart(2, '0')}`));
const INSPECTORS = [1, 2, 3, 4].map((i) => ({ id: `e2e${SERIAL}-${i}`, name: ['陈明', '林芳', '王强', '张伟'][i - 1] }));
const PASSWORD = `pw-${SERIAL}-inspect-long`;
// the bad input each test sends on purpose (the browser logs the 422 response)
const EXPECTED_422 = /status of 422/;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function apiCall(method, p, body, type = 'application/json') {
  const r = await fetch(URL_ + '/api/v1' + p, {
    method, headers: { Authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'Content-Type': type } : {}) },
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

let drawId, itemIds = [];
before(async () => {
  assert.ok(TOKEN, 'NQI_ADMIN_TOKEN');
  let r = await apiCall('POST', '/entities/import', '统一社会信用代码,名称,区划,行业,信用等级\n'
    + CODES.map((c, i) => `${c},赣州章贡${i}号食品有限公司,${REGION},食品销售,B`).join('\n') + '\n', 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await apiCall('POST', '/inspectors/import', '编号,姓名,部门,区划,专业领域,在岗\n'
    + INSPECTORS.map((p) => `${p.id},${p.name},章贡分局,${REGION},食品销售,1`).join('\n') + '\n', 'text/csv');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const p of INSPECTORS) {
    const u = cli(['user', 'add', '--role', 'inspector', '--password', PASSWORD, p.id]);
    assert.equal(u.status, 0, u.stderr);
  }
  for (const name of [`食品销售者监督检查-${SERIAL}`, `企业公示信息抽查-${SERIAL}`]) {
    r = await apiCall('POST', '/inspection-items', { name, kind: 'general', default_proportion: 5 });
    itemIds.push(r.body.id);
  }
  r = await apiCall('POST', '/draws', { name: `章贡抽查-${SERIAL}`, item_ids: itemIds, filter: { region: REGION }, strata: { B: 50 }, team_size: 2 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  drawId = r.body.id;
  assert.equal((await apiCall('POST', `/draws/${drawId}/run`, {})).status, 200);
  assert.equal((await apiCall('POST', `/draws/${drawId}/reveal`, {})).status, 200);
});
after(close);

const member = (id) => INSPECTORS.find((p) => p.id === id);
let taskId, team;

test('draw page: create the tasks, recuse a member (recorded redraw), the task follows', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(`${URL_}/supervision/draws/${drawId}`);
  await page.locator('[data-test=draw-targets]').waitFor();
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/draws/${drawId}/tasks`) && r.request().method() === 'POST'),
    page.locator('[data-test=draw-create-tasks]').click(),
  ]);
  assert.equal(resp.status(), 201);
  const created = await resp.json();
  assert.equal(created.created, 3);
  await page.locator('[data-test=target-task]').first().waitFor();
  assert.equal(await page.locator('[data-test=target-task]').count(), 3);
  // recuse the second member of the first target
  const firstRow = page.locator('[data-test=draw-targets] .el-table__body-wrapper tr.el-table__row').first();
  const code = (await firstRow.locator('[data-test=target-code]').innerText()).trim();
  const task = created.items.find((t) => t.credit_code === code);
  const gone = task.team[1].id;
  await firstRow.locator('[data-test=member-recuse]').nth(1).click();
  await page.locator('[data-test=recusal-confirm]').click();
  await page.locator('[data-test=recusal-error]').waitFor(); // no reason: the server says which field
  await page.locator('[data-test=recusal-reason]').fill('申请回避：近亲属在该企业任职');
  await page.locator('[data-test=recusal-confirm]').click();
  await page.locator('[data-test=draw-redraws]').waitFor();
  assert.match(await page.locator('[data-test=draw-redraws]').innerText(), /近亲属在该企业任职/);
  const after = (await apiCall('GET', `/inspections/${task.id}`)).body;
  assert.ok(!after.team.some((m) => m.id === gone), 'the recused member left the task');
  const draw = (await apiCall('GET', `/draws/${drawId}`)).body;
  assert.deepEqual(after.team.map((m) => m.id), draw.targets.find((t) => t.credit_code === code).team.map((m) => m.id));
  taskId = task.id;
  team = after.team.map((m) => m.id);
  assert.deepEqual(unexpectedErrors(page, [EXPECTED_422]), []);
  await page.context().close();
});

async function asInspector(id) {
  const page = await newPage();
  await loginAs(page, id, PASSWORD);
  return page;
}

test('task page: the team records, attaches a PDF and signs; a regulator publishes; the public sees it', async () => {
  const lead = await asInspector(team[0]);
  await lead.goto(`${URL_}/supervision/inspections`);
  await lead.locator('[data-test=dashboard]').waitFor();
  await lead.locator(`[data-test=task-link]:text-is("${taskId}")`).click();
  await lead.waitForURL(`**/supervision/inspections/${taskId}`);
  await lead.locator('[data-test=task-record]').waitFor();
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const dateInput = lead.locator('[data-test=task-record] .el-date-editor input');
  await dateInput.fill(today);
  await dateInput.press('Enter');
  await lead.locator('[data-test=task-record] .el-select').click();
  await lead.locator('.el-select-dropdown__item:visible', { hasText: '发现问题已责令改正' }).click();
  await lead.locator('[data-test=rec-conforms-0]').getByText('不符合').click();
  await lead.locator('[data-test=rec-conforms-1]').getByText('符合', { exact: true }).click();
  // a non-conforming item without a finding: the server names it, nothing saved
  await lead.locator('[data-test=rec-save]').click();
  await lead.locator('[data-test=rec-error]').waitFor();
  assert.equal((await lead.locator('[data-test=task-status]').innerText()).trim(), '已分派');
  await lead.locator('[data-test=rec-finding-0]').fill('冷柜内 3 批次食品超过保质期');
  await lead.locator('[data-test=rec-save]').click();
  await lead.locator('[data-test=task-status]', { hasText: '待签名' }).waitFor();
  await lead.locator('[data-test=attach-input]').setInputFiles({ name: '现场检查笔录.pdf', mimeType: 'application/pdf', buffer: PDF });
  await lead.locator('[data-test=attachment-link]', { hasText: '现场检查笔录.pdf' }).waitFor();
  await lead.locator('[data-test=task-sign]').click();
  await lead.locator('[data-test=member-signed]').first().waitFor();
  assert.equal(await lead.locator('[data-test=task-sign]').count(), 0);
  assert.deepEqual(unexpectedErrors(lead, [EXPECTED_422]), []);
  await lead.context().close();

  const second = await asInspector(team[1]);
  await second.goto(`${URL_}/supervision/inspections/${taskId}`);
  await second.locator('[data-test=task-sign]').click();
  await second.locator('[data-test=task-status]', { hasText: '已办结' }).waitFor();
  assert.equal(await second.locator('[data-test=member-signed]').count(), 2);
  assert.equal(await second.locator('[data-test=task-publish]').count(), 0, 'inspectors do not publish');
  await second.context().close();

  const admin = await newPage();
  await loginAs(admin, ADMIN_USER, ADMIN_PASSWORD);
  await admin.goto(`${URL_}/supervision/inspections/${taskId}`);
  await admin.locator('[data-test=task-publish]').click();
  await admin.locator('.el-message-box .el-button--primary').click();
  await admin.locator('[data-test=task-status]', { hasText: '已公示' }).waitFor();
  await admin.context().close();

  const pub = await newPage();
  await pub.goto(`${URL_}/supervision/inspections/results`);
  const task = (await apiCall('GET', `/inspections/${taskId}`)).body;
  await pub.locator('[data-test=results-code]').fill(task.credit_code);
  await pub.locator('[data-test=results-search]').click();
  const row = pub.locator('[data-test=results-table] tr.el-table__row', { hasText: task.credit_code });
  await row.waitFor();
  assert.equal((await row.locator('[data-test=result-label]').innerText()).trim(), '发现问题已责令改正');
  assert.match(await row.locator('[data-test=result-proof]').getAttribute('href'), /\/api\/v1\/log\/proof\/\d+$/);
  assert.deepEqual(unexpectedErrors(pub), []);
  await pub.context().close();
});

test('dashboard: an overdue complaint task is listed in red; the list filters overdue tasks', async () => {
  const r = await apiCall('POST', '/inspections', { source: 'complaint', reason: '12315投诉', credit_code: CODES[5],
    item_ids: [itemIds[0]], team: [INSPECTORS[2].id, INSPECTORS[3].id], assigned_on: '2026-01-05', working_days: 5 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(`${URL_}/supervision/inspections`);
  const row = page.locator('[data-test=overdue-table] tr.el-table__row', { hasText: CODES[5] });
  await row.waitFor();
  assert.equal((await row.locator('[data-test=overdue-reason]').innerText()).trim(), '检查逾期');
  assert.match(await row.getAttribute('class'), /in-red-row/);
  const bg = await row.locator('td').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(bg, 'rgb(255, 241, 240)');
  await page.locator('[data-test=filter-overdue]').click();
  await page.locator('[data-test=filter-apply]').click();
  await page.locator('[data-test=tasks-table] [data-test=task-overdue]').first().waitFor();
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('spot check: a bad standard number is shown on its item; a failed sample gets its correction deadline', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  let r = await apiCall('POST', '/spot-checks', { name: `食用植物油抽查-${SERIAL}`, year: 2026, product: '食用植物油', lab: '江西省产品质量监督检测院' });
  const check = r.body.id;
  r = await apiCall('POST', `/spot-checks/${check}/samples`, { sample_no: `SC${SERIAL}01`, product: '菜籽油', producer_code: CODES[4], sampled_on: '2026-03-02' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await page.goto(`${URL_}/supervision/spot-checks/${check}`);
  await page.locator('[data-test=sample-results]').click();
  const d = page.locator('[data-test=results-dialog]');
  const dateInput = d.locator('.el-date-editor input');
  await dateInput.fill('2026-03-10');
  await dateInput.press('Enter');
  await d.locator('[data-test=ri-item-0]').fill('酸价（KOH）');
  await d.locator('[data-test=ri-std-0]').fill('GB 27l6-2018');
  await d.locator('[data-test=ri-measured-0]').fill('4.6 mg/g');
  await d.locator('[data-test=ri-pass-0]').click(); // not passed
  await d.locator('[data-test=results-save]').click();
  await d.locator('[data-test=ri-error-0]').waitFor();
  assert.match(await d.locator('[data-test=ri-error-0]').innerText(), /standard/);
  await d.locator('[data-test=ri-std-0]').fill('GB 2716-2018');
  await d.locator('[data-test=results-save]').click();
  await page.locator('[data-test=sample-verdict]', { hasText: '不合格' }).waitFor();
  const s = (await apiCall('GET', `/spot-checks/samples?spot_check_id=${check}`)).body.items[0];
  assert.equal(s.correction_due, '2026-04-08');
  assert.ok((await page.locator('[data-test=samples-table]').innerText()).includes('2026-04-08'));
  assert.equal(await page.locator('[data-test=sample-recheck-btn]').count(), 1);
  assert.deepEqual(unexpectedErrors(page, [EXPECTED_422]), []);
  await page.context().close();
});

test('calendar: Spring Festival 2026 with its 调休 Saturday', async () => {
  const page = await newPage();
  await page.goto(`${URL_}/supervision/inspections/calendar`);
  const from = page.locator('[data-test=cal-calc] .el-date-editor input');
  await from.fill('2026-02-13');
  await from.press('Enter');
  await page.locator('[data-test=calc-n] input').fill('2');
  await page.locator('[data-test=calc-go]').click();
  await page.locator('[data-test=calc-result]', { hasText: '2026-02-24' }).waitFor();
  assert.equal(await page.locator('[data-test=cal-edit]').count(), 0, 'editing is for admins');
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

// ---- a minimal .xlsx: SpreadsheetML parts in a zip with stored (uncompressed) entries
function zip(files) {
  const parts = [], central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text), fname = Buffer.from(name), crc = zlib.crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(0x0800, 6);
    head.writeUInt32LE(crc, 14); head.writeUInt32LE(data.length, 18); head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(fname.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(data.length, 20); cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(fname.length, 28); cd.writeUInt32LE(offset, 42);
    parts.push(head, fname, data);
    central.push(cd, fname);
    offset += 30 + fname.length + data.length;
  }
  const cdBuf = Buffer.concat(central), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8); end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cdBuf.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}
const esc = (v) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;');
function xlsx(rows) {
  const col = (i) => String.fromCharCode(65 + i);
  const sheet = rows.map((r, ri) => `<row r="${ri + 1}">` + r.map((v, ci) => (typeof v === 'number'
    ? `<c r="${col(ci)}${ri + 1}"><v>${v}</v></c>`
    : `<c r="${col(ci)}${ri + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`)).join('') + '</row>').join('');
  return zip({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名录" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheet}</sheetData></worksheet>`,
  });
}

test('entity import page: an .xlsx is read in the browser and imported; a bad row names its sheet row', async () => {
  const region = Number('36' + rnd(4));
  const codes = [0, 1].map((i) => creditCode(`91${region}MA${SERIAL}${String(50 + i).padStart(2, '0')}`));
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(`${URL_}/supervision/entities/import`);
  const bad = codes[1].slice(0, 17) + (codes[1][17] === '0' ? '1' : '0');
  await page.locator('[data-test=import-file]').setInputFiles({ name: '名录.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: xlsx([['统一社会信用代码', '企业名称', '区划代码', '行业'], [codes[0], '赣州表格甲食品有限公司', region, '食品销售'], [bad, '赣州表格乙, "引号"有限公司', region, '食品销售']]) });
  await page.locator('[data-test=import-submit]').click();
  await page.locator('[data-test=import-rejected]').waitFor();
  assert.equal((await page.locator('[data-test=rej-row]').first().innerText()).trim(), '2');
  assert.equal((await page.locator('[data-test=rej-field]').first().innerText()).trim(), 'credit_code');
  assert.equal((await apiCall('GET', `/entities/${codes[0]}`)).status, 404, 'all or nothing');
  await page.locator('[data-test=import-file]').setInputFiles({ name: '名录.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: xlsx([['统一社会信用代码', '企业名称', '区划代码', '行业'], [codes[0], '赣州表格甲食品有限公司', region, '食品销售'], [codes[1], '赣州表格乙, "引号"有限公司', region, '食品销售']]) });
  await page.locator('[data-test=import-submit]').click();
  await page.locator('[data-test=import-ok]').waitFor();
  assert.equal((await page.locator('[data-test=import-rows]').innerText()).trim(), '2');
  const e = (await apiCall('GET', `/entities/${codes[1]}`)).body;
  assert.equal(e.name, '赣州表格乙, "引号"有限公司');
  assert.equal(e.region, String(region));
  assert.deepEqual(unexpectedErrors(page, [EXPECTED_422]), []);
  await page.context().close();
});
