// Inspections and spot checks (docs/modules/inspection.md): the working-day calendar, tasks from a
// revealed draw and from complaints, on-site records signed by the team (inspector tokens named
// after the inspector code), attachments, recusal through the draw's redraw, publication to the
// Merkle log and the public endpoints, the dashboard's overdue list, spot checks with a failed
// item and a re-check, exports; roles and bad input (RFC 7807 naming the field), all or nothing.
// Each run uses its own region code and its own years in the calendar.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, cli, tokenFor, assertProblem, uniq } from './lib.mjs';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function checkChar(code17) {
  let s = 0, w = 1;
  for (let i = 0; i < 17; i++) { s += CHARSET.indexOf(code17[i]) * w; w = (w * 3) % 31; }
  const c = 31 - (s % 31);
  return CHARSET[c === 31 ? 0 : c];
}
const REGION = `46${String(1000 + Math.floor(Math.random() * 9000))}`;
const base = Math.floor(Math.random() * 9e6);
const code = (i) => { const c17 = `91${REGION}MA${String(base + i).padStart(7, '0')}`; return c17 + checkChar(c17); };
const N = 8;
const codes = Array.from({ length: N }, (_, i) => code(i));
const P = uniq('K').toUpperCase().replace(/[^A-Z0-9]/g, '');
const ids = [1, 2, 3, 4, 5].map((i) => `${P}-${i}`);
const admin = () => tokenFor('admin');
const reg = () => tokenFor('regulator');

// An inspector token acting as inspector `id` (the token's name is the inspector code).
const insTokens = {};
function as(id) {
  if (!insTokens[id]) {
    const r = cli(['token', 'add', '--role', 'inspector', id]);
    assert.equal(r.status, 0, r.stderr);
    insTokens[id] = r.stdout.trim().split('\n').pop();
  }
  return insTokens[id];
}
const csvPost = (path, body, token = admin()) => api('POST', path, { token, raw: body, headers: { 'content-type': 'text/csv' } });
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

let itemId, item2, drawId;

test('setup: entities, inspectors (one conflicted, one inactive), items', async () => {
  const rows = ['统一社会信用代码,企业名称,行业,区划代码,信用等级'];
  codes.forEach((c, i) => rows.push(`${c},海口椰城${i}号食品有限公司,食品销售,${REGION},B`));
  let r = await csvPost('/api/v1/entities/import', rows.join('\n') + '\n');
  assert.equal(r.status, 200, r.text);
  r = await csvPost('/api/v1/inspectors/import', ['id,name,department,region,fields,active,conflicts',
    `${ids[0]},陈明,海口市市场监督管理局,${REGION},食品销售,1,${codes[0]}:亲属任职`,
    `${ids[1]},林芳,海口市市场监督管理局,${REGION},食品销售,1,`,
    `${ids[2]},黄伟,海口市市场监督管理局,${REGION},食品销售,1,`,
    `${ids[3]},郑丽,海口市市场监督管理局,${REGION},食品销售,1,`,
    `${ids[4]},王强,海口市市场监督管理局,${REGION},食品销售,0,`].join('\n') + '\n');
  assert.equal(r.status, 200, r.text);
  r = await api('POST', '/api/v1/inspection-items', { token: admin(), body: { name: '食品销售者监督检查', kind: 'key', default_proportion: 5 } });
  assert.equal(r.status, 201, r.text);
  itemId = r.json.id;
  r = await api('POST', '/api/v1/inspection-items', { token: admin(), body: { name: '企业公示信息抽查', kind: 'general', default_proportion: 3 } });
  item2 = r.json.id;
});

