// Shared bits of the supervision pages.
import { hasRole } from '../../lib/session.js';

export const STAFF = ['inspector', 'regulator', 'admin'];
export const WRITERS = ['regulator', 'admin'];
export const CLASSES = ['A', 'B', 'C', 'D'];
export const ENTITY_STATUSES = ['active', 'revoked', 'cancelled', 'moved'];
export const RULES = ['none', 'lead', 'all'];

export const isStaff = () => hasRole(STAFF);
export const isWriter = () => hasRole(WRITERS);

export const DRAW_STATUS_TAG = { committed: 'warning', drawn: 'primary', revealed: 'success' };
export const CLASS_TAG = { A: 'success', B: 'primary', C: 'warning', D: 'danger' };

export const entityPath = (code) => `/supervision/entities/${encodeURIComponent(code)}`;
export const drawPath = (id) => `/supervision/draws/${encodeURIComponent(id)}`;

// ppm (parts per million) -> "5%" / "0.01%"
export function ppmPercent(ppm) {
  const p = Number(ppm) / 10000;
  return `${Number.isFinite(p) ? +p.toFixed(4) : '—'}%`;
}
