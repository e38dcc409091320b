"""Python side of the evaluate-gate benchmark: onnxruntime and scikit-learn on the same data and
model as ours (bench/run.sh evaluate-gate).

usage: py_eval.py MODEL DATA BATCH [zipmap]
       py_eval.py evaluate CANDIDATE BASELINE DATA BATCH RESAMPLES

Reads the label and the model's input columns with pandas (pyarrow: read_parquet, read_csv with
engine="pyarrow"), feeds float32 [N, 1] slices of them BATCH rows at a time to an
onnxruntime.InferenceSession with prepareModel's options (1 intra-op and 1 inter-op thread, all
graph optimizations), fetching the same outputs as ours (`label` and the probability tensor),
then computes accuracy, macro f1, roc_auc (one-vs-rest, macro) and log_loss with scikit-learn,
the predicted class being the argmax of the probabilities as in ours. `zipmap`: MODEL ends in
skl2onnx's ZipMap (a list of {class: p} dicts per batch), turned into an array row by row, as a
Python user of the model as shipped does.

`evaluate`: the gate's work in Python, the peer of bench.ts's `evaluate`: both models scored
(CANDIDATE with ZipMap unwrapped), the four metrics of each with scikit-learn, then a paired
percentile bootstrap of the same four metrics with numpy (RESAMPLES resamples of the row
indices, seed 42): per resample the row repeat counts (np.bincount), accuracy and macro F1
from the weighted confusion matrix, log loss as a weighted mean, ROC AUC per class from the
weights in score order (sorted once; scikit-learn's _binary_clf_curve with sample weights).

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


def session(model):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])
    tensors = [o.name for o in sess.get_outputs() if o.type == "tensor(float)"]
    return sess, [i.name for i in sess.get_inputs()], tensors[0], json.loads(sess.get_modelmeta().custom_metadata_map["classes"])


def score(sess, inputs, proba_out, df, batch):
    X = {c: df[c].to_numpy(dtype=np.float32).reshape(-1, 1) for c in inputs}
    n = len(df)
    return np.concatenate([sess.run(["label", proba_out], {c: X[c][s : s + batch] for c in inputs})[1] for s in range(0, n, batch)])


class Prepared:
    """One model's per-row terms for the bootstrap: label codes, correctness, log loss, score orders."""

    def __init__(self, y, proba, classes, labels):
        self.classes = classes
        pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
        index = {l: i for i, l in enumerate(labels)}
        self.L = len(labels)
        t = np.array([index[v] for v in y])
        q = np.array([index[v] for v in pred])
        self.code = t * self.L + q
        self.correct = (t == q).astype(np.float64)
        p64 = proba.astype(np.float64)
        ci = {c: i for i, c in enumerate(classes)}
        yc = np.array([ci[v] for v in y])
        self.ll = -np.log(np.clip(p64[np.arange(len(y)), yc], np.finfo(np.float64).eps, 1 - np.finfo(np.float64).eps))
        self.orders = []
        for c in range(len(classes)):
            s = p64[:, c]
            order = np.argsort(-s, kind="mergesort")
            ends = np.r_[np.flatnonzero(np.diff(s[order])), len(s) - 1]
            self.orders.append((order, (yc[order] == c).astype(np.float64), ends))

    def metrics(self, w):
        n = w.sum()
        cm = np.bincount(self.code, weights=w, minlength=self.L * self.L).reshape(self.L, self.L)
        tp = np.diag(cm)
        denom = cm.sum(axis=0) + cm.sum(axis=1)
        f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
        aucs = []
        for order, pos, ends in self.orders:
            ws = w[order]
            tps = np.cumsum(ws * pos)[ends]
            fps = np.cumsum(ws)[ends] - tps
            prev_t = np.r_[0, tps[:-1]]
            area = np.sum(np.diff(fps, prepend=0) * (tps + prev_t))
            aucs.append(area / (2 * tps[-1] * fps[-1]) if tps[-1] > 0 and fps[-1] > 0 else np.nan)
        return {"accuracy": w @ self.correct / n, "f1": f1.mean(), "roc_auc": float(np.mean(aucs)), "log_loss": w @ self.ll / n}


def evaluate():
    cand_model, base_model, data, batch, resamples = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    phases = {}
    t = time.perf_counter()

    def lap(name):
        nonlocal t
        u = time.perf_counter()
        phases[name] = round(u - t, 4)
        t = u

    models = [session(cand_model), session(base_model)]
    lap("load")
    cols = sorted({c for m in models for c in m[1]} | {LABEL})
    df = pd.read_parquet(data, columns=cols) if data.endswith(".parquet") else pd.read_csv(data, usecols=cols, engine="pyarrow", dtype={LABEL: str})
    y = df[LABEL].to_numpy()
    lap("read")
    probas = [score(sess, inputs, out, df, batch) for sess, inputs, out, _ in models]
    lap("score")
    preds = [np.asarray(m[3], dtype=object)[p.argmax(axis=1)] for m, p in zip(models, probas)]
    labels = sorted(set(y) | set(preds[0]) | set(preds[1]))
    point = []
    for (_, _, _, classes), p, pred in zip(models, probas, preds):
        p64 = p.astype(np.float64)
        point.append({
            "accuracy": float(accuracy_score(y, pred)),
            "f1": float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
            "roc_auc": float(roc_auc_score(y, p64, multi_class="ovr", labels=classes)),
            "log_loss": float(log_loss(y, p64, labels=classes)),
        })
    lap("metrics")
    prepared = [Prepared(y, p, m[3], labels) for m, p in zip(models, probas)]
    lap("prepare")
    diff = {}
    if resamples > 0:
        rng = np.random.default_rng(42)
        n = len(y)
        cols = {k: np.empty(resamples) for k in point[0]}
        for r in range(resamples):
            w = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
            c, b = prepared[0].metrics(w), prepared[1].metrics(w)
            for k in cols:
                cols[k][r] = c[k] - b[k]
        diff = {k: [float(v) for v in np.percentile(v, [2.5, 97.5])] for k, v in cols.items()}
    lap("bootstrap")
    print(json.dumps({"tool": "python-evaluate", "rows": len(y), "batchSize": batch, "resamples": resamples, "phases": phases,
                      "totalSeconds": round(sum(phases.values()), 4), "candidate": point[0], "baseline": point[1], "difference": diff,
                      "rssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


def main():
    if sys.argv[1] == "evaluate":
        return evaluate()
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
