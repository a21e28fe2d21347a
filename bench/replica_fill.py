#!/usr/bin/env python3
"""Times how long a new replica of a global table takes to become ACTIVE (the fill).

Starts two Tidemark servers from target/tidemark.jar (regions us-east-1 and eu-west-1, peers of
each other), loads --mib MiB of 1 KB items into a table of the first, then adds a replica in the
second and polls DescribeTable until the replica is ACTIVE. Prints the load time, the fill time
and the fill rate. A one-off measurement, not part of bench/run.sh: run it on a quiet machine.

    python3 bench/replica_fill.py --mib 64
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Client, free_port, try_once  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGIONS = ("us-east-1", "eu-west-1")


def start(workdir, region, port, peer_region, peer_port, secret, heap):
    os.makedirs(workdir, exist_ok=True)
    log = open(os.path.join(workdir, "server.log"), "w")
    cmd = ["java", "-Xmx" + heap, "-jar", os.path.join(REPO, "target", "tidemark.jar"),
           "--port", str(port), "--region", region,
           "--data-dir", os.path.join(workdir, "data"),
           "--backup-dir", os.path.join(workdir, "backups"),
           "--replication-secret-file", secret,
           "--peer", "%s=http://127.0.0.1:%d" % (peer_region, peer_port)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if try_once(port, "ListTables", {}) is not None:
            return proc
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server %s did not start; see %s" % (region, workdir))


def load(port, items, threads=4):
    pad = "x" * 1000

    def work(first):
        c = Client(port)
        for start_at in range(first * 25, items, 25 * threads):
            batch = [{"PutRequest": {"Item": {"pk": {"S": "k%08d" % n}, "pad": {"S": pad}}}}
                     for n in range(start_at, min(items, start_at + 25))]
            left = {"fill": batch}
            while left:
                left = c.call("BatchWriteItem", {"RequestItems": left}).get("UnprocessedItems") or None
        c.close()

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=64, help="table size to fill, in MiB of 1 KB items")
    ap.add_argument("--heap", default="512m", help="-Xmx of each server")
    args = ap.parse_args()
    items = args.mib * 1024
    tmp = tempfile.mkdtemp(prefix="replica-fill-")
    secret = os.path.join(tmp, "secret")
    with open(secret, "w") as f:
        f.write("replica-fill-measurement-secret-0123456789")
    ports = (free_port(), free_port())
    procs = []
    try:
        for i in (0, 1):
            procs.append(start(os.path.join(tmp, REGIONS[i]), REGIONS[i], ports[i],
                               REGIONS[1 - i], ports[1 - i], secret, args.heap))
        east = Client(ports[0])
        east.call("CreateTable", {
            "TableName": "fill", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        t0 = time.time()
        load(ports[0], items)
        loaded = time.time() - t0
        t1 = time.time()
        east.call("UpdateTable", {"TableName": "fill",
                                  "ReplicaUpdates": [{"Create": {"RegionName": REGIONS[1]}}]})
        while True:
            d = east.call("DescribeTable", {"TableName": "fill"})["Table"]
            if all(r.get("ReplicaStatus") == "ACTIVE" for r in d.get("Replicas", [])):
                break
            time.sleep(0.05)
        fill = time.time() - t1
        count = Client(ports[1]).call("DescribeTable", {"TableName": "fill"})["Table"]["ItemCount"]
        print("loaded %d items (%d MiB) in %.1f s; replica ACTIVE after %.2f s (%.1f MiB/s); "
              "the replica's ItemCount is %d" % (items, args.mib, loaded, fill, args.mib / fill, count))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
