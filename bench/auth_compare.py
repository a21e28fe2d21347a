#!/usr/bin/env python3
"""GetItem and PutItem throughput with --auth iam beside --auth open, in one run.

    bench/auth-compare.sh [--duration 15] [--rounds 2] [--keys 10000] [--size 1024]

The question is what verifying every request costs: SigV4 over the canonical request, the
identity lookup and the evaluation of a realistic ten-statement policy. wrk cannot compute HMACs,
so this script signs requests beforehand with botocore's SigV4 signer (as the AWS CLI signs
them), as the user the policy is attached to, and wrk replays them picked at random
(BENCH_SIGNED in bench/wrk/dynamo.lua). Both modes get the very same signed bytes: open mode
accepts any signature, IAM mode verifies each one. A server never remembers a signature it has
checked, so a replayed request costs what a fresh one does.

The modes alternate A B B A over the rounds, so that drift on a shared machine falls on both.
Beside ops/s it reports the server process's CPU time (utime + stime) per request served in each
mode: on a busy machine ops/s swings with the cores the server gets, its CPU per request much less.
--profile DIR records a JFR profile of each measured run.
Needs botocore and boto3 (the AWS CLI's own libraries) besides what bench/run.sh needs.
"""
import argparse
import configparser
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

import boto3  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"
TABLE = "kv1k"
T = "arn:aws:dynamodb:%s:%s:table/" % (REGION, ACCOUNT)

# What an application's role typically carries: its tables' item actions, reads of their
# indexes and streams, backups but no deletes of them, a few denies, and conditions.
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadItems", "Effect": "Allow",
     "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan"],
     "Resource": [T + TABLE, T + TABLE + "/index/*"]},
    {"Sid": "WriteItems", "Effect": "Allow",
     "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
     "Resource": T + TABLE},
    {"Sid": "Describe", "Effect": "Allow", "Action": ["dynamodb:DescribeTable", "dynamodb:ListTables"],
     "Resource": "*"},
    {"Sid": "Streams", "Effect": "Allow",
     "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
     "Resource": T + TABLE + "/stream/*"},
    {"Sid": "Backups", "Effect": "Allow",
     "Action": ["dynamodb:CreateBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups"],
     "Resource": [T + TABLE, T + TABLE + "/backup/*"]},
    {"Sid": "OwnScratchTables", "Effect": "Allow", "Action": "dynamodb:*",
     "Resource": T + "scratch-${aws:username}-*"},
    {"Sid": "FromLoopbackOnly", "Effect": "Allow", "Action": "dynamodb:DescribeTimeToLive",
     "Resource": T + TABLE, "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
    {"Sid": "NoDeletes", "Effect": "Deny",
     "Action": ["dynamodb:DeleteTable", "dynamodb:DeleteBackup"], "Resource": "*"},
    {"Sid": "KeepPitr", "Effect": "Deny", "Action": "dynamodb:UpdateContinuousBackups", "Resource": "*"},
    {"Sid": "NoOtherAccounts", "Effect": "Deny", "Action": "dynamodb:*",
     "NotResource": ["arn:aws:dynamodb:*:%s:*" % ACCOUNT]},
]}


class Tidemark(h.Server):
    def __init__(self, workdir, mode):
        super().__init__("tidemark", workdir, log_name="tidemark-%s.log" % mode,
                         java_opts=os.environ.get("BENCH_TIDEMARK_JAVA_OPTS", ""))
        self.mode = mode
        self.admin_file = os.path.join(workdir, "admin.credentials")

    def command(self):
        extra = ["--account", ACCOUNT]
        if self.mode == "iam":
            extra += ["--auth", "iam", "--admin-credentials-file", self.admin_file]
        return super().command() + extra

    def wait_ready(self, timeout=180):
        # Any HTTP answer means it listens; in IAM mode the unsigned probe is refused with a 400.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("tidemark exited; see %s" % self.log_path)
            if h.try_once(self.port, "ListTables", {}, timeout=2) is not None:
                return
            time.sleep(0.05)
        raise RuntimeError("tidemark did not answer; see %s" % self.log_path)


def client(service, port, creds):
    return boto3.client(service, endpoint_url="http://127.0.0.1:%d" % port, region_name=REGION,
                        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key)


