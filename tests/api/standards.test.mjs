// Standards catalogue API (issue 3, docs/modules/standards-api-contract.md "Catalogue"):
// import (CSV UTF-8/GB18030, JSON, NDJSON, dry run, rejected rows, 413/415),
// search (两字 words, Traditional, pinyin, messy numbers, ICS, facets, paging,
// highlight), one record with its chain across a prefix change, export.
// Runs on SQLite and PostgreSQL (scripts/test.sh). Every run uses fresh numbers
// and a committee of its own, so filters isolate this file's rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, tokenFor, uniq } from './lib.mjs';

const admin = () => tokenFor('admin');
const committee = uniq('测试委员会-');
const n = 10000 + Math.floor(Math.random() * 80000); // base number for this run
const num = (k, year, prefix = 'GB/T') => `${prefix} ${n + k}-${year}`;

async function importCsv(csv, { token = admin(), query = '', type = 'text/csv' } = {}) {
  return api('POST', `/api/v1/standards/import${query}`, {
    token, raw: csv, headers: { 'content-type': type },
  });
}

const header = '标准号,标准名称,英文名称,发布日期,实施日期,废止日期,代替标准,ICS,CCS,归口单位\n';
const rows = [
  `${num(1, 2004)},质量管理 卓越绩效评价准则,Criteria,2004-08-30,2005-01-01,2012-08-01,,03.120.10,A00,${committee}`,
  `${num(1, 2012)},质量管理 卓越绩效评价准则,Criteria,2012/3/9,2012年8月1日,,${num(1, 2004)},03.120.10,A00,${committee}`,
  `${num(2, 2005)},示例焊接标准,,2005-01-01,2005-06-01,,,25.160.10,J33,${committee}`,
  `${num(2, 2030, 'GB')},示例焊接标准(强制),,2029-01-01,2030-01-01,,${num(2, 2005)},25.160.10,J33,${committee}`,
  `"${num(3, 2016)}","食品安全 ""引号"", 逗号",,2016-12-30,2017-07-01,,,67.220.20,X40,${committee}`,
];
const csv = '\ufeff' + header + rows.join('\r\n') + '\r\n';

test('import: CSV with BOM, then the same file again changes nothing', async () => {
  let r = await importCsv(csv, { query: '?dry_run=1' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inserted, 5);
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(num(1, 2012))}`);
  assert.equal(r.status, 404, 'dry run wrote nothing');

  r = await importCsv(csv, { query: '?source=api-test' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.rows, r.json.inserted, r.json.updated, r.json.unchanged], [5, 5, 0, 0]);
  r = await importCsv(csv, { query: '?source=api-test' });
  assert.deepEqual([r.json.inserted, r.json.updated, r.json.unchanged], [0, 0, 5]);

  // a changed title is an update with a change record
  const changed = header + rows[0].replace('卓越绩效评价准则', '卓越绩效评价准则(修订)') + '\n';
  r = await importCsv(changed, { query: '?source=api-test' });
  assert.deepEqual([r.json.inserted, r.json.updated, r.json.unchanged], [0, 1, 0]);
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(num(1, 2004))}`);
  assert.equal(r.status, 200);
  const ch = r.json.changes.find((c) => c.kind === 'updated');
  assert.ok(ch, r.text);
  assert.deepEqual(ch.detail.title_zh, ['质量管理 卓越绩效评价准则', '质量管理 卓越绩效评价准则(修订)']);
});

test('one record: messy and year-less numbers, chain across GB/T -> GB, 404/422', async () => {
  const messy = `gb／t${n + 1}—2012`;
  let r = await api('GET', `/api/v1/standards/${encodeURIComponent(messy)}?as_of=2020-01-01`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.number, num(1, 2012));
  assert.equal(r.json.status, 'in_force');
  assert.equal(r.json.implemented_on, '2012-08-01');
  assert.deepEqual(r.json.replaces, [{ number: num(1, 2004), partial: false }]);
  assert.deepEqual(r.json.chain.map((c) => [c.number, c.status]),
    [[num(1, 2004), 'replaced'], [num(1, 2012), 'in_force']]);

  r = await api('GET', `/api/v1/standards/${encodeURIComponent(`GB/T ${n + 1}`)}`);
  assert.equal(r.json.number, num(1, 2012), 'year-less = current edition');

  r = await api('GET', `/api/v1/standards/${encodeURIComponent(num(2, 2005))}?as_of=2031-01-01`);
  assert.equal(r.json.status, 'replaced');
  assert.deepEqual(r.json.replaced_by, [{ number: num(2, 2030, 'GB'), partial: false }]);
  assert.deepEqual(r.json.chain.map((c) => c.number), [num(2, 2005), num(2, 2030, 'GB')]);
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(num(2, 2030, 'GB'))}?as_of=2029-12-31`);
  assert.equal(r.json.status, 'upcoming');
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(num(2, 2030, 'GB'))}?as_of=2030-01-01`);
  assert.equal(r.json.status, 'in_force', 'in force on its implementation day');

  assertProblem(assert, await api('GET', `/api/v1/standards/${encodeURIComponent(num(9, 1999))}`), 404, 'number');
  assertProblem(assert, await api('GET', '/api/v1/standards/not-a-number'), 422, 'number');
  assertProblem(assert, await api('GET', '/api/v1/standards/999999'), 422, 'number');
});

