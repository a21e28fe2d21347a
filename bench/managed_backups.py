#!/usr/bin/env python3
"""Managed backups (AWS Backup API, issue 14) on one loaded table, each figure against DynamoDB's
on-demand backup and restore of the same table, in one run:

    bench/run.sh --managed-backups [--mib 1024] [--reps 3] [--warmups 1] [--store dir|s3] [--out DIR]

Two servers on this machine stand for two regions (us-east-1 and eu-west-1, peers over loopback),
each with a warm backup store and a cold one (--cold-backup-store): directories, or buckets on one
S3Proxy with --store s3. In us-east-1 a table is loaded with --mib MiB of 4 KB items, then:

 1. Baseline. CreateBackup to AVAILABLE, and RestoreTableFromBackup to ACTIVE, --warmups uncounted
    runs then --reps timed ones each. Every earlier backup of the table is deleted before the next
    is taken, so each is full (the server log is checked: an incremental one is flagged).
 2. StartBackupJob to COMPLETED (same repeats; each earlier point deleted first). The last point is
    kept, with a lifecycle of cold after 1 day, deleted after 91.
 3. StartCopyJob of that point to a vault in eu-west-1, to COMPLETED (the destination verifies the
    copy before it says so); the copy is deleted between repeats.
 4. StartRestoreJob from the WARM point to COMPLETED, the new table ACTIVE (same repeats).
 5. A restore testing plan (every minute, LATEST point of the vault, validation window 0) runs once:
    its measured RTO is the one the server records, the test job's CreationDate to CompletionDate.
    The harness waits for its validation and the deletion of its table, then deletes the plan.
 6. The cold transition: us-east-1 restarts with its AWS Backup clock moved ahead
    (-Dtidemark.awsBackup.clockOffsetMillis, as ColdTierCrashIT does) so that the point comes due
    --cold-lead seconds after the start. Meanwhile the JVM is warmed up as a long-running server's
    would be (a restore job of the point, a full on-demand backup of the restored table, both
    dropped). Timed from the server's log line that starts the move to the one that says the point
    is COLD (repacked, written, every object read back and verified, the switch synced); the warm
    backup's deletion after it is reported beside. DescribeRecoveryPoint is polled to see COLD.
 7. StartRestoreJob from the COLD point (same repeats).

Every restore is counted with a paged Scan once per kind. The figures are printed as a table with
each one's ratio to its baseline and the issue's target (at most 1.5x); raw results go to
DIR/managed-backups.json. Needs java and python3 with botocore (the Backup API client, requests
signed as the AWS CLI signs them).
"""
import argparse
import base64
import datetime
import json
import os
import re
import statistics
import sys
import time

import botocore.config
import botocore.session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1"]
ROLE = "arn:aws:iam::000000000000:role/bench-backup"
TABLE = "mbbig"
VAULT = "bench"
DR_VAULT = "dr"
DAY_MS = 86_400_000
TARGET = 1.5
ITEM_BYTES = 4096


class Node(h.Server):
    """A Tidemark server named as a region, on a fixed port (its peer was told it), with a warm and
    a cold backup store of its own."""

    def __init__(self, workdir, region, port, peers, secret_file, java_opts, s3):
        super().__init__("tidemark", os.path.join(workdir, region), java_opts=java_opts,
                         log_name="tidemark-%s.log" % region, store=s3)
        self.region = region
        self.fixed_port = port
        self.peers = peers
        self.secret_file = secret_file
        self.s3 = s3
        self.cold_dir = os.path.join(self.workdir, "cold")
        if not s3:
            self.backups = os.path.join(self.workdir, "backups")

    def command(self):
        cmd = [os.path.join(h.REPO, "tidemark"), "--port", str(self.port), "--data-dir", self.data,
               "--durability", self.durability, "--region", self.region,
               "--replication-secret-file", self.secret_file]
        for r, p in self.peers.items():
            cmd += ["--peer", "%s=http://127.0.0.1:%d" % (r, p)]
        if self.s3:
            cmd += ["--backup-store", "s3://bench/%s/warm" % self.region, "--s3-endpoint",
                    self.s3.endpoint(), "--s3-path-style",
                    "--cold-backup-store", "s3://bench/%s/cold" % self.region]
        else:
            cmd += ["--backup-dir", self.backups, "--cold-backup-store", "file://" + self.cold_dir]
        return cmd

    def start(self):
        orig = h.free_port
        h.free_port = lambda: self.fixed_port
        try:
            return super().start()
        finally:
            h.free_port = orig

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log_since(self, offset):
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")


