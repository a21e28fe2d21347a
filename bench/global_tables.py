#!/usr/bin/env python3
"""Global tables between three Tidemark regions on this machine: replication lag under a steady
write load, write throughput with replication on beside off, and the time to make a replica of a
loaded table ACTIVE.

    bench/run.sh --global-tables [--rate 5000] [--duration 60] [--size 1024] [--fill-mib 1024]
                                 [--wrk-duration 15] [--rounds 2] [--smoke] [--out DIR]

1. Lag. Three servers (us-east-1, eu-west-1, ap-southeast-2) peer with each other over loopback;
   a table in us-east-1 gets replicas in the other two. Three paced wrk processes (--loader wrk, the
   default: bench/wrk/dynamo.lua with BENCH_RATE), one per region, send 1 KB PutItems at a fixed
   total rate (--rate, spread evenly) with random keys, so every region writes and receives. The
   harness reports the CPU the load generator and each server used meanwhile: all share the cores.
   (--loader python is the earlier generator, Python threads, kept to compare its cost.) Every second the harness scrapes each server's /metrics for the lag it
   measures (commit in the origin region to apply here, over its last 8,192 applied records per
   origin): p50, p99 and max. Reported per region pair: the median and the largest of the per-second
   p99 samples, and the largest max. After the load, the harness waits for every backlog to drain
   and checks that the three tables hold the same item count. Before it, --warmup seconds (default
   20) of the same paced wrk load run unmeasured and drain: without it the JIT's compiling was about
   a quarter of a region's CPU inside a 45 s run, so lag and CPU were not steady-state. The per-second
   lag samples keep the last 8,192 records per origin, so the first few of the measured phase still
   hold records from the warm-up's end (the same rate, already warm). Also reported: the servers'
   CPU per acknowledged write (all three regions, whatever the load; the cost that sets the rate the
   machine can keep up with) and each region's CPU per thread group (Jetty, shippers, RocksDB, JIT).
2. Throughput. wrk PutItem (1 KB) against us-east-1's replicated table beside a fourth server with
   no peers, rounds alternating on/off/off/on. When the lag phase ran, the solo server first gets
   the load us-east-1 stored during it (--rate for --warmup plus --duration seconds), so that both
   sides have the same data and warmth behind them (--no-solo-history: the fresh solo server of
   sessions up to 10; --solo-stream: the solo table also gets the NEW_AND_OLD_IMAGES stream that
   replication turns on, so that on and off differ in stamps and shipping only). The two other
   regions run meanwhile, applying what
   us-east-1 ships, on the same cores: the cost of replication on this machine, not of a remote one.
   Then (unless --no-pin) the same rounds with each region as if on a host of its own: us-east-1
   (or the solo server) and wrk confined to CPU 0 with taskset, the two receiving regions to CPU 1.
   That is the issue's setting (a region is a server on its own host) as near as two cores allow:
   the writer pays for its streams, stamps and shipping, not for the other regions' applying.
3. Fill. A new table in us-east-1 loaded with --fill-mib of 1 KB items gets a replica in eu-west-1;
   timed from UpdateTable to the replica ACTIVE in DescribeTable. --fill-index keys|all gives the
   table a global secondary index on its number attribute c (projection KEYS_ONLY or ALL) first.

Needs java, python3 and wrk (as bench/run.sh). Only the standard library.
"""
import argparse
import base64
import json
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
TABLE = "global"


class Region(h.Server):
    """A Tidemark server named as a region, peering with the others on preassigned ports."""

    def __init__(self, workdir, region, port, peers, secret_file):
        # BENCH_TIDEMARK_JAVA_OPTS reaches every region (a JFR recording: filename=...%p.jfr).
        super().__init__("tidemark", workdir, java_opts=os.environ.get("BENCH_TIDEMARK_JAVA_OPTS", ""),
                         log_name="tidemark-%s.log" % region)
        self.region = region
        self.fixed_port = port
        self.peers = peers  # {region: port}
        self.secret_file = secret_file

    def command(self):
        extra = ["--region", self.region]
        if self.peers:
            extra += ["--replication-secret-file", self.secret_file]
            for r, p in self.peers.items():
                extra += ["--peer", "%s=http://127.0.0.1:%d" % (r, p)]
        return super().command() + extra

    def metrics(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port, timeout=10) as r:
            return r.read().decode()


