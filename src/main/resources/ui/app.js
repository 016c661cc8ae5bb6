// Switchboard web dashboard: /?dashboard=calls&tenant=<t>[&hours=24][&scope=agent&sub=agent-1]
//
// Loads the catalog and demo tenants, builds the dashboard's layout (a dedicated one for `calls`,
// a generic one for the rest), then keeps it live with the Switchboard client (/switchboard.js:
// WebSocket, else SSE, else long-polling; it resumes exactly after every drop).
//
// Test hooks: document.body.dataset.connection = live|reconnecting|polling|offline (idle: no tenant
// yet) and dataset.transport = websocket|sse|poll;
// window.__switchboard = {state, events, eventCounts, connection, transport, position, changes (the
// last 1000 row changes applied: {id, dataset, key, op}), updatedAt, ...};
// every widget element has data-widget="<name>" and data-value="<displayed text>".

import { connect } from '/switchboard.js';
import { AlertBanner } from './alerts.js';
import { accessToken, demoTenants, getJson, initToken, listDashboards, tokenScope, viewParams } from './api.js';
import { markChanged, tick } from './dom.js';
import { redrawCharts } from './charts.js';
import * as fmt from './format.js';
import { callsLayout } from './layout-calls.js';
import { genericLayout } from './layout-generic.js';
import { periodLabel, rangeControl, rangeFromUrl, renderComparisons, renderPeriods } from './range.js';
import { overview } from './overview.js';
import { Store } from './store.js';
import { context } from './widgets.js';

const $ = (id) => document.getElementById(id);
const HOUR_CHOICES = [1, 3, 6, 12, 24, 48, 72, 168];
// Datasets whose raw changes we subscribe to (for row highlights) when the catalog does not say.
const KNOWN_DATASETS = {
  calls: ['call_logs'],
  bookings: ['leads', 'booking_calls', 'appointments'],
  clinic: ['clinic_appointments'],
  clinic_availability: ['dentist_availability'],
  shop: ['tickets', 'orders', 'order_items', 'customers', 'products'],
  campaigns: ['campaigns', 'campaign_contacts', 'call_attempts'],
};

const store = new Store();
const hooks = {
  state: store.values,
  events: 0,
  eventCounts: {},
  connection: 'reconnecting',
  transport: null,
  position: null,
  changes: [],
  updatedAt: null,
  lastChange: null,
  dashboard: null,
  tenant: null,
  history: [],
  alerts: [],
  zone: null,
  theme: null,
};
const MAX_CHANGES = 1000;
window.__switchboard = hooks;
let connection = null;

main().catch((err) => {
  console.error('switchboard: failed to start', err);
  showBanner(`Could not start the dashboard: ${err.message || err}`);
});

