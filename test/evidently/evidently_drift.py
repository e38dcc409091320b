"""Evidently's drift numbers on a few datasets, for test/integration/drift-evidently.test.ts.

Prints JSON: one case per (dataset, column) with the raw reference and current values, the
column type Evidently inferred, the test its automatic choice ran and every applicable test's
value (ValueDrift metrics of a Report, the way users run Evidently). NaN is written as null.
"""
import json
import math
import sys

# evidently 0.7.23 imports a pandas helper that pandas 3 removed, in a data-integrity test we do
# not use; give it a stand-in so the package imports (the drift code does not touch it).
import pandas.core.dtypes.common as _pd_common

if not hasattr(_pd_common, "infer_dtype_from_object"):
    _pd_common.infer_dtype_from_object = lambda x: x

import numpy as np
import pandas as pd
from evidently import Dataset, Report
from evidently.metrics import ValueDrift
from vega_datasets import data as vega

NUMERIC_TESTS = ["ks", "wasserstein", "jensenshannon", "psi", "kl_div", "hellinger"]
CATEGORICAL_TESTS = ["chisquare", "z", "jensenshannon", "psi", "kl_div", "hellinger"]
DISPLAY = {
    "K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi", "Kullback-Leibler divergence": "kl_div", "Hellinger distance": "hellinger",
}


def datasets():
    rng = np.random.default_rng(7)
    golden_ref = pd.DataFrame({"die": np.repeat(np.arange(1, 7), [16, 18, 16, 14, 12, 12])})
    golden_cur = pd.DataFrame({"die": np.repeat(np.arange(1, 7), [16, 16, 16, 16, 16, 8])})
    yield "golden-die", golden_ref, golden_cur
    yield "golden-sin", pd.DataFrame({"sin": 10 * np.sin(np.arange(2000))}), pd.DataFrame({"sin": 10 * np.sin(np.arange(1500)) + 1})

    cars = vega.cars()
    cars = cars.drop(columns=["Name", "Year"]).assign(Year=cars["Year"].dt.year)
    yield "cars-by-year", cars[cars.Year < 1976].drop(columns="Year"), cars[cars.Year >= 1976].drop(columns="Year")
    yield "cars-usa-vs-rest", cars[cars.Origin == "USA"].drop(columns=["Year"]), cars[cars.Origin != "USA"].drop(columns=["Year"])

    weather = vega.seattle_weather()
    year = weather["date"].dt.year
    w = weather.drop(columns="date")
    yield "seattle-2012-13-vs-2015", w[year <= 2013], w[year == 2015]
    yield "seattle-2012-14-vs-2015", w[year <= 2014], w[year == 2015]

    n_ref, n_cur = 900, 457
    yield "synthetic-small", pd.DataFrame({
        "same": rng.normal(0, 1, n_ref), "shifted": rng.normal(0, 1, n_ref),
        "binary": rng.choice(["no", "yes"], n_ref, p=[0.7, 0.3]),
        "new_category": rng.choice(["a", "b", "c"], n_ref),
        "few_numbers": rng.choice([0.5, 1.5, 2.5, 3.5], n_ref),
        "with_gaps": np.where(rng.random(n_ref) < 0.1, np.nan, rng.exponential(2, n_ref)),
    }), pd.DataFrame({
        "same": rng.normal(0, 1, n_cur), "shifted": rng.normal(0.3, 1, n_cur),
        "binary": rng.choice(["no", "yes"], n_cur, p=[0.4, 0.6]),
        "new_category": rng.choice(["a", "b", "c", "d"], n_cur),
        "few_numbers": rng.choice([0.5, 1.5, 2.5, 3.5], n_cur, p=[0.1, 0.2, 0.3, 0.4]),
        "with_gaps": np.where(rng.random(n_cur) < 0.3, np.inf, rng.exponential(2.2, n_cur)),
    })
    yield "synthetic-large", pd.DataFrame({
        "x": rng.normal(0, 1, 20000), "y": np.round(rng.normal(0, 1, 20000), 2),
    }), pd.DataFrame({"x": rng.normal(0.03, 1, 12000), "y": np.round(rng.normal(0.02, 1.05, 12000), 2)})


def value_type(series):
    dtype = series.dtype.name
    if dtype.startswith("float"):
        return "float"
    if dtype.startswith("int"):
        return "integer"
    return "boolean" if dtype == "bool" else "text"


def number(x):
    x = float(x)
    return None if math.isnan(x) else x


def plain(v):
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else (v if math.isfinite(v) else ("Infinity" if v > 0 else "-Infinity"))
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def main():
    cases = []
    for name, ref, cur in datasets():
        definition = Dataset.from_pandas(ref).data_definition
        numeric = set(definition.get_numerical_columns())
        categorical = set(definition.get_categorical_columns())
        metrics, wanted = [], []
        for col in ref.columns:
            kind = "numeric" if col in numeric else "categorical" if col in categorical else None
            if kind is None:
                continue
            metrics.append(ValueDrift(column=col))
            wanted.append((col, kind, None))
            for test in NUMERIC_TESTS if kind == "numeric" else CATEGORICAL_TESTS:
                metrics.append(ValueDrift(column=col, method=test))
                wanted.append((col, kind, test))
        snapshot = Report(metrics).run(Dataset.from_pandas(cur, data_definition=definition), Dataset.from_pandas(ref, data_definition=definition))
        results = snapshot.dict()["metrics"]
        by_column = {}
        for (col, kind, test), result in zip(wanted, results):
            case = by_column.setdefault(col, {
                "dataset": name, "column": col, "kind": kind, "type": value_type(ref[col]),
                "referenceDistinct": int(ref[col].nunique()),
                "reference": [plain(v) for v in ref[col].tolist()],
                "current": [plain(v) for v in cur[col].tolist()],
                "values": {},
            })
            if test is None:
                case["auto"] = {"test": DISPLAY[result["config"]["method"]], "value": number(result["value"])}
            else:
                case["values"][test] = number(result["value"])
        cases.extend(by_column.values())
    json.dump(cases, sys.stdout)


if __name__ == "__main__":
    main()
