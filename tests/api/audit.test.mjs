// Audit chain and the public Merkle log, checked from outside the server.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { api, cli, tokenFor, uniq, DB, BACKEND, TMP } from './lib.mjs';

test('every write leaves an audit record, newest first', async () => {
  const name = uniq('aud');
  const r = await api('POST', '/api/v1/users', { token: tokenFor('admin'),
    body: { username: name, password: 'long-enough-pw', role: 'inspector' } });
  assert.equal(r.status, 201);
  const a = await api('GET', `/api/v1/audit?entity=user&limit=20`, { token: tokenFor('admin') });
  assert.equal(a.status, 200);
  const rec = a.json.items.find((i) => i.entity_id === String(r.json.id));
  assert.ok(rec, 'audit record for the new user');
  assert.match(rec.hash, /^[0-9a-f]{64}$/);
  assert.equal(typeof rec.actor_id, 'number'); // 0 for tokens, CLI and anonymous
  assert.equal(rec.actor_id, 0);
  assert.ok(!JSON.stringify(rec).includes('long-enough-pw'), 'no password in the audit log');
  const ids = a.json.items.map((i) => i.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x));
  const v = await api('GET', '/api/v1/audit/verify', { token: tokenFor('admin') });
  assert.equal(v.json.ok, true, v.text);
  assert.ok(v.json.checked >= 1);
});

function sql(statement) {
  if (BACKEND === 'sqlite') {
    const r = spawnSync('sqlite3', [DB.replace(/^sqlite:/, ''), statement], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  }
  const r = spawnSync('psql', ['-qAt', DB, '-c', statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('editing the database behind the server is detected by nqi audit verify, naming the record', async () => {
  assert.equal(cli(['audit', 'verify']).status, 0);
  const id = sql('SELECT MIN(id) FROM audit_log');
  const action = sql(`SELECT action FROM audit_log WHERE id = ${id}`);
  sql(`UPDATE audit_log SET action = 'tampered' WHERE id = ${id}`);
  try {
    const r = cli(['audit', 'verify']);
    assert.equal(r.status, 1);
    assert.match(r.stdout + r.stderr, new RegExp(`\\b${id}\\b`));
  } finally {
    sql(`UPDATE audit_log SET action = '${action}' WHERE id = ${id}`);
  }
  assert.equal(cli(['audit', 'verify']).status, 0, 'restored chain verifies again');
});

test('the public log head is signed with Ed25519 (checked with node:crypto)', async () => {
  const h = (await api('GET', '/api/v1/log/head')).json;
  assert.ok(h.tree_size >= 1, 'genesis leaf present');
  const msg = `nqi-log-v1\n${h.tree_size}\n${h.root_hash}\n${h.timestamp_ms}`;
  const pk = Buffer.from(h.public_key, /^[0-9a-f]{64}$/.test(h.public_key) ? 'hex' : 'base64');
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pk]), format: 'der', type: 'spki' });
  const sig = Buffer.from(h.signature, /^[0-9a-f]{128}$/.test(h.signature) ? 'hex' : 'base64');
  assert.equal(crypto.verify(null, Buffer.from(msg), key, sig), true);
  assert.equal(crypto.verify(null, Buffer.from(msg + 'x'), key, sig), false);
});

test('an inclusion proof verifies offline with nqi verify, and a tampered one does not', async () => {
  const head = (await api('GET', '/api/v1/log/head')).json;
  const proof = await api('GET', '/api/v1/log/proof/0');
  assert.equal(proof.status, 200, proof.text);
  // leaf hash per RFC 6962, recomputed here
  const leaf = crypto.createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(proof.json.leaf.data)])).digest('hex');
  if (proof.json.tree_size === 1) assert.equal(leaf, proof.json.root_hash);
  const file = path.join(TMP, `proof-${BACKEND}.json`);
  fs.writeFileSync(file, proof.text);
  const ok = cli(['verify', file, '--key', head.public_key]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const bad = JSON.parse(proof.text);
  bad.leaf.data = bad.leaf.data.replace(/.$/, (c) => (c === '}' ? ' }' : '}'));
  fs.writeFileSync(file, JSON.stringify(bad));
  assert.equal(cli(['verify', file, '--key', head.public_key]).status, 1);
  const other = crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  fs.writeFileSync(file, proof.text);
  assert.equal(cli(['verify', file, '--key', other]).status, 1, 'wrong key fails');
});

test('public log entries page with next_cursor without gaps or repeats, and audit lists page newest first', async () => {
  // make sure there are a few leaves and audit records (every user creation is audited)
  for (let i = 0; i < 3; i++) {
    const r = await api('POST', '/api/v1/users', { token: tokenFor('admin'), body: { username: uniq('pg'), password: 'Paging-pass-123', role: 'inspector' } });
    assert.equal(r.status, 201);
  }
  const all = (await api('GET', '/api/v1/log/entries?limit=1000')).json.items.map((e) => e.index);
  assert.ok(all.length >= 1);
  const paged = [];
  let cursor = null;
  for (let guard = 0; guard < 2000; guard++) {
    const r = await api('GET', `/api/v1/log/entries?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
    assert.equal(r.status, 200);
    paged.push(...r.json.items.map((e) => e.index));
    cursor = r.json.next_cursor;
    if (cursor === null) break;
  }
  assert.deepEqual(paged.slice(0, all.length), all);
  const a1 = (await api('GET', '/api/v1/audit?limit=2', { token: tokenFor('admin') })).json;
  assert.equal(a1.items.length, 2);
  assert.ok(a1.items[0].id > a1.items[1].id, 'newest first');
  const a2 = (await api('GET', `/api/v1/audit?limit=2&cursor=${a1.next_cursor}`, { token: tokenFor('admin') })).json;
  assert.ok(a2.items[0].id < a1.items[1].id);
  const bad = await api('GET', '/api/v1/log/entries?cursor=abc');
  assert.equal(bad.status, 422);
});
