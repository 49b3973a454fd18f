// Shared bits of the inspection pages.
import { apiUrl } from '../../../lib/api.js';
import { downloadBlob } from '../../../lib/format.js';

export const TASK_STATUSES = ['assigned', 'recorded', 'completed', 'published'];
export const TASK_STATUS_TAG = { assigned: 'info', recorded: 'warning', completed: 'primary', published: 'success' };
export const RESULTS = ['normal', 'not_published', 'false_info', 'unreachable', 'ordered_to_correct', 'refused'];
export const SAMPLE_STATUS_TAG = { sampled: 'info', tested: 'primary', rechecked: 'warning' };
export const taskPath = (id) => `/supervision/inspections/${id}`;
export const spotPath = (id) => `/supervision/spot-checks/${id}`;

// Download a list export (the API answers the file; the browser session's cookie goes along).
export async function downloadExport(path, query, filename) {
  const res = await fetch(apiUrl(path, { ...query, format: 'xlsx' }), { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  downloadBlob(filename, await res.blob());
}

// {field: message} of an ApiError, '' when none.
export const fieldErrors = (e) => (e && e.fieldErrors ? e.fieldErrors() : {});
