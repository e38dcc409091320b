"""The deploy-k8s bench table: median wall time and peak RSS per tool and phase, and the ratios.

usage: table.py RAW.tsv   (env SERVER_VERSION, KUBECTL_VERSION, NODE_VERSION, REPLICAS, REPEAT, START_S)
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

NAMES = {"ours": "deploy-k8s (node dist/index.js)", "peer": "kubectl apply --server-side + rollout status"}
PHASES = {"first": "first deploy", "update": "image update"}
runs = {k: [r for r in rs if r["status"] == "ok"] for k, rs in read_runs(sys.argv[1], "tool", "phase").items()}


def med(tool, phase, key):
    return median(runs.get((tool, phase), []), key)


e = os.environ
print(machine(Kubernetes=f"{e['SERVER_VERSION']} (kubectl {e['KUBECTL_VERSION']})", node=e["NODE_VERSION"]))
print(f"{e['REPLICAS']} replicas, median of {e['REPEAT']} alternating rounds; control plane start {float(e['START_S']):.1f} s.\n")
print(markdown(["tool", "phase", "median s", "of which the deploy itself s", "peak RSS MiB"],
               [[NAMES[t], PHASES[p], f"{med(t, p, 'seconds'):.2f}", f"{med(t, p, 'inside_s'):.2f}" if t == "ours" else "", f"{med(t, p, 'rss_kib') / 1024:.0f}"] for t in NAMES for p in PHASES],
               "llrrr"))
print()
print(markdown(["phase", "ours/kubectl time", "ours/kubectl RSS"],
               [[PHASES[p], ratio_with_goal(ratio(med("ours", p, "seconds"), med("peer", p, "seconds"))), ratio_with_goal(ratio(med("ours", p, "rss_kib"), med("peer", p, "rss_kib")))] for p in PHASES],
               "lrr"))