def backup_api(node):
    return botocore.session.get_session().create_client(
        "backup", region_name=node.region, endpoint_url="http://127.0.0.1:%d" % node.port,
        aws_access_key_id="bench", aws_secret_access_key="bench",
        config=botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"},
                                      read_timeout=600, connect_timeout=10))


def poll(describe, done, failed=(), interval=0.02, timeout=7200, what="job"):
    """Calls describe() until done(value) is true; raises when it reaches a failed state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = describe()
        state = done(v)
        if state is True:
            return v
        if state in failed:
            raise RuntimeError("%s is %s: %s" % (what, state, v))
        time.sleep(interval)
    raise RuntimeError("%s not done after %ss" % (what, timeout))


def state_of(key, want):
    return lambda v: True if v[key] == want else v[key]


def secs(a, b):
    """Seconds between two datetimes (botocore parses the API's epoch-second timestamps)."""
    return (b - a).total_seconds() if a and b else None


def full_or_not(node, mark):
    """Whether the backups logged since `mark` were all full (none incremental)."""
    text = node.log_since(mark)
    return {"full": len(re.findall(r"Backup \S+ is full", text)),
            "incremental": len(re.findall(r"Backup \S+ is incremental", text))}


def repeat(name, run, reps, warmups, cleanup=None):
    """warmups uncounted runs, then reps timed ones; the median of the timed ones is the figure."""
    runs = []
    for i in range(warmups + reps):
        r = run(i)
        r["warmup"] = i < warmups
        runs.append(r)
        h.log("%s %s: %.2f s%s" % (name, "warm-up" if r["warmup"] else "run %d" % (i - warmups + 1),
                                   r["seconds"], "" if not r.get("note") else " (%s)" % r["note"]))
        if cleanup:
            cleanup(r, i == warmups + reps - 1)
    timed = [r["seconds"] for r in runs if not r["warmup"]]
    return {"median_s": statistics.median(timed), "min_s": min(timed), "max_s": max(timed),
            "runs": runs}


# ---------------------------------------------------------------------------------------------


def baseline(a, c, args, res):
    """On-demand CreateBackup and RestoreTableFromBackup, each backup full."""
    kept = {}

    def one_backup(i):
        mark = a.log_size()
        arn, s, d = h.backup(c, TABLE, "bench-%d" % i)
        return {"seconds": s, "arn": arn, "size_bytes": d.get("BackupSizeBytes"),
                "log": full_or_not(a, mark)}

    def drop_backup(r, last):
        if last:
            kept["arn"] = r["arn"]
        else:
            c.call("DeleteBackup", {"BackupArn": r["arn"]})

    res["on_demand_backup"] = repeat("CreateBackup to AVAILABLE", one_backup, args.reps, args.warmups,
                                     drop_backup)
    if args.only_copy:
        c.call("DeleteBackup", {"BackupArn": kept["arn"]})
        return

    def one_restore(i):
        target = "%s_od_%d" % (TABLE, i)
        t0 = time.monotonic()
        c.call("RestoreTableFromBackup", {"TargetTableName": target, "BackupArn": kept["arn"]})
        h.wait_table_active(c, target, poll=0.02)
        r = {"seconds": time.monotonic() - t0, "table": target}
        return r

    def drop_table(r, last):
        if last:
            r["scan_count"] = h.scan_count(c, r["table"])
        c.call("DeleteTable", {"TableName": r["table"]})

    res["on_demand_restore"] = repeat("RestoreTableFromBackup to ACTIVE", one_restore, args.reps,
                                      args.warmups, drop_table)
    c.call("DeleteBackup", {"BackupArn": kept["arn"]})


def backup_jobs(a, bk, table_arn, args, res):
    kept = {}

    def one(i):
        mark = a.log_size()
        t0 = time.monotonic()
        job = bk.start_backup_job(BackupVaultName=VAULT, ResourceArn=table_arn, IamRoleArn=ROLE,
                                  Lifecycle={"MoveToColdStorageAfterDays": 1, "DeleteAfterDays": 91})
        d = poll(lambda: bk.describe_backup_job(BackupJobId=job["BackupJobId"]),
                 state_of("State", "COMPLETED"), ("FAILED", "ABORTED", "EXPIRED"), what="backup job")
        return {"seconds": time.monotonic() - t0, "job": job["BackupJobId"],
                "point": d["RecoveryPointArn"], "size_bytes": d.get("BackupSizeInBytes"),
                "server_s": secs(d.get("CreationDate"), d.get("CompletionDate")),
                "log": full_or_not(a, mark)}

    def drop(r, last):
        if last:
            kept["point"] = r["point"]
        else:
            bk.delete_recovery_point(BackupVaultName=VAULT, RecoveryPointArn=r["point"])

    res["backup_job"] = repeat("StartBackupJob to COMPLETED", one, args.reps, args.warmups, drop)
    return kept["point"]


def thread_cpu(node):
    """CPU seconds per thread name (digits folded, so pools add up) of a server process."""
    out = {}
    task = "/proc/%d/task" % node.pid()
    for tid in os.listdir(task):
        try:
            with open("%s/%s/stat" % (task, tid)) as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = re.sub(r"\d+", "N", stat[stat.index("(") + 1:stat.rindex(")")])
        fields = stat.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / h.CLK_TCK
    return out


def system_cpu(node):
    """Kernel-mode CPU seconds of a server process (file writes, fsyncs, loopback sockets)."""
    with open("/proc/%d/stat" % node.pid()) as f:
        return int(f.read().rsplit(")", 1)[1].split()[12]) / h.CLK_TCK


def cpu_diff(before, after):
    """The threads that used CPU between two thread_cpu snapshots, busiest first (ended threads are
    missed: the servers' pools keep theirs)."""
    d = {k: round(v - before.get(k, 0), 2) for k, v in after.items()}
    return dict(sorted(((k, v) for k, v in d.items() if v >= 0.05), key=lambda kv: -kv[1]))


def copy_jobs(a, b, bk, bk_dr, point, dr_vault_arn, args, res):
    def one(i):
        threads0 = (thread_cpu(a), thread_cpu(b))
        sys0 = (system_cpu(a), system_cpu(b))
        cpu0 = (a.cpu_seconds(), b.cpu_seconds())
        t0 = time.monotonic()
        job = bk.start_copy_job(RecoveryPointArn=point, SourceBackupVaultName=VAULT,
                                DestinationBackupVaultArn=dr_vault_arn, IamRoleArn=ROLE)
        d = poll(lambda: bk.describe_copy_job(CopyJobId=job["CopyJobId"])["CopyJob"],
                 state_of("State", "COMPLETED"), ("FAILED",), what="copy job")
        seconds = time.monotonic() - t0
        cpu1 = (a.cpu_seconds(), b.cpu_seconds())
        threads = {"source": cpu_diff(threads0[0], thread_cpu(a)),
                   "destination": cpu_diff(threads0[1], thread_cpu(b))}
        dest = bk_dr.describe_recovery_point(BackupVaultName=DR_VAULT,
                                             RecoveryPointArn=d["DestinationRecoveryPointArn"])
        return {"seconds": seconds, "job": job["CopyJobId"], "copy": d["DestinationRecoveryPointArn"],
                "server_s": secs(d.get("CreationDate"), d.get("CompletionDate")),
                "size_bytes": d.get("BackupSizeInBytes"), "copy_status": dest["Status"],
                "copy_source_vault": dest.get("SourceBackupVaultArn"),
                "cpu_s": {"source": cpu1[0] - cpu0[0], "destination": cpu1[1] - cpu0[1]},
                "cpu_threads": threads,
                "cpu_system_s": {"source": system_cpu(a) - sys0[0], "destination": system_cpu(b) - sys0[1]},
                "note": "CPU source %.2f s, destination %.2f s" % (cpu1[0] - cpu0[0], cpu1[1] - cpu0[1])}

    def drop(r, last):
        if not last:
            bk_dr.delete_recovery_point(BackupVaultName=DR_VAULT, RecoveryPointArn=r["copy"])

    res["copy_job"] = repeat("StartCopyJob to eu-west-1, COMPLETED", one, args.reps, args.warmups, drop)


def restore_jobs(key, label, c, bk, point, args, res):
    def one(i):
        target = "%s_%s_%d" % (TABLE, key, i)
        t0 = time.monotonic()
        job = bk.start_restore_job(RecoveryPointArn=point, IamRoleArn=ROLE, ResourceType="DynamoDB",
                                   Metadata={"targetTableName": target})
        d = poll(lambda: bk.describe_restore_job(RestoreJobId=job["RestoreJobId"]),
                 state_of("Status", "COMPLETED"), ("FAILED", "ABORTED"), what="restore job")
        seconds = time.monotonic() - t0
        t = c.call("DescribeTable", {"TableName": target})["Table"]
        if t["TableStatus"] != "ACTIVE":
            raise RuntimeError("restore job COMPLETED but %s is %s" % (target, t["TableStatus"]))
        return {"seconds": seconds, "job": job["RestoreJobId"], "table": target,
                "server_s": secs(d.get("CreationDate"), d.get("CompletionDate"))}

    def drop(r, last):
        if last:
            r["scan_count"] = h.scan_count(c, r["table"])
        c.call("DeleteTable", {"TableName": r["table"]})

    res[key] = repeat(label, one, args.reps, args.warmups, drop)


def restore_test(c, bk, table_arn, vault_arn, res):
    """One run of a restore testing plan; the RTO the server records for it."""
    plan = bk.create_restore_testing_plan(RestoreTestingPlan={
        "RestoreTestingPlanName": "bench_rtp", "ScheduleExpression": "cron(* * ? * * *)",
        "StartWindowHours": 1,
        "RecoveryPointSelection": {"Algorithm": "LATEST_WITHIN_WINDOW", "RecoveryPointTypes": ["SNAPSHOT"],
                                   "IncludeVaults": [vault_arn], "SelectionWindowDays": 7}})
    plan_arn = plan["RestoreTestingPlanArn"]
    bk.create_restore_testing_selection(RestoreTestingPlanName="bench_rtp", RestoreTestingSelection={
        "RestoreTestingSelectionName": "bench_rts", "ProtectedResourceType": "DynamoDB",
        "IamRoleArn": ROLE, "ProtectedResourceArns": [table_arn], "ValidationWindowHours": 0})
    h.log("restore test: plan %s runs at the next minute" % plan_arn)

    def jobs():
        return bk.list_restore_jobs(ByRestoreTestingPlanArn=plan_arn)["RestoreJobs"]

    first = poll(jobs, lambda v: True if v else "none", interval=0.2, timeout=180, what="restore test")
    # One run is enough: no further ones.
    bk.delete_restore_testing_selection(RestoreTestingPlanName="bench_rtp",
                                        RestoreTestingSelectionName="bench_rts")
    job_id = first[0]["RestoreJobId"]

    def finished(j):
        if j["Status"] in ("FAILED", "ABORTED"):
            return j["Status"]
        return True if j["Status"] == "COMPLETED" and j.get("DeletionStatus") == "SUCCESSFUL" else "RUNNING"

    j = poll(lambda: bk.describe_restore_job(RestoreJobId=job_id), finished, ("FAILED", "ABORTED"),
             interval=0.1, what="restore test job")
    bk.delete_restore_testing_plan(RestoreTestingPlanName="bench_rtp")
    rto = secs(j["CreationDate"], j["CompletionDate"])
    res["restore_test"] = {"median_s": rto, "runs": [{
        "seconds": rto, "job": job_id, "recovery_point": j["RecoveryPointArn"],
        "validation": j.get("ValidationStatus"), "validation_message": j.get("ValidationStatusMessage"),
        "deletion": j.get("DeletionStatus"), "warmup": False}]}
    h.log("restore test: RTO %.2f s, validation %s, table deletion %s" % (
        rto, j.get("ValidationStatus"), j.get("DeletionStatus")))
    if j.get("ValidationStatus") != "SUCCESSFUL":
        raise RuntimeError("the restore test did not validate: %s" % j)


LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) .*$", re.M)


