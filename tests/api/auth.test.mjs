// Sessions, CSRF, bearer tokens, rate limit, and the authorization table walked for every role.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, cli, tokenFor, assertProblem, uniq, TMP } from './lib.mjs';

const ROLES = ['public', 'enterprise', 'inspector', 'regulator', 'admin'];

async function makeUser(role, extra = {}) {
  const username = uniq(role.slice(0, 3));
  const password = 'pw-' + uniq('x') + '-long';
  const body = { username, password, role, ...extra };
  if (role === 'enterprise' && !body.credit_code) body.credit_code = '91110000802100433B';
  const r = await api('POST', '/api/v1/users', { token: tokenFor('admin'), body });
  assert.equal(r.status, 201, r.text);
  return { username, password, id: r.json.id };
}

async function login(username, password) {
  const r = await api('POST', '/api/v1/auth/login', { body: { username, password } });
  const cookie = (r.headers.get('set-cookie') || '').split(';')[0];
  return { r, cookie, csrf: r.json && r.json.csrf_token };
}

test('login sets an HttpOnly SameSite session cookie; me and logout work', async () => {
  const u = await makeUser('inspector');
  const { r, cookie, csrf } = await login(u.username, u.password);
  assert.equal(r.status, 200, r.text);
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /HttpOnly/i);
  assert.match(sc, /SameSite=(Strict|Lax)/i);
  assert.ok(csrf && csrf.length >= 16);
  assert.equal(r.json.user.role, 'inspector');
  const me = await api('GET', '/api/v1/auth/me', { headers: { cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.json.user.username, u.username);
  const noCsrf = await api('POST', '/api/v1/auth/logout', { headers: { cookie } });
  assertProblem(assert, noCsrf, 403);
  const out = await api('POST', '/api/v1/auth/logout', { headers: { cookie, 'x-csrf-token': csrf } });
  assert.equal(out.status, 204);
  const after = await api('GET', '/api/v1/auth/me', { headers: { cookie } });
  assert.equal(after.status, 401);
});

test('wrong password and unknown user give the same 401', async () => {
  const u = await makeUser('regulator');
  const a = await login(u.username, 'wrong-password-1');
  const b = await login(uniq('ghost'), 'wrong-password-1');
  assertProblem(assert, a.r, 401);
  assertProblem(assert, b.r, 401);
  assert.equal(a.r.json.detail, b.r.json.detail);
});

test('cookie-authenticated writes need the CSRF header', async () => {
  const u = await makeUser('admin');
  const { cookie, csrf } = await login(u.username, u.password);
  const body = { name: uniq('tok'), role: 'inspector' };
  assertProblem(assert, await api('POST', '/api/v1/tokens', { headers: { cookie }, body }), 403);
  assertProblem(assert, await api('POST', '/api/v1/tokens', { headers: { cookie, 'x-csrf-token': 'f'.repeat(32) }, body }), 403);
  const ok = await api('POST', '/api/v1/tokens', { headers: { cookie, 'x-csrf-token': csrf }, body });
  assert.equal(ok.status, 201, ok.text);
});

test('login is rate limited after repeated failures', async () => {
  const u = await makeUser('inspector');
  const statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await login(u.username, 'not-the-password')).r.status);
  assert.equal(statuses[0], 401);
  assert.equal(statuses.at(-1), 429, statuses.join(','));
  // even the right password is refused while limited
  const right = await login(u.username, u.password);
  assertProblem(assert, right.r, 429);
  assert.ok(right.r.headers.get('retry-after'));
});

test('bearer tokens: made by the CLI and the API, stored hashed, revocable', async () => {
  const made = await api('POST', '/api/v1/tokens', { token: tokenFor('admin'), body: { name: uniq('m'), role: 'regulator' } });
  assert.equal(made.status, 201);
  const tok = made.json.token;
  assert.equal((await api('GET', '/api/v1/audit', { token: tok })).status, 200);
  const list = await api('GET', '/api/v1/tokens', { token: tokenFor('admin') });
  assert.ok(!list.text.includes(tok), 'token list never shows the secret');
  assert.equal((await api('DELETE', `/api/v1/tokens/${made.json.id}`, { token: tokenFor('admin') })).status, 204);
  assertProblem(assert, await api('GET', '/api/v1/audit', { token: tok }), 401);
  assertProblem(assert, await api('GET', '/api/v1/audit', { token: 'garbage' }), 401);
});

test('CLI: token add prints the token alone on its last line; bad flags exit 2', () => {
  const r = cli(['token', 'add', '--role', 'inspector', uniq('cli')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim().split('\n').pop(), /^[A-Za-z0-9_\-.]{20,}$/);
  assert.equal(cli(['token', 'add', '--bogus']).status, 2);
  assert.equal(cli(['frobnicate']).status, 2);
});

test('parallel wrong logins get exactly 5 guesses; the rest are 429', async () => {
  // The limit is checked and the attempt claimed in one write transaction
  // before the password is hashed, so racing requests cannot all pass the check.
  const u = await makeUser('inspector');
  const all = await Promise.all(Array.from({ length: 24 }, () => login(u.username, 'not-the-password')));
  const statuses = all.map((x) => x.r.status);
  assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 429).length, 19, statuses.join(','));
});

