// The layout for any dashboard without a dedicated one: stat cards on top, then charts, tables
// and lists, each rendered by its kind. Kinds come from the catalog (/api/dashboards); a widget
// the catalog did not list gets its kind inferred from its value.

import { el } from './dom.js';
import { inferKind, safely } from './layout-calls.js';
import { isCompanion } from './range.js';
import { viewFor } from './widgets.js';

// Cards wrap in a flex row and grow to fill it, so no combination of kinds leaves a hole.
const BASIS = { breakdown: 'b-sm', series: 'b-lg', sample: 'b-md', table: 'b-md', list: 'b-full', unknown: 'b-md' };

export function genericLayout(main, { widgets = {} } = {}) {
  const stats = el('div', { class: 'row stats' });
  const grid = el('div', { class: 'row flow' });
  main.replaceChildren(stats, grid);
  const views = {};

  const ensure = (name, value) => {
    if (views[name]) return views[name];
    const kind = widgets[name] || inferKind(value);
    const view = viewFor(name, kind);
    if (kind === 'stat') {
      stats.append(view.el);
    } else {
      view.el.classList.add(BASIS[kind] ?? 'b-md');
      grid.append(view.el);
    }
    views[name] = view;
    return view;
  };
  // Catalog order first, so the page does not reflow when the first snapshot arrives.
  for (const name of Object.keys(widgets)) ensure(name, undefined);
  stats.hidden = !stats.children.length;

  return {
    update(store, changed) {
      for (const name of changed ?? Object.keys({ ...views, ...store.values })) {
        if (isCompanion(name)) continue; // a stat's previous period: shown in the stat's card
        safely(name, () => ensure(name, store.get(name)).update(store.get(name)));
      }
      stats.hidden = !stats.children.length;
    },
    tick() {},
  };
}
