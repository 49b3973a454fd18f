// The one API client of the portal: a fetch wrapper over /api/v1.
//
//   import { api, ApiError } from '@/lib/api.js';
//   const page = await api.get('/users', { q: 'wang', limit: 50 });   // query params, empty ones dropped
//   await api.post('/users', { username, password, role });            // JSON body, CSRF header
//   await api.del(`/tokens/${id}`);
//
// * Paths are relative to /api/v1 (a path that already starts with /api/ is used as is).
// * Every non-GET request sends `Content-Type: application/json` and `X-CSRF-Token`.
// * JSON responses are parsed; 204 gives null.
// * Errors (any non-2xx) throw ApiError with .status, .title, .detail, .errors ([{field, message}]),
//   .type and .retryAfter, taken from the RFC 7807 problem+json body when there is one.
// * A raw body (string, Blob, ArrayBuffer — e.g. a CSV file as uploaded) goes as is with its own type:
//     await api.post('/standards/import', undefined, { raw: file, contentType: 'text/csv', query: { dry_run: 1 } });
// * Extra request headers: { headers: { 'GS1-Capture-Error-Behaviour': 'proceed' } }; the response
//   headers too (e.g. a Link header for paging): { full: true } resolves to {data, headers, status}.
// * A 401 calls the handler installed with onUnauthorized() (the router sends the user to /login
//   when the current page needs a login); the error is still thrown.

export const API_BASE = '/api/v1';

let csrfToken = null;
let unauthorizedHandler = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export class ApiError extends Error {
  constructor(status, problem = {}, fallback = '') {
    const detail = typeof problem.detail === 'string' ? problem.detail : '';
    const title = typeof problem.title === 'string' ? problem.title : '';
    super(detail || title || fallback || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.type = problem.type || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = null;
  }

  // {field: message} from errors[], for el-form-item :error bindings.
  fieldErrors() {
    const out = {};
    for (const e of this.errors) {
      if (e && e.field && !out[e.field]) out[e.field] = e.message || '';
    }
    return out;
  }
}

export function apiUrl(path, query) {
  let url = path.startsWith('/api/') ? path : API_BASE + (path.startsWith('/') ? path : '/' + path);
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      qs.append(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

export async function request(method, path, { query, body, raw, contentType, signal, quiet401 = false, headers: extra, full = false } = {}) {
  const headers = { Accept: 'application/json, application/problem+json', ...extra };
  const init = { method, headers, credentials: 'same-origin', signal };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['Content-Type'] = raw !== undefined ? contentType || 'application/octet-stream' : 'application/json';
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    if (raw !== undefined) init.body = raw;
    else if (body !== undefined) init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(apiUrl(path, query), init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    const err = new ApiError(0, {}, 'network error');
    err.network = true;
    throw err;
  }
  if (res.status === 204) return full ? { data: null, headers: res.headers, status: 204 } : null;
  const ctype = res.headers.get('content-type') || '';
  const text = await res.text();
  let data = null;
  if (text && /json/.test(ctype)) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && typeof data === 'object' ? data : {}, res.statusText);
    const ra = res.headers.get('retry-after');
    if (ra) err.retryAfter = Number(ra) || ra;
    if (res.status === 401 && !quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  const out = data !== null ? data : text;
  return full ? { data: out, headers: res.headers, status: res.status } : out;
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
};

export default api;
