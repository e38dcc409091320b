"""The drift-check benchmark's table: median wall time, CPU time and peak RSS per shape and tool,
ratios against Evidently, and the largest difference between Evidently's statistics and ours.

Usage: table.py RAW.tsv REPORTS_DIR (REPORTS_DIR/<shape>.{profile,raw,evidently}.json)
"""
import csv
import json
import os
import statistics
import sys
from pathlib import Path

TOOLS = {"profile": "ours, reference profile", "raw": "ours, raw reference-data", "evidently": "Evidently DataDriftPreset"}


def diffs(ours_path: Path, evidently: dict) -> tuple[str, str, int]:
    """Largest |ours - Evidently| over the columns where both ran the same test; verdict agreement."""
    ours = {c["column"]: c for c in json.loads(ours_path.read_text())["columns"]}
    worst, where, agree, same = 0.0, "", 0, 0
    for name, ev in evidently["columns"].items():
        c = ours.get(name)
        if not c or c["test"] != ev["test"] or c["value"] is None or ev["value"] is None:
            continue
        same += 1
        agree += c["drifted"] == ev["drifted"]
        d = abs(c["value"] - ev["value"])
        if d >= worst:
            worst, where = d, f"{name} ({c['test']})"
    return f"{worst:.2g} at {where}", f"{agree} of {same}", same


def main():
    raw, reports = Path(sys.argv[1]), Path(sys.argv[2])
    runs: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    with raw.open() as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["status"] == "ok":
                runs.setdefault((r["shape"], r["tool"]), []).append((float(r["seconds"]), float(r["cpu_seconds"]), int(r["rss_kib"])))
    print(f"Node {os.environ.get('NODE_VERSION', '?')}, evidently {os.environ.get('EVIDENTLY_VERSION', '?')}; median of the runs.\n")
    print("| rows x columns | tool | runs | wall s | CPU s | peak RSS MiB | Evidently's wall / ours | Evidently's CPU / ours | ours / Evidently's memory | largest difference from Evidently | same verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for shape in dict.fromkeys(s for s, _ in runs):
        rows, cols = shape.split("x")
        evidently = json.loads((reports / f"{shape}.evidently.json").read_text())
        ev = runs.get((shape, "evidently"), [])
        med = lambda rs, k: statistics.median(r[k] for r in rs) if rs else None  # noqa: E731
        ev_s, ev_c, ev_m = med(ev, 0), med(ev, 1), med(ev, 2)
        for tool, label in TOOLS.items():
            rs = runs.get((shape, tool))
            if not rs:
                continue
            s, c, m = med(rs, 0), med(rs, 1), med(rs, 2)
            ratio_t = f"{ev_s / s:.1f}x" if ev_s and tool != "evidently" else ""
            ratio_c = f"{ev_c / c:.1f}x" if ev_c and tool != "evidently" else ""
            ratio_m = f"{m / ev_m:.2f}" if ev_m and tool != "evidently" else ""
            diff, agree = ("", "")
            if tool != "evidently":
                diff, agree, _ = diffs(reports / f"{shape}.{tool}.json", evidently)
            print(f"| {int(rows):,} x {int(cols):,} | {label} | {len(rs)} | {s:.2f} | {c:.2f} | {int(m) // 1024:,} | {ratio_t} | {ratio_c} | {ratio_m} | {diff} | {agree} |")


if __name__ == "__main__":
    main()
