#!/usr/bin/env bash
# apt-get that waits for another apt or dpkg (unattended-upgrades, a parallel job) to finish
# instead of failing: DPkg::Lock::Timeout covers the dpkg lock; `apt-get update` ignores it for
# the package lists' lock, so a "Could not get lock" failure is retried. Gives up after
# APT_LOCK_WAIT seconds (default 600). Usage: scripts/apt-get.sh <apt-get arguments>
set -euo pipefail
wait_s="${APT_LOCK_WAIT:-600}"
deadline=$((SECONDS + wait_s))
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
while :; do
  if apt-get -o DPkg::Lock::Timeout="$wait_s" "$@" 2>"$log"; then
    cat "$log" >&2
    exit 0
  fi
  if grep -q 'Could not get lock' "$log" && [ "$SECONDS" -lt "$deadline" ]; then
    echo "apt-get: $(grep -m1 'Could not get lock' "$log" | sed 's/^E: //'); waiting for it to finish" >&2
    sleep 2
    continue
  fi
  cat "$log" >&2
  exit 1
done
