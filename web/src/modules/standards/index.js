// Standards service (标准化服务): search, detail, validity confirmation and its public reports,
// catalogue import, publication notices, tracking (watchlists + inbox). Picked up by
// src/modules.js; strings in ./locales (merged under "standards").
// Numbers contain '/': links keep the slashes and encode each part (common.js stdPath:
// /standards/GB/T%2019580-2012); the detail route takes the rest of the path, so the
// fully encoded /standards/GB%2FT%2019580-2012 (the tracking API's `link`) opens it too.
// Static paths (validity, import, …) rank above the catch-all.
const title = (k) => ({ titleKey: `standards.nav.${k}` });

export const routes = [
  { path: '/standards', name: 'standards', component: () => import('./SearchPage.vue'), meta: { titleKey: 'modules.standards.title' } },
  { path: '/standards/validity', name: 'standards-validity', component: () => import('./ValidityPage.vue'), meta: title('validity') },
  { path: '/standards/validity/:uid', name: 'standards-validity-report', component: () => import('./ReportPage.vue'), meta: { titleKey: 'standards.report.title' } },
  {
    path: '/standards/import', name: 'standards-import', component: () => import('./ImportPage.vue'),
    meta: { roles: ['regulator', 'admin'], ...title('import') },
  },
  { path: '/standards/notices', name: 'standards-notices', component: () => import('./NoticesPage.vue'), meta: { titleKey: 'standards.notices.title' } },
  { path: '/standards/notices/:id', name: 'standards-notice', component: () => import('./NoticeDetailPage.vue'), meta: { titleKey: 'standards.notices.title' } },
  // the server's notice link (API `link`, Atom feed) is /notices/<id>
  { path: '/notices/:id', redirect: (to) => `/standards/notices/${encodeURIComponent(to.params.id)}` },
  {
    path: '/standards/tracking', name: 'standards-tracking', component: () => import('./TrackingPage.vue'),
    meta: { roles: ['admin', 'regulator', 'inspector', 'enterprise'], titleKey: 'standards.tracking.title' },
  },
  // the server's verify_url (and the QR code in an exported report) is /validity/<uid>
  { path: '/validity/:uid', redirect: (to) => `/standards/validity/${encodeURIComponent(to.params.uid)}` },
  { path: '/standards/:number(.*)', name: 'standards-detail', component: () => import('./DetailPage.vue'), meta: { titleKey: 'standards.detail.title' } },
];
