"""Ingest throughput over HTTP, loopback only, bounded: two rounds of 500 single-row POSTs on one
keep-alive connection, then 5,000 rows in POSTs of 500. Round 0 warms the JIT; read round 1.

Usage: start a server with no simulated traffic, then point this at its port:
    ./switchboard demo --port 8100 --data-dir /tmp/sb-ingest --simulate-rate 0 &
    python3 bench/ingest.py 8100
"""
import http.client
import json
import sys
import time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
c = http.client.HTTPConnection("127.0.0.1", port)
headers = {"content-type": "application/json"}


def post(rows):
    c.request("POST", "/api/ingest/bench/call_logs", body=json.dumps(rows), headers=headers)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"ingest answered {r.status}")


for rnd in range(2):
    t = time.time()
    for i in range(500):
        post({"id": f"s{rnd}-{i}", "status": "active", "started_at": "2026-11-23T14:00:00.000Z", "agent_config_id": f"a{i % 7}"})
    single = 500 / (time.time() - t)
    rows = [{"id": f"b{rnd}-{i}", "status": "active", "started_at": "2026-11-23T14:00:00.000Z", "agent_config_id": f"a{i % 7}"}
            for i in range(5000)]
    t = time.time()
    for k in range(0, 5000, 500):
        post(rows[k:k + 500])
    print(f"round {rnd}: {single:.0f} single-row posts/s; {5000 / (time.time() - t):.0f} rows/s in posts of 500")
