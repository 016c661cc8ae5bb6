// The dedicated layout for the `calls` dashboard (seed 002, the call-center dashboard): metric
// cards, outcome donut, calls per hour, an active-calls trend kept client-side, the active calls
// with durations ticking every second, agent performance, calls per team and recent calls. Agents
// are shown by name (the `agent.name` lookup), their id in the cell's title.

import { TimeChart } from './charts.js';
import { el, esc, liveDuration, relTime } from './dom.js';
import * as fmt from './format.js';
import { isCompanion } from './range.js';
import { badge, breakdownView, card, labelCell, listView, seriesView, shortId, statView, tableView, viewFor } from './widgets.js';

const HISTORY_POINTS = 20;

const direction = (v) => {
  if (v === 'inbound') return '<span class="dir in" title="Inbound">↙ In</span>';
  if (v === 'outbound') return '<span class="dir out" title="Outbound">↗ Out</span>';
  return badge(v);
};
/** The agent's name through the lookup, the id as its title; the id itself when the agent is unknown. */
const agent = (r) => {
  const id = r.agent_config_id;
  if (id === null || id === undefined || id === '') return '<span class="muted">unassigned</span>';
  const name = r['agent.name'];
  return name === null || name === undefined || name === '' ? shortId(id) : labelCell(name, id);
};
const phone = (v) => `<span class="mono">${esc(fmt.cell(v))}</span>`;

const ACTIVE_COLUMNS = [
  { label: 'Phone', html: (r) => phone(r.phone_number) },
  { label: 'Dir.', html: (r) => direction(r.direction) },
  { label: 'Agent', html: (r) => agent(r), cls: 'label' },
  { label: 'Started', html: (r) => relTime(r.started_at), cls: 'time' },
  { label: 'Duration (m:ss)', html: (r) => liveDuration(r.started_at), cls: 'num live' },
];

const RECENT_COLUMNS = [
  { label: 'Started', html: (r) => relTime(r.started_at), cls: 'time' },
  { label: 'Phone', html: (r) => phone(r.phone_number) },
  { label: 'Dir.', html: (r) => direction(r.direction) },
  { label: 'Agent', html: (r) => agent(r), cls: 'label' },
  { label: 'Status', html: (r) => badge(r.status) },
  { label: 'Outcome', html: (r) => badge(r.outcome) },
  {
    label: 'Duration (m:ss)',
    cls: 'num',
    html: (r) => (r.status === 'active' && r.duration == null ? liveDuration(r.started_at) : esc(fmt.duration(r.duration))),
  },
];

const rateBar = (v) => {
  const n = fmt.toNumber(v);
  if (n === null) return `<span class="muted">${fmt.EMPTY}</span>`;
  const w = Math.max(0, Math.min(100, n)).toFixed(1);
  return `<span class="rate"><span class="rate-track"><span class="rate-fill" style="width:${w}%"></span></span><span class="num">${esc(fmt.percent(n))}</span></span>`;
};

const AGENT_COLUMNS = [
  { label: 'Agent', html: (r) => agent(r), cls: 'label' },
  { label: 'Total', html: (r) => esc(fmt.number(r.total_calls)), cls: 'num' },
  { label: 'Completed', html: (r) => esc(fmt.number(r.completed_calls)), cls: 'num' },
  { label: 'Avg duration (m:ss)', html: (r) => esc(fmt.duration(r.average_duration)), cls: 'num' },
  { label: 'Success rate (%)', html: (r) => rateBar(r.success_rate), cls: 'rate-col' },
];

export const PLACED = new Set([
  'total_calls', 'active_calls', 'completed_calls', 'average_duration', 'success_rate',
  'outcome_counts', 'calls_per_hour', 'active_calls_list', 'recent_calls', 'agents', 'calls_by_team',
]);

