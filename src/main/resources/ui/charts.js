// Charts: a donut (inline SVG), horizontal bars (HTML), and time charts (uPlot, from the WebJar
// the server serves at /webjars/uplot/...). Renderers take whatever value arrives and show an
// empty state for null, {} or [].

import { esc } from './dom.js';
import * as fmt from './format.js';

// Colours that keep their meaning across packs (green good, amber waiting, red bad, ...), each
// meaning with a few shades so one chart can show several "good" groups apart; any other group
// gets a stable palette colour derived from its name, so colours do not shuffle on reorder.
const SEMANTIC = [
  [/^(completed|complete|answered|success(ful)?|confirmed|booked|paid|delivered|resolved|converted|won|done|closed|active|live|open)$/i, ['#3fb950', '#7ee787', '#1a7f37', '#aff5b4']],
  [/^(no[_ -]?answer|pending|waiting|queued|rescheduled|scheduled|new|ringing|in[_ -]?progress|processing)$/i, ['#d29922', '#f2cc60', '#9e6a03', '#f8e3a1']],
  [/^(failed|failure|error|cancel+ed|rejected|no[_ -]?show|lost|dropped|abandoned|opt[_ -]?out|refunded)$/i, ['#f85149', '#ffa198', '#b62324', '#ffd8d3']],
  [/^(busy|hung[_ -]?up|declined)$/i, ['#db6d28', '#ffa657']],
  [/^(voicemail|machine|inbound)$/i, ['#58a6ff', '#a5d6ff']],
  [/^(transferred|escalated|outbound)$/i, ['#bc8cff', '#d2a8ff']],
  [/^(\(none\)|none|unknown|ended)$/i, ['#8b98a9', '#6e7b8a']],
];
const PALETTE = ['#58a6ff', '#3fb950', '#d29922', '#bc8cff', '#f778ba', '#39c5cf', '#db6d28', '#a5d6ff', '#7ee787', '#f2cc60'];

function semantic(g) {
  for (const entry of SEMANTIC) if (entry[0].test(g)) return entry[1];
  return null;
}

