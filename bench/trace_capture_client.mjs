// The HTTP client of bench/trace_capture.sh: POST every DIR/doc-*.jsonld to
// /api/v1/epcis/capture with C requests in flight (keep-alive), check that
// each answers 202 with a 'success' job capturing the whole document, and
// print JSON {docs, events, seconds, events_per_s, p50_ms, p99_ms}.
//   node bench/trace_capture_client.mjs URL TOKEN DIR CLIENTS
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [url, token, dir, clients = '2'] = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => /^doc-\d+\.jsonld$/.test(f)).sort();
const bodies = files.map((f) => readFileSync(join(dir, f)));
let next = 0, events = 0;
const lat = [];

async function worker() {
  while (next < bodies.length) {
    const i = next++;
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/epcis/capture`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/ld+json' },
      body: bodies[i],
    });
    const job = await res.json();
    lat.push(performance.now() - t0);
    if (res.status !== 202 || job.status !== 'success' || job.captured !== job.event_count) {
      console.error(`${files[i]}: ${res.status} ${JSON.stringify(job).slice(0, 400)}`);
      process.exit(1);
    }
    events += job.captured;
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: Number(clients) }, worker));
const secs = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))].toFixed(0);
console.log(JSON.stringify({ docs: bodies.length, events, seconds: +secs.toFixed(2),
  events_per_s: Math.round(events / secs), p50_ms: +pct(0.5), p99_ms: +pct(0.99) }));
