// Standards tracking (标准跟踪) and publication notices (标准发布动态):
// watchlists, a notice applied to the catalogue, the inbox, Atom feeds, and
// webhooks (HMAC-signed, retried) against a receiver started here. The
// webhook test runs its own `nqi serve` on a database of its own with a short
// NQI_WEBHOOK_BACKOFF_MS, so the suite's server (30 s backoff) cannot claim
// the deliveries first.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { api, assertProblem, cli, tokenFor, uniq, BIN, DB, BACKEND, TMP, freshDb, runOn, startServer } from './lib.mjs';

const ISSUER = '国家市场监督管理总局 国家标准化管理委员会';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A 5-digit number not used by other tests.
function freshNumber() {
  return 60000 + Math.floor(Math.random() * 30000);
}

// Well-formed XML (balanced tags, only known entities) and an Atom feed.
function checkAtom(text) {
  assert.match(text, /^<\?xml version="1\.0" encoding="utf-8"\?>/);
  assert.match(text, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
  const body = text.replace(/^<\?xml[^>]*\?>/, '');
  const stack = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>/g)) {
    if (m[1]) assert.equal(stack.pop(), m[2], `unbalanced </${m[2]}>`);
    else if (!m[3]) stack.push(m[2]);
  }
  assert.deepEqual(stack, [], 'every tag closed');
  for (const m of body.matchAll(/&([^;\s]*);?/g)) {
    assert.ok(['amp', 'lt', 'gt', 'quot', 'apos'].includes(m[1]), `bad entity &${m[1]}`);
  }
  const entries = [...body.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => m[1]);
  for (const e of entries) {
    assert.match(e, /<id>[^<]+<\/id>/);
    assert.match(e, /<title type="text">[^<]+<\/title>/);
    assert.match(e, /<updated>\d{4}-\d\d-\d\dT[\d:.]+Z<\/updated>/);
    assert.match(e, /<link rel="alternate" type="text\/html" href="[^"]+"\/>/);
  }
  return entries;
}

