"""Both outputs hold the same predictions: rows, ids in order, labels, probabilities within
float32 rounding. usage: compare.py OURS.parquet PYTHON.parquet; prints one line, exits 1 on a difference."""
import sys

import numpy as np
import pandas as pd

a, b = pd.read_parquet(sys.argv[1]), pd.read_parquet(sys.argv[2])
assert list(a.columns) == list(b.columns), (list(a.columns), list(b.columns))
assert len(a) == len(b) and (a["id"].to_numpy() == b["id"].to_numpy()).all(), "rows differ"
same = float((a["prediction"].astype(str).to_numpy() == b["prediction"].astype(str).to_numpy()).mean())
cols = [c for c in a.columns if c.startswith("probability_")]
diff = float(np.abs(a[cols].to_numpy() - b[cols].to_numpy()).max())
print(f"{len(a)} rows; same prediction on {same:.6%} of rows; max |probability difference| {diff:.2e}")
sys.exit(0 if same == 1.0 and diff < 1e-6 else 1)