def log_time(text, *needles):
    for m in LOG_LINE.finditer(text):
        line = m.group(0)
        if all(n in line for n in needles):
            return datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f")
    return None


def cold_transition(a, c, point, args, res):
    """Restarts us-east-1 with its AWS Backup clock moved so that `point` comes due a little after
    the start; warms the JVM up meanwhile (a restore job of the point and a full on-demand backup of
    the restored table, as a long-running server would be warm); times the move from the server's
    log line that starts it to the one that says the point is COLD."""
    bk = backup_api(a)
    due = bk.describe_recovery_point(BackupVaultName=VAULT, RecoveryPointArn=point)["CalculatedLifecycle"][
        "MoveToColdStorageAt"]
    lead = args.cold_lead or int(20 + 3 * (res["on_demand_backup"]["median_s"] + res["on_demand_restore"]["median_s"]))
    a.stop()
    mark = a.log_size()
    # The clock at the restart is `lead` seconds before the point is due.
    offset_ms = int((due.timestamp() - time.time() - lead) * 1000)
    a.java_opts = (args.java_opts + " -Dtidemark.awsBackup.clockOffsetMillis=%d" % offset_ms).strip()
    a.start()
    a.wait_ready()
    due_mono = time.monotonic() + lead
    h.log("cold transition: us-east-1 restarted, the point is due in about %d s; warming up" % lead)
    bk = backup_api(a)
    c = h.Client(a.port, timeout=3600)
    target = "%s_coldwarmup" % TABLE
    job = bk.start_restore_job(RecoveryPointArn=point, IamRoleArn=ROLE, ResourceType="DynamoDB",
                               Metadata={"targetTableName": target})
    poll(lambda: bk.describe_restore_job(RestoreJobId=job["RestoreJobId"]), state_of("Status", "COMPLETED"),
         ("FAILED", "ABORTED"), what="warm-up restore job")
    arn, _, _ = h.backup(c, target, "coldwarmup")
    c.call("DeleteBackup", {"BackupArn": arn})
    c.call("DeleteTable", {"TableName": target})
    warm_done = datetime.datetime.now()
    # The server's CPU for the move is counted from its start: the log line is watched (no requests
    # meanwhile) and the counters are read as soon as it appears.
    deadline = time.monotonic() + lead + 600
    while not log_time(a.log_since(mark), point, "moving it to the cold store") and time.monotonic() < deadline:
        time.sleep(0.01)
    threads0, cpu0 = thread_cpu(a), a.cpu_seconds()
    h.log("cold transition: warm-up done %.1f s before the point is due" % (due_mono - time.monotonic()))
    d = poll(lambda: bk.describe_recovery_point(BackupVaultName=VAULT, RecoveryPointArn=point),
             state_of("StorageClass", "COLD"), interval=0.02, timeout=7200, what="cold transition")
    cpu_s, threads = a.cpu_seconds() - cpu0, cpu_diff(threads0, thread_cpu(a))
    # The warm backup is deleted right after the switch: wait for its log line too.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if log_time(a.log_since(mark), point, "its warm backup"):
            break
        time.sleep(0.05)
    text = a.log_since(mark)
    started = log_time(text, point, "moving it to the cold store")
    cold = log_time(text, point, "is COLD")
    warm_gone = log_time(text, point, "its warm backup")
    if not started or not cold:
        raise RuntimeError("the cold move's log lines were not found in %s" % a.log_path)
    overlapped = started < warm_done
    if overlapped:
        h.log("WARNING: the move started before the warm-up ended; raise --cold-lead")
    s = secs(started, cold)
    res["cold_transition"] = {"median_s": s, "runs": [{
        "seconds": s, "warmup": False, "to_warm_deleted_s": secs(started, warm_gone),
        "lead_s": lead, "overlapped_warmup": overlapped, "cpu_s": cpu_s, "cpu_threads": threads, "storage_class": d["StorageClass"],
        "size_bytes": d.get("BackupSizeInBytes"),
        "cold_line": [ln for ln in text.splitlines() if point in ln and "is COLD" in ln][0]}]}
    h.log("cold transition: %.2f s to COLD (%.2f s with the warm deletion); server CPU %.2f s from the"
          " move's start to COLD, busiest threads %s" % (s, secs(started, warm_gone) or -1, cpu_s,
                                                        dict(list(threads.items())[:6])))
    return bk, c


