"""The start-up table: each case's median milliseconds against `node -e 0` (the first case), with
the goal beside the ratio.

usage: table.py RAW.tsv ROUNDS   (env NODE_VERSION, BUNDLES)
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

runs = read_runs(sys.argv[1], "case", "goal")
floor = median(next(iter(runs.values())), "ms")
rows = []
for (name, goal), rs in runs.items():
    ms = median(rs, "ms")
    rows.append([name, f"{ms:.0f}", ratio_with_goal(ratio(ms, floor), goal or None)])
print(f"# Start-up of the actions and the CLI\n\n{machine(node=os.environ.get('NODE_VERSION'))}\n")
print(f"{sys.argv[2]} alternating rounds, medians; each action with no inputs (it parses its inputs and fails on the first required one).\n")
print(markdown(["start", "median ms", "vs `node -e 0`"], rows, "lrl"))
print(f"\nbundles: {os.environ.get('BUNDLES', '?')}")