test('calendar: the 2026 schedule, working-day arithmetic, admin edits, import all or nothing', async () => {
  let r = await api('GET', '/api/v1/calendar?year=2026');
  assert.equal(r.status, 200, r.text);
  const d = Object.fromEntries(r.json.items.map((x) => [x.date, x]));
  assert.equal(d['2026-02-14'].kind, 'workday');
  assert.equal(d['2026-02-14'].weekday, 6);
  assert.equal(d['2026-02-23'].kind, 'holiday');
  assert.equal(d['2026-10-10'].kind, 'workday');
  r = await api('GET', '/api/v1/calendar/workdays?from=2026-02-13&n=2');
  assert.equal(r.json.date, '2026-02-24');
  r = await api('GET', '/api/v1/calendar/workdays?from=2025-09-26&n=4');
  assert.equal(r.json.date, '2025-10-09');
  assertProblem(assert, await api('GET', '/api/v1/calendar/workdays?from=2026-02-30&n=2'), 422, 'from');
  assertProblem(assert, await api('GET', '/api/v1/calendar?year=20x6'), 422, 'year');

  // a year no other test uses; the same run may be repeated on one database
  const y = 2040 + Math.floor(Math.random() * 50);
  const first = (wd) => { const t = new Date(Date.UTC(y, 0, 1)); while (t.getUTCDay() !== wd) t.setUTCDate(t.getUTCDate() + 1); return t.toISOString().slice(0, 10); };
  const sat = first(6), wed = first(3);
  assertProblem(assert, await api('PUT', `/api/v1/calendar/${sat}`, { token: reg(), body: { kind: 'workday' } }), 403);
  assertProblem(assert, await api('PUT', `/api/v1/calendar/${wed}`, { token: admin(), body: { kind: 'workday' } }), 422, 'date');
  assertProblem(assert, await api('PUT', `/api/v1/calendar/${sat}`, { token: admin(), body: { kind: 'sometimes' } }), 422, 'kind');
  r = await api('PUT', `/api/v1/calendar/${sat}`, { token: admin(), body: { kind: 'workday', name: '调休上班' } });
  assert.equal(r.status, 200, r.text);
  const before = (await api('GET', `/api/v1/calendar?year=${y}`)).json.items.length;
  r = await csvPost('/api/v1/calendar/import', `日期,类型,名称\n${y}-05-01,放假,劳动节\n${y}-05-02,maybe,劳动节\n`);
  assertProblem(assert, r, 422, 'rows/2/kind');
  assert.equal((await api('GET', `/api/v1/calendar?year=${y}`)).json.items.length, before);
  r = await csvPost('/api/v1/calendar/import', `date,kind,name\n${y}-05-01,holiday,劳动节\n`, reg());
  assertProblem(assert, r, 403);
  r = await csvPost('/api/v1/calendar/import', `date,kind,name\n${y}-05-01,holiday,劳动节\n`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inserted, 1);
  r = await api('DELETE', `/api/v1/calendar/${sat}`, { token: admin() });
  assert.equal(r.status, 204);
  assertProblem(assert, await api('DELETE', `/api/v1/calendar/${sat}`, { token: admin() }), 404);
});

