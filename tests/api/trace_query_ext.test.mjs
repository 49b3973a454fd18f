// The EPCIS 2.0 query parameters answered from the stored event document
// (ILMD, extension fields, sensor data — src/trace/query_ext.c) and scheduled
// subscriptions with reportIfEmpty (src/trace/query_sub.c, query_sched.c),
// against a real `nqi serve` on SQLite and PostgreSQL. Events are captured
// through the capture API: two commissioning events of GS1's example GTIN
// 09521234543213 whose ILMD differ, and two inspections carrying sensor
// reports shaped like GS1's sensor examples (EPCIS 2.0 §7.5.3).
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { api, assertProblem, tokenFor, BACKEND, DB, URL_, freshDb, runOn, startServer } from './lib.mjs';

const CTX = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const EX = 'https://ns.example.com/epcis/';
const GTIN = '09521234543213';
const LOT_A = `https://id.gs1.org/01/${GTIN}/10/ZJ2026A`;
const LOT_B = `https://id.gs1.org/01/${GTIN}/10/ZJ2026B`;
const RICE_LOT = 'https://id.gs1.org/01/09506000134352/10/DHX261003';
const run = crypto.randomUUID().slice(0, 8);
const id = (n) => `urn:uuid:${run}-7a1e-4c3b-9d2f-00000000000${n}`;
// the events of this file sit in one day, so other suites' data stay out
const DAY = 'GE_eventTime=2026-05-10T00:00:00%2B08:00&LT_eventTime=2026-05-11T00:00:00%2B08:00';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const commissioning = (n, lot, qty, ilmd, extra = {}) => ({
  type: 'ObjectEvent', eventID: id(n), eventTime: `2026-05-10T0${n}:00:00.000+08:00`, eventTimeZoneOffset: '+08:00',
  epcList: [], quantityList: [{ epcClass: lot, quantity: qty, uom: 'KGM' }], action: 'ADD',
  bizStep: 'commissioning', disposition: 'active', readPoint: { id: 'urn:epc:id:sgln:9521234.54321.0' },
  ilmd, ...extra,
});
const inspection = (n, sensorElementList, extra = {}) => ({
  type: 'ObjectEvent', eventID: id(n), eventTime: `2026-05-10T1${n}:00:00.000+08:00`, eventTimeZoneOffset: '+08:00',
  epcList: [], quantityList: [{ epcClass: LOT_A, quantity: 200, uom: 'KGM' }], action: 'OBSERVE',
  bizStep: 'inspecting', readPoint: { id: 'urn:epc:id:sgln:9521234.54321.0' }, sensorElementList, ...extra,
});
const EVENTS = [
  commissioning(1, LOT_A, 200, {
    'cbvmda:countryOfOrigin': 'CN', 'cbvmda:itemExpirationDate': '2027-03-31',
    'ex:harvest': { 'ex:field': 'north', 'ex:moisture': 14.5 },
  }, { 'ex:batchNote': 'first' }),
  commissioning(2, LOT_B, 150, {
    'cbvmda:countryOfOrigin': 'DE', 'cbvmda:itemExpirationDate': '2026-12-31',
    'ex:harvest': { 'ex:field': 'south', 'ex:moisture': 16 },
  }, { 'ex:batchNote': 'second' }),
  inspection(3, [{
    sensorMetadata: { time: '2026-05-10T09:05:00.000+08:00', deviceID: 'urn:epc:id:giai:4000001.111',
      dataProcessingMethod: 'https://example.com/gdti/4012345000054987' },
    sensorReport: [
      { type: 'gs1:Temperature', value: 26.0, uom: 'CEL', minValue: 24.5, maxValue: 27.2, meanValue: 26.0, sDev: 0.8 },
      { type: 'AbsoluteHumidity', value: 12.1, uom: 'A93' },
    ],
  }]),
  // cold, but a speed of 26 km/h: GT_value_CEL=20 must not match it
  inspection(4, [{
    sensorMetadata: { time: '2026-05-10T15:00:00.000+08:00', deviceID: 'urn:epc:id:giai:4000001.222' },
    sensorReport: [
      { type: 'Temperature', value: 4.5, uom: 'CEL', maxValue: 6.0 },
      { type: 'Speed', value: 26, uom: 'KMH' },
      { type: 'Temperature', exception: 'ALARM_CONDITION', booleanValue: true, stringValue: 'door open' },
    ],
  }], { persistentDisposition: { set: ['needs_replacement'] } }),
];
const docOf = (events) => ({ '@context': [CTX, { ex: EX }], type: 'EPCISDocument', schemaVersion: '2.0',
  creationDate: '2026-05-10T16:00:00Z', epcisBody: { eventList: events } });

