"""bench/results/predict.raw.tsv -> the markdown table (medians), with the ratios ours vs Python.

usage: table.py RAW.tsv   (env NODE_VERSION, ORT_VERSION, PANDAS_VERSION, PYARROW_VERSION, MODEL)
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

E = os.environ
runs = {k: [r for r in rs if r["status"] == "ok"] for k, rs in read_runs(sys.argv[1], "rows", "tool").items()}
med = {k: {f: median(rs, f) for f in ("seconds", "cpu_seconds", "rss_kib")} | {"n": len(rs)} for k, rs in runs.items() if rs}
print(f"# predict benchmark\n\n{machine(node=E.get('NODE_VERSION'), **{'Python onnxruntime': E.get('ORT_VERSION'), 'pandas': E.get('PANDAS_VERSION'), 'pyarrow': E.get('PYARROW_VERSION')})}\n{E.get('MODEL', '')}\n")
rows = []
for (n, tool), m in sorted(med.items(), key=lambda kv: (int(kv[0][0]), kv[0][1])):
    peer = med.get((n, "python")) if tool == "ours" else None
    cpu = f"{m['cpu_seconds']:.2f}" if m["cpu_seconds"] is not None else "n/a"
    rows.append([f"{int(n):,}", tool, m["n"], f"{m['seconds']:.2f}", cpu, f"{int(n) / m['seconds']:,.0f}", f"{m['rss_kib'] / 1024:.0f}",
                 ratio_with_goal(ratio(peer["seconds"], m["seconds"])) if peer else "",
                 ratio_with_goal(ratio(peer["cpu_seconds"], m["cpu_seconds"])) if peer else "",
                 ratio_with_goal(ratio(peer["rss_kib"], m["rss_kib"])) if peer else ""])
print(markdown(["rows", "tool", "runs", "seconds (median)", "CPU s", "rows/s", "peak RSS MiB", "time: Python / ours", "CPU: Python / ours", "memory: Python / ours"], rows, "llrrrrrlll"))
print("\nratios: Python / ours (above 1: ours is faster or smaller).")
