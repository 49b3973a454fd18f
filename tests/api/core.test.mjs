// Health, metrics, OpenAPI, request ids, static-file safety.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, BACKEND, assertProblem } from './lib.mjs';

test('health reports ok, the backend and a schema version', async () => {
  const r = await api('GET', '/api/v1/health');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.db, BACKEND);
  assert.ok(r.json.schema_version >= 1);
  assert.match(r.json.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
});

test('request id is generated, and a sane one is echoed back', async () => {
  const a = await api('GET', '/api/v1/health');
  assert.match(a.headers.get('x-request-id') || '', /^[A-Za-z0-9_-]{8,64}$/);
  const b = await api('GET', '/api/v1/health', { headers: { 'x-request-id': 'trace-abc-123' } });
  assert.equal(b.headers.get('x-request-id'), 'trace-abc-123');
  const c = await api('GET', '/api/v1/health', { headers: { 'x-request-id': 'bad id<script>' } });
  assert.notEqual(c.headers.get('x-request-id'), 'bad id<script>');
});

test('metrics count requests by route and status, with a latency histogram', async () => {
  for (let i = 0; i < 3; i++) await api('GET', '/api/v1/health');
  await api('GET', '/api/v1/no-such-thing');
  const r = await api('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  const m = r.text.match(/nqi_http_requests_total\{[^}]*route="\/api\/v1\/health"[^}]*status="200"[^}]*\} (\d+)/);
  assert.ok(m, 'health counter present');
  assert.ok(Number(m[1]) >= 3);
  assert.match(r.text, /nqi_http_request_duration_seconds_bucket\{[^}]*le="\+Inf"\} \d+/);
  assert.match(r.text, /status="404"/);
});

test('OpenAPI document is served and documents every route in the authorization table', async () => {
  const doc = await api('GET', '/api/v1/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.json.openapi.slice(0, 2), '3.');
  const table = await api('GET', '/api/v1/meta/routes');
  assert.equal(table.status, 200);
  assert.ok(table.json.items.length >= 10);
  const missing = [];
  for (const r of table.json.items) {
    if (!r.path.startsWith('/api/')) continue;
    const p = doc.json.paths[r.path.replace(/^\/api\/v1/, '')] || doc.json.paths[r.path];
    if (!p || !p[r.method.toLowerCase()]) missing.push(`${r.method} ${r.path}`);
  }
  assert.deepEqual(missing, [], 'routes missing from openapi.json');
});

test('unknown API path is a 404 problem; wrong method is 405 with Allow', async () => {
  assertProblem(assert, await api('GET', '/api/v1/nope'), 404);
  const r = await api('DELETE', '/api/v1/health');
  assertProblem(assert, r, 405);
  assert.match(r.headers.get('allow') || '', /GET/);
});

test('path traversal never reaches files outside the web root', async () => {
  for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
                   '/assets/..%2f..%2f..%2fetc%2fpasswd', '/..%5c..%5cetc/passwd']) {
    const r = await fetch(process.env.NQI_URL + p);
    const t = await r.text();
    assert.ok(!t.includes('root:x:0:0'), `${p} leaked /etc/passwd`);
  }
});
