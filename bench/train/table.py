"""Markdown tables of the train benchmark: median wall time and peak RSS of the train action's
first run (trains) and second run (cache hit), per trainer, and their ratio.

usage: table.py RAW.tsv   (env NODE_VERSION, PYTHON_VERSION, SKLEARN_VERSION)
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import failures, machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

E = os.environ
TRAINERS = {
    "node": "Node (`node train.mjs`, softmax regression)",
    "python": f"Python (`python train.py`, scikit-learn {E.get('SKLEARN_VERSION', '?')} random forest)",
}
PHASES = {"train": "first run: trains", "hit": "second run: cache hit"}

runs = read_runs(sys.argv[1], "trainer", "phase")
rows, med = [], {}
for (trainer, phase), rs in runs.items():
    bad = failures(rs)
    secs, kib = median(rs, "seconds"), median(rs, "rss_kib")
    if not bad:
        med[trainer, phase] = secs
    rows.append([TRAINERS.get(trainer, trainer), PHASES.get(phase, phase), f"{secs:.2f}", f"{kib / 1024:,.0f}", len(rs), bad or "ok"])

print(f"""# train benchmark

{machine(node=E.get('NODE_VERSION', '?'), Python=E.get('PYTHON_VERSION', '?').removeprefix('Python '))}
The train action bundle run as the runner runs it, publishing to local:weather; ONNX Runtime already in
MLOPS_NATIVE_CACHE. Median of the runs; peak RSS is the median of each run's peak (/usr/bin/time %M: the
largest process of the step, the action or its training command).
""")
print(markdown(["trainer", "run", "median s", "peak RSS MiB", "runs", "status"], rows, "llrrrl"))
print()
summary = []
for trainer in dict.fromkeys(t for t, _ in runs):
    first, hit = med.get((trainer, "train")), med.get((trainer, "hit"))
    command = median([r for r in runs.get((trainer, "train"), []) if r["status"] == "ok"], "command_seconds")
    summary.append([trainer, f"{first:.2f}" if first else "n/a", f"{command:.2f}" if command else "?", f"{hit:.2f}" if hit else "n/a", ratio_with_goal(ratio(first, hit), digits=1)])
print(markdown(["trainer", "first run s", "of which the command s", "cache hit s", "first / cache hit"], summary, "lrrrr"))
