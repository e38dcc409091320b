"""The Python peer of `mlops predict`: pandas reads the Parquet file, onnxruntime scores it BATCH
rows at a time (one float32 [N, 1] input per feature, one intra-op thread as ours), the ZipMap's
{class: probability} maps become one column per class, and pandas (pyarrow) writes
id, prediction, probability_<class> as Parquet. usage: py_predict.py MODEL DATA OUT BATCH"""
import sys

import numpy as np
import onnxruntime as ort
import pandas as pd

model, data, out, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
inputs = [i.name for i in session.get_inputs()]
df = pd.read_parquet(data, columns=["id", *inputs])
labels, proba = [], []
for start in range(0, len(df), batch):
    part = df.iloc[start : start + batch]
    label, maps = session.run(None, {name: part[name].to_numpy(np.float32).reshape(-1, 1) for name in inputs})
    labels.append(label)
    proba.append(pd.DataFrame.from_records(maps))
result = pd.DataFrame({"id": df["id"], "prediction": np.concatenate(labels)})
probabilities = pd.concat(proba, ignore_index=True)
for c in probabilities.columns:
    result[f"probability_{c}"] = probabilities[c].astype(np.float64)
result.to_parquet(out, index=False)
