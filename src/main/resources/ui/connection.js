// Keeps one dashboard up to date: an SSE stream while it works, REST polling while it does not.
//
// States (also on document.body.dataset.connection):
//   live          the stream is open
//   reconnecting  the stream dropped; EventSource is retrying (it resumes with Last-Event-ID)
//   polling       the stream failed repeatedly; GET the snapshot every 2 s and keep trying the
//                 stream in the background, going back to live as soon as it opens
//
// A REST snapshot and the stream may race: a response that was requested before the stream
// delivered something newer is dropped, so an old snapshot never overwrites a newer delta.

const FAILURES_BEFORE_POLLING = 3;
const RECONNECTING_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 2_000;
const STABLE_OPEN_MS = 10_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 15_000;

export class LiveConnection {
  /**
   * @param {object} o
   * @param {(lastEventId: string|null) => string} o.streamUrl  SSE URL, resuming after lastEventId
   * @param {(etag: string|null) => Promise<{msg?: object, etag?: string, notModified?: boolean}>} o.fetchSnapshot
   *        REST snapshot, conditional on the ETag of the last one applied
   * @param {(msg: object, fromStream: boolean) => void} o.onSnapshot
   * @param {(msg: object) => void} o.onDelta
   * @param {(msg: object) => void} o.onChange
   * @param {(state: string, detail: object) => void} o.onState
   * @param {(type: string) => void} o.onEvent  every SSE event received
   * @param {(err: Error) => void} [o.onError]  a REST snapshot failed
   */
  constructor(o) {
    this.o = o;
    this.state = null;
    this.es = null;
    this.failures = 0;
    this.openedAt = 0;
    this.streamSeq = 0;
    this.pollTimer = null;
    this.retryTimer = null;
    this.retryDelay = RETRY_MIN_MS;
    this.reconnectingTimer = null;
    this.lastPollError = null;
    this.etag = null;
    this.lastEventId = null;
    this.stopped = false;
  }

  start() {
    this.#setState('reconnecting', { connecting: true });
    this.refresh();
    if (typeof EventSource === 'undefined') {
      this.#startPolling();
      return;
    }
    this.#openStream();
  }

  stop() {
    this.stopped = true;
    this.#closeStream();
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.reconnectingTimer);
  }

  /** Fetches the REST snapshot now (first paint, dataset reset, polling). */
  async refresh(attempt = 0) {
    const seq = this.streamSeq;
    // Only the polling loop may skip an unchanged body: a first paint or a reset needs the data.
    const etag = this.state === 'polling' ? this.etag : null;
    let res;
    try {
      res = await this.o.fetchSnapshot(etag);
      this.lastPollError = null;
    } catch (err) {
      this.lastPollError = String(err && err.message ? err.message : err);
      this.o.onError?.(err);
      if (this.state === 'polling') this.#setState('polling', { error: this.lastPollError });
      return;
    }
    if (this.stopped) return;
    if (res.notModified) {
      if (this.state === 'polling') this.#setState('polling', {});
      return;
    }
    if (seq !== this.streamSeq && this.state === 'live') {
      // The stream moved on while we waited; this response may be older than what we show.
      if (attempt < 2) this.refresh(attempt + 1);
      return;
    }
    this.etag = res.etag ?? null;
    this.o.onSnapshot(res.msg, false);
    if (this.state === 'polling') this.#setState('polling', {});
  }

  #openStream() {
    this.#closeStream();
    let es;
    try {
      // A new EventSource starts without Last-Event-ID; the query parameter carries it instead.
      es = new EventSource(this.o.streamUrl(this.lastEventId));
    } catch (err) {
      console.error('switchboard: cannot open stream', err);
      this.#streamFailed(true);
      return;
    }
    this.es = es;
    es.onopen = () => {
      if (this.es !== es) return;
      this.openedAt = Date.now();
      this.retryDelay = RETRY_MIN_MS;
      this.#stopPolling();
      this.#setState('live', {});
    };
    es.onerror = () => {
      if (this.es !== es) return;
      this.#streamFailed(es.readyState === EventSource.CLOSED);
    };
    const on = (type, fn) => es.addEventListener(type, (ev) => {
      if (this.es !== es) return;
      this.o.onEvent(type);
      if (ev.lastEventId) this.lastEventId = ev.lastEventId;
      const data = parse(ev.data);
      if (data === undefined) return;
      fn(data, ev);
    });
    on('snapshot', (d) => { this.#healthy(); this.#streamed(); this.o.onSnapshot(d, true); });
    on('delta', (d) => { this.#healthy(); this.#streamed(); this.o.onDelta(d); });
    on('change', (d) => { this.#healthy(); this.o.onChange(d); });
    on('reset', () => { this.#healthy(); this.refresh(); });
    on('message', () => this.#healthy());
  }

  #closeStream() {
    if (this.es) {
      this.es.onopen = this.es.onerror = null;
      this.es.close();
      this.es = null;
    }
  }

  /** The stream changed what we show: REST responses in flight are older, and so is our ETag. */
  #streamed() {
    this.streamSeq++;
    this.etag = null;
  }

  /** A message arrived: the stream works, whatever happened before. */
  #healthy() {
    this.failures = 0;
    if (this.state !== 'live') {
      this.#stopPolling();
      this.#setState('live', {});
    }
  }

  #streamFailed(closed) {
    const stableBefore = this.openedAt && Date.now() - this.openedAt > STABLE_OPEN_MS;
    this.failures = stableBefore ? 1 : this.failures + 1;
    this.openedAt = 0;
    if (closed) {
      // EventSource gave up (HTTP error or wrong content type): retry it ourselves, backing off.
      this.#closeStream();
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => { if (!this.stopped) this.#openStream(); }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    }
    if (this.state === 'polling') return;
    if (this.failures >= FAILURES_BEFORE_POLLING) {
      this.#startPolling();
    } else {
      this.#setState('reconnecting', { failures: this.failures });
    }
  }

  #startPolling() {
    clearTimeout(this.reconnectingTimer);
    this.#setState('polling', {});
    if (!this.pollTimer) {
      this.refresh();
      this.pollTimer = setInterval(() => this.refresh(), POLL_INTERVAL_MS);
    }
  }

  #stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  #setState(state, detail) {
    const changed = state !== this.state;
    this.state = state;
    if (state === 'reconnecting' && changed) {
      clearTimeout(this.reconnectingTimer);
      this.reconnectingTimer = setTimeout(() => {
        if (this.state === 'reconnecting' && !this.stopped) this.#startPolling();
      }, RECONNECTING_TIMEOUT_MS);
    } else if (state !== 'reconnecting') {
      clearTimeout(this.reconnectingTimer);
    }
    this.o.onState(state, { ...detail, error: detail.error ?? this.lastPollError });
  }
}

function parse(text) {
  if (text === undefined || text === null || text === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    console.warn('switchboard: ignoring malformed event data', err);
    return undefined;
  }
}
