"""Markdown tables of the validate-data benchmark: medians per dataset, suite and tool (wall
seconds, CPU seconds, peak RSS), and the ratios with issue 12's goals beside them.

usage: table.py RAW.tsv   (env NODE_VERSION, DUCKDB_NODE: our side; BIG: the big CSV's dataset name)
"""
import os
import sys
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import failures, machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

TOOLS = {
    "ours": "ours (mlops validate-data: checks + full profile)",
    "ge": f"Great Expectations {version('great_expectations')} (pandas)",
    "summarize": "DuckDB SUMMARIZE (no checks)",
}
# Checks each side runs per suite: ours (schema checks), GE (expectations).
CHECKS = {"9": (9, 8), "30": (30, 30)}
GE_GOAL = {"parquet-3m": ">= 5x", os.environ.get("BIG", "csv-1gb"): ">= 2x"}
FLOOR_GOAL = "<= 1.3x"

runs = read_runs(sys.argv[1], "dataset", "suite", "tool")
med = {}
rows = []
for (ds, suite, tool), rs in runs.items():
    bad = failures(rs)
    m = {f: median(rs, f) for f in ("seconds", "cpu", "rss_kib")}
    if not bad:
        med[ds, suite, tool] = m
    rows.append([ds, f"{os.path.getsize(rs[0]['file']) / 2**20:,.0f}", suite if suite != "-" else "", TOOLS[tool],
                 f"{m['seconds']:.2f}", f"{m['cpu']:.2f}", f"{m['rss_kib'] / 1024:,.0f}", len(rs), bad or "ok"])

print(f"""# validate-data benchmark

{machine(node=os.environ.get('NODE_VERSION'), **{'DuckDB node bindings': os.environ.get('DUCKDB_NODE'), 'python duckdb': version('duckdb'), 'pandas': version('pandas'), 'pyarrow': version('pyarrow')})}
Median of the runs; CPU is user + system seconds of the process; peak RSS the median of each run's peak.

""" + markdown(["dataset", "file MiB", "checks", "tool", "median s", "CPU s", "peak RSS MiB", "runs", "status"], rows, "lrrlrrrrl") + "\n")

ratios = []
for ds, suite in dict.fromkeys((ds, s) for ds, s, _ in runs if s != "-"):
    ours, ge, floor = med.get((ds, suite, "ours")), med.get((ds, suite, "ge")), med.get((ds, "-", "summarize"))
    get = lambda m, f: m[f] if m else None  # noqa: E731
    ratios.append([
        ds, f"{CHECKS[suite][0]} / {CHECKS[suite][1]}",
        ratio_with_goal(ratio(get(ge, "seconds"), get(ours, "seconds")), GE_GOAL.get(ds)),
        ratio_with_goal(ratio(get(ge, "cpu"), get(ours, "cpu"))),
        ratio_with_goal(ratio(get(ours, "seconds"), get(floor, "seconds")), FLOOR_GOAL),
        ratio_with_goal(ratio(get(ours, "cpu"), get(floor, "cpu"))),
        ratio_with_goal(ratio(get(ge, "rss_kib"), get(ours, "rss_kib"))),
        ratio_with_goal(ratio(get(ours, "rss_kib"), get(floor, "rss_kib"))),
    ])
print(markdown(["dataset", "checks ours / GE", "GE / ours time", "GE / ours CPU", "ours / SUMMARIZE time", "ours / SUMMARIZE CPU",
                "GE / ours RSS", "ours / SUMMARIZE RSS"], ratios, "llrrrrrr"))
