// Traceability pages (信息采集追溯), driven through the real UI against a real server: the landing
// box opens the explorer; event search (EPCIS query parameters as a form, rows with the captured
// offset, the event drawer with the whole JSON-LD, nextPageToken paging, CSV export); the trace
// explorer (an ECharts canvas, the list of identifiers reached, the timeline, a lot's consumer
// page link and QR code); the recall page (counts per tab, the server's .xlsx export); the capture
// monitor (a document with a bad event time: the job fails under rollback and shows the event's
// error; nothing of it is stored).
//
// The e2e server starts without demo data: `before` captures a small supply chain through the API
// with the admin token (tests/e2e/trace_chain.mjs: two lots of tea leaves -> a factory's
// TransformationEvent -> one lot of boxed tea -> packed on a pallet (SSCC) -> shipped to a
// retailer), with lots and SSCC unique to this run.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URL_, ADMIN_USER, ADMIN_PASSWORD, newPage, close, loginAs, makeUser, unexpectedErrors } from './lib.mjs';
import { chain, badDocument, epcisDocument as chainDoc, xmlDocument } from './trace_chain.mjs';

const TOKEN = process.env.NQI_ADMIN_TOKEN || '';
const TMP = process.env.NQI_TEST_TMP || os.tmpdir();
const RUN = String(Date.now() % 1e9);
const { ids, doc } = chain(RUN);

