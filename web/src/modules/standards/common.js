// Shared bits of the standards pages: status colours, links to a standard (numbers contain '/'),
// the outcome of a validity line, today's date.
export const STATUSES = ['in_force', 'upcoming', 'withdrawn', 'replaced'];
export const TIERS = ['national', 'industry', 'local', 'group', 'enterprise'];
export const NATURES = ['mandatory', 'recommended', 'guidance'];
export const OUTCOMES = ['in_force', 'upcoming', 'replaced', 'withdrawn', 'not_found', 'unparsed'];

// el-tag types
export const STATUS_TAG = {
  in_force: 'success',
  upcoming: 'primary',
  withdrawn: 'info',
  replaced: 'warning',
  not_found: 'danger',
  unparsed: 'danger',
};

// The portal path of a standard: /standards/GB/T%2019580-2012. Each '/'-separated part is
// encoded but the slashes are kept: the server's static handler refuses an encoded slash (%2F)
// in a page path (400), so /standards/GB%2FT%2019580-2012 opens only inside the app, not as a
// shared link. The detail route matches the rest of the path, so both forms work in the app.
export function stdPath(number) {
  return '/standards/' + String(number).split('/').map(encodeURIComponent).join('/');
}

// The API path of a standard.
export function stdApiPath(number) {
  return `/standards/${encodeURIComponent(number)}`;
}

// A validity line's outcome: its status, or not_found / unparsed.
export function outcomeOf(item) {
  if (!item) return 'unparsed';
  if (item.status && OUTCOMES.includes(item.status)) return item.status;
  if (item.recognised === false) return 'unparsed';
  return 'not_found';
}

// YYYY-MM-DD in local time.
export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// Decode an uploaded text file: UTF-8 (with or without BOM), else GB18030.
export function decodeText(buf) {
  const bytes = new Uint8Array(buf);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'GB18030' };
  }
}

export function readFile(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error || new Error('read failed'));
    r.readAsArrayBuffer(file);
  });
}

// Non-empty lines of a text (the server numbers lines itself; we only count for display).
export function countLines(text) {
  if (!text) return 0;
  return text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '').length;
}

// The "说明" of a validity line: 部分代替, prefix change, 可能是：…, why it was not found or not
// recognised (in the UI language; the server's English error is used only for other cases).
// tr is vue-i18n's t.
export function noteOf(item, tr) {
  const parts = [];
  const outcome = outcomeOf(item);
  if (outcome === 'unparsed') parts.push(tr('standards.validity.unparsedNote'));
  else if (outcome === 'not_found') parts.push(tr('standards.validity.notFoundNote'));
  if (item.partial) {
    const by = Array.isArray(item.partial_by) ? item.partial_by.map((x) => (typeof x === 'string' ? x : x && x.number)).filter(Boolean) : [];
    parts.push(by.length ? `${tr('standards.validity.partial')}：${by.join('、')}` : tr('standards.validity.partial'));
  }
  if (item.prefix_changed) parts.push(tr('standards.validity.prefixChanged'));
  if (Array.isArray(item.candidates) && item.candidates.length) {
    const list = item.candidates.map((c) => (typeof c === 'string' ? c : [c.number, c.title_zh].filter(Boolean).join(' '))).join('；');
    parts.push(tr('standards.validity.maybe', { list }));
  }
  if (item.error && outcome !== 'unparsed' && outcome !== 'not_found') {
    parts.push(typeof item.error === 'string' ? item.error : item.error.message || JSON.stringify(item.error));
  }
  return parts.join('；');
}