def start_region(workdir, region, port, peers, secret_file):
    s = Region(os.path.join(workdir, region), region, port, peers, secret_file)
    # Server.start picks a free port; a region's must be the one its peers were told.
    orig = h.free_port
    h.free_port = lambda: port
    try:
        s.start()
    finally:
        h.free_port = orig
    return s


SAMPLE = re.compile(r'^(tidemark_replication_[a-z_]+)\{([^}]*)\} (\S+)$', re.M)


def replication_samples(text):
    """{(name, from-or-peer, quantile): value} from a /metrics text."""
    out = {}
    for name, labels, value in SAMPLE.findall(text):
        lab = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        peer = lab.get("from") or lab.get("to") or lab.get("peer")
        out[(name, peer, lab.get("quantile"))] = float(value)
    return out


def create_replicated(client, table, replicas):
    h.create_table(client, table)
    for r in replicas:
        client.call("UpdateTable", {"TableName": table, "ReplicaUpdates": [{"Create": {"RegionName": r}}]})
        wait_replica_active(client, table, r)


def wait_replica_active(client, table, region, timeout=7200):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = client.call("DescribeTable", {"TableName": table})["Table"]
        for rep in t.get("Replicas", []):
            if rep["RegionName"] == region and rep.get("ReplicaStatus") == "ACTIVE":
                return
            if rep["RegionName"] == region and rep.get("ReplicaStatus") == "CREATION_FAILED":
                raise RuntimeError("replica %s of %s failed: %s" % (region, table, rep))
        time.sleep(0.05)
    raise RuntimeError("replica %s of %s not ACTIVE after %ss" % (region, table, timeout))


def loader(port, rate, duration, size, keys, seed, threads, queue):
    """One process: PutItems to one region at `rate` per second for `duration` seconds."""
    rnd = random.Random(seed)
    payloads = [h.random_payload(h.payload_len(size)) for _ in range(64)]
    latencies = []
    errors = [0]
    sent = [0]
    lock = threading.Lock()
    t0 = time.monotonic() + 0.5
    total = int(rate * duration)

    def worker(tid):
        c = h.Client(port, timeout=30)
        lat = []
        r = random.Random(seed * 1000 + tid)
        i = tid
        while i < total:
            due = t0 + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            item = {"pk": {"S": h.key(r.randrange(keys))}, "d": {"S": payloads[i % 64]},
                    "c": {"N": str(i)}}
            s = time.monotonic()
            try:
                c.call("PutItem", {"TableName": TABLE, "Item": item})
                lat.append(time.monotonic() - s)
            except Exception:  # noqa: BLE001 - counted
                with lock:
                    errors[0] += 1
            i += threads
        c.close()
        with lock:
            latencies.extend(lat)
            sent[0] += len(lat)

    rnd.random()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    queue.put({"port": port, "acked": sent[0], "errors": errors[0], "seconds": elapsed,
               "p50_ms": 1000 * h.pct(latencies, 50) if latencies else None,
               "p99_ms": 1000 * h.pct(latencies, 99) if latencies else None})


