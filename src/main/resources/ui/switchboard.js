// switchboard.js: the Switchboard browser client. One ES module, no dependencies, no build step.
// Served by every Switchboard server at /switchboard.js.
//
//   import { connect } from 'https://dash.example.com/switchboard.js';
//   const sb = connect({
//     url: 'https://dash.example.com',        // the server; default: this page's origin
//     tenant: 'acme',
//     dashboards: ['calls'],                  // dashboards to keep live, and/or
//     datasets: ['call_logs'],                // datasets whose row changes to receive
//     params: { hours: 24 },                  // view parameters (scope and sub too, where the token allows)
//     token: 'eyJ...',                        // a JWT, or a function returning one or a Promise of one,
//                                             // called before every connection; none in demo mode
//     transports: ['websocket', 'sse', 'poll'], // optional: the transports to try, in this order
//   });
//   sb.on('snapshot', (data, meta) => ...);   // a dashboard's whole state: {dashboard, position, widgets, reset}
//   sb.on('delta', (data, meta) => ...);      // the widgets that changed: {dashboard, position, widgets}
//   sb.on('change', (data, meta) => ...);     // one row change: {dataset, op, key, before, after, ...}
//   sb.on('reset', (data, meta) => ...);      // a dataset's missed changes are gone: rebuild what you derived
//   sb.on('alert', (data, meta) => ...);      // a dashboard's alert fired or cleared (GET /api/alerts/{tenant})
//   sb.on('state', (state, detail) => ...);   // 'live' | 'reconnecting' | 'polling' | 'offline'
//   sb.on('error', (err) => ...);             // the server refused something ({error, status})
//   sb.subscribe({ dashboards, datasets, params }); sb.unsubscribe({ dashboards, datasets });
//   sb.setParams({ range: '7d' });           // watch the same dashboards with other view parameters
//   sb.state; sb.transport; sb.position;      sb.close();
//
// meta is {id, transport}: id is the event's position. Every transport carries the same events.
//
// Transports, in order: WebSocket, then SSE (EventSource), then HTTP long-polling (/api/poll). A
// transport that fails to open (refused, blocked by a proxy, or silent for 8 s) hands over to the
// next at once; once all have failed the client is 'offline' and starts over after a backoff. A
// connection that drops is reopened after an exponential backoff with jitter (a random delay
// between half and all of 0.5 s, doubling to 30 s). While live on a fallback, the better
// transports are tried again after 30 s (2 s if one of them has worked before: the server was
// likely restarting), doubling up to 5 minutes. Every (re)connection resumes exactly after the
// last event it applied (lastEventId on WebSocket and SSE, since on polling): nothing missed,
// nothing twice.
// subscribe/unsubscribe change the watch in place on WebSocket (a dashboard new to the client
// starts with its snapshot), and reopen elsewhere, resuming (a new dashboard may then come as a
// snapshot or as a delta carrying every widget). Once unsubscribe returns, no event of those
// dashboards and datasets is emitted, even one the server sent before it applied the change.
// Polling is exact once the client holds a position: a dashboard's snapshot gives one at once, a
// stream of datasets only from its first change.

const TRANSPORTS = ['websocket', 'sse', 'poll'];
const OPEN_TIMEOUT_MS = 8000;
const STALL_MS = 45000; // no WebSocket message (the server sends heartbeats every 15 s when idle)
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30000;
const STABLE_MS = 5000; // live this long: the backoff starts over
const UPGRADE_MIN_MS = 30000;
const UPGRADE_SOON_MS = 2000;
const UPGRADE_MAX_MS = 300000;
const POLL_WAIT_S = 25;
const EVENTS = ['snapshot', 'delta', 'change', 'reset', 'alert', 'expired'];

export function connect(options) {
  return new Connection(options);
}

