"""Evidently's DataDriftPreset on two Parquet files, the way users run it (pandas in memory).

Usage: evidently_preset.py reference.parquet current.parquet OUT.json
Writes {"share": ..., "columns": {column: {"test": ..., "value": ..., "drifted": ...}}}.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "test" / "evidently"))
from evidently_drift import DISPLAY, number  # noqa: E402  (also patches pandas for evidently 0.7.23)

import pandas as pd  # noqa: E402
from evidently import Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402


def main():
    ref_path, cur_path, out_path = sys.argv[1:]
    ref = pd.read_parquet(ref_path)
    cur = pd.read_parquet(cur_path)
    definition = Dataset.from_pandas(ref).data_definition
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(cur, data_definition=definition), Dataset.from_pandas(ref, data_definition=definition))
    out = {"share": None, "columns": {}}
    for m in snapshot.dict()["metrics"]:
        config = m["config"]
        if config["type"].endswith(":DriftedColumnsCount"):
            out["share"] = m["value"]["share"]
        elif config["type"].endswith(":ValueDrift"):
            value = number(m["value"])
            test = DISPLAY[config["method"]]
            p_value = test in ("ks", "chisquare", "z")
            drifted = value is not None and (value <= config["threshold"] if test == "ks" else value < config["threshold"] if p_value else value >= config["threshold"])
            out["columns"][config["column"]] = {"test": test, "value": value, "drifted": drifted}
    Path(out_path).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
