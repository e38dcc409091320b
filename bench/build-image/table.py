"""Markdown tables of the build-image benchmark: median wall time, CPU seconds and peak RSS of
building and pushing the model-server image, our action (with a fresh and with a kept layer
cache) against crane append (+ mutate), cold and warm, and the ratios with issue 12's goal beside.

usage: table.py RAW.tsv   (env NODE_VERSION, CRANE_VERSION, REGISTRY_VERSION, FILES)
"""
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import failures, machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

TOOLS = {
    "ours": "ours (build-image action, builder oci), fresh layer cache: a hosted runner",
    "ours-cache": "ours, layer cache kept from cold to warm: a self-hosted runner",
    "crane": "crane append + mutate",
}
PHASES = {"cold": "cold (fresh registry, base only)", "warm": "warm (only the model changed)"}
GOAL = "<= 1.0x"

runs = read_runs(sys.argv[1], "tool", "phase")
rows, med = [], {}
for (tool, phase), rs in runs.items():
    bad = failures(rs)
    secs, cpu, kib = median(rs, "seconds"), median(rs, "cpu_seconds"), median(rs, "rss_kib")
    details = [json.loads(r["detail"]) for r in rs if r["detail"].startswith("{")]
    append = f"{statistics.median(d['append_s'] for d in details):.2f}" if details else ""
    if not bad:
        med[tool, phase] = (secs, cpu)
    uploaded = "/".join(sorted({r["uploaded"] for r in rs}))
    rows.append([TOOLS.get(tool, tool), PHASES.get(phase, phase), f"{secs:.2f}", f"{cpu:.2f}", append, f"{kib / 1024:,.0f}", uploaded, len(rs), bad or "ok"])

env = os.environ.get
print(f"""# build-image benchmark

{machine(node=env('NODE_VERSION'), crane=env('CRANE_VERSION'))}
{env('REGISTRY_VERSION', 'docker-registry ?')} on 127.0.0.1, fresh storage for every round and tool.
Base: the e2e test's Node 24 base (pushNodeBase), pushed to the registry before each round (not measured).
Files: {env('FILES', '?')}. Medians of the runs; wall and CPU (user + system) seconds of the whole
process (ours: the action bundle as the runner runs it; crane: tar + crane append + crane mutate);
peak RSS is the median of each run's peak (/usr/bin/time). "blobs uploaded": ours from its metadata
output, crane's "pushed blob" lines.
""")
print(markdown(["tool", "build", "median s", "CPU s", "of which crane append s", "peak RSS MiB", "blobs uploaded", "runs", "status"], rows, "llrrrrlrl"))
print()
ratio_rows = []
for phase in ("cold", "warm"):
    crane = med.get(("crane", phase), (None, None))
    row = [phase]
    for tool in ("ours", "ours-cache"):
        ours = med.get((tool, phase), (None, None))
        row += [ratio_with_goal(ratio(ours[0], crane[0]), GOAL), ratio_with_goal(ratio(ours[1], crane[1]))]
    ratio_rows.append(row)
print(markdown(["build", "ours/crane time", "ours/crane CPU", "ours (cache kept)/crane time", "ours (cache kept)/crane CPU"], ratio_rows, "lrrrr"))
