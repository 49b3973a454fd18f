// Quality credit (质量信用分类管理): class overview and recomputation, the rule-set editor, the
// public credit page of an enterprise, the abnormal-operations and serious-dishonesty lists,
// penalty publicity, credit repair requests, and the joint-punishment check.
// API: docs/modules/credit.md. Strings: ../locales/credit/*.json as supervision.credit.*.
const STAFF = ['inspector', 'regulator', 'admin'];
const t = (k) => `supervision.credit.${k}`;

export const routes = [
  { path: '/supervision/credit', name: 'credit-home', component: () => import('./CreditHome.vue'), meta: { titleKey: t('nav') } },
  { path: '/supervision/credit/rules', name: 'credit-rules', component: () => import('./CreditRulesPage.vue'), meta: { roles: STAFF, titleKey: t('rules.title') } },
  { path: '/supervision/credit/lists/:list(abnormal|serious)', name: 'credit-list', component: () => import('./CreditListPage.vue'), meta: { titleKey: t('lists.title') } },
  { path: '/supervision/credit/penalties', name: 'credit-penalties', component: () => import('./CreditPenaltiesPage.vue'), meta: { titleKey: t('penalties.title') } },
  { path: '/supervision/credit/repairs', name: 'credit-repairs', component: () => import('./CreditRepairsPage.vue'), meta: { roles: [...STAFF, 'enterprise'], titleKey: t('repairs.title') } },
  { path: '/supervision/credit/restrictions', name: 'credit-restrictions', component: () => import('./CreditRestrictionsPage.vue'), meta: { roles: STAFF, titleKey: t('restrictions.title') } },
  { path: '/supervision/credit/:code([0-9A-Z]{18})', name: 'credit-page', component: () => import('./CreditPage.vue'), meta: { titleKey: t('page.title') } },
];

export const nav = [{ key: 'credit', to: '/supervision/credit', label: t('nav') }];
