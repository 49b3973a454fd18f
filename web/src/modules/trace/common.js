// Shared bits of the trace pages: roles, EPCIS event accessors, identifier labels, CBV names,
// times with their captured offset. The server stores identifiers in one canonical form
// (docs/modules/gs1.md: a GS1 Digital Link on id.gs1.org, or a URN for patterns and Chinese
// codes); the labels here only make that form readable, they never decide identity.
import { hasRole } from '../../lib/session.js';

// Who may capture and see capture jobs (the server's CAPTURE_ROLES; an enterprise captures and
// sees its own organisation's).
export const CAPTURERS = ['enterprise', 'regulator', 'admin'];
export const canCapture = () => hasRole(CAPTURERS);
// Who may query events, trace and recall (the server's ROLES_AUTHED: any signed-in role; what
// each one sees is filtered by the server — an enterprise its own and public events).
export const READERS = ['enterprise', 'inspector', 'regulator', 'admin'];

export const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];
export const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];
// The CBV 2.0 vocabularies the server accepts (src/trace/epcis_norm.c), offered in the search
// form; any other value (a URI outside CBV) can be typed in.
export const BIZ_STEPS = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning', 'creating_class_instance',
  'cycle_counting', 'decommissioning', 'departing', 'destroying', 'disassembling', 'dispensing', 'encoding',
  'entering_exiting', 'holding', 'inspecting', 'installing', 'killing', 'loading', 'other', 'packing', 'picking',
  'receiving', 'removing', 'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'sampling',
  'sensor_reporting', 'shipping', 'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting',
  'unloading', 'unpacking', 'void_shipping',
];
export const DISPOSITIONS = [
  'active', 'available', 'completeness_inferred', 'completeness_verified', 'conformant', 'container_closed',
  'container_open', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded', 'expired', 'in_progress',
  'in_transit', 'inactive', 'mismatch_class', 'mismatch_instance', 'mismatch_quantity', 'needs_replacement',
  'no_pedigree_match', 'non_conformant', 'non_sellable_other', 'partially_dispensed', 'recalled', 'reserved',
  'retail_sold', 'returned', 'sellable_accessible', 'sellable_not_accessible', 'stolen', 'unavailable', 'unknown',
];

// "https://ref.gs1.org/cbv/BizStep-shipping" | "urn:epcglobal:cbv:bizstep:shipping" | "shipping" -> "shipping"
export function cbvName(v) {
  if (!v) return '';
  const s = String(v);
  const m = s.match(/^https?:\/\/ref\.gs1\.org\/cbv\/[A-Za-z]+-(.+)$/) || s.match(/^urn:epcglobal:cbv:[a-z]+:(.+)$/);
  return m ? m[1] : s;
}

// A translated CBV name when there is one, else the name itself. t: vue-i18n's t, te: its te.
export function cbvLabel(t, te, group, v) {
  const n = cbvName(v);
  if (!n) return '';
  return te(`trace.cbv.${group}.${n}`) ? t(`trace.cbv.${group}.${n}`) : n;
}

const idOf = (x) => (x && typeof x === 'object' ? x.id || x['@id'] || '' : x || '');

// The identifiers an event names, by role: [{role, id, quantity?, uom?}].
export function eventIds(ev) {
  const out = [];
  const add = (role, list) => {
    for (const x of list || []) out.push(typeof x === 'string' ? { role, id: x } : { role, id: x.epcClass || idOf(x), quantity: x.quantity, uom: x.uom });
  };
  if (ev.parentID) out.push({ role: 'parent', id: ev.parentID });
  add('epc', ev.epcList);
  add('epc', ev.quantityList);
  add('child', ev.childEPCs);
  add('child', ev.childQuantityList);
  add('input', ev.inputEPCList);
  add('input', ev.inputQuantityList);
  add('output', ev.outputEPCList);
  add('output', ev.outputQuantityList);
  return out;
}

export const bizLocationOf = (ev) => idOf(ev.bizLocation);
export const readPointOf = (ev) => idOf(ev.readPoint);
// sourceList/destinationList entries: [{type, id}] with bare CBV type names.
export const partiesOf = (ev, key) => (ev[key] || []).map((s) => ({ type: cbvName(s.type), id: s.source || s.destination || idOf(s) }));

// An ISO time shown in the offset it was captured with: "2025-03-01 08:30:00 +08:00".
export function timeWithOffset(iso, offset) {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset || '');
  const off = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(ms + off * 60000);
  const p = (n) => String(n).padStart(2, '0');
  const s = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return `${s} ${m ? offset : 'Z'}`;
}

