// The consumer trace page's links (docs/modules/consumer-page.md): certificates carried by the
// lot's public events (EPCIS 2.0 certificationInfo, CBV cbvmda:certificationList in the ILMD), the
// producer's published spot-check results for this product (this lot first), its public credit
// page; never an unpublished result, a result about another product, or another party's private
// event. Events go through the real capture endpoint, results through the spot-check API.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, cli, tokenFor, uniq } from './lib.mjs';

const CTX = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const NQI_NS = { nqi: 'https://nqi.example.cn/epcis/' };
const GTIN = '09506000134352'; // GS1's example GTIN (General Specifications)
const INPUT_GTIN = '09506000134376';
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function checkChar(code17) { // GB 32100 check character
  let s = 0, w = 1;
  for (let i = 0; i < 17; i++) { s += CHARSET.indexOf(code17[i]) * w; w = (w * 3) % 31; }
  const c = 31 - (s % 31);
  return CHARSET[c === 31 ? 0 : c];
}
const REGION = `23${String(1000 + Math.floor(Math.random() * 9000))}`;
const seq = Math.floor(Math.random() * 9e6);
const code = (i) => { const c17 = `91${REGION}MA${String(seq + i).padStart(7, '0')}`; return c17 + checkChar(c17); };
const PRODUCER = code(0), OTHER = code(1);
const reg = () => tokenFor('regulator');
const orgToken = (org) => {
  const r = cli(['token', 'add', '--role', 'enterprise', '--org', org, uniq('cl-')]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').pop();
};
const lot = uniq('CL').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 20);
const lotDL = `https://id.gs1.org/01/${GTIN}/10/${lot}`;
const inDL = `https://id.gs1.org/01/${INPUT_GTIN}/10/${lot.slice(0, 16)}IN`;
const page = `/t/01/${GTIN}/10/${lot}`;
const ORGANIC = `https://cx.cnca.cn/cert/${lot}`;