async function capture(url, token, events) {
  const res = await fetch(`${url}/api/v1/epcis/capture`, { method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' }, body: JSON.stringify(docOf(events)) });
  assert.equal(res.status, 202, await res.text());
  const j = await fetch(url + res.headers.get('location'), { headers: { authorization: `Bearer ${token}` } });
  const job = await j.json();
  assert.equal(job.captured, events.length, JSON.stringify(job));
}

// Which of this file's events a query returns ("1".."4"), in capture order.
async function which(params) {
  const r = await api('GET', `/api/v1/epcis/events?${DAY}&${params}`, { token: tokenFor('admin') });
  assert.equal(r.status, 200, `${params}: ${r.text}`);
  return r.json.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID.slice(-1)).sort().join(',');
}
const q = encodeURIComponent;

test('the ILMD and sensor events are captured', async () => {
  await capture(URL_, tokenFor('admin'), EVENTS);
  assert.equal(await which(''), '1,2,3,4');
});

test('ILMD parameters: EQ, GT/LT, EXISTS, INNER', async () => {
  assert.equal(await which(`${q('EQ_ILMD_cbvmda:countryOfOrigin')}=CN`), '1');
  assert.equal(await which(`${q('EQ_ILMD_cbvmda:countryOfOrigin')}=${q('CN|DE')}`), '1,2');
  assert.equal(await which(`${q('EQ_ILMD_cbvmda:countryOfOrigin')}=FR`), '');
  assert.equal(await which(`${q('GT_ILMD_cbvmda:itemExpirationDate')}=2027-01-01`), '1');
  assert.equal(await which(`${q('LE_ILMD_cbvmda:itemExpirationDate')}=2026-12-31`), '2');
  assert.equal(await which(q('EXISTS_ILMD_cbvmda:countryOfOrigin')), '1,2');
  // a field nested in another ILMD field is found only with INNER
  assert.equal(await which(`${q('EQ_ILMD_ex:field')}=south`), '');
  assert.equal(await which(`${q('EQ_INNER_ILMD_ex:field')}=south`), '2');
  assert.equal(await which(`${q('GE_INNER_ILMD_ex:moisture')}=15`), '2');
  assert.equal(await which(`${q('LT_INNER_ILMD_ex:moisture')}=15`), '1');
  assert.equal(await which(q('EXISTS_INNER_ILMD_ex:moisture')), '1,2');
  assert.equal(await which(q('EXISTS_INNER_ILMD_ex:colour')), '');
});

test('quantity parameters with a unit: EQ_quantity_KGM and friends', async () => {
  assert.equal(await which('EQ_quantity_KGM=150'), '2');
  assert.equal(await which('GT_quantity_KGM=150'), '1,3,4');
  assert.equal(await which('EQ_quantity_LTR=150'), '');
  assertProblem(assert, await api('GET', '/api/v1/epcis/events?EQ_quantity_kg=150', { token: tokenFor('admin') }), 400,
    'EQ_quantity_kg');
});

test('extension field parameters on the event itself', async () => {
  assert.equal(await which(`${q('EQ_ex:batchNote')}=first`), '1');
  assert.equal(await which(q('EXISTS_ex:batchNote')), '1,2');
  // an ILMD field is not an event-level field
  assert.equal(await which(`${q('EQ_cbvmda:countryOfOrigin')}=CN`), '');
});

test('sensor parameters: value with its unit in the same report, min/max, type, device, time', async () => {
  assert.equal(await which('EXISTS_sensorElement'), '3,4');
  assert.equal(await which('GT_value_CEL=20'), '3');
  assert.equal(await which('LT_value_CEL=10'), '4');
  assert.equal(await which('GE_value_KMH=26'), '4');
  assert.equal(await which('EQ_value_CEL=26'), '3');
  assert.equal(await which('GE_maxValue_CEL=6'), '3,4');
  assert.equal(await which('GT_maxValue_CEL=6'), '3');
  assert.equal(await which('LT_minValue_CEL=25'), '3');
  assert.equal(await which('LE_sDev_CEL=1'), '3');
  assert.equal(await which(`EQ_type=${q('gs1:AbsoluteHumidity')}`), '3');
  assert.equal(await which('EQ_type=Temperature'), '3,4');
  assert.equal(await which(`EQ_deviceID=${q('urn:epc:id:giai:4000001.222')}`), '4');
  assert.equal(await which(`EQ_deviceID=${q('https://id.gs1.org/8004/4000001111')}`), '3');
  assert.equal(await which(`EQ_dataProcessingMethod=${q('https://example.com/gdti/4012345000054987')}`), '3');
  assert.equal(await which(`GE_time=${q('2026-05-10T12:00:00+08:00')}`), '4');
  assert.equal(await which(`LT_time=${q('2026-05-10T02:00:00Z')}`), '3'); // 10:00 at +08:00
  assert.equal(await which('EQ_booleanValue=true'), '4');
  assert.equal(await which(`EQ_stringValue=${q('door open')}`), '4');
});

test('persistent disposition parameters', async () => {
  assert.equal(await which('EQ_persistentDisposition_set=needs_replacement'), '4');
  assert.equal(await which(`EQ_persistentDisposition_set=${q('urn:epcglobal:cbv:disp:needs_replacement|damaged')}`), '4');
  assert.equal(await which('EQ_persistentDisposition_unset=needs_replacement'), '');
});

test('bad parameter values are a 400 naming the parameter', async () => {
  const admin = tokenFor('admin');
  for (const [p, field] of [['GT_value_CEL=warm', 'GT_value_CEL'], ['GT_value_celsius=3', 'GT_value_celsius'],
    ['EQ_booleanValue=yes', 'EQ_booleanValue'], [`GE_time=${q('2026-05-10 12:00')}`, 'GE_time'],
    [`${q('EQ_ILMD_ex:a"b')}=1`, 'EQ_ILMD_ex:a"b'], ['EQ_value_CEL=', 'EQ_value_CEL']]) {
    assertProblem(assert, await api('GET', `/api/v1/epcis/events?${p}`, { token: admin }), 400, field);
  }
});

test('a named query with ILMD parameters stores and runs them', async () => {
  const admin = tokenFor('admin');
  const name = `ilmd_cn_${run}`;
  let r = await api('POST', '/api/v1/epcis/queries', { token: admin,
    body: { name, query: { 'EQ_ILMD_cbvmda:countryOfOrigin': ['CN'], GE_eventTime: '2026-05-10T00:00:00+08:00', LT_eventTime: '2026-05-11T00:00:00+08:00' } } });
  assert.equal(r.status, 201, r.text);
  r = await api('GET', `/api/v1/epcis/queries/${name}/events`, { token: admin });
  assert.deepEqual(r.json.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID), [id(1)]);
  r = await api('POST', '/api/v1/epcis/queries', { token: admin, body: { name: `${name}x`, query: { GT_value_CEL: 'hot' } } });
  assertProblem(assert, r, 422, 'query/GT_value_CEL');
});

