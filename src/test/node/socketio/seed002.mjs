// Seed 002's own "WebSocket Test" (seeds/002_040115d94fe3f3ad.txt lines 412-428), as the seed
// writes it, plus what follows: a call starts (posted to the server's ingest), and the client
// must see call_event, metrics_update and active_calls_update for it; ping gets pong.
//
//   node seed002.mjs --url http://127.0.0.1:8080 --user test_user [--token JWT] [--ingest-token JWT]
//
// Prints one line of JSON: {ok, connected, initial_state, events: [{event, data}], error?}
import { io } from "socket.io-client";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const url = args.url;
const user = args.user;
const auth = { user_id: user };
if (args.token) auth.token = args.token;
const out = { ok: false, events: [] };
const done = (error) => {
  if (error) out.error = String(error);
  console.log(JSON.stringify(out));
  socket.close();
  process.exit(0);
};
setTimeout(() => done("timed out"), 25000);

// --- the seed's snippet, lines 414-428 ---
const socket = io(url, {
  auth: auth
});

socket.on('connected', (data) => {
  out.connected = data;
});

socket.on('initial_state', (data) => {
  out.initial_state = data;
  if (!out.started) {
    out.started = true;
    socket.emit('ping');
    startCall().catch(done);
  }
});

socket.emit('subscribe', { stream: 'metrics' });
// --- end of the seed's snippet ---

socket.on('connect_error', (e) => done("connect_error: " + e.message + " " + JSON.stringify(e.data ?? {})));
for (const name of ['call_event', 'metrics_update', 'active_calls_update', 'pong', 'subscribed', 'error']) {
  socket.on(name, (data) => {
    out.events.push({ event: name, data });
    const seen = (n) => out.events.some((e) => e.event === n);
    const started = out.events.some((e) => e.event === 'call_event' && e.data.type === 'call_started' && e.data.call.id === 'sio-call-1');
    if (started && seen('metrics_update') && seen('active_calls_update') && seen('pong')) {
      out.ok = true;
      done();
    }
  });
}

async function startCall() {
  const headers = { 'Content-Type': 'application/json' };
  if (args['ingest-token']) headers.Authorization = 'Bearer ' + args['ingest-token'];
  const r = await fetch(url + '/api/ingest/' + user + '/call_logs', {
    method: 'POST', headers,
    body: JSON.stringify({ id: 'sio-call-1', status: 'active', started_at: new Date().toISOString(),
      phone_number: '+15550199', direction: 'inbound', agent_config_id: 'agent-a' }),
  });
  if (r.status !== 200) throw new Error('ingest answered ' + r.status + ' ' + await r.text());
}
