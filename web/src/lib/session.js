// The signed-in user, shared by every page. loadSession() asks the server once
// (GET /auth/me); login()/logout() keep the CSRF token in the API client.
import { reactive } from 'vue';
import { api, setCsrfToken } from './api.js';

export const session = reactive({
  user: null, // {id, username, role, display_name, credit_code}
  loaded: false,
});

let pending = null;

export function loadSession(force = false) {
  if (session.loaded && !force) return Promise.resolve(session.user);
  if (pending && !force) return pending;
  pending = api
    .get('/auth/me', undefined, { quiet401: true })
    .then((r) => {
      session.user = (r && r.user) || null;
      setCsrfToken(r && r.csrf_token);
    })
    .catch(() => {
      session.user = null;
      setCsrfToken(null);
    })
    .finally(() => {
      session.loaded = true;
      pending = null;
    })
    .then(() => session.user);
  return pending;
}

export async function login(username, password) {
  const r = await api.post('/auth/login', { username, password }, { quiet401: true });
  session.user = r.user;
  session.loaded = true;
  setCsrfToken(r.csrf_token);
  return r.user;
}

export async function logout() {
  try {
    await api.post('/auth/logout', undefined, { quiet401: true });
  } finally {
    clearSession();
  }
}

// Forget the user locally (after a 401 or a logout).
export function clearSession() {
  session.user = null;
  session.loaded = true;
  setCsrfToken(null);
}

export function hasRole(roles) {
  if (!roles || roles.length === 0) return true;
  return !!session.user && roles.includes(session.user.role);
}

export function displayName(user = session.user) {
  if (!user) return '';
  return user.display_name || user.username;
}