/** Builds the layout into `main`; returns {update(store, changed), tick(store), history}. */
export function callsLayout(main, { widgets = {}, period = 'last 24 h' } = {}) {
  const window_ = period;
  const views = {
    total_calls: statView('total_calls', { title: 'Total calls', format: fmt.number, sub: `calls · ${window_}` }),
    active_calls: statView('active_calls', { title: 'Active calls', format: fmt.number, sub: 'calls · now', accent: 'live' }),
    completed_calls: statView('completed_calls', { title: 'Completed', format: fmt.number, sub: `calls · outcome completed, ${window_}` }),
    average_duration: statView('average_duration', { title: 'Avg duration', format: fmt.duration, sub: `m:ss · ended calls, ${window_}` }),
    success_rate: statView('success_rate', { title: 'Success rate', format: fmt.percent, sub: `completed of all calls, ${window_}` }),
    outcome_counts: breakdownView('outcome_counts', { title: 'Outcomes', mode: 'pie', format: fmt.number, unit: 'ended calls' }),
    calls_per_hour: seriesView('calls_per_hour', { title: 'Calls per hour', kind: 'bars', color: '#58a6ff', label: 'calls', height: 200, unit: 'calls', word: 'calls' }),
    active_calls_list: listView('active_calls_list', {
      title: 'Active calls', columns: ACTIVE_COLUMNS, empty: 'No calls in progress',
      metaText: (rows) => `${fmt.number(rows.length)} live`,
    }),
    recent_calls: listView('recent_calls', { title: 'Recent calls', columns: RECENT_COLUMNS, empty: 'No calls yet' }),
    agents: tableView('agents', { title: 'Agents', columns: AGENT_COLUMNS, empty: 'No agent activity in this window' }),
    calls_by_team: breakdownView('calls_by_team', { title: 'Calls by team', mode: 'pie', format: fmt.number, unit: 'calls' }),
  };

  const trend = card('active_calls_history', 'trend', 'Active calls, last 20 updates');
  trend.root.removeAttribute('data-widget');
  trend.root.dataset.chart = 'active_calls_history';
  let trendChart = null;
  const history = [];

  const row = (cls, ...nodes) => el('div', { class: `row ${cls}` }, ...nodes);
  const span = (n, view) => { view.classList.add(`span-${n}`); return view; };
  main.replaceChildren(
    row('stats', ...['total_calls', 'active_calls', 'completed_calls', 'average_duration', 'success_rate'].map((n) => views[n].el)),
    row('grid', span(4, views.outcome_counts.el), span(8, views.calls_per_hour.el)),
    row('grid', span(4, trend.root), span(8, views.active_calls_list.el)),
    row('grid', span(8, views.agents.el), span(4, views.calls_by_team.el)),
    row('grid', span(12, views.recent_calls.el)),
  );

  // Widgets this layout does not place (a customised calls.yaml) still show, generically.
  const extra = {};
  const extraRow = row('grid extra');
  main.append(extraRow);
  const ensureExtra = (name, value) => {
    if (!extra[name]) {
      extra[name] = viewFor(name, widgets[name] || inferKind(value));
      extra[name].el.classList.add('span-6');
      extraRow.append(extra[name].el);
    }
    return extra[name];
  };
  for (const name of Object.keys(widgets)) if (!PLACED.has(name)) ensureExtra(name);

  function sample(v, force) {
    const n = fmt.toNumber(v);
    const now = Date.now();
    const last = history[history.length - 1];
    if (!force && last && now - last.t < 1000) return;
    history.push({ t: now, v: n });
    while (history.length > HISTORY_POINTS) history.shift();
    trendChart ??= new TimeChart(trend.body, { kind: 'line', color: '#3fb950', label: 'active', height: 200, fill: true });
    trendChart.update(history);
    trend.root.dataset.points = String(history.length);
    trend.meta.textContent = n === null ? '' : `now ${fmt.number(n)}`;
  }

  return {
    history,
    update(store, changed) {
      for (const name of Object.keys(views)) {
        if (changed === null || changed.includes(name)) safely(name, () => views[name].update(store.get(name)));
      }
      for (const name of changed ?? Object.keys(store.values)) {
        if (!PLACED.has(name) && !isCompanion(name)) safely(name, () => ensureExtra(name, store.get(name)).update(store.get(name)));
      }
      if (changed === null || changed.includes('active_calls')) sample(store.get('active_calls'), true);
      const active = fmt.toNumber(store.get('active_calls'));
      views.active_calls.el.classList.toggle('has-active', active !== null && active > 0);
    },
    /** Once a second: keep the trend moving when nothing changes. */
    tick(store) {
      if ('active_calls' in store.values) sample(store.get('active_calls'), false);
    },
  };
}

/** Runs one widget's update; a failure is logged and the other widgets still update. */
export function safely(name, fn) {
  try {
    fn();
  } catch (err) {
    console.error(`switchboard: widget ${name} failed to render`, err);
  }
}

export function inferKind(v) {
  if (v === null || typeof v === 'number') return 'stat';
  if (Array.isArray(v)) {
    const first = v.find((x) => x !== null && x !== undefined);
    return first && typeof first === 'object' && 't' in first && 'v' in first ? 'series' : 'list';
  }
  if (v && typeof v === 'object') return 'breakdown';
  return 'unknown';
}