class Connection {
  constructor(o) {
    if (!o || !o.tenant) throw new Error('switchboard: connect({tenant, dashboards|datasets}) needs a tenant');
    const base = String(o.url ?? globalThis.location?.origin ?? '').replace(/\/+$/, '');
    this.o = { base, tenant: o.tenant, token: o.token, transports: (o.transports ?? TRANSPORTS).filter(available) };
    this.watch = { dashboards: [...(o.dashboards ?? [])], datasets: [...(o.datasets ?? [])], params: { ...(o.params ?? {}) } };
    this.listeners = new Map();
    this.state = 'reconnecting';
    this.transport = null;
    this.position = o.since ?? null;
    this.conn = null;
    this.timers = {};
    this.attempt = 0; // consecutive reconnections without a stable live period
    this.upgrades = 0;
    this.worked = new Set(); // transports that have been live: when one fails to open, the server was likely away, not blocked
    this.closed = false;
    this.onOnline = () => { if (!this.conn) this.#start(0, 0); };
    globalThis.addEventListener?.('online', this.onOnline);
    queueMicrotask(() => this.#start(0, 0)); // after the caller's on(...) calls
  }

  /** Calls fn(data, meta) for every event of that type; returns a function that removes it. */
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return () => this.listeners.get(event)?.delete(fn);
  }

  /** Watches more dashboards and datasets (and sets view parameters). */
  subscribe({ dashboards = [], datasets = [], params = {} } = {}) {
    this.watch.dashboards = [...new Set([...this.watch.dashboards, ...dashboards])];
    this.watch.datasets = [...new Set([...this.watch.datasets, ...datasets])];
    Object.assign(this.watch.params, params);
    this.#rewatch({ action: 'subscribe', dashboards, datasets, params });
  }

  /**
   * Changes view parameters (e.g. `{ range: '7d' }`) of every watched dashboard: each is watched
   * anew with them (on WebSocket in place: unsubscribe, then subscribe; elsewhere by reopening).
   */
  setParams(params = {}) {
    Object.assign(this.watch.params, params);
    const dashboards = [...this.watch.dashboards];
    if (this.conn?.send) {
      this.conn.send({ action: 'unsubscribe', dashboards });
      this.conn.send({ action: 'subscribe', dashboards, params: { ...this.watch.params } });
    } else {
      this.#rewatch(null);
    }
  }

  /** Stops watching these dashboards and datasets. */
  unsubscribe({ dashboards = [], datasets = [] } = {}) {
    this.watch.dashboards = this.watch.dashboards.filter((d) => !dashboards.includes(d));
    this.watch.datasets = this.watch.datasets.filter((d) => !datasets.includes(d));
    this.#rewatch({ action: 'unsubscribe', dashboards, datasets });
  }

  close() {
    this.closed = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    Object.values(this.timers).forEach(clearTimeout);
    this.conn?.close();
    this.conn = null;
    this.#setState('offline', { closed: true });
  }

  #rewatch(message) {
    if (this.conn?.send) this.conn.send(message);
    else if (this.conn) this.#start(Math.max(0, this.o.transports.indexOf(this.transport)), 0); // reopen, resuming
  }

  #emit(event, ...args) {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        fn(...args);
      } catch (err) {
        console.error(`switchboard: a '${event}' listener failed`, err);
      }
    }
  }

  #setState(state, detail = {}) {
    const changed = state !== this.state;
    this.state = state;
    if (changed || detail.error) this.#emit('state', state, { transport: this.transport, ...detail });
  }

  #timer(name, ms, fn) {
    clearTimeout(this.timers[name]);
    this.timers[name] = ms === null ? undefined : setTimeout(fn, ms);
  }

  /** Opens transport number i (falling through those not available), after a delay. */
  #start(i, delay) {
    this.conn?.close();
    this.conn = null;
    if (this.closed) return;
    this.#timer('start', delay, async () => {
      if (this.closed) return;
      if (globalThis.navigator?.onLine === false) {
        this.#setState('offline', { error: 'the browser is offline' });
        return; // the 'online' event starts again
      }
      const name = this.o.transports[i];
      let token;
      try {
        token = typeof this.o.token === 'function' ? await this.o.token() : this.o.token;
      } catch (err) {
        this.#failed(i, false, `no token: ${err?.message ?? err}`);
        return;
      }
      if (this.closed) return;
      this.transport = name;
      if (this.state !== 'offline') this.#setState('reconnecting', {});
      let live = false;
      const conn = OPENERS[name]({
        url: this.#url(name, token),
        live: () => {
          if (conn !== this.conn) return;
          live = true;
          this.#live(i);
        },
        event: (type, id, data) => conn === this.conn && this.#deliver(type, id, data, name),
        refused: (err) => conn === this.conn && this.#emit('error', err),
        failed: (error) => {
          if (conn !== this.conn) return;
          this.conn = null;
          conn.close();
          this.#failed(i, live, error);
        },
      });
      this.conn = conn;
    });
  }

  #url(name, token) {
    const q = new URLSearchParams();
    if (this.watch.dashboards.length) q.set('dashboards', this.watch.dashboards.join(','));
    if (this.watch.datasets.length) q.set('datasets', this.watch.datasets.join(','));
    for (const [k, v] of Object.entries(this.watch.params)) q.set(k, String(v));
    if (token) q.set('access_token', token);
    if (this.position) q.set(name === 'poll' ? 'since' : 'lastEventId', this.position);
    const tenant = encodeURIComponent(this.o.tenant);
    if (name === 'poll') return `${this.o.base}/api/poll/${tenant}?${q}`;
    const base = name === 'websocket' ? this.o.base.replace(/^http/, 'ws') || wsOrigin() : this.o.base;
    return `${base}/api/events/${tenant}?${q}`;
  }

  #deliver(type, id, data, transport) {
    if (type === 'expired') {
      this.#emit('error', { ...data, expired: true });
      return; // the server ends the stream; the next connection asks for the token again
    }
    if (id) this.position = id;
    // in flight when the caller unsubscribed (the server had not applied it yet): passed over, the
    // position still advancing, so nothing of a dataset or dashboard is emitted after its unsubscribe
    if (type === 'change' && typeof data.dataset === 'string' && !this.watch.datasets.includes(data.dataset)) return;
    if ((type === 'snapshot' || type === 'delta') && typeof data.dashboard === 'string'
      && !this.watch.dashboards.includes(data.dashboard)) return;
    this.#emit(type, data, { id: id ?? null, transport });
  }

  #live(i) {
    const name = this.o.transports[i];
    this.worked.add(name);
    this.#setState(name === 'poll' ? 'polling' : 'live', {});
    this.#timer('stable', STABLE_MS, () => { this.attempt = 0; });
    if (i > 0) {
      // live on a fallback: try the better transports again later; soon if one of them has worked
      // before (the server was restarting when it was tried), else after 30 s, doubling
      const better = this.o.transports.slice(0, i).some((t) => this.worked.has(t));
      const wait = Math.min((better ? UPGRADE_SOON_MS : UPGRADE_MIN_MS) * 2 ** this.upgrades, UPGRADE_MAX_MS);
      this.#timer('upgrade', wait, () => { this.upgrades++; this.#start(0, 0); });
    } else {
      this.upgrades = 0;
      this.#timer('upgrade', null);
    }
  }

  #failed(i, wasLive, error) {
    this.#timer('stable', null);
    this.#timer('upgrade', null);
    if (!wasLive && i + 1 < this.o.transports.length) {
      this.#start(i + 1, 0); // blocked or refused: the next transport at once
      return;
    }
    this.#restart(wasLive ? 0 : 1, error);
  }

  /** Starts over from the best transport after a backoff; offline when every transport failed. */
  #restart(offline, error) {
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = cap / 2 + Math.random() * cap / 2;
    this.attempt = Math.min(this.attempt + 1, 16);
    this.#setState(offline ? 'offline' : 'reconnecting', { error, retryInMs: Math.round(delay) });
    this.#start(0, delay);
  }
}