test('tasks from a draw: only once revealed, idempotent, teams as drawn', async () => {
  const plan = { name: uniq('海口抽查'), item_ids: [itemId, item2], filter: { region: REGION },
    strata: { B: 50 }, team_size: 2, region_rule: 'lead', field_rule: 'none' };
  let r = await api('POST', '/api/v1/draws', { token: admin(), body: plan });
  assert.equal(r.status, 201, r.text);
  drawId = r.json.id;
  assert.equal((await api('POST', `/api/v1/draws/${drawId}/run`, { token: admin(), body: {} })).status, 200);
  assertProblem(assert, await api('POST', `/api/v1/draws/${drawId}/tasks`, { token: admin() }), 409);
  assert.equal((await api('POST', `/api/v1/draws/${drawId}/reveal`, { token: admin() })).status, 200);
  const draw = (await api('GET', `/api/v1/draws/${drawId}`)).json;
  assertProblem(assert, await api('POST', `/api/v1/draws/${drawId}/tasks`, { token: tokenFor('inspector') }), 403);
  assertProblem(assert, await api('POST', `/api/v1/draws/${drawId}/tasks`, { token: admin(), body: { working_days: 0 } }), 422, 'working_days');
  r = await api('POST', `/api/v1/draws/${drawId}/tasks`, { token: admin(), body: { working_days: 15 } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.created, draw.targets.length);
  for (const t of r.json.items) {
    const target = draw.targets.find((x) => x.credit_code === t.credit_code);
    assert.deepEqual(t.team.map((m) => m.id), target.team.map((m) => m.id));
    assert.equal(t.status, 'assigned');
    assert.equal(t.source, 'draw');
    const w = await api('GET', `/api/v1/calendar/workdays?from=${t.assigned_on}&n=15`);
    assert.equal(t.due_on, w.json.date);
  }
  r = await api('POST', `/api/v1/draws/${drawId}/tasks`, { token: admin(), body: {} });
  assert.equal(r.json.created, 0);
  assert.equal(r.json.existing, draw.targets.length);
  const list = await api('GET', `/api/v1/inspections?draw_id=${drawId}`, { token: tokenFor('inspector') });
  assert.equal(list.json.items.length, draw.targets.length);
});

const manual = (over = {}) => ({ source: 'complaint', reason: '12315投诉：销售过期食品', credit_code: codes[1],
  item_ids: [itemId, item2], team: [ids[1], ids[2]], ...over });

test('complaint tasks: bad input names the field, a team that cannot be formed, nothing written', async () => {
  const before = (await api('GET', `/api/v1/inspections?region=${REGION}&limit=200`, { token: reg() })).json.items.length;
  const bad = codes[1].slice(0, 17) + (codes[1][17] === '0' ? '1' : '0');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ credit_code: bad }) }), 422, 'credit_code');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ team: [ids[1]] }) }), 422, 'team');
  const conflicted = await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ credit_code: codes[0], team: [ids[0], ids[1]] }) });
  assertProblem(assert, conflicted, 422, 'team/0');
  assert.match(conflicted.json.errors[0].message, /conflict/);
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ team: [ids[1], ids[4]] }) }), 422, 'team/1');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ item_ids: [itemId, 99999999] }) }), 422, 'item_ids/1');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ source: 'rumour' }) }), 422, 'source');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ reason: ' ' }) }), 422, 'reason');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ assigned_on: '2999-01-01' }) }), 422, 'assigned_on');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ colour: 'red' }) }), 422, 'colour');
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: tokenFor('inspector'), body: manual() }), 403);
  assertProblem(assert, await api('POST', '/api/v1/inspections', { token: tokenFor('enterprise'), body: manual() }), 403);
  assertProblem(assert, await api('POST', '/api/v1/inspections', { body: manual() }), 401);
  assert.equal((await api('GET', `/api/v1/inspections?region=${REGION}&limit=200`, { token: reg() })).json.items.length, before);
});

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6a0a10000000049454e44ae426082', 'hex');

