#!/usr/bin/env bash
# Evidently (and the public data sets it is compared on) in the .tools/venv that
# scripts/install-python.sh makes, for test/integration/drift-evidently.test.ts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-python.sh" >/dev/null
venv="$root/.tools/venv"
req="$root/test/evidently/requirements.txt"
stamp="$venv/.evidently.sha256"
want="$(cat "$req" "$root/examples/weather/requirements.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "evidently up to date in $venv"
  exit 0
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" -c "$root/examples/weather/requirements.txt"
echo "$want" > "$stamp"
echo "evidently ready in $venv (evidently $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("evidently"))'))"
