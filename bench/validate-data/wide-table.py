"""The validate-data-wide table: median of the runs per width, and the cost per 1,000 columns.

usage: wide-table.py RAW.tsv
"""
import csv
import os
import statistics
import sys

runs = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    runs.setdefault(int(r["columns"]), []).append(r)

print(f"Node {os.environ.get('NODE_VERSION', '?')}, {os.cpu_count()} cores; median of the runs.\n")
print("| columns | rows | file MiB | median s | s per 1,000 columns | peak RSS MiB | profile MiB | status |")
print("| --: | --: | --: | --: | --: | --: | --: | :-- |")
for cols in sorted(runs):
    rs = runs[cols]
    ok = [r for r in rs if r["status"] == "ok"]
    use = ok or rs
    secs = statistics.median(float(r["seconds"]) for r in use)
    rss = statistics.median(int(r["rss_kib"]) for r in use) / 1024
    print(
        f"| {cols:,} | {int(rs[0]['rows']):,} | {int(rs[0]['file_bytes']) / 2**20:,.0f} | {secs:.2f} | "
        f"{secs / cols * 1000:.2f} | {rss:,.0f} | {int(use[0]['profile_bytes']) / 2**20:,.1f} | "
        f"{'ok' if len(ok) == len(rs) else use[-1]['status']} |"
    )