// A Date (from a date picker) as xsd:dateTime with the browser's offset, as EPCIS queries want.
export function isoWithOffset(d) {
  if (!d) return '';
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return '';
  const p = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const off = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + off * 60000).toISOString().slice(0, 19);
  return `${local}${off >= 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
}

// What an identifier is, from its canonical form (or a URN):
// lot | item | product | container | location | party | asset | drug | equipment | pattern | other
const DL = /^https?:\/\/[^/]+\/(01|00|414|417|8003|8004|8018)\/([^/?#]+)(?:\/(10|21|22)\/([^/?#]+))?(?:\/(10|21|254)\/([^/?#]+))?/;
export function parseId(id) {
  const s = String(id || '');
  const m = DL.exec(s);
  const dec = (x) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  };
  if (m) {
    const [, ai, key, q1, v1, q2, v2] = m;
    const quals = {};
    if (q1) quals[q1] = dec(v1);
    if (q2) quals[q2] = dec(v2);
    if (ai === '01') {
      if (quals['21']) return { kind: 'item', gtin: key, serial: quals['21'], lot: quals['10'] };
      if (quals['10']) return { kind: 'lot', gtin: key, lot: quals['10'] };
      return { kind: 'product', gtin: key };
    }
    if (ai === '00') return { kind: 'container', sscc: key };
    if (ai === '414') return { kind: 'location', gln: key, ext: quals['254'] };
    if (ai === '417') return { kind: 'party', gln: key };
    return { kind: 'asset', key };
  }
  let u;
  if ((u = /^urn:epc:id:sgtin:([\d]+)\.(\d+)\.(.+)$/.exec(s))) return { kind: 'item', urn: s, serial: u[3] };
  if (/^urn:epc:class:lgtin:/.test(s)) return { kind: 'lot', urn: s, lot: s.split('.').slice(2).join('.') };
  if (/^urn:epc:id:sscc:/.test(s)) return { kind: 'container', urn: s };
  if (/^urn:epc:id:sgln:/.test(s)) return { kind: 'location', urn: s };
  if (/^urn:epc:id:pgln:/.test(s)) return { kind: 'party', urn: s };
  if (/^urn:epc:idpat:/.test(s)) return { kind: 'pattern', urn: s };
  if ((u = /^urn:nqi:dtc:(.+)$/.exec(s))) return { kind: 'drug', code: u[1] };
  if ((u = /^urn:nqi:sec:(.+)$/.exec(s))) return { kind: 'equipment', code: u[1] };
  return { kind: 'other' };
}

// A short readable label: "09506000134352 · 批号 ABC1", "SSCC 106141412345678908", …
export function idLabel(t, id) {
  const p = parseId(id);
  switch (p.kind) {
    case 'lot': return p.gtin ? `${p.gtin} · ${t('trace.id.lot')} ${p.lot}` : `${t('trace.id.lot')} ${p.lot}`;
    case 'item': return p.gtin ? `${p.gtin} · ${t('trace.id.serial')} ${p.serial}` : `${t('trace.id.serial')} ${p.serial}`;
    case 'product': return `GTIN ${p.gtin}`;
    case 'container': return p.sscc ? `SSCC ${p.sscc}` : String(id);
    case 'location': return p.gln ? `GLN ${p.gln}${p.ext ? '-' + p.ext : ''}` : String(id);
    case 'party': return p.gln ? `${t('trace.id.party')} ${p.gln}` : String(id);
    case 'drug': return `${t('trace.id.drug')} ${p.code}`;
    case 'equipment': return `${t('trace.id.equipment')} ${p.code}`;
    default: return String(id || '');
  }
}

// The consumer trace page of a lot (a GS1 Digital Link path served by the server itself).
export function consumerPath(id) {
  const p = parseId(id);
  return p.kind === 'lot' && p.gtin ? `/t/01/${p.gtin}/10/${encodeURIComponent(p.lot)}` : '';
}

// "GTIN + lot" typed as two fields -> the canonical Digital Link (the server checks the digits).
export function gtinLot(gtin, lot) {
  const g = String(gtin || '').replace(/\s+/g, '');
  const l = String(lot || '').trim();
  if (!g) return '';
  const g14 = /^\d{8,14}$/.test(g) ? g.padStart(14, '0') : g;
  return l ? `https://id.gs1.org/01/${g14}/10/${encodeURIComponent(l)}` : `https://id.gs1.org/01/${g14}`;
}

export const explorerLink = (id, dir = 'backward') => ({ path: '/trace/explorer', query: { id, dir } });
// Events naming an identifier: a lot or a product is a class (quantity lists: MATCH_anyEPCClass),
// anything else an instance (MATCH_anyEPC), as EPCIS 2.0 separates them.
export function eventsLink(id) {
  const cls = ['lot', 'product'].includes(parseId(id).kind);
  return { path: '/trace/events', query: { [cls ? 'MATCH_anyEPCClass' : 'MATCH_anyEPC']: id } };
}
