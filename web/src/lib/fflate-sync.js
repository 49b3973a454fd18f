// fflate with a synchronous unzip(), for read-excel-file (vite.config.js aliases 'fflate' here).
// fflate's unzip() inflates entries over 512 KB in a Web Worker created from a blob: URL; the
// server's CSP (script-src 'self', no worker-src) blocks that worker, and fflate then never calls
// back, so a large worksheet would hang. Inflating on the main thread is fast enough for the
// validity page's 100,000-line limit.
import { unzipSync } from 'fflate/browser';

export * from 'fflate/browser';

export function unzip(data, opts, cb) {
  if (typeof opts === 'function') {
    cb = opts;
    opts = {};
  }
  let files = null;
  let error = null;
  try {
    files = unzipSync(data, opts || {});
  } catch (e) {
    error = e;
  }
  cb(error, error ? null : files);
  return () => {};
}
