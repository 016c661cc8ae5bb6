// Records a Socket.IO stream as a client sees it, across connection drops, and prints a JSON summary.
// Reused by the transport tests: connect with socket.io-client, record every event with its offset
// (the last argument when it is a string, as socket.io-client itself does for recovery), drop the
// connection at random moments (the client reconnects and recovers on its own), stop, summarize.
//
//   node recorder.mjs --url http://127.0.0.1:8080/ [--namespace /] [--auth '{"token":"..."}']
//        [--transports polling,websocket] [--events tick,delta] (default: every event)
//        [--count N] [--until-offset X] [--duration-ms 10000] [--timeout-ms 30000]
//        [--drops 5] [--drop-min-ms 50] [--drop-max-ms 400] [--seed 1] [--emit event:jsonArgs]
//        [--keep-args] [--until-disconnect]
//
// Output (one line of JSON): {ok, events: [{event, offset, args?, connection}], connections:
// [{id, recovered, transport}], disconnects: [reason], drops, offsets, duplicates, elapsedMs, error?}
import { io } from "socket.io-client";

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith("--")) throw new Error(`unexpected argument ${k}`);
    const name = k.slice(2);
    if (name === "keep-args" || name === "until-disconnect") { o[name] = true; continue; }
    o[name] = argv[++i];
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (!opts.url) throw new Error("--url is required");
const namespace = opts.namespace ?? "/";
const auth = opts.auth ? JSON.parse(opts.auth) : {};
const transports = opts.transports ? opts.transports.split(",") : undefined;
const only = opts.events ? new Set(opts.events.split(",")) : null;
const count = opts.count ? Number(opts.count) : Infinity;
const untilOffset = opts["until-offset"];
const duration = Number(opts["duration-ms"] ?? 0);
const timeout = Number(opts["timeout-ms"] ?? 30000);
const drops = Number(opts.drops ?? 0);
const dropMin = Number(opts["drop-min-ms"] ?? 50);
const dropMax = Number(opts["drop-max-ms"] ?? 400);
const keepArgs = Boolean(opts["keep-args"]);

// a small seeded PRNG (mulberry32), so that a failing run can be repeated
let seed = Number(opts.seed ?? Date.now()) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const started = Date.now();
const events = [];
const connections = [];
const disconnects = [];
let dropped = 0;

const base = opts.url.replace(/\/$/, "");
const socket = io(base + (namespace === "/" ? "/" : namespace), {
  auth, forceNew: true, ...(transports ? { transports } : {}),
  reconnectionDelay: 100, reconnectionDelayMax: 500, randomizationFactor: 0.5, timeout: 10000,
});

function finish(ok, error) {
  const offsets = events.map((e) => e.offset).filter((o) => o !== null);
  const seen = new Set();
  const duplicates = [];
  for (const o of offsets) {
    if (seen.has(o)) duplicates.push(o);
    seen.add(o);
  }
  const summary = {
    ok, ...(error ? { error } : {}), events, connections, disconnects, drops: dropped,
    offsets, duplicates, elapsedMs: Date.now() - started, seedUsed: opts.seed ?? null,
  };
  console.log(JSON.stringify(summary));
  socket.disconnect();
  process.exit(0);
}

socket.onAny((event, ...args) => {
  if (only && !only.has(event)) return;
  const last = args.length ? args[args.length - 1] : undefined;
  const offset = typeof last === "string" ? last : null;
  events.push({ event, offset, ...(keepArgs ? { args } : {}), connection: connections.length, connected: socket.connected });
  if (events.length >= count || (untilOffset !== undefined && offset === untilOffset)) finish(true);
});

socket.on("connect", () => {
  connections.push({ id: socket.id, recovered: Boolean(socket.recovered), transport: socket.io.engine.transport.name, at: Date.now() - started });
  if (connections.length === 1 && opts.emit) {
    const at = opts.emit.indexOf(":");
    const name = at < 0 ? opts.emit : opts.emit.slice(0, at);
    const args = at < 0 ? [] : JSON.parse(opts.emit.slice(at + 1));
    socket.emit(name, ...args);
  }
});
socket.on("disconnect", (reason) => {
  disconnects.push({ reason, lastOffset: socket._lastOffset ?? null, at: Date.now() - started });
  if (opts["until-disconnect"]) finish(true);
});
socket.on("connect_error", (e) => {
  if (!socket.active) finish(false, `connect_error: ${e.message}`);
});

function scheduleDrop() {
  if (dropped >= drops) return;
  setTimeout(() => {
    if (socket.connected) {
      dropped++;
      socket.io.engine.close(); // as a network cut: the client reconnects and sends pid + offset
    }
    scheduleDrop();
  }, dropMin + random() * (dropMax - dropMin));
}
scheduleDrop();

if (duration > 0) setTimeout(() => finish(true), duration);
setTimeout(() => finish(false, `timeout after ${timeout} ms with ${events.length} events`), timeout);
