// The client-side copy of one dashboard's widget values.
//
// A snapshot (SSE `snapshot`, or a REST response) replaces every value; a delta merges the
// widgets it carries (each a full value). The `values` object is never swapped for another, so
// `window.__switchboard.state` stays a live reference for tests and for the console.

export class Store {
  constructor() {
    this.values = {};
    this.position = null;
    this.updatedAt = null;
    this.listeners = new Set();
  }

  /** Replaces all widget values. */
  replace(widgets, position) {
    for (const k of Object.keys(this.values)) delete this.values[k];
    const incoming = isObject(widgets) ? widgets : {};
    Object.assign(this.values, incoming);
    this.#stamp(position);
    this.#emit(Object.keys(incoming), true);
  }

  /** Merges changed widgets into the current values. */
  merge(widgets, position) {
    const incoming = isObject(widgets) ? widgets : {};
    Object.assign(this.values, incoming);
    this.#stamp(position);
    this.#emit(Object.keys(incoming), false);
  }

  get(name) {
    return this.values[name];
  }

  /** listener(changedNames, replaced) after every replace or merge. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  #stamp(position) {
    if (position !== undefined && position !== null) this.position = String(position);
    this.updatedAt = Date.now();
  }

  #emit(changed, replaced) {
    for (const l of this.listeners) {
      try {
        l(changed, replaced);
      } catch (err) {
        // One broken widget must not stop the others from updating.
        console.error('switchboard: widget render failed', err);
      }
    }
  }
}

export function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
