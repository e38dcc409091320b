"""Markdown tables of the serving benchmark: median throughput, p50/p99 latency, CPU per request
and peak RSS per model, server and concurrency; ours against FastAPI and the bare node:http floor
with the goals beside (issue 12); the in-process floors and the per-request overhead above them.

usage: table.py RAW.tsv   (env NODE_VERSION, PYTHON_VERSION, ORT_VERSION, FASTAPI_VERSION,
                           UVICORN_VERSION, WRK_VERSION, DURATION)
"""
import csv
import datetime
import os
import statistics
import sys

MODELS = {"node": "softmax (Node trainer, 1 KB)", "python": "forest (Python trainer, 200 trees, ZipMap, 1.5 MB)"}
SERVERS = {
    "before": "ours before (BENCH_SERVING_BASELINE)",
    "ours": "ours (shared/serving, node:http)",
    "bare": "floor: bare node:http, constant JSON",
    "fastapi": "FastAPI + uvicorn (uvloop, httptools)",
    "floor-run": "floor: Node session.run, in-process",
    "floor-infer": "floor: our ServedModel.infer, in-process",
    "floor-py": "floor: Python session.run, in-process",
}

runs = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    runs.setdefault((r["model"], r["server"], r["concurrency"]), []).append(r)

med = {}
rows = []
for (model, server, conc), rs in runs.items():
    bad = [r["status"] for r in rs if r["status"] != "ok"]
    m = {k: statistics.median(float(r[k]) for r in rs) for k in ("req_per_s", "p50_us", "p99_us", "rss_kib")}
    cpu = [float(r["cpu_us"]) for r in rs if r.get("cpu_us")]
    m["cpu_us"] = statistics.median(cpu) if cpu else None
    if not bad:
        med[model, server, conc] = m
    rows.append((model, server, conc, m, len(rs), bad[0] if bad else "ok"))

models = list(dict.fromkeys(r[0] for r in rows))
concs = sorted({r[2] for r in rows if r[2] != "-"}, key=int)
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
env = os.environ.get
print(f"""# serving benchmark

{datetime.date.today()}, {os.cpu_count()} cores, {mem:.0f} GiB; node {env('NODE_VERSION', '?')}, onnxruntime-node and \
onnxruntime {env('ORT_VERSION', '?')}; {env('PYTHON_VERSION', 'Python ?')}, FastAPI {env('FASTAPI_VERSION', '?')}, \
uvicorn {env('UVICORN_VERSION', '?')}; {env('WRK_VERSION', 'wrk ?')}.
Batch-1 OIP v2 requests (`POST /v2/models/weather/infer`, 4 FP32 [1, 1] inputs; label + probabilities out),
keep-alive, {env('DURATION', '?')} s per concurrency after a 2 s warm-up. Each server is one process pinned to core 0,
wrk (one thread) to core 1. Median of the runs; latency is wrk's; peak RSS is the server's VmHWM since its start
(warm-up and lower concurrencies included). Floors: one call after another in one process, pinned to core 0.
Load average at the end (1/5/15 min): {' / '.join(f'{x:.1f}' for x in os.getloadavg())}: other work on the machine adds noise.

CPU µs/req: the server's user + system CPU time (all threads) over the requests wrk counted.

| model | server | concurrency | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MiB | runs | status |
| :-- | :-- | --: | --: | --: | --: | --: | --: | --: | :-- |""")
order = list(SERVERS)
for model, server, conc, m, n, status in sorted(rows, key=lambda r: (models.index(r[0]), order.index(r[1]) if r[1] in order else 99, int(r[2]) if r[2] != "-" else 0)):
    cpu = f"{m['cpu_us']:.1f}" if m["cpu_us"] is not None else "-"
    print(f"| {MODELS.get(model, model)} | {SERVERS.get(server, server)} | {conc} | {m['req_per_s']:,.0f} | {m['p50_us'] / 1000:.3f} | "
          f"{m['p99_us'] / 1000:.3f} | {cpu} | {m['rss_kib'] / 1024:,.0f} | {n} | {status} |")

