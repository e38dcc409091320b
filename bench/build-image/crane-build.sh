#!/usr/bin/env bash
# The crane side of the build-image benchmark: the same image by hand. STAGING holds the files our
# action puts in its two layers (hard links: the build-image bundle's server.mjs and ONNX Runtime's
# binaries under server/opt/mlops, the model under model/models); each is tarred (GNU tar, sorted,
# fixed mtime and owner) into WORK, then
#   crane append -b BASE -f server.tar -f model.tar -t TARGET   (crane gzips and pushes the layers)
#   crane mutate TARGET ... -t TARGET                           (the config our action writes:
#                                                                entrypoint, env, user, workdir,
#                                                                port, label)
# Prints one JSON line: the seconds of tar, append and mutate, and the image digest.
#
# usage: crane-build.sh CRANE STAGING WORK BASE TARGET
set -euo pipefail
[[ $# == 5 ]] || { sed -n 2,12p "$0" >&2; exit 2; }
crane=$1 staging=$2 work=$3 base=$4 target=$5
now() { date +%s.%N; }
t0=$(now)
rm -rf "$work" && mkdir -p "$work"
tarball() { tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$2" "$3"; }
tarball "$staging/server" "$work/server.tar" opt
tarball "$staging/model" "$work/model.tar" models
t1=$(now)
"$crane" append -b "$base" -f "$work/server.tar" -f "$work/model.tar" -t "$target" >"$work/append.out" 2>&1 || { cat "$work/append.out" >&2; exit 1; }
t2=$(now)
"$crane" mutate "$target" -t "$target" --entrypoint node,/opt/mlops/server.mjs \
  -e MODEL_PATH=/models/model.onnx -e MODEL_MANIFEST=/models/mlops-model.json -e PORT=8080 \
  -e MLOPS_ONNXRUNTIME_BINDING=/opt/mlops/onnxruntime/onnxruntime_binding.node -e NODE_ENV=production \
  -u 65532 -w /opt/mlops --exposed-ports 8080/tcp -l team=ml >"$work/mutate.out" 2>&1 || { cat "$work/mutate.out" >&2; exit 1; }
t3=$(now)
digest=$(grep -oE 'sha256:[0-9a-f]{64}' "$work/mutate.out" | tail -n 1)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v g="$digest" \
  'BEGIN { printf "{\"tar_s\":%.3f,\"append_s\":%.3f,\"mutate_s\":%.3f,\"seconds\":%.3f,\"digest\":\"%s\"}\n", b - a, c - b, d - c, d - a, g }'