async function capture(token, eventList) {
  const doc = { '@context': [CTX, NQI_NS], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-10-05T09:00:00Z', epcisBody: { eventList } };
  const c = await api('POST', '/api/v1/epcis/capture', { token, raw: JSON.stringify(doc), headers: { 'content-type': 'application/ld+json' } });
  assert.equal(c.status, 202, c.text);
  const job = await api('GET', c.headers.get('location'), { token });
  assert.equal(job.json.status, 'success', job.text);
}

async function spotSample(check, { batch, product = '大米', measured = '0.03 mg/kg', pass = true, publish = true }) {
  let r = await api('POST', `/api/v1/spot-checks/${check}/samples`, { token: reg(), body: {
    sample_no: uniq('SC').toUpperCase().replace(/[^A-Z0-9]/g, ''), product, specification: '5kg/袋', batch,
    producer_code: PRODUCER, sampled_on: '2026-10-12', quantity: '4袋' } });
  assert.equal(r.status, 201, r.text);
  const sid = r.json.id;
  r = await api('PUT', `/api/v1/spot-checks/samples/${sid}/results`, { token: reg(), body: { tested_on: '2026-10-20', items: [
    { item: '镉（以Cd计）', standard: 'GB 2762-2022', requirement: '≤0.2 mg/kg', measured, pass },
    { item: '黄曲霉毒素B1', standard: 'GB 2761-2017', requirement: '≤10 μg/kg', measured: '未检出', pass: true }] } });
  assert.equal(r.status, 200, r.text);
  if (publish) {
    r = await api('POST', `/api/v1/spot-checks/samples/${sid}/publish`, { token: reg() });
    assert.ok(r.status === 200 || r.status === 201, r.text);
    return r.json.id; // publication id
  }
  return null;
}

let passPub, failPub;

test('setup: producer in the directory, its public events with certificates, another party\'s private event', async () => {
  const csv = ['统一社会信用代码,企业名称,行业,区划代码,信用等级',
    `${PRODUCER},五常市稻丰米业有限公司,食品生产,${REGION},A`,
    `${OTHER},哈尔滨北冷链仓储有限公司,道路货物运输,${REGION},B`].join('\n') + '\n';
  const r = await api('POST', '/api/v1/entities/import', { token: tokenFor('admin'), raw: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);

  const producer = orgToken(PRODUCER);
  await capture(producer, [
    { type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active',
      eventTime: '2026-08-01T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: inDL, quantity: 500, uom: 'KGM' }],
      readPoint: { id: 'urn:epc:id:sgln:9506000.13435.0' },
      certificationInfo: ['https://www.greenfood.org.cn/', 'urn:example:cert:farm-2026'] },
    { type: 'TransformationEvent', bizStep: 'commissioning', disposition: 'active',
      eventTime: '2026-08-03T08:30:00.000+08:00', eventTimeZoneOffset: '+08:00',
      inputQuantityList: [{ epcClass: inDL, quantity: 500, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: lotDL, quantity: 90, uom: 'EA' }],
      readPoint: { id: 'urn:epc:id:sgln:9506000.13435.0' },
      certificationInfo: ORGANIC,
      ilmd: { 'nqi:productName': '五常大米（稻花香2号）5kg', 'cbvmda:itemExpirationDate': '2027-10-02',
        'cbvmda:certificationList': { certification: [{ certificationStandard: 'GB/T 19630-2019',
          certificationAgency: '中绿华夏有机产品认证中心', certificationValue: '有机产品认证（加工）',
          certificationIdentification: `010OP${lot.slice(-6)}` }] } },
      'nqi:placeName': '五常市稻丰米业加工厂' },
  ]);
  // the DC's receiving event names the lot but stays private
  await capture(orgToken(OTHER), [
    { type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress',
      eventTime: '2026-08-06T16:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: lotDL, quantity: 90, uom: 'EA' }],
      readPoint: { id: 'urn:epc:id:sgln:9506000.00046.0' },
      certificationInfo: 'https://private.example.com/cold-chain-cert',
      'nqi:placeName': '北冷链秘密三号库' },
  ]);
  assert.equal((await api('GET', page)).status, 404, 'nothing public yet');
  const p = await api('POST', '/api/v1/trace/publish', { token: producer, body: { ids: [lotDL] } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.changed, 2, p.text);
  assert.ok(p.json.skipped_other_owners >= 1, p.text);
});

test('setup: the producer\'s spot-check results: this lot (published), another batch (published, failed), unpublished, another product', async () => {
  let r = await api('POST', '/api/v1/spot-checks', { token: reg(), body: { name: uniq('大米产品质量监督抽查'), year: 2026, product: '大米', department: '黑龙江省市场监督管理局', lab: '黑龙江省产品质量监督检验研究院' } });
  assert.equal(r.status, 201, r.text);
  const check = r.json.id;
  passPub = await spotSample(check, { batch: lot });
  failPub = await spotSample(check, { batch: 'DHX250901', measured: '0.31 mg/kg', pass: false });
  r = await api('POST', '/api/v1/spot-checks', { token: reg(), body: { name: '未公开抽查QX7', year: 2026, product: '大米', lab: '未公开实验室QX7' } });
  await spotSample(r.json.id, { batch: lot, measured: '0.40 mg/kg', pass: false, publish: false });
  r = await api('POST', '/api/v1/spot-checks', { token: reg(), body: { name: '小麦粉抽查QW9', year: 2026, product: '小麦粉', lab: '面粉实验室QW9' } });
  await spotSample(r.json.id, { batch: 'F2026', product: '小麦粉' });
});

test('the page shows the published reports (this lot first), the certificates and the credit page link', async () => {
  const r = await api('GET', page);
  assert.equal(r.status, 200, r.text);
  const html = r.text;
  // reports: the lot's own passed result, then the failed other batch, with their colours
  const reports = html.split('data-test="report"').slice(1);
  assert.equal(reports.length, 2, html);
  assert.match(reports[0], /本批次抽检/);
  assert.match(reports[0], new RegExp(`生产日期/批号：${lot}`));
  assert.match(reports[0], /<span class="ok" data-test="verdict">合格<\/span>/);
  assert.match(reports[0], /GB 2761-2017、GB 2762-2022/);
  assert.match(reports[0], /黑龙江省市场监督管理局/);
  assert.match(reports[0], new RegExp(`href="/t/reports/${passPub}"`));
  assert.match(reports[1], /同类产品抽检/);
  assert.match(reports[1], /<span class="bad" data-test="verdict">不合格<\/span>/);
  // certificates: the URI of the creating event, its ILMD certification, the input's two URIs
  assert.match(html, new RegExp(`href="${ORGANIC}"`));
  assert.match(html, /GB\/T 19630-2019/);
  assert.match(html, /中绿华夏有机产品认证中心/);
  assert.match(html, /href="https:\/\/www.greenfood.org.cn\/"/);
  assert.match(html, /urn:example:cert:farm-2026/);
  assert.doesNotMatch(html, /href="urn:/, 'only web URIs are links');
  // the producer and its public credit page; the class is not public
  assert.match(html, /五常市稻丰米业有限公司/);
  assert.match(html, new RegExp(`href="/supervision/credit/${PRODUCER}"`));
  // never: the unpublished result, another product's, the private event's data, the other party
  for (const hidden of ['未公开', 'QX7', '0.40 mg/kg', '小麦粉', 'QW9', 'private.example.com', '北冷链秘密三号库', OTHER, '哈尔滨北冷链'])
    assert.ok(!html.includes(hidden), `page shows ${hidden}`);
});

test('JSON links and the public record page agree; bad input names the field', async () => {
  let r = await api('GET', `/api/v1/trace/consumer-links?id=${encodeURIComponent(`urn:epc:class:lgtin:9506000.013435.${lot}`)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, lotDL);
  assert.equal(r.json.product, '五常大米（稻花香2号）5kg');
  assert.deepEqual(r.json.producer.reports.map((x) => [x.id, x.match, x.ok]), [[passPub, 'lot', true], [failPub, 'product', false]]);
  assert.equal(r.json.producer.in_directory, true);
  assert.equal(r.json.producer.credit_class, undefined);
  const certs = r.json.certificates;
  assert.equal(certs.length, 4, JSON.stringify(certs));
  assert.ok(certs.some((c) => c.standard === 'GB/T 19630-2019' && c.agency === '中绿华夏有机产品认证中心' && !c.link));
  assert.ok(certs.some((c) => c.link === ORGANIC));
  assert.ok(!certs.some((c) => (c.uri || '').includes('private')));

  r = await api('GET', `/t/reports/${passPub}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.text, /五常市稻丰米业有限公司/);
  assert.match(r.text, /<span class="ok" data-test="verdict">合格<\/span>/);
  assert.match(r.text, new RegExp(`/api/v1/inspections/public/${passPub}`));
  r = await api('GET', `/t/reports/${failPub}`);
  assert.match(r.text, /不合格项目：镉（以Cd计）（GB 2762-2022，标准要求 ≤0.2 mg\/kg，实测 0.31 mg\/kg）/);
  assert.equal((await api('GET', '/t/reports/999999999')).status, 404);
  assert.equal((await api('GET', '/t/reports/abc')).status, 404);

  assertProblem(assert, await api('GET', '/api/v1/trace/consumer-links'), 422, 'id');
  assertProblem(assert, await api('GET', `/api/v1/trace/consumer-links?id=${GTIN}`), 422, 'id');
  assertProblem(assert, await api('GET', `/api/v1/trace/consumer-links?id=${encodeURIComponent(`https://id.gs1.org/01/09506000134353/10/${lot}`)}`), 422, 'gtin');
  assert.equal((await api('GET', `/api/v1/trace/consumer-links?id=${encodeURIComponent(`https://id.gs1.org/01/${GTIN}/10/NOPE${lot.slice(0, 8)}`)}`)).status, 404);
});

test('capture refuses a certificationInfo that is not a URI, naming the element', async () => {
  const doc = { '@context': [CTX], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-10-05T09:00:00Z', epcisBody: { eventList: [
    { type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', eventTime: '2026-08-04T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: lotDL, quantity: 1, uom: 'EA' }], certificationInfo: ['https://cx.cnca.cn/', '有机证书'] }] } };
  const c = await api('POST', '/api/v1/epcis/capture', { token: orgToken(PRODUCER), raw: JSON.stringify(doc), headers: { 'content-type': 'application/ld+json' } });
  const errors = c.status === 202 ? (await api('GET', c.headers.get('location'), { token: tokenFor('admin') })).json.errors : c.json.errors;
  assert.ok(errors.some((e) => /certificationInfo\/1$/.test(e.field)), JSON.stringify(errors));
});