test('a complaint task from record to publication: team signs, credit fact, Merkle log, public page', async () => {
  let r = await api('POST', '/api/v1/inspections', { token: reg(), body: manual() });
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('location'), /\/api\/v1\/inspections\/\d+$/);
  const id = r.json.id;
  const record = { inspected_on: today(), result: 'ordered_to_correct', summary: '已责令改正',
    findings: [{ item_id: itemId, conforms: false, finding: '部分食品超过保质期仍在销售' }, { item_id: item2, conforms: true }] };
  // not on the team / plain inspector tokens not named after a member
  assertProblem(assert, await api('PUT', `/api/v1/inspections/${id}/record`, { token: as(ids[3]), body: record }), 403);
  assertProblem(assert, await api('PUT', `/api/v1/inspections/${id}/record`, { token: tokenFor('inspector'), body: record }), 403);
  // a result that contradicts the findings, and a finding for an item not on the task: nothing saved
  assertProblem(assert, await api('PUT', `/api/v1/inspections/${id}/record`, { token: as(ids[1]), body: { ...record, result: 'normal' } }), 422, 'result');
  assertProblem(assert, await api('PUT', `/api/v1/inspections/${id}/record`, { token: as(ids[1]), body: { ...record, findings: [record.findings[0], { item_id: 99999999, conforms: true }] } }), 422, 'findings/1/item_id');
  assertProblem(assert, await api('PUT', `/api/v1/inspections/${id}/record`, { token: as(ids[1]), body: { ...record, result: 'closed' } }), 422, 'result');
  r = await api('GET', `/api/v1/inspections/${id}`, { token: reg() });
  assert.equal(r.json.status, 'assigned');
  assert.equal(r.json.findings[0].conforms, null);

  // attachments: checked type and content, size cap, stored with sha256
  const up = (buf, ct, name, token = as(ids[2])) => api('POST', `/api/v1/inspections/${id}/attachments?name=${encodeURIComponent(name)}`, { token, raw: buf, headers: { 'content-type': ct } });
  assertProblem(assert, await up(Buffer.from('hello'), 'text/plain', 'a.txt'), 415);
  assertProblem(assert, await up(Buffer.from('hello, not a pdf'), 'application/pdf', '现场笔录.pdf'), 422, 'body');
  assertProblem(assert, await up(Buffer.alloc(10 * 1024 * 1024 + 1, 0x25), 'application/pdf', 'big.pdf'), 413);
  assertProblem(assert, await up(PDF, 'application/pdf', '现场笔录.pdf', as(ids[3])), 403);
  r = await up(PDF, 'application/pdf', '现场笔录.pdf');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.sha256, sha(PDF));
  assert.equal(r.json.size, PDF.length);
  const got = await fetch(process.env.NQI_URL + r.json.url, { headers: { authorization: `Bearer ${reg()}` } });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'application/pdf');
  assert.equal(sha(Buffer.from(await got.arrayBuffer())), sha(PDF));
  assertProblem(assert, await api('GET', r.json.url), 401);

  r = await api('PUT', `/api/v1/inspections/${id}/record`, { token: as(ids[1]), body: record });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'recorded');
  const h1 = r.json.record_hash;
  // a photo added after the record changes what the team signs
  r = await up(PNG, 'image/png', '现场照片.png');
  assert.equal(r.status, 201, r.text);
  r = await api('GET', `/api/v1/inspections/${id}`, { token: as(ids[1]) });
  const h2 = r.json.record_hash;
  assert.notEqual(h1, h2);
  assertProblem(assert, await api('POST', `/api/v1/inspections/${id}/sign`, { token: as(ids[1]), body: { record_hash: h1 } }), 409, 'record_hash');
  assertProblem(assert, await api('POST', `/api/v1/inspections/${id}/sign`, { token: as(ids[3]), body: { record_hash: h2 } }), 403);
  assertProblem(assert, await api('POST', `/api/v1/inspections/${id}/sign`, { token: reg(), body: { record_hash: h2 } }), 403);
  r = await api('POST', `/api/v1/inspections/${id}/sign`, { token: as(ids[1]), body: { record_hash: h2 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'recorded');
  assertProblem(assert, await api('POST', `/api/v1/inspections/${id}/publish`, { token: reg() }), 409);
  r = await api('POST', `/api/v1/inspections/${id}/sign`, { token: as(ids[2]), body: { record_hash: h2 } });
  assert.equal(r.json.status, 'completed');
  assert.equal(r.json.completed_on, today());
  const due = (await api('GET', `/api/v1/calendar/workdays?from=${today()}&n=20`)).json.date;
  assert.equal(r.json.publish_due, due);
  assert.ok(r.json.team.every((m) => m.signed));
  assertProblem(assert, await api('PUT', `/api/v1/inspections/${id}/record`, { token: reg(), body: record }), 409);

  assertProblem(assert, await api('POST', `/api/v1/inspections/${id}/publish`, { token: as(ids[1]) }), 403);
  r = await api('POST', `/api/v1/inspections/${id}/publish`, { token: reg() });
  assert.equal(r.status, 200, r.text);
  const pub = r.json;
  assert.equal(pub.kind, 'inspection');
  assert.equal(pub.result_label, '发现问题已责令改正');
  assert.equal(pub.record.credit_code, codes[1]);
  assert.equal(pub.record.summary, undefined);
  assertProblem(assert, await api('POST', `/api/v1/inspections/${id}/publish`, { token: reg() }), 409);
  r = await api('GET', `/api/v1/inspections/public?credit_code=${codes[1]}`);
  assert.equal(r.status, 200);
  assert.ok(r.json.items.some((x) => x.id === pub.id));
  r = await api('GET', `/api/v1/inspections/public/${pub.id}`);
  assert.equal(r.json.log_index, pub.log_index);
  r = await api('GET', pub.proof_url);
  assert.equal(r.status, 200, r.text);
  assertProblem(assert, await api('GET', '/api/v1/inspections/public?credit_code=91350100M000100Y44'), 422, 'credit_code');
  assertProblem(assert, await api('GET', `/api/v1/inspections/${id}`), 401);
  assertProblem(assert, await api('GET', `/api/v1/inspections/${id}`, { token: tokenFor('enterprise') }), 403);
});

