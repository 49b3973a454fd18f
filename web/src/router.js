// Routes (history mode; the server falls back to index.html for unknown paths).
// meta.roles: roles allowed to open the page; a visitor who is not logged in goes to /login,
// a logged-in user without the role sees /forbidden. Pages are lazily loaded.
import { createRouter, createWebHistory } from 'vue-router';
import { MODULES } from './modules.js';
import { session, loadSession, clearSession, hasRole } from './lib/session.js';
import { onUnauthorized } from './lib/api.js';
import { i18n } from './i18n.js';

const moduleRoutes = MODULES.flatMap((m) =>
  m.ready
    ? m.routes
    : [{
        path: m.path,
        name: `module-${m.key}`,
        component: () => import('./pages/PlaceholderPage.vue'),
        props: { moduleKey: m.key },
        meta: { titleKey: `modules.${m.key}.title` },
      }],
);

export const routes = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { titleKey: 'nav.home' } },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { titleKey: 'login.title' } },
  { path: '/log', name: 'log', component: () => import('./pages/LogPage.vue'), meta: { titleKey: 'log.title' } },
  {
    path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'),
    meta: { roles: ['admin', 'regulator'], titleKey: 'audit.title' },
  },
  { path: '/admin', redirect: '/admin/users' },
  {
    path: '/admin/users', name: 'admin-users', component: () => import('./pages/admin/UsersPage.vue'),
    meta: { roles: ['admin'], titleKey: 'users.title' },
  },
  {
    path: '/admin/tokens', name: 'admin-tokens', component: () => import('./pages/admin/TokensPage.vue'),
    meta: { roles: ['admin'], titleKey: 'tokens.title' },
  },
  ...moduleRoutes,
  { path: '/forbidden', name: 'forbidden', component: () => import('./pages/ForbiddenPage.vue'), meta: { titleKey: 'forbidden.title' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { titleKey: 'notFound.title' } },
];

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
});

router.beforeEach(async (to) => {
  await loadSession();
  const roles = to.meta.roles;
  if (roles && roles.length) {
    if (!session.user) return { name: 'login', query: { redirect: to.fullPath } };
    if (!hasRole(roles)) return { name: 'forbidden', query: { from: to.fullPath, roles: roles.join(',') } };
  }
  if (to.name === 'login' && session.user) {
    const r = typeof to.query.redirect === 'string' && to.query.redirect.startsWith('/') ? to.query.redirect : '/';
    return r;
  }
  return true;
});

router.afterEach((to) => {
  const t = i18n.global.t;
  const app = t('app.title');
  document.title = to.meta.titleKey && to.name !== 'home' ? `${t(to.meta.titleKey)} - ${app}` : app;
});

// A 401 from the API (session expired or revoked): forget the user; on a page that needs a
// login, go to /login and come back afterwards.
onUnauthorized(() => {
  const had = !!session.user;
  clearSession();
  const cur = router.currentRoute.value;
  if (cur.meta.roles && cur.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: had ? '1' : undefined } });
  }
});