async function main() {
  initTheme();
  initToken();
  const params = new URLSearchParams(location.search);
  if (!params.has('dashboard') && !params.has('tenant')) {
    // `/`: every dashboard and tenant this viewer may see, each with its live headline figure
    hooks.dashboard = null;
    await overview($('main'), { hooks, setConnection, showBanner, renderHeader: overviewHeader });
    return;
  }
  const [catalog, tenantsByDashboard] = await Promise.all([
    listDashboards().catch((err) => { showBanner(`Could not load dashboards: ${err.message}`); return []; }),
    demoTenants(),
  ]);

  const name = params.get('dashboard') || (catalog.some((d) => d.name === 'calls') || !catalog.length ? 'calls' : catalog[0].name);
  const def = catalog.find((d) => d.name === name) ?? { name, title: fmt.humanize(name), widgets: {} };
  if (catalog.length && !catalog.some((d) => d.name === name)) showBanner(`Unknown dashboard “${name}”.`);
  const tenants = tenantsByDashboard?.[name] ?? [];
  const tenant = params.get('tenant') || tenants[0] || '';
  const hoursDef = def.params?.hours;
  const hoursDefault = hoursDef?.default ?? hoursDef?.defaultValue ?? 24;
  const hours = hoursDef ? clamp(Number(params.get('hours')) || hoursDefault, hoursDef.min ?? 1, hoursDef.max ?? 8760) : null;
  // a dashboard with a range takes ?range= (or ?from=&to=, or the seed's ?hours=) instead of an hours param
  const range = rangeFromUrl(def, params);
  const view = { dashboard: name, tenant, hours: range ? null : hours, range, scope: params.get('scope') || '', sub: params.get('sub') || '' };
  hooks.range = range;

  renderHeader(def, catalog, tenantsByDashboard, view);
  hooks.dashboard = name;
  hooks.tenant = tenant;
  context.tenant = tenant;
  context.exportUrl = (widget) => exportUrl(view, widget);
  context.display = def.display && typeof def.display === 'object' ? def.display : {};
  context.params = hours ? { hours } : {};
  // widgets over ${range} say the chosen range's period (range.js), others their own (fmt.periodOf)
  context.range = view.range;
  context.rangeLabel = periodLabel;
  fmt.setCurrency(def.currency || '');
  if (!tenant) {
    $('main').innerHTML = '<p class="empty">Enter a tenant above to open its dashboard.</p>';
    setConnection('idle');
    $('tenant-input').focus();
    return;
  }

  const widgets = def.widgets && typeof def.widgets === 'object' ? def.widgets : {};
  const makeLayout = () => {
    const l = name === 'calls'
      ? callsLayout($('main'), { widgets, period: periodLabel(view.range ?? `${hours ?? 24}h`) })
      : genericLayout($('main'), { widgets });
    hooks.history = l.history ?? [];
    return l;
  };
  let layout = makeLayout();
  // after a range change, the old view's events until the new view's snapshot are not shown
  let awaitingRange = null;
  // Events only record what changed; the page is redrawn once per animation frame, with
  // everything that changed since the last one (at 100 events/s, one redraw per frame, not 100).
  let dirty = new Set();
  let replacedAll = false;
  const frame = new Frame(() => {
    const changed = replacedAll ? null : [...dirty];
    dirty = new Set();
    replacedAll = false;
    layout.update(store, changed);
    renderComparisons($('main'), store, def.compare, view.range);
    renderPeriods($('main'), def.windows, view.range);
    renderMeta();
    $('events-count').textContent = `${fmt.number(hooks.events)} event${hooks.events === 1 ? '' : 's'}`;
    if (name === 'calls') updateTitle(def, tenant, store.get('active_calls'));
  });
  hooks.frames = frame.stats;
  store.subscribe((changed, replaced) => {
    hooks.position = store.position;
    hooks.updatedAt = store.updatedAt;
    if (replaced) replacedAll = true;
    else for (const n of changed) dirty.add(n);
    frame.request();
  });
  updateTitle(def, tenant, null);
  loadZone(view, () => layout.update(store, null));

  const alerts = new AlertBanner($('alerts'), { tenant, dashboard: name, toast: showToast, hooks });

  connection = connect({
    tenant,
    dashboards: [name],
    datasets: datasetsOf(def, params, view),
    params: viewParams(view),
    token: accessToken() || undefined,
  });
  const counted = (type, fn) => connection.on(type, (data, meta) => {
    hooks.events += 1;
    hooks.eventCounts[type] = (hooks.eventCounts[type] ?? 0) + 1;
    pulse();
    fn(data, meta);
    frame.request();
  });
  counted('snapshot', (msg) => {
    if (!forThisDashboard(msg, name)) return;
    if (view.range && msg.params?.range !== undefined && msg.params.range !== view.range) return; // the range before
    const wasAwaiting = awaitingRange !== null;
    awaitingRange = null;
    if (msg.params?.range !== undefined) hooks.rangeShown = msg.params.range;
    if (typeof msg.zone === 'string') applyZone(msg.zone);
    store.replace(msg.widgets, msg.position);
    if (msg.reset && !wasAwaiting) showToast('Stream resynchronized: showing a fresh snapshot.');
  });
  counted('delta', (msg) => {
    if (!forThisDashboard(msg, name) || awaitingRange !== null) return;
    store.merge(msg.widgets, msg.position);
  });
  counted('change', (msg, meta) => {
    const keys = [msg.key, msg.after?.id, msg.before?.id].filter((k) => k !== undefined && k !== null && typeof k !== 'object');
    markChanged(keys, msg.op);
    hooks.lastChange = msg;
    hooks.changes.push({ id: meta.id, dataset: msg.dataset, key: msg.key, op: msg.op });
    if (hooks.changes.length > MAX_CHANGES) hooks.changes.splice(0, hooks.changes.length - MAX_CHANGES);
    tenantHasRows();
  });
  counted('alert', (msg) => alerts.apply(msg));
  alerts.load();
  counted('reset', (msg) => showToast(`The history of ${msg.dataset ?? 'a dataset'} could not be resumed; figures are fresh.`));
  connection.on('state', (state, detail) => setConnection(state, detail));
  connection.on('error', (err) => {
    if (err.status === 401 || err.expired) showBanner(`${err.error}. Open this page with ?access_token=<token>.`);
    else if (err.status === 404 || err.status === 403 || err.status === 400) showBanner(err.error);
  });
  setConnection(connection.state, {});

  if (def.range && range) {
    // the range control: a new range is a new view, watched on the same connection
    const control = rangeControl(def, range, (next) => {
      view.range = next;
      context.range = next;
      hooks.range = next;
      hooks.rangeChanges = (hooks.rangeChanges ?? 0) + 1;
      const url = new URL(location.href);
      for (const k of ['hours', 'from', 'to']) url.searchParams.delete(k);
      url.searchParams.set('range', next);
      history.replaceState(null, '', url.pathname + url.search + url.hash);
      awaitingRange = next;
      layout = makeLayout();
      store.replace({}, store.position);
      connection.setParams({ range: next });
    });
    $('pickers').insertBefore(control.el, $('scope-chip'));
  }

  setInterval(() => {
    tick(document);
    layout.tick(store);
    renderMeta();
    renderLastChange();
  }, 1000);
}