test('reserved usernames are refused; admins cannot disable themselves', async () => {
  for (const username of ['cli', 'anonymous', 'system', 'token']) {
    const r = await api('POST', '/api/v1/users', { token: tokenFor('admin'),
      body: { username, password: 'long-enough-pw', role: 'inspector' } });
    assertProblem(assert, r, 422, 'username');
  }
  const u = await makeUser('admin');
  const { cookie, csrf } = await login(u.username, u.password);
  const self = await api('POST', `/api/v1/users/${u.id}/disable`, { headers: { cookie, 'x-csrf-token': csrf } });
  assertProblem(assert, self, 409);
  const me = await api('GET', '/api/v1/auth/me', { headers: { cookie } });
  assert.equal(me.status, 200, 'still signed in');
});

test('a token with a long Chinese name: valid actor in /auth/me and the audit log', async () => {
  const name = 'a' + '质'.repeat(30);
  const made = await api('POST', '/api/v1/tokens', { token: tokenFor('admin'), body: { name, role: 'admin' } });
  assert.equal(made.status, 201, made.text);
  const me = await api('GET', '/api/v1/auth/me', { token: made.json.token });
  assert.equal(me.status, 200, me.text);
  const actor = me.json.user.username;
  assert.ok(actor.startsWith(`token:${made.json.id}:a质`), actor);
  assert.ok(!actor.includes('\ufffd'));
  // a write made with it is in the audit list, under that actor
  const w = await api('POST', '/api/v1/tokens', { token: made.json.token, body: { name: uniq('by-long'), role: 'inspector' } });
  assert.equal(w.status, 201, w.text);
  const a = await api('GET', `/api/v1/audit?actor=${encodeURIComponent(actor)}`, { token: tokenFor('admin') });
  assert.equal(a.status, 200, a.text);
  const rec = a.json.items.find((i) => i.entity_id === String(w.json.id));
  assert.ok(rec, a.text);
  assert.equal(rec.actor, actor);
  assert.equal(rec.actor_id, 0);
  const all = await api('GET', '/api/v1/audit?limit=500', { token: tokenFor('admin') });
  assert.equal(all.status, 200);
  assert.ok(all.json.items.some((i) => i.id === rec.id));
});

test('CLI: a usage error opens no database; connection errors hide the password', () => {
  const fresh = path.join(TMP, uniq('never') + '.db');
  const r = cli(['serve', '--bogus', '--db', `sqlite:${fresh}`]);
  assert.equal(r.status, 2, r.stderr);
  assert.ok(!fs.existsSync(fresh), 'the database file was not created');
  assert.equal(cli(['user', 'add', '--frob', 'x', '--db', `sqlite:${fresh}`]).status, 2);
  assert.ok(!fs.existsSync(fresh));
  const pg = cli(['user', 'list', '--db', 'postgresql://nqi:s3cr3t-pw@127.0.0.1:1/x?password=other-secret']);
  assert.equal(pg.status, 1);
  assert.ok(!pg.stderr.includes('s3cr3t-pw') && !pg.stderr.includes('other-secret'), pg.stderr);
  assert.match(pg.stderr, /\*\*\*/);
});

// One authorization table; every route, every role.
test('authorization table: every route allows exactly its roles', async () => {
  const table = (await api("GET", "/api/v1/meta/routes")).json.items;
  const creds = {};
  for (const role of ROLES) creds[role] = role === 'public' ? undefined : tokenFor(role);
  const wrong = [];
  for (const route of table) {
    if (route.path === '/api/v1/auth/logout') continue; // would end nothing for tokens, checked above
    const path = route.path.replace(/\{[^}]+\}/g, '999999');
    for (const role of ROLES) {
      const opts = { token: creds[role] };
      if (['POST', 'PUT', 'PATCH'].includes(route.method)) opts.body = {};
      const r = await api(route.method, path, opts);
      const allowed = route.roles.includes(role);
      const denied = r.status === 401 || r.status === 403;
      if (allowed && denied) wrong.push(`${role} denied ${route.method} ${route.path}: ${r.status}`);
      if (!allowed && !denied) wrong.push(`${role} allowed ${route.method} ${route.path}: ${r.status}`);
      if (!allowed && role === 'public' && r.status !== 401) wrong.push(`public got ${r.status} not 401 on ${route.path}`);
      if (r.status >= 500) wrong.push(`${role} ${route.method} ${route.path}: ${r.status} ${r.text}`);
    }
  }
  assert.deepEqual(wrong, []);
});

export { makeUser, login };
