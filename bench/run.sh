#!/usr/bin/env bash
# Benchmarks Tidemark side by side with DynamoDB Local 2.6.1. See docs/benchmarks.md.
#
#   bench/run.sh                     full run: footprint + every workload on both servers (~30 min)
#   bench/run.sh --quick             the same with 10 s runs on a 10k key space (~8 min)
#   bench/run.sh --smoke             a few seconds per workload, Tidemark only (what CI runs)
#   bench/run.sh --data-protection   adds backups, restores and PITR (Tidemark only); with
#                                    --no-workloads --no-footprint it runs only those
#   bench/run.sh --help              every option (durations, key space, servers, --profile, ...)
#   bench/run.sh ... --profile-native   async-profiler CPU profile of each Tidemark run (target/bench/...)
#   bench/run.sh --auth-compare [opts]  GetItem and PutItem with --auth iam beside --auth open, same
#                                    run (bench/auth_compare.py; --help there for its options)
#   bench/run.sh --global-tables [opts] three regions: replication lag at a fixed write rate,
#                                    throughput with replication on vs off, replica fill time
#                                    (bench/global_tables.py; --help there for its options)
#   bench/run.sh --strong-consistency [opts]  three regions with a delay added per link: write
#                                    latency and throughput STRONG vs EVENTUAL, strong-read latency
#                                    (bench/strong_consistency.py; --help there for its options)
#   bench/run.sh --managed-backups [--mib N] [opts]  AWS Backup on one table (default 1 GiB): backup,
#                                    copy to another region, cold transition, restore jobs from WARM
#                                    and COLD and a restore test's RTO, each against on-demand backup
#                                    and restore (bench/managed_backups.py; --help there)
#
# Needs java, python3 and wrk; installs wrk with apt-get when it is missing. DynamoDB Local is
# started with ../shared/peers/start-dynamodb-local (override the folder with BENCH_PEERS_DIR),
# which downloads it from Maven Central on first use. Extra JVM options for Tidemark:
# BENCH_TIDEMARK_JAVA_OPTS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is missing; installing it with apt-get" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  # The package lists may be absent or stale on a fresh machine: update only when install fails.
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y wrk >&2; then
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y wrk >&2
  fi
fi
command -v python3 >/dev/null || { echo "bench: python3 is required" >&2; exit 1; }

jar="$repo/target/tidemark.jar"
if [[ ! -f $jar ]] || [[ -n $(find "$repo/src/main" "$repo/pom.xml" -newer "$jar" -print -quit) ]]; then
  echo "bench: building $jar" >&2
  mvn -o -q -B -f "$repo/pom.xml" -DskipTests package >&2 || mvn -q -B -f "$repo/pom.xml" -DskipTests package >&2
fi

if [[ ${1:-} == --global-tables ]]; then
  shift
  exec python3 "$here/global_tables.py" "$@"
fi
if [[ ${1:-} == --strong-consistency ]]; then
  shift
  exec python3 "$here/strong_consistency.py" "$@"
fi
if [[ ${1:-} == --managed-backups ]]; then
  shift
  exec python3 "$here/managed_backups.py" "$@"
fi
if [[ ${1:-} == --auth-compare ]]; then
  shift
  exec python3 "$here/auth_compare.py" "$@"
fi

# --profile-native: async-profiler 3.0 from Maven Central, unpacked under target/ (its native
# frames show the JNI, RocksDB and kernel time that JFR's Java samples cannot).
args=()
for a in "$@"; do
  if [[ $a == --profile-native ]]; then
    so="$repo/target/async-profiler/linux-x64/libasyncProfiler.so"
    if [[ ! -f $so ]]; then
      mvn -q -B dependency:get -Dartifact=tools.profiler:async-profiler:3.0 >&2
      mkdir -p "$repo/target/async-profiler"
      (cd "$repo/target/async-profiler" &&
        unzip -o -q "$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar" 'linux-x64/*')
    fi
    a="--profile-native=$so"
  fi
  args+=("$a")
done

exec python3 "$here/harness.py" "${args[@]}"
