"""Bytes saved by gzip: a dashboard snapshot, and an SSE stream over N changes. Loopback only, bounded.

Fetches the snapshot with and without Accept-Encoding: gzip, then opens the same SSE stream twice
at once (one asking for gzip), posts N rows one by one, and counts the body bytes each stream
received (with any chunked framing: what crosses the wire after the headers) until the plain
stream has every change. The gzip body is decompressed and checked to hold the same events.

With "memory N PID" it measures instead what N idle SSE streams add to the server's resident
memory (PID is the server's process), plain and then gzip: a gzip stream keeps its compressor.

Usage: start a server, let it fill a dashboard, then point this at its port:
    ./switchboard demo --port 8100 --data-dir /tmp/sb-gzip &      # simulated traffic fills the demo tenants
    # after a minute or two, stop it and start it again on the same data without the simulator:
    ./switchboard demo --port 8100 --data-dir /tmp/sb-gzip --simulate-rate 0 &
    python3 bench/gzip.py 8100 [events=500] [tenant=demo-call-center] [dashboard=calls] [dataset=call_logs]
    python3 bench/gzip.py 8100 memory 400 "$(pgrep -f 'port 8100')"
"""
import http.client
import json
import socket
import sys
import threading
import time
import zlib

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
MEMORY = len(sys.argv) > 2 and sys.argv[2] == "memory"
if MEMORY:
    MEMORY_ARGS = sys.argv[3:5]
    sys.argv = sys.argv[:2]
events = int(sys.argv[2]) if len(sys.argv) > 2 else 500
tenant = sys.argv[3] if len(sys.argv) > 3 else "demo-call-center"
dashboard = sys.argv[4] if len(sys.argv) > 4 else "calls"
dataset = sys.argv[5] if len(sys.argv) > 5 else "call_logs"
HOST = "127.0.0.1"


def snapshot(gzip):
    c = http.client.HTTPConnection(HOST, port, timeout=20)
    c.request("GET", f"/api/dashboards/{dashboard}/{tenant}", headers={"Accept-Encoding": "gzip"} if gzip else {})
    r = c.getresponse()
    body = r.read()  # http.client does not decompress: these are the wire bytes
    if r.status != 200:
        sys.exit(f"snapshot answered {r.status}: {body[:200]!r}")
    enc = r.getheader("Content-Encoding") or "identity"
    c.close()
    return body, enc


class Stream(threading.Thread):
    """A raw HTTP/1.1 SSE connection; keeps the body bytes as received (after the headers)."""

    def __init__(self, gzip, query):
        super().__init__(daemon=True)
        self.sock = socket.create_connection((HOST, port), timeout=30)
        path = f"/api/events/{tenant}?{query}"
        extra = "Accept-Encoding: gzip\r\n" if gzip else ""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.raw = bytearray()
        self.head = None
        self.start()

    def run(self):
        buf = bytearray()
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                if self.head is None:
                    buf += data
                    end = buf.find(b"\r\n\r\n")
                    if end >= 0:
                        self.head = bytes(buf[:end]).decode("latin-1")
                        self.raw += buf[end + 4:]
                else:
                    self.raw += data
        except OSError:
            return

    def body(self):
        """The body with the chunked framing removed (a stream that ends by closing is not chunked)."""
        if "transfer-encoding: chunked" not in (self.head or "").lower():
            return bytes(self.raw)
        out, data, i = bytearray(), bytes(self.raw), 0
        while i < len(data):
            eol = data.find(b"\r\n", i)
            if eol < 0:
                break
            size = int(data[i:eol].split(b";")[0], 16)
            if size == 0 or eol + 2 + size > len(data):
                break
            out += data[eol + 2:eol + 2 + size]
            i = eol + 2 + size + 2
        return bytes(out)

    def close(self):
        self.sock.close()


def changes(text, prefix):
    """Change events of this run's rows in an SSE text."""
    return sum(1 for block in text.split("\n\n") if "event: change\n" in block and f'"key":"{prefix}' in block)


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))


