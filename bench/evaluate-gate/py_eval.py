"""Python side of the evaluate-gate benchmark: onnxruntime and scikit-learn on the same data and
model as ours (bench/run.sh evaluate-gate).

usage: py_eval.py MODEL DATA BATCH [zipmap]

Reads the label and the model's input columns with pandas (pyarrow: read_parquet, read_csv with
engine="pyarrow"), feeds float32 [N, 1] slices of them BATCH rows at a time to an
onnxruntime.InferenceSession with prepareModel's options (1 intra-op and 1 inter-op thread, all
graph optimizations), fetching the same outputs as ours (`label` and the probability tensor),
then computes accuracy, macro f1, roc_auc (one-vs-rest, macro) and log_loss with scikit-learn,
the predicted class being the argmax of the probabilities as in ours. `zipmap`: MODEL ends in
skl2onnx's ZipMap (a list of {class: p} dicts per batch), turned into an array row by row, as a
Python user of the model as shipped does.

Prints one JSON line: rows, seconds per phase, session.run seconds alone, rows/s, metrics, peak
RSS so far (ru_maxrss).
"""
import json
import resource
import sys
import time

import numpy as np
import onnxruntime as ort
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score

LABEL = "weather"


def main():
    model, data, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    zipmap = len(sys.argv) > 4 and sys.argv[4] == "zipmap"
    t0 = time.perf_counter()
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])
    inputs = [i.name for i in sess.get_inputs()]
    label_out = "label"
    # The probability tensor: the float tensor output (logreg's, or an unwrapped ZipMap's input).
    tensors = [o.name for o in sess.get_outputs() if o.type == "tensor(float)"]
    proba_out = "probabilities" if zipmap else tensors[0]
    meta = sess.get_modelmeta().custom_metadata_map
    classes = json.loads(meta["classes"])
    t1 = time.perf_counter()

    cols = inputs + [LABEL]
    if data.endswith(".parquet"):
        df = pd.read_parquet(data, columns=cols)
    else:
        df = pd.read_csv(data, usecols=cols, engine="pyarrow", dtype={LABEL: str})
    y = df[LABEL].to_numpy()
    X = {c: df[c].to_numpy(dtype=np.float32).reshape(-1, 1) for c in inputs}
    n = len(df)
    t2 = time.perf_counter()

    run = 0.0
    probas = []
    for s in range(0, n, batch):
        feeds = {c: X[c][s : s + batch] for c in inputs}
        r0 = time.perf_counter()
        out = sess.run([label_out, proba_out], feeds)
        run += time.perf_counter() - r0
        p = out[1]
        if zipmap:
            p = np.array([[d[c] for c in classes] for d in p], dtype=np.float32)
        probas.append(p)
    proba = np.concatenate(probas)
    t3 = time.perf_counter()

    pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    labels = sorted(set(y) | set(pred))  # unique_labels, as ours
    p64 = proba.astype(np.float64)
    metrics = {
        "accuracy": float(accuracy_score(y, pred)),
        "f1": float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
        "roc_auc": float(roc_auc_score(y, p64, multi_class="ovr", labels=classes)),
        "log_loss": float(log_loss(y, p64, labels=classes)),
    }
    t4 = time.perf_counter()
    print(
        json.dumps(
            {
                "tool": "python-zipmap" if zipmap else "python",
                "rows": n,
                "batchSize": batch,
                "loadSeconds": round(t1 - t0, 4),
                "readSeconds": round(t2 - t1, 4),
                "scoreSeconds": round(t3 - t2, 4),
                "runSeconds": round(run, 4),
                "rowsPerSecond": round(n / (t3 - t2)),
                "metricsSeconds": round(t4 - t3, 4),
                "totalSeconds": round(t4 - t0, 4),
                "rssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "metrics": metrics,
            }
        )
    )


if __name__ == "__main__":
    main()
