#!/usr/bin/env python3
"""Multi-Region strong consistency (MRSC) beside eventual consistency (MREC) between three Tidemark
regions on this machine, with an added delay on every link between regions.

    bench/run.sh --strong-consistency [--delay-ms 20] [--duration 20] [--threads 4] [--size 256]
                                      [--smoke] [--out DIR]

Three servers (us-east-1, eu-west-1, ap-southeast-2) reach each other only through delaying TCP
proxies: every byte between two regions, consensus (Raft over gRPC, through
--consensus-advertised-port) and peer HTTP alike, arrives --delay-ms later (each way, so a round
trip between two regions costs 2 x delay more than on loopback). A region's clients reach it
directly, and its own Raft client reaches its own Raft server directly.

Two tables: "strong" (MultiRegionConsistency STRONG) and "eventual" (replicas, last writer wins).
For each, one load process per region runs --threads closed-loop clients for --duration seconds:
PutItem of --size bytes on random keys of the client's own (so no ReplicatedWriteConflict), then
strongly consistent GetItems of those keys on the strong table, then eventually consistent ones.
Reported per region and overall: p50 and p99 latency, and throughput (closed loop: throughput is
threads / latency when the latency is the delay, not the servers' capacity).

AWS's published expectation (shared/design/reference/global-tables.md section 2.7, from the
"Using DynamoDB global tables" guide): an MRSC write and a strong read cost about one round trip
to the nearest other region; eventually consistent reads cost nothing extra.

Needs java and python3 (as bench/run.sh). Only the standard library.
"""
import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import random
import re
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


# ---------------------------------------------------------------------------------------------
# The delaying proxy: one listening port per (region, kind), forwarding to the region's real port.


async def _pipe(reader, writer, delay):
    """Copies reader to writer, each chunk `delay` seconds after it arrived, in order."""
    queue = asyncio.Queue()

    async def pump_in():
        try:
            while True:
                data = await reader.read(65536)
                queue.put_nowait((time.monotonic() + delay, data))
                if not data:
                    return
        except (ConnectionError, OSError):
            queue.put_nowait((time.monotonic() + delay, b""))

    async def pump_out():
        try:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    await asyncio.gather(pump_in(), pump_out())


async def _serve(links, delay):
    def handler_for(upstream):
        async def handle(r1, w1):
            try:
                r2, w2 = await asyncio.open_connection("127.0.0.1", upstream)
            except OSError:
                w1.close()
                return
            await asyncio.gather(_pipe(r1, w2, delay), _pipe(r2, w1, delay))
        return handle

    servers = []
    for listen, upstream in links:
        servers.append(await asyncio.start_server(handler_for(upstream), "127.0.0.1", listen))
    await asyncio.gather(*(s.serve_forever() for s in servers))


def run_proxies(links, delay_ms):
    """A process: the delaying proxies for [(listen port, upstream port)]."""
    asyncio.run(_serve(links, delay_ms / 1000.0))


# ---------------------------------------------------------------------------------------------
# Regions


class Region(h.Server):
    """A Tidemark region whose peers and consensus are reached through the proxies."""

    def __init__(self, workdir, region, port, consensus, advertised, peers, secret_file):
        super().__init__("tidemark", workdir, log_name="tidemark-%s.log" % region)
        self.region = region
        self.fixed_port = port
        self.consensus = consensus
        self.advertised = advertised
        self.peers = peers  # {region: proxied HTTP port}
        self.secret_file = secret_file

    def command(self):
        extra = ["--region", self.region, "--replication-secret-file", self.secret_file,
                 "--consensus-port", str(self.consensus),
                 "--consensus-advertised-port", str(self.advertised)]
        for r, p in self.peers.items():
            extra += ["--peer", "%s=http://127.0.0.1:%d" % (r, p)]
        return super().command() + extra


def start_region(s):
    # Server.start picks a free port; a region's must be the one its peers were told.
    orig = h.free_port
    h.free_port = lambda: s.fixed_port
    try:
        s.start()
    finally:
        h.free_port = orig
    return s


