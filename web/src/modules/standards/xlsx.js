// Reading a list of standards from an .xlsx file in the browser (validity page). Loaded with a
// dynamic import only when the user picks an .xlsx file, so read-excel-file stays out of the main
// bundle. The "universal" entry is used on purpose: the "browser" one parses in a Web Worker made
// from a blob: URL, which the server's CSP (script-src 'self') refuses.
import { readSheet } from 'read-excel-file/universal';

// A header that names the standard-number column.
const HEADER_EXACT = /^(标准号|标准编号|标准代号|number|standard\s*(no\.?|number)|std\.?\s*no\.?)$/i;
const HEADER_LOOSE = /标准号|标准编号|number/i;
// A cell that looks like a standard number: GB, DB, T/, Q/, or two letters (and /T) then digits.
const NUMBER_LIKE = /(?:GB|DB|T\/|Q\/|[A-Z]{2}\/?T?)\s*\/?\s*\d/i;

export const looksLikeNumber = (s) => NUMBER_LIKE.test(s);

function cellText(v) {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  return String(v).replace(/[\r\n\t]+/g, ' ').trim();
}

// Which column holds the numbers: a header like 标准号/标准编号/number; else the column whose
// cells look like standard numbers most often; else the first. Returns {index, header, by}.
export function pickColumn(rows) {
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  if (!width) return { index: 0, header: '', by: 'first' };
  const head = (rows[0] || []).map(cellText);
  let i = head.findIndex((h) => HEADER_EXACT.test(h));
  if (i < 0) i = head.findIndex((h) => HEADER_LOOSE.test(h));
  if (i >= 0) return { index: i, header: head[i], by: 'header' };
  let best = -1;
  let bestHits = 0;
  for (let c = 0; c < width; c++) {
    let hits = 0;
    for (const r of rows) if (looksLikeNumber(cellText(r[c]))) hits++;
    if (hits > bestHits) { best = c; bestHits = hits; }
  }
  const title = (c) => (head[c] && !looksLikeNumber(head[c]) ? head[c] : '');
  if (best >= 0) return { index: best, header: title(best), by: 'content' };
  return { index: 0, header: title(0), by: 'first' };
}

// The lines to check from the first worksheet: the chosen column, header row skipped (the first
// row is kept only when it has no header and its cell looks like a standard number), empty cells
// dropped. Returns {lines, column: {index, header, by}}.
export function linesFromRows(rows) {
  const column = pickColumn(rows);
  const cells = rows.map((r) => cellText(r[column.index]));
  const skipFirst = cells.length > 0 && (column.by === 'header' || !looksLikeNumber(cells[0]));
  const lines = (skipFirst ? cells.slice(1) : cells).filter((s) => s !== '');
  return { lines, column };
}

// file: a File/Blob (or ArrayBuffer) of an .xlsx workbook.
export async function readXlsxLines(file) {
  const rows = await readSheet(file, 1);
  return linesFromRows(rows || []);
}
