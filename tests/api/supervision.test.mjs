// Supervision directories and verifiable draws (docs/modules/supervision.md): import entities
// and inspectors, plan/commit -> run -> reveal -> redraw, the public bundle, `nqi draw verify`,
// and the seed kept secret until the reveal. Each run uses its own region code so it does not
// meet other tests' (or earlier runs') entities.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, cli, tokenFor, assertProblem, uniq, TMP, execFileSync } from './lib.mjs';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function checkChar(code17) {
  let s = 0, w = 1;
  for (let i = 0; i < 17; i++) { s += CHARSET.indexOf(code17[i]) * w; w = (w * 3) % 31; }
  const c = 31 - (s % 31);
  return CHARSET[c === 31 ? 0 : c];
}
const REGION = `44${String(1000 + Math.floor(Math.random() * 9000))}`;
const base = Math.floor(Math.random() * 9e6);
function code(i) {
  const c17 = `91${REGION}MA${String(base + i).padStart(7, '0')}`;
  return c17 + checkChar(c17);
}
const N = 30;
const codes = Array.from({ length: N }, (_, i) => code(i));
const P = uniq('S').toUpperCase().replace(/[^A-Z0-9]/g, '');
const inspectorIds = [1, 2, 3, 4].map((i) => `${P}-${i}`);

function entitiesCsv(classOf = () => 'B') {
  const rows = ['统一社会信用代码,企业名称,行业,区划代码,住所,登记状态,风险标签,信用等级'];
  codes.forEach((c, i) => rows.push(`${c},深圳質量${i}号食品有限公司,食品销售,${REGION},深圳市某路${i}号,存续,${i === 0 ? '投诉较多' : ''},${classOf(i)}`));
  return rows.join('\n') + '\n';
}
const classes = (i) => 'ABCD'[i % 4];
function inspectorsCsv() {
  return ['id,name,department,region,fields,active,conflicts',
    `${inspectorIds[0]},陈明,深圳市市场监督管理局,${REGION},食品销售,1,${codes[0]}:亲属任职`,
    `${inspectorIds[1]},林芳,深圳市市场监督管理局,${REGION},食品销售,1,`,
    `${inspectorIds[2]},黄伟,深圳市市场监督管理局,${REGION},食品销售,1,`,
    `${inspectorIds[3]},郑丽,深圳市市场监督管理局,${REGION},食品销售,1,`].join('\n') + '\n';
}

async function importCsv(kind, body, token = tokenFor('admin')) {
  return api('POST', `/api/v1/${kind}/import`, { token, raw: body, headers: { 'content-type': 'text/csv' } });
}

