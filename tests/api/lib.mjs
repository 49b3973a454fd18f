// Shared helpers for the API tests. The runner (scripts/test.sh) starts a real
// `nqi serve` and passes NQI_URL, NQI_DB, NQI_BIN, NQI_ADMIN_TOKEN, NQI_BACKEND.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

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

// A server of a test's own (webhook and crash tests): `nqi serve` on db with
// extra env; resolves {p, url} once it prints its address.
export function startServer(db = DB, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--quiet'], { env: { ...process.env, NQI_DB: db, ...env } });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve({ p, url: m[0] });
    });
    p.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
}

// A fresh, empty database on the suite's backend (a new SQLite file or a new
// PostgreSQL database beside the suite's one).
export function freshDb(prefix) {
  if (BACKEND !== 'postgresql') return `sqlite:${path.join(TMP, `${uniq(prefix)}.db`)}`;
  const name = uniq(`${prefix}_`).toLowerCase();
  const r = spawnSync('psql', ['-q', DB, '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`createdb: ${r.stderr}`);
  const u = new URL(DB);
  u.pathname = `/${name}`;
  return u.toString();
}

// Run the CLI on another database; throws on a non-zero exit, returns stdout.
export function runOn(db, args) {
  const r = spawnSync(BIN, args, { env: { ...process.env, NQI_DB: db }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nqi ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export { execFileSync };
