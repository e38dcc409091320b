#!/usr/bin/env python3
"""Train a scikit-learn classifier on the Seattle weather data; write model.onnx + metrics.json.

The contract of the `train` action:
  MLOPS_PARAMS      params file, JSON (default: params.json beside this file); reads the
                    top-level features/target/test_from and the `sklearn` section
  MLOPS_SEED        integer seed, the estimator's random_state (default: params "seed" or 0)
  MLOPS_DATA_FILES  a JSON file holding the array of CSV paths, concatenated (any file name);
  MLOPS_DATA        else newline-separated CSV paths (default: data/seattle-weather.csv)
  MLOPS_OUTPUT_DIR  where model.onnx and metrics.json go (default: the working directory)

Split: time-based, train = rows dated before `test_from` (2012-2014), test = rows on or
after it (2015). The `sklearn` section: `estimator` (random_forest | gradient_boosting),
`zipmap` (true: `probabilities` is skl2onnx's default ZipMap, a sequence of {class: prob}
maps; false: a plain float tensor [N, n_classes]); every other key is passed to the estimator
(n_estimators, max_depth, min_samples_leaf, ...).

The ONNX model has one float input [None, 1] per feature, named after it, and outputs
`label` (string [N]) and `probabilities`.
"""
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.pipeline import Pipeline
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType

HERE = Path(__file__).resolve().parent
ESTIMATORS = {"random_forest": RandomForestClassifier, "gradient_boosting": GradientBoostingClassifier}
# Highest opsets the converter may use (it picks the lowest that the model needs).
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}


def fail(msg):
    sys.exit(f"train.py: {msg}")


def load_params(path):
    text = Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"{path}: params must be JSON (which is also valid YAML): {e}")


def rename_value(graph, old, new):
    """Rename a value (node input/output, graph output) everywhere in the graph."""
    for node in graph.node:
        node.input[:] = [new if x == old else x for x in node.input]
        node.output[:] = [new if x == old else x for x in node.output]
    for v in list(graph.output) + list(graph.value_info):
        if v.name == old:
            v.name = new


def to_onnx(pipeline, features, classes, seed, test_from, zipmap):
    onx = convert_sklearn(
        pipeline,
        initial_types=[(f, FloatTensorType([None, 1])) for f in features],
        target_opset=TARGET_OPSET,
        options={id(pipeline.steps[-1][1]): {"zipmap": zipmap}},
    )
    # skl2onnx names the outputs output_label / output_probability; consumers look for
    # label / probabilities. Intermediate values may already use those names: move them aside.
    for old, new in [("output_label", "label"), ("output_probability", "probabilities")]:
        if old in {o.name for o in onx.graph.output}:
            rename_value(onx.graph, new, f"{new}_raw")
            rename_value(onx.graph, old, new)
    if [o.name for o in onx.graph.output] != ["label", "probabilities"]:
        fail(f"unexpected ONNX outputs {[o.name for o in onx.graph.output]}")
    # skl2onnx names the graph with a random uuid; a fixed name keeps the bytes deterministic.
    onx.graph.name = f"weather_{type(pipeline.steps[-1][1]).__name__}"
    # ... and it lists opset_import in set order, which follows Python's per-process string
    # hash seed: sort it.
    opsets = sorted(((o.domain, o.version) for o in onx.opset_import))
    del onx.opset_import[:]
    for domain, version in opsets:
        onx.opset_import.add(domain=domain, version=version)
    for key, value in [
        ("classes", json.dumps(classes, separators=(",", ":"))),  # column order of probabilities
        ("features", json.dumps(features, separators=(",", ":"))),
        ("split", f"train: date < {test_from}; test: date >= {test_from}"),
        ("seed", str(seed)),
    ]:
        onx.metadata_props.add(key=key, value=value)
    return onx


def main():
    params_path = os.environ.get("MLOPS_PARAMS") or HERE / "params.json"
    params = load_params(params_path)
    seed_text = os.environ.get("MLOPS_SEED") or str(params.get("seed", 0))
    try:
        seed = int(seed_text)
    except ValueError:
        fail(f'MLOPS_SEED must be an integer, got "{seed_text}"')
    if os.environ.get("MLOPS_DATA_FILES"):
        data_paths = json.loads(Path(os.environ["MLOPS_DATA_FILES"]).read_text(encoding="utf-8"))
    else:
        data_paths = [p.strip() for p in (os.environ.get("MLOPS_DATA") or str(HERE / "data" / "seattle-weather.csv")).split("\n") if p.strip()]
    out_dir = Path(os.environ.get("MLOPS_OUTPUT_DIR") or os.getcwd())

    features = params.get("features", ["precipitation", "temp_max", "temp_min", "wind"])
    target = params.get("target", "weather")
    test_from = params.get("test_from", "2015-01-01")
    skl = dict(params.get("sklearn", {}))
    name = skl.pop("estimator", "random_forest")
    zipmap = bool(skl.pop("zipmap", True))
    if name not in ESTIMATORS:
        fail(f"sklearn.estimator must be one of {sorted(ESTIMATORS)}, got {name!r}")

    df = pd.concat([pd.read_csv(p, dtype={"date": str, target: str}) for p in data_paths], ignore_index=True)
    X = df[features].astype(np.float32)  # the model's inputs are float32
    y = df[target].to_numpy()
    is_test = (df["date"] >= test_from).to_numpy()  # ISO dates compare as strings
    X_train, y_train, X_test, y_test = X[~is_test], y[~is_test], X[is_test], y[is_test]
    if len(X_train) == 0 or len(X_test) == 0:
        fail(f"empty split at {test_from}: {len(X_train)} train / {len(X_test)} test rows")

    # The ColumnTransformer selects the features by name, so the ONNX converter maps each one
    # to its own named input and concatenates them in this order.
    estimator = ESTIMATORS[name](random_state=seed, **skl)
    pipeline = Pipeline([("features", ColumnTransformer([("select", "passthrough", features)])), ("model", estimator)])
    pipeline.fit(X_train, y_train)
    classes = [str(c) for c in pipeline.classes_]

    pred = pipeline.predict(X_test)
    proba = pipeline.predict_proba(X_test)
    labels = sorted(set(y_test) | set(pred))  # scikit-learn's default label set for f1
    f1s = f1_score(y_test, pred, labels=labels, average=None, zero_division=0)
    metrics = {
        "accuracy": float(accuracy_score(y_test, pred)),
        # The suite's metric names (docs/metrics.md): this flattens to f1.macro, f1.class.<class>.
        "f1": {
            "macro": float(f1_score(y_test, pred, average="macro", zero_division=0)),
            "class": {str(c): float(v) for c, v in zip(labels, f1s)},
        },
        "log_loss": float(log_loss(y_test, proba, labels=pipeline.classes_)),
        "n_train": int(len(X_train)),
        "n_test": int(len(X_test)),
    }

    onx = to_onnx(pipeline, features, classes, seed, test_from, zipmap)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "model.onnx").write_bytes(onx.SerializeToString())
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(
        f"train.py: {name} {skl}, seed {seed}; train {len(X_train)} rows (< {test_from}), test {len(X_test)}: "
        f"accuracy {metrics['accuracy']:.4f}, f1.macro {metrics['f1']['macro']:.4f}, "
        f"log_loss {metrics['log_loss']:.4f} -> {out_dir / 'model.onnx'}"
    )


if __name__ == "__main__":
    main()
