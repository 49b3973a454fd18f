// The trace module's calls on the API (docs/modules/epcis.md, docs/modules/trace.md), with the
// EPCIS 2.0 shapes turned into what the pages show. Everything goes through lib/api.js.
import { api, apiUrl } from '../../lib/api.js';

// nextPageToken from an RFC 8288 Link header: <…?nextPageToken=X&…>; rel="next"
export function nextTokenFromLink(link) {
  if (!link) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m || !/rel="?next"?/.test(m[2])) continue;
    try {
      return new URL(m[1], 'http://x').searchParams.get('nextPageToken');
    } catch {
      return null;
    }
  }
  return null;
}

// GET /epcis/events: params are the EPCIS query parameters (empty ones dropped).
// Resolves to {events, nextPageToken}; the body is an EPCISQueryDocument.
export async function queryEvents(params, nextPageToken) {
  const query = nextPageToken ? { ...params, nextPageToken } : params;
  const r = await api.get('/epcis/events', query, { full: true });
  const body = r.data || {};
  const results = (body.epcisBody && body.epcisBody.queryResults) || {};
  const events = (results.resultsBody && results.resultsBody.eventList) || [];
  const token = nextTokenFromLink(r.headers.get('link')) || body.nextPageToken || results.nextPageToken || null;
  return { events, nextPageToken: token };
}

// Capture an EPCISDocument as uploaded (JSON-LD or XML). 202 with the job (or its Location).
export async function captureDocument(raw, contentType, behaviour) {
  const r = await api.post('/epcis/capture', undefined, {
    raw, contentType, full: true, headers: { 'GS1-Capture-Error-Behaviour': behaviour },
  });
  if (r.data && typeof r.data === 'object' && r.data.id !== undefined) return r.data;
  const loc = r.headers.get('location') || '';
  const id = loc.split('/').pop();
  if (!id) throw new Error('capture: no job in the response');
  return api.get(`/epcis/capture/${encodeURIComponent(id)}`);
}

export const getJob = (id) => api.get(`/epcis/capture/${encodeURIComponent(id)}`);
export const listJobs = (cursor) => api.get('/epcis/capture', { cursor, limit: 20 });

// Poll a capture job until it is no longer running (or the wait runs out).
export async function waitJob(job, { interval = 400, timeout = 60000, onUpdate } = {}) {
  const end = Date.now() + timeout;
  let j = job;
  while (j && j.status === 'running' && Date.now() < end) {
    await new Promise((res) => setTimeout(res, interval));
    j = await getJob(j.id);
    if (onUpdate) onUpdate(j);
  }
  return j;
}

// Recall scope of suspect lots: GET /trace/recall?id=a|b[&from=…][&format=json|xlsx|csv]
// (identifiers '|'-separated as in the EPCIS REST binding; at most 100).
export const recallScope = (lots, from) => api.get('/trace/recall', { id: lots.join('|'), from });
export const recallExportUrl = (lots, from, format) => apiUrl('/trace/recall', { id: lots.join('|'), from, format });
