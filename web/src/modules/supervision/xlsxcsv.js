// An .xlsx workbook's first sheet as CSV text, in the browser, so the directory imports (which
// take CSV on the server: one parser, one set of row errors) also take Excel files. Loaded with a
// dynamic import only when an .xlsx is picked; the "universal" entry of read-excel-file is used
// because the "browser" one starts a Web Worker from a blob: URL that the CSP refuses.
import { readSheet } from 'read-excel-file/universal';

function cellText(v) {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  return String(v);
}

function csvField(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// rows (arrays of cell values) -> RFC 4180 CSV; trailing empty rows dropped, rows padded to the
// header's width so the server's "row has n fields" check sees the sheet's shape.
export function rowsToCsv(rows) {
  const text = rows.map((r) => r.map(cellText));
  while (text.length && text[text.length - 1].every((c) => c.trim() === '')) text.pop();
  const width = text.reduce((w, r) => Math.max(w, r.length), 0);
  return text.map((r) => [...r, ...Array(width - r.length).fill('')].map(csvField).join(',')).join('\r\n') + '\r\n';
}

export async function xlsxToCsv(file) {
  const rows = await readSheet(file, 1);
  return rowsToCsv(rows || []);
}
