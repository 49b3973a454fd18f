// Bad input: each a precise problem+json, never a crash, nothing written.
import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { api, tokenFor, assertProblem, uniq, URL_ } from './lib.mjs';

const admin = () => tokenFor('admin');

async function userCount() {
  const r = await api('GET', '/api/v1/users?limit=500', { token: admin() });
  assert.equal(r.status, 200);
  return r.json.items.length;
}

test('malformed JSON is a 400 naming the position', async () => {
  const r = await api('POST', '/api/v1/users', { token: admin(), raw: '{"username": "x",',
    headers: { 'content-type': 'application/json' } });
  assertProblem(assert, r, 400);
  assert.match(r.json.detail, /line \d+/);
});

test('duplicate keys are rejected', async () => {
  const r = await api('POST', '/api/v1/users', { token: admin(),
    raw: '{"username":"dupkey1","username":"dupkey2","password":"long-enough-pw","role":"inspector"}',
    headers: { 'content-type': 'application/json' } });
  assertProblem(assert, r, 400);
  assert.match(r.json.detail, /duplicate/i);
});

test('invalid UTF-8 is rejected', async () => {
  const bytes = Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc3, 0x28]),
    Buffer.from('","password":"long-enough-pw","role":"inspector"}')]);
  const r = await api('POST', '/api/v1/users', { token: admin(), raw: bytes,
    headers: { 'content-type': 'application/json' } });
  assertProblem(assert, r, 400);
});

test('oversize body is a 413, both declared and streamed', async () => {
  const big = '{"username":"' + 'a'.repeat(2 * 1024 * 1024) + '"}';
  const r = await api('POST', '/api/v1/users', { token: admin(), raw: big,
    headers: { 'content-type': 'application/json' } });
  assertProblem(assert, r, 413);
  // chunked: no Content-Length, so the cap is enforced while reading
  const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
  let sent = 0;
  const stream = new ReadableStream({
    pull(ctl) { if (sent++ < 24) ctl.enqueue(chunk); else ctl.close(); },
  });
  const res = await fetch(process.env.NQI_URL + '/api/v1/users', { method: 'POST', body: stream, duplex: 'half',
    headers: { authorization: `Bearer ${admin()}`, 'content-type': 'application/json' } });
  assert.equal(res.status, 413);
  assert.match(res.headers.get('content-type'), /problem\+json/);
});

test('wrong content type is a 415', async () => {
  const r = await api('POST', '/api/v1/users', { token: admin(), raw: 'username=a',
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assertProblem(assert, r, 415);
});

test('unknown fields on a write are a 422 naming the field, and nothing is written', async () => {
  const before = await userCount();
  const name = uniq('u');
  const r = await api('POST', '/api/v1/users', { token: admin(),
    body: { username: name, password: 'long-enough-pw', role: 'inspector', is_root: true } });
  assertProblem(assert, r, 422, 'is_root');
  assert.equal(await userCount(), before);
});

test('invalid fields are each named', async () => {
  const r = await api('POST', '/api/v1/users', { token: admin(),
    body: { username: 'A B', password: 'short', role: 'emperor' } });
  assertProblem(assert, r, 422);
  const fields = r.json.errors.map((e) => e.field).sort();
  for (const f of ['password', 'role', 'username']) assert.ok(fields.includes(f), `${f} in ${fields}`);
});

test('enterprise user needs a valid unified social credit code (GB 32100 check character)', async () => {
  const bad = await api('POST', '/api/v1/users', { token: admin(),
    body: { username: uniq('ent'), password: 'long-enough-pw', role: 'enterprise', credit_code: '91350100M000100Y44' } });
  assertProblem(assert, bad, 422, 'credit_code');
  const good = await api('POST', '/api/v1/users', { token: admin(),
    body: { username: uniq('ent'), password: 'long-enough-pw', role: 'enterprise', credit_code: '91350100M000100Y43' } });
  assert.equal(good.status, 201, good.text);
});

test('overlong headers get a 4xx, and the server keeps answering', async () => {
  let status;
  try {
    const r = await fetch(process.env.NQI_URL + '/api/v1/health', { headers: { 'x-big': 'a'.repeat(64 * 1024) } });
    status = r.status;
  } catch { status = 'closed'; }
  assert.ok(status === 'closed' || (status >= 400 && status < 500), `got ${status}`);
  const ok = await api('GET', '/api/v1/health');
  assert.equal(ok.status, 200);
});

test('a duplicate username is a 409 conflict', async () => {
  const name = uniq('dup');
  const body = { username: name, password: 'long-enough-pw', role: 'inspector' };
  assert.equal((await api('POST', '/api/v1/users', { token: admin(), body })).status, 201);
  assertProblem(assert, await api('POST', '/api/v1/users', { token: admin(), body }), 409);
});

test('Content-Length with Transfer-Encoding is refused and the connection closed', async () => {
  const u = new URL(URL_);
  const raw = 'POST /api/v1/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
    `Authorization: Bearer ${tokenFor('admin')}\r\n` +
    'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '2\r\n{}\r\n0\r\n\r\nGET /api/v1/meta/routes HTTP/1.1\r\nHost: t\r\n\r\n';
  const text = await new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(raw));
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(5000, () => { s.destroy(); reject(new Error('no close: ' + got)); });
  });
  assert.match(text, /^HTTP\/1\.1 400 /);
  assert.match(text, /application\/problem\+json/);
  assert.equal((text.match(/HTTP\/1\.1 /g) || []).length, 1, 'the smuggled request was not answered');
});
