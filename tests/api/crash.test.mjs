// kill -9 during a write burst: the database opens, passes integrity_check and
// nqi audit verify, and holds every write that was acknowledged.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tokenFor, uniq, BIN, DB, BACKEND, TMP, startServer } from './lib.mjs';


test('kill -9 mid-burst loses no acknowledged write and leaves a verifiable database', async () => {
  const { p, url } = await startServer();
  const token = tokenFor('admin');
  const acked = [];
  let stop = false;
  const worker = async (w) => {
    for (let i = 0; !stop && i < 400; i++) {
      const username = uniq(`k${w}x`);
      try {
        const r = await fetch(url + '/api/v1/users', { method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'long-enough-pw', role: 'inspector' }) });
        if (r.status === 201) acked.push(username);
      } catch { return; }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  while (acked.length < 60) await new Promise((r) => setTimeout(r, 5));
  p.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  assert.ok(acked.length >= 60);

  if (BACKEND === 'sqlite') {
    const r = spawnSync('sqlite3', [DB.replace(/^sqlite:/, ''), 'PRAGMA integrity_check'], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'ok', r.stderr);
  }
  const v = cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const list = cli(['user', 'list']);
  assert.equal(list.status, 0, list.stderr);
  const missing = acked.filter((u) => !list.stdout.includes(u));
  assert.deepEqual(missing, [], 'acknowledged users lost');
});

test('nqi backup writes a consistent copy (SQLite) or points to pg_dump (PostgreSQL)', () => {
  const dest = path.join(TMP, `backup-${uniq('b')}.db`);
  const r = cli(['backup', dest]);
  if (BACKEND === 'sqlite') {
    assert.equal(r.status, 0, r.stderr);
    const q = spawnSync('sqlite3', [dest, 'PRAGMA integrity_check; SELECT COUNT(*) FROM users;'], { encoding: 'utf8' });
    const [ok, n] = q.stdout.trim().split('\n');
    assert.equal(ok, 'ok');
    assert.ok(Number(n) >= 1);
    const again = cli(['backup', dest]);
    assert.equal(again.status, 1, 'refuses to overwrite');
    const v = spawnSync(BIN, ['audit', 'verify'], { env: { ...process.env, NQI_DB: `sqlite:${dest}` }, encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
  } else {
    assert.equal(r.status, 1);
    assert.match(r.stderr, /pg_dump/);
    assert.equal(fs.existsSync(dest), false);
  }
});