def leader_of(regions):
    """The sender of the highest-term appendEntries that Ratis logged (it logs no role change at
    the servers' log level, but it warns of a follower's failed appends, as while a group forms);
    None when no region logged one."""
    best = None
    for s in regions:
        with open(s.log_path, errors="replace") as f:
            for m in re.finditer(r"([a-z0-9-]+)->[a-z0-9-]+#\d+-t(\d+)", f.read()):
                term = int(m.group(2))
                if best is None or term > best[0]:
                    best = (term, m.group(1))
    return best[1] if best else None


# ---------------------------------------------------------------------------------------------
# Load


def loader(region_index, port, table, phase, duration, threads, size, seed, queue):
    """One process: `threads` closed-loop clients of one region for `duration` seconds."""
    payload = h.random_payload(h.payload_len(size))
    results = []
    lock = threading.Lock()
    t_end = time.monotonic() + duration

    def worker(tid):
        c = h.Client(port, timeout=60)
        r = random.Random(seed * 1000 + tid)
        lat, errors = [], {}
        own = ["%s-%d-%d-%d" % (phase, region_index, tid, k) for k in range(200)]
        while time.monotonic() < t_end:
            pk = r.choice(own)
            if phase == "write":
                op, body = "PutItem", {"TableName": table, "Item": {"pk": {"S": pk}, "d": {"S": payload}}}
            else:
                op = "GetItem"
                body = {"TableName": table, "Key": {"pk": {"S": pk}},
                        "ConsistentRead": phase == "strong-read"}
            s = time.monotonic()
            try:
                c.call(op, body)
                lat.append(time.monotonic() - s)
            except h.DynamoError as e:
                errors[e.type] = errors.get(e.type, 0) + 1
            except OSError as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
        c.close()
        with lock:
            results.append((lat, errors))

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat = sorted(x for l, _ in results for x in l)
    errors = {}
    for _, e in results:
        for k, v in e.items():
            errors[k] = errors.get(k, 0) + v
    queue.put({"region": REGIONS[region_index], "ops": len(lat), "seconds": time.monotonic() - t0,
               "latencies": lat, "errors": errors})


def run_phase(regions, table, phase, args):
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    procs = [ctx.Process(target=loader, args=(n, s.port, table, phase, args.duration, args.threads,
                                               args.size, args.seed + n, q))
             for n, s in enumerate(regions)]
    for p in procs:
        p.start()
    loads = [q.get(timeout=args.duration * 4 + 120) for _ in procs]
    for p in procs:
        p.join()
    per = {}
    for x in loads:
        per[x["region"]] = summary(x["latencies"], x["ops"] / x["seconds"], x["errors"])
    every = sorted(v for x in loads for v in x["latencies"])
    total = summary(every, sum(x["ops"] / x["seconds"] for x in loads),
                    {k: sum(x["errors"].get(k, 0) for x in loads) for x in loads for k in x["errors"]})
    h.log("%-8s %-12s %7.0f ops/s  p50 %7.1f ms  p99 %7.1f ms  errors %s" % (
        table, phase, total["ops_per_s"], total["p50_ms"] or -1, total["p99_ms"] or -1, total["errors"]))
    return {"regions": per, "all": total}