test('a notice replacing a watched standard reaches the inbox and the Atom feed', async () => {
  const admin = tokenFor('admin');
  const ent = tokenFor('enterprise');
  const n = freshNumber();
  const old = `GB/T ${n}-2012`, neu = `GB/T ${n}-2026`;
  const no1 = uniq('2026年第') + '号';

  // publish the old edition through a notice (regulators and admins only)
  const first = { issuer: ISSUER, notice_no: no1, issued_on: '2012-03-09', title: '关于批准发布国家标准的公告',
    items: [{ action: 'publish', number: old, title_zh: '卓越绩效评价准则 & <测试>', implemented_on: '2012-08-01' }] };
  assertProblem(assert, await api('POST', '/api/v1/notices', { token: ent, body: first }), 403);
  let r = await api('POST', '/api/v1/notices', { token: tokenFor('regulator'), body: first });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.counts.publish, 1);
  assert.equal(r.json.inserted, 1);
  assertProblem(assert, await api('POST', '/api/v1/notices', { token: admin, body: first }), 409);

  // the watchlist: messy number in, std_key matched
  r = await api('POST', '/api/v1/watchlists', { token: ent,
    body: { name: '卓越绩效', kind: 'number', value: `gb/t${n}-2012`, remind_days: 10 } });
  assert.equal(r.status, 201, r.text);
  const wl = r.json;
  assert.equal(wl.kind, 'number');
  assert.equal(wl.remind_days, 10);
  assert.match(wl.feed_url, new RegExp(`^/api/v1/feeds/watchlists/${wl.id}\\.atom\\?token=[0-9a-f]{64}$`));
  assert.equal(wl.webhook_secret, undefined);
  r = await api('GET', `/api/v1/watchlists/${wl.id}`, { token: ent });
  assert.equal(r.status, 200);
  assert.equal(r.json.feed_url, undefined, 'the feed token is shown once');
  // someone else's watchlist is not found; admin sees it
  assertProblem(assert, await api('GET', `/api/v1/watchlists/${wl.id}`, { token: tokenFor('inspector') }), 404);
  r = await api('GET', '/api/v1/watchlists', { token: admin, headers: {} });
  assert.ok(r.json.items.some((w) => w.id === wl.id));
  r = await api('GET', '/api/v1/watchlists', { token: tokenFor('inspector') });
  assert.ok(!r.json.items.some((w) => w.id === wl.id));
  // validation
  r = await api('POST', '/api/v1/watchlists', { token: ent,
    body: { name: 'x', kind: 'number', value: 'not a number', webhook_url: 'ftp://example.org/h' } });
  assertProblem(assert, r, 422, 'value');
  assert.ok(r.json.errors.some((e) => e.field === 'webhook_url' && /https?:\/\//.test(e.message)));
  assertProblem(assert, await api('POST', '/api/v1/watchlists', { token: ent, body: { name: 'x', kind: 'isbn', value: '1' } }), 422, 'kind');

  // a notice that fails validation writes nothing and names each bad item
  const bad = { issuer: ISSUER, notice_no: uniq('bad'), issued_on: '2026-03-01', title: 't',
    items: [{ action: 'publish', number: `GB/T ${n + 1}-2026`, title_zh: '好' },
            { action: 'publish', number: 'XYZ 1' },
            { action: 'withdraw', number: `GB/T ${n + 2}-1999` }] };
  r = await api('POST', '/api/v1/notices', { token: admin, body: bad });
  assertProblem(assert, r, 422, 'items/1/number');
  assert.ok(r.json.errors.some((e) => e.field === 'items/2/number'));
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(`GB/T ${n + 1}-2026`)}`);
  assert.equal(r.status, 404, 'nothing of the failed notice was applied');

  // the replacing notice
  const no2 = uniq('2026年第') + '号';
  r = await api('POST', '/api/v1/notices', { token: admin, body: { issuer: ISSUER, notice_no: no2,
    issued_on: '2026-03-01', title: '关于批准发布《卓越绩效评价准则》的公告',
    items: [{ action: 'replace', number: neu, title_zh: '卓越绩效评价准则', implemented_on: '2026-10-01', replaces: [old] }] } });
  assert.equal(r.status, 201, r.text);
  const noticeId = r.json.id;
  assert.ok(r.json.events >= 2, r.text);

  r = await api('GET', '/api/v1/notices');
  assert.equal(r.status, 200);
  assert.ok(r.json.items.some((x) => x.id === noticeId && x.notice_no === no2));
  r = await api('GET', `/api/v1/notices/${noticeId}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.items[0].number, neu);
  assert.deepEqual(r.json.items[0].replaces, [old]);
  r = await api('GET', `/api/v1/standards/${encodeURIComponent(old)}`);
  assert.ok(r.json.changes.some((c) => c.source === `notice:${noticeId}`), r.text);

  // the inbox
  r = await api('GET', '/api/v1/inbox?unread=1', { token: ent });
  assert.equal(r.status, 200);
  const mine = r.json.items.filter((e) => e.watchlist_id === wl.id);
  const repl = mine.find((e) => e.kind === 'replaced');
  assert.ok(repl, r.text);
  assert.equal(repl.number, old);
  assert.equal(repl.title, `${old} 被 ${neu} 代替`);
  assert.equal(repl.source, `notice:${noticeId}`);
  assert.equal(repl.link, `/standards/${encodeURIComponent(old)}`);
  assert.ok(mine.some((e) => e.kind === 'new' && e.number === neu));
  assert.ok(r.json.unread >= 2);
  // other users do not see it
  r = await api('GET', '/api/v1/inbox', { token: tokenFor('inspector') });
  assert.ok(!r.json.items.some((e) => e.watchlist_id === wl.id));

  // the feed: public with the token, 404 without or with a wrong one
  const feed = await fetch(process.env.NQI_URL + wl.feed_url);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^application\/atom\+xml/);
  const xml = await feed.text();
  const entries = checkAtom(xml);
  assert.ok(entries.length >= 2);
  assert.ok(xml.includes(`<title type="text">${old} 被 ${neu} 代替</title>`), xml);
  assert.ok(xml.includes(`/standards/${encodeURIComponent(old)}"`));
  // a wrong token: its first character changed (replacing it with a fixed '0' left a token
  // starting with '0' valid, one run in sixteen)
  const wrong = wl.feed_url.replace(/token=(.)/, (m, ch) => `token=${ch === '0' ? '1' : '0'}`);
  assert.notEqual(wrong, wl.feed_url);
  assertProblem(assert, await api('GET', wrong), 404);
  assertProblem(assert, await api('GET', `/api/v1/feeds/watchlists/${wl.id}.atom`), 404);
  assertProblem(assert, await api('GET', `/api/v1/feeds/watchlists/${wl.id}.atom?token=`), 404);

  // notices feed (the title with & and < escaped in the item, the feed stays well-formed)
  const nf = await fetch(process.env.NQI_URL + '/api/v1/feeds/notices.atom');
  assert.equal(nf.status, 200);
  const nxml = await nf.text();
  checkAtom(nxml);
  assert.ok(nxml.includes(no2));

  // mark read
  r = await api('POST', '/api/v1/inbox/read', { token: ent, body: { ids: [repl.id] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.marked, 1);
  assertProblem(assert, await api('POST', '/api/v1/inbox/read', { token: ent, body: {} }), 422, 'ids');
  r = await api('POST', '/api/v1/inbox/read', { token: ent, body: { all: true } });
  assert.equal(r.status, 200);
  r = await api('GET', '/api/v1/inbox?unread=1', { token: ent });
  assert.equal(r.json.unread, 0);

  // rotate the feed token: the old URL stops working
  r = await api('PATCH', `/api/v1/watchlists/${wl.id}`, { token: ent, body: { new_feed_token: true, name: '卓越绩效2' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, '卓越绩效2');
  assert.notEqual(r.json.feed_url, wl.feed_url);
  assert.equal((await fetch(process.env.NQI_URL + wl.feed_url)).status, 404);
  assert.equal((await fetch(process.env.NQI_URL + r.json.feed_url)).status, 200);

  // delete
  assert.equal((await api('DELETE', `/api/v1/watchlists/${wl.id}`, { token: ent })).status, 204);
  assertProblem(assert, await api('GET', `/api/v1/watchlists/${wl.id}`, { token: ent }), 404);
});

// ---- webhooks, on a server of our own -------------------------------------




test('webhooks are signed with HMAC-SHA256, retried after a 500, and logged', async (t) => {
  const db = freshDb('trk');
  runOn(db, ['init']);
  const token = runOn(db, ['token', 'add', '--role', 'admin', 'hooks']).trim().split('\n').pop();
  const { p, url } = await startServer(db, { NQI_WEBHOOK_BACKOFF_MS: '100', NQI_TRACKING_POLL_MS: '50' });
  const got = [];
  const recv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ headers: req.headers, body, url: req.url });
      res.statusCode = got.length === 1 ? 500 : 200;
      res.end('ok');
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

  const hook = `http://127.0.0.1:${recv.address().port}/nqi-hook`;
  let r = await call('POST', '/api/v1/watchlists', { name: '焊接', kind: 'query', value: '焊接材料', webhook_url: hook });
  assert.equal(r.status, 201, r.text);
  const wl = r.json;
  assert.match(wl.webhook_secret, /^[0-9a-f]{64}$/);
  await sleep(5); // changes older than the watchlist are not delivered
  r = await call('POST', '/api/v1/notices', { issuer: ISSUER, notice_no: '2026年第30号', issued_on: '2026-05-01',
    title: '焊接标准', items: [{ action: 'publish', number: 'GB/T 39255-2026', title_zh: '焊接材料 焊接工艺评定', ics: '25.160' }] });
  assert.equal(r.status, 201, r.text);

  for (let i = 0; i < 200 && got.length < 2; i++) await sleep(50);
  assert.equal(got.length, 2, 'one failed attempt and one retry');
  for (const g of got) {
    assert.equal(g.url, '/nqi-hook');
    assert.equal(g.headers['content-type'], 'application/json');
    const want = 'sha256=' + crypto.createHmac('sha256', wl.webhook_secret).update(g.body).digest('hex');
    assert.equal(g.headers['x-nqi-signature'], want);
    const ev = JSON.parse(g.body);
    assert.equal(String(ev.id), g.headers['x-nqi-event-id']);
    assert.equal(ev.type, 'standard.new');
    assert.equal(ev.number, 'GB/T 39255-2026');
    assert.equal(ev.watchlist.id, wl.id);
  }
  assert.equal(got[0].body, got[1].body, 'a retry sends the same body');
  assert.equal(got[0].headers['x-nqi-attempt'], '1');
  assert.equal(got[1].headers['x-nqi-attempt'], '2');

  let log;
  for (let i = 0; i < 50; i++) {
    log = await call('GET', `/api/v1/watchlists/${wl.id}/deliveries`);
    if (log.json.items[0]?.status === 'delivered') break;
    await sleep(50);
  }
  assert.equal(log.status, 200);
  const d = log.json.items[0];
  assert.equal(d.status, 'delivered', log.text);
  assert.equal(d.attempts, 2);
  assert.equal(d.response_code, 200);
  assert.equal(d.next_attempt_at, null);

  // a receiver that is gone: the failure is logged with a reason and a next attempt
  await new Promise((r) => recv.close(r));
  r = await call('POST', '/api/v1/notices', { issuer: ISSUER, notice_no: '2026年第31号', issued_on: '2026-05-02',
    title: '焊接标准二', items: [{ action: 'publish', number: 'GB/T 39256-2026', title_zh: '焊接材料 试验方法' }] });
  assert.equal(r.status, 201, r.text);
  let failed;
  for (let i = 0; i < 100; i++) {
    log = await call('GET', `/api/v1/watchlists/${wl.id}/deliveries`);
    failed = log.json.items.find((x) => x.id !== d.id && x.attempts >= 1);
    if (failed) break;
    await sleep(50);
  }
  assert.ok(failed, log.text);
  assert.match(failed.last_error, /connect/);
  assert.equal(failed.response_code, null);

  // SIGTERM stops the worker and the server cleanly
  const code = await new Promise((resolve) => { p.on('exit', (c) => resolve(c)); p.kill('SIGTERM'); });
  assert.equal(code, 0);
});