def memory(n, pid):
    """Resident memory N idle streams of one dataset add to the server, plain then gzip (one change each, so gzip ones compressed)."""
    for gzip in (False, True, False):
        time.sleep(3)
        r0 = rss(pid)
        streams = [Stream(gzip, f"datasets={dataset}") for _ in range(n)]
        time.sleep(3)
        c = http.client.HTTPConnection(HOST, port, timeout=20)
        c.request("POST", f"/api/ingest/{tenant}/{dataset}", headers={"Content-Type": "application/json"}, body=json.dumps(
            {"id": f"gzmem{time.time()}", "status": "active", "started_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}))
        c.getresponse().read()
        time.sleep(3)
        grew = rss(pid) - r0
        print(f"{'gzip' if gzip else 'plain'}: {n} streams, server RSS +{grew / 1024:.1f} MB, {grew / n:.0f} KB per stream")
        for st in streams:
            st.close()


if MEMORY:
    memory(int(MEMORY_ARGS[0]), MEMORY_ARGS[1])
    sys.exit(0)

plain_snap, _ = snapshot(False)
gz_snap, enc = snapshot(True)
if enc != "gzip":
    sys.exit(f"the server did not gzip the snapshot (Content-Encoding: {enc})")
assert json.loads(zlib.decompress(gz_snap, 16 + zlib.MAX_WBITS))["dashboard"] == dashboard

def stream(query, label):
    """Opens the plain and the gzip stream, posts the rows, and returns the bytes each received."""
    plain, gz = Stream(False, query), Stream(True, query)
    time.sleep(1.0)  # both opened (their snapshots are in)
    before_plain, before_gz = len(plain.raw), len(gz.raw)
    run = f"gzb{int(time.time() * 1000)}-"
    c = http.client.HTTPConnection(HOST, port, timeout=20)
    for i in range(events):
        row = {"id": f"{run}{i}", "status": "active" if i % 3 else "ended", "outcome": None if i % 3 else "completed",
               "agent_config_id": f"agent-{i % 7}", "phone_number": f"+1555{i:07d}", "direction": "inbound",
               "started_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "duration": i % 300}
        c.request("POST", f"/api/ingest/{tenant}/{dataset}", body=json.dumps(row), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"ingest answered {r.status}")
    deadline = time.time() + 30
    while time.time() < deadline and changes(plain.body().decode("utf-8", "replace"), run) < events:
        time.sleep(0.2)
    time.sleep(0.5)
    plain.close()
    gz.close()
    plain.join(5)
    gz.join(5)
    if "content-encoding: gzip" not in gz.head.lower():
        sys.exit("the server did not gzip the stream")
    got_plain = changes(plain.body().decode("utf-8", "replace"), run)
    got_gz = changes(zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(gz.body()).decode("utf-8", "replace"), run)
    print(f"{label}: change events of the posted rows seen: plain {got_plain}, gzip {got_gz}")
    return len(plain.raw) - before_plain, len(gz.raw) - before_gz


def row(what, p, g):
    print(f"| {what} | {p:,} | {g:,} | {g / p:.2f} | {100 * (1 - g / p):.0f}% |")


with_dashboard = stream(f"dashboards={dashboard}&datasets={dataset}", f"{dashboard} + {dataset}")
changes_only = stream(f"datasets={dataset}", f"{dataset} only")
print(f"tenant {tenant}; {events} rows posted one by one per stream")
print("| what | plain bytes | gzip bytes | ratio | saved |")
print("|:--|--:|--:|--:|--:|")
row(f"snapshot `{dashboard}` JSON", len(plain_snap), len(gz_snap))
row(f"SSE `dashboards={dashboard}&datasets={dataset}`, {events} rows (changes + deltas)", *with_dashboard)
row("  per row", with_dashboard[0] // events, with_dashboard[1] // events)
row(f"SSE `datasets={dataset}`, {events} rows (changes only)", *changes_only)
row("  per row", changes_only[0] // events, changes_only[1] // events)
