#!/usr/bin/env bash
# Soak test (not in CI): a mixed workload against the packaged server process for N minutes with
# on-demand backups, restores and point-in-time restores alongside; prints throughput over time,
# the error count (target 0) and the server's RSS at start and end; TTL sweeps run every 5 s.
# Usage: scripts/soak.sh [minutes=10] [threads=8] [report-seconds=30]
# SOAK_SERVER_JVM="-Xmx512m" passes JVM options to the server process (default: none).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
THREADS=${2:-8}
REPORT=${3:-30}
[[ -f target/tidemark.jar ]] || mvn -o -q -B package -DskipTests
mvn -o -q -B test -Dtest=SoakRun -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsoak.minutes="$MINUTES" -Dsoak.threads="$THREADS" -Dsoak.reportSeconds="$REPORT" "-Dsoak.serverJvm=${SOAK_SERVER_JVM:-}" \
  -Dtidemark.jar="$PWD/target/tidemark.jar" | grep -E "^soak:|Tests run|FAIL|expected"