def wrk_loads(regions, args, duration=None, seed_offset=0, table=TABLE):
    """One paced wrk per region (bench/wrk/dynamo.lua with BENCH_RATE), all at once; returns the
    loader results in the shape loader() gives, plus the CPU seconds the wrk processes used."""
    per = args.rate / len(regions)
    duration = duration or args.duration
    procs = []
    import resource
    u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for n, s in enumerate(regions):
        env = dict(os.environ, BENCH_OP="put", BENCH_TABLE=table, BENCH_KEYS=str(args.keys),
                   BENCH_SIZE=str(args.size), BENCH_SEED=str(args.seed + seed_offset + n), BENCH_RATE=str(per),
                   BENCH_THREADS="1")
        cmd = ["wrk", "-t1", "-c%d" % args.load_connections, "-d%ds" % duration, "--timeout", "30s",
               "-s", h.LUA, "http://127.0.0.1:%d/" % s.port]
        procs.append((s, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)))
    loads = []
    for s, p in procs:
        text = p.communicate(timeout=duration * 4 + 120)[0].decode(errors="replace")
        res = None
        for line in text.splitlines():
            if line.startswith("BENCH_RESULT"):
                res = {k: float(v) for k, v in (x.split("=") for x in line.split()[1:])}
        if res is None:
            raise RuntimeError("wrk printed no BENCH_RESULT:\n" + text)
        errors = res["status_errors"] + res["socket_errors"] + res["timeouts"]
        loads.append({"port": s.port, "acked": int(res["requests"] - res["status_errors"]),
                      "errors": int(errors), "seconds": res["duration_us"] / 1e6,
                      "p50_ms": res["p50_us"] / 1000, "p99_ms": res["p99_us"] / 1000})
    u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (u1.ru_utime - u0.ru_utime) + (u1.ru_stime - u0.ru_stime)
    return loads, cpu


def thread_cpu(server):
    """{thread group: CPU seconds} of a running server (harness.thread_cpu)."""
    return h.thread_cpu(server.pid())


def thread_cpu_delta(before, after, wall):
    """Cores per thread group between two thread_cpu() readings, largest first (threads that ended
    in between are lost, which the total beside it shows)."""
    d = {k: (v - before.get(k, 0)) / wall for k, v in after.items()}
    return dict(sorted(((k, v) for k, v in d.items() if v >= 0.005), key=lambda kv: -kv[1]))


def warm_up(regions, args):
    """The same paced load as the measured phase, for --warmup seconds, results discarded: the JIT
    compiles the hot paths (C2 took about a quarter of a region's CPU inside a cold 45 s run) and
    the connection pools fill before anything is measured. Returns the seconds it took."""
    if args.warmup <= 0:
        return 0.0
    h.log("lag: warm-up, %d PutItem/s for %ds (not measured)" % (args.rate, args.warmup))
    t0 = time.monotonic()
    loads, _ = wrk_loads(regions, args, duration=args.warmup, seed_offset=1000)
    acked = {s.region: next(x["acked"] for x in loads if x["port"] == s.port) for s in regions}
    # Drained before the measured load starts, so that it does not inherit a backlog.
    wait_drained(regions, acked)
    return time.monotonic() - t0, acked


