"""Train a scikit-learn regressor on the weather data (predict temp_max), convert it with skl2onnx,
and write model.onnx plus sklearn's own metrics on the rows it was given, for
test/e2e/evaluate-gate.test.ts (regressors score correctly; metrics equal sklearn's)."""
import json
import sys

import numpy as np
import pandas as pd
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, r2_score

data, out = sys.argv[1], sys.argv[2]
df = pd.read_csv(data)  # columns: precipitation, temp_min, wind, temp_max
features = ["precipitation", "temp_min", "wind"]
X = df[features].astype(np.float32)
y = df["temp_max"].astype(np.float64)
model = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
# One [N, 3] input: evaluate-gate maps the data's non-label columns onto it, in order.
onx = to_onnx(model, initial_types=[("features", FloatTensorType([None, len(features)]))], target_opset={"": 17, "ai.onnx.ml": 3})
with open(f"{out}/model.onnx", "wb") as f:
    f.write(onx.SerializeToString())
pred = model.predict(X)
json.dump(
    {
        "rmse": float(np.sqrt(mean_squared_error(y, pred))),
        "mae": float(mean_absolute_error(y, pred)),
        "r2": float(r2_score(y, pred)),
        "mape": float(mean_absolute_percentage_error(y, pred)),
    },
    open(f"{out}/sklearn-metrics.json", "w"),
)
