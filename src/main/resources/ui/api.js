// Same-origin HTTP API of the Switchboard server.
//
// Credentials: demo mode needs none. Otherwise the page may be opened with ?access_token=<JWT>;
// the token is kept in sessionStorage (and removed from the address bar), sent as a Bearer header
// on REST calls and as ?access_token= on the stream, since EventSource cannot send headers.

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

/** View parameters shared by the REST snapshot and the stream: hours, scope, sub. */
export function viewQuery(view) {
  const q = new URLSearchParams();
  if (view.hours) q.set('hours', String(view.hours));
  if (view.scope) q.set('scope', view.scope);
  if (view.sub) q.set('sub', view.sub);
  return q;
}

export function snapshotUrl(view) {
  const q = viewQuery(view).toString();
  return `/api/dashboards/${enc(view.dashboard)}/${enc(view.tenant)}${q ? `?${q}` : ''}`;
}

/** The SSE URL; lastEventId resumes a stream we had to recreate (EventSource forgets it). */
export function streamUrl(view, datasets, lastEventId = null) {
  const q = viewQuery(view);
  q.set('dashboards', view.dashboard);
  if (datasets.length) q.set('datasets', datasets.join(','));
  if (lastEventId) q.set('lastEventId', lastEventId);
  if (token) q.set('access_token', token);
  return `/api/events/${enc(view.tenant)}?${q}`;
}

/**
 * A snapshot fetcher: fetch(etag) sends If-None-Match when given and resolves
 * {notModified: true} on 304, else {msg, etag}. The caller keeps the ETag of what it applied.
 */
export function snapshotFetcher(view) {
  const url = snapshotUrl(view);
  return async (etag) => {
    const res = await fetch(url, { headers: headers(etag ? { 'If-None-Match': etag } : {}), cache: 'no-store' });
    if (res.status === 304) return { notModified: true };
    if (!res.ok) throw new HttpError(res.status, await errorText(res));
    return { msg: await res.json(), etag: res.headers.get('ETag') };
  };
}

function enc(s) {
  return encodeURIComponent(s ?? '');
}
