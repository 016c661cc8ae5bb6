// Minimal Socket.IO v4 server, the baseline of `./switchboard bench fanout`.
// Every client joins one room; POST /publish with a JSON array of rows emits one `change`
// event per row to the room (io.to(room).emit), then answers {"count": n}. GET /count
// answers the room's size. Listens on 127.0.0.1, port argv[2] (0 = any free port), and prints
// "listening <port>" once ready. Stops on SIGTERM or when its stdin closes.
'use strict';
const http = require('http');
const { Server } = require('socket.io');

const ROOM = 'bench';
let position = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let rows;
      try {
        rows = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'malformed JSON: ' + e.message, status: 400 }));
        return;
      }
      if (!Array.isArray(rows)) rows = [rows];
      for (const row of rows) {
        position++;
        io.to(ROOM).emit('change', { dataset: 'call_logs', op: 'c', key: row.id, before: null, after: row, position });
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ count: rows.length, position }));
    });
    return;
  }
  if (req.method === 'GET' && req.url === '/count') {
    const room = io.of('/').adapter.rooms.get(ROOM);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ subscribers: room ? room.size : 0 }));
    return;
  }
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: 'POST /publish or GET /count', status: 404 }));
});

const io = new Server(server, { serveClient: false, transports: ['websocket'] });
io.on('connection', (socket) => socket.join(ROOM));

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log('listening ' + server.address().port);
});
const stop = () => { io.close(); server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
