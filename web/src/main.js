import { createApp } from 'vue';
import App from './App.vue';
import { i18n, applyDocumentLocale } from './i18n.js';
import { router } from './router.js';
import { installElement } from './element.js';
import './styles.css';

const app = createApp(App);
app.use(i18n);
installElement(app);
app.use(router);
applyDocumentLocale();
app.mount('#app');
