// vue-i18n setup. Strings live in locales/zh-CN.json and locales/en.json (shell and shared
// words); a module may keep its own strings in modules/<name>/locales/{zh-CN,en}.json, which
// are merged in under the key "<name>" (so modules/standards/locales/zh-CN.json {"title": ...}
// is $t('standards.title')). A part of a module may keep its strings in
// modules/<name>/locales/<part>/{zh-CN,en}.json, merged under "<name>.<part>" (so that two
// people working on two parts of one module never edit the same file). zh-CN is the default; the choice is kept in localStorage.
import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN.json';
import en from './locales/en.json';

export const LOCALES = ['zh-CN', 'en'];
export const LOCALE_KEY = 'nqi.locale';

const messages = { 'zh-CN': { ...zhCN }, en: { ...en } };
const moduleLocales = import.meta.glob(['./modules/*/locales/*.json', './modules/*/locales/*/*.json'], { eager: true, import: 'default' });
for (const [path, msgs] of Object.entries(moduleLocales)) {
  const m = path.match(/\.\/modules\/([^/]+)\/locales\/(?:([^/]+)\/)?([^/]+)\.json$/);
  if (!m || !messages[m[3]]) continue;
  const mod = (messages[m[3]][m[1]] = messages[m[3]][m[1]] || {});
  if (m[2]) mod[m[2]] = { ...(mod[m[2]] || {}), ...msgs };
  else Object.assign(mod, msgs);
}

function initialLocale() {
  try {
    const saved = localStorage.getItem(LOCALE_KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch {
    /* storage disabled */
  }
  return 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages,
  missingWarn: false,
  fallbackWarn: false,
});

export function setLocale(loc) {
  if (!LOCALES.includes(loc)) return;
  i18n.global.locale.value = loc;
  try {
    localStorage.setItem(LOCALE_KEY, loc);
  } catch {
    /* ignore */
  }
  applyDocumentLocale();
}

export function applyDocumentLocale() {
  const loc = i18n.global.locale.value;
  document.documentElement.lang = loc;
  document.title = i18n.global.t('app.title');
}
