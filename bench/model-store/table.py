"""Markdown tables of the model-store benchmark: median wall time, CPU seconds, throughput and peak
RSS per operation and tool, and ours against crane (issue 12's goal beside), crane's bare blob
download and oras.

usage: table.py RAW.tsv   (env NODE_VERSION, CRANE_VERSION, ORAS_VERSION, REGISTRY_VERSION)
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import failures, machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

TOOLS = {
    ("push", "ours"): "ours (OciStore.publish)",
    ("pull", "ours"): "ours (OciStore.resolve, fresh cache)",
    ("push", "crane"): "crane push (OCI layout)",
    ("pull", "crane"): "crane pull --format oci",
    ("pull", "crane-blob"): "crane blob > file",
    ("push", "oras"): "oras push",
    ("pull", "oras"): "oras pull",
}
GOAL = "<= 1.1x"

runs = read_runs(sys.argv[1], "op", "tool")
rows, med = [], {}
size = 0
for (op, tool), rs in runs.items():
    bad = failures(rs)
    secs, cpu, kib = median(rs, "seconds"), median(rs, "cpu_seconds"), median(rs, "rss_kib")
    size = int(rs[0]["bytes"])
    inner = median(rs, "inner_seconds")
    if not bad:
        med[op, tool] = (secs, cpu)
    rows.append([op, TOOLS.get((op, tool), tool), f"{secs:.2f}", f"{cpu:.2f}", f"{inner:.2f}" if inner is not None else "", f"{size / 1e6 / secs:,.0f}", f"{kib / 1024:,.0f}", len(rs), bad or "ok"])

env = os.environ.get
print(f"""# model-store benchmark

{machine(node=env('NODE_VERSION'), crane=env('CRANE_VERSION'), oras=env('ORAS_VERSION'))}
{env('REGISTRY_VERSION', 'docker-registry ?')} on 127.0.0.1, fresh storage for every round.
Model: {size / 2**30:.2f} GiB of random bytes ({size:,} bytes). Medians of the runs; wall and CPU (user +
system) seconds of the whole process; MB/s = 10^6 bytes per wall second; peak RSS is the median of
each run's peak (/usr/bin/time). "in-process s": ours' own timer around publish/resolve (no Node
start-up; publish includes its version claim: docs/model-store.md).
""")
print(markdown(["op", "tool", "median s", "CPU s", "in-process s", "MB/s", "peak RSS MiB", "runs", "status"], rows, "llrrrrrrl"))
print()


def vs(op, peer, goal=None):
    ours, other = med.get((op, "ours"), (None, None)), med.get((op, peer), (None, None))
    return [ratio_with_goal(ratio(ours[0], other[0]), goal), ratio_with_goal(ratio(ours[1], other[1]))]


print(markdown(
    ["op", "ours/crane time", "ours/crane CPU", "ours/crane-blob time", "ours/crane-blob CPU", "ours/oras time", "ours/oras CPU"],
    [[op, *vs(op, "crane", GOAL), *vs(op, "crane-blob"), *vs(op, "oras")] for op in ("push", "pull")],
    "lrrrrrr",
))
