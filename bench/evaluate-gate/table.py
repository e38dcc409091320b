"""Markdown tables of the evaluate-gate benchmark (bench/run.sh evaluate-gate): scoring rows/s of
raw onnxruntime-node, our scoreAll and Python onnxruntime; read + score + metrics as whole
processes, ours against Python; the whole evaluation by phase. Medians of the runs.

usage: table.py RAW.tsv   (env NODE_VERSION, ORT_NODE_VERSION, ORT_PY_VERSION, SKLEARN_VERSION,
                           PYTHON_VERSION, DUCKDB_NODE, ROWS, ROW_ROWS, RESAMPLES, FILES)
"""
import csv
import datetime
import json
import os
import statistics
import sys

E = os.environ
MODELS = {"logreg": "logreg (train.mjs)", "forest": "forest (train.py, 200 trees)"}
csv.field_size_limit(1 << 24)

runs = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    r["j"] = json.loads(r["json"]) if r["status"] == "ok" and r["json"] else None
    runs.setdefault((r["bench"], r["model"], r["dataset"], r["batch"], r["tool"]), []).append(r)


def ok(key):
    rs = runs.get(key, [])
    return [r for r in rs if r["status"] == "ok" and r["j"]] if rs and all(r["status"] == "ok" for r in rs) else []


def med(key, f):
    rs = ok(key)
    return statistics.median(f(r) for r in rs) if rs else None


def fmt(x, d=2, ratio=False):
    if x is None:
        return "n/a"
    if ratio:
        return f"{x:.2f}"
    return f"{x:,.{d}f}"


def status(key):
    rs = runs.get(key, [])
    bad = [r["status"] for r in rs if r["status"] != "ok"]
    return bad[0] if bad else None


mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
print(f"""# evaluate-gate benchmark

{datetime.date.today()}, {os.cpu_count()} cores, {mem:.0f} GiB; node {E.get('NODE_VERSION', '?')} with onnxruntime-node \
{E.get('ORT_NODE_VERSION', '?')} and @duckdb/node-api {E.get('DUCKDB_NODE', '?')}; {E.get('PYTHON_VERSION', 'Python ?')} with \
onnxruntime {E.get('ORT_PY_VERSION', '?')}, scikit-learn {E.get('SKLEARN_VERSION', '?')}. Data: the {E.get('FILES', '')}. \
Sessions with 1 intra-op and 1 inter-op thread everywhere (prepareModel's options). Median of the runs \
(n = runs); every measurement is its own process. Load average at the end (1/5/15 min): \
{' / '.join(f'{x:.1f}' for x in os.getloadavg())}: other work on the machine adds noise.

## Scoring: rows/s

floor: onnxruntime-node `session.run` alone on tensors built beforehand, same batches and fetches.
ours: `scoreAll` (DuckDB scan, row objects, tensors, run, outputs collected), no latency sample.
Python: the `session.run` calls alone, and read (pandas/pyarrow) + slices + run + outputs.

| model | data | batch | floor rows/s | ours rows/s | ours / floor time | of ours: session.run | Python run rows/s | Python read + score rows/s | ours / Python time | n |
| :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: |""")

keys = sorted({k[1:4] for k in runs if k[0] == "score"}, key=lambda k: (list(MODELS).index(k[0]) if k[0] in MODELS else 9, -int(k[2]), k[1]))
for model, ds, batch in keys:
    k = lambda tool: ("score", model, ds, batch, tool)
    rows = med(k("ours"), lambda r: r["j"]["rows"]) or med(k("floor"), lambda r: r["j"]["rows"])
    floor_s = med(k("floor"), lambda r: r["j"]["runSeconds"])
    ours_s = med(k("ours"), lambda r: r["j"]["scoreSeconds"])
    ours_run = med(k("ours"), lambda r: r["j"]["runSeconds"] / r["j"]["scoreSeconds"])
    py_run = med(k("python"), lambda r: r["j"]["runSeconds"])
    py_s = med(k("python"), lambda r: r["j"]["readSeconds"] + r["j"]["scoreSeconds"])
    rps = lambda s: None if s is None or not rows else rows / s
    n = min((len(runs.get(k(t), [])) for t in ("floor", "ours", "python")), default=0)
    bad = next((f"{t}: {status(k(t))}" for t in ("floor", "ours", "python") if status(k(t))), "")
    print(
        f"| {MODELS.get(model, model)} | {ds} | {batch} | {fmt(rps(floor_s), 0)} | {fmt(rps(ours_s), 0)} | "
        f"{fmt(ours_s / floor_s if ours_s and floor_s else None, ratio=True)} | {fmt(ours_run * 100 if ours_run else None, 0)}% | "
        f"{fmt(rps(py_run), 0)} | {fmt(rps(py_s), 0)} | {fmt(ours_s / py_s if ours_s and py_s else None, ratio=True)} | {n}{' ' + bad if bad else ''} |"
    )
