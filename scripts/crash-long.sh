#!/usr/bin/env bash
# Long crash-consistency run: CrashConsistencyIT with many kill -9 cycles (default 20) against the
# packaged server. Usage: scripts/crash-long.sh [cycles] [seed]
# A failure prints the seed; rerun with it to replay the same workload and kill schedule.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${1:-20}
SEED=${2:-$(date +%s%N)}
echo "crash-long: cycles=$CYCLES seed=$SEED"
mvn -o -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true \
  -Dit.test=CrashConsistencyIT -Dcrash.cycles="$CYCLES" -Dcrash.seed="$SEED" \
  | grep -E "CrashConsistencyIT|Tests run:|FAIL|ERROR|BUILD"
