// The range control of a dashboard whose definition declares a `range` (GET /api/dashboards:
// `range: {default, presets, longest_hours}`), the period labels, and the comparison of each
// stat with its previous period (the server sends it as widgets["<stat>.previous"]).
//
// A range is what the server's `?range=` takes: a preset (24h, 7d, today, this_week, ...), a
// number of hours (36h), or a custom range `<from>..<to>` of ISO-8601 instants.

import { el } from './dom.js';
import * as fmt from './format.js';

const SEP = '..';
export const PREVIOUS = '.previous';

/** Whether a widget name is a stat's previous-period companion rather than a widget of its own. */
export function isCompanion(name) {
  return typeof name === 'string' && name.endsWith(PREVIOUS);
}

/** The range the page was opened with: ?range=, ?from=&to=, or the seed's ?hours=; else the default. */
export function rangeFromUrl(def, params) {
  if (!def?.range) return null;
  if (params.get('range')) return params.get('range');
  if (params.get('from') && params.get('to')) return `${params.get('from')}${SEP}${params.get('to')}`;
  const h = Number(params.get('hours'));
  if (Number.isInteger(h) && h > 0) return `${h}h`;
  return def.range.default;
}

const UNIT = { m: 'min', h: 'h', d: 'days', w: 'weeks', s: 's' };
const PREVIOUS_CALENDAR = { today: 'yesterday', this_week: 'last week', this_month: 'last month' };

/** The caption of a range or window spec (one rule for the page: fmt.periodLabel). */
export const periodLabel = fmt.periodLabel;

/** "previous 24 h", "yesterday", "the 7 days before" for a range or window spec. */
export function previousLabel(spec) {
  if (PREVIOUS_CALENDAR[spec]) return PREVIOUS_CALENDAR[spec];
  const m = /^(\d+)([smhdw])$/.exec(spec ?? '');
  if (m) return `previous ${m[1]} ${UNIT[m[2]]}`;
  if (spec?.includes(SEP)) {
    const [a, b] = spec.split(SEP).map(Date.parse);
    const hours = (b - a) / 3_600_000;
    return `the ${hours % 24 === 0 ? `${hours / 24} days` : `${Math.round(hours * 10) / 10} h`} before`;
  }
  return 'previous period';
}

/** `{text, direction}` of a value against its previous period: "▲ 12% vs previous 24 h". */
export function comparison(value, previous, spec) {
  const v = fmt.toNumber(value);
  const p = fmt.toNumber(previous);
  const vs = `vs ${previousLabel(spec)}`;
  if (v === null || p === null) return { text: `${fmt.EMPTY} ${vs}`, direction: 'none' };
  if (v === p) return { text: `= same as ${previousLabel(spec)}`, direction: 'flat' };
  const up = v > p;
  const change = p === 0 ? 'new' : `${fmt.number(Math.abs((v - p) / p) * 100)}%`;
  return { text: `${up ? '▲' : '▼'} ${change} ${vs} (${fmt.number(p)})`, direction: up ? 'up' : 'down' };
}

/**
 * Shows each compared stat's change beside its value: a `.stat-compare` line in the stat's card
 * (`[data-widget=<stat>]`), with data-direction and data-previous for tests and styles.
 */
export function renderComparisons(root, store, compare, range) {
  for (const [stat, window_] of Object.entries(compare ?? {})) {
    const card = root.querySelector(`[data-widget="${CSS.escape(stat)}"]`);
    if (!card) continue;
    const spec = window_.includes('${range}') ? window_.replace('${range}', range ?? '') : window_;
    const body = card.querySelector('.card-body') ?? card;
    let line = body.querySelector('.stat-compare');
    if (!line) {
      line = el('div', { class: 'stat-compare' });
      body.append(line);
    }
    const previous = store.get(`${stat}${PREVIOUS}`);
    const { text, direction } = comparison(store.get(stat), previous, spec);
    if (line.textContent !== text) line.textContent = text;
    line.dataset.direction = direction;
    line.dataset.previous = previous === undefined || previous === null ? '' : String(previous);
    card.dataset.period = periodLabel(spec);
  }
}

