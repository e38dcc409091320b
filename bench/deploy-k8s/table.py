"""The deploy-k8s bench table: median wall time and peak RSS per tool and phase, and the ratios."""
import csv
import os
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
NAMES = {"ours": "deploy-k8s (node dist/index.js)", "peer": "kubectl apply --server-side + rollout status"}
PHASES = {"first": "first deploy", "update": "image update"}


def median(tool, phase, key):
    return statistics.median(float(r[key]) for r in rows if r["tool"] == tool and r["phase"] == phase and r["status"] == "ok")


e = os.environ
print(
    f"Kubernetes {e['SERVER_VERSION']} (kubectl {e['KUBECTL_VERSION']}), Node {e['NODE_VERSION']}, "
    f"{e['REPLICAS']} replicas, median of {e['REPEAT']} alternating rounds; control plane start {float(e['START_S']):.1f} s.\n"
)
print("| tool | phase | median s | of which the deploy itself s | peak RSS MiB |")
print("| :-- | :-- | --: | --: | --: |")
for tool in NAMES:
    for phase in PHASES:
        inside = f"{median(tool, phase, 'inside_s'):.2f}" if tool == "ours" else ""
        print(f"| {NAMES[tool]} | {PHASES[phase]} | {median(tool, phase, 'seconds'):.2f} | {inside} | {median(tool, phase, 'rss_kib') / 1024:.0f} |")
print()
print("| phase | ours/kubectl time | ours/kubectl RSS |")
print("| :-- | --: | --: |")
for phase in PHASES:
    t = median("ours", phase, "seconds") / median("peer", phase, "seconds")
    m = median("ours", phase, "rss_kib") / median("peer", phase, "rss_kib")
    print(f"| {PHASES[phase]} | {t:.2f} | {m:.2f} |")