function available(name) {
  if (name === 'websocket') return typeof WebSocket !== 'undefined';
  if (name === 'sse') return typeof EventSource !== 'undefined';
  return name === 'poll' && typeof fetch !== 'undefined';
}

function wsOrigin() {
  return globalThis.location ? `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}` : '';
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
}

// Each opener starts one connection and reports through the callbacks: live() once it works,
// event(type, id, data) per event, refused(err) when the server names a problem, failed(reason)
// once when it ends. It returns {close(), send?(message)}.
const OPENERS = {
  websocket({ url, live, event, refused, failed }) {
    const ws = new WebSocket(url);
    let opened = false;
    let stall;
    const alive = () => {
      clearTimeout(stall);
      stall = opened ? setTimeout(() => failed(`no message for ${STALL_MS / 1000} s`), STALL_MS)
        : setTimeout(() => failed(`no answer within ${OPEN_TIMEOUT_MS / 1000} s`), OPEN_TIMEOUT_MS);
    };
    alive();
    // a ping proves the path carries messages (a proxy may accept the upgrade and pass nothing)
    ws.onopen = () => ws.send('{"action":"ping"}');
    ws.onmessage = (m) => {
      const msg = parse(m.data);
      if (!msg) return;
      const first = !opened;
      opened = true;
      alive();
      if (first) live();
      if (msg.event === 'error') refused(msg.data);
      else if (EVENTS.includes(msg.event)) event(msg.event, msg.id, msg.data ?? {});
    };
    ws.onclose = (e) => failed(`WebSocket closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`);
    return {
      send: (message) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message)),
      close() {
        clearTimeout(stall);
        ws.onopen = ws.onmessage = ws.onclose = null;
        ws.close();
      },
    };
  },

  sse({ url, live, event, failed }) {
    const es = new EventSource(url);
    const timeout = setTimeout(() => failed('the stream did not open within 8 s'), OPEN_TIMEOUT_MS);
    es.onopen = () => {
      clearTimeout(timeout);
      live();
    };
    // EventSource would reconnect by itself: the client does it instead, with its backoff and cascade
    es.onerror = () => failed('the event stream failed');
    for (const type of EVENTS) {
      es.addEventListener(type, (m) => {
        const data = parse(m.data);
        if (data !== undefined) event(type, m.lastEventId || null, data);
      });
    }
    return {
      close() {
        clearTimeout(timeout);
        es.onopen = es.onerror = null;
        es.close();
      },
    };
  },

  poll({ url, live, event, refused, failed }) {
    const abort = new AbortController();
    let next = url;
    let opened = false;
    (async () => {
      while (!abort.signal.aborted) {
        let body;
        try {
          const res = await fetch(`${next}&wait=${opened ? POLL_WAIT_S : 0}`, { cache: 'no-store', signal: abort.signal });
          body = await res.json().catch(() => ({}));
          if (!res.ok) {
            refused({ error: body.error ?? `HTTP ${res.status}`, status: res.status });
            failed(`poll answered ${res.status}`);
            return;
          }
        } catch (err) {
          if (!abort.signal.aborted) failed(`poll failed: ${err?.message ?? err}`);
          return;
        }
        if (!opened) {
          opened = true;
          live();
        }
        for (const e of body.events ?? []) {
          if (abort.signal.aborted) return;
          if (EVENTS.includes(e.event)) event(e.event, e.id, e.data ?? {});
        }
        if (body.position) {
          const u = new URL(next, globalThis.location?.href);
          u.searchParams.set('since', body.position);
          next = u.toString();
        }
      }
    })();
    return { close: () => abort.abort() };
  },
};
