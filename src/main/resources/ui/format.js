// Formatting helpers. Every function accepts anything (null, undefined, strings, NaN) and
// returns display text; none of them throws, because a dashboard must keep rendering whatever
// a widget value turns out to be.

const DASH = '—';
const intFmt = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decFmt = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const dec2Fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const pctFmt = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function toNumber(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

/** 1234.5 → "1,235"; 12.34 → "12.3"; 0.125 → "0.13". */
export function number(v) {
  const n = toNumber(v);
  if (n === null) return DASH;
  if (Number.isInteger(n) || Math.abs(n) >= 100) return intFmt.format(n);
  return Math.abs(n) >= 1 ? decFmt.format(n) : dec2Fmt.format(n);
}

const moneyFmt = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Money amounts with two decimals ("1,234.50"); no decimals from 100,000 up. */
export function money(v) {
  const n = toNumber(v);
  if (n === null) return DASH;
  return Math.abs(n) >= 100_000 ? intFmt.format(n) : moneyFmt.format(n);
}

/** Percent value 0–100 → "85.2%" (always one decimal, so columns and cards do not jitter). */
export function percent(v) {
  const n = toNumber(v);
  if (n === null) return DASH;
  return `${pctFmt.format(n)}%`;
}

/** Seconds → "m:ss", or "h:mm:ss" from one hour up. */
export function duration(v) {
  const n = toNumber(v);
  if (n === null || n < 0) return DASH;
  const total = Math.round(n);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

export function isIsoTime(v) {
  return typeof v === 'string' && ISO_RE.test(v) && !Number.isNaN(Date.parse(v));
}

export function parseTime(v) {
  if (v === null || v === undefined || v === '') return null;
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** Time relative to now: "just now", "42 s ago", "3 min ago", "in 2 h", "5 d ago". */
export function relative(v, now = Date.now()) {
  const t = parseTime(v);
  if (t === null) return DASH;
  const diff = (t - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 5) return 'just now';
  let text;
  if (abs < 60) text = `${Math.round(abs)} s`;
  else if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86400 * 2) text = `${Math.round(abs / 3600)} h`;
  else text = `${Math.round(abs / 86400)} d`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

// Times show in the tenant's zone (the snapshot's `zone`); until it is known, the browser's.
let zone;
let absFmt;
let clockFmt;
let dayFmt;
let hourFmt;
let stampFmt;
setZone(undefined);

/** Formats every later time in this IANA zone ("Pacific/Kiritimati"); an unknown zone is ignored. */
export function setZone(z) {
  const timeZone = z || undefined;
  try {
    absFmt = new Intl.DateTimeFormat('en', {
      timeZone, year: 'numeric', month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    });
    clockFmt = new Intl.DateTimeFormat('en', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    dayFmt = new Intl.DateTimeFormat('en', { timeZone, month: 'short', day: 'numeric' });
    hourFmt = new Intl.DateTimeFormat('en', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    stampFmt = new Intl.DateTimeFormat('en', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    zone = timeZone;
    return true;
  } catch {
    return false; // RangeError: a zone this browser does not know; keep the previous one
  }
}

/** The zone times are shown in (undefined: the browser's). */
export function timeZone() {
  return zone;
}

/** Full date-time in the tenant's zone, for tooltips. */
export function absolute(v) {
  const t = parseTime(v);
  return t === null ? '' : absFmt.format(t);
}

/** Wall clock in the tenant's zone: "14:03:07". */
export function clock(v) {
  const t = parseTime(v);
  return t === null ? DASH : clockFmt.format(t);
}

/** "Dec 2" in the tenant's zone. */
export function day(v) {
  const t = parseTime(v);
  return t === null ? DASH : dayFmt.format(t);
}

/** "14:00" in the tenant's zone. */
export function hourMinute(v) {
  const t = parseTime(v);
  return t === null ? DASH : hourFmt.format(t);
}

/** "Dec 2, 14:00" in the tenant's zone. */
export function stamp(v) {
  const t = parseTime(v);
  return t === null ? DASH : stampFmt.format(t);
}

/** "no_answer" → "No answer"; "agent_config_id" → "Agent config id". */
export function humanize(name) {
  if (name === null || name === undefined) return DASH;
  const s = String(name).replace(/[_-]+/g, ' ').trim();
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : DASH;
}

/** Any scalar → short cell text; objects become compact JSON. */
export function cell(v) {
  if (v === null || v === undefined || v === '') return DASH;
  if (typeof v === 'number') return number(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') {
    try { return JSON.stringify(v); } catch { return '[object]'; }
  }
  return String(v);
}

/**
 * Picks a formatter for a value from the widget or column name: durations as m:ss, rates as
 * percentages, everything else as a plain number.
 */
export function byName(name) {
  const n = String(name || '').toLowerCase();
  if (/duration|_secs?$|seconds|wait_time|handle_time/.test(n)) return duration;
  if (/revenue|amount|price|cost|subtotal|(^|_)tax$|sales$|spend|(^|_)total_value|average_order|order_value|(^|_)paid$/.test(n)) return money;
  if (/rate|ratio|percent|pct|share|utili[sz]ation|occupancy/.test(n) && !/per_s|per_sec|dial(ing)?_rate/.test(n)) return percent;
  return number;
}

export const EMPTY = DASH;
