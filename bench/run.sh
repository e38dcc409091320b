#!/usr/bin/env bash
# Benchmarks: one self-contained script per stage, bench/<stage>/run.sh (bench/lib/ holds what
# they share: the runner environment, timing, the table writer). See docs/bench.md.
#
#   bench/run.sh STAGE [args]        one stage: its table in bench/results/<stage>.md
#   bench/run.sh all                 every stage in this order but drift-check (Evidently takes an hour on
#                                    100k x 1,000) and deploy-k8s (starts a control plane)
#
#   validate-data       validate-data against Great Expectations and DuckDB's SUMMARIZE: same checks,
#                       same files
#   validate-data-wide  validate-data's time and peak RSS against the number of columns (100 to
#                       10,000 columns of 10,000 rows): growth must be linear
#   model-store         push and pull of a large model to/from a local docker-registry: our OciStore
#                       against crane and oras
#   train               the train action: first run (trains) against second run (cache hit), with the
#                       Node and the Python trainer of examples/weather
#   evaluate-gate       evaluate-gate's scoring and the whole gate (0 and 1000 resamples) against
#                       Python onnxruntime + scikit-learn + a numpy bootstrap
#   serving             the model server under load (wrk) against FastAPI + uvicorn, a bare node:http
#                       server and the in-process session.run floor
#   build-image         build and push of the model-server image: the action against crane append,
#                       cold and with only the model changed
#   predict             batch inference of 1M rows against Python onnxruntime + pandas
#   drift-check         drift-check against Evidently's DataDriftPreset, 1M x 20 and 100k x 1,000
#   deploy-k8s          deploy-k8s against kubectl apply --server-side + rollout status
#   startup             each action bundle's and the CLI's start-up against `node -e 0`
#
# Each stage takes BENCH_REPEAT (runs per tool) and its own BENCH_* settings, listed at the top
# of its script.
set -euo pipefail
cd "$(dirname "$0")"
STAGES=(validate-data validate-data-wide model-store train evaluate-gate serving build-image predict startup)
case ${1:-all} in
  validate-data-wide) exec validate-data/wide.sh "${@:2}" ;;
  validate-data | model-store | train | evaluate-gate | serving | build-image | predict | drift-check | deploy-k8s | startup)
    exec "$1/run.sh" "${@:2}" ;;
  all) for s in "${STAGES[@]}"; do "$0" "$s"; done ;;
  *) sed -n 2,29p "$0" >&2; exit 2 ;;
esac