test('concurrent signatures complete the task once; concurrent publications publish once', async () => {
  let r = await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ credit_code: codes[4], team: [ids[2], ids[3]] }) });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  r = await api('PUT', `/api/v1/inspections/${id}/record`, { token: reg(), body: { inspected_on: today(), result: 'normal',
    findings: [{ item_id: itemId, conforms: true }, { item_id: item2, conforms: true }] } });
  const hash = r.json.record_hash;
  const signs = await Promise.all([ids[2], ids[3]].map((m) => api('POST', `/api/v1/inspections/${id}/sign`, { token: as(m), body: { record_hash: hash } })));
  assert.deepEqual(signs.map((x) => x.status), [200, 200], signs.map((x) => x.text).join('\n'));
  r = await api('GET', `/api/v1/inspections/${id}`, { token: reg() });
  assert.equal(r.json.status, 'completed');
  const pubs = await Promise.all([1, 2].map(() => api('POST', `/api/v1/inspections/${id}/publish`, { token: reg() })));
  assert.deepEqual(pubs.map((x) => x.status).sort(), [200, 409]);
  r = await api('GET', `/api/v1/inspections/public?credit_code=${codes[4]}`);
  assert.equal(r.json.items.filter((x) => x.ref_id === id).length, 1);
});

test('recusal on a drawn task is a recorded redraw from the same pool', async () => {
  const tasks = (await api('GET', `/api/v1/inspections?draw_id=${drawId}`, { token: reg() })).json.items;
  const t = tasks[0];
  const gone = t.team[1].id;
  assertProblem(assert, await api('POST', `/api/v1/inspections/${t.id}/recuse`, { token: reg(), body: { inspector_id: gone, reason: '' } }), 422, 'reason');
  assertProblem(assert, await api('POST', `/api/v1/inspections/${t.id}/recuse`, { token: reg(), body: { inspector_id: gone, reason: '亲属', replacement: ids[3] } }), 422, 'replacement');
  assertProblem(assert, await api('POST', `/api/v1/inspections/${t.id}/recuse`, { token: reg(), body: { inspector_id: 'NOBODY', reason: '亲属' } }), 404, 'inspector_id');
  const r = await api('POST', `/api/v1/inspections/${t.id}/recuse`, { token: reg(), body: { inspector_id: gone, reason: '申请回避：亲属关系' } });
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.json.team.some((m) => m.id === gone));
  const draw = (await api('GET', `/api/v1/draws/${drawId}`)).json;
  const ev = draw.redraws.find((x) => x.credit_code === t.credit_code);
  assert.equal(ev.recused, gone);
  assert.equal(ev.reason, '申请回避：亲属关系');
  assert.deepEqual(r.json.team.map((m) => m.id), draw.targets.find((x) => x.credit_code === t.credit_code).team.map((m) => m.id));
  const v = await api('GET', `/api/v1/draws/${drawId}/verification`);
  assert.ok(v.json.checks.find((c) => c.name === 'redraws').ok, v.text);
});

