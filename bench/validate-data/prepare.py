"""Write the benchmark data with DuckDB: flights-3m as CSV, and a big CSV of it repeated.

usage: prepare.py SRC.parquet OUT_DIR BIG_GB
"""
import math
import os
import shutil
import sys

import duckdb

src, out, big_gb = sys.argv[1], sys.argv[2], float(sys.argv[3])
os.makedirs(out, exist_ok=True)
parquet = os.path.join(out, "flights-3m.parquet")
csv = os.path.join(out, "flights-3m.csv")
big = os.path.join(out, f"flights-big-{sys.argv[3]}gb.csv")

if not os.path.exists(parquet):
    shutil.copyfile(src, parquet)
if not os.path.exists(csv):
    duckdb.sql(f"COPY (FROM read_parquet('{parquet}')) TO '{csv}.tmp' (FORMAT csv, HEADER)")
    os.replace(csv + ".tmp", csv)
if not os.path.exists(big):
    copies = max(1, math.ceil(big_gb * 1e9 / os.path.getsize(csv)))
    print(f"writing {big}: flights-3m repeated {copies} times ({copies * 3}M rows)", file=sys.stderr)
    duckdb.sql(
        f"COPY (SELECT f.* FROM range({copies}) r, read_parquet('{parquet}') f) "
        f"TO '{big}.tmp' (FORMAT csv, HEADER)"
    )
    os.replace(big + ".tmp", big)
for f in (parquet, csv, big):
    print(f"{os.path.getsize(f) / 2**20:9.0f} MiB  {f}", file=sys.stderr)