/** The colour of one group on its own (badges). */
export function colorFor(group) {
  const g = String(group ?? '(none)');
  const shades = semantic(g);
  if (shades) return shades[0];
  let h = 0;
  for (let i = 0; i < g.length; i++) h = (h * 31 + g.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** Distinct colours for the groups of one chart, keeping each group's meaning where it has one. */
export function colorsFor(groups) {
  const used = new Set();
  const out = new Map();
  const sorted = [...groups].sort();
  for (const g of sorted) {
    const shades = semantic(String(g));
    const pick = shades?.find((c) => !used.has(c));
    if (pick) { used.add(pick); out.set(g, pick); }
  }
  for (const g of sorted) {
    if (out.has(g)) continue;
    let c = colorFor(g);
    if (used.has(c)) c = PALETTE.find((p) => !used.has(p)) ?? c;
    used.add(c);
    out.set(g, c);
  }
  return out;
}

/** Sorted [group, value] pairs with numeric values, largest first. */
export function entries(obj) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [];
  return Object.entries(obj)
    .map(([k, v]) => [k, fmt.toNumber(v)])
    .filter(([, v]) => v !== null && v > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Donut chart with a legend; the total sits in the hole. */
export function renderPie(container, obj, { format = fmt.number, unit = '' } = {}) {
  const items = entries(obj);
  const total = items.reduce((s, [, v]) => s + v, 0);
  const colors = colorsFor(items.map(([g]) => g));
  const colorOf = (g) => colors.get(g);
  const R = 60, r = 38, C = 70;
  let svg = `<svg viewBox="0 0 140 140" class="pie-svg" role="img" aria-label="${esc(pieLabel(items, total, format))}">`;
  if (total <= 0) {
    svg += `<circle cx="${C}" cy="${C}" r="${(R + r) / 2}" fill="none" stroke="var(--line)" stroke-width="${R - r}"/>`;
  } else if (items.length === 1) {
    svg += `<circle cx="${C}" cy="${C}" r="${(R + r) / 2}" fill="none" stroke="${colorOf(items[0][0])}" stroke-width="${R - r}"><title>${esc(items[0][0])}: ${esc(format(items[0][1]))}</title></circle>`;
  } else {
    let a0 = -Math.PI / 2;
    for (const [g, v] of items) {
      const a1 = a0 + (v / total) * Math.PI * 2;
      svg += `<path d="${arc(C, R, r, a0, a1)}" fill="${colorOf(g)}"><title>${esc(g)}: ${esc(format(v))} (${esc(fmt.percent((v / total) * 100))})</title></path>`;
      a0 = a1;
    }
  }
  svg += `<text x="${C}" y="${C - 2}" class="pie-total" text-anchor="middle">${esc(total > 0 ? format(total) : '0')}</text>`;
  svg += `<text x="${C}" y="${C + 16}" class="pie-unit" text-anchor="middle">${esc(unit || 'total')}</text></svg>`;
  const legend = items.length
    ? items.map(([g, v]) => `<li><span class="swatch" style="background:${colorOf(g)}"></span><span class="lg-name">${esc(fmt.humanize(g))}</span><span class="lg-val">${esc(format(v))}</span><span class="lg-pct">${esc(fmt.percent((v / total) * 100))}</span></li>`).join('')
    : '<li class="empty">No data in this window</li>';
  container.innerHTML = `<div class="pie">${svg}<ul class="legend">${legend}</ul></div>`;
}

/** A bucket start (unix seconds) as a tick label in the tenant's zone: dates for daily buckets and at midnight, else times. */
export function bucketLabel(x, step) {
  const t = x * 1000;
  if (step >= 86400) return fmt.day(t);
  const hm = fmt.hourMinute(t);
  if (step >= 3600 && hm === '00:00') return fmt.day(t);
  return hm;
}

function pieLabel(items, total, format) {
  if (!items.length) return 'No data';
  return items.map(([g, v]) => `${g} ${format(v)} of ${format(total)}`).join(', ');
}

function arc(c, R, r, a0, a1) {
  const large = a1 - a0 > Math.PI ? 1 : 0;
  const p = (rad, a) => `${(c + rad * Math.cos(a)).toFixed(3)} ${(c + rad * Math.sin(a)).toFixed(3)}`;
  return `M ${p(R, a0)} A ${R} ${R} 0 ${large} 1 ${p(R, a1)} L ${p(r, a1)} A ${r} ${r} 0 ${large} 0 ${p(r, a0)} Z`;
}

/** Horizontal bars, one per group, scaled to the largest. */
export function renderHBars(container, obj, { format = fmt.number, limit = 12 } = {}) {
  const items = entries(obj);
  if (!items.length) {
    container.innerHTML = '<p class="empty">No data in this window</p>';
    return;
  }
  const max = items[0][1];
  const colors = colorsFor(items.map(([g]) => g));
  const colorOf = (g) => colors.get(g);
  const shown = items.slice(0, limit);
  const rest = items.length - shown.length;
  container.innerHTML = `<ul class="hbars">${shown.map(([g, v]) => `
    <li><span class="hb-name" title="${esc(g)}">${esc(fmt.humanize(g))}</span>
      <span class="hb-track"><span class="hb-fill" style="width:${((v / max) * 100).toFixed(1)}%;background:${colorOf(g)}"></span></span>
      <span class="hb-val">${esc(format(v))}</span></li>`).join('')}</ul>${rest > 0 ? `<p class="muted small">and ${rest} more</p>` : ''}`;
}

const charts = new Set();

/** Redraws every time chart on the page (their labels follow fmt's time zone). */
export function redrawCharts() {
  for (const c of charts) {
    if (c.container.isConnected) c.redraw();
    else charts.delete(c);
  }
}

/**
 * A time chart on uPlot: `bars` for bucketed series, `line` (stepped) for sampled history.
 * update(points) takes [{t: ms, v: number|null}].
 */
/** Tick steps of a line's time axis, in seconds: never under a second (labels are clock times to the second). */
const LINE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

export class TimeChart {
  /** With fill, the chart takes the container's height (at least `height`) as the grid row grows. */
  constructor(container, { kind = 'bars', label = 'value', color = '#58a6ff', format = fmt.number, height = 180, fill = false, unit = '' } = {}) {
    this.unit = unit;
    this.container = container;
    this.kind = kind;
    this.label = label;
    this.color = color;
    this.format = format;
    this.minHeight = height;
    this.fill = fill;
    this.height = height;
    this.step = 3600;
    this.plot = null;
    this.readout = null;
    this.points = [];
    if (typeof window.uPlot !== 'function') {
      container.innerHTML = '<p class="empty">Chart library unavailable</p>';
      return;
    }
    container.classList.add('chart');
    if (fill) {
      container.classList.add('chart-fill');
      container.style.minHeight = `${height}px`;
      this.height = this.#fillHeight();
    }
    this.readout = document.createElement('div');
    this.readout.className = 'chart-readout';
    this.readout.setAttribute('aria-hidden', 'true');
    container.appendChild(this.readout);
    this.plot = new window.uPlot(this.#options(this.#width()), [[], []], container);
    charts.add(this);
    this.resizer = new ResizeObserver(() => {
      const w = this.#width();
      const h = this.fill ? this.#fillHeight() : this.height;
      if (this.plot && w > 0 && (Math.abs(w - this.plot.width) > 1 || Math.abs(h - this.plot.height) > 1)) {
        this.height = h;
        this.plot.setSize({ width: w, height: h });
      }
    });
    this.resizer.observe(container);
  }

  update(points) {
    this.points = Array.isArray(points) ? points.filter((p) => p && Number.isFinite(p.t)) : [];
    if (!this.plot) return;
    const xs = this.points.map((p) => p.t / 1000);
    const ys = this.points.map((p) => fmt.toNumber(p.v));
    if (xs.length > 1) this.step = Math.max(1, Math.min(...xs.slice(1).map((x, i) => x - xs[i])));
    this.plot.setData([xs, ys]);
  }

  destroy() {
    charts.delete(this);
    this.resizer?.disconnect();
    this.plot?.destroy();
  }

  #width() {
    return Math.max(120, Math.floor(this.container.clientWidth || this.container.getBoundingClientRect().width || 300));
  }

  #fillHeight() {
    return Math.max(this.minHeight, Math.floor(this.container.clientHeight || 0));
  }

  #options(width) {
    const uPlot = window.uPlot;
    const axis = {
      stroke: '#8b98a9',
      font: '11px system-ui, sans-serif',
      grid: { stroke: 'rgba(139,152,169,0.12)', width: 1 },
      ticks: { stroke: 'rgba(139,152,169,0.25)', width: 1, size: 4 },
    };
    const bars = this.kind === 'bars';
    return {
      width,
      height: this.height,
      legend: { show: false },
      padding: [8, 8, 0, 0],
      cursor: { drag: { x: false, y: false }, ...(bars ? { points: { show: false } } : {}) },
      scales: {
        x: {
          time: true,
          range: (u, min, max) => {
            if (min === null || max === null) { const now = Date.now() / 1000; return [now - 3600, now]; }
            const pad = bars ? this.step / 2 : 0;
            // a gauge sampled for a few seconds still spans a minute: whole-second ticks, no repeated labels
            if (!bars && max - min < 60) return [max - 60, max];
            return min === max ? [min - (pad || 1), max + (pad || 1)] : [min - pad, max + pad];
          },
        },
        y: { range: (u, min, max) => [0, Math.max(bars ? 1 : 2, Math.ceil((max || 0) * 1.15))] },
      },
      axes: [
        bars
          ? { ...axis, splits: (u) => this.#bucketSplits(u), values: (u, splits) => this.#ticks(splits, (x) => bucketLabel(x, this.step)) }
          : { ...axis, space: 70, incrs: LINE_STEPS, values: (u, splits) => this.#ticks(splits, (x) => fmt.clock(x * 1000)) },
        {
          ...axis,
          // Wide enough for the longest tick label ("20,000"), so big values are never clipped.
          size: (u, values) => Math.max(34, Math.max(0, ...(values ?? []).map((v) => String(v ?? '').length)) * 7 + 14),
          values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? fmt.number(v) : '')),
          // the value axis says its unit (calls, USD, /s)
          ...(this.unit ? { label: this.unit, labelSize: 14, labelFont: '11px system-ui, sans-serif', labelGap: 2 } : {}),
        },
      ],
      series: [
        {},
        {
          label: this.label,
          stroke: this.color,
          width: bars ? 0 : 2,
          fill: bars ? this.color : `${this.color}33`,
          points: { show: false },
          paths: bars ? uPlot.paths.bars({ size: [0.72, 48], gap: 1 }) : uPlot.paths.stepped({ align: 1 }),
          spanGaps: !bars,
        },
      ],
      hooks: { setCursor: [(u) => this.#showReadout(u)] },
    };
  }

  /** Tick labels; the last drawn ones are on the container as data-ticks ([[unix s, label], ...]) for tests. */
  #ticks(splits, label) {
    const out = splits.map(label);
    this.container.dataset.ticks = JSON.stringify(splits.map((x, i) => [x, out[i]]));
    return out;
  }

  /** Redraws with the current formats (after the time zone changed): axes recomputed, same data. */
  redraw() {
    this.plot?.redraw(false, true);
  }

  /** Ticks on bucket starts, thinned so labels never collide, always labelling the latest. */
  #bucketSplits(u) {
    const xs = u.data[0] ?? [];
    if (!xs.length) return [];
    const labelPx = this.step >= 86400 ? 56 : 48;
    const fit = Math.max(1, Math.floor((u.width - 60) / labelPx));
    const every = Math.max(1, Math.ceil(xs.length / fit));
    return xs.filter((_, i) => (xs.length - 1 - i) % every === 0);
  }

  #showReadout(u) {
    const i = u.cursor.idx;
    if (i === null || i === undefined || !this.readout) {
      if (this.readout) this.readout.textContent = '';
      return;
    }
    const t = u.data[0][i] * 1000;
    const v = u.data[1][i];
    const when = this.kind === 'bars' && this.step >= 3600
      ? fmt.stamp(t)
      : fmt.clock(t);
    this.readout.textContent = `${when} · ${this.format(v)} ${this.label}`;
  }
}
