// Widget views, one per kind. Each is {el, update(value)}; update accepts any value (including
// undefined for a widget the server did not send) and never throws on odd shapes.
//
// Every view's root element has data-widget="<name>", id="w-<name>", data-kind, and
// data-value with the text it displays (stats) or a short summary (charts, tables, lists).

import { colorFor, entries, renderHBars, renderPie, TimeChart } from './charts.js';
import { busy, el, esc, relTime, rowAttrs } from './dom.js';
import * as fmt from './format.js';

/**
 * Page context the renderers need: the tenant (its column is left out of lists) and, when set,
 * exportUrl(widget) for the CSV link of table and list widgets.
 */
export const context = { tenant: null, exportUrl: null, display: {}, params: {}, range: null, rangeLabel: null };

/**
 * The period a widget's figures cover: on a dashboard with a range, a widget over `${range}` says
 * the chosen range ("last 7 days", a custom span); any other its `period` or window (fmt.periodOf).
 */
export function periodFor(d) {
  if (context.range && context.rangeLabel && String(d.window ?? '').includes('${range}')) return context.rangeLabel(context.range);
  return fmt.periodOf(d, context.params);
}

/** The widget's presentation from the definition: {unit, period, window, units, keys}. */
export function displayOf(name) {
  const d = context.display?.[name];
  return d && typeof d === 'object' ? d : {};
}

/** "calls · last 24 h": the unit word (if any) and the period, for a card's caption. */
export function caption(name, { unit = true } = {}) {
  const d = displayOf(name);
  const u = unit ? fmt.unitLabel(d.unit) : '';
  return [u, periodFor(d)].filter(Boolean).join(' · ');
}

/** The card's "CSV" download link (the export of the same view: dashboard, tenant, params, filter). */
function csvLink(c, name) {
  const href = context.exportUrl ? context.exportUrl(name) : null;
  if (!href) return null;
  const a = el('a', { class: 'csv', href, download: '', title: 'Download these rows as CSV', 'data-export': name, text: 'CSV' });
  c.root.querySelector('.card-head').append(a);
  return a;
}

/**
 * The card's row filter: keeps the rows in which every word occurs (ignoring case) in some cell,
 * over the rows this widget holds (the same rule the CSV export applies with ?q=, so the link
 * downloads what is shown).
 */
function filterBox(c, name, link, onChange) {
  const input = el('input', {
    type: 'search', class: 'filter', placeholder: 'Filter rows', 'aria-label': `Filter the rows of ${fmt.humanize(name)}`,
    'data-filter': name, autocomplete: 'off', spellcheck: 'false',
  });
  const base = link?.getAttribute('href') ?? null;
  input.addEventListener('input', () => {
    const q = input.value.trim();
    if (link && base !== null) link.setAttribute('href', q ? `${base}${base.includes('?') ? '&' : '?'}q=${encodeURIComponent(q)}` : base);
    onChange();
  });
  c.root.querySelector('.card-head').insertBefore(input, c.meta);
  return input;
}

