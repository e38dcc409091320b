"""Markdown table of the benchmark: median wall time and peak RSS per dataset and tool, and ratios.

usage: table.py RAW.tsv   (env NODE_VERSION, DUCKDB_NODE: our side)
"""
import csv
import datetime
import os
import statistics
import sys
from importlib.metadata import version

TOOLS = {
    "ours": "ours (mlops validate-data: checks + full profile)",
    "ge": f"Great Expectations {version('great_expectations')} (pandas)",
    "summarize": "DuckDB SUMMARIZE (no checks)",
}

runs = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    runs.setdefault((r["dataset"], r["tool"]), []).append(r)

rows, med = [], {}
for (ds, tool), rs in runs.items():
    bad = [r["status"] for r in rs if r["status"] != "ok"]
    secs = statistics.median(float(r["seconds"]) for r in rs)
    mib = statistics.median(int(r["rss_kib"]) for r in rs) / 1024
    if not bad:
        med[ds, tool] = (secs, mib)
    size = os.path.getsize(rs[0]["file"]) / 2**20
    rows.append(f"| {ds} | {size:,.0f} | {TOOLS[tool]} | {secs:.2f} | {mib:,.0f} | {len(rs)} | {bad[0] if bad else 'ok'} |")


def ratio(ds, a, b):
    if (ds, a) not in med or (ds, b) not in med:
        return "n/a | n/a"
    (sa, ma), (sb, mb) = med[ds, a], med[ds, b]
    return f"{sa / sb:.2f} | {ma / mb:.2f}"


mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
print(f"""# validate-data benchmark

{datetime.date.today()}, {os.cpu_count()} cores, {mem:.0f} GiB; node {os.environ.get('NODE_VERSION', '?')}, \
DuckDB node bindings {os.environ.get('DUCKDB_NODE', '?')}; python duckdb {version('duckdb')}, pandas {version('pandas')}, \
pyarrow {version('pyarrow')}. Median of the runs; peak RSS is the median of each run's peak (/usr/bin/time %M).
Load average at the end (1/5/15 min): {' / '.join(f'{x:.1f}' for x in os.getloadavg())}: other work on the machine adds noise.

| dataset | file MiB | tool | median s | peak RSS MiB | runs | status |
| :-- | --: | :-- | --: | --: | --: | :-- |
""" + "\n".join(rows) + """

| dataset | GE/ours time | GE/ours RSS | ours/SUMMARIZE time | ours/SUMMARIZE RSS |
| :-- | --: | --: | --: | --: |""")
for ds in dict.fromkeys(ds for ds, _ in runs):
    print(f"| {ds} | {ratio(ds, 'ge', 'ours')} | {ratio(ds, 'ours', 'summarize')} |")
