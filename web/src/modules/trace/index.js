// Traceability (信息采集追溯): identifier search, EPCIS event search, capture monitor, genealogy
// explorer, recall scope. Picked up by src/modules.js; strings in ./locales (merged under
// "trace"). API: docs/modules/epcis.md (capture), docs/modules/trace.md (query, trace, recall);
// the pages: docs/modules/trace-web.md. The consumer page /t/01/{gtin}/10/{lot} is rendered
// by the server, not by this app.
import { CAPTURERS, READERS } from './common.js';

const title = (k) => ({ titleKey: `trace.nav.${k}` });

export const routes = [
  { path: '/trace', name: 'trace', component: () => import('./LandingPage.vue'), meta: { titleKey: 'modules.trace.title' } },
  { path: '/trace/events', name: 'trace-events', component: () => import('./EventsPage.vue'), meta: { roles: READERS, ...title('events') } },
  { path: '/trace/capture', name: 'trace-capture', component: () => import('./CapturePage.vue'), meta: { roles: CAPTURERS, ...title('capture') } },
  { path: '/trace/explorer', name: 'trace-explorer', component: () => import('./ExplorerPage.vue'), meta: { roles: READERS, ...title('explorer') } },
  { path: '/trace/recall', name: 'trace-recall', component: () => import('./RecallPage.vue'), meta: { roles: READERS, ...title('recall') } },
];
