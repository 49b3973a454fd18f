// Vite build for the nqi portal. Output: web/dist (served by `nqi serve --static web/dist`,
// SPA fallback to index.html; /assets/* are content-hashed and cached immutable).
// Dev: `npx vite` proxies /api to NQI_URL (default http://127.0.0.1:8080).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  base: '/',
  plugins: [vue()],
  resolve: {
    // read-excel-file (validity page, .xlsx upload) through fflate: unzip without blob: workers,
    // which the server's CSP refuses (see src/lib/fflate-sync.js).
    alias: [{ find: /^fflate$/, replacement: fileURLToPath(new URL('./src/lib/fflate-sync.js', import.meta.url)) }],
  },
  define: {
    __VUE_OPTIONS_API__: true,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': { target: process.env.NQI_URL || 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // ECharts is loaded only by pages that draw charts (see src/lib/charts.js).
        manualChunks(id) {
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          return undefined;
        },
      },
    },
  },
});