# ---------------------------------------------------------------------------------------------


def run(args):
    workdir = os.path.abspath(args.out or os.path.join(h.REPO, "target", "bench", "managed-" + time.strftime("%Y%m%d-%H%M%S")))
    os.makedirs(workdir, exist_ok=True)
    secret = os.path.join(workdir, "secret")
    with open(secret, "w") as f:
        f.write(base64.b64encode(os.urandom(32)).decode())
    res = {"args": vars(args), "date": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average_start": os.getloadavg(),
           "table_mib": args.mib, "item_bytes": ITEM_BYTES}
    s3 = None
    if args.store == "s3":
        s3 = h.S3Store(os.path.join(workdir, "s3"))
        os.makedirs(s3.workdir, exist_ok=True)
        s3.start()
    ports = {r: h.free_port() for r in REGIONS}
    nodes = [Node(workdir, r, ports[r], {o: p for o, p in ports.items() if o != r}, secret, args.java_opts, s3)
             for r in REGIONS]
    a, b = nodes
    try:
        for n in nodes:
            n.start()
        for n in nodes:
            n.wait_ready()
        c = h.Client(a.port, timeout=3600)
        h.create_table(c, TABLE)
        items = max(10, args.mib * 1024 * 1024 // ITEM_BYTES)
        res["items"] = items
        res["load"] = h.load(a.port, TABLE, items, lambda i: h.kv_item(i, ITEM_BYTES), label="(managed backups)")
        table_arn = c.call("DescribeTable", {"TableName": TABLE})["Table"]["TableArn"]

        baseline(a, c, args, res)
        bk = backup_api(a)
        vault_arn = bk.create_backup_vault(BackupVaultName=VAULT)["BackupVaultArn"]
        bk_dr = backup_api(b)
        dr_vault_arn = bk_dr.create_backup_vault(BackupVaultName=DR_VAULT)["BackupVaultArn"]
        point = backup_jobs(a, bk, table_arn, args, res)
        if not args.only_cold:
            copy_jobs(a, b, bk, bk_dr, point, dr_vault_arn, args, res)
        if args.only_copy:
            return finish(res, workdir, s3, nodes)
        if not args.only_cold:
            restore_jobs("restore_job_warm", "StartRestoreJob from WARM to COMPLETED", c, bk, point, args, res)
            restore_test(c, bk, table_arn, vault_arn, res)
        b.stop()
        c.close()
        bk, c = cold_transition(a, c, point, args, res)
        restore_jobs("restore_job_cold", "StartRestoreJob from COLD to COMPLETED", c, bk, point, args, res)
        c.close()
        res["store_bytes"] = {"warm": h.du(a.backups) if not s3 else None,
                              "cold": h.du(a.cold_dir) if not s3 else None}
    finally:
        for n in nodes:
            n.stop()
        if s3:
            s3.stop()
    return finish(res, workdir, s3, nodes)


def finish(res, workdir, s3, nodes):
    for n in nodes:
        n.stop()
    if s3:
        s3.stop()
    res["load_average_end"] = os.getloadavg()
    try:
        res["machine"] = h.machine()
    except (OSError, IndexError):  # wrk absent: the machine facts are a nicety here
        res["machine"] = {"nproc": os.cpu_count()}
    path = os.path.join(workdir, "managed-backups.json")
    with open(path, "w") as f:
        json.dump(res, f, indent=2, default=str)
    print(report(res))
    h.log("results in %s" % path)
    return res


FIGURES = [
    # key, label, baseline key (None: it is a baseline), has the 1.5x target
    ("on_demand_backup", "On-demand CreateBackup to AVAILABLE (baseline)", None, False),
    ("on_demand_restore", "On-demand RestoreTableFromBackup to ACTIVE (baseline)", None, False),
    ("backup_job", "StartBackupJob to COMPLETED", "on_demand_backup", True),
    ("copy_job", "StartCopyJob to another region's vault, COMPLETED", "on_demand_backup", True),
    ("cold_transition", "Cold transition, move start to StorageClass COLD", "on_demand_backup", True),
    ("restore_job_warm", "StartRestoreJob from WARM to COMPLETED (table ACTIVE)", "on_demand_restore", True),
    ("restore_job_cold", "StartRestoreJob from COLD to COMPLETED (table ACTIVE)", "on_demand_restore", True),
    ("restore_test", "Restore test's measured RTO (server-recorded)", "on_demand_restore", False),
]


def report(res):
    lines = ["", "Managed backups: %d MiB table (%d items of %d B), store %s; load average %s at the start" % (
        res["table_mib"], res["items"], res["item_bytes"], res["args"]["store"],
        " ".join("%.2f" % x for x in res["load_average_start"])), "",
        "| figure | seconds (median) | runs | ratio to baseline | target <= %.1fx |" % TARGET,
        "|---|---|---|---|---|"]
    for key, label, base, target in FIGURES:
        f = res.get(key)
        if not f:
            lines.append("| %s | - | - | - | not measured |" % label)
            continue
        timed = [r["seconds"] for r in f["runs"] if not r["warmup"]]
        runs = ", ".join("%.2f" % s for s in timed)
        if base is None:
            lines.append("| %s | %.2f | %s | 1.00 | - |" % (label, f["median_s"], runs))
            continue
        ratio = f["median_s"] / res[base]["median_s"]
        verdict = ("meets" if ratio <= TARGET else "MISSES") if target else "no target in the issue"
        lines.append("| %s | %.2f | %s | %.2f | %s |" % (label, f["median_s"], runs, ratio, verdict))
    flagged = []
    for key in ("on_demand_backup", "backup_job"):
        for r in res.get(key, {}).get("runs", []):
            if r.get("log", {}).get("incremental"):
                flagged.append(key)
    if flagged:
        lines.append("")
        lines.append("WARNING: an incremental backup among %s: those figures are not of full backups" % sorted(set(flagged)))
    checks = []
    for key in ("on_demand_restore", "restore_job_warm", "restore_job_cold"):
        counts = [r["scan_count"] for r in res.get(key, {}).get("runs", []) if "scan_count" in r]
        checks.append("%s %s" % (key, counts))
    lines.append("")
    lines.append("Items counted in restored tables (expected %d): %s" % (res["items"], "; ".join(checks)))
    ct = res.get("cold_transition", {}).get("runs", [{}])[0]
    if ct:
        lines.append("Cold transition with the warm backup's deletion: %.2f s; server CPU to COLD %.2f s%s" % (
            ct.get("to_warm_deleted_s") or -1, ct.get("cpu_s", -1),
            " (WARNING: it overlapped the warm-up)" if ct.get("overlapped_warmup") else ""))
    sb = res.get("store_bytes") or {}
    if sb.get("warm") is not None:
        lines.append("us-east-1 stores at the end: warm %.1f MiB, cold %.1f MiB" % (
            sb["warm"] / 2**20, sb["cold"] / 2**20))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mib", type=int, default=1024, help="table size in MiB of 4 KB items (default 1024)")
    ap.add_argument("--reps", type=int, default=3, help="timed runs of each repeatable figure")
    ap.add_argument("--warmups", type=int, default=1, help="uncounted runs before them")
    ap.add_argument("--store", choices=["dir", "s3"], default="dir",
                    help="backup stores in directories, or in buckets on S3Proxy")
    ap.add_argument("--cold-lead", type=int, default=None,
                    help="seconds from the restart to the point coming due (default from the baseline)")
    ap.add_argument("--only-copy", action="store_true",
                    help="only what the copy figure needs: the on-demand backups, the backup jobs and the"
                         " copy jobs (each with both servers' CPU seconds), for A/B runs of copies")
    ap.add_argument("--only-cold", action="store_true",
                    help="only what the cold figures need: the on-demand baselines, the backup jobs, the"
                         " cold transition (with the server's CPU seconds per thread) and the restore"
                         " jobs from COLD, for A/B runs of the cold tier")
    ap.add_argument("--java-opts", default=os.environ.get("BENCH_TIDEMARK_JAVA_OPTS", ""),
                    help="extra JVM options for both servers (e.g. a JFR recording)")
    ap.add_argument("--out", default=None,
                    help="work and results directory (default target/bench/managed-<time>)")
    args = ap.parse_args()
    try:
        run(args)
    finally:
        for s in h.STARTED:
            s.stop()


if __name__ == "__main__":
    main()