async function capture(body, behaviour = 'rollback') {
  const r = await fetch(URL_ + '/api/v1/epcis/capture', {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/ld+json', 'GS1-Capture-Error-Behaviour': behaviour },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}
async function apiGet(p) {
  const r = await fetch(URL_ + '/api/v1' + p, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: r.status, body: await r.json().catch(() => null), headers: r.headers };
}

before(async () => {
  assert.ok(TOKEN, 'NQI_ADMIN_TOKEN is needed to capture the test chain');
  const r = await capture(doc);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.status, 'success', JSON.stringify(r.body));
  assert.equal(r.body.captured, 7);
});
after(close);

const tableRows = (page, t) => page.locator(`[data-test=${t}] .el-table__body-wrapper tr.el-table__row`);
async function waitIdle(page, t) {
  await page.waitForFunction((x) => document.querySelector(`[data-test=${x}]`)
    && !document.querySelector(`[data-test=${x}] .el-loading-mask:not([style*="display: none"])`), t);
}
const q = (o) => new URLSearchParams(o).toString();
// Events, traces and recalls need a signed-in user (the server's ROLES_AUTHED); the admin sees all.
async function staffPage() {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  return page;
}

test('landing: the trace card is live, the box opens the explorer for a GTIN + lot', async () => {
  const page = await newPage();
  await page.goto(URL_ + '/');
  const card = page.locator('[data-test=card-trace]');
  await card.getByText('已上线').first().waitFor();
  await card.click();
  await page.waitForURL(URL_ + '/trace');
  assert.equal((await page.locator('[data-test=page-title]').innerText()).trim(), '信息采集追溯');
  for (const k of ['events', 'explorer', 'recall']) await page.locator(`[data-test=tr-tile-${k}]`).waitFor();
  assert.equal(await page.locator('[data-test=tr-tile-capture]').count(), 0, 'capture is not offered to visitors');

  // "GTIN 批号" typed apart becomes the lot's Digital Link
  await page.getByText('分别输入 GTIN 和批号').click();
  await page.locator('[data-test=trace-gtin]').fill(ids.gtinTea);
  await page.locator('[data-test=trace-lot]').fill(ids.tea);
  await page.locator('[data-test=trace-go]').click();
  // a visitor is asked to sign in first, and comes back to the trace afterwards
  await page.waitForURL(/\/login\?redirect=/);
  const back = decodeURIComponent(new URL(page.url()).searchParams.get('redirect'));
  const u = new URL(back, URL_);
  assert.equal(u.pathname, '/trace/explorer');
  assert.equal(u.searchParams.get('id'), ids.teaId);
  assert.equal(u.searchParams.get('dir'), 'backward');
  await page.locator('[data-test=login-username]').fill(ADMIN_USER);
  await page.locator('[data-test=login-password]').fill(ADMIN_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL(/\/trace\/explorer\?/);
  await page.locator('[data-test=explorer-graph]').waitFor();
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('event search: EPCIS parameters as a form, rows in the captured offset, drawer, paging, export', async () => {
  const page = await staffPage();
  // MATCH_anyEPCClass by the boxed-tea lot: its TransformationEvent (output) and AggregationEvent (child)
  await page.goto(`${URL_}/trace/events?${q({ MATCH_anyEPCClass: ids.teaId, orderDirection: 'ASC' })}`);
  await waitIdle(page, 'events-table');
  let rows = tableRows(page, 'events-table');
  assert.equal(await rows.count(), 2);
  assert.deepEqual(await page.locator('[data-test=event-type]').allInnerTexts(), ['转换事件', '聚合事件']);
  assert.deepEqual(await page.locator('[data-test=event-time]').allInnerTexts(), ['2025-03-03 10:00:00 +08:00', '2025-03-04 09:00:00 +08:00']);
  assert.equal(await page.locator('[data-test=q-MATCH_anyEPCClass]').inputValue(), ids.teaId);

  // the drawer: the whole JSON-LD of the transformation, inputs and output listed
  await rows.first().click();
  const drawer = page.locator('[data-test=event-drawer]');
  await drawer.locator('[data-test=drawer-json]').waitFor();
  const shown = JSON.parse(await drawer.locator('[data-test=drawer-json]').innerText());
  assert.equal(shown.type, 'TransformationEvent');
  assert.deepEqual(shown.inputQuantityList.map((x) => x.epcClass).sort(), [ids.leaves1Id, ids.leaves2Id].sort());
  assert.match(shown.eventID, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  assert.match(await drawer.innerText(), new RegExp(`批号 ${ids.leaves1}`));
  await page.keyboard.press('Escape');

  // the form: eventType + bizStep through the selects, the pallet as MATCH_anyEPC
  await page.goto(URL_ + '/trace/events');
  await waitIdle(page, 'events-table');
  await page.locator('[data-test=q-MATCH_anyEPC]').fill(ids.ssccId);
  await page.locator('[data-test=q-EQ_bizStep]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '发货' }).first().click();
  await page.locator('[data-test=events-search]').click();
  await page.waitForURL(/EQ_bizStep=shipping/);
  await waitIdle(page, 'events-table');
  rows = tableRows(page, 'events-table');
  assert.equal(await rows.count(), 1);
  assert.equal((await page.locator('[data-test=event-bizstep]').innerText()).trim(), '发货');
  assert.equal((await page.locator('[data-test=event-time]').innerText()).trim(), '2025-03-04 14:00:00 +08:00');

  // paging: perPage=1 over the pallet's three events (packing, shipping, receiving)
  await page.goto(`${URL_}/trace/events?${q({ MATCH_anyEPC: ids.ssccId, perPage: '1', orderDirection: 'ASC' })}`);
  await waitIdle(page, 'events-table');
  assert.equal(await tableRows(page, 'events-table').count(), 1);
  for (const n of [2, 3]) {
    await page.locator('[data-test=events-more]').click();
    await page.waitForFunction(([t, k]) => document.querySelectorAll(`[data-test=${t}] .el-table__body-wrapper tr.el-table__row`).length === k, ['events-table', n]);
  }
  assert.equal(await page.locator('[data-test=events-more]').count(), 0, 'no next page after the last event');
  assert.deepEqual(await page.locator('[data-test=event-bizstep]').allInnerTexts(), ['装箱', '发货', '收货']);

  // export of the rows shown
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=events-export]').click()]);
  const csv = fs.readFileSync(await dl.path(), 'utf8');
  assert.equal(csv.charCodeAt(0), 0xfeff, 'UTF-8 BOM for Excel');
  const lines = csv.trim().split(/\r\n/);
  assert.equal(lines.length, 4);
  assert.match(lines[0], /事件时间/);
  assert.match(lines[2], /shipping/);
  assert.match(lines[2], new RegExp(ids.sscc));

  // any further EPCIS parameter rides in the URL and the "more parameters" text field
  await page.goto(`${URL_}/trace/events?${q({ MATCH_anyEPCClass: ids.leaves1Id, GT_quantity_EA: '1000' })}`);
  await waitIdle(page, 'events-table');
  assert.equal(await tableRows(page, 'events-table').count(), 1, 'only the transformation has 1,600 EA');
  assert.deepEqual(await page.locator('[data-test=event-type]').allInnerTexts(), ['转换事件']);
  assert.equal(await page.locator('[data-test=q-extra]').inputValue(), 'GT_quantity_EA=1000');
  await page.locator('[data-test=q-extra]').fill('');
  await page.locator('[data-test=events-search]').click();
  await page.waitForURL((u) => !u.search.includes('GT_quantity_EA'));
  await waitIdle(page, 'events-table');
  assert.ok(await tableRows(page, 'events-table').count() > 1);

  // a bad parameter is the server's error, shown
  await page.goto(`${URL_}/trace/events?${q({ GE_eventTime: 'yesterday' })}`);
  await page.locator('[data-test=error-state]').waitFor();
  assert.match(await page.locator('[data-test=error-state]').innerText(), /请求失败/);
  assert.deepEqual(unexpectedErrors(page, [/status of 400/]), []);
  await page.context().close();
});

test('explorer: backward and forward genealogy as a graph, a list and a timeline; consumer page and QR', async () => {
  const page = await staffPage();
  await page.goto(`${URL_}/trace/explorer?${q({ id: ids.teaId, dir: 'backward' })}`);
  await page.locator('[data-test=explorer-graph] canvas').waitFor();
  const items = () => page.locator('[data-test=explorer-item]').allInnerTexts();
  await page.locator('[data-test=explorer-item]').first().waitFor();
  let got = await items();
  for (const lot of [ids.leaves1, ids.leaves2, ids.tea]) assert.ok(got.some((s) => s.includes(`批号 ${lot}`)), `${lot} in ${got}`);
  const size = await page.locator('[data-test=explorer-graph] canvas').boundingBox();
  assert.ok(size.width > 300 && size.height > 300, JSON.stringify(size));

  // the timeline holds the events walked; one opens the drawer with the full event
  await page.getByRole('tab', { name: /时间线/ }).click();
  const tl = page.locator('[data-test=timeline-event]');
  await tl.first().waitFor();
  assert.ok(await tl.count() >= 3, 'commissioning, shipping/receiving and the transformation');
  await tl.last().click();
  await page.locator('[data-test=drawer-json]').waitFor();
  assert.match(await page.locator('[data-test=drawer-json]').innerText(), /"eventTime"/);
  await page.keyboard.press('Escape');

  // forward from one leaves lot: the tea lot, the pallet, the retailer's location
  await page.goto(`${URL_}/trace/explorer?${q({ id: ids.leaves1Id, dir: 'forward' })}`);
  await page.locator('[data-test=explorer-graph] canvas').waitFor();
  await page.locator('[data-test=explorer-item]').first().waitFor();
  got = await items();
  assert.ok(got.some((s) => s.includes(`批号 ${ids.tea}`)), `tea lot reached: ${got}`);
  assert.ok(got.some((s) => s.includes(`SSCC ${ids.sscc}`)), `pallet reached: ${got}`);
  assert.ok(!got.some((s) => s.includes(`批号 ${ids.leaves2}`)), 'the other input lot is not downstream of this one');

  // a lot in the list opens its card: consumer page link and a QR code the server draws
  await page.locator('[data-test=explorer-item]', { hasText: `批号 ${ids.tea}` }).click();
  const card = page.locator('[data-test=explorer-consumer]');
  await card.waitFor();
  assert.equal(await card.locator('[data-test=consumer-link]').getAttribute('href'), `/t/01/${ids.gtinTea}/10/${ids.tea}`);
  const qr = await card.locator('[data-test=consumer-qr]').getAttribute('src');
  const r = await fetch(URL_ + qr);
  assert.equal(r.status, 200, qr);
  assert.match(r.headers.get('content-type'), /image\/(svg\+xml|png)/);
  // the lot's GB/T 38158 report and its product's FSMA 204 sheet download as workbooks
  for (const t of ['lot-report', 'fsma-export']) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-test=${t}]`).click()]);
    assert.equal(fs.readFileSync(await dl.path()).subarray(0, 2).toString(), 'PK', t);
  }
  // the consumer page shows nothing until the lot is made public from the card
  const consumer = `/t/01/${ids.gtinTea}/10/${ids.tea}`;
  assert.equal((await fetch(URL_ + consumer)).status, 404);
  await card.locator('[data-test=publish-lot]').click();
  await page.locator('.el-message--success').waitFor();
  const pub = await fetch(URL_ + consumer);
  assert.equal(pub.status, 200);
  assert.match(await pub.text(), new RegExp(ids.tea));
  await card.locator('[data-test=unpublish-lot]').click();
  let hidden = false;
  for (let i = 0; i < 50 && !hidden; i++) {
    hidden = (await fetch(URL_ + consumer)).status === 404;
    if (!hidden) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(hidden, 'private again');
  // the README's picture: the page down to the bottom of the graph
  const graph = await page.locator('.tr-graph-card').boundingBox();
  await page.screenshot({ path: path.join(process.env.NQI_SCREENSHOT_DIR || TMP, 'screenshot-trace.png'), fullPage: true, clip: { x: 0, y: 0, width: 1366, height: Math.ceil(graph.y + graph.height + 16) } });
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('recall: a suspect leaves lot gives the affected lot, pallet, places, and the .xlsx export', async () => {
  const page = await staffPage();
  await page.goto(URL_ + '/trace/recall');
  await page.locator('[data-test=recall-lots]').fill(`${ids.gtinLeaves} ${ids.leaves1}\n`);
  await page.locator('[data-test=recall-run]').click();
  await page.locator('[data-test=recall-summary]').waitFor();
  const count = async (k) => Number(await page.locator(`[data-test=recall-count-${k}]`).innerText());
  assert.ok(await count('lots') >= 1, 'the tea lot');
  assert.equal(await count('containers'), 1, 'the pallet');
  assert.ok(await count('locations') >= 2, 'factory and retailer');
  assert.ok(await count('parties') >= 2, 'factory and retailer');
  assert.match(await page.locator('[data-test=recall-table-lots]').innerText(), new RegExp(`批号 ${ids.tea}`));
  await page.locator('[data-test=recall-tab-containers]').click();
  assert.match(await page.locator('[data-test=recall-table-containers]').innerText(), new RegExp(ids.sscc));

  // the API agrees, and the export is a real workbook (a zip: PK)
  const href = await page.locator('[data-test=recall-export-xlsx]').getAttribute('href');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=recall-export-xlsx]').click()]);
  const buf = fs.readFileSync(await dl.path());
  assert.equal(buf.subarray(0, 2).toString(), 'PK', href);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('roles: an inspector searches events but is not offered capture; /trace/capture is forbidden', async () => {
  const u = makeUser('inspector');
  const page = await newPage();
  await loginAs(page, u.username, u.password);
  await page.goto(URL_ + '/trace');
  await page.locator('[data-test=tr-tile-events]').waitFor();
  assert.equal(await page.locator('[data-test=tr-tile-capture]').count(), 0);
  assert.equal(await page.locator('[data-test=tr-nav-capture]').count(), 0);
  await page.goto(`${URL_}/trace/events?${q({ MATCH_anyEPC: ids.ssccId })}`);
  await waitIdle(page, 'events-table');
  assert.equal(await tableRows(page, 'events-table').count(), 3, 'staff see every organisation\'s events');
  await page.goto(URL_ + '/trace/capture');
  await page.locator('[data-test=forbidden]').waitFor();
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('error declarations: a declared event is tagged, found with EXISTS_errorDeclaration, left out of the trace', async () => {
  // an observation of the boxed tea at the retailer, then the same event with its error declaration
  const held = { type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'holding', disposition: 'non_sellable_other', eventTime: '2025-03-06T15:00:00.000+08:00',
    eventTimeZoneOffset: '+08:00', bizLocation: { id: `https://id.gs1.org/414/${ids.retailer}` }, quantityList: [{ epcClass: ids.teaId, quantity: 7, uom: 'EA' }] };
  let r = await capture(chainDoc([held]));
  assert.equal(r.body.status, 'success', JSON.stringify(r.body));
  r = await capture(chainDoc([{ ...held, errorDeclaration: { declarationTime: '2025-03-07T09:00:00.000+08:00', reason: 'incorrect_data' } }]));
  assert.equal(r.body.status, 'success', JSON.stringify(r.body));

  const page = await staffPage();
  await page.goto(`${URL_}/trace/events?${q({ MATCH_anyEPCClass: ids.teaId })}`);
  await waitIdle(page, 'events-table');
  assert.equal(await page.locator('[data-test=q-EXISTS_errorDeclaration]').count(), 0, 'the advanced conditions start folded');
  await page.getByText('更多条件').click();
  await page.locator('[data-test=q-EXISTS_errorDeclaration]').click();
  await page.locator('[data-test=events-search]').click();
  await page.waitForURL(/EXISTS_errorDeclaration=true/);
  await waitIdle(page, 'events-table');
  const rows = tableRows(page, 'events-table');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /已声明错误/);
  await rows.first().click();
  assert.match(await page.locator('[data-test=drawer-error-declaration]').innerText(), /2025-03-07 09:00:00 \+08:00 数据有误/);

  // the walk leaves declared events out: the holding event is not on the tea lot's timeline
  await page.goto(`${URL_}/trace/explorer?${q({ id: ids.teaId, dir: 'forward' })}`);
  await page.locator('[data-test=explorer-item]').first().waitFor();
  await page.getByRole('tab', { name: /时间线/ }).click();
  await page.locator('[data-test=timeline-event]').first().waitFor();
  const steps = await page.locator('[data-test=timeline-event]').allInnerTexts();
  assert.ok(steps.some((s) => /装箱/.test(s)), steps.join());
  assert.ok(!steps.some((s) => /暂扣/.test(s)), `declared event on the timeline: ${steps}`);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});

test('capture monitor: a document with an event time without offset fails under rollback, the error is shown', async () => {
  const page = await newPage();
  await loginAs(page, ADMIN_USER, ADMIN_PASSWORD);
  await page.goto(URL_ + '/trace/capture');
  await waitIdle(page, 'jobs-table');
  const before = await tableRows(page, 'jobs-table').count();

  const bad = badDocument(RUN);
  await page.locator('[data-test=capture-file]').setInputFiles({ name: 'bad.jsonld', mimeType: 'application/ld+json', buffer: Buffer.from(JSON.stringify(bad)) });
  assert.match(await page.locator('[data-test=capture-file-name]').innerText(), /bad\.jsonld/);
  await page.locator('[data-test=capture-send]').click();
  const result = page.locator('[data-test=capture-result]');
  await result.locator('[data-test=capture-error-field]').waitFor();
  assert.match(await page.locator('[data-test=capture-status]').innerText(), /失败，已入库 0 \/ 2 个事件/);
  assert.equal((await result.locator('[data-test=capture-error-field]').innerText()).trim(), 'eventTime');
  assert.match(await result.innerText(), /#1/);
  assert.match(await result.innerText(), /全部回滚/);

  // the job list has the new job with one error, expandable
  await page.waitForFunction(([t, k]) => document.querySelectorAll(`[data-test=${t}] .el-table__body-wrapper tr.el-table__row`).length > k, ['jobs-table', before]);
  const first = tableRows(page, 'jobs-table').first();
  assert.equal((await first.locator('[data-test=job-status]').innerText()).trim(), '失败');
  assert.equal((await first.locator('[data-test=job-error-count]').innerText()).trim(), '1');
  await first.locator('.el-table__expand-icon').click();
  await page.locator('[data-test=job-errors]').first().waitFor();
  assert.match(await page.locator('[data-test=job-errors]').first().innerText(), /eventTime/);

  // rollback stored nothing: the good event of that document is not there
  const r = await apiGet(`/epcis/events?${q({ MATCH_anyEPCClass: ids.teaId, EQ_bizStep: 'inspecting' })}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.epcisBody.queryResults.resultsBody.eventList.length, 0);

  // proceed: the same document stores the good event and reports the bad one
  await page.locator('[data-test=capture-behaviour]').getByText('跳过错误事件').click();
  await page.locator('[data-test=capture-send]').click();
  await page.waitForFunction(() => /已入库 1 \/ 2/.test(document.querySelector('[data-test=capture-status]')?.textContent || ''));
  assert.equal((await result.locator('[data-test=capture-error-field]').innerText()).trim(), 'eventTime');

  // the XML binding, sent as application/xml: captured whole
  await page.locator('[data-test=capture-file]').setInputFiles({ name: 'inspection.xml', mimeType: 'text/xml', buffer: Buffer.from(xmlDocument(RUN)) });
  await page.locator('[data-test=capture-send]').click();
  await page.waitForFunction(() => /成功，已入库 1 \/ 1/.test(document.querySelector('[data-test=capture-status]')?.textContent || ''));
  assert.equal(await result.locator('[data-test=capture-error-field]').count(), 0);
  const x = await apiGet(`/epcis/events?${q({ MATCH_anyEPCClass: ids.teaId, EQ_bizStep: 'inspecting', EQ_disposition: 'conformant' })}`);
  assert.equal(x.body.epcisBody.queryResults.resultsBody.eventList.length, 1);
  assert.equal(x.body.epcisBody.queryResults.resultsBody.eventList[0].quantityList[0].quantity, 5);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.context().close();
});
