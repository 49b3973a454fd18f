// POST /api/v1/trace/publish: an owner marks the events about its lots public
// so that the consumer page /t/01/{gtin}/10/{lot} shows them; nobody else can
// publish (or hide) its records. Captured through the real capture endpoint.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, cli, tokenFor, uniq } from './lib.mjs';

const CTX = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const GTIN = '09506000134352'; // GS1's example GTIN (General Specifications)
const INPUT_GTIN = '09506000134376';

function orgToken(org) {
  const r = cli(['token', 'add', '--role', 'enterprise', '--org', org, uniq('pub-')]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').pop();
}

test('only the owner publishes its lot; the consumer page follows the flag', async () => {
  const owner = tokenFor('enterprise'); // bound to 91110000802100433B
  const other = orgToken('91350100M000100Y43');
  const lot = uniq('PUB').toUpperCase().slice(0, 20);
  const input = `${lot.slice(0, 16)}IN`;
  const lotDL = `https://id.gs1.org/01/${GTIN}/10/${lot}`;
  const inDL = `https://id.gs1.org/01/${INPUT_GTIN}/10/${input}`;
  const doc = {
    '@context': [CTX], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2027-02-01T09:00:00Z',
    epcisBody: { eventList: [
      { type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active',
        eventTime: '2027-02-01T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
        epcList: [], quantityList: [{ epcClass: inDL, quantity: 500, uom: 'KGM' }],
        readPoint: { id: 'urn:epc:id:sgln:9506000.13435.0' } },
      { type: 'TransformationEvent', bizStep: 'commissioning', disposition: 'active',
        eventTime: '2027-02-02T10:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
        inputQuantityList: [{ epcClass: inDL, quantity: 500, uom: 'KGM' }],
        outputQuantityList: [{ epcClass: lotDL, quantity: 480, uom: 'KGM' }],
        readPoint: { id: 'urn:epc:id:sgln:9506000.13435.0' } },
    ] },
  };
  const c = await api('POST', '/api/v1/epcis/capture', { token: owner, raw: JSON.stringify(doc), headers: { 'content-type': 'application/ld+json' } });
  assert.equal(c.status, 202, c.text);
  const job = await api('GET', c.headers.get('location'), { token: owner });
  assert.equal(job.json.status, 'success', job.text);

  const page = `/t/01/${GTIN}/10/${lot}`;
  assert.equal((await api('GET', page)).status, 404, 'nothing public yet');

  // another enterprise cannot publish the owner's records
  let r = await api('POST', '/api/v1/trace/publish', { token: other, body: { ids: [lotDL] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.changed, 0);
  assert.ok(r.json.skipped_other_owners >= 1);
  assert.equal((await api('GET', page)).status, 404);

  // the owner publishes the lot by its EPC URN form; the backward trace comes along
  r = await api('POST', '/api/v1/trace/publish', { token: owner, body: { ids: [`urn:epc:class:lgtin:9506000.013435.${lot}`] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.changed, 2, JSON.stringify(r.json));
  const shown = await api('GET', page);
  assert.equal(shown.status, 200);
  assert.match(shown.text, new RegExp(lot));
  // the producer's code may appear only as the link to its public credit page
  // (present when the producer is in the enterprise directory)
  const text = shown.text.replace(/href="\/supervision\/credit\/91110000802100433B"/g, '');
  assert.doesNotMatch(text, /91110000802100433B/, 'no party data on the public page');

  // and can take it back
  r = await api('POST', '/api/v1/trace/publish', { token: owner, body: { ids: [lotDL], public: false } });
  assert.equal(r.json.changed, 2);
  assert.equal((await api('GET', page)).status, 404);

  // audited
  const a = await api('GET', '/api/v1/audit?action=trace.unpublish&limit=5', { token: tokenFor('admin') });
  assert.ok(a.json.items.length >= 1);
});

test('publish: bad input names the field; inspectors and visitors may not publish', async () => {
  const owner = tokenFor('enterprise');
  assertProblem(assert, await api('POST', '/api/v1/trace/publish', { token: owner, body: { ids: [] } }), 422, 'ids');
  assertProblem(assert, await api('POST', '/api/v1/trace/publish', { token: owner, body: { ids: ['not an identifier'] } }), 422, 'ids/0');
  assertProblem(assert, await api('POST', '/api/v1/trace/publish', { token: owner, body: { ids: [`https://id.gs1.org/01/${GTIN}/10/X`], everything: true } }), 422, 'everything');
  assert.equal((await api('POST', '/api/v1/trace/publish', { token: tokenFor('inspector'), body: { ids: [`https://id.gs1.org/01/${GTIN}`] } })).status, 403);
  assert.equal((await api('POST', '/api/v1/trace/publish', { body: { ids: [`https://id.gs1.org/01/${GTIN}`] } })).status, 401);
});