// ---- scheduled subscriptions, on a server of our own ------------------------

const EVEN = { second: Array.from({ length: 30 }, (_, i) => 2 * i).join(',') };

test('scheduled subscriptions: one delivery per run, reportIfEmpty, signed, no duplicates', async (t) => {
  const db = freshDb('tqx');
  runOn(db, ['init']);
  runOn(db, ['trace', 'demo']);
  const token = runOn(db, ['token', 'add', '--role', 'admin', 'sched']).trim().split('\n').pop();
  const { p, url } = await startServer(db, { NQI_TRACE_SUB_POLL_MS: '100', NQI_TRACE_SUB_RETRY_MS: '200' });
  const got = { always: [], quiet: [], flaky: [] };
  const recv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const g = got[req.url.slice(1)];
      g.push({ at: Date.now(), headers: req.headers, body, doc: JSON.parse(body) });
      res.statusCode = req.url === '/flaky' && g.length === 1 ? 503 : 204; // flaky: the first attempt fails
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
  const base = `http://127.0.0.1:${recv.address().port}`;
  const subs = '/api/v1/epcis/queries/rice_lot/subscriptions';
  // a schedule is checked field by field; a subscription is a stream or scheduled
  r = await call('POST', subs, { dest: `${base}/always`, schedule: { hour: '24' } });
  assert.equal(r.status, 422, r.text);
  assert.ok(r.json.errors.some((e) => e.field === 'schedule.hour'), r.text);
  r = await call('POST', subs, { dest: `${base}/always`, schedule: { minute: '[30-10]', dayOfWeek: '8' } });
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['schedule.dayOfWeek', 'schedule.minute']);
  r = await call('POST', subs, { dest: `${base}/always`, schedule: { month: '2', dayOfMonth: '30' } });
  assert.ok(r.json.errors.some((e) => e.field === 'schedule.dayOfMonth'), r.text);
  r = await call('POST', subs, { dest: `${base}/always`, stream: true, schedule: EVEN });
  assert.ok(r.json.errors.some((e) => e.field === 'stream'), r.text);
  r = await call('POST', subs, { dest: `${base}/always`, stream: false });
  assert.ok(r.json.errors.some((e) => e.field === 'schedule'), r.text);

  const secret = 'wuchang-rice-schedule-secret';
  const t0 = Date.now();
  r = await call('POST', subs, { dest: `${base}/always`, signatureToken: secret, schedule: EVEN, reportIfEmpty: true,
    initialRecordTime: '2000-01-01T00:00:00Z' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.stream, false);
  assert.equal(r.json.reportIfEmpty, true);
  assert.deepEqual(r.json.schedule, EVEN);
  const nextRun = Date.parse(r.json.nextRun);
  assert.ok(nextRun > t0 - 1000 && nextRun <= t0 + 2000 && new Date(nextRun).getUTCSeconds() % 2 === 0, r.json.nextRun);
  const always = r.json.subscriptionID;
  r = await call('POST', subs, { dest: `${base}/quiet`, signatureToken: secret, schedule: EVEN, reportIfEmpty: false,
    initialRecordTime: '2000-01-01T00:00:00Z' });
  assert.equal(r.status, 201, r.text);
  r = await call('POST', subs, { dest: `${base}/flaky`, signatureToken: secret, schedule: EVEN,
    initialRecordTime: '2000-01-01T00:00:00Z' });
  assert.equal(r.status, 201, r.text);

  await sleep(5200);
  // reportIfEmpty: a document at every run (about every 2 s), the first with the
  // rice lot's four events, the later ones empty
  const a = got.always;
  assert.ok(a.length >= 2 && a.length <= 4, `runs seen: ${a.length}`);
  const lists = a.map((g) => g.doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID.slice(-2)));
  assert.deepEqual(lists[0], ['08', '10', '11', '18']);
  for (const l of lists.slice(1)) assert.deepEqual(l, []);
  // runs are 2 s apart; a second send of one run would follow within a poll (100 ms)
  for (let i = 1; i < a.length; i++) assert.ok(a[i].at - a[i - 1].at >= 800, 'one delivery per run');
  for (const g of [...a, ...got.quiet]) {
    assert.equal(g.headers['gs1-signature'], crypto.createHmac('sha256', secret).update(g.body).digest('base64'));
    assert.equal(g.doc.type, 'EPCISQueryDocument');
    assert.equal(g.doc.epcisBody.queryResults.queryName, 'rice_lot');
  }
  assert.equal(a[0].doc.epcisBody.queryResults.subscriptionID, always);
  // without reportIfEmpty: the one run that had something, nothing since
  assert.equal(got.quiet.length, 1);
  assert.deepEqual(got.quiet[0].doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID.slice(-2)),
    ['08', '10', '11', '18']);

  // a failed run is retried from the same position (advance only on 2xx), then nothing more
  const ids = (g) => g.doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID.slice(-2));
  assert.equal(got.flaky.length, 2);
  assert.deepEqual(got.flaky.map(ids), [['08', '10', '11', '18'], ['08', '10', '11', '18']]);

  // a new event of the lot: the next run of each subscription carries it, once
  const fresh = { type: 'ObjectEvent', eventID: `urn:uuid:${crypto.randomUUID()}`, eventTime: '2026-10-20T09:00:00.000+08:00',
    eventTimeZoneOffset: '+08:00', epcList: [], quantityList: [{ epcClass: RICE_LOT, quantity: 20, uom: 'KGM' }],
    action: 'OBSERVE', bizStep: 'inspecting', readPoint: { id: 'urn:epc:id:sgln:9506000.00005.0' } };
  const before = { always: got.always.length, quiet: got.quiet.length };
  await capture(url, token, [fresh]);
  await sleep(4500);
  assert.equal(got.quiet.length, 2);
  assert.equal(got.flaky.length, 3);
  assert.deepEqual(got.flaky[2].doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID), [fresh.eventID]);
  assert.deepEqual(got.quiet[1].doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID), [fresh.eventID]);
  const later = got.always.slice(before.always).map((g) => g.doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID));
  assert.equal(later.filter((l) => l.includes(fresh.eventID)).length, 1, 'delivered once');
  r = await call('GET', subs);
  assert.equal(r.json.items.length, 3);
  for (const s of r.json.items) {
    assert.equal(s.last_status, 'delivered');
    assert.ok(Date.parse(s.nextRun) > Date.now() - 1000);
  }
});
