// The read side of the EPCIS repository against a real `nqi serve`: the
// standard query and its resource paths, paging through Link headers,
// GS1-EPC-Format, visibility by role, genealogy, recall scope and its files,
// FSMA 204 and the GB/T lot report, the consumer page and its QR code, named
// queries, and webhook subscriptions (on a server of our own with a short
// poll interval). The data is the demo chain (五常大米), loaded with
// `nqi trace demo` — the capture endpoint is another engineer's work.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { api, assertProblem, cli, tokenFor, uniq, BIN, DB, BACKEND, TMP, freshDb, runOn, startServer } from './lib.mjs';

const DL = 'https://id.gs1.org/';
const RICE_LOT = `${DL}01/09506000134352/10/DHX261003`;
const PADDY_A01 = `${DL}01/09506000134376/10/WC2026A01`;
const PADDY_B01 = `${DL}01/09506000134376/10/WC2026B01`;
const SSCC1 = `${DL}00/395060000000000016`;
const SSCC1_URN = 'urn:epc:id:sscc:9506000.3000000001';
const SSCC2 = `${DL}00/395060000000000023`;
const DC = `${DL}414/9506000000046`;
const WRONG_DC = `${DL}414/9506000000060`;
const STORE = `${DL}414/9506000000053`;
const ev = (n) => `urn:uuid:6f1d2c3a-5c0b-4e2a-9a1e-0000000000${n}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The demo chain's time span: other suites capture events into the same server
// (other dates), so whole-repository queries are narrowed to it.
const DEMO_SPAN = 'GE_eventTime=2026-09-25T00:00:00Z&LT_eventTime=2026-10-13T00:00:00Z';

const events = (r) => r.json.epcisBody.queryResults.resultsBody.eventList;
const ids = (r) => events(r).map((e) => e.eventID.slice(-2));

test('the demo chain loads through the CLI, once', () => {
  let r = cli(['trace', 'demo']);
  assert.equal(r.status, 0, r.stderr);
  r = cli(['trace', 'demo']); // idempotent
  assert.equal(r.status, 0, r.stderr);
});

test('EPCIS query: a URN meets Digital Link storage; body is an EPCISQueryDocument', async () => {
  const admin = tokenFor('admin');
  const r = await api('GET', `/api/v1/epcis/events?MATCH_anyEPC=${encodeURIComponent(SSCC1_URN)}&EQ_bizStep=shipping`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.type, 'EPCISQueryDocument');
  assert.equal(r.headers.get('gs1-epcis-version'), '2.0.0');
  assert.equal(r.headers.get('gs1-epc-format'), 'Always_GS1_Digital_Link');
  assert.deepEqual(ids(r), ['12', '13', '15', '19']);
  for (const e of events(r)) {
    assert.match(e.eventTime, /^2026-10-\d\dT\d\d:\d\d:00\.000\+08:00$/);
    assert.equal(e.eventTimeZoneOffset, '+08:00');
    assert.ok(e.recordTime);
    assert.ok(e.epcList.includes(SSCC1));
  }
  // the erroneous shipping carries its declaration
  assert.equal(events(r)[0].errorDeclaration.reason, 'incorrect_data');
  const err = await api('GET', '/api/v1/epcis/events?EXISTS_errorDeclaration=true', { token: admin });
  assert.deepEqual(ids(err), ['12']);
});

test('GS1-EPC-Format: Always_EPC_URN rewrites identifiers; an unknown value is a 400', async () => {
  const admin = tokenFor('admin');
  let r = await api('GET', `/api/v1/epcis/events?EQ_eventID=${encodeURIComponent(ev('11'))}`,
    { token: admin, headers: { 'GS1-EPC-Format': 'Always_EPC_URN' } });
  assert.equal(r.status, 200, r.text);
  const e = events(r)[0];
  assert.equal(e.parentID, 'urn:epc:id:sscc:9506000.3000000002');
  assert.deepEqual(e.childQuantityList.map((q) => q.epcClass),
    ['urn:epc:class:lgtin:9506000.013435.DHX261004', 'urn:epc:class:lgtin:9506000.013435.DHX261003']);
  assert.equal(e.bizLocation.id, 'urn:epc:id:sgln:9506000.00003.0');
  assert.equal(r.headers.get('gs1-epc-format'), 'Always_EPC_URN');
  r = await api('GET', '/api/v1/epcis/events', { token: admin, headers: { 'GS1-EPC-Format': 'Sometimes' } });
  assertProblem(assert, r, 400, 'GS1-EPC-Format');
});

test('paging: Link rel=next walks every event once, in order', async () => {
  const admin = tokenFor('admin');
  let next = `/api/v1/epcis/events?orderBy=eventTime&orderDirection=ASC&perPage=4&${DEMO_SPAN}`;
  const seen = [];
  let pages = 0;
  while (next && pages < 20) {
    const r = await api('GET', next, { token: admin });
    assert.equal(r.status, 200, r.text);
    seen.push(...ids(r));
    const link = r.headers.get('link');
    next = link ? link.match(/^<([^>]+)>; rel="next"$/)[1] : null;
    pages++;
  }
  assert.equal(seen.length, 19);
  assert.equal(new Set(seen).size, 19, 'no event twice');
  assert.equal(pages, 5);
  assert.deepEqual(seen.slice(0, 3), ['01', '02', '03']);
  // eventCountLimit caps the whole result
  const r = await api('GET', '/api/v1/epcis/events?eventCountLimit=3&perPage=2', { token: admin });
  assert.equal(events(r).length, 2);
  const r2 = await api('GET', r.headers.get('link').match(/^<([^>]+)>/)[1], { token: admin });
  assert.equal(events(r2).length, 1);
  assert.equal(r2.headers.get('link'), null);
});

test('resource paths: /epcs, /bizSteps, /bizLocations, /eventTypes', async () => {
  const admin = tokenFor('admin');
  let r = await api('GET', `/api/v1/epcis/epcs/${encodeURIComponent(RICE_LOT)}/events`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(ids(r), ['08', '10', '11', '18']);
  r = await api('GET', `/api/v1/epcis/eventTypes/TransformationEvent/events?${DEMO_SPAN}`, { token: admin });
  assert.deepEqual(ids(r), ['08', '09']);
  r = await api('GET', `/api/v1/epcis/bizSteps/receiving/events?orderBy=eventTime&${DEMO_SPAN}`, { token: admin });
  assert.deepEqual(ids(r), ['16', '14', '06', '04']);
  r = await api('GET', `/api/v1/epcis/bizLocations/${encodeURIComponent('urn:epc:id:sgln:9506000.00005.0')}/events`, { token: admin });
  assert.deepEqual(ids(r), ['16', '17', '18', '19']);
  r = await api('GET', '/api/v1/epcis/eventTypes/ShippingEvent/events', { token: admin });
  assertProblem(assert, r, 400, 'eventType');
});

test('bad query parameters are 400 problems naming the parameter', async () => {
  const admin = tokenFor('admin');
  for (const [q, field] of [
    ['EQ_colour=red', 'EQ_colour'],
    ['GE_eventTime=2026-10-01T00:00:00', 'GE_eventTime'],
    [`MATCH_epc=${encodeURIComponent('https://id.gs1.org/01/09506000134353/21/1')}`, 'MATCH_epc'],
    ['orderBy=bizStep', 'orderBy'],
    ['perPage=5000', 'perPage'],
    ['nextPageToken=%3Cscript%3E', 'nextPageToken'],
  ]) assertProblem(assert, await api('GET', `/api/v1/epcis/events?${q}`, { token: admin }), 400, field);
  assertProblem(assert, await api('GET', '/api/v1/epcis/events?maxEventCount=2', { token: admin }), 413, 'maxEventCount');
  assertProblem(assert, await api('GET', '/api/v1/epcis/events'), 401);
});

test('visibility: an enterprise sees public events only unless they are its own', async () => {
  const ent = tokenFor('enterprise');
  const admin = tokenFor('admin');
  const q = `/api/v1/epcis/events?EQ_bizStep=receiving&MATCH_epc=${encodeURIComponent(SSCC1)}`;
  assert.deepEqual(ids(await api('GET', q, { token: admin })), ['14', '16']);
  assert.deepEqual(ids(await api('GET', q, { token: ent })), ['16']); // 14 is the DC's, private
});

test('backward and forward trace through transformations, pallets and shipping', async () => {
  const admin = tokenFor('admin');
  let r = await api('GET', `/api/v1/trace/${encodeURIComponent(RICE_LOT)}/backward`, { token: admin });
  assert.equal(r.status, 200, r.text);
  const items = r.json.items.map((n) => n.id);
  assert.ok(items.includes(PADDY_A01));
  assert.ok(!items.includes(PADDY_B01), 'B01 went into the other rice lot');
  assert.ok(items.includes(SSCC1) && items.includes(SSCC2));
  const evs = r.json.events.map((e) => e.eventID.slice(-2));
  assert.ok(!evs.includes('12'), 'the erroneous shipping is left out');
  assert.ok(evs.includes('13'), 'its corrective event is followed');
  assert.ok(!evs.includes('19'), 'the empty pallet going back is not the rice');
  assert.ok(r.json.edges.some((e) => e.type === 'transformation' && e.from === PADDY_A01 && e.to === RICE_LOT));
  assert.ok(r.json.nodes.some((n) => n.id === DC && n.kind === 'place'));
  assert.ok(!r.json.nodes.some((n) => n.id === WRONG_DC));

  r = await api('GET', `/api/v1/trace/${encodeURIComponent('urn:epc:class:lgtin:9506000.013437.WC2026B01')}/forward`, { token: admin });
  assert.equal(r.status, 200, r.text);
  const f = r.json.items.map((n) => n.id);
  assert.ok(f.includes(`${DL}01/09506000134352/10/DHX261004`));
  assert.ok(f.includes(SSCC2));
  assert.ok(!f.includes(RICE_LOT), 'a sibling in the same pallet is not a descendant');
  assert.ok(!f.includes(SSCC1));
  // depth 1 stops at the milled lot
  r = await api('GET', `/api/v1/trace/${encodeURIComponent(PADDY_B01)}/forward?depth=1`, { token: admin });
  assert.ok(!r.json.items.some((n) => n.id === SSCC2));
  assertProblem(assert, await api('GET', '/api/v1/trace/not-an-id%2001/backward?depth=99', { token: admin }), 422, 'depth');
  assertProblem(assert, await api('GET', `/api/v1/trace/${encodeURIComponent('https://id.gs1.org/01/09506000134353/10/X')}/forward`, { token: admin }), 422, 'id');
});

test('recall scope as JSON, .xlsx and CSV', async () => {
  const admin = tokenFor('admin');
  let r = await api('POST', '/api/v1/trace/recall', { token: admin, body: { lots: ['(01)09506000134376(10)WC2026A02'] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.lots.map((l) => l.id).sort(), [PADDY_A01.replace('A01', 'A02'), RICE_LOT].sort());
  assert.deepEqual(r.json.containers.map((c) => c.id).sort(), [SSCC1, SSCC2]);
  const locs = r.json.locations.map((l) => l.id);
  assert.ok(locs.includes(DC) && locs.includes(STORE));
  assert.ok(!locs.includes(WRONG_DC));
  assert.ok(r.json.parties.some((p) => p.id === '91310115MA1B2C3G7U'), 'the store recorded a sale');
  r = await api('GET', `/api/v1/trace/recall?id=${encodeURIComponent(PADDY_B01)}&format=xlsx`, { token: admin });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
  assert.match(r.headers.get('content-disposition'), /recall-scope\.xlsx/);
  const res = await fetch(`${process.env.NQI_URL}/api/v1/trace/recall?id=${encodeURIComponent(PADDY_B01)}&format=csv`,
    { headers: { authorization: `Bearer ${admin}` } });
  const csv = Buffer.from(await res.arrayBuffer()).toString('utf8'); // keeps the BOM
  assert.ok(csv.startsWith('\uFEFF类型,标识'), csv.slice(0, 20));
  assert.match(csv, new RegExp(`物流单元,${SSCC2}`));
  assertProblem(assert, await api('POST', '/api/v1/trace/recall', { token: admin, body: { lots: [] } }), 422, 'lots');
  assertProblem(assert, await api('POST', '/api/v1/trace/recall', { token: admin, body: { lots: ['(01)09506000134353(10)X'] } }), 422, 'lots/0');
});

test('FSMA 204 spreadsheet and the GB/T 38158 lot report', async () => {
  const admin = tokenFor('admin');
  const res = await fetch(`${process.env.NQI_URL}/api/v1/trace/exports/fsma204?gtin=09506000134352&format=csv`,
    { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  const csv = await res.text();
  const rows = csv.trim().split('\r\n');
  assert.match(rows[0], /Traceability Lot Code/);
  assert.ok(rows.some((l) => l.startsWith('DHX261003,09506000134352,五常大米（稻花香2号）5kg,Transformation')));
  assert.ok(rows.some((l) => l.startsWith('DHX261003,09506000134352,五常大米（稻花香2号）5kg,Receiving') && l.includes(STORE)));
  assert.ok(!csv.includes(WRONG_DC));
  let r = await api('GET', '/api/v1/trace/exports/fsma204?gtin=09506000134353', { token: admin });
  assertProblem(assert, r, 422, 'gtin');
  r = await api('GET', `/api/v1/trace/report?id=${encodeURIComponent(RICE_LOT)}`, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.product.name, '五常大米（稻花香2号）5kg');
  assert.equal(r.json.producer.organisation, '91230184MA1B2C3E53');
  assert.ok(r.json.inspection.some((i) => i.inspection && i.inspection.standard === 'GB/T 1354-2018'));
  assert.equal(r.json.sale.length, 1);
  r = await api('GET', `/api/v1/trace/report?id=${encodeURIComponent(RICE_LOT)}&format=xlsx`, { token: admin });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
});

test('consumer page: public, Chinese, public events only, no party data', async () => {
  const r = await api('GET', '/t/01/09506000134352/10/DHX261003');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.text, /<html lang="zh-CN">/);
  assert.match(r.text, /name="viewport"/);
  assert.match(r.text, /五常大米（稻花香2号）5kg/);
  assert.match(r.text, /黑龙江省五常市民乐朝鲜族乡红光村种植基地/);
  assert.match(r.text, /GB\/T 1354-2018/);
  assert.ok(!r.text.includes('91230184MA1B2C3E53'), 'no organisation codes');
  assert.ok(!r.text.includes('417/'), 'no party identifiers');
  assert.ok(!r.text.includes('龙凤山'), 'the other farm is not in this lot');
  assert.equal((await api('GET', '/t/01/09506000134352/10/NOSUCHLOT')).status, 404);
  assert.equal((await api('GET', '/t/01/09506000134353/10/DHX261003')).status, 404);
});

test('QR code of the Digital Link, SVG and PNG', async () => {
  let r = await api('GET', `/api/v1/trace/qr?id=${encodeURIComponent('urn:epc:class:lgtin:9506000.013435.DHX261003')}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /image\/svg\+xml/);
  assert.match(r.text, /<svg/);
  assert.match(r.headers.get('x-digital-link'), /^http:\/\/127\.0\.0\.1:\d+\/t\/01\/09506000134352\/10\/DHX261003$/);
  const res = await fetch(`${process.env.NQI_URL}/api/v1/trace/qr?id=${encodeURIComponent(RICE_LOT)}&format=png`);
  const png = Buffer.from(await res.arrayBuffer());
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assertProblem(assert, await api('GET', '/api/v1/trace/qr?id=09506000134353'), 422, 'gtin');
  const q = cli(['trace', 'qr', RICE_LOT, '--base', 'https://trace.example.cn']);
  assert.equal(q.status, 0, q.stderr);
  assert.match(q.stdout, /^<\?xml|<svg/);
  assert.equal(q.stderr.trim(), 'https://trace.example.cn/t/01/09506000134352/10/DHX261003');
});

