// Same-origin HTTP API of the Switchboard server.
//
// Credentials: demo mode needs none. Otherwise the page may be opened with ?access_token=<JWT>;
// the token is kept in sessionStorage (and removed from the address bar), sent as a Bearer header
// on REST calls and handed to switchboard.js for the stream (as ?access_token=: neither a browser
// WebSocket nor EventSource can send headers).

const TOKEN_KEY = 'switchboard.access_token';
let token = null;

/** Takes ?access_token= from the page URL (or the session) and hides it from the address bar. */
export function initToken(url = new URL(location.href)) {
  const fromUrl = url.searchParams.get('access_token');
  try {
    if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
    token = fromUrl || sessionStorage.getItem(TOKEN_KEY);
  } catch {
    token = fromUrl; // storage disabled: keep it for this page only
  }
  if (fromUrl) {
    url.searchParams.delete('access_token');
    history.replaceState(null, '', url.pathname + (url.search || '') + url.hash);
  }
  return token;
}

/** The `scope` claim of the token, read without verifying (the server verifies). */
export function tokenScope() {
  if (!token) return '';
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.scope === 'string' ? payload.scope : '';
  } catch {
    return '';
  }
}

function headers(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

export async function getJson(path) {
  const res = await fetch(path, { headers: headers(), cache: 'no-store' });
  if (!res.ok) throw new HttpError(res.status, await errorText(res));
  return res.json();
}

export class HttpError extends Error {
  constructor(status, message) {
    super(message ? `HTTP ${status}: ${message}` : `HTTP ${status}`);
    this.status = status;
  }
}

async function errorText(res) {
  try {
    const text = await res.text();
    try {
      const body = JSON.parse(text);
      return body.message || body.error || text;
    } catch {
      return text.slice(0, 200);
    }
  } catch {
    return '';
  }
}

/** Catalog: [{name, title, description, params, scopes, widgets: {name: kind}}]. */
export async function listDashboards() {
  const body = await getJson('/api/dashboards');
  return Array.isArray(body?.dashboards) ? body.dashboards : [];
}

/** Demo tenants per dashboard name, or null when the server is not in demo mode. */
export async function demoTenants() {
  try {
    const body = await getJson('/api/demo');
    return body && typeof body.tenants === 'object' && body.tenants ? body.tenants : {};
  } catch {
    return null;
  }
}

/** The access token this page was opened with, if any. */
export function accessToken() {
  return token;
}

/** View parameters of the stream: range (or hours), scope, sub. */
export function viewParams(view) {
  const p = {};
  if (view.range) p.range = view.range;
  else if (view.hours) p.hours = String(view.hours);
  if (view.scope) p.scope = view.scope;
  if (view.sub) p.sub = view.sub;
  return p;
}
