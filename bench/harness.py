#!/usr/bin/env python3
"""Side-by-side benchmark of Tidemark and DynamoDB Local. Started by bench/run.sh; see README.

One server runs at a time, on loopback, measured by the same wrk client with the same Lua script,
key space, item sizes, connections and durations. Loading and the control-plane measurements
(footprint, backups, PITR) use the small raw-HTTP client below: one JSON POST per call, no SDK
retries or back-off to blur the timings.

Only the standard library is used, so the CI smoke run needs nothing beyond python3 and wrk.
"""
import argparse
import base64
import datetime
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(REPO, "bench", "wrk", "dynamo.lua")
CLK_TCK = os.sysconf("SC_CLK_TCK")
LOAD_THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "32"))

AUTH = ("AWS4-HMAC-SHA256 Credential=bench/20250101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


def log(*args):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# A minimal DynamoDB JSON client


class DynamoError(Exception):
    def __init__(self, status, body):
        super().__init__("HTTP %s: %s" % (status, body))
        self.status = status
        self.body = body
        self.type = (body or {}).get("__type", "") if isinstance(body, dict) else ""


class Client:
    """One keep-alive connection. Not thread-safe: give each thread its own."""

    def __init__(self, port, timeout=120):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def call(self, op, body):
        data = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810." + op,
            "X-Amz-Date": "20250101T000000Z",
            "Authorization": AUTH,
        }
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", "/", data, headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        parsed = json.loads(raw) if raw else {}
        if resp.status != 200:
            raise DynamoError(resp.status, parsed)
        return parsed

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def try_once(port, op, body, timeout=1.0):
    """A single request on a fresh connection; returns (status, json) or None when nobody listens."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("POST", "/", json.dumps(body).encode(), {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810." + op,
            "X-Amz-Date": "20250101T000000Z",
            "Authorization": AUTH})
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        return resp.status, (json.loads(raw) if raw else {})
    except (OSError, http.client.HTTPException, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STARTED = []  # every Server this run created, so that main() can stop any left running


class Server:
    """A server process started by this harness; stopped by its own process id only."""

    def __init__(self, kind, workdir, java_opts="", durability="sync", log_name=None, store=None):
        self.kind = kind
        self.workdir = workdir
        self.data = os.path.join(workdir, "data")
        self.store = store  # an S3Store, or None for a backup directory
        self.backups = store.data if store else os.path.join(workdir, "backups")
        self.java_opts = java_opts
        self.durability = durability
        self.port = None
        self.proc = None
        self.log_path = os.path.join(workdir, log_name or (kind + ".log"))
        self.started_at = None
        STARTED.append(self)

    def command(self):
        if self.kind == "tidemark":
            store = self.store.server_args() if self.store else ["--backup-dir", self.backups]
            return [os.path.join(REPO, "tidemark"), "--port", str(self.port), "--data-dir", self.data,
                    "--durability", self.durability] + store
        if self.kind == "ddblocal":
            peers = os.environ.get("BENCH_PEERS_DIR", os.path.join(REPO, "..", "shared", "peers"))
            return [os.path.join(peers, "start-dynamodb-local"), str(self.port), self.data]
        raise ValueError(self.kind)

    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        self.port = free_port()
        env = dict(os.environ)
        if self.kind == "tidemark":
            env["TIDEMARK_JAVA_OPTS"] = self.java_opts
            if self.store:
                env.update(self.store.env())
        logf = open(self.log_path, "ab")
        self.started_at = time.monotonic()
        # A new session, so that Ctrl-C on the harness does not reach the server before we stop it.
        # cwd: DynamoDB Local writes dynamodb-local-metadata.json into its working directory.
        self.proc = subprocess.Popen(self.command(), stdout=logf, stderr=subprocess.STDOUT, env=env, cwd=self.workdir,
                                     start_new_session=True)
        logf.close()
        return self

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                with open(self.log_path, errors="replace") as f:
                    tail = "".join(f.readlines()[-20:])
                raise RuntimeError("%s exited with %s; the end of %s:\n%s" % (
                    self.kind, self.proc.returncode, self.log_path, tail))
            r = try_once(self.port, "ListTables", {}, timeout=2)
            if r is not None and r[0] == 200:
                return time.monotonic() - self.started_at
            time.sleep(0.05)
        raise RuntimeError("%s did not answer within %ss; see %s" % (self.kind, timeout, self.log_path))

    def pid(self):
        return self.proc.pid

    def rss_kib(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def cpu_seconds(self):
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
        except OSError:
            return None

    def stop(self, timeout=60):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log("%s ignored SIGTERM for %ss; killing pid %d" % (self.kind, timeout, self.proc.pid))
            self.proc.kill()
            self.proc.wait()


def thread_cpu(pid):
    """{thread group: CPU seconds} of a running process, from /proc/PID/task/*/stat. A group is the
    thread's name without its trailing number (Jetty's workers, the shippers, RocksDB's background
    threads, the JIT compilers, GC), so that a run shows where a server's CPU went."""
    out = {}
    base = "/proc/%d/task" % pid
    try:
        tids = os.listdir(base)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        group = re.sub(r"[-#_ ]*\d+$", "", name) or name
        out[group] = out.get(group, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


class S3Store:
    """A backup store in an S3 bucket on an S3Proxy server (target/s3proxy/s3proxy.jar, which the
    Maven build copies there), started by this harness and stopped by its own process id."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.data = os.path.join(workdir, "s3data")
        self.port = None
        self.proc = None
        self.secret = base64.b64encode(os.urandom(18)).decode()
        self.key = base64.b64encode(os.urandom(32)).decode()
        STARTED.append(self)

    def start(self):
        jar = os.path.join(REPO, "target", "s3proxy", "s3proxy.jar")
        if not os.path.exists(jar):
            subprocess.run(["mvn", "-o", "-q", "-B", "-f", os.path.join(REPO, "pom.xml"),
                            "generate-test-resources"], check=True)
        os.makedirs(self.data, exist_ok=True)
        self.port = free_port()
        conf = os.path.join(self.workdir, "s3proxy.conf")
        with open(conf, "w") as f:
            f.write("s3proxy.endpoint=http://127.0.0.1:%d\ns3proxy.authorization=aws-v2-or-v4\n"
                    "s3proxy.identity=bench\ns3proxy.credential=%s\njclouds.provider=filesystem-nio2\n"
                    "jclouds.filesystem.basedir=%s\n" % (self.port, self.secret, self.data))
        logf = open(os.path.join(self.workdir, "s3proxy.log"), "ab")
        env = dict(os.environ, LOG_LEVEL="warn")
        self.proc = subprocess.Popen(["java", "-Xmx512m", "-jar", jar, "--properties", conf], stdout=logf,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)
        logf.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("S3Proxy did not start; see %s" % self.workdir)
                time.sleep(0.1)
        import boto3
        boto3.client("s3", endpoint_url=self.endpoint(), region_name="us-east-1", aws_access_key_id="bench",
                     aws_secret_access_key=self.secret).create_bucket(Bucket="bench")
        return self

    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def server_args(self):
        return ["--backup-store", "s3://bench/tidemark", "--s3-endpoint", self.endpoint(), "--s3-path-style"]

    def env(self):
        return {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": self.secret, "AWS_REGION": "us-east-1",
                "TIDEMARK_BACKUP_KEY": self.key}

    def stop(self, timeout=30):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------------------------
# Tables and data


def key(i):
    return "k%09d" % i


def payload_len(size):
    # Bytes DynamoDB counts: "pk" + 10-char key, "d" + payload, "c" + a number of about 5 bytes.
    return max(1, size - 22)


def random_payload(n):
    return base64.b64encode(os.urandom(n * 3 // 4 + 3)).decode()[:n]


def kv_item(i, size):
    return {"pk": {"S": key(i)}, "d": {"S": random_payload(payload_len(size))},
            "c": {"N": str(random.randint(1, 99999999))}}


def query_item(p, s, size):
    return {"pk": {"S": "p%07d" % p}, "sk": {"S": "s%03d" % s},
            "d": {"S": random_payload(max(1, size - 30))}, "c": {"N": str(s)}}


def create_table(client, name, range_key=False):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": "sk", "AttributeType": "S"})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    client.call("CreateTable", {"TableName": name, "AttributeDefinitions": attrs,
                                "KeySchema": schema, "BillingMode": "PAY_PER_REQUEST"})
    wait_table_active(client, name)


def wait_table_active(client, name, poll=0.05, timeout=3600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            t = client.call("DescribeTable", {"TableName": name})["Table"]
            if t["TableStatus"] == "ACTIVE":
                return t
        except DynamoError as e:
            if e.type.split("#")[-1] != "ResourceNotFoundException":
                raise
        time.sleep(poll)
    raise RuntimeError("table %s not ACTIVE after %ss" % (name, timeout))


def supports(port, op):
    r = try_once(port, op, {}, timeout=5)
    return r is not None and "UnknownOperation" not in str(r[1].get("__type", ""))


def load(port, table, count, make_item, threads=None, batch=None, label=""):
    """Writes items 0..count-1 with `threads` connections; BatchWriteItem when the server has it."""
    if batch is None:
        batch = supports(port, "BatchWriteItem")
    if threads is None:
        threads = LOAD_THREADS
    next_index = [0]
    lock = threading.Lock()
    errors = []
    chunk = 25 if batch else 1

    def worker():
        c = Client(port)
        try:
            while True:
                with lock:
                    start = next_index[0]
                    if start >= count:
                        return
                    next_index[0] = min(count, start + chunk)
                    end = next_index[0]
                if batch:
                    pending = {table: [{"PutRequest": {"Item": make_item(i)}} for i in range(start, end)]}
                    while pending:
                        out = c.call("BatchWriteItem", {"RequestItems": pending})
                        pending = out.get("UnprocessedItems") or {}
                else:
                    c.call("PutItem", {"TableName": table, "Item": make_item(start)})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    elapsed = time.monotonic() - t0
    log("loaded %d items into %s in %.1fs (%.0f items/s, %s) %s" % (
        count, table, elapsed, count / max(elapsed, 1e-9), "BatchWriteItem" if batch else "PutItem", label))
    return {"items": count, "seconds": elapsed, "batch": batch}


# ---------------------------------------------------------------------------------------------
# wrk


def run_wrk(port, env, duration, connections, threads, server=None, timeout="10s", cpus=None):
    """Runs wrk once; returns its BENCH_RESULT plus wrk's and the server's CPU use and peak RSS.
    cpus: a taskset CPU list that wrk is confined to (None: anywhere)."""
    full_env = dict(os.environ)
    full_env.update({k: str(v) for k, v in env.items()})
    cmd = (["taskset", "-c", cpus] if cpus else []) + ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--timeout", timeout,
           "-s", LUA, "http://127.0.0.1:%d/" % port]
    srv_cpu0 = server.cpu_seconds() if server else None
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=full_env)
    peak_rss = 0
    out_chunks = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()))
    reader.start()
    while proc.poll() is None:
        if server:
            rss = server.rss_kib() or 0
            peak_rss = max(peak_rss, rss)
        time.sleep(0.25)
    # wait4 already happened inside poll(); the child's rusage is in RUSAGE_CHILDREN deltas.
    reader.join()
    wall = time.monotonic() - t0
    srv_cpu1 = server.cpu_seconds() if server else None
    text = out_chunks[0].decode(errors="replace") if out_chunks else ""
    result = None
    for line in text.splitlines():
        if line.startswith("BENCH_RESULT"):
            result = {}
            for part in line.split()[1:]:
                k, v = part.split("=")
                result[k] = float(v)
    if result is None:
        raise RuntimeError("wrk printed no BENCH_RESULT:\n" + text)
    result["ops"] = result["requests"] / (result["duration_us"] / 1e6)
    result["wall"] = wall
    if srv_cpu0 is not None and srv_cpu1 is not None:
        result["server_cpu_pct"] = 100.0 * (srv_cpu1 - srv_cpu0) / wall
    result["server_peak_rss_kib"] = peak_rss
    return result


class ChildCpu:
    """CPU time of children that ended between start() and stop(): that is wrk's own CPU use."""

    def __enter__(self):
        import resource
        self.r = resource
        self.u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        u1 = self.r.getrusage(self.r.RUSAGE_CHILDREN)
        self.cpu = (u1.ru_utime - self.u0.ru_utime) + (u1.ru_stime - self.u0.ru_stime)
        self.wall = time.monotonic() - self.t0
        self.pct = 100.0 * self.cpu / max(self.wall, 1e-9)


# ---------------------------------------------------------------------------------------------
# Workloads


def workloads(args):
    """(name, wrk env, table, connections, wrk threads) in the order they run."""
    k = args.keys
    parts = max(1, k // args.page)
    all_ = []
    for size, tag in ((200, "200B"), (4096, "4KB")):
        kv, q = "kv%d" % size, "q%d" % size
        base = {"BENCH_TABLE": kv, "BENCH_KEYS": k, "BENCH_SIZE": size}
        all_ += [
            ("GetItem %s" % tag, dict(base, BENCH_OP="get"), args.connections, args.wrk_threads),
            ("Query %s x%d" % (tag, args.page), {"BENCH_OP": "query", "BENCH_TABLE": q, "BENCH_KEYS": parts,
                                                 "BENCH_SIZE": size, "BENCH_PAGE": args.page},
             args.connections, args.wrk_threads),
            ("95/5 read/update %s" % tag, dict(base, BENCH_OP="mix", BENCH_READ_PCT=95), args.connections, args.wrk_threads),
            ("50/50 read/update %s" % tag, dict(base, BENCH_OP="mix", BENCH_READ_PCT=50), args.connections, args.wrk_threads),
            ("PutItem %s" % tag, dict(base, BENCH_OP="put"), args.connections, args.wrk_threads),
        ]
    all_ += [
        ("GetItem 200B 1 conn", {"BENCH_OP": "get", "BENCH_TABLE": "kv200", "BENCH_KEYS": k,
                                 "BENCH_SIZE": 200}, 1, 1),
        ("GetItem 200B 2 wrk threads", {"BENCH_OP": "get", "BENCH_TABLE": "kv200", "BENCH_KEYS": k,
                                        "BENCH_SIZE": 200}, args.connections, 2),
        ("TARGET PutItem 1KB 16 conn", {"BENCH_OP": "put", "BENCH_TABLE": "kv1024", "BENCH_KEYS": k,
                                        "BENCH_SIZE": 1024}, 16, 1),
    ]
    if args.smoke:
        keep = {"GetItem 200B", "Query 200B x%d" % args.page, "50/50 read/update 200B", "PutItem 200B",
                "TARGET PutItem 1KB 16 conn"}
        all_ = [w for w in all_ if w[0] in keep]
    if args.only:
        all_ = [w for w in all_ if any(s.lower() in w[0].lower() for s in args.only.split(","))]
    return all_


def prepare_tables(server, args):
    c = Client(server.port)
    batch = supports(server.port, "BatchWriteItem")
    info = {}
    for size in (200, 4096):
        create_table(c, "kv%d" % size)
        info["kv%d" % size] = load(server.port, "kv%d" % size, args.keys, lambda i, s=size: kv_item(i, s),
                                   batch=batch, label=server.kind)
        create_table(c, "q%d" % size, range_key=True)
        parts = max(1, args.keys // args.page)
        info["q%d" % size] = load(
            server.port, "q%d" % size, parts * args.page,
            lambda i, s=size: query_item(i // args.page, i % args.page, s), batch=batch, label=server.kind)
    create_table(c, "kv1024")
    c.close()
    return info


def slug(name):
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")


def write_profile(p, path, title):
    if "top_of_stack" not in p:
        return
    with open(path, "w") as f:
        f.write("%s: %d execution samples (threads running Java code)\n\ntop of stack:\n" % (title, p["samples"]))
        for k, v, q in p["top_of_stack"]:
            f.write("%6d %5.1f%%  %s\n" % (v, q, k))
        f.write("\ninclusive dev.tidemark frames:\n")
        for k, v, q in p["inclusive_tidemark"]:
            f.write("%6d %5.1f%%  %s\n" % (v, q, k))


def run_workloads(server, args):
    results = {}
    if args.settle > 0:
        # Loading leaves compactions running and the JIT half done; without this the first workload
        # pays for both, on either server. Same requests as GetItem 200B, not measured.
        run_wrk(server.port, {"BENCH_OP": "get", "BENCH_TABLE": "kv200", "BENCH_KEYS": args.keys,
                              "BENCH_SIZE": 200, "BENCH_SEED": args.seed}, args.settle, args.connections, 1)
    for name, env, conns, threads in workloads(args):
        env = dict(env, BENCH_SEED=args.seed)
        if args.warmup > 0:
            run_wrk(server.port, env, args.warmup, conns, threads)
        jfr = native = None
        if args.profile and server.kind == "tidemark":
            jfr = os.path.join(args.out_dir, "tidemark-%s.jfr" % slug(name))
            subprocess.run(["jcmd", str(server.pid()), "JFR.start", "name=bench", "settings=profile",
                            "filename=" + jfr], check=True, capture_output=True)
        if args.profile_native and server.kind == "tidemark":
            native = os.path.join(args.out_dir, "tidemark-%s.collapsed" % slug(name))
            asprof(server.pid(), args.profile_native, "start,event=itimer,interval=1ms")
        with ChildCpu() as cpu:
            r = run_wrk(server.port, env, args.duration, conns, threads, server=server)
        if jfr:
            subprocess.run(["jcmd", str(server.pid()), "JFR.stop", "name=bench"], check=True, capture_output=True)
            r["profile"] = profile_summary(jfr)
            write_profile(r["profile"], jfr[:-4] + ".txt", name)
        if native:
            asprof(server.pid(), args.profile_native, "stop,collapsed,file=" + native)
            r["native_profile"] = native_summary(native)
            write_native_profile(r["native_profile"], native[:-10] + ".native.txt", name)
        r["wrk_cpu_pct"] = cpu.pct
        r["connections"] = conns
        r["wrk_threads"] = threads
        results[name] = r
        bad = r["status_errors"] + r["socket_errors"] + r["timeouts"] + r["misses"]
        log("%-10s %-30s %9.0f ops/s  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  wrk %3.0f%% cpu  server %3.0f%% cpu%s" % (
            server.kind, name, r["ops"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["p999_us"] / 1e3,
            r["wrk_cpu_pct"], r.get("server_cpu_pct", 0), ("  ERRORS %d" % bad) if bad else ""))
    return results


# ---------------------------------------------------------------------------------------------
# Footprint: cold start to the first GetItem that returns the item, idle RSS


def footprint(kind, workdir, args):
    srv = Server(kind, workdir, java_opts=args.tidemark_java_opts, log_name=kind + "-footprint.log")
    srv.start()
    srv.wait_ready()
    c = Client(srv.port)
    create_table(c, "footprint")
    c.call("PutItem", {"TableName": "footprint", "Item": kv_item(1, 200)})
    c.close()
    srv.stop()
    starts, idle = [], []
    for _ in range(args.cold_starts):
        srv.start()
        body = {"TableName": "footprint", "Key": {"pk": {"S": key(1)}}}
        deadline = time.monotonic() + 180
        while True:
            r = try_once(srv.port, "GetItem", body, timeout=5)
            if r is not None and r[0] == 200 and "Item" in r[1]:
                starts.append(time.monotonic() - srv.started_at)
                break
            if srv.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("%s never answered GetItem; see %s" % (kind, srv.log_path))
            time.sleep(0.005)
        time.sleep(args.idle_wait)
        idle.append(srv.rss_kib())
        srv.stop()
    return {"cold_start_s": starts, "idle_rss_kib": idle}


# ---------------------------------------------------------------------------------------------
# Data protection (Tidemark only: DynamoDB Local has no backups and no PITR)


def wait_backup(c, arn, poll=0.05, timeout=7200):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        d = c.call("DescribeBackup", {"BackupArn": arn})["BackupDescription"]["BackupDetails"]
        if d["BackupStatus"] == "AVAILABLE":
            return d
        if d["BackupStatus"] not in ("CREATING",):
            raise RuntimeError("backup %s is %s" % (arn, d["BackupStatus"]))
        time.sleep(poll)
    raise RuntimeError("backup %s not AVAILABLE after %ss" % (arn, timeout))


def scan_count(c, table):
    """Counts a table's items with paged Scan Select=COUNT: checks a restore really holds them."""
    total, start = 0, None
    while True:
        req = {"TableName": table, "Select": "COUNT"}
        if start:
            req["ExclusiveStartKey"] = start
        out = c.call("Scan", req)
        total += out["Count"]
        start = out.get("LastEvaluatedKey")
        if not start:
            return total


def backup(c, table, name):
    t0 = time.monotonic()
    arn = c.call("CreateBackup", {"TableName": table, "BackupName": name})["BackupDetails"]["BackupArn"]
    d = wait_backup(c, arn)
    return arn, time.monotonic() - t0, d


def du(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def pitr(c, table, enabled):
    return c.call("UpdateContinuousBackups", {
        "TableName": table, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": enabled}})


def latest_restorable(c, table):
    d = c.call("DescribeContinuousBackups", {"TableName": table})["ContinuousBackupsDescription"]
    p = d["PointInTimeRecoveryDescription"]
    return p.get("LatestRestorableDateTime"), p["PointInTimeRecoveryStatus"]


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def data_protection(workdir, args):
    res = {"table_mib": args.dp_mib, "item_bytes": 4096, "store": args.dp_store}
    store = S3Store(os.path.join(workdir, "s3")) if args.dp_store == "s3" else None
    if store:
        os.makedirs(store.workdir, exist_ok=True)
        store.start()
        log("backup store: S3Proxy bucket at %s (pid %d)" % (store.endpoint(), store.proc.pid))
    srv = Server("tidemark", workdir, java_opts=args.tidemark_java_opts, log_name="tidemark-dp.log",
                 store=store)
    srv.start()
    srv.wait_ready()
    c = Client(srv.port)
    items = max(10, args.dp_mib * 1024 * 1024 // 4096)
    res["items"] = items
    create_table(c, "dpbig")
    res["load"] = load(srv.port, "dpbig", items, lambda i: kv_item(i, 4096), label="(data protection)")
    res["data_dir_bytes_after_load"] = du(srv.data)

    # 1. CreateBackup to AVAILABLE, RestoreTableFromBackup to ACTIVE.
    arn, secs, _ = backup(c, "dpbig", "first")
    res["backup_available_s"] = secs
    res["backup_store_bytes_after_first"] = du(srv.backups)
    log("backup of %d MiB AVAILABLE in %.2fs" % (args.dp_mib, secs))
    t0 = time.monotonic()
    c.call("RestoreTableFromBackup", {"TargetTableName": "dpbig_restored", "BackupArn": arn})
    t = wait_table_active(c, "dpbig_restored")
    res["restore_active_s"] = time.monotonic() - t0
    res["restore_item_count"] = t.get("ItemCount")
    res["restore_scan_count"] = scan_count(c, "dpbig_restored")
    log("restore ACTIVE in %.2fs (ItemCount %s, Scan counts %d)" % (
        res["restore_active_s"], t.get("ItemCount"), res["restore_scan_count"]))
    c.call("DeleteTable", {"TableName": "dpbig_restored"})

    # 2. A write load alone, then the same load with a backup taken while it runs.
    span = max(args.dp_load_seconds, int(secs) + 4)
    env = {"BENCH_OP": "put", "BENCH_TABLE": "dpbig", "BENCH_KEYS": items, "BENCH_SIZE": 4096,
           "BENCH_SEED": args.seed}
    base = run_wrk(srv.port, env, span, 16, 1, server=srv)
    during = {}

    def take_backup():
        time.sleep(2)
        during["arn"], during["s"], _ = backup(c2, "dpbig", "under-load")

    c2 = Client(srv.port)
    th = threading.Thread(target=take_backup)
    th.start()
    loaded = run_wrk(srv.port, env, span, 16, 1, server=srv)
    th.join()
    c2.close()
    res["write_load_s"] = span
    res["write_without_backup"] = {k: base[k] for k in ("ops", "p50_us", "p99_us", "p999_us")}
    res["write_during_backup"] = {k: loaded[k] for k in ("ops", "p50_us", "p99_us", "p999_us")}
    res["backup_under_load_s"] = during.get("s")
    log("writes alone %.0f/s p99 %.1fms; during a backup %.0f/s p99 %.1fms (backup took %.1fs)" % (
        base["ops"], base["p99_us"] / 1e3, loaded["ops"], loaded["p99_us"] / 1e3, during.get("s", -1)))

    # 3. Ten backups with 1% of the items changed before each, after one that sees the table as
    # the write load above left it (a third of the items rewritten: its backup is full again).
    reference = backup(c, "dpbig", "before-ten")
    res["backup_before_ten_s"] = reference[1]
    before = du(srv.backups)
    n_changed = max(1, items // 100)
    times = []
    batch = supports(srv.port, "BatchWriteItem")
    for b in range(10):
        picks = random.Random(1000 + b).sample(range(items), n_changed)
        load(srv.port, "dpbig", n_changed, lambda j, picks=picks: kv_item(picks[j], 4096), batch=batch,
             label="(1%% change %d)" % (b + 1))
        times.append(backup(c, "dpbig", "inc-%d" % b)[1])
    # What the rewritten 4 KB items weigh, against which the store's growth is judged:
    # incremental backups should store little more than this.
    changed_bytes = 10 * n_changed * res["item_bytes"]
    res["ten_backups"] = {"changed_per_backup": n_changed, "backup_s": times,
                          "store_bytes_before": before, "store_bytes_after": du(srv.backups),
                          "changed_item_bytes": changed_bytes, "backups_in_store": 13}
    log("10 backups with 1%% changes: store %.1f MiB -> %.1f MiB" % (before / 2**20, du(srv.backups) / 2**20))

    # 4. Write throughput with PITR off and on (1 KB PutItem, 16 connections), alternating.
    create_table(c, "pitr_t")
    env1k = {"BENCH_OP": "put", "BENCH_TABLE": "pitr_t", "BENCH_KEYS": args.keys, "BENCH_SIZE": 1024,
             "BENCH_SEED": args.seed}
    runs = {"off": [], "on": []}
    run_wrk(srv.port, env1k, args.warmup or 2, 16, 1)
    for _ in range(args.dp_reps):
        for mode in ("off", "on"):
            pitr(c, "pitr_t", mode == "on")
            r = run_wrk(srv.port, env1k, args.duration, 16, 1, server=srv)
            runs[mode].append({k: r[k] for k in ("ops", "p50_us", "p99_us", "p999_us")})
    off = statistics.mean(r["ops"] for r in runs["off"])
    on = statistics.mean(r["ops"] for r in runs["on"])
    res["pitr_throughput"] = {"off": runs["off"], "on": runs["on"], "overhead_pct": 100.0 * (off - on) / off}
    log("PITR off %.0f/s, on %.0f/s: overhead %.1f%%" % (off, on, res["pitr_throughput"]["overhead_pct"]))

    # 5. How far LatestRestorableDateTime trails now under sustained writes (sampled every 100 ms).
    lags = []
    stop = threading.Event()

    def sample():
        cs = Client(srv.port)
        while not stop.is_set():
            t = time.time()
            latest, _ = latest_restorable(cs, "pitr_t")
            if latest is not None:
                lags.append(max(0.0, (t - float(latest)) * 1000.0))
            time.sleep(max(0.0, 0.1 - (time.time() - t)))
        cs.close()

    sampler = threading.Thread(target=sample)
    pitr(c, "pitr_t", True)
    sampler.start()
    lag_load = run_wrk(srv.port, env1k, args.dp_lag_seconds, 16, 1, server=srv)
    stop.set()
    sampler.join()
    res["restorable_lag_ms"] = {"samples": len(lags), "p50": pct(lags, 50), "p99": pct(lags, 99),
                                "max": max(lags) if lags else None, "write_ops": lag_load["ops"]}
    log("restorable lag under %.0f writes/s: p50 %s ms p99 %s ms max %s ms (%d samples)" % (
        lag_load["ops"], res["restorable_lag_ms"]["p50"], res["restorable_lag_ms"]["p99"],
        res["restorable_lag_ms"]["max"], len(lags)))

    # 6. PITR restore of the big table after N changes (small UpdateItems over the whole key space).
    pitr(c, "dpbig", True)
    env_upd = {"BENCH_OP": "mix", "BENCH_READ_PCT": 0, "BENCH_TABLE": "dpbig", "BENCH_KEYS": items,
               "BENCH_SIZE": 4096, "BENCH_SEED": args.seed}
    done_changes = 0
    t_changes = time.monotonic()
    # The data directory's largest size while the changes run (PITR trims archived records).
    peak = {"bytes": du(srv.data)}
    watching = threading.Event()

    def watch_data_dir():
        while not watching.wait(5):
            peak["bytes"] = max(peak["bytes"], du(srv.data))

    watcher = threading.Thread(target=watch_data_dir)
    watcher.start()
    rate = max(100.0, lag_load["ops"])
    while done_changes < args.dp_changes:
        secs_left = max(1, min(120, int((args.dp_changes - done_changes) / rate) + 1))
        r = run_wrk(srv.port, env_upd, secs_left, 16, 1, server=srv)
        done_changes += int(r["requests"] - r["status_errors"])
        rate = max(100.0, r["ops"])
    res["pitr_changes"] = done_changes
    res["pitr_changes_s"] = time.monotonic() - t_changes
    end_of_writes = time.time()
    while True:
        latest, _ = latest_restorable(c, "dpbig")
        if latest is not None and float(latest) >= end_of_writes:
            break
        time.sleep(0.1)
    watching.set()
    watcher.join()
    # Before the restore adds a second copy of the table: what the changes left behind, once the
    # archived-record trim (every 2 s) has run.
    time.sleep(5)
    res["data_dir_bytes_after_changes"] = du(srv.data)
    res["data_dir_bytes_peak_during_changes"] = max(peak["bytes"], res["data_dir_bytes_after_changes"])
    log("data directory after %d changes: %.0f MiB (peak %.0f MiB)" % (
        done_changes, res["data_dir_bytes_after_changes"] / 2**20,
        res["data_dir_bytes_peak_during_changes"] / 2**20))
    t0 = time.monotonic()
    c.call("RestoreTableToPointInTime", {"SourceTableName": "dpbig", "TargetTableName": "dpbig_pitr",
                                         "RestoreDateTime": end_of_writes})
    t = wait_table_active(c, "dpbig_pitr")
    res["pitr_restore_active_s"] = time.monotonic() - t0
    res["pitr_restore_item_count"] = t.get("ItemCount")
    res["pitr_restore_scan_count"] = scan_count(c, "dpbig_pitr")
    res["data_dir_bytes_end"] = du(srv.data)
    res["backup_store_bytes_end"] = du(srv.backups)
    log("PITR restore of %d MiB + %d changes ACTIVE in %.2fs (ItemCount %s, Scan counts %d)" % (
        args.dp_mib, done_changes, res["pitr_restore_active_s"], t.get("ItemCount"),
        res["pitr_restore_scan_count"]))
    c.close()
    srv.stop()
    if store:
        store.stop()
    return res


# ---------------------------------------------------------------------------------------------
# Profiles


def profile_summary(jfr_file, top=25):
    """Top frames of jdk.ExecutionSample: by top of stack, and by inclusive dev.tidemark frame."""
    try:
        text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64",
                               jfr_file], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        return {"error": str(e)}
    top_frames, inclusive, samples = {}, {}, 0
    stack = None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("stackTrace = ["):
            stack = []
        elif stack is not None:
            if s.startswith("]"):
                samples += 1
                if stack:
                    top_frames[stack[0]] = top_frames.get(stack[0], 0) + 1
                for m in set(f for f in stack if f.startswith("dev.tidemark")):
                    inclusive[m] = inclusive.get(m, 0) + 1
                stack = None
            elif s and s != "...":
                stack.append(s.split("(")[0].split(" line:")[0].strip())

    def ranked(d):
        return [(k, v, 100.0 * v / max(samples, 1)) for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:top]]
    return {"samples": samples, "top_of_stack": ranked(top_frames), "inclusive_tidemark": ranked(inclusive)}


def asprof(pid, library, command):
    """Drives async-profiler by loading it into the server as a JVMTI agent (jcmd)."""
    # Quoted, or jcmd would split the agent's options at '='.
    subprocess.run(["jcmd", str(pid), "JVMTI.agent_load", library, '"%s"' % command], check=True,
                   capture_output=True)


def native_summary(collapsed_file, top=30):
    """Self and inclusive time from async-profiler's collapsed stacks, which include JNI (RocksDB)
    and kernel frames that JFR's execution samples leave out."""
    self_t, incl, total = {}, {}, 0
    with open(collapsed_file) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            n = int(n)
            frames = stack.split(";")
            total += n
            self_t[frames[-1]] = self_t.get(frames[-1], 0) + n
            for fr in set(frames):
                incl[fr] = incl.get(fr, 0) + n

    def ranked(d, pred=lambda k: True):
        items = [kv for kv in d.items() if pred(kv[0])]
        return [(k, v, 100.0 * v / max(total, 1)) for k, v in sorted(items, key=lambda kv: -kv[1])[:top]]
    return {"samples": total, "self": ranked(self_t),
            "inclusive": ranked(incl, lambda k: "tidemark" in k or "rocksdb" in k.lower()
                                or k.startswith("Java_") or "jetty" in k or "[k]" in k)}


def write_native_profile(p, path, title):
    with open(path, "w") as f:
        f.write("%s: %d CPU samples (itimer, 1 ms; Java, JNI and kernel frames)\n\nself:\n" % (title, p["samples"]))
        for k, v, q in p["self"]:
            f.write("%6d %5.1f%%  %s\n" % (v, q, k))
        f.write("\ninclusive (Tidemark, Jetty, RocksDB):\n")
        for k, v, q in p["inclusive"]:
            f.write("%6d %5.1f%%  %s\n" % (v, q, k))


# ---------------------------------------------------------------------------------------------
# Report


def machine():
    info = {"nproc": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_total_kib"] = int(f.readline().split()[1])
    except OSError:
        pass
    info["java"] = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    info["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    info["disk"] = subprocess.run(["df", "-h", REPO], capture_output=True, text=True).stdout.splitlines()[-1]
    info["loadavg_at_start"] = open("/proc/loadavg").read().strip()
    return info


def fmt_ms(us):
    return "%.2f" % (us / 1000.0)


def render(results, servers):
    lines = []
    names = []
    for s in servers:
        for n in results["workloads"].get(s, {}):
            if n not in names:
                names.append(n)
    servers = [s for s in servers if results["workloads"].get(s)] if names else []
    if names:
        workload_tables(results, servers, names, lines)
    footprint_table(results, lines)
    data_protection_table(results, lines)
    targets_table(results, lines)
    return "\n".join(lines).strip()


def targets_table(results, lines):
    """The issue's targets beside what this run measured; informational, nothing is asserted."""
    w = results["workloads"].get("tidemark", {})
    peer = results["workloads"].get("ddblocal", {})
    rows = []

    def add(name, value, ok, note=""):
        verdict = "met" if ok else "MISSED"
        if note.startswith("("):  # measured on a smaller table than the target names
            verdict = "not comparable (smaller table)"
        rows.append("| %s | %s%s | %s |" % (name, value, (" " + note) if note else "", verdict))

    def ratio(n):
        return (w[n]["ops"] / peer[n]["ops"]) if (n in w and n in peer and peer[n]["ops"]) else None

    t = "TARGET PutItem 1KB 16 conn"
    if t in w:
        add("durable PutItem 1 KB x16 >= 10,000/s", "%.0f/s" % w[t]["ops"], w[t]["ops"] >= 10000)
        add("durable PutItem p99 <= 10 ms", "%.2f ms" % (w[t]["p99_us"] / 1e3), w[t]["p99_us"] <= 10000)
        if ratio(t) is not None:
            add("durable PutItem >= 10x DynamoDB Local", "%.2fx" % ratio(t), ratio(t) >= 10)
    t = "GetItem 200B"
    if t in w:
        add("GetItem x16 >= 30,000/s", "%.0f/s" % w[t]["ops"], w[t]["ops"] >= 30000)
        add("GetItem p99 <= 5 ms", "%.2f ms" % (w[t]["p99_us"] / 1e3), w[t]["p99_us"] <= 5000)
        if ratio(t) is not None:
            add("GetItem >= 3x DynamoDB Local", "%.2fx" % ratio(t), ratio(t) >= 3)
    t = "GetItem 200B 1 conn"
    if t in w:
        add("GetItem single connection p50 <= 0.3 ms", "%.3f ms" % (w[t]["p50_us"] / 1e3), w[t]["p50_us"] <= 300)
    for t in [n for n in w if n.startswith("Query")]:
        if ratio(t) is not None:
            add("%s >= 3x DynamoDB Local" % t, "%.2fx" % ratio(t), ratio(t) >= 3)
    f = results.get("footprint", {}).get("tidemark")
    if f:
        cs = statistics.median(f["cold_start_s"])
        add("cold start to first GetItem <= 1.5 s", "%.3f s" % cs, cs <= 1.5)
        rss = max(x for x in f["idle_rss_kib"] if x) / 1024.0
        add("idle RSS <= 200 MB", "%.0f MiB" % rss, rss * 1.048576 <= 200)
    dp = results.get("data_protection")
    if dp:
        size = "(%d MiB table; target is for 1 GiB)" % dp["table_mib"] if dp["table_mib"] < 1024 else ""
        add("CreateBackup AVAILABLE <= 10 s", "%.2f s" % dp["backup_available_s"], dp["backup_available_s"] <= 10, size)
        add("RestoreTableFromBackup ACTIVE <= 10 s", "%.2f s" % dp["restore_active_s"], dp["restore_active_s"] <= 10, size)
        o = dp["pitr_throughput"]["overhead_pct"]
        add("PITR write overhead <= 10%", "%.1f%%" % o, o <= 10)
        lag = dp["restorable_lag_ms"]["p99"]
        if lag is not None:
            add("LatestRestorableDateTime lag p99 <= 1 s", "%.0f ms" % lag, lag <= 1000)
        small = dp["table_mib"] < 1024 or dp["pitr_changes"] < 3000000
        add("PITR restore (1 GiB + 3M changes) <= 60 s", "%.2f s" % dp["pitr_restore_active_s"],
            dp["pitr_restore_active_s"] <= 60,
            "(%d MiB + %d changes)" % (dp["table_mib"], dp["pitr_changes"]) if small else "")
        # Ratios, so comparable at any table size (the data directory's fixed costs, such as up
        # to 128 MiB of WAL, weigh more on a small table).
        tb = dp["ten_backups"]
        if tb.get("changed_item_bytes"):
            g = (tb["store_bytes_after"] - tb["store_bytes_before"]) / tb["changed_item_bytes"]
            add("10 backups, 1% changed before each: store growth <= 3x the changed items",
                "%.2fx" % g, g <= 3)
        if dp.get("data_dir_bytes_after_changes"):
            table = dp["items"] * dp["item_bytes"]
            r = dp["data_dir_bytes_after_changes"] / table
            add("data directory after the PITR changes <= 2x the table",
                "%.2fx (%d MiB table, %d changes)" % (r, dp["table_mib"], dp["pitr_changes"]), r <= 2)
    if rows:
        lines += ["", "| target (from the issue) | measured | |", "|---|---:|---|"] + rows


def workload_tables(results, servers, names, lines):
    head = "| workload |"
    sep = "|---|"
    for s in servers:
        head += " %s ops/s | p50 ms | p99 ms | p99.9 ms |" % s
        sep += "---:|---:|---:|---:|"
    peers = [s for s in servers if s != "tidemark"]
    if "tidemark" in servers:
        for p in peers:
            head += " ratio vs %s |" % p
            sep += "---:|"
    lines += [head, sep]
    for n in names:
        row = "| %s |" % n
        for s in servers:
            r = results["workloads"].get(s, {}).get(n)
            if r:
                flag = "" if not (r["status_errors"] + r["socket_errors"] + r["timeouts"] + r["misses"]) else " (ERR)"
                row += " %.0f%s | %s | %s | %s |" % (r["ops"], flag, fmt_ms(r["p50_us"]), fmt_ms(r["p99_us"]),
                                                    fmt_ms(r["p999_us"]))
            else:
                row += " - | - | - | - |"
        if "tidemark" in servers:
            t = results["workloads"].get("tidemark", {}).get(n)
            for p in peers:
                r = results["workloads"].get(p, {}).get(n)
                row += (" %.2fx |" % (t["ops"] / r["ops"])) if (t and r and r["ops"]) else " - |"
        lines.append(row)
    lines.append("")
    lines.append("| generator and server CPU (100% = one core of 2) | " + " | ".join(
        "%s wrk cpu | %s server cpu | %s peak RSS MiB" % (s, s, s) for s in servers) + " |")
    lines.append("|---|" + "---:|---:|---:|" * len(servers))
    for n in names:
        row = "| %s |" % n
        for s in servers:
            r = results["workloads"].get(s, {}).get(n)
            row += (" %.0f%% | %.0f%% | %.0f |" % (r["wrk_cpu_pct"], r.get("server_cpu_pct", 0),
                                                 r["server_peak_rss_kib"] / 1024.0)) if r else " - | - | - |"
        lines.append(row)


def footprint_table(results, lines):
    if results.get("footprint"):
        lines.append("")
        lines.append("| footprint | cold start to first GetItem, s (median; all) | idle RSS MiB | peak RSS under load MiB |")
        lines.append("|---|---:|---:|---:|")
        for s, f in results["footprint"].items():
            peak = max([r["server_peak_rss_kib"] for r in results["workloads"].get(s, {}).values()] or [0])
            lines.append("| %s | %.3f (%s) | %s | %s |" % (
                s, statistics.median(f["cold_start_s"]), ", ".join("%.3f" % x for x in f["cold_start_s"]),
                ", ".join("%.0f" % (x / 1024.0) for x in f["idle_rss_kib"] if x),
                ("%.0f" % (peak / 1024.0)) if peak else "-"))


def data_protection_table(results, lines):
    dp = results.get("data_protection")
    if dp:
        lines.append("")
        lines.append("| data protection (Tidemark, %d MiB table of %d 4 KB items, %s store) | value |" % (
            dp["table_mib"], dp["items"], "S3 (S3Proxy on this machine)" if dp.get("store") == "s3" else "directory"))
        lines.append("|---|---:|")
        tb = dp["ten_backups"]
        rows = [
            ("load (items/s)", "%.0f" % (dp["items"] / dp["load"]["seconds"])),
            ("CreateBackup to AVAILABLE (s)", "%.2f" % dp["backup_available_s"]),
            ("RestoreTableFromBackup to ACTIVE (s)", "%.2f" % dp["restore_active_s"]),
            ("restored items: ItemCount / Scan COUNT", "%s / %s" % (dp.get("restore_item_count"), dp.get("restore_scan_count"))),
            ("backup store after the first backup (MiB)", "%.1f" % (dp["backup_store_bytes_after_first"] / 2**20)),
            ("backup store after 10 more backups, 1% changed before each (MiB)",
             "%.1f (was %.1f)" % (tb["store_bytes_after"] / 2**20, tb["store_bytes_before"] / 2**20)),
            ("those 10 backups, s each (median / max)", "%.2f / %.2f" % (statistics.median(tb["backup_s"]), max(tb["backup_s"]))),
            ("4 KB PutItem x16 alone: ops/s, p99 ms", "%.0f, %s" % (dp["write_without_backup"]["ops"], fmt_ms(dp["write_without_backup"]["p99_us"]))),
            ("... during a backup: ops/s, p99 ms (backup took s)", "%.0f, %s (%.2f)" % (
                dp["write_during_backup"]["ops"], fmt_ms(dp["write_during_backup"]["p99_us"]), dp["backup_under_load_s"] or -1)),
            ("1 KB PutItem x16, PITR off: ops/s", ", ".join("%.0f" % r["ops"] for r in dp["pitr_throughput"]["off"])),
            ("1 KB PutItem x16, PITR on: ops/s", ", ".join("%.0f" % r["ops"] for r in dp["pitr_throughput"]["on"])),
            ("PITR throughput overhead (%)", "%.1f" % dp["pitr_throughput"]["overhead_pct"]),
            ("LatestRestorableDateTime lag, ms p50 / p99 / max", "%s / %s / %s" % tuple(
                ("%.0f" % v) if v is not None else "-" for v in (dp["restorable_lag_ms"]["p50"], dp["restorable_lag_ms"]["p99"], dp["restorable_lag_ms"]["max"]))),
            ("RestoreTableToPointInTime to ACTIVE after %d changes (s)" % dp["pitr_changes"], "%.2f" % dp["pitr_restore_active_s"]),
            ("PITR-restored items: ItemCount / Scan COUNT", "%s / %s" % (dp.get("pitr_restore_item_count"), dp.get("pitr_restore_scan_count"))),
            ("data directory after load / at the end (MiB)", "%.0f / %.0f" % (dp["data_dir_bytes_after_load"] / 2**20, dp["data_dir_bytes_end"] / 2**20)),
            ("store growth over the 10 backups / bytes of the items changed before them",
             "%.1f MiB / %.1f MiB = %.2fx" % (
                 (tb["store_bytes_after"] - tb["store_bytes_before"]) / 2**20,
                 tb.get("changed_item_bytes", 0) / 2**20,
                 (tb["store_bytes_after"] - tb["store_bytes_before"]) / max(1, tb.get("changed_item_bytes", 0)))),
            ("data directory after the changes, before the restore / peak during them (MiB)",
             "%.0f / %.0f" % (dp.get("data_dir_bytes_after_changes", 0) / 2**20,
                              dp.get("data_dir_bytes_peak_during_changes", 0) / 2**20)),
        ]
        for k, v in rows:
            lines.append("| %s | %s |" % (k, v))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short runs (10 s per workload) on a 10k key space")
    ap.add_argument("--smoke", action="store_true", help="seconds-long CI check that the harness works")
    ap.add_argument("--data-protection", action="store_true", help="backup, restore and PITR measurements")
    ap.add_argument("--servers", default=None, help="comma list: tidemark,ddblocal")
    ap.add_argument("--only", default=None, help="comma list of substrings of workload names")
    ap.add_argument("--no-workloads", action="store_true", help="skip the throughput workloads")
    ap.add_argument("--no-footprint", action="store_true")
    ap.add_argument("--duration", type=int, default=None, help="measured seconds per workload")
    ap.add_argument("--warmup", type=int, default=None, help="warm-up seconds per workload")
    ap.add_argument("--keys", type=int, default=None, help="key space per table")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--wrk-threads", type=int, default=1,
                    help="wrk threads (default 1: the server and wrk share 2 cores; see the 2-thread row)")
    ap.add_argument("--page", type=int, default=10, help="Query page size (items per partition)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--cold-starts", type=int, default=None)
    ap.add_argument("--idle-wait", type=float, default=None, help="seconds idle before reading RSS")
    ap.add_argument("--dp-mib", type=int, default=None, help="data-protection table size in MiB (target 1024)")
    ap.add_argument("--dp-changes", type=int, default=None, help="changes before the PITR restore (target 3000000)")
    ap.add_argument("--dp-reps", type=int, default=None, help="PITR off/on repetitions")
    ap.add_argument("--dp-lag-seconds", type=int, default=None)
    ap.add_argument("--dp-load-seconds", type=int, default=None)
    ap.add_argument("--dp-store", choices=("dir", "s3"), default="dir",
                    help="backup store for --data-protection: a directory, or an S3 bucket on an S3Proxy"
                         " server this harness starts")
    ap.add_argument("--profile-native", metavar="LIBASYNCPROFILER_SO", default=None,
                    help="also record async-profiler CPU samples (Java + native + kernel) of each measured "
                         "Tidemark run; bench/run.sh --profile-native fetches async-profiler from Maven Central")
    ap.add_argument("--profile", action="store_true",
                    help="record a JFR profile of each measured Tidemark run (jcmd JFR.start/stop)")
    ap.add_argument("--out", default=None, help="results directory (default target/bench/<time>)")
    ap.add_argument("--settle", type=float, default=None,
                    help="seconds of unmeasured GetItem load after loading, before the first workload "
                         "(default 10; smoke 0)")
    ap.add_argument("--keep", action="store_true", help="keep server data directories")
    args = ap.parse_args()

    mode = "smoke" if args.smoke else ("quick" if args.quick else "full")
    defaults = {
        # duration, warmup, keys, cold starts, idle wait, dp MiB, dp changes, dp reps, lag s, load s
        "smoke": (2, 1, 500, 1, 1.0, 4, 2000, 1, 3, 3),
        "quick": (10, 3, 10000, 3, 3.0, 64, 50000, 1, 10, 8),
        "full": (30, 10, 20000, 5, 5.0, 1024, 3000000, 2, 30, 15),
    }[mode]
    for attr, value in zip(("duration", "warmup", "keys", "cold_starts", "idle_wait", "dp_mib", "dp_changes",
                            "dp_reps", "dp_lag_seconds", "dp_load_seconds"), defaults):
        if getattr(args, attr) is None:
            setattr(args, attr, value)
    if args.settle is None:
        args.settle = 0 if args.smoke else 10
    if args.servers is None:
        args.servers = "tidemark" if args.smoke else "tidemark,ddblocal"
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    args.tidemark_java_opts = os.environ.get("BENCH_TIDEMARK_JAVA_OPTS", "")
    args.tidemark_cds = os.environ.get("TIDEMARK_CDS", "1")

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = os.path.abspath(args.out or os.path.join(REPO, "target", "bench", stamp))
    os.makedirs(out, exist_ok=True)
    args.out_dir = out
    work = tempfile.mkdtemp(prefix="tidemark-bench-", dir=os.environ.get("BENCH_TMP"))
    results = {"mode": mode, "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "machine": machine(), "args": {k: v for k, v in vars(args).items()},
               "command": " ".join(sys.argv), "workloads": {}, "footprint": {}}
    log("mode %s, servers %s, results in %s, scratch in %s" % (mode, servers, out, work))
    try:
        for kind in servers:
            if not args.no_footprint:
                results["footprint"][kind] = footprint(kind, os.path.join(work, kind + "-fp"), args)
                f = results["footprint"][kind]
                log("%s cold start %s s, idle RSS %s KiB" % (kind, ["%.3f" % x for x in f["cold_start_s"]],
                                                            f["idle_rss_kib"]))
            if args.no_workloads:
                continue
            srv = Server(kind, os.path.join(work, kind), java_opts=args.tidemark_java_opts)
            srv.start()
            log("%s ready in %.2fs on port %d (pid %d)" % (kind, srv.wait_ready(), srv.port, srv.pid()))
            results.setdefault("loads", {})[kind] = prepare_tables(srv, args)
            results["workloads"][kind] = run_workloads(srv, args)
            srv.stop()
        if args.data_protection:
            results["data_protection"] = data_protection(os.path.join(work, "dp"), args)
    finally:
        for s in STARTED:
            s.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        with open(os.path.join(out, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    table = render(results, [s for s in servers if s in results["workloads"] or s in results["footprint"]])
    header = "Tidemark benchmark, mode %s, %s, %s (%s cores), load at start %s" % (
        mode, results["date"], results["machine"].get("cpu"), results["machine"]["nproc"],
        results["machine"]["loadavg_at_start"])
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(header + "\n\n" + table + "\n")
    print(header)
    print()
    print(table)
    print()
    print("raw results: %s" % os.path.join(out, "results.json"))
    bad = sum(r["status_errors"] + r["socket_errors"] + r["timeouts"] + r["misses"]
              for per in results["workloads"].values() for r in per.values())
    if bad:
        print("WARNING: %d requests failed or returned no item; see the (ERR) rows" % bad)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