def prepare(server, args):
    """Creates the table and its items; in IAM mode also the user, its policy and its key.
    Returns the credentials the measured requests are signed with."""
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "bench-secret")
    if server.mode == "iam":
        cp = configparser.ConfigParser()
        cp.read(server.admin_file)
        admin = Credentials(cp["tidemark-admin"]["aws_access_key_id"], cp["tidemark-admin"]["aws_secret_access_key"])
        iam = client("iam", server.port, admin)
        iam.create_user(UserName="bench")
        iam.put_user_policy(UserName="bench", PolicyName="app", PolicyDocument=json.dumps(POLICY))
        key = iam.create_access_key(UserName="bench")["AccessKey"]
        ddb_admin = client("dynamodb", server.port, admin)
        creds = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
    else:
        ddb_admin = client("dynamodb", server.port, creds)
    ddb_admin.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb_admin.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.2})
    user = client("dynamodb", server.port, creds)
    for start in range(0, args.keys, 25):
        items = [{"PutRequest": {"Item": h.kv_item(i, args.size)}} for i in range(start, min(args.keys, start + 25))]
        pending = {TABLE: items}
        while pending:
            pending = user.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return creds


def sign_file(path, port, creds, op, args):
    """Writes args.signed requests of one operation, each signed now (valid for 15 minutes)."""
    rnd = random.Random(args.seed)
    signer = SigV4Auth(creds, "dynamodb", REGION)
    target = {"get": "GetItem", "put": "PutItem"}[op]
    with open(path, "w") as f:
        for _ in range(args.signed):
            i = rnd.randrange(args.keys)
            if op == "get":
                body = {"TableName": TABLE, "Key": {"pk": {"S": h.key(i)}}}
            else:
                body = {"TableName": TABLE, "Item": h.kv_item(i, args.size)}
            text = json.dumps(body, separators=(",", ":"))
            req = AWSRequest(method="POST", url="http://127.0.0.1:%d/" % port, data=text.encode(),
                             headers={"Content-Type": "application/x-amz-json-1.0",
                                      "X-Amz-Target": "DynamoDB_20120810." + target})
            signer.add_auth(req)
            f.write("\t".join([target, req.headers["X-Amz-Date"], req.headers["Authorization"], text]) + "\n")
    # One of them by hand first: a signature the server refuses would make wrk measure errors.
    with open(path) as f:
        target, date, auth, text = f.readline().rstrip("\n").split("\t", 3)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/", text.encode(), {"Content-Type": "application/x-amz-json-1.0",
                                              "X-Amz-Target": "DynamoDB_20120810." + target,
                                              "X-Amz-Date": date, "Authorization": auth})
    resp = conn.getresponse()
    answer = resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError("a signed %s was refused: %s %s" % (target, resp.status, answer[:300]))


def jit_seconds(pid):
    """CPU time of the server's JIT compiler threads (C1/C2), from /proc/PID/task/*/stat."""
    return sum(v for k, v in h.thread_cpu(pid).items() if "CompilerThre" in k)


def start_jfr(server, args, mode, op, n):
    """--profile: a JFR recording of the measured run (jcmd JFR.start), as harness.py takes them."""
    if not args.profile:
        return None
    os.makedirs(args.profile, exist_ok=True)
    jfr = os.path.abspath(os.path.join(args.profile, "auth-%s-%s-%d.jfr" % (mode, op, n)))
    subprocess.run(["jcmd", str(server.pid()), "JFR.start", "name=authbench", "settings=profile",
                    "filename=" + jfr], check=True, capture_output=True)
    return jfr


def stop_jfr(server, jfr, title):
    if jfr is None:
        return
    subprocess.run(["jcmd", str(server.pid()), "JFR.stop", "name=authbench"], check=True, capture_output=True)
    h.write_profile(h.profile_summary(jfr), jfr[:-4] + ".txt", title)
    h.log("profile: %s (summary %s)" % (jfr, jfr[:-4] + ".txt"))


