// Shared bits of the credit pages.
export const PURPOSES = ['award', 'front_runner', 'procurement', 'subsidy', 'honour'];
export const PENALTY_KINDS = ['warning', 'criticism', 'fine', 'confiscation', 'suspension', 'revocation', 'other'];
export const REPAIR_TAG = { pending: 'warning', approved: 'success', rejected: 'info' };
export const creditPath = (code) => `/supervision/credit/${encodeURIComponent(code)}`;
// Today in China time, for date pickers' defaults and limits.
export function today() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}
// Field errors of an ApiError as {field: message} (empty for other errors).
export function fieldErrors(e) {
  return e && typeof e.fieldErrors === 'function' ? e.fieldErrors() : {};
}
