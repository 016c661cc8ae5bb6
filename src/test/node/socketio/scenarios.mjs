// Real socket.io-client scenarios against a Switchboard Socket.IO server; prints one JSON object.
// Usage: node scenarios.mjs <url> <scenario>   (scenarios: transport-polling, transport-websocket,
// transport-upgrade, rooms, refused, recovery). Exit code 0 unless the script itself broke.
import { io } from "socket.io-client";

const [url, scenario] = process.argv.slice(2);
const TIMEOUT = 10000;

function connect(opts = {}) {
  return io(url, { reconnection: false, forceNew: true, timeout: TIMEOUT, ...opts });
}

function once(emitter, event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${TIMEOUT} ms`)), TIMEOUT);
    emitter.once(event, (...args) => { clearTimeout(timer); resolve(args); });
  });
}

function connected(socket) {
  return new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (e) => reject(new Error(`connect_error: ${e.message}`)));
  });
}

// all the arguments of an acknowledgement (emitWithAck resolves with the first one only)
function ackOf(socket, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(TIMEOUT).emit(...args, (err, ...reply) => (err ? reject(err) : resolve(reply)));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Emit and ack both ways, and a binary round trip, over the given transports.
async function transport(transports, expectUpgrade) {
  const socket = connect({ auth: { token: "good" }, ...(transports ? { transports } : {}) });
  const upgraded = expectUpgrade ? once(socket.io.engine, "upgrade") : null;
  await connected(socket);
  if (upgraded) await upgraded;
  const echo = await ackOf(socket, "echo", 1, "two", { three: [true] });
  // the server asks us a question with an ack, then tells us what we answered
  socket.on("question", (q, ack) => ack(`answer to ${q}`));
  const answered = once(socket, "answer-was");
  socket.emit("ask-me");
  const [answer] = await answered;
  const [bytes] = await ackOf(socket, "echo", Buffer.from([1, 2, 3]));
  const result = {
    transport: socket.io.engine.transport.name,
    id: socket.id,
    echo,
    answer,
    binary: Array.from(new Uint8Array(bytes)),
    binaryType: bytes.constructor.name,
  };
  socket.disconnect();
  return result;
}

async function rooms() {
  const a = connect({ auth: { token: "good" } });
  const b = connect({ auth: { token: "good" }, transports: ["polling"] });
  await Promise.all([connected(a), connected(b)]);
  const gotA = [], gotB = [];
  a.on("room-message", (m) => gotA.push(m));
  b.on("room-message", (m) => gotB.push(m));
  await a.timeout(TIMEOUT).emitWithAck("join", "r1");
  await b.timeout(TIMEOUT).emitWithAck("to-room", "r1", "hello r1");
  await b.timeout(TIMEOUT).emitWithAck("to-room", "r2", "hello r2");
  await a.timeout(TIMEOUT).emitWithAck("leave", "r1");
  await b.timeout(TIMEOUT).emitWithAck("to-room", "r1", "after leave");
  await sleep(300);
  a.disconnect();
  b.disconnect();
  return { a: gotA, b: gotB };
}

async function refused() {
  const bad = connect({ auth: { token: "bad" } });
  const [err] = await once(bad, "connect_error");
  bad.close();
  const nope = io(url + "nope", { reconnection: false, forceNew: true, auth: { token: "good" } });
  const [err2] = await once(nope, "connect_error");
  nope.close();
  return { badToken: { message: err.message, data: err.data ?? null }, unknownNamespace: { message: err2.message } };
}

// Connection state recovery: receive ticks, drop the connection while the server publishes more,
// reconnect: the server replays from our offset and confirms the recovery.
async function recovery() {
  const socket = io(url, {
    auth: { token: "good" }, forceNew: true, timeout: TIMEOUT,
    reconnectionDelay: 300, reconnectionDelayMax: 300, randomizationFactor: 0,
  });
  const ticks = [];
  socket.on("tick", (value, offset) => ticks.push({ value, offset }));
  await connected(socket);
  const firstRecovered = socket.recovered;
  await socket.timeout(TIMEOUT).emitWithAck("ticks", 3);
  await sleep(200);
  const pid = socket._pid;
  const lastOffset = socket._lastOffset;
  await socket.timeout(TIMEOUT).emitWithAck("ticks-later", 2, 100);
  const reconnected = once(socket, "connect");
  socket.io.engine.close(); // a dropped transport: the client reconnects on its own
  await reconnected;
  await sleep(500);
  await socket.timeout(TIMEOUT).emitWithAck("ticks", 1);
  await sleep(200);
  const result = { firstRecovered, recovered: socket.recovered, pid, lastOffset, ticks };
  socket.disconnect();
  return result;
}

// The server disconnects the socket: the client hears "io server disconnect" and does not reconnect.
async function serverDisconnect() {
  const socket = io(url, { auth: { token: "good" }, forceNew: true, timeout: TIMEOUT });
  await connected(socket);
  const gone = once(socket, "disconnect");
  socket.emit("kick-me");
  const [reason] = await gone;
  await sleep(300);
  const result = { reason, active: socket.active, connected: socket.connected };
  socket.close();
  return result;
}

const scenarios = {
  "server-disconnect": serverDisconnect,
  "transport-polling": () => transport(["polling"], false),
  "transport-websocket": () => transport(["websocket"], false),
  "transport-upgrade": () => transport(null, true),
  rooms,
  refused,
  recovery,
};

try {
  const run = scenarios[scenario];
  if (!run) throw new Error(`unknown scenario ${scenario}`);
  console.log(JSON.stringify({ ok: true, result: await run() }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e) }));
  process.exit(0);
}
