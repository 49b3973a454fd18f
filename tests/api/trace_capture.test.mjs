// EPCIS 2.0 capture (issue 5, write path) against a real `nqi serve`:
// capture jobs in JSON-LD and XML, rollback and proceed, duplicates by eventID
// and by event hash, per-event errors with index and field, capture limits,
// single-event capture, who may capture, and kill -9 in the middle of a job.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { api, assertProblem, cli, tokenFor, uniq, BIN, DB, startServer } from './lib.mjs';

const CTX = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const fixture = (name) => fs.readFileSync(new URL(`../unit/data/epcis/${name}`, import.meta.url));
const OTHER_ORG = '91350100M000100Y43'; // a second real, valid credit code

function orgToken(org, role = 'enterprise') {
  const r = cli(['token', 'add', '--role', role, '--org', org, uniq('epcis-')]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').pop();
}

// GS1's example GTIN 09506000134352 (GS1 General Specifications), one serial per event
function objectEvent(serial, extra = {}) {
  return {
    type: 'ObjectEvent', eventTime: '2026-03-01T08:30:00.000+08:00', eventTimeZoneOffset: '+08:00',
    epcList: [`https://id.gs1.org/01/09506000134352/21/${serial}`], action: 'OBSERVE',
    bizStep: 'shipping', disposition: 'in_transit',
    readPoint: { id: 'urn:epc:id:sgln:9506000.13435.0' }, ...extra,
  };
}
const docOf = (events) => ({ '@context': [CTX], type: 'EPCISDocument', schemaVersion: '2.0',
  creationDate: '2026-03-01T09:00:00Z', epcisBody: { eventList: events } });

async function capture(doc, { token = tokenFor('enterprise'), behaviour, type = 'application/ld+json' } = {}) {
  const headers = { 'content-type': type };
  if (behaviour) headers['GS1-Capture-Error-Behaviour'] = behaviour;
  const raw = typeof doc === 'string' || Buffer.isBuffer(doc) ? doc : JSON.stringify(doc);
  return api('POST', '/api/v1/epcis/capture', { token, raw, headers });
}

async function job(r, token = tokenFor('enterprise')) {
  assert.equal(r.status, 202, r.text);
  const loc = r.headers.get('location');
  assert.match(loc, /^\/api\/v1\/epcis\/capture\/\d+$/);
  const j = await api('GET', loc, { token });
  assert.equal(j.status, 200, j.text);
  assert.equal(j.json.running, false);
  return j.json;
}

test('OPTIONS advertises the capture limits', async () => {
  const r = await api('OPTIONS', '/api/v1/epcis/capture');
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('gs1-epcis-capture-limit'), '5000');
  assert.equal(r.headers.get('gs1-epcis-capture-file-size-limit'), String(16 * 1024 * 1024));
  assert.match(r.headers.get('allow'), /POST/);
});

test('a GS1 example document in JSON-LD is captured; the same events in XML are duplicates', async () => {
  const j = await job(await capture(fixture('gs1_various_event_types.jsonld')));
  assert.equal(j.status, 'success');
  assert.equal(j.success, true);
  assert.equal(j.captureErrorBehaviour, 'rollback');
  assert.equal(j.event_count, 13);
  assert.equal(j.captured, 13);
  assert.equal(j.owner_org, '91110000802100433B');
  // the XML binding of the same 13 events hashes the same: every one is named
  const x = await job(await capture(fixture('gs1_various_event_types.xml'), { type: 'application/xml' }));
  assert.equal(x.status, 'failed');
  assert.equal(x.captured, 0);
  assert.equal(x.errors.length, 13);
  x.errors.forEach((e, i) => {
    assert.equal(e.index, i);
    assert.equal(e.field, `epcisBody/eventList/${i}/eventID`);
    assert.match(e.detail, /already captured.*event hash/);
  });
  // the first event's ID is GS1's published hash for it
  assert.match(x.errors[0].detail, /ni:\/\/\/sha-256;253f0178f96349eedc207505b49044a602129605cf692e3d9f1f36c8bd1dfb0d\?ver=CBV2\.0/);
});

test('rollback (default): one bad event fails the job with its index and field, nothing stored', async () => {
  const s = uniq('rb');
  const events = [0, 1, 2, 3, 4].map((i) => objectEvent(`${s}-${i}`));
  events[3].epcList = ['https://id.gs1.org/01/09506000134353/21/x']; // check digit should be 2
  const j = await job(await capture(docOf(events)));
  assert.equal(j.status, 'failed');
  assert.equal(j.captured, 0);
  assert.deepEqual(j.errors.map((e) => [e.index, e.field]), [[3, 'epcisBody/eventList/3/epcList/0']]);
  assert.match(j.errors[0].detail, /check digit/);
  // nothing of the document was stored: the four good events capture now
  const ok = await job(await capture(docOf(events.filter((_, i) => i !== 3))));
  assert.equal(ok.status, 'success');
  assert.equal(ok.captured, 4);
});