/** Every word of q occurs in some raw value of the row (as the server's export filter). */
export function rowMatches(row, q) {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const text = Object.values(row).map((v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\u0001').toLowerCase();
  return words.every((w) => text.includes(w));
}

/** Rows after the card's filter, and the meta text saying what is shown. */
function filtered(rows, input, period) {
  const q = input ? input.value.trim() : '';
  const shown = q ? rows.filter((r) => rowMatches(r, q)) : rows;
  const count = q ? `${fmt.number(shown.length)} of ${fmt.number(rows.length)} rows` : rows.length ? `${fmt.number(rows.length)} row${rows.length === 1 ? '' : 's'}` : '';
  return { shown, q, meta: [count, period].filter(Boolean).join(' · ') };
}

export function card(name, kind, title, extraClass = '') {
  const root = el('section', {
    class: `card card-${kind} ${extraClass}`.trim(),
    'data-widget': name,
    'data-kind': kind,
    id: `w-${name}`,
    'aria-labelledby': `w-${name}-title`,
  });
  const head = el('header', { class: 'card-head' }, el('h2', { id: `w-${name}-title`, text: title }));
  const meta = el('span', { class: 'card-meta' });
  head.append(meta);
  const body = el('div', { class: 'card-body' });
  root.append(head, body);
  return { root, body, meta };
}

export function statView(name, { title = fmt.humanize(name), format = fmt.byName(name), sub = '', accent = '' } = {}) {
  const c = card(name, 'stat', title, accent ? `accent-${accent}` : '');
  const value = el('div', { class: 'stat-value num', text: fmt.EMPTY });
  const subEl = el('div', { class: 'stat-sub', text: sub });
  c.body.append(value, subEl);
  c.root.dataset.value = fmt.EMPTY;
  return {
    el: c.root,
    sub: subEl,
    update(v) {
      const text = format(v);
      if (value.textContent === text) return;
      value.textContent = text;
      // the font follows the figure's length (app.css), so "$1,234,567.89" fits a narrow card
      value.style.setProperty('--chars', String(Math.max(5, text.length)));
      c.root.dataset.value = text;
      if (busy()) return; // no highlight while changes stream in (dom.busy)
      // alternate two identical animations: restarts the highlight without forcing a layout
      const next = value.classList.contains('bump') ? 'bump2' : 'bump';
      value.classList.remove('bump', 'bump2');
      value.classList.add(next);
    },
  };
}

/** A breakdown as a donut (few groups) or horizontal bars (many), or as forced by `mode`. */
export function breakdownView(name, { title = fmt.humanize(name), mode = 'auto', format = fmt.byName(name), unit = '' } = {}) {
  const c = card(name, 'breakdown', title);
  c.root.dataset.value = '';
  return {
    el: c.root,
    update(v) {
      const items = entries(v);
      const asPie = mode === 'pie' || (mode === 'auto' && items.length <= 6);
      if (asPie) renderPie(c.body, v, { format, unit });
      else renderHBars(c.body, v, { format });
      c.root.dataset.value = items.map(([g, n]) => `${g}: ${format(n)}`).join(', ');
      const total = items.reduce((s, [, n]) => s + n, 0);
      c.meta.textContent = [items.length ? `${format(total)}${unit ? ` ${unit}` : ''} total` : '', periodFor(displayOf(name))].filter(Boolean).join(' · ');
    },
  };
}

/** A series ([{t, v}]) as bars or a stepped line, on uPlot. */
export function seriesView(name, { title = fmt.humanize(name), kind = 'bars', color = '#58a6ff', label = 'value', format = fmt.number, height = 190, unit = '', word = '' } = {}) {
  const c = card(name, 'series', title, 'wide');
  let chart = null;
  c.root.dataset.value = '';
  return {
    el: c.root,
    update(v) {
      chart ??= new TimeChart(c.body, { kind, color, label, format, height, unit });
      const period = periodFor(displayOf(name));
      const points = toPoints(v);
      chart.update(points);
      c.root.dataset.points = String(points.length);
      if (kind === 'line') {
        // a sampled gauge: the latest value, not a sum
        const last = points.length ? format(points[points.length - 1].v) : '';
        c.root.dataset.value = last;
        c.meta.textContent = points.length ? `now ${last} · ${points.length} samples${period !== 'all time' ? ` · ${period}` : ''}` : 'no data';
        return;
      }
      const total = points.reduce((s, p) => s + (fmt.toNumber(p.v) ?? 0), 0);
      c.root.dataset.value = fmt.number(total);
      c.meta.textContent = points.length ? `${format(total)}${word ? ` ${word}` : ''} · ${period}` : 'no data';
    },
  };
}

export function toPoints(v) {
  if (!Array.isArray(v)) return [];
  return v
    .map((p) => ({ t: fmt.parseTime(p && p.t), v: p ? p.v : null }))
    .filter((p) => p.t !== null)
    .sort((a, b) => a.t - b.t);
}

/** A table widget: [{group: g, col: n, ...}] as an HTML table; columns derived if not given. */
export function tableView(name, { title = fmt.humanize(name), columns = null, empty = 'No data in this window' } = {}) {
  const c = card(name, 'table', title, 'wide');
  const link = csvLink(c, name);
  let last;
  const input = filterBox(c, name, link, () => view.update(last));
  const view = {
    el: c.root,
    update(v) {
      last = v;
      const rows = Array.isArray(v) ? v.filter((r) => r && typeof r === 'object') : [];
      const { shown, q, meta } = filtered(rows, input, periodFor(displayOf(name)));
      const cols = columns ?? tableColumns(rows, displayOf(name));
      c.body.innerHTML = renderTable(shown, cols, { empty: q && rows.length ? `No row matches “${q}”` : empty, key: cols[0]?.key, keys: displayOf(name).keys });
      c.root.classList.toggle('wide-table', cols.length >= WIDE_TABLE_COLUMNS);
      c.root.dataset.value = String(rows.length);
      c.root.dataset.count = String(rows.length);
      c.root.dataset.shown = String(shown.length);
      c.meta.textContent = meta;
    },
  };
  return view;
}

/** A list widget: row objects as a compact table, newest/most relevant first as the server sent. */
export function listView(name, { title = fmt.humanize(name), columns = null, keyField = 'id', empty = 'Nothing here yet', metaText = null } = {}) {
  const c = card(name, 'list', title, 'wide');
  const link = csvLink(c, name);
  let last;
  const input = filterBox(c, name, link, () => view.update(last));
  const view = {
    el: c.root,
    update(v) {
      last = v;
      const rows = Array.isArray(v) ? v.filter((r) => r && typeof r === 'object') : [];
      const d = displayOf(name);
      const { shown, q, meta } = filtered(rows, input, d.period ?? '');
      const cols = columns ?? listColumns(rows, d);
      c.body.innerHTML = renderTable(shown, cols, { empty: q && rows.length ? `No row matches “${q}”` : empty, key: keyField, keys: d.keys });
      c.root.dataset.value = String(rows.length);
      c.root.dataset.count = String(rows.length);
      c.root.dataset.shown = String(shown.length);
      c.meta.textContent = metaText && !q ? metaText(rows) : meta;
    },
  };
  return view;
}

function renderTable(rows, cols, { empty, key, keys }) {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  // The key columns (the definition's `keys`, else the first two) are what a narrow screen shows (app.css).
  const keyed = Array.isArray(keys) && keys.length ? cols.map((col) => keys.includes(col.key)) : cols.map((col, i) => i < 2);
  const cls = (col, i) => esc(`${col.cls || ''}${keyed[i] ? ' key' : ''}`.trim());
  const head = cols.map((col, i) => `<th scope="col" class="${cls(col, i)}">${esc(col.label)}</th>`).join('');
  const body = rows.map((row) => {
    const k = key ? row[key] ?? row.id : row.id;
    return `<tr${rowAttrs(k)}>${cols.map((col, i) => `<td class="${cls(col, i)}">${safeCell(col, row)}</td>`).join('')}</tr>`;
  }).join('');
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function safeCell(col, row) {
  try {
    return col.html(row);
  } catch {
    return fmt.EMPTY;
  }
}

/**
 * Columns of a table widget: the group field first, then the computed columns. A looked-up label
 * (`campaign.name` beside `campaign_id`) takes the group column's place: the row shows the name,
 * the id stays in its title attribute (and in data-key, for row highlights).
 */
export function tableColumns(rows, display = {}) {
  const keys = unionKeys(rows);
  const group = keys[0];
  const label = keys.find((k, i) => i > 0 && isLookupField(k));
  const rest = keys.slice(1).filter((k) => k !== label);
  const first = label
    ? { key: group, label: lookupLabel(label), html: (r) => labelCell(r[label], r[group]), cls: 'label' }
    : { key: group, label: groupLabel(group), html: (r) => groupCell(r[group]) };
  // table columns are aggregates (counts, sums, rates), never yes/no flags
  return [first, ...rest.map((k) => column(k, rows, undefined, display.units?.[k], true))];
}

/** "dentist_id" → "Dentist": the group column names what its rows are. */
function groupLabel(k) {
  return fmt.humanize(String(k).replace(/_id$/, ''));
}

/** `campaign.name`, `agent.team.name`: a field through a lookup. */
export function isLookupField(k) {
  return /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/i.test(k);
}

/** "campaign.name" → "Campaign"; "agent.team.name" → "Agent team". */
export function lookupLabel(k) {
  return fmt.humanize(k.split('.').slice(0, -1).join(' '));
}

/** The looked-up name with the id as its title; the id itself when the referenced row is missing. */
export function labelCell(name, id) {
  const title = id === null || id === undefined ? '' : ` title="${esc(id)}"`;
  if (name === null || name === undefined || name === '') {
    return id === null || id === undefined ? '<span class="muted">(none)</span>' : `<span class="mono"${title}>${esc(id)}</span>`;
  }
  return `<span class="strong"${title} data-id="${esc(id ?? '')}">${esc(name)}</span>`;
}

function groupCell(v) {
  return v === null || v === undefined ? '<span class="muted">(none)</span>' : `<span class="strong">${esc(v)}</span>`;
}

const SKIP_FIELD = /(^|_)(url|metadata|payload|raw|json|tenant|tenant_id|password|token|secret)$/i;
const BADGE_FIELD = /(^|_)(status|outcome|state|stage|direction|priority|type|kind|channel|result|source)$/i;
const BOOL_FIELD = /^(is|has|can)_|(^|_)(active|enabled|disabled|opt_?in|opt_?out|opted_\w+|verified|paid|deleted|archived|flag)$/i;
const MAX_LIST_COLUMNS = 8;
/** A lowercase code word (root_canal, customer-ended-call) of an enumeration-like column. */
const CODE_WORD = /^[a-z]+([_-][a-z]+)*$/;
const WIDE_TABLE_COLUMNS = 5;

function yesNo(v) {
  if (v === null || v === undefined) return `<span class="muted">${fmt.EMPTY}</span>`;
  return v === true || v === 1 ? '<span class="yes">yes</span>' : '<span class="muted">no</span>';
}

/** Sensible columns for arbitrary rows: no blobs, no URLs, no constant tenant ids; id last. */
export function listColumns(rows, display = {}) {
  const keys = unionKeys(rows).filter((k) => {
    if (SKIP_FIELD.test(k)) return false;
    const vals = rows.map((r) => r[k]);
    if (vals.every((v) => v === null || v === undefined || v === '')) return false;
    if (vals.some((v) => v !== null && typeof v === 'object')) return false;
    if (context.tenant !== null && vals.every((v) => v === context.tenant)) return false; // the tenant column
    if (rows.length >= 2 && /_id$/.test(k) && vals.every((v) => v === vals[0])) return false;
    return true;
  });
  // a curated list (one that declares its key columns) does not show the raw row id
  const ordered = [...keys.filter((k) => k !== 'id'), ...keys.filter((k) => k === 'id' && !display.keys)];
  // `campaign.name` shows in place of `campaign_id` (the id in its title).
  const labelOf = new Map();
  for (const k of ordered) {
    if (isLookupField(k) && k.split('.').length === 2) {
      const id = `${k.split('.')[0]}_id`;
      if (ordered.includes(id) && !labelOf.has(id)) labelOf.set(id, k);
    }
  }
  // a curated list does not spend its columns on opaque references (lead_3ce1…, vapi_9f2…) that
  // no lookup names: they mean nothing to a person (the CSV keeps them)
  const opaqueRef = (k) => display.keys && /_id$/.test(k) && !labelOf.has(k) && !display.keys.includes(k)
    && rows.every((r) => r[k] === null || r[k] === undefined || r[k] === '' || isOpaque(r[k]));
  const shown = ordered.filter((k) => ![...labelOf.values()].includes(k) && !opaqueRef(k));
  return shown.slice(0, MAX_LIST_COLUMNS).map((k) => (labelOf.has(k)
    ? { key: k, label: lookupLabel(labelOf.get(k)), html: (r) => labelCell(r[labelOf.get(k)], r[k]), cls: 'label' }
    : column(k, rows, undefined, display.units?.[k])));
}

/** A column whose cells are rendered by the field's name and its values' type. */
export function column(k, rows = [], label = fmt.humanize(k === 'id' ? k : String(k).replace(/_id$/, '')), unit = undefined, aggregate = false) {
  const sample = rows.map((r) => r[k]).find((v) => v !== null && v !== undefined);
  if (unit === 'clock' || (fmt.isIsoTime(sample) && !unit)) {
    return { key: k, label, html: (r) => (unit === 'clock' ? clockTime(r[k]) : relTime(r[k])), cls: 'time' };
  }
  if (unit) {
    const f = fmt.byUnit(unit);
    const u = fmt.unitLabel(unit);
    // "duration_minutes" in min is "Duration (min)"; "units_sold" in units is just "Units sold"
    const base = label.replace(/ (minutes|seconds|secs|mins|hours)$/i, '');
    const head = u && !base.toLowerCase().includes(u.toLowerCase()) ? `${base} (${u})` : base;
    // a row that carries its own currency says it when it is not the page's
    const html = unit === 'currency' ? (r) => esc(fmt.amount(r[k], typeof r.currency === 'string' ? r.currency : '')) : (r) => esc(f(r[k]));
    return { key: k, label: head, html, cls: 'num' };
  }
  if (!aggregate && typeof sample === 'number' && BOOL_FIELD.test(k) && rows.every((r) => r[k] === null || r[k] === undefined || r[k] === 0 || r[k] === 1)) {
    return { key: k, label, html: (r) => yesNo(r[k]) };
  }
  if (typeof sample === 'boolean') return { key: k, label, html: (r) => yesNo(r[k]) };
  if (typeof sample === 'number') {
    const f = fmt.byName(k);
    return { key: k, label, html: (r) => esc(f(r[k])), cls: 'num' };
  }
  if (BADGE_FIELD.test(k)) return { key: k, label, html: (r) => badge(r[k]) };
  if (/phone|number$/i.test(k)) return { key: k, label, html: (r) => `<span class="mono">${esc(fmt.cell(r[k]))}</span>` };
  if (k === 'id' || /_id$/.test(k)) return { key: k, label, html: (r) => shortId(r[k]), cls: 'id' };
  // a column of code words (root_canal, quote_visit, accessories) reads as the breakdowns do: "Root canal"
  const values = rows.map((r) => r[k]).filter((v) => v !== null && v !== undefined && v !== '');
  if (values.length && values.every((v) => typeof v === 'string' && CODE_WORD.test(v))) {
    return { key: k, label, html: (r) => (r[k] === null || r[k] === undefined || r[k] === '' ? `<span class="muted">${fmt.EMPTY}</span>` : esc(fmt.humanize(r[k]))) };
  }
  return { key: k, label, html: (r) => `<span class="clip" title="${esc(fmt.cell(r[k]))}">${esc(fmt.cell(r[k]))}</span>` };
}

/** A clock time with its date when not today ("Wed Dec 3, 14:30"); the full time as the tooltip. */
function clockTime(v) {
  if (fmt.parseTime(v) === null) return `<span class="muted">${fmt.EMPTY}</span>`;
  return `<time datetime="${esc(v)}" title="${esc(fmt.absolute(v))}">${esc(fmt.when(v))}</time>`;
}

export function badge(v) {
  if (v === null || v === undefined || v === '') return `<span class="muted">${fmt.EMPTY}</span>`;
  return `<span class="badge" style="--c:${colorFor(v)}">${esc(fmt.humanize(v))}</span>`;
}

/** A machine id (a UUID, a hash, a long token), not a readable one like agent-sales-ava or tech-ana. */
export function isOpaque(v) {
  const s = String(v);
  return s.length > 24 || /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(s) || /[0-9a-f]{12,}/i.test(s);
}

/** Opaque ids (UUIDs, hashes) shortened to 8 characters; readable ids like agent-sales-ava kept. */
export function shortId(v) {
  if (v === null || v === undefined || v === '') return `<span class="muted">${fmt.EMPTY}</span>`;
  const s = String(v);
  const shown = isOpaque(s) && s.length > 12 ? `${s.slice(0, 8)}…` : s;
  return `<span class="mono" title="${esc(s)}">${esc(shown)}</span>`;
}

function unionKeys(rows) {
  const keys = [];
  const seen = new Set();
  for (const r of rows.slice(0, 25)) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) { seen.add(k); keys.push(k); }
    }
  }
  return keys;
}