/** Runs `fn` at the next animation frame, once however often it is requested before then. */
class Frame {
  constructor(fn) {
    this.fn = fn;
    this.id = 0;
    this.stats = { frames: 0, requests: 0 };
  }

  request() {
    this.stats.requests += 1;
    if (this.id) return;
    // a hidden tab gets no frames: a timer then, so state and hooks still follow the stream
    this.id = document.hidden ? setTimeout(() => this.run(), 250) : requestAnimationFrame(() => this.run());
  }

  run() {
    this.id = 0;
    this.stats.frames += 1;
    try {
      this.fn();
    } catch (err) {
      console.error('switchboard: redraw failed', err);
    }
  }
}

function forThisDashboard(msg, name) {
  return msg && typeof msg === 'object' && (!msg.dashboard || msg.dashboard === name);
}

/** Raw-change datasets to stream; none for a scoped viewer (the server allows dashboards only). */
function datasetsOf(def, params, view) {
  if (view.scope || tokenScope()) return [];
  if (params.has('datasets')) return params.get('datasets').split(',').filter(Boolean);
  const ds = def.datasets;
  if (Array.isArray(ds)) return ds.map(String);
  if (ds && typeof ds === 'object') return Object.keys(ds);
  return KNOWN_DATASETS[def.name] ?? [];
}

/** The CSV export of a table or list widget for this view (same params; the token as for the stream). */
function exportUrl(view, widget) {
  const q = new URLSearchParams(viewParams(view));
  if (accessToken()) q.set('access_token', accessToken());
  const qs = q.toString();
  return `/api/export/${encodeURIComponent(view.dashboard)}/${encodeURIComponent(view.tenant)}/${encodeURIComponent(widget)}${qs ? `?${qs}` : ''}`;
}

// ---- time zone ----------------------------------------------------------------------------

/** The tenant's zone comes with the REST snapshot (`zone`); until then times are the browser's. */
function loadZone(view, redraw) {
  const q = new URLSearchParams(viewParams(view)).toString();
  getJson(`/api/dashboards/${encodeURIComponent(view.dashboard)}/${encodeURIComponent(view.tenant)}${q ? `?${q}` : ''}`)
    .then((snap) => {
      if (snap?.known === false && !hooks.changes.length) tenantUnknown(view);
      if (typeof snap?.zone === 'string' && applyZone(snap.zone)) redraw();
    })
    .catch((err) => console.warn('switchboard: could not load the time zone', err));
}

// ---- a tenant without rows ------------------------------------------------------------------

/**
 * The snapshot said the tenant has no rows in this dashboard's datasets: a misspelt tenant, or one
 * that has not sent anything yet. Say so instead of "Live" over a page of zeros; the first row
 * change for it lifts the notice.
 */
function tenantUnknown(view) {
  hooks.tenantKnown = false;
  document.body.dataset.tenantKnown = 'false';
  let n = $('tenant-notice');
  if (!n) {
    n = document.createElement('div');
    n.id = 'tenant-notice';
    n.className = 'notice';
    n.setAttribute('role', 'status');
    $('main').before(n);
  }
  n.innerHTML = '';
  const strong = document.createElement('strong');
  strong.textContent = `No data for tenant “${view.tenant}”`;
  const p = document.createElement('span');
  p.textContent = 'This server has no rows for this tenant on this dashboard: check the name, or send its first rows. '
    + 'The page fills in as soon as they arrive. ';
  const a = document.createElement('a');
  a.href = '/';
  a.textContent = 'All dashboards and tenants';
  n.append(strong, p, a);
  setConnection(hooks.connection, {});
}