def summary(lat, rate, errors):
    return {"ops": len(lat), "ops_per_s": rate,
            "p50_ms": 1000 * h.pct(lat, 50) if lat else None,
            "p99_ms": 1000 * h.pct(lat, 99) if lat else None,
            "errors": errors}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--delay-ms", type=float, default=20.0, help="added delay per link, each way")
    ap.add_argument("--duration", type=int, default=20, help="seconds per measured phase")
    ap.add_argument("--threads", type=int, default=4, help="closed-loop clients per region")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--smoke", action="store_true", help="3 s phases, to check the harness")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    if args.smoke:
        args.duration = 3
    workdir = os.path.abspath(args.out) if args.out else tempfile.mkdtemp(prefix="tidemark-mrsc-bench-")
    os.makedirs(workdir, exist_ok=True)
    secret = os.path.join(workdir, "secret")
    with open(secret, "w") as f:
        f.write(base64.b64encode(os.urandom(32)).decode())

    http = {r: h.free_port() for r in REGIONS}
    http_proxy = {r: h.free_port() for r in REGIONS}
    raft = {r: h.free_port() for r in REGIONS}
    raft_proxy = {r: h.free_port() for r in REGIONS}
    links = [(http_proxy[r], http[r]) for r in REGIONS] + [(raft_proxy[r], raft[r]) for r in REGIONS]
    # Forked before any thread exists: a fork while a thread holds a lock can hang.
    proxies = multiprocessing.get_context("fork").Process(target=run_proxies, args=(links, args.delay_ms))
    proxies.start()
    regions = []
    results = {"args": vars(args), "date": time.strftime("%Y-%m-%d %H:%M:%S"),
               "load_average_before": os.getloadavg()}
    try:
        for r in REGIONS:
            peers = {o: http_proxy[o] for o in REGIONS if o != r}
            regions.append(start_region(Region(os.path.join(workdir, r), r, http[r], raft[r],
                                               raft_proxy[r], peers, secret)))
        for s in regions:
            s.wait_ready()
        c = h.Client(regions[0].port)
        h.create_table(c, "strong")
        c.call("UpdateTable", {"TableName": "strong", "MultiRegionConsistency": "STRONG",
                               "ReplicaUpdates": [{"Create": {"RegionName": r}} for r in REGIONS[1:]]})
        h.create_table(c, "eventual")
        for r in REGIONS[1:]:
            c.call("UpdateTable", {"TableName": "eventual", "ReplicaUpdates": [{"Create": {"RegionName": r}}]})
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                reps = c.call("DescribeTable", {"TableName": "eventual"})["Table"].get("Replicas", [])
                if any(x["RegionName"] == r and x.get("ReplicaStatus") == "ACTIVE" for x in reps):
                    break
                time.sleep(0.1)
        c.close()
        results["strong_write"] = run_phase(regions, "strong", "write", args)
        results["leader"] = leader_of(regions)
        results["eventual_write"] = run_phase(regions, "eventual", "write", args)
        results["strong_read"] = run_phase(regions, "strong", "strong-read", args)
        results["strong_table_eventual_read"] = run_phase(regions, "strong", "eventual-read", args)
    finally:
        for s in regions:
            s.stop()
        proxies.terminate()
        proxies.join()
    results["load_average_after"] = os.getloadavg()
    with open(os.path.join(workdir, "strong-consistency.json"), "w") as f:
        json.dump(results, f, indent=2, default=str)
    report(results)
    h.log("results in %s" % workdir)


def report(r):
    a = r["args"]
    rtt = 2 * a["delay_ms"]
    print("\nMRSC vs MREC, three regions, +%.0f ms per link each way (an inter-region round trip"
          " = +%.0f ms), %d closed-loop clients per region, %d s per phase, %d B items; Raft"
          " leader: %s; load average before %s" % (
              a["delay_ms"], rtt, a["threads"], a["duration"], a["size"], r.get("leader"),
              " ".join("%.1f" % x for x in r["load_average_before"])))
    print("\n| phase | region | ops/s | p50 ms | p99 ms | p50 in round trips | errors |")
    print("|---|---|---|---|---|---|---|")
    for key, label in (("strong_write", "PutItem, STRONG"), ("eventual_write", "PutItem, EVENTUAL"),
                       ("strong_read", "GetItem ConsistentRead, STRONG"),
                       ("strong_table_eventual_read", "GetItem eventual, STRONG")):
        p = r[key]
        for region, s in list(p["regions"].items()) + [("all", p["all"])]:
            print("| %s | %s%s | %.0f | %s | %s | %s | %s |" % (
                label, region, " (leader)" if region == r.get("leader") else "", s["ops_per_s"],
                f1(s["p50_ms"]), f1(s["p99_ms"]),
                "-" if s["p50_ms"] is None or rtt <= 0 else "%.2f" % (s["p50_ms"] / rtt),
                s["errors"] or "-"))
    print("\nAWS's expectation (reference global-tables.md 2.7): an MRSC write or strong read costs"
          " about one round trip to the nearest other region (here %.0f ms)." % rtt)


def f1(v):
    return "-" if v is None else "%.1f" % v


if __name__ == "__main__":
    main()