zk = ("score", "forest", "parquet-1m", "1024", "python-zipmap")
if zk in runs:
    z = med(zk, lambda r: r["j"]["scoreSeconds"])
    zr = med(zk, lambda r: r["j"]["rows"])
    print(f"\nPython on the forest as shipped (ZipMap output: a list of dicts per batch, turned into an array): "
          f"{fmt(zr / z if z else None, 0)} rows/s scoring (parquet-1m, batch 1024).")

print("""
## Read + score + 4 metrics, one model, whole process

ours: openEngine/openTable, prepareModel, scoreAll, evaluateModel (every metric, per class,
confusion matrix). Python: onnxruntime session, pandas read, score, scikit-learn accuracy_score,
f1_score (macro), roc_auc_score (ovr), log_loss on the string labels as read. Wall and peak RSS
from /usr/bin/time; metrics s in-process. |diff|: largest difference of the four metrics.

| model | data | ours s | ours MiB | Python s | Python MiB | Python / ours time | ours metrics s | sklearn metrics s | max abs diff | n |
| :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: |""")
for model, ds, batch in keys:
    if batch != "1024":
        continue
    k = lambda tool: ("score", model, ds, batch, tool)
    ow = med(k("ours"), lambda r: float(r["seconds"]))
    om = med(k("ours"), lambda r: int(r["rss_kib"]) / 1024)
    pw = med(k("python"), lambda r: float(r["seconds"]))
    pm = med(k("python"), lambda r: int(r["rss_kib"]) / 1024)
    oms = med(k("ours"), lambda r: r["j"]["metricsSeconds"])
    pms = med(k("python"), lambda r: r["j"]["metricsSeconds"])
    diff = None
    if ok(k("ours")) and ok(k("python")):
        a, b = ok(k("ours"))[0]["j"]["metrics"], ok(k("python"))[0]["j"]["metrics"]
        diff = max(abs(a[m] - b[m]) for m in a)
    n = min(len(runs.get(k("ours"), [])), len(runs.get(k("python"), [])))
    print(
        f"| {MODELS.get(model, model)} | {ds} | {fmt(ow)} | {fmt(om, 0)} | {fmt(pw)} | {fmt(pm, 0)} | "
        f"{fmt(pw / ow if pw and ow else None, ratio=True)} | {fmt(oms)} | {fmt(pms)} | {'n/a' if diff is None else f'{diff:.1e}'} | {n} |"
    )

PHASES = [
    ("open", "openEngine + openTable"),
    ("load", "prepareModel x 2"),
    ("score", "scoreAll, 2 models (+ 200 single-row calls each)"),
    ("rejects", "assertNoRejects"),
    ("metrics", "classLabels, evaluateModel x 2, latencyMetrics"),
    ("bootstrapPrepare", "statisticFor x 2"),
    ("bootstrap", f"intervals: paired bootstrap, {E.get('RESAMPLES', '?')} resamples"),
    ("mcnemar", "McNemar"),
]
for key in sorted(k for k in runs if k[0] == "evaluate"):
    _, model, ds, batch, tool = key
    rs = ok(key)
    print(f"""
## Whole evaluation, in-process by phase: {ds}, candidate forest against baseline logreg, batch {batch}

The calls of actions/evaluate-gate/evaluate-gate.ts in its order, without slices, report or
comment. RSS: the process's after the phase (median).
""")
    if not rs:
        print(f"n/a: {status(key)}")
        continue
    total = statistics.median(r["j"]["totalSeconds"] for r in rs)
    print("| phase | what | median s | share | RSS after, MiB |\n| :-- | :-- | --: | --: | --: |")
    for p, what in PHASES:
        s = statistics.median(r["j"]["phases"][p] for r in rs)
        m = statistics.median(r["j"]["rssMiB"][p] for r in rs)
        print(f"| {p} | {what} | {s:.2f} | {100 * s / total:.0f}% | {m:,.0f} |")
    run = statistics.median(r["j"]["runSeconds"] for r in rs)
    wall = statistics.median(float(r["seconds"]) for r in rs)
    peak = statistics.median(int(r["rss_kib"]) for r in rs) / 1024
    res = int(E.get("RESAMPLES", "0") or 0)
    boot = statistics.median(r["j"]["phases"]["bootstrap"] for r in rs)
    print(f"| **total** | in-process | {total:.2f} | 100% | |")
    print(f"\nWhole process (/usr/bin/time): {wall:.2f} s, peak RSS {peak:,.0f} MiB; of the score phase, session.run "
          f"{run:.2f} s; bootstrap {1000 * boot / res if res else float('nan'):.0f} ms per resample (both models); "
          f"n = {len(rs)}.")