function tenantHasRows() {
  if (hooks.tenantKnown !== false) return;
  hooks.tenantKnown = true;
  document.body.dataset.tenantKnown = 'true';
  $('tenant-notice')?.remove();
  setConnection(hooks.connection, {});
}

function applyZone(zone) {
  if (zone === hooks.zone || !fmt.setZone(zone)) return false;
  hooks.zone = zone;
  const z = $('zone');
  z.textContent = zone === 'UTC' || zone === 'Z' ? 'times in UTC' : `times in ${zone.replace(/_/g, ' ')}`;
  z.dataset.zone = zone;
  renderMeta();
  redrawCharts();
  return true;
}

// ---- theme --------------------------------------------------------------------------------

const THEME_KEY = 'switchboard.theme';

/** The system's scheme unless the toggle chose one (theme.js applied it before the first paint). */
function initTheme() {
  const media = window.matchMedia('(prefers-color-scheme: light)');
  const effective = () => document.documentElement.dataset.theme || (media.matches ? 'light' : 'dark');
  const show = () => {
    const t = effective();
    hooks.theme = t;
    document.body.dataset.theme = t;
    const other = t === 'dark' ? 'light' : 'dark';
    const b = $('theme-toggle');
    b.setAttribute('aria-label', `Switch to ${other} theme`);
    b.title = `Switch to ${other} theme`;
    b.dataset.theme = t;
  };
  $('theme-toggle').addEventListener('click', () => {
    const next = effective() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem(THEME_KEY, next); } catch { /* storage disabled: this page only */ }
    show();
  });
  media.addEventListener('change', show);
  show();
}

function clamp(n, lo, hi) {
  return Math.min(hi, Math.max(lo, Math.round(n)));
}

// ---- header -------------------------------------------------------------------------------

/** The overview's header: no pickers, no stream details. */
function overviewHeader(title, description) {
  $('title').textContent = title;
  $('description').textContent = description;
  $('pickers').hidden = true;
  $('meta').hidden = true;
  document.title = `${title} — Switchboard`;
}

function renderHeader(def, catalog, tenantsByDashboard, view) {
  $('title').textContent = def.title || fmt.humanize(def.name);
  $('description').textContent = def.description || '';

  const dPick = $('dashboard-picker');
  const names = catalog.length ? catalog.map((d) => [d.name, d.title || d.name]) : [[def.name, def.title || def.name]];
  if (!names.some(([n]) => n === def.name)) names.unshift([def.name, def.name]);
  dPick.replaceChildren(...names.map(([n, t]) => new Option(t, n, false, n === def.name)));

  const tenants = tenantsByDashboard?.[def.name] ?? [];
  const tPick = $('tenant-picker');
  const tInput = $('tenant-input');
  if (tenants.length) {
    const list = tenants.includes(view.tenant) || !view.tenant ? tenants : [view.tenant, ...tenants];
    tPick.replaceChildren(...list.map((t) => new Option(t, t, false, t === view.tenant)));
    tPick.hidden = false;
    tInput.hidden = true;
    tInput.disabled = true;
  } else {
    tInput.value = view.tenant;
    tInput.hidden = false;
    tPick.hidden = true;
    tPick.disabled = true;
    $('go').hidden = false;
  }

  const hoursDef = def.params?.hours;
  if (hoursDef && view.hours) {
    const lo = hoursDef.min ?? 1;
    const hi = hoursDef.max ?? 168;
    const choices = [...new Set([...HOUR_CHOICES.filter((h) => h >= lo && h <= hi), view.hours])].sort((a, b) => a - b);
    $('hours-picker').replaceChildren(...choices.map((h) => new Option(h % 24 === 0 && h > 24 ? `${h / 24} days` : `${h} h`, String(h), false, h === view.hours)));
    $('hours-label').hidden = false;
  }

  if (view.scope) {
    const chip = $('scope-chip');
    chip.textContent = `${view.scope}${view.sub ? `: ${view.sub}` : ''}`;
    chip.title = 'Viewer scope';
    chip.hidden = false;
  }

  const form = $('pickers');
  const params0 = new URLSearchParams(location.search);
  const navigate = (changedDashboard) => {
    const q = new URLSearchParams();
    const dash = dPick.value || def.name;
    q.set('dashboard', dash);
    let tenant = tenants.length ? tPick.value : tInput.value.trim();
    if (changedDashboard) {
      const next = tenantsByDashboard?.[dash] ?? [];
      if (next.length && !next.includes(tenant)) tenant = next[0];
    }
    if (tenant) q.set('tenant', tenant);
    if (!changedDashboard && !$('hours-label').hidden) q.set('hours', $('hours-picker').value);
    if (!changedDashboard && view.range) q.set('range', view.range);
    if (view.scope) q.set('scope', view.scope);
    for (const k of ['datasets']) if (params0.has(k)) q.set(k, params0.get(k));
    if (view.sub) q.set('sub', view.sub);
    location.search = q.toString();
  };
  dPick.addEventListener('change', () => navigate(true));
  tPick.addEventListener('change', () => navigate(false));
  $('hours-picker').addEventListener('change', () => navigate(false));
  form.addEventListener('submit', (e) => { e.preventDefault(); navigate(false); });
}

