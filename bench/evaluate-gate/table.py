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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import ratio, ratio_with_goal  # noqa: E402

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
    ("rejects", "assertReadFully"),
    ("prepare", "prepareModelScores x 2 (the score orders sorted once)"),
    ("metrics", "evaluate() x 2, latencyMetrics"),
    ("intervals", "intervals: count bootstrap, DeLong, influence"),
    ("mcnemar", "McNemar"),
]
res = E.get("RESAMPLES", "?")
ev = {k[4]: k for k in runs if k[0] == "evaluate"}
if ev:
    wall = lambda tool: med(ev[tool], lambda r: float(r["seconds"])) if tool in ev else None
    inproc = lambda tool, key: med(ev[tool], lambda r: r["j"]["phases"][key]) if tool in ev else None
    cpu = lambda tool: med(ev[tool], lambda r: float(r["cpu_seconds"])) if tool in ev and all(r.get("cpu_seconds") for r in ok(ev[tool])) else None
    o0, o1, p0, p1 = wall("ours-0"), wall(f"ours-{res}"), wall("python-0"), wall(f"python-{res}")
    co1, cp1 = cpu(f"ours-{res}"), cpu(f"python-{res}")
    print(f"""
## The whole gate, 0 and {res} paired resamples: forest (candidate) against logreg (baseline), parquet-1m

Whole processes (/usr/bin/time), run alternately in one pass (ours 0, Python 0, ours {res},
Python {res}), so the ratios share the machine's load. ours: bench.ts `evaluate` (the calls of
evaluate-gate.ts without slices, report or comment); Python: py_eval.py `evaluate` (ORT +
scikit-learn + a numpy paired bootstrap of accuracy, macro F1, ROC AUC and log loss).

| | 0 resamples s | {res} resamples s | {res} resamples CPU s | {res} / 0 | intervals s (ours) / bootstrap s (Python) | n |
| :-- | --: | --: | --: | :-- | --: | --: |
| ours | {fmt(o0)} | {fmt(o1)} | {fmt(co1)} | {ratio_with_goal(ratio(o1, o0), "<= 2x")} | {fmt(inproc(f"ours-{res}", "intervals"))} | {len(ok(ev.get(f"ours-{res}", ())))} |
| Python | {fmt(p0)} | {fmt(p1)} | {fmt(cp1)} | {ratio_with_goal(ratio(p1, p0))} | {fmt(inproc(f"python-{res}", "bootstrap"))} | {len(ok(ev.get(f"python-{res}", ())))} |
| ours / Python | {ratio_with_goal(ratio(o0, p0), "<= 1x")} | {ratio_with_goal(ratio(o1, p1), "<= 1x")} | {ratio_with_goal(ratio(co1, cp1))} | | | |""")
for tool in sorted(ev):
    key = ev[tool]
    if not tool.startswith("ours-"):
        continue
    rs = ok(key)
    print(f"""
### Ours by phase, {tool.split("-")[1]} resamples

In-process phases; RSS: the process's after the phase (median).
""")
    if not rs:
        print(f"n/a: {status(key)}")
        continue
    total = statistics.median(r["j"]["totalSeconds"] for r in rs)
    print("| phase | what | median s | share | RSS after, MiB |\n| :-- | :-- | --: | --: | --: |")
    for p, what in PHASES:
        sec = statistics.median(r["j"]["phases"][p] for r in rs)
        m = statistics.median(r["j"]["rssMiB"][p] for r in rs)
        print(f"| {p} | {what} | {sec:.2f} | {100 * sec / total:.0f}% | {m:,.0f} |")
    print(f"| **total** | in-process | {total:.2f} | 100% | |")
    run = statistics.median(r["j"]["runSeconds"] for r in rs)
    print(f"\nOf the score phase, session.run {run:.2f} s; peak RSS {statistics.median(int(r['rss_kib']) for r in rs) / 1024:,.0f} MiB.")
for tool in sorted(ev):
    rs = ok(ev[tool])
    if rs and rs[0]["j"].get("difference"):
        print(f"\n{tool}: CI of candidate - baseline: " + ", ".join(f"{k} [{v['lo'] if isinstance(v, dict) else v[0]:.4f}, {v['hi'] if isinstance(v, dict) else v[1]:.4f}]" for k, v in rs[0]["j"]["difference"].items() if v))