def lag_run(regions, args):
    warmup_s, warm_acked = warm_up(regions, args)
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    per = args.rate / len(regions)
    procs = [ctx.Process(target=loader, args=(s.port, per, args.duration, args.size, args.keys,
                                                args.seed + n, args.load_threads, q))
             for n, s in enumerate(regions)]
    samples = {s.region: [] for s in regions}
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            for s in regions:
                try:
                    samples[s.region].append(replication_samples(s.metrics()))
                except OSError:
                    pass
            stop.wait(1.0)

    h.log("lag: %d PutItem/s of %d B over %d regions for %ds (loader: %s)" % (
        args.rate, args.size, len(regions), args.duration, args.loader))
    import resource
    u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = {s.region: s.cpu_seconds() for s in regions}
    threads0 = {s.region: thread_cpu(s) for s in regions}
    t0 = time.monotonic()
    if args.loader == "python":
        # Forked before the sampler thread exists: a fork while a thread holds a lock can hang.
        for p in procs:
            p.start()
    st = threading.Thread(target=sampler)
    st.start()
    loads = []
    if args.loader == "python":
        for p in procs:
            loads.append(q.get(timeout=args.duration * 4 + 120))
        for p in procs:
            p.join()
        u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        loader_cpu = (u1.ru_utime - u0.ru_utime) + (u1.ru_stime - u0.ru_stime)
    else:
        loads, loader_cpu = wrk_loads(regions, args)
    wall = time.monotonic() - t0
    threads = {s.region: thread_cpu_delta(threads0[s.region], thread_cpu(s), wall) for s in regions}
    # Who used the two cores during the load: the generator against each server.
    cpu = {"wall_s": wall, "loader_cpu_s": loader_cpu, "loader_cores": loader_cpu / wall,
           "servers_cores": {s.region: (s.cpu_seconds() - cpu0[s.region]) / wall for s in regions}}
    h.log("lag: load CPU %.2f cores (%s); servers %s" % (
        cpu["loader_cores"], args.loader,
        ", ".join("%s %.2f" % kv for kv in cpu["servers_cores"].items())))
    acked_by_region = {s.region: next(x["acked"] for x in loads if x["port"] == s.port) for s in regions}
    # The applied counters include the warm-up's writes.
    drained_after = wait_drained(regions, {r: n + warm_acked[r] for r, n in acked_by_region.items()})
    stop.set()
    st.join()
    pairs = []
    for s in regions:
        for o in regions:
            if o is s:
                continue
            p99s = [x[("tidemark_replication_lag_seconds", o.region, "0.99")] for x in samples[s.region]
                    if ("tidemark_replication_lag_seconds", o.region, "0.99") in x]
            p50s = [x[("tidemark_replication_lag_seconds", o.region, "0.5")] for x in samples[s.region]
                    if ("tidemark_replication_lag_seconds", o.region, "0.5") in x]
            maxes = [x[("tidemark_replication_lag_max_seconds", o.region, None)] for x in samples[s.region]
                     if ("tidemark_replication_lag_max_seconds", o.region, None) in x]
            pairs.append({"from": o.region, "to": s.region,
                          "p50_ms_median": 1000 * statistics.median(p50s) if p50s else None,
                          "p99_ms_median": 1000 * statistics.median(p99s) if p99s else None,
                          "p99_ms_worst": 1000 * max(p99s) if p99s else None,
                          "max_ms": 1000 * max(maxes) if maxes else None,
                          "samples": len(p99s)})
    counts = [count_items(s.port) for s in regions]
    acked = sum(x["acked"] for x in loads)
    seconds = max(x["seconds"] for x in loads)
    servers_cpu = sum(cpu["servers_cores"].values()) * wall
    cpu["server_cpu_us_per_write"] = 1e6 * servers_cpu / acked if acked else None
    cpu["threads_cores"] = threads
    return {"target_rate": args.rate, "warmup_s": warmup_s, "achieved_rate": acked / seconds, "acked": acked,
            "errors": sum(x["errors"] for x in loads), "loads": loads, "pairs": pairs,
            "drained_after_s": drained_after, "item_counts": counts, "cpu": cpu,
            "converged_counts": len(set(counts)) == 1}


