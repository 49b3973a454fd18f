// Inspections and spot checks (检查与抽查): tasks with the dashboard, the task page with the on-site
// record, spot checks, the public results page and the holiday calendar. Picked up by
// ../index.js; strings in ../locales/inspections (as $t('supervision.inspections.…')).
// API: docs/modules/inspection.md.
const STAFF = ['inspector', 'regulator', 'admin'];
const t = (k) => `supervision.inspections.${k}`;

export const routes = [
  { path: '/supervision/inspections', name: 'inspections', component: () => import('./TasksPage.vue'), meta: { roles: STAFF, titleKey: t('nav.tasks') } },
  { path: '/supervision/inspections/results', name: 'inspection-results', component: () => import('./PublicResultsPage.vue'), meta: { titleKey: t('nav.results') } },
  { path: '/supervision/inspections/calendar', name: 'inspection-calendar', component: () => import('./CalendarPage.vue'), meta: { titleKey: t('nav.calendar') } },
  { path: '/supervision/inspections/:id(\\d+)', name: 'inspection-task', component: () => import('./TaskPage.vue'), meta: { roles: STAFF, titleKey: t('task.title') } },
  { path: '/supervision/spot-checks', name: 'spot-checks', component: () => import('./SpotChecksPage.vue'), meta: { roles: STAFF, titleKey: t('nav.spotChecks') } },
  { path: '/supervision/spot-checks/:id(\\d+)', name: 'spot-check', component: () => import('./SpotCheckPage.vue'), meta: { roles: STAFF, titleKey: t('spot.title') } },
];

export const nav = [
  { key: 'inspections', to: '/supervision/inspections', label: t('nav.tasks'), roles: STAFF },
  { key: 'spot-checks', to: '/supervision/spot-checks', label: t('nav.spotChecks'), roles: STAFF },
  { key: 'inspection-results', to: '/supervision/inspections/results', label: t('nav.results') },
  { key: 'inspection-calendar', to: '/supervision/inspections/calendar', label: t('nav.calendar') },
];
