// Quality supervision (质量监管): verifiable 双随机 draws, the market-entity directory, inspectors,
// inspection items. Picked up by src/modules.js; strings in ./locales (merged under "supervision").
// API: docs/modules/supervision.md; the draw algorithm: docs/modules/draw.md.
const STAFF = ['inspector', 'regulator', 'admin'];
const WRITERS = ['regulator', 'admin'];
const t = (k) => `supervision.nav.${k}`;

// Parts of the module (./<part>/routes.js, e.g. credit/, inspections/) export their own `routes`
// and `nav` ([{ key, to, label, roles? }]) so each part is edited in files of its own.
const parts = Object.values(import.meta.glob('./*/routes.js', { eager: true }));
export const partNav = parts.flatMap((p) => p.nav || []);

export const routes = [
  { path: '/supervision', name: 'supervision', component: () => import('./LandingPage.vue'), meta: { titleKey: 'modules.supervision.title' } },
  { path: '/supervision/draws', name: 'supervision-draws', component: () => import('./DrawsPage.vue'), meta: { titleKey: t('draws') } },
  { path: '/supervision/draws/:id', name: 'supervision-draw', component: () => import('./DrawPage.vue'), meta: { titleKey: 'supervision.draw.title' } },
  { path: '/supervision/entities', name: 'supervision-entities', component: () => import('./EntitiesPage.vue'), meta: { roles: STAFF, titleKey: t('entities') } },
  {
    path: '/supervision/entities/import', name: 'supervision-entities-import', component: () => import('./ImportPage.vue'),
    props: { kind: 'entities' }, meta: { roles: WRITERS, titleKey: 'supervision.import.entitiesTitle' },
  },
  { path: '/supervision/entities/:code', name: 'supervision-entity', component: () => import('./EntityPage.vue'), meta: { titleKey: 'supervision.entity.title' } },
  { path: '/supervision/inspectors', name: 'supervision-inspectors', component: () => import('./InspectorsPage.vue'), meta: { roles: STAFF, titleKey: t('inspectors') } },
  {
    path: '/supervision/inspectors/import', name: 'supervision-inspectors-import', component: () => import('./ImportPage.vue'),
    props: { kind: 'inspectors' }, meta: { roles: WRITERS, titleKey: 'supervision.import.inspectorsTitle' },
  },
  { path: '/supervision/items', name: 'supervision-items', component: () => import('./ItemsPage.vue'), meta: { titleKey: t('items') } },
  ...parts.flatMap((p) => p.routes || []),
];