let itemId;
test('directories: import entities and inspectors, search, public entity page', async () => {
  let r = await importCsv('entities', entitiesCsv(classes));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inserted, N);
  r = await importCsv('inspectors', inspectorsCsv());
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inserted, 4);
  assertProblem(assert, await importCsv('entities', entitiesCsv(), tokenFor('inspector')), 403);

  const staff = await api('GET', `/api/v1/entities?region=${REGION}&limit=10`, { token: tokenFor('inspector') });
  assert.equal(staff.status, 200, staff.text);
  assert.equal(staff.json.items.length, 10);
  assert.ok(staff.json.next_cursor);
  const page2 = await api('GET', `/api/v1/entities?region=${REGION}&limit=10&cursor=${staff.json.next_cursor}`, { token: tokenFor('inspector') });
  assert.ok(!page2.json.items.some((e) => staff.json.items.some((x) => x.credit_code === e.credit_code)));
  assert.equal((await api('GET', '/api/v1/entities')).status, 401);
  // Simplified, Traditional and pinyin find the same entities
  for (const q of ['质量', '質量', 'zhiliang']) {
    const s = await api('GET', `/api/v1/entities?q=${encodeURIComponent(q)}&region=${REGION}&limit=200`, { token: tokenFor('regulator') });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.items.length, N, q);
  }
  const byCode = await api('GET', `/api/v1/entities?q=${codes[3].slice(0, 14)}`, { token: tokenFor('regulator') });
  assert.ok(byCode.json.items.some((e) => e.credit_code === codes[3]));

  const pub = await api('GET', `/api/v1/entities/${codes[0]}`);
  assert.equal(pub.status, 200, pub.text);
  assert.equal(pub.json.credit_class, 'A');
  assert.equal(pub.json.risk_tags, undefined, 'risk tags are for staff');
  const st = await api('GET', `/api/v1/entities/${codes[0]}`, { token: tokenFor('inspector') });
  assert.deepEqual(st.json.risk_tags, ['投诉较多']);
  assertProblem(assert, await api('GET', '/api/v1/entities/91350100M000100Y43'), 404);

  const insp = await api('GET', '/api/v1/inspectors?limit=500', { token: tokenFor('inspector') });
  const me = insp.json.items.find((i) => i.id === inspectorIds[0]);
  assert.equal(me.conflicts[0].credit_code, codes[0]);
  assert.equal(me.conflicts[0].reason, '亲属任职');
  assertProblem(assert, await api('GET', '/api/v1/inspectors'), 401);

  const item = await api('POST', '/api/v1/inspection-items', { token: tokenFor('regulator'), body: {
    name: '食品销售者监督检查', basis: '《中华人民共和国食品安全法》第一百一十条', kind: 'key',
    default_proportion: 5, filter: { region: REGION } } });
  assert.equal(item.status, 201, item.text);
  itemId = item.json.id;
  assert.equal(item.json.default_proportion, 5);
  const items = await api('GET', '/api/v1/inspection-items');
  assert.ok(items.json.items.some((i) => i.id === itemId));
  assertProblem(assert, await api('POST', '/api/v1/inspection-items', { token: tokenFor('admin'), body: { name: 'x', kind: 'odd', default_proportion: 101 } }), 422, 'kind');
});

test('import: an invalid credit code rejects the whole file, naming row and field', async () => {
  const good = code(900), bad = code(901).slice(0, 17) + (code(901)[17] === '0' ? '1' : '0');
  const csv = `credit_code,name,region\n${good},好的公司,${REGION}\n${bad},坏的公司,${REGION}\n`;
  const r = await importCsv('entities', csv);
  assertProblem(assert, r, 422, 'rows/2/credit_code');
  assert.match(r.json.errors.find((e) => e.field === 'rows/2/credit_code').message, /check character/);
  assertProblem(assert, await api('GET', `/api/v1/entities/${good}`), 404); // nothing written
});

const plan = () => ({ name: uniq('抽查'), item_ids: [itemId], filter: { region: REGION },
  strata: { A: 50, B: 40, C: 30, D: 100 }, team_size: 2, region_rule: 'lead', field_rule: 'all' });

test('draws: bad plans are refused and nothing is written', async () => {
  const t = tokenFor('admin');
  const before = (await api('GET', '/api/v1/draws?limit=200')).json.items.length;
  assertProblem(assert, await api('POST', '/api/v1/draws', { token: t, body: { ...plan(), strata: { A: 1, B: 150, C: 1, D: 1 } } }), 422, 'strata/B');
  assertProblem(assert, await api('POST', '/api/v1/draws', { token: t, body: { ...plan(), item_ids: [999999] } }), 422, 'item_ids/0');
  const impossible = await api('POST', '/api/v1/draws', { token: t, body: { ...plan(), team_size: 4 } });
  assertProblem(assert, impossible, 422);
  assert.ok(impossible.json.errors.some((e) => /^targets\/[0-9A-Z]{18}\/team$/.test(e.field)), impossible.text);
  assert.match(impossible.json.detail, /team cannot be formed for target/);
  assertProblem(assert, await api('POST', '/api/v1/draws', { token: tokenFor('inspector'), body: plan() }), 403);
  assert.equal((await api('GET', '/api/v1/draws?limit=200')).json.items.length, before);
});

