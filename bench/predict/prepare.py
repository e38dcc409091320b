"""The bench's rows: the Seattle weather data resampled to N rows (fixed seed) with Gaussian noise
on the four features, an `id` column first; written as Parquet. usage: prepare.py CSV N OUT"""
import sys

import numpy as np
import pandas as pd

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
df = pd.read_csv(src, dtype={"date": str, "weather": str})
rng = np.random.default_rng(0)
rows = df.iloc[rng.integers(0, len(df), n)].reset_index(drop=True)
for c in ["precipitation", "temp_max", "temp_min", "wind"]:
    rows[c] = (rows[c] + rng.normal(0, 0.5, n)).round(1)
rows.insert(0, "id", np.arange(n, dtype=np.int64))
rows.to_parquet(out, index=False)
