// Alerts: a banner listing the alerts firing on this dashboard (GET /api/alerts/{tenant} on load,
// then the stream's `alert` events), a short toast when one fires or resolves, and the alerting
// stat card marked (data-alert="firing").
//
// Test hooks: #alerts[data-count], each listed alert is [data-alert-id]; window.__switchboard.alerts
// is the firing list.

import { getJson } from './api.js';
import { el } from './dom.js';
import * as fmt from './format.js';

export class AlertBanner {
  constructor(root, { tenant, dashboard, toast, hooks }) {
    this.root = root;
    this.tenant = tenant;
    this.dashboard = dashboard;
    this.toast = toast;
    this.hooks = hooks;
    this.firing = new Map();
    this.seen = new Map(); // id → `at` of the latest transition applied, so a stale listing never undoes an event
    hooks.alerts = [];
    this.render();
  }

  /** Loads the alerts firing now; events that arrived meanwhile win. */
  async load() {
    try {
      const body = await getJson(`/api/alerts/${encodeURIComponent(this.tenant)}`);
      for (const a of Array.isArray(body?.firing) ? body.firing : []) {
        if (this.#mine(a) && !this.seen.has(a.id)) this.firing.set(a.id, a);
      }
      this.render();
    } catch (err) {
      console.warn('switchboard: could not load alerts', err);
    }
  }

  /** An `alert` event: {id, state: firing|resolved, widget, value, above|below, severity, message, since}. */
  apply(a) {
    if (!a || typeof a !== 'object' || !a.id || !this.#mine(a)) return;
    this.seen.set(a.id, a.at ?? Date.now());
    const name = a.message || `${fmt.humanize(a.widget)} ${condition(a)}`;
    if (a.state === 'firing') {
      this.firing.set(a.id, a);
      this.toast(`Alert: ${name}`, a.severity || 'warning');
    } else if (a.state === 'resolved') {
      this.firing.delete(a.id);
      this.toast(`Resolved: ${name}`, 'resolved');
    }
    this.render();
  }

  #mine(a) {
    return !a.dashboard || a.dashboard === this.dashboard;
  }

  render() {
    const list = [...this.firing.values()].sort((x, y) => rank(y.severity) - rank(x.severity) || String(x.widget).localeCompare(String(y.widget)));
    this.hooks.alerts = list;
    this.root.dataset.count = String(list.length);
    this.root.hidden = list.length === 0;
    this.root.replaceChildren(
      el('strong', { class: 'alerts-title', text: list.length === 1 ? '1 alert firing' : `${list.length} alerts firing` }),
      el('ul', {}, ...list.map((a) => el('li', { class: `sev-${a.severity || 'warning'}`, 'data-alert-id': a.id, 'data-widget-ref': a.widget },
        el('span', { class: 'sev', text: a.severity || 'warning' }),
        el('span', { class: 'msg', text: a.message || fmt.humanize(a.widget) }),
        el('span', { class: 'muted', text: ` ${fmt.humanize(a.widget)} ${fmt.number(a.value)} ${condition(a)}` }),
        a.since ? el('span', { class: 'muted', title: fmt.absolute(a.since), text: ` · since ${fmt.clock(a.since)}` }) : null))),
    );
    for (const card of document.querySelectorAll('[data-widget][data-alert]')) {
      if (!list.some((a) => a.widget === card.dataset.widget)) delete card.dataset.alert;
    }
    for (const a of list) {
      const card = document.querySelector(`[data-widget="${CSS.escape(String(a.widget))}"]`);
      if (card) card.dataset.alert = 'firing';
    }
  }
}

function condition(a) {
  if (a.above !== undefined && a.above !== null) return `(above ${fmt.number(a.above)})`;
  if (a.below !== undefined && a.below !== null) return `(below ${fmt.number(a.below)})`;
  return '';
}

function rank(severity) {
  return { critical: 3, warning: 2, info: 1 }[severity] ?? 2;
}