def wait_drained(regions, acked_by_region, timeout=600):
    """Seconds until every region has received every write acknowledged in every other region: its
    applied plus superseded count from that origin reaches what the origin's load acknowledged."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        behind = 0
        for s in regions:
            m = replication_samples(s.metrics())
            for o in regions:
                if o is s:
                    continue
                got = (m.get(("tidemark_replication_applied_total", o.region, None), 0)
                       + m.get(("tidemark_replication_superseded_total", o.region, None), 0))
                behind += max(0, acked_by_region[o.region] - got)
        if behind == 0:
            return time.monotonic() - t0
        time.sleep(0.2)
    return None


def count_items(port):
    c = h.Client(port)
    try:
        return h.scan_count(c, TABLE)
    finally:
        c.close()


def pin(server, cpus):
    """Confines every thread of a running server to the CPU list (threads it starts later inherit it)."""
    subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(server.pid())], check=True,
                   stdout=subprocess.DEVNULL)


def solo_history(solo, args):
    """Gives the solo server the history us-east-1 has from the lag phase: the same paced rate for
    the warm-up and the measured phase (us-east-1 stored every region's writes, at the total rate),
    so that on and off compare servers with the same data volume, compaction behind them and JIT
    warmth, and differ in replication only. Without it, on ran against a region holding some 500,000
    writes of items and change log and off against an empty, cold server."""
    seconds = args.warmup + args.duration
    h.log("throughput: solo server history, %d PutItem/s for %ds (not measured)" % (args.rate, seconds))
    t0 = time.monotonic()
    wrk_loads([solo], args, duration=seconds, seed_offset=2000, table="solo")
    return time.monotonic() - t0


def throughput(regions, solo, args, pinned=False):
    """PutItem rounds against us-east-1 (on) and the solo server (off). pinned: each region as if on
    a host of its own: the server under test (us-east-1, or the solo server) and wrk share CPU 0,
    the two receiving regions share CPU 1, so their applying does not take the writer's CPU."""
    if pinned:
        for s in [regions[0], solo]:
            pin(s, "0")
        for s in regions[1:]:
            pin(s, "1")
    try:
        return throughput_rounds(regions, solo, args, "0" if pinned else None)
    finally:
        if pinned:
            for s in regions + [solo]:
                pin(s, "0-%d" % (os.cpu_count() - 1))


def throughput_rounds(regions, solo, args, wrk_cpus):
    env = {"BENCH_OP": "put", "BENCH_KEYS": args.keys, "BENCH_SIZE": args.size, "BENCH_SEED": args.seed}
    order = []
    for r in range(args.rounds):
        order += ["on", "off"] if r % 2 == 0 else ["off", "on"]
    runs = {"on": [], "off": []}
    for mode in order:
        server = regions[0] if mode == "on" else solo
        table = TABLE if mode == "on" else "solo"
        res = h.run_wrk(server.port, dict(env, BENCH_TABLE=table), args.wrk_duration,
                        args.connections, 2, server=server, cpus=wrk_cpus)
        h.log("throughput%s %-3s %8.0f PutItem/s  p99 %6.2f ms" % (
            " (pinned)" if wrk_cpus else "", mode, res["ops"], res["p99_us"] / 1000))
        runs[mode].append(res)
    on = statistics.median(r["ops"] for r in runs["on"])
    off = statistics.median(r["ops"] for r in runs["off"])
    return {"on_ops": on, "off_ops": off, "ratio": on / off, "runs": runs}


def fill(regions, args):
    c = h.Client(regions[0].port)
    try:
        h.create_table(c, "fill")
        if args.fill_index != "none":
            c.call("UpdateTable", {
                "TableName": "fill",
                "AttributeDefinitions": [{"AttributeName": "c", "AttributeType": "N"}],
                "GlobalSecondaryIndexUpdates": [{"Create": {
                    "IndexName": "byC", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL" if args.fill_index == "all" else "KEYS_ONLY"}}}]})
            wait_index_active(c, "fill", "byC")
        size = args.fill_item_size
        count = max(1, args.fill_mib * 1024 * 1024 // size)
        h.load(regions[0].port, "fill", count, lambda i: h.kv_item(i, size), label="(fill source)")
        t0 = time.monotonic()
        c.call("UpdateTable", {"TableName": "fill",
                               "ReplicaUpdates": [{"Create": {"RegionName": regions[1].region}}]})
        wait_replica_active(c, "fill", regions[1].region)
        seconds = time.monotonic() - t0
    finally:
        c.close()
    copied = count_items_table(regions[1].port, "fill")
    h.log("fill: %d MiB (%d items, index: %s) replica ACTIVE in %.1fs; %d items there" % (
        args.fill_mib, count, args.fill_index, seconds, copied))
    return {"mib": args.fill_mib, "items": count, "item_bytes": size, "seconds": seconds,
            "items_in_replica": copied, "index": args.fill_index}


def wait_index_active(client, table, index, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = client.call("DescribeTable", {"TableName": table})["Table"]
        if any(g["IndexName"] == index and g["IndexStatus"] == "ACTIVE"
               for g in d.get("GlobalSecondaryIndexes", [])):
            return
        time.sleep(0.05)
    raise RuntimeError("index %s of %s not ACTIVE in %ds" % (index, table, timeout))


def count_items_table(port, table):
    c = h.Client(port)
    try:
        return h.scan_count(c, table)
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=20,
                    help="seconds of the same paced load before the lag phase, not measured (0: none)")
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("--load-threads", type=int, default=24, help="--loader python: threads per region")
    ap.add_argument("--loader", choices=["wrk", "python"], default="wrk",
                    help="wrk: one paced wrk per region (default); python: the earlier thread loader")
    ap.add_argument("--load-connections", type=int, default=32,
                    help="--loader wrk: connections per region (more lets the rate hold at a higher latency; "
                         "on an overloaded machine deeper client queues also delay the replicated applies)")
    ap.add_argument("--fill-mib", type=int, default=1024)
    ap.add_argument("--fill-item-size", type=int, default=1024)
    ap.add_argument("--fill-index", choices=["none", "keys", "all"], default="none",
                    help="a global secondary index on the fill table (projection KEYS_ONLY or ALL)")
    ap.add_argument("--wrk-duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--solo-stream", action="store_true",
                    help="give the solo server's table the NEW_AND_OLD_IMAGES stream that replication"
                         " turns on, so that off differs from on in replication's own work only")
    ap.add_argument("--no-solo-history", dest="solo_history", action="store_false",
                    help="measure off against a fresh solo server (the method before session 11), "
                         "not one given the lag phase's load first")
    ap.add_argument("--no-pin", dest="pin", action="store_false",
                    help="skip the second throughput measurement with the regions pinned to their own CPU")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip", default="", help="comma-separated: lag,throughput,fill")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, to check the harness")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    if args.smoke:
        args.rate, args.duration, args.fill_mib, args.wrk_duration, args.rounds = 300, 5, 8, 3, 1
        args.warmup = min(args.warmup, 2)
        args.keys = 2000
    skip = set(filter(None, args.skip.split(",")))
    workdir = os.path.abspath(args.out) if args.out else tempfile.mkdtemp(prefix="tidemark-gt-bench-")
    os.makedirs(workdir, exist_ok=True)
    secret = os.path.join(workdir, "secret")
    with open(secret, "w") as f:
        f.write(base64.b64encode(os.urandom(32)).decode())
    ports = {r: h.free_port() for r in REGIONS}
    regions = []
    solo = None
    results = {"args": vars(args), "date": time.strftime("%Y-%m-%d %H:%M:%S"),
               "load_average": os.getloadavg()}
    try:
        for r in REGIONS:
            regions.append(start_region(workdir, r, ports[r], {o: p for o, p in ports.items() if o != r}, secret))
        for s in regions:
            s.wait_ready()
        c = h.Client(regions[0].port)
        create_replicated(c, TABLE, REGIONS[1:])
        c.close()
        if "lag" not in skip:
            results["lag"] = lag_run(regions, args)
        if "throughput" not in skip:
            solo = start_region(workdir, "us-west-2", h.free_port(), {}, secret)
            solo.wait_ready()
            sc = h.Client(solo.port)
            h.create_table(sc, "solo")
            if args.solo_stream:
                # The stream a replicated table must have (NEW_AND_OLD_IMAGES), so that on and off
                # differ in replication's own work only: stamps and shipping.
                sc.call("UpdateTable", {"TableName": "solo", "StreamSpecification": {
                    "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
                h.wait_table_active(sc, "solo")
            sc.close()
            if "lag" not in skip and args.solo_history:
                results["solo_history_s"] = solo_history(solo, args)
            results["throughput"] = throughput(regions, solo, args)
            if args.pin:
                results["throughput_pinned"] = throughput(regions, solo, args, pinned=True)
            solo.stop()
        if "fill" not in skip:
            results["fill"] = fill(regions, args)
    finally:
        for s in regions + ([solo] if solo else []):
            s.stop()
    with open(os.path.join(workdir, "global-tables.json"), "w") as f:
        json.dump(results, f, indent=2, default=str)
    report(results)
    h.log("results in %s" % workdir)


def report(r):
    if "lag" in r:
        lag = r["lag"]
        print("\nLag: %.0f of %d PutItem/s achieved (%d acked, %d errors); backlog drained %.1fs after"
              " the load; item counts %s (%s)" % (
                  lag["achieved_rate"], lag["target_rate"], lag["acked"], lag["errors"],
                  lag["drained_after_s"] or -1, lag["item_counts"],
                  "identical" if lag["converged_counts"] else "DIFFERENT"))
        print("Warm-up before it: %.1f s of the same load (%d s asked), not measured" % (
            lag.get("warmup_s", 0), r["args"].get("warmup", 0)))
        c = lag.get("cpu")
        if c:
            print("CPU during the load (cores of 2): load generator (%s) %.2f; servers %s" % (
                r["args"]["loader"], c["loader_cores"],
                ", ".join("%s %.2f" % kv for kv in c["servers_cores"].items())))
            if c.get("server_cpu_us_per_write"):
                print("Server CPU per acknowledged write, all three regions: %.0f us" % c["server_cpu_us_per_write"])
            for region, groups in c.get("threads_cores", {}).items():
                print("  %s threads (cores): %s" % (region, ", ".join(
                    "%s %.3f" % kv for kv in list(groups.items())[:8])))
        print("\n| from | to | p50 ms (median) | p99 ms (median of 1 s samples) | p99 ms (worst sample) | max ms |")
        print("|---|---|---|---|---|---|")
        for p in lag["pairs"]:
            print("| %s | %s | %s | %s | %s | %s |" % (p["from"], p["to"], f1(p["p50_ms_median"]),
                                                      f1(p["p99_ms_median"]), f1(p["p99_ms_worst"]), f1(p["max_ms"])))
    if "throughput" in r:
        t = r["throughput"]
        print("\nThroughput (PutItem 1 KB, wrk): replication on %.0f/s, off %.0f/s, on/off %.2f" % (
            t["on_ops"], t["off_ops"], t["ratio"]))
        print("  off: %s%s" % ("a solo server given the lag phase's load first (%.0f s)" % r["solo_history_s"]
                               if "solo_history_s" in r else "a fresh solo server",
                               ", its table with a NEW_AND_OLD_IMAGES stream" if r["args"].get("solo_stream") else ""))
    if "throughput_pinned" in r:
        t = r["throughput_pinned"]
        print("Throughput pinned (the writing region and wrk on CPU 0, the two receiving regions on CPU 1):"
              " replication on %.0f/s, off %.0f/s, on/off %.2f" % (t["on_ops"], t["off_ops"], t["ratio"]))
    if "fill" in r:
        f = r["fill"]
        print("\nFill: %d MiB (%d items of %d B, index: %s) replica ACTIVE in %.1f s, %.1f MiB/s (%d items in the replica)" % (
            f["mib"], f["items"], f["item_bytes"], f.get("index", "none"), f["seconds"], f["mib"] / f["seconds"],
            f["items_in_replica"]))


def f1(v):
    return "-" if v is None else "%.1f" % v


if __name__ == "__main__":
    main()