/**
 * Marks the cards of widgets over the range with the chosen period (`data-period`). The captions
 * say it (widgets.js `periodFor`: the chosen range wins over a widget's own period for `${range}`).
 */
export function renderPeriods(root, windows, range) {
  for (const [name, window_] of Object.entries(windows ?? {})) {
    if (!window_.includes('${range}')) continue;
    const card = root.querySelector(`[data-widget="${CSS.escape(name)}"]`);
    const label = periodLabel(range);
    if (card && card.dataset.period !== label) card.dataset.period = label;
  }
}

/** `<input type=datetime-local>` value (UTC) of an ISO instant, and back. */
function toLocalInput(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 16);
}
function fromLocalInput(v) {
  return v ? `${v}:00Z` : '';
}

/**
 * The control: a select of the presets and "Custom…", which shows from/to inputs (UTC) and an
 * Apply button. `onChange(range)` is called with the new range; returns {el, set(range)}.
 */
export function rangeControl(def, current, onChange) {
  const presets = def.range.presets ?? [];
  const select = el('select', { id: 'range-picker', name: 'range', 'aria-label': 'Time range' });
  const options = () => {
    const opts = presets.map((p) => new Option(periodLabel(p), p));
    const isCustom = !presets.includes(current);
    if (isCustom && !current.includes(SEP)) opts.push(new Option(periodLabel(current), current));
    opts.push(new Option(current.includes(SEP) ? `Custom: ${periodLabel(current)}` : 'Custom…', 'custom'));
    select.replaceChildren(...opts);
    select.value = current.includes(SEP) ? 'custom' : current;
  };
  const from = el('input', { type: 'datetime-local', id: 'range-from', 'aria-label': 'From (UTC)' });
  const to = el('input', { type: 'datetime-local', id: 'range-to', 'aria-label': 'To (UTC)' });
  const apply = el('button', { type: 'button', id: 'range-apply', class: 'go', text: 'Apply' });
  const error = el('span', { class: 'range-error warn', role: 'alert' });
  const custom = el('span', { class: 'range-custom' }, from, el('span', { text: '–' }), to, el('span', { class: 'muted', text: 'UTC' }), apply, error);
  const showCustom = (show) => { custom.hidden = !show; };
  const root = el('span', { class: 'picker range-control', id: 'range-control' }, el('span', { text: 'Range' }), select, custom);

  select.addEventListener('change', () => {
    if (select.value === 'custom') {
      const end = current.includes(SEP) ? current.split(SEP)[1] : new Date().toISOString();
      const start = current.includes(SEP) ? current.split(SEP)[0] : new Date(Date.now() - 86_400_000).toISOString();
      from.value ||= toLocalInput(start);
      to.value ||= toLocalInput(end);
      showCustom(true);
      return;
    }
    showCustom(false);
    set(select.value);
    onChange(select.value);
  });
  apply.addEventListener('click', () => {
    const a = fromLocalInput(from.value);
    const b = fromLocalInput(to.value);
    if (!a || !b || !(Date.parse(a) < Date.parse(b))) {
      error.textContent = 'Choose a start before the end.';
      return;
    }
    const longest = (def.range.longest_hours ?? Infinity) * 3_600_000;
    if (Date.parse(b) - Date.parse(a) > longest) {
      error.textContent = `At most ${def.range.longest_hours % 24 === 0 ? `${def.range.longest_hours / 24} days` : `${def.range.longest_hours} h`}.`;
      return;
    }
    error.textContent = '';
    const r = `${new Date(a).toISOString().replace('.000Z', 'Z')}${SEP}${new Date(b).toISOString().replace('.000Z', 'Z')}`;
    set(r);
    onChange(r);
  });

  function set(range) {
    current = range;
    options();
    showCustom(range.includes(SEP));
    if (range.includes(SEP)) {
      const [a, b] = range.split(SEP);
      from.value = toLocalInput(a);
      to.value = toLocalInput(b);
    }
  }
  set(current);
  return { el: root, set };
}
