// A small, realistic supply chain as EPCIS 2.0 JSON-LD documents, for the trace browser tests
// (tests/e2e/trace.test.mjs) and for trying the trace pages by hand:
//   node tests/e2e/trace_chain.mjs URL TOKEN      # captures one chain, prints its identifiers
// A tea garden harvests two lots of fresh leaves (茶青), ships them to a factory, which processes
// them into one lot of boxed tea (a TransformationEvent), packs the boxes on a pallet (SSCC,
// AggregationEvent) and ships the pallet to a retailer. Identifiers are GS1 Digital Links with
// check digits computed here (GS1 prefix 690-699: China); `run` makes lots and the SSCC unique,
// so a second run against the same server never collides with the first.

// GS1 check digit (weights 3,1 from the right) appended to `digits`.
export function withCheck(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const w = (digits.length - i) % 2 === 1 ? 3 : 1;
    sum += Number(digits[i]) * w;
  }
  return digits + String((10 - (sum % 10)) % 10);
}

const DL = 'https://id.gs1.org';

export function chain(run) {
  const n = String(run).replace(/\D/g, '').padStart(9, '0').slice(-9);
  const gln = (ref) => withCheck(`690123${ref}`); // 13 digits
  const ids = {
    gtinLeaves: '0' + withCheck('690123400001'),
    gtinTea: '0' + withCheck('690123400002'),
    garden: gln('450001'),
    factory: gln('450002'),
    retailer: gln('450003'),
    leaves1: `CQ${run}A`,
    leaves2: `CQ${run}B`,
    tea: `LC${run}`,
    sscc: withCheck(`06901234${n}`), // 18 digits: extension 0, company prefix, serial
  };
  const lot = (gtin, l) => `${DL}/01/${gtin}/10/${l}`;
  ids.leaves1Id = lot(ids.gtinLeaves, ids.leaves1);
  ids.leaves2Id = lot(ids.gtinLeaves, ids.leaves2);
  ids.teaId = lot(ids.gtinTea, ids.tea);
  ids.ssccId = `${DL}/00/${ids.sscc}`;
  const loc = (g) => ({ id: `${DL}/414/${g}` });
  const party = (g) => `${DL}/417/${g}`;
  const t = (day, hour) => `2025-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000+08:00`;
  const ev = (o) => ({ eventTimeZoneOffset: '+08:00', ...o });

  const events = [
    ev({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active', eventTime: t(1, 8), bizLocation: loc(ids.garden), readPoint: loc(ids.garden),
      quantityList: [{ epcClass: ids.leaves1Id, quantity: 500, uom: 'KGM' }, { epcClass: ids.leaves2Id, quantity: 300, uom: 'KGM' }] }),
    ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', eventTime: t(2, 9), readPoint: loc(ids.garden),
      quantityList: [{ epcClass: ids.leaves1Id, quantity: 500, uom: 'KGM' }, { epcClass: ids.leaves2Id, quantity: 300, uom: 'KGM' }],
      sourceList: [{ type: 'owning_party', source: party(ids.garden) }, { type: 'location', source: loc(ids.garden).id }],
      destinationList: [{ type: 'owning_party', destination: party(ids.factory) }, { type: 'location', destination: loc(ids.factory).id }] }),
    ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', eventTime: t(2, 15), bizLocation: loc(ids.factory), readPoint: loc(ids.factory),
      quantityList: [{ epcClass: ids.leaves1Id, quantity: 500, uom: 'KGM' }, { epcClass: ids.leaves2Id, quantity: 300, uom: 'KGM' }],
      sourceList: [{ type: 'owning_party', source: party(ids.garden) }],
      destinationList: [{ type: 'owning_party', destination: party(ids.factory) }] }),
    ev({ type: 'TransformationEvent', bizStep: 'creating_class_instance', disposition: 'active', eventTime: t(3, 10), bizLocation: loc(ids.factory), readPoint: loc(ids.factory),
      inputQuantityList: [{ epcClass: ids.leaves1Id, quantity: 500, uom: 'KGM' }, { epcClass: ids.leaves2Id, quantity: 300, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: ids.teaId, quantity: 1600, uom: 'EA' }] }),
    ev({ type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', disposition: 'in_progress', eventTime: t(4, 9), bizLocation: loc(ids.factory), readPoint: loc(ids.factory),
      parentID: ids.ssccId, childQuantityList: [{ epcClass: ids.teaId, quantity: 1600, uom: 'EA' }] }),
    ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', eventTime: t(4, 14), readPoint: loc(ids.factory),
      epcList: [ids.ssccId],
      sourceList: [{ type: 'owning_party', source: party(ids.factory) }, { type: 'location', source: loc(ids.factory).id }],
      destinationList: [{ type: 'owning_party', destination: party(ids.retailer) }, { type: 'location', destination: loc(ids.retailer).id }] }),
    ev({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', disposition: 'sellable_accessible', eventTime: t(5, 10), bizLocation: loc(ids.retailer), readPoint: loc(ids.retailer),
      epcList: [ids.ssccId],
      sourceList: [{ type: 'owning_party', source: party(ids.factory) }],
      destinationList: [{ type: 'owning_party', destination: party(ids.retailer) }] }),
  ];
  return { ids, doc: epcisDocument(events) };
}

export function epcisDocument(events) {
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  };
}

// A document with one good event and one whose eventTime has no offset (EPCIS requires one).
export function badDocument(run) {
  const { ids } = chain(run);
  return epcisDocument([
    { type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', eventTime: '2025-03-06T09:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: ids.teaId, quantity: 2, uom: 'EA' }] },
    { type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', eventTime: '2025-03-06T10:00:00', eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: ids.teaId, quantity: 3, uom: 'EA' }] },
  ]);
}

// The XML binding: one inspection of the boxed-tea lot at the retailer, found conformant.
export function xmlDocument(run) {
  const { ids } = chain(run);
  return `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-03-06T12:00:00+08:00">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2025-03-06T11:00:00.000+08:00</eventTime>
      <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
      <epcList/>
      <action>OBSERVE</action>
      <bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep>
      <disposition>urn:epcglobal:cbv:disp:conformant</disposition>
      <readPoint><id>https://id.gs1.org/414/${ids.retailer}</id></readPoint>
      <bizLocation><id>https://id.gs1.org/414/${ids.retailer}</id></bizLocation>
      <quantityList><quantityElement><epcClass>${ids.teaId}</epcClass><quantity>5</quantity><uom>EA</uom></quantityElement></quantityList>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>
`;
}

// node tests/e2e/trace_chain.mjs URL TOKEN [RUN]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, token, run = String(Date.now() % 1e9)] = process.argv.slice(2);
  const { ids, doc } = chain(run);
  const r = await fetch(`${url.replace(/\/$/, '')}/api/v1/epcis/capture`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/ld+json' }, body: JSON.stringify(doc),
  });
  console.log(r.status, await r.text());
  console.log(JSON.stringify(ids, null, 2));
}