test('draws: commit, run, reveal, verify, bundle offline, seed secret until the reveal', async () => {
  const t = tokenFor('admin');
  const made = await api('POST', '/api/v1/draws', { token: t, body: plan() });
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  assert.equal(made.json.status, 'committed');
  assert.match(made.json.commitment, /^[0-9a-f]{64}$/);
  assert.equal(made.json.pool_size, N);
  assert.equal(made.json.seed, null);
  const seen = [made.text];
  const grab = async (p, token) => { const r = await api('GET', p, { token }); seen.push(r.text); return r; };
  const list = await grab('/api/v1/draws');
  assert.ok(list.json.items.some((d) => d.id === id && d.status === 'committed'));
  await grab(`/api/v1/draws/${id}`);
  const b0 = await grab(`/api/v1/draws/${id}/record`);
  assert.equal(b0.json.record.state, 'committed');
  const v0 = await grab(`/api/v1/draws/${id}/verification`);
  assert.equal(v0.json.verified, true, v0.text);
  assert.equal(v0.json.complete, false);

  const run = await api('POST', `/api/v1/draws/${id}/run`, { token: t, body: {} });
  assert.equal(run.status, 200, run.text);
  seen.push(run.text);
  assert.equal(run.json.status, 'drawn');
  assert.ok(run.json.targets.length >= 4, run.text);
  assert.match(run.json.public_value_source, /Merkle-log head/);
  assertProblem(assert, await api('POST', `/api/v1/draws/${id}/run`, { token: t, body: {} }), 409);
  const pubDrawn = await grab(`/api/v1/draws/${id}`);
  assert.equal(pubDrawn.json.targets, null, 'the public sees the result once revealed');
  await grab(`/api/v1/draws/${id}`, t);
  await grab(`/api/v1/draws/${id}/record`);
  await grab(`/api/v1/draws/${id}/verification`);
  await grab('/api/v1/audit?limit=500', t);
  await grab('/api/v1/log/entries?limit=1000');

  const rev = await api('POST', `/api/v1/draws/${id}/reveal`, { token: t });
  assert.equal(rev.status, 200, rev.text);
  assert.equal(rev.json.status, 'revealed');
  const seed = rev.json.seed;
  assert.match(seed, /^[0-9a-f]{64}$/);
  for (const text of seen) assert.ok(!text.includes(seed), 'seed served before the reveal');

  // teams: lead from the target's region, every member qualified, conflicts respected
  for (const tg of rev.json.targets) {
    assert.equal(tg.team.length, 2);
    assert.ok(tg.team.every((m) => inspectorIds.includes(m.id) && m.name && m.department));
    if (tg.credit_code === codes[0]) assert.ok(!tg.team.some((m) => m.id === inspectorIds[0]));
    assert.ok(tg.name.includes('食品有限公司'));
  }
  const ver = await api('GET', `/api/v1/draws/${id}/verification`);
  assert.equal(ver.status, 200);
  assert.equal(ver.json.verified, true, ver.text);
  assert.equal(ver.json.complete, true);
  assert.ok(ver.json.checks.every((c) => c.ok));

  // recusal: the old team member stays in the history with the reason
  const tg = rev.json.targets.find((x) => x.credit_code !== codes[0]) || rev.json.targets[0];
  const who = tg.team[1].id;
  const rd = await api('POST', `/api/v1/draws/${id}/redraw`, { token: t, body: { target: tg.credit_code, inspector_id: who, reason: '申请回避：曾在该企业任职' } });
  assert.equal(rd.status, 200, rd.text);
  assert.equal(rd.json.redraws.length, 1);
  assert.equal(rd.json.redraws[0].recused, who);
  assert.ok(rd.json.events.some((e) => e.kind === 'redraw' && e.detail.reason === '申请回避：曾在该企业任职'));
  assertProblem(assert, await api('POST', `/api/v1/draws/${id}/redraw`, { token: t, body: { target: tg.credit_code, inspector_id: who, reason: '' } }), 422, 'reason');

  // the bundle verifies offline; an edited pool does not
  const bundle = await api('GET', `/api/v1/draws/${id}/record`);
  assert.equal(bundle.json.format, 'nqi-draw-bundle/v1');
  assert.equal(bundle.json.record.redraws.length, 1);
  const file = path.join(TMP, `${id}.json`);
  fs.writeFileSync(file, bundle.text);
  const ok = cli(['draw', 'verify', file]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /verified/);
  const lines = bundle.json.pool.split('\n');
  lines[1] = lines[1].replace(/\|([ABCD])\|/, (m, c) => `|${c === 'A' ? 'B' : 'A'}|`);
  fs.writeFileSync(file, JSON.stringify({ ...bundle.json, pool: lines.join('\n') }));
  const bad = cli(['draw', 'verify', file]);
  assert.equal(bad.status, 1, bad.stdout);
  assert.match(bad.stderr, /pool changed after the commitment/);
  const shown = cli(['draw', 'show', id]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.equal(JSON.parse(shown.stdout).id, id);
  assert.ok(cli(['draw', 'list']).stdout.includes(id));
  assert.equal(cli(['draw', 'bogus']).status, 2);
});

test('draws: a pool that changed after the commitment is refused at the draw and reported by verification', async () => {
  const t = tokenFor('admin');
  const a = await api('POST', '/api/v1/draws', { token: t, body: plan() });
  assert.equal(a.status, 201, a.text);
  const b = await api('POST', '/api/v1/draws', { token: t, body: plan() });
  assert.equal(b.status, 201, b.text);
  assert.equal((await api('POST', `/api/v1/draws/${b.json.id}/run`, { token: t, body: { public_value: 'ab'.repeat(32) } })).status, 200);
  assert.equal((await api('POST', `/api/v1/draws/${b.json.id}/reveal`, { token: t })).status, 200);
  // every entity's credit class moves: the committed pool no longer exists
  const r = await importCsv('entities', entitiesCsv((i) => 'ABCD'[(i + 1) % 4]));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.updated, N);
  const run = await api('POST', `/api/v1/draws/${a.json.id}/run`, { token: t, body: {} });
  assertProblem(assert, run, 409, 'pool_hash');
  assert.match(run.json.detail, /pool changed after the commitment/);
  assert.equal((await api('GET', `/api/v1/draws/${a.json.id}`)).json.status, 'committed', 'nothing drawn');
  const ver = await api('GET', `/api/v1/draws/${b.json.id}/verification`);
  assert.equal(ver.json.verified, false);
  const dir = ver.json.checks.find((c) => c.name === 'directory');
  assert.equal(dir.ok, false);
  assert.match(dir.message, /pool changed after the commitment/);
  // the published bundle itself still recomputes
  assert.ok(ver.json.checks.filter((c) => c.name !== 'directory').every((c) => c.ok), ver.text);
});

test('CLI: nqi directory import (GB18030) and usage errors', async () => {
  const c = code(950);
  const csv = `统一社会信用代码,企业名称,区划代码\n${c},福建質量檢測有限公司,${REGION}\n`;
  const file = path.join(TMP, `${uniq('ent')}.csv`);
  fs.writeFileSync(file, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: csv }));
  assert.ok(!fs.readFileSync(file).equals(Buffer.from(csv)), 'the file is GB18030, not UTF-8');
  const r = cli(['directory', 'import', 'entities', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1 inserted/);
  const e = await api('GET', `/api/v1/entities/${c}`);
  assert.equal(e.json.name, '福建質量檢測有限公司');
  assert.equal(cli(['directory', 'import', 'things', file]).status, 2);
  assert.equal(cli(['directory', 'import', 'entities', file, '--frob']).status, 2);
});
