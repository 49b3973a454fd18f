// Validity confirmation (标准有效性确认) against the real server:
// POST /api/v1/validity/check and /reports, GET /api/v1/validity/{uid}[/export],
// the public-log proof of a stored report verified offline with `nqi verify`,
// the limits and the problem documents, and `nqi check`.
// The catalogue rows use an enterprise code unique to this run (the suite's
// database persists between test files).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { api, assertProblem, cli, tokenFor, URL_, BACKEND, TMP, BIN, DB } from './lib.mjs';

const org = 'V' + Array.from({ length: 5 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('');
const num = (n, y) => `Q/${org} ${String(n).padStart(4, '0')}${y ? '-' + y : ''}`;
const AS_OF = '2024-06-01';

before(async () => {
  const csv = [
    '标准号,标准名称,状态,发布日期,实施日期,废止日期,代替标准,被代替标准',
    `${num(1, 2004)},卓越绩效评价准则,,2004-08-30,2005-01-01,2012-08-01,,`,
    `${num(1, 2012)},卓越绩效评价准则,,2012-03-09,2012-08-01,,${num(1, 2004)},`,
    `${num(2, 2024)},食品添加剂使用规范,,2024-02-08,2099-02-08,,,`,
    `${num(3, 2010)},职业健康安全管理体系 实施指南,废止,2010-01-01,2010-02-01,2020-03-06,,`,
    `${num(4, 2014)},建筑设计防火规范,,2014-08-27,2015-05-01,,,${num(5, 2022)}(部分)`,
    `${num(5, 2022)},建筑防火通用规范,,2022-12-27,2023-06-01,,,`,
    '',
  ].join('\n');
  const r = await api('POST', '/api/v1/standards/import?source=validity-test', {
    token: tokenFor('admin'), raw: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
});

const byLine = (rep) => Object.fromEntries(rep.items.map((i) => [i.line, i]));

test('check: messy lines, statuses as of a date, current edition, partial, candidates, unparsed', async () => {
  const lines = [
    num(1, 2004).toLowerCase().replace(' ', '') + ' 卓越绩效评价准则',
    '',
    `1、${num(1)}`,
    `《建筑设计防火规范》${num(4, 2014)}`,
    num(2, 2024),
    num(3, 2010),
    num(1, 2008),
    'ISO 9001:2015',
  ];
  const r = await api('POST', '/api/v1/validity/check', { body: { as_of: AS_OF, lines } });
  assert.equal(r.status, 200, r.text);
  const rep = r.json;
  assert.equal(rep.id, null);
  assert.equal(rep.publog_index, null);
  assert.equal(rep.as_of, AS_OF);
  assert.equal(rep.items.length, 7, 'the blank line is skipped');
  const it = byLine(rep);
  assert.equal(it[1].number, num(1, 2004));
  assert.equal(it[1].status, 'replaced');
  assert.equal(it[1].current.number, num(1, 2012));
  assert.equal(it[1].current.status, 'in_force');
  assert.equal(it[1].input, lines[0]);
  assert.equal(it[3].number, num(1, 2012), 'year-less: the current edition');
  assert.equal(it[3].undated, true);
  assert.equal(it[3].status, 'in_force');
  assert.equal(it[4].status, 'in_force');
  assert.equal(it[4].partial, true);
  assert.deepEqual(it[4].partial_by, [num(5, 2022)]);
  assert.equal(it[5].status, 'upcoming');
  assert.equal(it[6].status, 'withdrawn');
  assert.equal(it[7].status, 'not_found');
  assert.deepEqual(it[7].candidates.map((c) => c.number), [num(1, 2012), num(1, 2004)]);
  assert.equal(it[8].status, 'unparsed');
  assert.equal(it[8].recognised, false);
  assert.match(it[8].error, /ISO/);
  assert.deepEqual(rep.summary, { in_force: 2, upcoming: 1, withdrawn: 1, replaced: 1, not_found: 1, unparsed: 1 });

  // before the 2012 edition took effect the 2004 edition was in force
  const early = await api('POST', '/api/v1/validity/check', { body: { as_of: '2012-07-31', lines: [num(1, 2004)] } });
  assert.equal(early.json.items[0].status, 'in_force');
  assert.equal(early.json.items[0].current, null);
});

test('check: text/plain and GB18030 bodies take as_of from the query', async () => {
  const text = `${num(1, 2004)}\r\n${num(1, 2012)} 卓越绩效评价准则\r\n`;
  let r = await api('POST', '/api/v1/validity/check?as_of=2013-01-01', {
    raw: text, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((i) => i.status), ['replaced', 'in_force']);
  const gb = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  assert.equal(gb.status, 0);
  assert.notDeepEqual(gb.stdout, Buffer.from(text));
  r = await api('POST', '/api/v1/validity/check?as_of=2013-01-01', {
    raw: gb.stdout, headers: { 'content-type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items[1].input, `${num(1, 2012)} 卓越绩效评价准则`);
});

test('check: limits and problems (413 names the limit, 422 names the field, 415)', async () => {
  const many = Array.from({ length: 100001 }, () => 'GB/T 19580-2012');
  let r = await api('POST', '/api/v1/validity/check', { body: { lines: many } });
  assertProblem(assert, r, 413, 'lines');
  assert.match(r.text, /100000/);
  r = await api('POST', '/api/v1/validity/check', {
    raw: many.join('\n'), headers: { 'content-type': 'text/plain' } });
  assertProblem(assert, r, 413, 'lines');
  assert.match(r.text, /100000/);

  r = await api('POST', '/api/v1/validity/check', { body: { lines: ['x'], colour: 'red' } });
  assertProblem(assert, r, 422, 'colour');
  r = await api('POST', '/api/v1/validity/check', { body: { lines: ['x'], as_of: '2024-13-45' } });
  assertProblem(assert, r, 422, 'as_of');
  r = await api('POST', '/api/v1/validity/check?as_of=tomorrow', {
    raw: 'GB/T 19580-2012', headers: { 'content-type': 'text/plain' } });
  assertProblem(assert, r, 422, 'as_of');
  r = await api('POST', '/api/v1/validity/check', { body: { lines: ['GB/T 1', 7] } });
  assertProblem(assert, r, 422, 'lines/1');
  r = await api('POST', '/api/v1/validity/check', { body: { as_of: AS_OF } });
  assertProblem(assert, r, 422, 'lines');
  r = await api('POST', '/api/v1/validity/check', { body: { lines: ['', '  '] } });
  assertProblem(assert, r, 422, 'lines');
  r = await api('POST', '/api/v1/validity/check', {
    raw: Buffer.from([0x47, 0x42, 0xff, 0xfe, 0x0a]), headers: { 'content-type': 'text/plain' } });
  assertProblem(assert, r, 422, 'body');
  r = await api('POST', '/api/v1/validity/check', { raw: '<x/>', headers: { 'content-type': 'application/xml' } });
  assertProblem(assert, r, 415);
  r = await api('POST', '/api/v1/validity/check', { raw: '{"lines": [', headers: { 'content-type': 'application/json' } });
  assertProblem(assert, r, 400);
});

// The canonical form of the result: keys sorted, compact (jansson's
// JSON_COMPACT | JSON_SORT_KEYS is the same bytes for this content).
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

test('reports: stored as a public record, fetched by uid, proof verifies offline with nqi verify', async () => {
  const body = { as_of: AS_OF, lines: [num(1, 2004), num(1, 2012), '见附件'] };
  let r = await api('POST', '/api/v1/validity/reports', { body });
  assertProblem(assert, r, 401);
  r = await api('POST', '/api/v1/validity/reports', { token: tokenFor('enterprise'), body });
  assert.equal(r.status, 201, r.text);
  const rep = r.json;
  assert.match(rep.id, /^[a-z2-7]{24}$/);
  assert.equal(r.headers.get('location'), `/api/v1/validity/${rep.id}`);
  assert.equal(rep.verify_url, `/validity/${rep.id}`);
  assert.equal(typeof rep.publog_index, 'number');
  assert.equal(rep.line_count, 3);

  const got = await api('GET', `/api/v1/validity/${rep.id}`);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.json.items, rep.items);
  assert.deepEqual(got.json.summary, { in_force: 1, upcoming: 0, withdrawn: 0, replaced: 1, not_found: 0, unparsed: 1 });
  assert.equal(got.json.proof, `/api/v1/log/proof/${rep.publog_index}`);
  const crypto = await import('node:crypto');
  const hash = crypto.createHash('sha256').update(canonical(got.json.items)).digest('hex');
  assert.equal(got.json.result_hash, hash, 'anyone can recompute the result hash');

  const proof = await api('GET', got.json.proof);
  assert.equal(proof.status, 200, proof.text);
  const leaf = JSON.parse(proof.json.leaf.data);
  assert.equal(leaf.kind, 'validity.report');
  assert.equal(leaf.record_id, rep.id);
  assert.deepEqual(Object.keys(leaf.record).sort(),
    ['as_of', 'created_at', 'line_count', 'result_hash', 'summary', 'uid']);
  assert.equal(leaf.record.result_hash, hash);
  assert.equal(leaf.record.as_of, AS_OF);
  assert.ok(!proof.json.leaf.data.includes('卓越绩效评价准则'), 'the leaf holds the hash, not the result');
  const head = await api('GET', '/api/v1/log/head');
  const file = path.join(TMP, `validity-proof-${BACKEND}.json`);
  fs.writeFileSync(file, proof.text);
  const v = cli(['verify', file, '--key', head.json.public_key]);
  assert.equal(v.status, 0, v.stderr + v.stdout);

  assertProblem(assert, await api('GET', '/api/v1/validity/aaaaaaaaaaaaaaaaaaaaaaaa'), 404);
  assertProblem(assert, await api('GET', '/api/v1/validity/nope'), 404);

  // exports: a real xlsx (zip) and a CSV with a BOM
  let res = await fetch(`${URL_}/api/v1/validity/${rep.id}/export?format=xlsx`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(res.headers.get('content-disposition'), new RegExp(`validity-${rep.id}\\.xlsx`));
  const x = Buffer.from(await res.arrayBuffer());
  assert.equal(x.subarray(0, 2).toString(), 'PK');
  assert.ok(x.includes(Buffer.from('xl/media/image1.png')), 'the QR code is in the workbook');
  res = await fetch(`${URL_}/api/v1/validity/${rep.id}/export?format=csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  const csv = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(csv.toString(), /被代替/);
  const bad = await api('GET', `/api/v1/validity/${rep.id}/export?format=pdf`);
  assertProblem(assert, bad, 422, 'format');
});

test('nqi check prints one line per reference with the canonical number, or the JSON report', () => {
  const file = path.join(TMP, `validity-check-${BACKEND}.txt`);
  fs.writeFileSync(file, `${num(1, 2004).toLowerCase()}\n\n${num(3, 2010)}\nISO 9001\n`);
  let r = cli(['check', file, '--as-of', AS_OF]);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^\d/.test(l));
  assert.equal(rows.length, 3);
  assert.ok(rows[0].includes(num(1, 2004)) && rows[0].includes(num(1, 2012)), rows[0]);
  assert.ok(rows[1].includes('废止'), rows[1]);
  r = cli(['check', file, '--as-of', AS_OF, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.items[0].status, 'replaced');
  assert.equal(rep.items[1].line, 3);
  const expectExit = (args, code) => {
    const x = spawnSync(BIN, args, { env: { ...process.env, NQI_DB: DB }, encoding: 'utf8' });
    assert.equal(x.status, code,
      `nqi ${args.join(' ')}: status ${x.status}, signal ${x.signal}, error ${x.error}, stderr ${x.stderr}`);
  };
  expectExit(['check', path.join(TMP, 'no-such-file.txt')], 1);
  expectExit(['check', file, '--as-of', 'someday'], 2);
  expectExit(['check'], 2);
});
