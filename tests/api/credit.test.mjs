// Quality-credit classification, lists, penalty publicity, repairs and joint punishment
// (docs/modules/credit.md) against a real server: every route with its roles, bad input naming
// the field (and the date from which something becomes possible), classes that follow the
// facts, public vs staff views, xlsx export, the Merkle-log leaf of a list entry, `nqi credit`.
// Entities are imported in a region made up for this run.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, cli, tokenFor, assertProblem } from './lib.mjs';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function checkChar(code17) {
  let s = 0, w = 1;
  for (let i = 0; i < 17; i++) { s += CHARSET.indexOf(code17[i]) * w; w = (w * 3) % 31; }
  const c = 31 - (s % 31);
  return CHARSET[c === 31 ? 0 : c];
}
const REGION = `45${String(1000 + Math.floor(Math.random() * 9000))}`;
const base = Math.floor(Math.random() * 9e6);
const code = (i) => { const c17 = `91${REGION}MA${String(base + i).padStart(7, '0')}`; return c17 + checkChar(c17); };
const ENTERPRISE = '91110000802100433B'; // the code tokenFor('enterprise') is bound to
const C = [code(0), code(1), code(2), code(3), code(4)];

// Dates as the server computes them (China time) and the Civil-Code period end.
const iso = (d) => d.toISOString().slice(0, 10);
const TODAY = iso(new Date(Date.now() + 8 * 3600e3));
function periodEnd(start, months) {
  let [y, m, d] = start.split('-').map(Number);
  const t = y * 12 + (m - 1) + months;
  y = Math.floor(t / 12); m = (t % 12) + 1;
  const md = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${String(m).padStart(2, '0')}-${String(Math.min(d, md)).padStart(2, '0')}`;
}
const nextDay = (s) => iso(new Date(Date.parse(`${s}T12:00:00Z`) + 86400e3));
const monthsAgo = (n) => periodEnd(TODAY, -n);

const admin = () => tokenFor('admin');
const csv = ['统一社会信用代码,企业名称,行业,区划代码,成立日期,登记状态,许可证',
  `${C[0]},测试闽江食品有限公司,食品生产,${REGION},2010-05-01,存续,SC10335010200`,
  `${C[1]},测试榕城机械有限公司,工业产品,${REGION},2010-05-01,存续,`,
  `${C[2]},测试鼓山商贸有限公司,工业产品,${REGION},2010-05-01,存续,`,
  `${C[3]},测试左海电梯有限公司,特种设备,${REGION},2010-05-01,存续,`,
  `${C[4]},测试于山药房有限公司,药品零售,${REGION},2010-05-01,存续,`,
  `${ENTERPRISE},测试企业用户有限公司,工业产品,${REGION},2015-01-01,存续,`].join('\n') + '\n';

async function page(c, token) { return api('GET', `/api/v1/credit/${c}`, { token }); }

test('setup: entities of this run', async () => {
  const r = await api('POST', '/api/v1/entities/import', { token: admin(), raw: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
});

test('rule set: versions, roles, validation', async () => {
  assertProblem(assert, await api('GET', '/api/v1/credit/rules'), 401);
  assertProblem(assert, await api('GET', '/api/v1/credit/rules', { token: tokenFor('enterprise') }), 403);
  const r = await api('GET', '/api/v1/credit/rules', { token: tokenFor('inspector') });
  assert.equal(r.status, 200, r.text);
  const active = r.json.active;
  assert.ok(active.version >= 1);
  assert.equal(active.rules.hard_rules[0].kind, 'list.serious');
  const bad = structuredClone(active.rules);
  bad.hard_rules = bad.hard_rules.filter((h) => h.kind !== 'list.serious');
  assertProblem(assert, await api('POST', '/api/v1/credit/rules', { token: admin(), body: { rules: bad } }), 422, 'rules/hard_rules');
  const bad2 = structuredClone(active.rules);
  bad2.facts.complaint.points = 'many';
  assertProblem(assert, await api('POST', '/api/v1/credit/rules', { token: admin(), body: { rules: bad2 } }), 422, 'rules/facts/complaint/points');
  assertProblem(assert, await api('POST', '/api/v1/credit/rules', { token: tokenFor('inspector'), body: { rules: active.rules } }), 403);
  // the same rules as a new version, not activated: the active one stays
  const made = await api('POST', '/api/v1/credit/rules', { token: admin(), body: { rules: active.rules, note: '复制', activate: false } });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.version, r.json.items[0].version + 1);
  assert.equal(made.json.active, false);
  const one = await api('GET', `/api/v1/credit/rules/${made.json.version}`, { token: admin() });
  assert.deepEqual(one.json.rules, active.rules);
  const act = await api('POST', `/api/v1/credit/rules/${made.json.version}/activate`, { token: admin() });
  assert.equal(act.status, 200, act.text);
  assert.equal(act.json.active, true);
  assertProblem(assert, await api('POST', '/api/v1/credit/rules/999999/activate', { token: admin() }), 404);
});

test('facts and classification: hand-computed score, explanation, roles', async () => {
  // C[1]: 16 years (+10), no licence: 80 -> B; two complaints (-3 each) and a failed spot check
  // in the last year (-15): 80 - 6 - 15 = 59 -> C
  for (const [kind, days] of [['complaint', 10], ['complaint', 20], ['spot_check.fail', 30]]) {
    const on = iso(new Date(Date.parse(`${TODAY}T12:00:00Z`) - days * 86400e3));
    const r = await api('POST', '/api/v1/credit/facts', { token: admin(), body: { credit_code: C[1], kind, occurred_on: on, detail: `${kind} 测试` } });
    assert.equal(r.status, 201, r.text);
  }
  assertProblem(assert, await api('POST', '/api/v1/credit/facts', { token: admin(), body: { credit_code: C[1], kind: 'penalty.high', occurred_on: TODAY } }), 422, 'kind');
  assertProblem(assert, await api('POST', '/api/v1/credit/facts', { token: admin(), body: { credit_code: C[1], kind: 'no.such_kind', occurred_on: TODAY } }), 422, 'kind');
  assertProblem(assert, await api('POST', '/api/v1/credit/facts', { token: admin(), body: { credit_code: C[1], kind: 'complaint', occurred_on: '2999-01-01' } }), 422, 'occurred_on');
  assertProblem(assert, await api('POST', '/api/v1/credit/facts', { token: admin(), body: { credit_code: C[1].slice(0, 17) + 'Z', kind: 'complaint', occurred_on: TODAY } }), 422, 'credit_code');
  assertProblem(assert, await api('POST', '/api/v1/credit/facts', { token: tokenFor('inspector'), body: {} }), 403);
  const r = await api('POST', '/api/v1/credit/classify', { token: admin(), body: { credit_codes: [C[1], C[2]] } });
  assert.equal(r.status, 200, r.text);
  const got = Object.fromEntries(r.json.items.map((i) => [i.credit_code, i]));
  assert.equal(got[C[1]].score, 59);
  assert.equal(got[C[1]].credit_class, 'C');
  assert.equal(got[C[2]].score, 80);
  assert.equal(got[C[2]].credit_class, 'B');
  const p = await page(C[1], tokenFor('inspector'));
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.credit_class, 'C');
  const items = p.json.explanation.items;
  assert.deepEqual(items.filter((i) => i.kind === 'complaint').map((i) => i.points), [-3, -3]);
  assert.equal(items.find((i) => i.kind === 'spot_check.fail').points, -15);
  assert.equal(items.find((i) => i.indicator === 'age').points, 10);
  assert.equal(p.json.explanation.rule_version, p.json.rule_version);
  const pub = await page(C[1]);
  assert.equal(pub.status, 200);
  assert.equal(pub.json.credit_class, undefined, 'the public does not see the class');
  assert.equal(pub.json.explanation, undefined);
  const ent = await api('GET', `/api/v1/entities/${C[1]}`, { token: admin() });
  assert.equal(ent.json.credit_class, 'C', 'the class reached the directory (draw strata)');
  assertProblem(assert, await api('POST', '/api/v1/credit/classify', { token: admin(), body: { all: true, credit_codes: [C[1]] } }), 422, 'all');
  assertProblem(assert, await api('POST', '/api/v1/credit/classify', { token: admin(), body: { credit_codes: ['91110000802100433C'] } }), 422, 'credit_codes/0');
  assertProblem(assert, await api('POST', '/api/v1/credit/classify', { token: tokenFor('inspector'), body: { all: true } }), 403);
  assertProblem(assert, await page('91110000802100433C'), 422, 'credit_code');
  assertProblem(assert, await page(`91${REGION}MA9999999` + checkChar(`91${REGION}MA9999999`)), 404, 'credit_code');
});

test('lists: entry, hard rules, restrictions, removal dates, public list, xlsx, Merkle leaf', async () => {
  const ab = await api('POST', '/api/v1/credit/lists/abnormal', { token: admin(), body: {
    credit_code: C[2], grounds: '通过登记的住所无法联系', entered_on: monthsAgo(1), legal_basis: '《企业经营异常名录管理暂行办法》第四条第四项' } });
  assert.equal(ab.status, 201, ab.text);
  assert.equal(ab.json.status, 'current');
  assertProblem(assert, await api('POST', '/api/v1/credit/lists/abnormal', { token: admin(), body: { credit_code: C[2], grounds: 'x', entered_on: TODAY } }), 409);
  assertProblem(assert, await api('POST', '/api/v1/credit/lists/abnormal', { token: admin(), body: { credit_code: C[3], grounds: 'x', entered_on: '2999-01-01' } }), 422, 'entered_on');
  assertProblem(assert, await api('POST', '/api/v1/credit/lists/abnormal', { token: admin(), body: { credit_code: C[3], grounds: 'x', entered_on: '2025-02-30' } }), 422, 'entered_on');
  assertProblem(assert, await api('POST', '/api/v1/credit/lists/serious', { token: admin(), body: { credit_code: C[3], grounds: 'x', entered_on: TODAY } }), 422, 'legal_basis');
  assertProblem(assert, await api('POST', '/api/v1/credit/lists/grey', { token: admin(), body: {} }), 404);
  assertProblem(assert, await api('POST', '/api/v1/credit/lists/abnormal', { token: tokenFor('inspector'), body: {} }), 403);
  // abnormal -> at least C: C[2] scored 80 (B)
  let p = await page(C[2], admin());
  assert.equal(p.json.credit_class, 'C');
  assert.equal(p.json.explanation.class_by_score, 'C'); // 80 - 20 = 60
  assert.ok(p.json.explanation.hard_rules.some((h) => h.kind === 'list.abnormal'));

  const entered = monthsAgo(12);
  const se = await api('POST', '/api/v1/credit/lists/serious', { token: admin(), body: {
    credit_code: C[3], grounds: '生产销售不合格特种设备，情节严重', entered_on: entered,
    legal_basis: '《市场监督管理严重违法失信名单管理办法》第七条', decision_no: `测市监列〔${TODAY.slice(0, 4)}〕1号` } });
  assert.equal(se.status, 201, se.text);
  assert.equal(se.json.expires_on, periodEnd(entered, 36));
  p = await page(C[3], admin());
  assert.equal(p.json.credit_class, 'D');
  // the entry is a public record: its leaf is in the Merkle log
  const proof = await api('GET', `/api/v1/log/proof/${se.json.log_index}`);
  assert.equal(proof.status, 200, proof.text);
  // joint punishment
  assertProblem(assert, await api('GET', `/api/v1/credit/${C[3]}/restrictions?purpose=award`), 401);
  assertProblem(assert, await api('GET', `/api/v1/credit/${C[3]}/restrictions?purpose=lottery`, { token: tokenFor('inspector') }), 422, 'purpose');
  for (const purpose of ['award', 'front_runner', 'procurement', 'subsidy', 'honour']) {
    const r = await api('GET', `/api/v1/credit/${C[3]}/restrictions?purpose=${purpose}`, { token: tokenFor('inspector') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.restricted, true, purpose);
    assert.ok(r.json.restrictions[0].legal_basis.includes('严重违法失信名单管理办法'));
    assert.equal(r.json.restrictions[0].until, se.json.expires_on);
  }
  let r = await api('GET', `/api/v1/credit/${C[0]}/restrictions?purpose=award`, { token: tokenFor('regulator') });
  assert.equal(r.json.restricted, false);
  // early removal: possible from the day after one year; a pledge is needed
  const from = nextDay(periodEnd(entered, 12));
  r = await api('POST', `/api/v1/credit/lists/serious/${se.json.id}/remove`, { token: admin(), body: { reason: 'early', removed_on: periodEnd(entered, 12), pledge: '承诺' } });
  assertProblem(assert, r, 422, 'removed_on');
  assert.ok(r.json.errors[0].message.includes(from), r.text);
  assertProblem(assert, await api('POST', `/api/v1/credit/lists/serious/${se.json.id}/remove`, { token: admin(), body: { reason: 'fixed' } }), 422, 'reason');
  if (from <= TODAY) {
    assertProblem(assert, await api('POST', `/api/v1/credit/lists/serious/${se.json.id}/remove`, { token: admin(), body: { reason: 'early', removed_on: from } }), 422, 'pledge');
  }
  // public list, filters, paging, staff-only history, xlsx
  let l = await api('GET', `/api/v1/credit/lists/abnormal?region=${REGION}`);
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.items.map((i) => i.credit_code), [C[2]]);
  assert.equal(l.json.items[0].created_by, undefined);
  l = await api('GET', `/api/v1/credit/lists/abnormal?q=${encodeURIComponent('鼓山商贸')}`);
  assert.ok(l.json.items.some((i) => i.credit_code === C[2]));
  assertProblem(assert, await api('GET', '/api/v1/credit/lists/abnormal?status=removed'), 403, 'status');
  assertProblem(assert, await api('GET', '/api/v1/credit/lists/abnormal?region=45x'), 422, 'region');
  assertProblem(assert, await api('GET', '/api/v1/credit/lists/abnormal?limit=0'), 422, 'limit');
  assertProblem(assert, await api('GET', '/api/v1/credit/lists/abnormal?format=pdf'), 422, 'format');
  const x = await fetch(`${process.env.NQI_URL}/api/v1/credit/lists/serious?format=xlsx&region=${REGION}`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  const bytes = Buffer.from(await x.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  // removal of the abnormal entry when fixed: back to B, gone from the public list
  r = await api('POST', `/api/v1/credit/lists/abnormal/${ab.json.id}/remove`, { token: admin(), body: { reason: 'fixed', note: '已恢复正常经营' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'removed');
  assert.equal(r.json.removal_reason, 'fixed');
  assert.ok(Number.isInteger(r.json.removal_log_index));
  assertProblem(assert, await api('POST', `/api/v1/credit/lists/abnormal/${ab.json.id}/remove`, { token: admin(), body: { reason: 'fixed' } }), 409);
  l = await api('GET', `/api/v1/credit/lists/abnormal?region=${REGION}`);
  assert.equal(l.json.items.length, 0);
  l = await api('GET', `/api/v1/credit/lists/abnormal?region=${REGION}&status=all`, { token: tokenFor('inspector') });
  assert.equal(l.json.items.length, 1);
  p = await page(C[2], admin());
  assert.equal(p.json.credit_class, 'B');
  assert.equal(p.json.facts.find((f) => f.kind === 'list.abnormal').state, 'withdrawn');
  const one = await api('GET', `/api/v1/credit/lists/abnormal/${ab.json.id}`);
  assert.equal(one.status, 200);
  assertProblem(assert, await api('GET', '/api/v1/credit/lists/abnormal/abc'), 404);
});

test('penalties: severity, publicity periods, public vs staff, bad input', async () => {
  const hi = await api('POST', '/api/v1/credit/penalties', { token: admin(), body: {
    credit_code: C[0], decision_no: `测市监罚〔${REGION}〕1号`, kind: 'fine', amount_yuan: 50000, decided_on: monthsAgo(3),
    legal_basis: '《中华人民共和国食品安全法》第一百二十四条', summary: '生产经营不符合食品安全标准的食品' } });
  assert.equal(hi.status, 201, hi.text);
  assert.equal(hi.json.severity, 'high');
  assert.equal(hi.json.publicity_until, periodEnd(monthsAgo(3), 36));
  const old = monthsAgo(4);
  const lo = await api('POST', '/api/v1/credit/penalties', { token: admin(), body: {
    credit_code: C[0], decision_no: `测市监警〔${REGION}〕2号`, kind: 'warning', decided_on: old, legal_basis: '《中华人民共和国产品质量法》第五十四条' } });
  assert.equal(lo.status, 201, lo.text);
  assert.equal(lo.json.severity, 'low');
  assert.equal(lo.json.publicity_until, periodEnd(old, 3));
  assert.equal(lo.json.in_publicity, false); // 3 months are over
  assertProblem(assert, await api('POST', '/api/v1/credit/penalties', { token: admin(), body: { credit_code: C[0], decision_no: `测市监罚〔${REGION}〕1号`, kind: 'warning', decided_on: TODAY, legal_basis: 'x' } }), 409, 'decision_no');
  assertProblem(assert, await api('POST', '/api/v1/credit/penalties', { token: admin(), body: { credit_code: C[0], decision_no: 'n3', kind: 'fine', decided_on: TODAY, legal_basis: 'x' } }), 422, 'amount_yuan');
  assertProblem(assert, await api('POST', '/api/v1/credit/penalties', { token: admin(), body: { credit_code: C[0], decision_no: 'n4', kind: 'flogging', decided_on: TODAY, legal_basis: 'x' } }), 422, 'kind');
  assertProblem(assert, await api('POST', '/api/v1/credit/penalties', { token: admin(), body: { credit_code: C[0], decision_no: 'n5', kind: 'warning', decided_on: TODAY } }), 422, 'legal_basis');
  assertProblem(assert, await api('POST', '/api/v1/credit/penalties', { token: tokenFor('enterprise'), body: {} }), 403);
  let r = await api('GET', `/api/v1/credit/penalties?credit_code=${C[0]}`);
  assert.deepEqual(r.json.items.map((i) => i.id), [hi.json.id], 'only penalties in publicity are public');
  assertProblem(assert, await api('GET', `/api/v1/credit/penalties?credit_code=${C[0]}&status=all`), 403, 'status');
  r = await api('GET', `/api/v1/credit/penalties?credit_code=${C[0]}&status=all`, { token: tokenFor('inspector') });
  assert.equal(r.json.items.length, 2);
  r = await api('GET', `/api/v1/credit/penalties?region=${REGION}&severity=high`);
  assert.ok(r.json.items.every((i) => i.severity === 'high' && i.region === REGION));
  assertProblem(assert, await api('GET', '/api/v1/credit/penalties?severity=medium'), 422, 'severity');
  const x = await fetch(`${process.env.NQI_URL}/api/v1/credit/penalties?format=xlsx&region=${REGION}`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-disposition'), /credit-penalties-.*\.xlsx/);
  // C[0]: 80 + 3 (licence) - 20 (heavier penalty) - 2 (warning, half after... within 12 months: -5) = 58 -> C
  const p = await page(C[0], admin());
  assert.equal(p.json.score, 80 + 3 - 20 - 5);
  assert.equal(p.json.credit_class, 'C');
  const pub = await page(C[0]);
  assert.deepEqual(pub.json.penalties.map((i) => i.id), [hi.json.id]);
});

test('repairs: eligibility dates, enterprise scope, decision withdraws the fact', async () => {
  // food (C[0]): 1 year after the decision; the penalty above is 3 months old
  const list = await api('GET', `/api/v1/credit/penalties?credit_code=${C[0]}&severity=high`);
  const pid = list.json.items[0].id;
  let r = await api('POST', '/api/v1/credit/repairs', { token: admin(), body: { target_kind: 'penalty', target_id: pid, reason: '已整改', pledge: '承诺守法经营' } });
  assertProblem(assert, r, 422, 'target_id');
  assert.ok(r.json.errors[0].message.includes(nextDay(periodEnd(list.json.items[0].decided_on, 12))), r.text);
  assert.ok(r.json.errors[0].message.includes('1 year'), r.text);
  // the enterprise's own penalty, 6 months and 1 day ago: eligible (not food, drugs or special equipment)
  const decided = iso(new Date(Date.parse(`${periodEnd(TODAY, -6)}T12:00:00Z`) - 86400e3));
  const pen = await api('POST', '/api/v1/credit/penalties', { token: admin(), body: {
    credit_code: ENTERPRISE, decision_no: `测市监罚〔${REGION}〕9号`, kind: 'fine', amount_yuan: 20000, decided_on: decided, legal_basis: '《中华人民共和国产品质量法》第五十条' } });
  assert.equal(pen.status, 201, pen.text);
  const recent = await api('POST', '/api/v1/credit/penalties', { token: admin(), body: {
    credit_code: ENTERPRISE, decision_no: `测市监罚〔${REGION}〕10号`, kind: 'confiscation', decided_on: TODAY, legal_basis: '《中华人民共和国产品质量法》第五十条' } });
  assert.equal(recent.status, 201, recent.text);
  r = await api('POST', '/api/v1/credit/repairs', { token: tokenFor('enterprise'), body: { target_kind: 'penalty', target_id: recent.json.id, reason: '已整改', pledge: '承诺' } });
  assertProblem(assert, r, 422, 'target_id');
  assert.ok(r.json.errors[0].message.includes(nextDay(periodEnd(TODAY, 6))), r.text);
  assertProblem(assert, await api('POST', '/api/v1/credit/repairs', { token: tokenFor('enterprise'), body: { target_kind: 'penalty', target_id: pid, reason: 'x', pledge: 'y' } }), 403); // not its own
  assertProblem(assert, await api('POST', '/api/v1/credit/repairs', { token: tokenFor('enterprise'), body: { target_kind: 'penalty', target_id: pen.json.id, reason: '已整改' } }), 422, 'pledge');
  assertProblem(assert, await api('POST', '/api/v1/credit/repairs', { token: tokenFor('enterprise'), body: { target_kind: 'licence', target_id: 1, reason: 'x', pledge: 'y' } }), 422, 'target_kind');
  assertProblem(assert, await api('POST', '/api/v1/credit/repairs', { body: {} }), 401);
  const req = await api('POST', '/api/v1/credit/repairs', { token: tokenFor('enterprise'), body: {
    target_kind: 'penalty', target_id: pen.json.id, reason: '已缴纳罚款并整改', measures: '完善出厂检验', pledge: '本企业承诺守法诚信经营' } });
  assert.equal(req.status, 201, req.text);
  assert.equal(req.json.status, 'pending');
  assertProblem(assert, await api('POST', '/api/v1/credit/repairs', { token: tokenFor('enterprise'), body: { target_kind: 'penalty', target_id: pen.json.id, reason: 'x', pledge: 'y' } }), 409, 'target_id');
  // the enterprise sees its own requests only; the public none
  const mine = await api('GET', '/api/v1/credit/repairs', { token: tokenFor('enterprise') });
  assert.ok(mine.json.items.length >= 1 && mine.json.items.every((i) => i.credit_code === ENTERPRISE));
  assertProblem(assert, await api('GET', '/api/v1/credit/repairs'), 401);
  assertProblem(assert, await api('POST', `/api/v1/credit/repairs/${req.json.id}/decision`, { token: tokenFor('enterprise'), body: { decision: 'approve' } }), 403);
  assertProblem(assert, await api('POST', `/api/v1/credit/repairs/${req.json.id}/decision`, { token: admin(), body: { decision: 'maybe' } }), 422, 'decision');
  const before = await page(ENTERPRISE, admin());
  const ok = await api('POST', `/api/v1/credit/repairs/${req.json.id}/decision`, { token: tokenFor('regulator'), body: { decision: 'approve', note: '材料齐全，同意修复' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'approved');
  assertProblem(assert, await api('POST', `/api/v1/credit/repairs/${req.json.id}/decision`, { token: admin(), body: { decision: 'reject' } }), 409);
  const after = await page(ENTERPRISE, tokenFor('enterprise')); // the enterprise sees its own full page
  assert.equal(after.status, 200);
  assert.ok(after.json.explanation, 'own full page');
  assert.equal(after.json.facts.find((f) => f.source === 'credit_penalty' && f.ref === String(pen.json.id)).state, 'withdrawn');
  assert.equal(after.json.score, before.json.score + 20, 'the repaired penalty no longer counts');
  const pub = await api('GET', `/api/v1/credit/penalties?credit_code=${ENTERPRISE}`);
  assert.ok(!pub.json.items.some((i) => i.id === pen.json.id), 'publicity ended');
  const staff = await api('GET', `/api/v1/credit/repairs?status=approved&credit_code=${ENTERPRISE}`, { token: tokenFor('inspector') });
  assert.ok(staff.json.items.some((i) => i.id === req.json.id));
  assertProblem(assert, await api('GET', '/api/v1/credit/repairs?status=done', { token: admin() }), 422, 'status');
});

test('overview, full run and the CLI', async () => {
  assertProblem(assert, await api('GET', '/api/v1/credit/overview'), 401);
  const run = await api('POST', '/api/v1/credit/classify', { token: admin(), body: { all: true } });
  assert.equal(run.status, 200, run.text);
  assert.ok(run.json.entities >= 6);
  assert.equal(run.json.status, 'done');
  const o = await api('GET', '/api/v1/credit/overview', { token: tokenFor('inspector') });
  assert.equal(o.status, 200, o.text);
  assert.equal(o.json.last_run.id, run.json.id);
  assert.equal(Object.values(o.json.counts).reduce((a, b) => a + b, 0), o.json.total);
  const c = cli(['credit', 'classify', C[3]]);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).items[0].credit_class, 'D');
  const s = cli(['credit', 'show', C[2]]);
  assert.equal(s.status, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).credit_code, C[2]);
  const bad = cli(['credit', 'restrictions', C[3]]);
  assert.equal(bad.status, 2);
  const rs = cli(['credit', 'restrictions', C[3], '--purpose', 'procurement']);
  assert.equal(JSON.parse(rs.stdout).restricted, true);
});