test('lists: filters, paging, overdue, xlsx; dashboard flags what is late', async () => {
  // assigned on a Monday long ago with 5 working days: overdue now
  let r = await api('POST', '/api/v1/inspections', { token: reg(), body: manual({ source: 'lead', credit_code: codes[2], assigned_on: '2026-01-05', working_days: 5 }) });
  assert.equal(r.status, 201, r.text);
  const late = r.json;
  assert.equal(late.due_on, '2026-01-12');
  assert.equal(late.overdue, true);
  r = await api('GET', `/api/v1/inspections?region=${REGION}&overdue=1`, { token: reg() });
  assert.ok(r.json.items.some((x) => x.id === late.id));
  assert.ok(r.json.items.every((x) => x.overdue || x.publication_overdue));
  r = await api('GET', `/api/v1/inspections?region=${REGION}&status=published`, { token: reg() });
  assert.ok(r.json.items.length >= 1 && r.json.items.every((x) => x.status === 'published'));
  r = await api('GET', `/api/v1/inspections?region=${REGION}&source=lead&from=2026-01-01&to=2026-01-31`, { token: reg() });
  assert.deepEqual(r.json.items.map((x) => x.id), [late.id]);
  r = await api('GET', `/api/v1/inspections?region=${REGION}&item=${item2}&limit=1`, { token: reg() });
  assert.equal(r.json.items.length, 1);
  assert.ok(r.json.next_cursor);
  const p2 = await api('GET', `/api/v1/inspections?region=${REGION}&item=${item2}&limit=1&cursor=${r.json.next_cursor}`, { token: reg() });
  assert.ok(p2.json.items[0].id < r.json.items[0].id);
  r = await api('GET', `/api/v1/inspections?mine=1`, { token: as(ids[1]) });
  assert.ok(r.json.items.length >= 1 && r.json.items.every((x) => x.team.some((m) => m.id === ids[1])));
  assertProblem(assert, await api('GET', '/api/v1/inspections?status=done', { token: reg() }), 422, 'status');
  assertProblem(assert, await api('GET', '/api/v1/inspections?from=yesterday', { token: reg() }), 422, 'from');
  assertProblem(assert, await api('GET', '/api/v1/inspections?region=46x', { token: reg() }), 422, 'region');
  assertProblem(assert, await api('GET', '/api/v1/inspections?format=pdf', { token: reg() }), 422, 'format');
  const x = await fetch(`${process.env.NQI_URL}/api/v1/inspections?region=${REGION}&format=xlsx`, { headers: { authorization: `Bearer ${reg()}` } });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK');

  r = await api('GET', '/api/v1/inspections/dashboard', { token: tokenFor('inspector') });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.today, today());
  assert.ok(r.json.tasks.assigned >= 1 && r.json.tasks.published >= 1);
  const o = r.json.overdue.find((x) => x.kind === 'task' && x.id === late.id);
  assert.equal(o.reason, 'deadline');
  assert.ok(o.working_days_late > 0);
  assertProblem(assert, await api('GET', '/api/v1/inspections/dashboard'), 401);
});

