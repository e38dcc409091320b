"""scikit-learn's own predictions, for test/e2e/predict.test.ts: trains a random forest classifier
(converted as examples/weather/train.py converts it: one float input per feature, ZipMap on)
and a random forest regressor (one [N, 3] input, no metadata) on the weather rows dated before
2015, and writes classifier.onnx, regressor.onnx and expected.json holding `predict` /
`predict_proba` (classifier) and `predict` (regressor) on every row of SCORE.csv.

usage: sklearn_predictions.py TRAIN.csv SCORE.csv OUT_DIR"""
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from skl2onnx import to_onnx as skl_to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.pipeline import Pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples" / "weather"))
from train import to_onnx  # noqa: E402  the example trainer's conversion

train_csv, score_csv, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
features = ["precipitation", "temp_max", "temp_min", "wind"]
df = pd.read_csv(train_csv, dtype={"date": str, "weather": str})
df = df[df["date"] < "2015-01-01"]
score = pd.read_csv(score_csv, dtype={"date": str, "weather": str})

X = df[features].astype(np.float32)
clf = Pipeline([("features", ColumnTransformer([("select", "passthrough", features)])), ("model", RandomForestClassifier(n_estimators=30, max_depth=8, random_state=0))])
clf.fit(X, df["weather"].to_numpy())
classes = [str(c) for c in clf.classes_]
(out / "classifier.onnx").write_bytes(to_onnx(clf, features, classes, 0, "2015-01-01", True).SerializeToString())

reg_features = ["precipitation", "temp_min", "wind"]
reg = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(df[reg_features].astype(np.float32).values, df["temp_max"].astype(np.float64))
onx = skl_to_onnx(reg, initial_types=[("features", FloatTensorType([None, 3]))], target_opset={"": 17, "ai.onnx.ml": 3})
(out / "regressor.onnx").write_bytes(onx.SerializeToString())

Xs = score[features].astype(np.float32)
json.dump(
    {
        "classes": classes,
        "predict": [str(p) for p in clf.predict(Xs)],
        "predict_proba": clf.predict_proba(Xs).tolist(),
        "regression": reg.predict(score[reg_features].astype(np.float32).values).tolist(),
    },
    open(out / "expected.json", "w"),
)