/** A view for any widget kind, used by the generic layout and for unplaced widgets. */
export function viewFor(name, kind) {
  const d = displayOf(name);
  const format = fmt.byUnit(d.unit, fmt.byName(name));
  const unit = fmt.unitLabel(d.unit);
  // a unit the formatted value already shows ($, %, /s, min) is not repeated as a word
  const word = EMBEDDED_UNITS.includes(d.unit) ? '' : unit;
  const title = typeof d.title === 'string' && d.title ? d.title : fmt.humanize(name);
  switch (kind) {
    case 'stat': return statView(name, { title, format, sub: caption(name, { unit: !EMBEDDED_UNITS.includes(d.unit) }) });
    case 'breakdown': return breakdownView(name, { title, format, unit: word });
    case 'series': return seriesView(name, { title, label: unit || fmt.humanize(name).toLowerCase(), format, unit, word });
    case 'sample': return seriesView(name, { title, kind: 'line', color: '#3fb950', label: unit || fmt.humanize(name).toLowerCase(), format, unit, word });
    case 'table': return tableView(name, { title });
    case 'list': return listView(name, { title });
    default: return unknownView(name, kind);
  }
}

const EMBEDDED_UNITS = ['%', '/s', 'currency', 'min', 'h', 'd', 'ms', 'clock'];

function unknownView(name, kind) {
  const c = card(name, 'unknown', fmt.humanize(name), 'wide');
  return {
    el: c.root,
    update(v) {
      const text = v === undefined ? fmt.EMPTY : fmt.cell(v);
      c.body.innerHTML = `<pre class="raw">${esc(text.slice(0, 2000))}</pre>`;
      c.root.dataset.value = text.slice(0, 200);
      c.meta.textContent = kind ? String(kind) : '';
    },
  };
}
