"""Markdown tables of the serving benchmark: median throughput, p50/p99 latency, CPU per request
and peak RSS per model, server and concurrency; ours against the bare node:http floor and FastAPI
with issue 12's goals beside the ratios; before/after (BENCH_SERVING_BASELINE); the in-process
floors and what they leave for a server.

usage: table.py RAW.tsv   (env NODE_VERSION, PYTHON_VERSION, ORT_VERSION, FASTAPI_VERSION,
                           UVICORN_VERSION, WRK_VERSION, DURATION)
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from benchtable import failures, machine, markdown, median, ratio, ratio_with_goal, read_runs  # noqa: E402

MODELS = {"node": "softmax (Node trainer, 1 KB)", "python": "forest (Python trainer, 200 trees, ZipMap, 1.5 MB)"}
SHORT = {"node": "softmax", "python": "forest"}
SERVERS = {
    "before": "ours before (BENCH_SERVING_BASELINE)",
    "ours": "ours (shared/serving, node:http)",
    "bare": "floor: bare node:http, constant JSON",
    "fastapi": "FastAPI + uvicorn (uvloop, httptools)",
    "floor-run": "floor: Node session.run, in-process",
    "floor-infer": "floor: our ServedModel.infer, in-process",
    "floor-py": "floor: Python session.run, in-process",
}
FIELDS = ("req_per_s", "p50_us", "p99_us", "rss_kib", "cpu_us")

runs = read_runs(sys.argv[1], "model", "server", "concurrency")
med, rows = {}, []
for (model, server, conc), rs in runs.items():
    m = {k: median(rs, k) for k in FIELDS}
    m["latency"] = rs[0].get("latency") or "wrk"
    bad = failures(rs)
    if not bad:
        med[model, server, conc] = m
    rows.append((model, server, conc, m, len(rs), bad or "ok"))
models = list(dict.fromkeys(r[0] for r in rows))
concs = sorted({r[2] for r in rows if r[2] != "-"}, key=int)
env = os.environ.get

print(f"""# serving benchmark

{machine(node=env('NODE_VERSION'), onnxruntime=env('ORT_VERSION'), Python=env('PYTHON_VERSION', '').replace('Python ', ''), FastAPI=env('FASTAPI_VERSION'), uvicorn=env('UVICORN_VERSION'), wrk=env('WRK_VERSION', '').replace('wrk ', ''))}

Batch-1 OIP v2 requests (`POST /v2/models/weather/infer`, 4 FP32 [1, 1] inputs; label + probabilities out),
keep-alive, {env('DURATION', '?')} s per concurrency after a 2 s warm-up. Each server is one process pinned to core 0,
wrk (one thread) to core 1; servers alternate within each round. Medians of the runs. Latency at 1 connection:
each request timed (per-request); above: wrk's own statistics, not percentiles over the requests (docs/bench.md).
CPU µs/req: the server's user + system CPU time (all threads) over the requests wrk counted. Peak RSS: the
server's VmHWM since its start. Floors: one call after another in one process, pinned to core 0.
""")
order = list(SERVERS)
table = []
for model, server, conc, m, n, status in sorted(rows, key=lambda r: (models.index(r[0]), order.index(r[1]) if r[1] in order else 99, int(r[2]) if r[2] != "-" else 0)):
    fmt = lambda v, f: "-" if v is None else f.format(v)  # noqa: E731
    table.append([MODELS.get(model, model), SERVERS.get(server, server), conc, fmt(m["req_per_s"], "{:,.0f}"), fmt(m["p50_us"] and m["p50_us"] / 1000, "{:.3f}"),
                  fmt(m["p99_us"] and m["p99_us"] / 1000, "{:.3f}") + (" (per-request)" if m["latency"] == "per-request" else ""),
                  fmt(m["cpu_us"], "{:.1f}"), fmt(m["rss_kib"] and m["rss_kib"] / 1024, "{:,.0f}"), n, status])
print(markdown(["model", "server", "concurrency", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "peak RSS MiB", "runs", "status"], table, "lllrrrrrrl"))


def get(model, server, conc, field):
    m = med.get((model, server, conc))
    return m[field] if m else None


# Issue 12: ours >= 0.6x bare node:http; p99 <= FastAPI's at every concurrency. Against the floor
# both ways: req/s (what the loaded machine allowed) and CPU per request (what a request costs).
# Ceiling: what a server doing nothing but node:http and one session.run per request would reach
# (bare's CPU per request over bare's plus the in-process session.run's p50).
print()
goals = []
for model in models:
    run = get(model, "floor-run", "-", "p50_us")
    for c in concs:
        ours, bare = (get(model, s, c, "cpu_us") for s in ("ours", "bare"))
        ceiling = ratio(bare, bare + run) if bare is not None and run is not None else None
        goals.append([SHORT.get(model, model), c,
                      ratio_with_goal(ratio(get(model, "ours", c, "req_per_s"), get(model, "bare", c, "req_per_s")), ">= 0.6x"),
                      ratio_with_goal(ratio(bare, ours), ">= 0.6x"),
                      "n/a" if ceiling is None else f"{ceiling:.2f}x",
                      ratio_with_goal(ratio(get(model, "ours", c, "p99_us"), get(model, "fastapi", c, "p99_us")), "<= 1.0x"),
                      ratio_with_goal(ratio(ours, get(model, "fastapi", c, "cpu_us")))])
print(markdown(["model", "connections", "ours/bare req/s", "ours/bare by CPU per request (bare/ours)", "ceiling with one session.run", "ours/FastAPI p99", "ours/FastAPI CPU per request"], goals, "lrllll" + "l"))

if any(s == "before" for (_, s, _) in med):
    print()
    ba = []
    for model in models:
        for c in concs:
            ba.append([SHORT.get(model, model), c, ratio_with_goal(ratio(get(model, "before", c, "cpu_us"), get(model, "ours", c, "cpu_us"))),
                       ratio_with_goal(ratio(get(model, "ours", c, "req_per_s"), get(model, "before", c, "req_per_s"))),
                       ratio_with_goal(ratio(get(model, "ours", c, "p99_us"), get(model, "before", c, "p99_us")))])
    print(markdown(["model", "connections", "before/ours CPU per request (above 1: ours cheaper)", "ours/before req/s", "ours/before p99"], ba, "lrlll"))

# Overhead above the floor: latency at one connection minus the floor's p50; CPU per request at
# the highest concurrency minus the floor's p50 per call.
top = concs[-1] if concs else None
print()
over = []
for model in models:
    for server, floor in (("ours", "floor-run"), ("fastapi", "floor-py")):
        f50, p50, cpu = get(model, floor, "-", "p50_us"), get(model, server, "1", "p50_us"), get(model, server, top, "cpu_us")
        if None in (f50, p50, cpu):
            over.append([SHORT.get(model, model), server] + ["n/a"] * 5)
            continue
        over.append([SHORT.get(model, model), server, f"{f50:.1f}", f"{p50:.0f}", f"{p50 - f50:.0f}", f"{cpu:.1f}", f"{cpu - f50:.1f}"])
print(markdown(["model", "server", "floor p50 µs", "p50 µs at c=1", "latency over floor µs", f"CPU µs/req at c={top}", "CPU over floor µs"], over, "llrrrrr"))
