"""Reference and current Parquet files for the drift-check benchmark, deterministic (seeded).

Usage: data.py ROWS COLUMNS OUT_DIR -> OUT_DIR/reference.parquet, OUT_DIR/current.parquet.
Every 10th column is a category (5 values, strings), the others floats (normal, one in seven
with 1% missing values). In current: every 5th float column is shifted by 0.25 standard
deviations and every 20th category has its balance changed; the rest is drawn the same way.
"""
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CATEGORIES = np.array(["k0", "k1", "k2", "k3", "k4"])
BALANCE = [0.4, 0.25, 0.15, 0.12, 0.08]
SWAPPED = BALANCE[::-1]


def table(rows: int, columns: int, seed: int, shifted: bool) -> pa.Table:
    rng = np.random.default_rng(seed)
    arrays = {}
    for k in range(columns):
        if k % 10 == 0:
            p = SWAPPED if shifted and k % 20 == 0 else BALANCE
            arrays[f"c{k}"] = pa.array(CATEGORIES[rng.choice(5, rows, p=p)])
            continue
        values = rng.normal(10 + k % 7, 1 + k % 3, rows)
        if shifted and k % 5 == 1:
            values += 0.25 * (1 + k % 3)
        mask = rng.random(rows) < 0.01 if k % 7 == 3 else None
        arrays[f"c{k}"] = pa.array(values, mask=mask)
    return pa.table(arrays)


def main():
    rows, columns, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    for name, seed, shifted in (("reference", 1, False), ("current", 2, True)):
        tmp = out / f"{name}.parquet.tmp"
        pq.write_table(table(rows, columns, seed, shifted), tmp, row_group_size=100_000)
        tmp.rename(out / f"{name}.parquet")


if __name__ == "__main__":
    main()
