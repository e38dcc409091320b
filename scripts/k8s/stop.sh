#!/usr/bin/env bash
# Stops the control plane scripts/k8s/start.sh started in a state directory, by PID.
set -uo pipefail
state="${1:-.mlops/cluster}"
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f="$state/$name.pid"
  [ -f "$f" ] || continue
  pid="$(cat "$f")"
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$f"
done
exit 0
