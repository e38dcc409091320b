#!/usr/bin/env bash
# A Python venv at .tools/venv with the example trainer's pinned dependencies
# (examples/weather/requirements.txt) and the tests' Python clients and references
# (test/harness/python/requirements.txt: tritonclient, onnxruntime), resolved together.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
reqs=("$root/examples/weather/requirements.txt" "$root/test/harness/python/requirements.txt")
stamp="$venv/.requirements.sha256"
want="$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "python venv up to date at $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "${reqs[@]/#/-r}"
echo "$want" > "$stamp"
echo "python venv ready at $venv ($("$venv/bin/python" --version))"
