"""Markdown tables of the build-image benchmark: median wall time and peak RSS of building and
pushing the model-server image, our action against crane append (+ mutate), cold and warm, and
ours/crane ratios.

usage: table.py RAW.tsv   (env NODE_VERSION, CRANE_VERSION, REGISTRY_VERSION, FILES)
"""
import csv
import datetime
import json
import os
import statistics
import sys

TOOLS = {"ours": "ours (build-image action, builder oci)", "crane": "crane append + mutate"}
PHASES = {"cold": "cold (fresh registry, base only)", "warm": "warm (only the model changed)"}

runs = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    runs.setdefault((r["tool"], r["phase"]), []).append(r)

rows, med = [], {}
for (tool, phase), rs in runs.items():
    bad = [r["status"] for r in rs if r["status"] != "ok"]
    secs = statistics.median(float(r["seconds"]) for r in rs)
    mib = statistics.median(int(r["rss_kib"]) for r in rs) / 1024
    details = [json.loads(r["detail"]) for r in rs if r["detail"].startswith("{")]
    append = f"{statistics.median(d['append_s'] for d in details):.2f}" if details else ""
    uploaded = "/".join(sorted({r["uploaded"] for r in rs}))
    if not bad:
        med[tool, phase] = (secs, mib, float(append) if append else None)
    rows.append(f"| {TOOLS.get(tool, tool)} | {PHASES.get(phase, phase)} | {secs:.2f} | {append} | {mib:,.0f} | {uploaded} | {len(rs)} | {bad[0] if bad else 'ok'} |")

mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
env = os.environ.get
print(f"""# build-image benchmark

{datetime.date.today()}, {os.cpu_count()} cores, {mem:.0f} GiB; node {env('NODE_VERSION', '?')}, crane {env('CRANE_VERSION', '?')}; \
{env('REGISTRY_VERSION', 'docker-registry ?')} on 127.0.0.1, fresh storage for every run and tool.
Base: the e2e test's Node 24 base (pushNodeBase), pushed to the registry before each run (not measured). Files:
{env('FILES', '?')}. Median of the runs; wall seconds of the whole process (ours: the action bundle as the
runner runs it; crane: tar + crane append + crane mutate); peak RSS is the median of each run's peak
(/usr/bin/time %M). "blobs uploaded": ours from its metadata output, crane's "pushed blob" lines.
Load average at the end (1/5/15 min): {' / '.join(f'{x:.1f}' for x in os.getloadavg())}: other work on the machine adds noise.

| tool | build | median s | of which crane append s | peak RSS MiB | blobs uploaded | runs | status |
| :-- | :-- | --: | --: | --: | :-- | --: | :-- |
""" + "\n".join(rows) + """

| build | ours/crane time | ours/(crane append alone) time | ours/crane RSS |
| :-- | --: | --: | --: |""")
for phase in ("cold", "warm"):
    if ("ours", phase) in med and ("crane", phase) in med:
        (so, mo, _), (sc, mc, ac) = med["ours", phase], med["crane", phase]
        print(f"| {phase} | {so / sc:.2f} | {so / ac:.2f} | {mo / mc:.2f} |" if ac else f"| {phase} | {so / sc:.2f} | n/a | {mo / mc:.2f} |")
    else:
        print(f"| {phase} | n/a | n/a | n/a |")