test('proceed: valid events are stored, the invalid ones reported', async () => {
  const s = uniq('pr');
  const events = [objectEvent(`${s}-0`), objectEvent(`${s}-1`, { action: 'MOVE' }),
    objectEvent(`${s}-2`, { eventTime: '2026-03-01T08:30:00' }), objectEvent(`${s}-3`)];
  const j = await job(await capture(docOf(events), { behaviour: 'proceed' }));
  assert.equal(j.captureErrorBehaviour, 'proceed');
  assert.equal(j.status, 'failed'); // EPCIS "success": false when any event failed
  assert.equal(j.captured, 2);
  assert.deepEqual(j.errors.map((e) => e.field),
    ['epcisBody/eventList/1/action', 'epcisBody/eventList/2/eventTime']);
  assert.match(j.errors[1].detail, /time-zone offset/);
  // the two stored ones are now duplicates; the two fixed ones are new
  events[1].action = 'OBSERVE';
  events[2].eventTime = '2026-03-01T08:30:00+08:00';
  const again = await job(await capture(docOf(events), { behaviour: 'proceed' }));
  assert.equal(again.captured, 2);
  assert.deepEqual(again.errors.map((e) => e.index), [0, 3]);
});

test('bad input: each a precise error', async () => {
  let r = await capture('{"type": "EPCISDocument", ');
  assertProblem(assert, r, 400, 'body');
  r = await capture({ ...docOf([objectEvent('x')]), '@context': 'https://example.com/epcis.jsonld' });
  assertProblem(assert, r, 422, '@context');
  r = await capture('<x/>', { type: 'text/plain' });
  assert.equal(r.status, 415);
  r = await capture('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    + '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>', { type: 'application/xml' });
  assertProblem(assert, r, 400, 'body');
  assert.match(r.json.errors[0].message, /DTD/);
  r = await capture(docOf([objectEvent('x')]), { behaviour: 'sometimes' });
  assertProblem(assert, r, 400, 'GS1-Capture-Error-Behaviour');
  // per event: unknown type, Digital Link AIs out of order
  const s = uniq('bad');
  const j = await job(await capture(docOf([
    { ...objectEvent(`${s}-0`), type: 'TeleportEvent' },
    objectEvent(`${s}-1`, { epcList: ['https://id.gs1.org/21/1/01/09506000134352'] }),
  ])));
  assert.deepEqual(j.errors.map((e) => e.field), ['epcisBody/eventList/0/type', 'epcisBody/eventList/1/epcList/0']);
  assert.match(j.errors[0].detail, /unknown event type 'TeleportEvent'/);
});

test('concurrent captures naming the same new identifiers: each is numbered once, every event is found by it', async () => {
  // Identifiers are stored once (epcis_idents) and referenced by number: two
  // documents that introduce the same serials at the same time, in opposite
  // orders and over several 50-event statements, must neither fail on the
  // UNIQUE identifier nor deadlock (PostgreSQL) nor mix the numbers up.
  const u = uniq('cc');
  const N = 120;
  const shared = Array.from({ length: N }, (_, i) => `${u}-${String(i).padStart(3, '0')}`);
  const id = (s) => `https://id.gs1.org/01/09506000134352/21/${s}`;
  const make = (hour, order) => Array.from({ length: N }, (_, k) => objectEvent('x', {
    eventTime: `2026-03-02T${hour}:${String(Math.floor(k / 60)).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}.000+08:00`,
    epcList: [id(order[k]), id(order[(k + 1) % N])],
  }));
  const reversed = [...shared].reverse();
  const [a, b] = await Promise.all([capture(docOf(make('08', shared))), capture(docOf(make('09', reversed)))]);
  assert.equal((await job(a)).status, 'success');
  assert.equal((await job(b)).status, 'success');
  for (const s of [shared[0], shared[57], shared[119]]) {
    const r = await api('GET', `/api/v1/epcis/events?perPage=200&MATCH_epc=${encodeURIComponent(id(s))}`,
      { token: tokenFor('admin') });
    assert.equal(r.status, 200, r.text);
    const list = r.json.epcisBody.queryResults.resultsBody.eventList;
    assert.equal(list.length, 4, s); // two events in each document name every serial
    assert.ok(list.every((e) => e.epcList.includes(id(s))));
  }
});

test('a 10,000-event document is over the advertised limit: 413, nothing stored', async () => {
  const s = uniq('big');
  const events = Array.from({ length: 10000 }, (_, i) => objectEvent(`${s}-${i}`));
  const r = await capture(docOf(events));
  assertProblem(assert, r, 413, 'epcisBody/eventList');
  assert.equal(r.headers.get('gs1-epcis-capture-limit'), '5000');
  const ok = await job(await capture(docOf(events.slice(0, 3))));
  assert.equal(ok.captured, 3);
});

test('POST /events captures one event: 201 + Location; a second time 409', async () => {
  const ev = { '@context': CTX, ...objectEvent(uniq('one')) };
  let r = await api('POST', '/api/v1/epcis/events', { token: tokenFor('regulator'), body: ev });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.eventID, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  assert.equal(r.headers.get('location'), `/api/v1/epcis/events/${encodeURIComponent(r.json.eventID).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
  assert.equal(r.json.epcList[0].startsWith('https://id.gs1.org/01/09506000134352/21/'), true);
  assert.equal(r.json.readPoint.id, 'https://id.gs1.org/414/9506000134352');
  r = await api('POST', '/api/v1/epcis/events', { token: tokenFor('regulator'), body: ev });
  assertProblem(assert, r, 409);
  r = await api('POST', '/api/v1/epcis/events', { token: tokenFor('regulator'),
    body: { ...ev, eventTimeZoneOffset: '+8' } });
  assertProblem(assert, r, 422, 'eventTimeZoneOffset');
});

test('who may capture: enterprises with an organisation, regulators, admins', async () => {
  const doc = docOf([objectEvent(uniq('auth'))]);
  assert.equal((await capture(doc, { token: null })).status, 401);
  assert.equal((await capture(doc, { token: tokenFor('inspector') })).status, 403);
  const noOrg = cli(['token', 'add', '--role', 'enterprise', uniq('noorg-')]);
  if (noOrg.status === 0) { // the CLI may itself insist on --org for enterprises
    const r = await capture(doc, { token: noOrg.stdout.trim().split('\n').pop() });
    assertProblem(assert, r, 403);
  }
  // an enterprise sees its own organisation's jobs only
  const other = orgToken(OTHER_ORG);
  const mine = await capture(doc);
  const loc = mine.headers.get('location');
  assert.equal((await api('GET', loc, { token: other })).status, 404);
  assert.equal((await api('GET', loc, { token: tokenFor('regulator') })).status, 200);
  const list = await api('GET', '/api/v1/epcis/capture?limit=500', { token: other });
  assert.equal(list.status, 200);
  assert.ok(list.json.items.every((j) => j.owner_org === OTHER_ORG));
});


test('kill -9 during a capture job: after restart the job is complete or failed, never half-applied', async (t) => {
  const token = orgToken(OTHER_ORG);
  const newest = async () => (await api('GET', '/api/v1/epcis/capture?limit=1', { token })).json.items[0];
  const before = (await newest())?.id ?? 0;
  const s = uniq('k');
  const doc = JSON.stringify(docOf(Array.from({ length: 5000 }, (_, i) => objectEvent(`${s}-${i}`))));
  const { p, url } = await startServer();
  const post = fetch(`${url}/api/v1/epcis/capture`, { method: 'POST', body: doc,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' } }).catch(() => null);
  // wait until the job row exists (it is committed as 'running' first), then kill
  let j;
  for (let i = 0; i < 2000; i++) {
    j = await newest();
    if (j && j.id > before) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  p.kill('SIGKILL');
  await post;
  assert.ok(j && j.id > before, 'the capture job was created');
  // a restarted server fails what was left running
  const again = await startServer();
  const after = (await api('GET', `/api/v1/epcis/capture/${j.id}`, { token })).json;
  again.p.kill('SIGTERM');
  assert.ok(['success', 'failed'].includes(after.status), `job ${after.status}`);
  t.diagnostic(`job after kill -9: ${after.status} (${after.captured} captured; ${after.errors[0]?.detail ?? 'no error'})`);
  // never half-applied: capturing the same document again finds all 5000
  // events stored (job complete) or none of them (job failed)
  const re = await job(await capture(doc, { token }), token);
  if (after.status === 'success') {
    assert.equal(after.captured, 5000);
    assert.equal(re.captured, 0);
    assert.equal(re.errors.length, 5000);
  } else {
    assert.equal(after.captured, 0);
    assert.equal(re.status, 'success');
    assert.equal(re.captured, 5000);
    if (after.errors.length === 1) assert.match(after.errors[0].detail, /interrupted/);
  }
});