test('nqi standards notice FILE applies a notice like the API, all or nothing', async () => {
  const no = uniq('CLI公告');
  const num = `GB/T ${90000 + Math.floor(Math.random() * 9000)}-2026`;
  const file = path.join(TMP, `${no}.json`);
  const body = {
    issuer: '国家市场监督管理总局 国家标准化管理委员会', notice_no: no, issued_on: '2026-11-20', title: '关于批准发布国家标准的公告',
    items: [
      { action: 'publish', number: num, title_zh: '命令行发布测试', implemented_on: '2027-06-01' },
      { action: 'withdraw', number: 'GB/T 1-1900' },
    ],
  };
  fs.writeFileSync(file, JSON.stringify(body));
  const bad = cli(['standards', 'notice', file]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /items\/1\/number/);
  assert.equal((await api('GET', `/api/v1/standards/${encodeURIComponent(num)}`)).status, 404, 'nothing written');
  body.items.pop();
  fs.writeFileSync(file, JSON.stringify(body));
  const ok = cli(['standards', 'notice', file]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /1 published, 0 replaced, 0 withdrawn/);
  const d = await api('GET', `/api/v1/standards/${encodeURIComponent(num)}`);
  assert.equal(d.status, 200);
  assert.equal(d.json.title_zh, '命令行发布测试');
  const again = cli(['standards', 'notice', file]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists already/);
});