async function search(params) {
  const qs = new URLSearchParams({ committee, ...params });
  const r = await api('GET', `/api/v1/standards?${qs}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('search: 两字 words, Traditional, pinyin, numbers, ICS/CCS, highlight', async () => {
  let s = await search({ q: '质量' });
  assert.equal(s.total, 2);
  assert.equal(s.total_exact, true, 'fewer matches than the bound: exact total and facets');
  assert.equal(s.facets_exact, true);
  assert.equal(s.bound, undefined);
  assert.ok(s.items.every((i) => i.highlight.title_zh.startsWith('<mark>质量</mark>')), JSON.stringify(s.items));
  s = await search({ q: '質量管理' });
  assert.equal(s.total, 2);
  s = await search({ q: 'zhiliang' });
  assert.equal(s.total, 2);
  s = await search({ q: `GB/T ${n + 1}-2004` });
  assert.equal(s.items[0].number, num(1, 2004), 'the named edition first');
  assert.equal(s.total, 2, 'and every edition of the standard');
  s = await search({ q: `gbt${n + 1}` });
  assert.equal(s.total, 2);
  assert.equal(s.items[0].number, num(1, 2012), 'year-less: current edition first');
  s = await search({ q: '03.120' });
  assert.equal(s.total, 2);
  s = await search({ q: 'J33' });
  assert.equal(s.total, 2);
  s = await search({ q: '引号' });
  assert.equal(s.items[0].title_zh, '食品安全 "引号", 逗号');
  assert.equal(s.items[0].highlight.title_zh, '食品安全 &quot;<mark>引号</mark>&quot;, 逗号');
  const old = (await search({ q: `${num(1, 2004)}` })).items.find((i) => i.number === num(1, 2004));
  assert.deepEqual(old.replaced_by, [num(1, 2012)]);
});

test('search: facets as of a date, filters, keyset and relevance paging', async () => {
  let s = await search({ as_of: '2020-01-01' });
  assert.equal(s.total, 5);
  assert.equal(s.facets.status.in_force, 3);
  assert.equal(s.facets.status.replaced, 1);
  assert.equal(s.facets.status.upcoming, 1);
  assert.equal(s.facets.tier.national, 5);
  assert.equal(s.facets.nature.recommended, 4);
  assert.equal(s.facets.nature.mandatory, 1);
  s = await search({ as_of: '2020-01-01', status: 'upcoming' });
  assert.deepEqual(s.items.map((i) => i.number), [num(2, 2030, 'GB')]);
  s = await search({ nature: 'mandatory' });
  assert.equal(s.total, 1);
  s = await search({ implemented_from: '2012-01-01', implemented_to: '2017-12-31' });
  assert.equal(s.total, 2);

  for (const sort of ['number', '-issued_on', 'issued_on', '-implemented_on']) {
    const seen = [];
    let cursor;
    for (let page = 0; page < 10; page++) {
      const p = await search({ sort, limit: '2', ...(cursor ? { cursor } : {}) });
      seen.push(...p.items.map((i) => i.number));
      cursor = p.next_cursor;
      if (!cursor) break;
    }
    assert.equal(new Set(seen).size, 5, `${sort}: ${seen}`);
  }
  const p1 = await search({ q: '准则', limit: '1' });
  assert.ok(p1.next_cursor);
  const p2 = await search({ q: '准则', limit: '1', cursor: p1.next_cursor });
  assert.notEqual(p1.items[0].number, p2.items[0].number);
  assert.equal(p2.next_cursor, null);

  for (const [k, v] of [['limit', '0'], ['tier', 'x'], ['as_of', '2012-13-01'], ['cursor', '!!'], ['sort', 'x']]) {
    const r = await api('GET', `/api/v1/standards?${k}=${encodeURIComponent(v)}`);
    assertProblem(assert, r, 422, k);
  }
});

test('import: rejected rows are all reported and nothing is written', async () => {
  const bad = '标准号,标准名称,实施日期,代替标准\n' +
    `${num(5, 2012)},好行,2012-08-01,\n` +
    `${num(6, 2012)},坏代替,2012-08-01,${num(7, 1999)}\n` +
    'GB/T ?-2000,坏编号,2012-08-01,\n' +
    `${num(8, 2012)},坏日期,2012-02-30,\n` +
    `${num(9, 2012)},短行\n`;
  const r = await importCsv(bad);
  assertProblem(assert, r, 422, 'rows/2/replaces');
  const fields = r.json.errors.map((e) => e.field);
  for (const f of ['rows/3/number', 'rows/4/implemented_on', 'rows/5/implemented_on']) assert.ok(fields.includes(f), `${f} in ${fields}`);
  assert.equal((await api('GET', `/api/v1/standards/${encodeURIComponent(num(5, 2012))}`)).status, 404);

  assertProblem(assert, await importCsv('标准名称\n某标准\n'), 422, 'rows/0/number');
  // neither UTF-8 nor GB18030: names the row and column
  const raw = Buffer.concat([Buffer.from(`number,title_zh\n${num(5, 2012)},`), Buffer.from([0xff, 0xff]), Buffer.from('\n')]);
  assertProblem(assert, await importCsv(raw), 422, 'rows/1/title_zh');
  assertProblem(assert, await importCsv('{}', { type: 'application/json' }), 422);
  assertProblem(assert, await importCsv('x', { type: 'text/plain' }), 415);
});

test('import: GB18030 CSV, JSON and NDJSON bodies', async () => {
  // "标准号,标准名称\n<num>,环境管理\n" in GB18030 (Node has no GB18030 encoder: bytes by hand)
  const gb = Buffer.concat([
    Buffer.from([0xb1, 0xea, 0xd7, 0xbc, 0xba, 0xc5, 0x2c, 0xb1, 0xea, 0xd7, 0xbc, 0xc3, 0xfb, 0xb3, 0xc6, 0x0a]),
    Buffer.from(`${num(10, 2016)},`), Buffer.from([0xbb, 0xb7, 0xbe, 0xb3, 0xb9, 0xdc, 0xc0, 0xed, 0x0a]),
  ]);
  let r = await importCsv(gb);
  assert.equal(r.status, 200, r.text);
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(num(10, 2016))}`);
  assert.equal(r.json.title_zh, '环境管理');

  r = await importCsv(JSON.stringify([{ number: num(11, 2020), title_zh: '职业健康', committee,
    replaces: [`${num(10, 2016)}(部分)`] }]), { type: 'application/json' });
  assert.equal(r.status, 200, r.text);
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(num(11, 2020))}`);
  assert.deepEqual(r.json.replaces, [{ number: num(10, 2016), partial: true }]);

  r = await importCsv(`{"number":"${num(12, 2022)}","title_zh":"饮用水"}\n\n{"number":"${num(13, 2022)}","title_zh":"饮用水","x":1}\n`,
    { type: 'application/x-ndjson' });
  assertProblem(assert, r, 422, 'rows/3/x');
});

test('import: roles, and bodies over 64 MiB are 413', async () => {
  assert.equal((await importCsv(csv, { token: null })).status, 401);
  assert.equal((await importCsv(csv, { token: tokenFor('enterprise') })).status, 403);
  assert.equal((await importCsv(csv, { token: tokenFor('inspector') })).status, 403);
  const r = await importCsv(Buffer.alloc(64 * 1024 * 1024 + 1, 0x41));
  assert.equal(r.status, 413);
});

test('export: CSV with a BOM and xlsx, as attachments', async () => {
  let r = await fetch(`${process.env.NQI_URL}/api/v1/standards/export?format=csv&committee=${encodeURIComponent(committee)}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="standards-\d{8}\.csv"$/);
  const buf = Buffer.from(await r.arrayBuffer());
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = buf.toString('utf8');
  assert.ok(text.includes(num(1, 2012)), text);
  assert.equal(text.trim().split("\r\n").length, 1 + 6, text); // header + 5 CSV rows + 1 JSON row
  r = await fetch(`${process.env.NQI_URL}/api/v1/standards/export?committee=${encodeURIComponent(committee)}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
  assert.match(r.headers.get('content-disposition'), /\.xlsx"$/);
  const x = Buffer.from(await r.arrayBuffer());
  assert.equal(x.subarray(0, 2).toString(), 'PK');
  assertProblem(assert, await api('GET', '/api/v1/standards/export?format=pdf'), 422, 'format');
});
