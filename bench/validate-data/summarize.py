"""DuckDB's own SUMMARIZE over the file: the engine's floor for a one-pass profile.

usage: summarize.py DATA_FILE
"""
import sys

import duckdb

rows = duckdb.sql(f"SUMMARIZE FROM '{sys.argv[1]}'").fetchall()
print(f"SUMMARIZE: {len(rows)} columns, duckdb {duckdb.__version__}", file=sys.stderr)
