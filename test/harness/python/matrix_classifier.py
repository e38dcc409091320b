"""Train a scikit-learn classifier whose ONNX model takes ONE [N, 4] input (skl2onnx's default
for a plain estimator), for test/e2e/evaluate-gate.test.ts: binding such a model when the data
also holds an id, a date or a slice column (the `features` input, the model's `features`
metadata). Usage: matrix_classifier.py DATA.csv OUT.onnx [meta]; with `meta`, the model names
its features in its metadata, as the example trainers do."""
import json
import sys

import numpy as np
import pandas as pd
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.linear_model import LogisticRegression

data, out = sys.argv[1], sys.argv[2]
features = ["precipitation", "temp_max", "temp_min", "wind"]
df = pd.read_csv(data)
train = df[df["date"] < "2015-01-01"]
model = LogisticRegression(max_iter=2000).fit(train[features].astype(np.float32).values, train["weather"])
onx = to_onnx(
    model,
    initial_types=[("X", FloatTensorType([None, len(features)]))],
    target_opset={"": 17, "ai.onnx.ml": 3},
    options={id(model): {"zipmap": False}},
)
onx.metadata_props.add(key="classes", value=json.dumps([str(c) for c in model.classes_]))
if len(sys.argv) > 3 and sys.argv[3] == "meta":
    onx.metadata_props.add(key="features", value=json.dumps(features))
with open(out, "wb") as f:
    f.write(onx.SerializeToString())
