#!/usr/bin/env bash
# Start-up of the action bundles and the CLI against `node -e 0` (docs/bench.md, "startup").
#   bench/run.sh startup            (or bench/startup/run.sh; BENCH_STARTUP_ROUNDS, default 15)
source "$(dirname "$0")/../lib/lib.sh"
ROUNDS=${BENCH_STARTUP_ROUNDS:-15}
$NODE bench/startup/startup.mjs $NODE . "$ROUNDS" >$OUT/startup.raw.tsv
NODE_VERSION=$($NODE --version) \
  BUNDLES="actions $(du -sb actions/*/dist dist | awk '{s += $1} END {printf "%.1f", s / 1048576}') MiB in all (dist/ $(du -sb dist | awk '{printf "%.1f", $1 / 1048576}') MiB shared), CLI $(du -sb cli/dist | awk '{printf "%.1f", $1 / 1048576}') MiB" \
  python3 bench/startup/table.py $OUT/startup.raw.tsv "$ROUNDS" | tee $OUT/startup.md