# The goals of issue 12: ours >= 0.6x the bare node:http floor; p99 <= FastAPI's at every concurrency.
# Against the floor twice: req/s (what the loaded machine allowed) and CPU per request (what it costs).
print("""
| model | concurrency | ours/bare req/s | bare/ours CPU per request | goal | ours/FastAPI p99 | goal | ours/FastAPI CPU per request |
| :-- | --: | --: | --: | :-- | --: | :-- | --: |""")
for model in models:
    for c in concs:
        a, b, f = med.get((model, "ours", c)), med.get((model, "bare", c)), med.get((model, "fastapi", c))
        rate = f"{a['req_per_s'] / b['req_per_s']:.2f}" if a and b else "n/a"
        cpu = f"{b['cpu_us'] / a['cpu_us']:.2f}" if a and b and a["cpu_us"] and b["cpu_us"] else "n/a"
        p99 = f"{a['p99_us'] / f['p99_us']:.2f}" if a and f else "n/a"
        cpu_f = f"{a['cpu_us'] / f['cpu_us']:.2f}" if a and f and a["cpu_us"] and f["cpu_us"] else "n/a"
        print(f"| {model} | {c} | {rate} | {cpu} | >= 0.6 | {p99} | <= 1 | {cpu_f} |")

if any(s == "before" for (_, s, _) in med):
    print("""
| model | concurrency | ours/before req/s | before/ours CPU per request | ours/before p99 |
| :-- | --: | --: | --: | --: |""")
    for model in models:
        for c in concs:
            a, b = med.get((model, "ours", c)), med.get((model, "before", c))
            if not a or not b:
                print(f"| {model} | {c} | n/a | n/a | n/a |")
                continue
            cpu = f"{b['cpu_us'] / a['cpu_us']:.2f}" if a["cpu_us"] and b["cpu_us"] else "n/a"
            print(f"| {model} | {c} | {a['req_per_s'] / b['req_per_s']:.2f} | {cpu} | {a['p99_us'] / b['p99_us']:.2f} |")

print("""
| model | concurrency | ours/FastAPI req/s | ours/FastAPI p50 | ours/FastAPI p99 | ours/FastAPI RSS |
| :-- | --: | --: | --: | --: | --: |""")
for model in models:
    for c in concs:
        a, b = med.get((model, "ours", c)), med.get((model, "fastapi", c))
        if not a or not b:
            print(f"| {model} | {c} | n/a | n/a | n/a | n/a |")
            continue
        print(f"| {model} | {c} | {a['req_per_s'] / b['req_per_s']:.2f} | {a['p50_us'] / b['p50_us']:.2f} | {a['p99_us'] / b['p99_us']:.2f} | {a['rss_kib'] / b['rss_kib']:.2f} |")

# Overhead above the floor: latency at concurrency 1 minus the floor's p50; CPU per request at the
# highest concurrency (1/throughput on its one core) minus the floor's time per call.
top = concs[-1] if concs else None
print(f"""
| model | server | floor p50 µs | p50 µs at c=1 | latency over floor µs | µs/request at c={top} (1/throughput) | floor µs/call | CPU over floor µs |
| :-- | :-- | --: | --: | --: | --: | --: | --: |""")
for model in models:
    for server, floor in (("ours", "floor-run"), ("fastapi", "floor-py")):
        s1, st, f = med.get((model, server, "1")), med.get((model, server, top)), med.get((model, floor, "-"))
        if not s1 or not st or not f:
            print(f"| {model} | {server} | n/a | n/a | n/a | n/a | n/a | n/a |")
            continue
        per_req, per_call = 1e6 / st["req_per_s"], 1e6 / f["req_per_s"]
        print(f"| {model} | {server} | {f['p50_us']:.1f} | {s1['p50_us']:.0f} | {s1['p50_us'] - f['p50_us']:.0f} | {per_req:.0f} | {per_call:.1f} | {per_req - per_call:.0f} |")