test('spot check: samples, a failed item, correction deadline, re-check, publication, export', async () => {
  let r = await api('POST', '/api/v1/spot-checks', { token: reg(), body: { name: uniq('食用植物油抽查'), year: 2026, product: '食用植物油', lab: '海南省产品质量监督检验所' } });
  assert.equal(r.status, 201, r.text);
  const check = r.json.id;
  assertProblem(assert, await api('POST', '/api/v1/spot-checks', { token: reg(), body: { name: 'x', year: 1999, product: 'p', lab: 'l' } }), 422, 'year');
  assertProblem(assert, await api('POST', '/api/v1/spot-checks', { token: tokenFor('inspector'), body: { name: 'x', year: 2026, product: 'p', lab: 'l' } }), 403);
  const no = uniq('SC').toUpperCase();
  const sample = { sample_no: no, product: '花生油', specification: '5L/桶', batch: '20260301', producer_code: codes[3], sampled_on: '2026-03-02', quantity: '4桶' };
  assertProblem(assert, await api('POST', `/api/v1/spot-checks/${check}/samples`, { token: reg(), body: { ...sample, producer_code: '91350100M000100Y44' } }), 422, 'producer_code');
  assertProblem(assert, await api('POST', `/api/v1/spot-checks/${check}/samples`, { token: reg(), body: { ...sample, sampled_on: '2026-3-2' } }), 422, 'sampled_on');
  r = await api('POST', `/api/v1/spot-checks/${check}/samples`, { token: reg(), body: sample });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.producer_name, '海口椰城3号食品有限公司');
  const sid = r.json.id;
  assertProblem(assert, await api('POST', `/api/v1/spot-checks/${check}/samples`, { token: reg(), body: sample }), 409, 'sample_no');
  const items = (acid, pass) => [
    { item: '酸价（KOH）', standard: 'GB 2716-2018', requirement: '≤3 mg/g', measured: acid, pass },
    { item: '苯并[a]芘', standard: 'GB 2762-2022', requirement: '≤10 μg/kg', measured: '1.2 μg/kg', pass: true }];
  // a bad standard number in the second item: nothing recorded
  const bad = items('4.6 mg/g', false);
  bad[1].standard = 'GB/X 2762';
  assertProblem(assert, await api('PUT', `/api/v1/spot-checks/samples/${sid}/results`, { token: reg(), body: { tested_on: '2026-03-10', items: bad } }), 422, 'items/1/standard');
  assertProblem(assert, await api('PUT', `/api/v1/spot-checks/samples/${sid}/results`, { token: reg(), body: { tested_on: '2026-03-01', items: items('4.6 mg/g', false) } }), 422, 'tested_on');
  assert.equal((await api('GET', `/api/v1/spot-checks/samples/${sid}`, { token: reg() })).json.status, 'sampled');
  assertProblem(assert, await api('POST', `/api/v1/spot-checks/samples/${sid}/recheck`, { token: reg(), body: { tested_on: '2026-03-10', items: items('1 mg/g', true) } }), 409);
  r = await api('PUT', `/api/v1/spot-checks/samples/${sid}/results`, { token: reg(), body: { tested_on: '2026-03-10', items: items('4.6 mg/g', false), correction_working_days: 20 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.verdict, 'fail');
  assert.equal(r.json.correction_due, '2026-04-08'); // across 清明 (4-4..4-6)
  assertProblem(assert, await api('PUT', `/api/v1/spot-checks/samples/${sid}/results`, { token: reg(), body: { tested_on: '2026-03-10', items: items('1 mg/g', true) } }), 409);
  r = await api('POST', `/api/v1/spot-checks/samples/${sid}/publish`, { token: reg() });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.record.failed_items.length, 1);
  assert.equal(r.json.record.failed_items[0].standard, 'GB 2716-2018');
  r = await api('POST', `/api/v1/spot-checks/samples/${sid}/recheck`, { token: reg(), body: { tested_on: '2026-04-10', items: items('1.1 mg/g', true) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'rechecked');
  assert.equal(r.json.final_verdict, 'pass');
  assert.equal(r.json.published_at, null); // the public record is out of date until published again
  r = await api('POST', `/api/v1/spot-checks/samples/${sid}/publish`, { token: reg() });
  assert.equal(r.json.record.recheck.verdict, 'pass');
  r = await api('GET', `/api/v1/inspections/public?kind=spot_check&credit_code=${codes[3]}`);
  assert.equal(r.json.items.length, 2);
  r = await api('GET', `/api/v1/spot-checks/${check}`, { token: tokenFor('inspector') });
  assert.equal(r.json.samples, 1);
  assert.equal(r.json.failed, 1);
  r = await api('GET', `/api/v1/spot-checks/samples?spot_check_id=${check}&verdict=pass`, { token: reg() });
  assert.deepEqual(r.json.items.map((x) => x.id), [sid]);
  const x = await fetch(`${process.env.NQI_URL}/api/v1/spot-checks/samples?spot_check_id=${check}&format=xlsx`, { headers: { authorization: `Bearer ${reg()}` } });
  assert.equal(x.status, 200);
  assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK');
});

test('every write is audited', async () => {
  for (const a of ['calendar.put', 'calendar.import', 'calendar.delete', 'inspection.create', 'inspection.record',
    'inspection.attachment', 'inspection.sign', 'inspection.complete', 'inspection.recuse', 'inspection.publish',
    'spot_check.create', 'spot_check.sample', 'spot_check.result', 'spot_check.recheck', 'spot_check.publish']) {
    const r = await api('GET', `/api/v1/audit?action=${a}&limit=1`, { token: admin() });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items.length, 1, `audit has ${a}`);
  }
});