function updateTitle(def, tenant, active) {
  const n = fmt.toNumber(active);
  const prefix = n !== null && n > 0 ? `(${fmt.number(n)}) ` : '';
  document.title = `${prefix}${def.title || def.name} · ${tenant} — Switchboard`;
}

// ---- connection indicator and meta line ---------------------------------------------------

const STATE_TEXT = {
  live: ['Live', 'Streaming updates from the server'],
  reconnecting: ['Reconnecting', 'Connection interrupted; reconnecting and resuming where it left off'],
  polling: ['Polling', 'Streaming is blocked on the way to the server; long-polling instead, resuming exactly'],
  offline: ['Offline', 'The server cannot be reached; retrying'],
  idle: ['Idle', 'No tenant chosen'],
};
const TRANSPORT_TEXT = { websocket: 'WebSocket', sse: 'SSE', poll: 'long-poll' };
let everLive = false;

function setConnection(state, detail = {}) {
  const transport = connection?.transport ?? null;
  document.body.dataset.connection = state;
  if (transport) document.body.dataset.transport = transport;
  hooks.connection = state;
  hooks.transport = transport;
  if (state === 'live' || state === 'polling') everLive = true;
  const [label, help] = STATE_TEXT[state] ?? [state, ''];
  const conn = $('connection');
  conn.dataset.state = state;
  const via = (state === 'live' || state === 'polling') && transport ? TRANSPORT_TEXT[transport] : '';
  const unknown = hooks.tenantKnown === false && state === 'live';
  conn.dataset.state = unknown ? 'unknown' : state;
  conn.querySelector('.conn-label').textContent = unknown ? 'No data for this tenant' : state === 'reconnecting' && !everLive ? 'Connecting' : label;
  conn.querySelector('.conn-transport').textContent = via ? `· ${via}` : '';
  conn.title = `${help}${via ? ` (${via})` : ''}${detail.error ? ` (last error: ${detail.error})` : ''}`;
  const failing = state === 'offline';
  conn.classList.toggle('has-error', failing);
  const note = $('conn-error');
  const retry = detail.retryInMs ? `, retrying in ${Math.max(1, Math.round(detail.retryInMs / 1000))} s` : ', retrying';
  note.textContent = failing ? `server unreachable${retry} ·` : '';
  note.hidden = !failing;
}

/** The dot beats on events, at most once per frame and without forcing a layout. */
let beating = 0;
let beatAt = 0;
function pulse() {
  // at most one beat per beat (0.6 s): restarting it every frame repaints for nothing
  if (beating || performance.now() - beatAt < 600) return;
  beatAt = performance.now();
  beating = requestAnimationFrame(() => {
    beating = 0;
    const dot = document.querySelector('#connection .dot');
    const next = dot.classList.contains('beat') ? 'beat2' : 'beat';
    dot.classList.remove('beat', 'beat2');
    dot.classList.add(next);
  });
}

function renderMeta() {
  const pos = store.position ?? '—';
  const code = $('position');
  if (code.title !== pos) {
    code.textContent = pos.length > 24 ? `${pos.slice(0, 10)}…${pos.slice(-10)}` : pos;
    code.title = pos;
  }
  $('updated').textContent = store.updatedAt
    ? `updated ${fmt.clock(store.updatedAt)} (${fmt.relative(store.updatedAt)})`
    : 'waiting for data';
}

function renderLastChange() {
  const c = hooks.lastChange;
  if (!c) return;
  const op = { c: 'insert', u: 'update', d: 'delete' }[c.op] ?? c.op;
  const when = c.commit_time ? fmt.relative(c.commit_time) : '';
  $('last-change').textContent = `last change: ${c.dataset ?? '?'} ${op ?? ''} ${when}`.trim();
}

// ---- notices ------------------------------------------------------------------------------

function showBanner(text) {
  const b = $('banner');
  b.textContent = text;
  b.hidden = false;
}

let toastTimer = null;
function showToast(text, kind = 'info') {
  const t = $('toast');
  t.textContent = text;
  t.dataset.kind = kind;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
}
