// The business modules shown in the top navigation and as cards on the home page.
// A module that is not built yet gets a placeholder page ("建设中") at its path.
// To build one, create src/modules/<key>/index.js exporting `routes` (vue-router records, paths
// under the module's path, components lazily imported) — the placeholder is then replaced and the
// card loses its "coming soon" tag. Strings: "modules.<key>.title|desc" in src/locales/*.json.
const built = import.meta.glob('./modules/*/index.js', { eager: true });

export const MODULES = [
  { key: 'standards', path: '/standards', icon: 'standards' },
  { key: 'supervision', path: '/supervision', icon: 'supervision' },
  { key: 'trace', path: '/trace', icon: 'trace' },
  { key: 'services', path: '/services', icon: 'services' },
  { key: 'governance', path: '/governance', icon: 'governance' },
].map((m) => {
  const mod = built[`./modules/${m.key}/index.js`];
  return { ...m, ready: !!(mod && mod.routes && mod.routes.length), routes: (mod && mod.routes) || [] };
});
