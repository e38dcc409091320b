"""Markdown tables of the train benchmark: median wall time and peak RSS of the train action's
first run (trains) and second run (cache hit), per trainer, and their ratio.

usage: table.py RAW.tsv   (env NODE_VERSION, PYTHON_VERSION, SKLEARN_VERSION)
"""
import csv
import datetime
import os
import statistics
import sys

TRAINERS = {
    "node": "Node (`node train.mjs`, softmax regression)",
    "python": f"Python (`python train.py`, scikit-learn {os.environ.get('SKLEARN_VERSION', '?')} random forest)",
}
PHASES = {"train": "first run: trains", "hit": "second run: cache hit"}

runs = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    runs.setdefault((r["trainer"], r["phase"]), []).append(r)

rows, med, cmd = [], {}, {}
for (trainer, phase), rs in runs.items():
    bad = [r["status"] for r in rs if r["status"] != "ok"]
    secs = statistics.median(float(r["seconds"]) for r in rs)
    mib = statistics.median(int(r["rss_kib"]) for r in rs) / 1024
    if not bad:
        med[trainer, phase] = (secs, mib)
    if phase == "train":
        c = [float(r["command_seconds"]) for r in rs if r["command_seconds"]]
        if c:
            cmd[trainer] = statistics.median(c)
    rows.append(f"| {TRAINERS.get(trainer, trainer)} | {PHASES.get(phase, phase)} | {secs:.2f} | {mib:,.0f} | {len(rs)} | {bad[0] if bad else 'ok'} |")

mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
print(f"""# train benchmark

{datetime.date.today()}, {os.cpu_count()} cores, {mem:.0f} GiB; node {os.environ.get('NODE_VERSION', '?')}, \
{os.environ.get('PYTHON_VERSION', 'Python ?')}. The train action bundle run as the runner runs it, publishing to
local:weather; ONNX Runtime already in MLOPS_NATIVE_CACHE. Median of the runs; peak RSS is the median of each
run's peak (/usr/bin/time %M: the largest process of the step, the action or its training command).
Load average at the end (1/5/15 min): {' / '.join(f'{x:.1f}' for x in os.getloadavg())}: other work on the machine adds noise.

| trainer | run | median s | peak RSS MiB | runs | status |
| :-- | :-- | --: | --: | --: | :-- |
""" + "\n".join(rows) + """

| trainer | first run s | of which the command s | cache hit s | first / cache hit |
| :-- | --: | --: | --: | --: |""")
for trainer in dict.fromkeys(t for t, _ in runs):
    if (trainer, "train") in med and (trainer, "hit") in med:
        a, b = med[trainer, "train"][0], med[trainer, "hit"][0]
        c = f"{cmd[trainer]:.2f}" if trainer in cmd else "?"
        print(f"| {trainer} | {a:.2f} | {c} | {b:.2f} | {a / b:.1f} |")
    else:
        print(f"| {trainer} | n/a | n/a | n/a | n/a |")
