// The overview page (`/`): every tenant and dashboard this viewer may see (GET /api/overview:
// open access lists the demo tenants, a token the tenants it names), each dashboard with its
// headline figure (the definition's `headline:` stat), kept live over one stream per tenant.
//
// Test hooks: [data-overview-tenant="<t>"] per tenant; in it, a[data-dashboard="<d>"] linking to
// the dashboard, whose .ov-value has data-value (the displayed figure) once it arrived.

import { connect } from '/switchboard.js';
import { accessToken, getJson, listDashboards } from './api.js';
import { el } from './dom.js';
import * as fmt from './format.js';

export async function overview(main, { hooks, setConnection, showBanner, renderHeader }) {
  renderHeader('All dashboards', 'Every tenant you may see, its headline figures live.');
  document.body.dataset.page = 'overview';
  let listing;
  let catalog;
  try {
    [listing, catalog] = await Promise.all([getJson('/api/overview'), listDashboards()]);
  } catch (err) {
    main.innerHTML = '';
    main.append(el('p', { class: 'empty', text: err.status === 401
      ? 'Open this page with ?access_token=<token> to see your dashboards.'
      : `Could not load the dashboards: ${err.message}` }));
    setConnection('idle');
    return;
  }
  const byName = new Map(catalog.map((d) => [d.name, d]));
  const tenants = Array.isArray(listing?.tenants) ? listing.tenants : [];
  hooks.overview = { tenants: tenants.map((t) => t.tenant), values: {} };
  main.replaceChildren();
  main.classList.add('overview');
  if (!tenants.length) {
    main.append(el('p', { class: 'empty', text: listing?.all_tenants
      ? 'This token may open any tenant: add ?dashboard=<name>&tenant=<tenant> to the address.'
      : 'No tenant to show.' }));
    setConnection('idle');
    return;
  }
  let live = 0;
  for (const t of tenants) {
    const section = el('section', { class: 'card tenant', 'data-overview-tenant': t.tenant },
      el('h2', { text: t.tenant }));
    const list = el('ul');
    const cells = {};
    for (const d of t.dashboards ?? []) {
      const def = byName.get(d.name) ?? {};
      const q = new URLSearchParams({ dashboard: d.name, tenant: t.tenant });
      const value = el('span', { class: 'ov-value num', text: d.headline ? fmt.EMPTY : '' });
      const sub = d.headline ? el('span', { class: 'ov-sub', text: headlineCaption(d, def) }) : null;
      const a = el('a', { href: `/?${q}`, 'data-dashboard': d.name },
        el('span', { class: 'ov-title', text: d.title || fmt.humanize(d.name) },
          // a dashboard of lists only has no headline figure: its description says what it holds
          el('span', { class: 'ov-sub', text: d.headline ? fmt.humanize(d.headline) : (def.description ?? '') })),
        el('span', { class: 'ov-fig' }, value, sub));
      list.append(el('li', {}, a));
      if (d.headline) cells[d.name] = { value, format: formatOf(d, def), headline: d.headline };
    }
    section.append(list);
    main.append(section);
    const watched = Object.keys(cells);
    if (!watched.length) continue;
    const conn = connect({ tenant: t.tenant, dashboards: watched, datasets: [], token: accessToken() || undefined });
    const apply = (msg) => {
      const cell = cells[msg?.dashboard];
      if (!cell || !msg.widgets || !(cell.headline in msg.widgets)) return;
      const text = cell.format(msg.widgets[cell.headline]);
      cell.value.textContent = text;
      cell.value.dataset.value = text;
      hooks.overview.values[`${t.tenant}/${msg.dashboard}`] = text;
    };
    conn.on('snapshot', apply);
    conn.on('delta', apply);
    conn.on('state', (state) => {
      section.dataset.connection = state;
      live = main.querySelectorAll('[data-overview-tenant][data-connection="live"]').length;
      setConnection(live ? 'live' : state, {});
    });
    conn.on('error', (err) => showBanner(`${t.tenant}: ${err.error ?? err.message ?? err}`));
  }
}

/** The headline's formatter: its declared unit, in the dashboard's currency. */
function formatOf(d, def) {
  const unit = d.display?.unit;
  if (unit === 'currency' && def.currency) {
    try {
      const f = new Intl.NumberFormat('en', { style: 'currency', currency: def.currency });
      return (v) => (fmt.toNumber(v) === null ? fmt.EMPTY : f.format(fmt.toNumber(v)));
    } catch { /* an unknown code: plain amounts */ }
  }
  return fmt.byUnit(unit, fmt.byName(d.headline));
}

/** "calls · last 24 h" (the default of a ${hours} parameter). */
function headlineCaption(d, def) {
  const params = {};
  for (const [k, p] of Object.entries(def.params ?? {})) params[k] = p.default;
  if (def.range?.default) params.range = def.range.default; // the overview shows the default range
  const unit = d.display?.unit;
  const word = ['%', '/s', 'currency', 'min', 's', 'h', 'd', 'ms', 'clock'].includes(unit) ? '' : fmt.unitLabel(unit);
  return [word, fmt.periodOf(d.display ?? {}, params)].filter(Boolean).join(' · ');
}
