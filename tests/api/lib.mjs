// Shared helpers for the API tests. The runner (scripts/test.sh) starts a real
// `nqi serve` and passes NQI_URL, NQI_DB, NQI_BIN, NQI_ADMIN_TOKEN, NQI_BACKEND.
import { execFileSync, spawnSync } from 'node:child_process';

export const URL_ = process.env.NQI_URL;
export const BIN = process.env.NQI_BIN;
export const DB = process.env.NQI_DB;
export const BACKEND = process.env.NQI_BACKEND || 'sqlite';
export const ADMIN_TOKEN = process.env.NQI_ADMIN_TOKEN;
export const TMP = process.env.NQI_TEST_TMP || '/tmp';

if (!URL_ || !BIN || !DB) throw new Error('run through scripts/test.sh (NQI_URL, NQI_BIN, NQI_DB)');

export function uniq(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

// Run the CLI on the test database; returns {status, stdout, stderr}.
export function cli(args, env = {}) {
  const r = spawnSync(BIN, args, { env: { ...process.env, NQI_DB: DB, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A bearer token for a role, made with `nqi token add` (last line = token).
const tokens = {};
export function tokenFor(role) {
  if (role === 'admin' && ADMIN_TOKEN) return ADMIN_TOKEN;
  if (!tokens[role]) {
    // enterprise tokens are bound to the enterprise's unified social credit code
    const org = role === 'enterprise' ? ['--org', '91110000802100433B'] : [];
    const r = cli(['token', 'add', '--role', role, ...org, uniq(`t-${role}-`)]);
    if (r.status !== 0) throw new Error(`token add failed: ${r.stderr}`);
    tokens[role] = r.stdout.trim().split('\n').pop();
  }
  return tokens[role];
}

export async function api(method, path, { token, body, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload = raw;
  if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const res = await fetch(URL_ + path, { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// Assert a response is an RFC 7807 problem with the given status.
export function assertProblem(assert, r, status, field) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.ok(r.json.title, 'problem has a title');
  assert.ok(r.json.type, 'problem has a type');
  if (field) {
    assert.ok(Array.isArray(r.json.errors), `errors[] present: ${r.text}`);
    assert.ok(r.json.errors.some((e) => e.field === field), `errors[] names ${field}: ${r.text}`);
  }
}

export { execFileSync };