test('named queries: create, run, list, delete', async () => {
  const admin = tokenFor('admin');
  const name = uniq('rice_');
  let r = await api('POST', '/api/v1/epcis/queries', { token: admin, body: { name, query: { MATCH_anyEPCClass: [RICE_LOT], EQ_bizStep: ['packing', 'retail_selling'] } } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/api/v1/epcis/queries/${name}`);
  r = await api('GET', `/api/v1/epcis/queries/${name}/events`, { token: admin });
  assert.deepEqual(ids(r), ['10', '11', '18']);
  assert.equal(r.json.epcisBody.queryResults.queryName, name);
  r = await api('GET', '/api/v1/epcis/queries?limit=500', { token: admin });
  assert.ok(r.json.items.some((q) => q.name === name));
  r = await api('POST', '/api/v1/epcis/queries', { token: admin, body: { name, query: {} } });
  assertProblem(assert, r, 409);
  r = await api('POST', '/api/v1/epcis/queries', { token: admin, body: { name: uniq('bad_'), query: { EQ_colour: 'red' } } });
  assertProblem(assert, r, 422, 'query/EQ_colour');
  // another organisation's enterprise cannot see the staff's query
  assertProblem(assert, await api('GET', `/api/v1/epcis/queries/${name}`, { token: tokenFor('enterprise') }), 404);
  assert.equal((await api('DELETE', `/api/v1/epcis/queries/${name}`, { token: admin })).status, 204);
  assertProblem(assert, await api('GET', `/api/v1/epcis/queries/${name}`, { token: admin }), 404);
});

// ---- subscriptions, on a server of our own ----------------------------------




test('subscription: signed EPCISQueryDocument, advances only on 2xx, no duplicates', async (t) => {
  const db = freshDb('tq');
  runOn(db, ['init']);
  runOn(db, ['trace', 'demo']);
  const token = runOn(db, ['token', 'add', '--role', 'admin', 'subs']).trim().split('\n').pop();
  const { p, url } = await startServer(db, { NQI_TRACE_SUB_POLL_MS: '100', NQI_TRACE_SUB_RETRY_MS: '200' });
  const got = [];
  const recv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = got.length === 1 ? 503 : 204; // the first attempt fails
      res.end();
    });
  });
  await new Promise((r) => recv.listen(0, '127.0.0.1', r));
  t.after(async () => {
    recv.close();
    if (p.exitCode === null) p.kill('SIGKILL');
    if (BACKEND === 'postgresql') spawnSync('psql', ['-q', DB, '-c', `DROP DATABASE IF EXISTS ${new URL(db).pathname.slice(1)}`]);
  });
  const call = async (method, pth, body) => {
    const res = await fetch(url + pth, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  };
  let r = await call('POST', '/api/v1/epcis/queries', { name: 'rice_lot', query: { MATCH_anyEPCClass: [RICE_LOT] } });
  assert.equal(r.status, 201, r.text);
  const secret = 'wuchang-rice-webhook-secret';
  const dest = `http://127.0.0.1:${recv.address().port}/epcis-hook`;
  r = await call('POST', '/api/v1/epcis/queries/rice_lot/subscriptions', { dest, signatureToken: secret, stream: false });
  assert.equal(r.status, 422, 'no stream and no schedule');
  r = await call('POST', '/api/v1/epcis/queries/rice_lot/subscriptions', { dest: 'ftp://x', stream: true });
  assert.equal(r.status, 422);
  r = await call('POST', '/api/v1/epcis/queries/rice_lot/subscriptions',
    { dest, signatureToken: secret, stream: true, initialRecordTime: '2000-01-01T00:00:00Z' });
  assert.equal(r.status, 201, r.text);
  const sid = r.json.subscriptionID;
  for (let i = 0; i < 100 && got.length < 2; i++) await sleep(100);
  await sleep(600); // more polls: nothing more may arrive
  assert.equal(got.length, 2, 'one failed attempt, one delivery, nothing after');
  assert.equal(got[0].body, got[1].body.replace(/"creationDate":"[^"]*"/, got[0].body.match(/"creationDate":"[^"]*"/)[0]),
    'the failed batch is sent again from the same position');
  for (const g of got) {
    const mac = crypto.createHmac('sha256', secret).update(g.body).digest('base64');
    assert.equal(g.headers['gs1-signature'], mac);
  }
  const doc = JSON.parse(got[1].body);
  assert.equal(doc.type, 'EPCISQueryDocument');
  assert.equal(doc.epcisBody.queryResults.subscriptionID, sid);
  assert.equal(doc.epcisBody.queryResults.queryName, 'rice_lot');
  assert.deepEqual(doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID.slice(-2)), ['08', '10', '11', '18']);
  r = await call('GET', '/api/v1/epcis/queries/rice_lot/subscriptions');
  assert.equal(r.json.items[0].last_status, 'delivered');
  assert.ok(r.json.items[0].after_record > 0);
  r = await call('DELETE', `/api/v1/epcis/queries/rice_lot/subscriptions/${sid}`);
  assert.equal(r.status, 204);
});
