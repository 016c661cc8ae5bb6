// Small DOM helpers: escaping, element creation, the one-second ticker that keeps relative times
// and live durations current, and the row highlight for `change` events.

import * as fmt from './format.js';

export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** el('section', {class: 'card', 'data-widget': 'x'}, child...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'html') node.innerHTML = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** <time> that the ticker keeps relative ("3 min ago"); the absolute time is the tooltip. */
export function relTime(iso) {
  if (fmt.parseTime(iso) === null) return fmt.EMPTY;
  return `<time datetime="${esc(iso)}" data-rel title="${esc(fmt.absolute(iso))}">${esc(fmt.relativeOrWhen(iso))}</time>`;
}

/** A duration that grows every second from `since` (ISO). */
export function liveDuration(since) {
  const t = fmt.parseTime(since);
  if (t === null) return fmt.EMPTY;
  return `<span class="num" data-since="${esc(since)}">${esc(fmt.duration((Date.now() - t) / 1000))}</span>`;
}

/** Refreshes every [data-rel] and [data-since] under root. */
export function tick(root = document) {
  const now = Date.now();
  for (const node of root.querySelectorAll('[data-rel]')) {
    const text = fmt.relativeOrWhen(node.getAttribute('datetime'), now);
    if (node.textContent !== text) node.textContent = text;
  }
  for (const node of root.querySelectorAll('[data-since]')) {
    const t = fmt.parseTime(node.dataset.since);
    const text = t === null ? fmt.EMPTY : fmt.duration(Math.max(0, (now - t) / 1000));
    if (node.textContent !== text) node.textContent = text;
  }
}

// Row highlight: rows carry data-key; a change marks its key for FLASH_MS. Rows re-rendered
// during that time continue the same animation (negative delay) instead of restarting it.
const FLASH_MS = 1800;
const flashed = new Map();

// A stream of changes (a busy tenant, a replay) stops the highlights: restarting colour animations
// on every change repaints whole tables every frame, which costs a software-rendered page more than
// all its script. Above BUSY_PER_S changes in a second nothing new flashes, for BUSY_HOLD_MS.
const BUSY_PER_S = 20;
const BUSY_HOLD_MS = 2000;
let busyWindowAt = 0;
let busyCount = 0;
let busyUntil = 0;

/** Counts changes shown; true while the page is too busy for highlights. */
export function busy(changes = 0) {
  const now = Date.now();
  if (changes) {
    if (now - busyWindowAt > 1000) {
      busyWindowAt = now;
      busyCount = 0;
    }
    busyCount += changes;
    if (busyCount > BUSY_PER_S) busyUntil = now + BUSY_HOLD_MS;
  }
  return now < busyUntil;
}

export function markChanged(keys, op) {
  const now = Date.now();
  if (busy(1)) return; // one change, whatever keys name it
  for (const k of keys) {
    if (k === null || k === undefined || k === '') continue;
    const key = String(k);
    flashed.set(key, { at: now, op });
    pendingRows.add(key);
  }
  for (const [k, v] of flashed) if (now - v.at > FLASH_MS) flashed.delete(k);
  // Rows are restyled once per frame, with the other DOM updates (no layout forced per change).
  if (pendingRows.size && !rowFrame) rowFrame = requestAnimationFrame(flushRows);
}

const pendingRows = new Set();
let rowFrame = 0;

function flushRows() {
  rowFrame = 0;
  const now = Date.now();
  for (const key of pendingRows) {
    const f = flashed.get(key);
    if (!f) continue;
    for (const row of document.querySelectorAll(`[data-key="${cssEscape(key)}"]`)) {
      row.classList.remove('flash-c', 'flash-d', 'flash-u');
      row.classList.add('flash', f.op === 'c' ? 'flash-c' : f.op === 'd' ? 'flash-d' : 'flash-u');
      row.style.animationDelay = `-${Math.max(0, now - f.at)}ms`;
    }
  }
  pendingRows.clear();
}

/** Attributes for a row with this key: data-key, plus the running highlight if any. */
export function rowAttrs(key) {
  if (key === null || key === undefined) return '';
  const f = flashed.get(String(key));
  const elapsed = f ? Date.now() - f.at : Infinity;
  if (elapsed < FLASH_MS) {
    const cls = f.op === 'c' ? 'flash-c' : f.op === 'd' ? 'flash-d' : 'flash-u';
    return ` data-key="${esc(key)}" class="flash ${cls}" style="animation-delay:-${elapsed}ms"`;
  }
  return ` data-key="${esc(key)}"`;
}

function cssEscape(s) {
  return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&');
}
