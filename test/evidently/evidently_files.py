"""Evidently's automatic drift test and value per column for two CSV files, the way users run it.

Usage: evidently_files.py reference.csv current.csv column... -> JSON {column: {test, value}}.
"""
import json
import sys

from evidently_drift import DISPLAY, number  # also applies its pandas stand-in before evidently loads

import pandas as pd
from evidently import Dataset, Report
from evidently.metrics import ValueDrift


def main():
    ref_path, cur_path, *columns = sys.argv[1:]
    ref = pd.read_csv(ref_path)[columns]
    cur = pd.read_csv(cur_path)[columns]
    definition = Dataset.from_pandas(ref).data_definition
    snapshot = Report([ValueDrift(column=c) for c in columns]).run(
        Dataset.from_pandas(cur, data_definition=definition), Dataset.from_pandas(ref, data_definition=definition))
    out = {}
    for col, result in zip(columns, snapshot.dict()["metrics"]):
        out[col] = {"test": DISPLAY[result["config"]["method"]], "value": number(result["value"])}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
