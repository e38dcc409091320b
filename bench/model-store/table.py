"""Markdown tables of the model-store benchmark: median wall time, throughput and peak RSS per
operation and tool, and ours/crane ratios.

usage: table.py RAW.tsv   (env NODE_VERSION, CRANE_VERSION, ORAS_VERSION, REGISTRY_VERSION)
"""
import csv
import datetime
import os
import statistics
import sys

TOOLS = {
    ("push", "ours"): "ours (OciStore.publish)",
    ("pull", "ours"): "ours (OciStore.resolve, fresh cache)",
    ("push", "crane"): "crane push (OCI layout)",
    ("pull", "crane"): "crane pull --format oci",
    ("pull", "crane-blob"): "crane blob > file",
    ("push", "oras"): "oras push",
    ("pull", "oras"): "oras pull",
}

runs = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    runs.setdefault((r["op"], r["tool"]), []).append(r)

rows, med = [], {}
size = 0
for (op, tool), rs in runs.items():
    bad = [r["status"] for r in rs if r["status"] != "ok"]
    secs = statistics.median(float(r["seconds"]) for r in rs)
    mib = statistics.median(int(r["rss_kib"]) for r in rs) / 1024
    size = int(rs[0]["bytes"])
    inner = [float(r["inner_seconds"]) for r in rs if r["inner_seconds"]]
    inner_s = f"{statistics.median(inner):.2f}" if inner else ""
    if not bad:
        med[op, tool] = (secs, mib)
    mbs = size / 1e6 / secs
    rows.append(f"| {op} | {TOOLS.get((op, tool), tool)} | {secs:.2f} | {inner_s} | {mbs:,.0f} | {mib:,.0f} | {len(rs)} | {bad[0] if bad else 'ok'} |")


def ratio(op, a, b):
    if (op, a) not in med or (op, b) not in med:
        return "n/a | n/a"
    (sa, ma), (sb, mb) = med[op, a], med[op, b]
    return f"{sa / sb:.2f} | {ma / mb:.2f}"


mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
print(f"""# model-store benchmark

{datetime.date.today()}, {os.cpu_count()} cores, {mem:.0f} GiB; node {os.environ.get('NODE_VERSION', '?')}, \
crane {os.environ.get('CRANE_VERSION', '?')}, oras {os.environ.get('ORAS_VERSION', '?')}; \
{os.environ.get('REGISTRY_VERSION', 'docker-registry ?')} on 127.0.0.1, fresh storage for every run.
Model: {size / 2**30:.2f} GiB of random bytes ({size:,} bytes). Median of the runs; MB/s = 10^6 bytes per
wall second of the whole process; peak RSS is the median of each run's peak (/usr/bin/time %M).
"in-process s": ours' own timer around publish/resolve (no Node start-up; publish includes its
version claim: docs/model-store.md).
Load average at the end (1/5/15 min): {' / '.join(f'{x:.1f}' for x in os.getloadavg())}: other work on the machine adds noise.

| op | tool | median s | in-process s | MB/s | peak RSS MiB | runs | status |
| :-- | :-- | --: | --: | --: | --: | --: | :-- |
""" + "\n".join(rows) + """

| op | ours/crane time | ours/crane RSS | ours/crane-blob time | ours/crane-blob RSS | ours/oras time | ours/oras RSS |
| :-- | --: | --: | --: | --: | --: | --: |""")
for op in ("push", "pull"):
    print(f"| {op} | {ratio(op, 'ours', 'crane')} | {ratio(op, 'ours', 'crane-blob')} | {ratio(op, 'ours', 'oras')} |")