def measure(mode, args, workdir, results):
    server = Tidemark(os.path.join(workdir, mode + "-%d" % len(results)), mode)
    server.start()
    try:
        server.wait_ready()
        creds = prepare(server, args)
        for op in args.ops.split(","):
            path = os.path.join(server.workdir, op + ".signed")
            sign_file(path, server.port, creds, op, args)
            env = {"BENCH_SIGNED": path, "BENCH_OP": op, "BENCH_TABLE": TABLE, "BENCH_KEYS": args.keys}
            h.run_wrk(server.port, env, args.warmup, args.connections, 1)
            jfr = start_jfr(server, args, mode, op, len(results))
            # The server's own CPU time (utime + stime of its process) over the measured run, per
            # request served: what a request costs, which a busy machine leaves readable when it
            # swings ops/s (the server gets fewer cores, not dearer requests).
            cpu0, jit0 = server.cpu_seconds(), jit_seconds(server.pid())
            r = h.run_wrk(server.port, env, args.duration, args.connections, 1, server=server)
            cpu1, jit1 = server.cpu_seconds(), jit_seconds(server.pid())
            stop_jfr(server, jfr, "%s %s" % (mode, op))
            cpu_us = (cpu1 - cpu0) * 1e6 / max(r["requests"], 1)
            # The JIT compilers' share: on a busy machine the warm-up may not finish compiling, and
            # IAM mode has more code to compile; that is start-up cost, not a request's.
            jit_us = (jit1 - jit0) * 1e6 / max(r["requests"], 1)
            bad = int(r["status_errors"] + r["socket_errors"] + r["timeouts"] + r["misses"])
            h.log("%-4s %-4s %8.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  server %6.1f us cpu/request"
                  " (%.1f of it JIT)%s" % (
                      mode, op, r["ops"], r["p50_us"] / 1000, r["p99_us"] / 1000, cpu_us, jit_us,
                ("  ERRORS %d" % bad) if bad else ""))
            if bad:
                raise RuntimeError("%d failed requests in %s %s; see %s" % (bad, mode, op, server.log_path))
            results.append({"mode": mode, "op": op, "ops": r["ops"], "p50_ms": r["p50_us"] / 1000,
                            "p99_ms": r["p99_us"] / 1000, "server_cpu_pct": r.get("server_cpu_pct"),
                            "server_cpu_us_per_request": cpu_us, "server_jit_us_per_request": jit_us,
                            "requests": r["requests"]})
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--keys", type=int, default=10000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--signed", type=int, default=20000, help="signed requests per operation")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--ops", default="get,put", help="comma list: get,put")
    ap.add_argument("--modes", default="open,iam", help="comma list in the first round's order")
    ap.add_argument("--out", default=None, help="JSON results file")
    ap.add_argument("--profile", metavar="DIR", default=None,
                    help="record a JFR profile of each measured run into DIR (with a text summary beside it)")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="tidemark-auth-bench-")
    results = []
    order = []
    modes = args.modes.split(",")
    for r in range(args.rounds):
        order += modes if r % 2 == 0 else modes[::-1]
    for mode in order:
        measure(mode, args, workdir, results)
    summary = {}
    print("\n| operation | open ops/s (median) | iam ops/s (median) | iam / open | open p99 ms | iam p99 ms"
          " | server CPU us/request open | iam | iam - open |")
    print("|---|---|---|---|---|---|---|---|---|")
    for op in args.ops.split(","):
        o = [x for x in results if x["op"] == op and x["mode"] == "open"]
        i = [x for x in results if x["op"] == op and x["mode"] == "iam"]
        if not o or not i:
            continue
        mo, mi = statistics.median(x["ops"] for x in o), statistics.median(x["ops"] for x in i)
        po, pi = statistics.median(x["p99_ms"] for x in o), statistics.median(x["p99_ms"] for x in i)
        co = statistics.median(x["server_cpu_us_per_request"] for x in o)
        ci = statistics.median(x["server_cpu_us_per_request"] for x in i)
        jo = statistics.median(x["server_jit_us_per_request"] for x in o)
        ji = statistics.median(x["server_jit_us_per_request"] for x in i)
        summary[op] = {"open_ops": mo, "iam_ops": mi, "ratio": mi / mo, "open_p99_ms": po, "iam_p99_ms": pi,
                       "open_cpu_us": co, "iam_cpu_us": ci, "open_jit_us": jo, "iam_jit_us": ji}
        print("| %s %dB | %.0f | %.0f | %.3f | %.2f | %.2f | %.1f (JIT %.1f) | %.1f (JIT %.1f) | %.1f |" % (
            {"get": "GetItem", "put": "PutItem"}[op], args.size, mo, mi, mi / mo, po, pi, co, jo, ci, ji, ci - co))
    out = args.out or os.path.join(h.REPO, "target", "bench", "auth-compare-%s.json" % time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"args": vars(args), "runs": results, "summary": summary}, f, indent=1)
    h.log("results in %s" % out)


if __name__ == "__main__":
    try:
        main()
    finally:
        for s in h.STARTED:
            s.stop()
