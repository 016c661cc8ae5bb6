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

// ---- units and periods, from the definition (GET /api/dashboards `display`) -------------------

let pageCurrency = '';
let currencyFmt = null;

/** The page's one money format: the dashboard's currency (ISO 4217), e.g. "$85,640.45". */
export function setCurrency(code) {
  try {
    currencyFmt = code ? new Intl.NumberFormat('en', { style: 'currency', currency: code, currencyDisplay: 'symbol' }) : null;
    pageCurrency = code || '';
  } catch {
    currencyFmt = null;
    pageCurrency = '';
  }
}

export function currency() {
  return pageCurrency;
}

/** An amount in the page's currency; an amount in another currency (a row's own) says its code. */
export function amount(v, code = '') {
  const n = toNumber(v);
  if (n === null) return DASH;
  if (code && code !== pageCurrency) return `${money(n)} ${code}`;
  // whole amounts from 10,000 up, so a headline figure fits its card: "$144,023"
  if (currencyFmt) return Math.abs(n) >= 10_000 ? currencyFmt.format(Math.round(n)).replace(/\.00$/, '') : currencyFmt.format(n);
  return money(n);
}

/** Minutes → "30 min", "1 h 30 min". */
export function minutes(v) {
  const n = toNumber(v);
  if (n === null || n < 0) return DASH;
  const m = Math.round(n);
  if (m < 60) return `${m} min`;
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Per second: "0.28 /s". */
export function perSecond(v) {
  const n = toNumber(v);
  if (n === null) return DASH;
  return `${n >= 10 ? intFmt.format(n) : dec2Fmt.format(n)} /s`;
}

/**
 * The formatter of a declared unit: s (durations m:ss), min, h, ms, % (percent), /s, currency,
 * clock (a time with its date); any other word (calls, units) formats a plain number. Without a
 * unit, `fallback` (the name-based guess).
 */
export function byUnit(unit, fallback = number) {
  switch (unit) {
    case 's': return duration;
    case 'ms': return (v) => (toNumber(v) === null ? DASH : `${number(v)} ms`);
    case 'min': return minutes;
    case 'h': return (v) => (toNumber(v) === null ? DASH : `${number(v)} h`);
    case 'd': return (v) => (toNumber(v) === null ? DASH : `${number(v)} d`);
    case '%': return percent;
    case '/s': return perSecond;
    case 'currency': return (v) => amount(v);
    case 'clock': return when;
    case undefined: case null: case '': return fallback;
    default: return number;
  }
}

/** The unit as a column or caption says it: "m:ss", "%", "/s", "USD", "min", or the word. */
export function unitLabel(unit) {
  if (!unit || unit === 'clock') return '';
  if (unit === 's') return 'm:ss';
  if (unit === 'currency') return pageCurrency;
  return unit;
}

/**
 * The period a figure covers, from the widget's `period` or its window: "last 24 h", "last 7 days",
 * "today", "this week", "upcoming", "all time". `params` fills ${hours}.
 */
export function periodOf(display = {}, params = {}) {
  if (display.period) return display.period;
  const w = String(display.window ?? '').replace(/\$\{(\w+)\}/g, (_, k) => String(params[k] ?? ''));
  return periodLabel(w);
}

const PERIOD_UNIT = { s: 's', m: 'min', h: 'h', d: 'days', w: 'weeks' };
const PERIOD_WORD = { today: 'today', this_week: 'this week', this_month: 'this month', upcoming: 'upcoming', past: 'until now' };

/**
 * The one caption of a period, whether a widget's window or a dashboard's range: "last 24 h",
 * "last 7 days", "today", "Nov 1, 00:00 – Nov 8, 00:00" (a custom `<from>..<to>`), "all time".
 */
export function periodLabel(spec) {
  if (!spec) return 'all time';
  if (PERIOD_WORD[spec]) return PERIOD_WORD[spec];
  const m = /^(\d+)\s*([smhdw])$/.exec(spec);
  if (m) {
    const n = Number(m[1]);
    if ((m[2] === 'd' && n === 1) || (m[2] === 'h' && n === 24)) return 'last 24 h';
    if (m[2] === 'h' && n % 24 === 0 && n > 24) return `last ${n / 24} days`;
    return `last ${n} ${PERIOD_UNIT[m[2]]}`;
  }
  if (spec.includes('..')) {
    const [a, b] = spec.split('..');
    return `${stamp(a)} – ${stamp(b)}`;
  }
  return spec.replace(/_/g, ' ');
}

// made once per zone: a list redraws many times a second at high event rates
const zoneFormats = new Map();
function zoned() {
  const key = timeZone() ?? '';
  let f = zoneFormats.get(key);
  if (!f) {
    f = {
      weekday: new Intl.DateTimeFormat('en', { timeZone: timeZone(), weekday: 'short' }),
      ymd: new Intl.DateTimeFormat('en-CA', { timeZone: timeZone(), year: 'numeric', month: '2-digit', day: '2-digit' }),
    };
    zoneFormats.set(key, f);
  }
  return f;
}
const weekdayFmt = () => zoned().weekday;
const ymd = (t) => zoned().ymd.format(t);

/**
 * A clock time with the date where it is needed: "14:30" today, "Wed Dec 3, 14:30" on another day
 * (in the tenant's zone). For schedules, where "in 16 d" says less than the date.
 */
export function when(v, now = Date.now()) {
  const t = parseTime(v);
  if (t === null) return DASH;
  if (ymd(t) === ymd(now)) return hourMinute(t);
  return `${weekdayFmt().format(t)} ${stamp(t)}`;
}

/** Relative for the recent past ("3 min ago"); a clock time with its date for the future and the older past. */
export function relativeOrWhen(v, now = Date.now()) {
  const t = parseTime(v);
  if (t === null) return DASH;
  return t <= now + 5000 && now - t < 12 * 3600_000 ? relative(t, now) : when(t, now);
}
