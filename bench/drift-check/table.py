"""The drift-check benchmark's table: median wall time, CPU time and peak RSS per shape and tool,
ratios against Evidently, and the largest difference between Evidently's statistics and ours.

Usage: table.py RAW.tsv REPORTS_DIR (REPORTS_DIR/<shape>.{profile,raw,evidently}.json)
"""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import machine, median, ratio, ratio_with_goal, read_runs  # noqa: E402

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
    runs = {k: ok for k, rs in read_runs(raw, "shape", "tool").items() if (ok := [r for r in rs if r["status"] == "ok"])}
    print(f"{machine(node=os.environ.get('NODE_VERSION', '?'), evidently=os.environ.get('EVIDENTLY_VERSION', '?'))} Median of the runs.\n")
    print("| rows x columns | tool | runs | wall s | CPU s | peak RSS MiB | Evidently's wall / ours | Evidently's CPU / ours | ours / Evidently's memory | largest difference from Evidently | same verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for shape in dict.fromkeys(s for s, _ in runs):
        rows, cols = shape.split("x")
        evidently = json.loads((reports / f"{shape}.evidently.json").read_text())
        ev = runs.get((shape, "evidently"), [])
        ev_s, ev_c, ev_m = median(ev, "seconds"), median(ev, "cpu_seconds"), median(ev, "rss_kib")
        for tool, label in TOOLS.items():
            rs = runs.get((shape, tool))
            if not rs:
                continue
            s, c, m = median(rs, "seconds"), median(rs, "cpu_seconds"), median(rs, "rss_kib")
            ours = tool != "evidently"
            ratio_t = ratio_with_goal(ratio(ev_s, s), digits=1) if ours and ev_s else ""
            ratio_c = ratio_with_goal(ratio(ev_c, c), digits=1) if ours and ev_c else ""
            ratio_m = f"{m / ev_m:.2f}" if ours and ev_m else ""
            diff, agree = ("", "")
            if tool != "evidently":
                diff, agree, _ = diffs(reports / f"{shape}.{tool}.json", evidently)
            print(f"| {int(rows):,} x {int(cols):,} | {label} | {len(rs)} | {s:.2f} | {c:.2f} | {int(m) // 1024:,} | {ratio_t} | {ratio_c} | {ratio_m} | {diff} | {agree} |")


if __name__ == "__main__":
    main()
