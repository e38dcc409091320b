"""bench/results/predict.raw.tsv -> the markdown table (medians), with the ratios ours vs Python."""
import csv
import os
import statistics
import sys

runs = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in runs:
    if r["status"] == "ok":
        groups.setdefault((r["rows"], r["tool"]), []).append(r)
med = {k: (statistics.median(float(r["seconds"]) for r in v), statistics.median(int(r["rss_kib"]) for r in v) / 1024, len(v)) for k, v in groups.items()}
print(f"Node {os.environ.get('NODE_VERSION', '?')}, Python onnxruntime {os.environ.get('ORT_VERSION', '?')}, pandas {os.environ.get('PANDAS_VERSION', '?')}, pyarrow {os.environ.get('PYARROW_VERSION', '?')}; {os.environ.get('MODEL', '')}\n")
print("| rows | tool | runs | seconds (median) | rows/s | peak RSS MiB | time ratio | memory ratio |")
print("|---|---|---|---|---|---|---|---|")
for (rows, tool), (secs, mib, n) in sorted(med.items(), key=lambda kv: (int(kv[0][0]), kv[0][1])):
    peer = med.get((rows, "python"))
    ratio = f"{peer[0] / secs:.2f}x" if peer and tool == "ours" else ""
    mem = f"{peer[1] / mib:.2f}x" if peer and tool == "ours" else ""
    print(f"| {int(rows):,} | {tool} | {n} | {secs:.2f} | {int(rows) / secs:,.0f} | {mib:.0f} | {ratio} | {mem} |")
print("\nratios: Python / ours (above 1: ours is faster or smaller).")
