"""Great Expectations (1.x API, ephemeral context, pandas datasource): the checks of
flights-schema.yml as expectations. Exit 0 all pass, 1 some fail, 3 over the memory cap.

usage: ge_validate.py DATA_FILE MAX_RSS_GIB
"""
import os
import sys
import threading
import time

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
path, cap_gib = sys.argv[1], float(sys.argv[2])


def watchdog():
    # Stop before the machine runs out of memory (no swap): poll our own RSS.
    page = os.sysconf("SC_PAGE_SIZE")
    while True:
        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * page
        if rss > cap_gib * 2**30:
            print(f"GE stopped: RSS {rss / 2**30:.1f} GiB over the {cap_gib:g} GiB cap", file=sys.stderr)
            os._exit(3)
        time.sleep(0.1)


threading.Thread(target=watchdog, daemon=True).start()

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402

context = gx.get_context(mode="ephemeral")
source = context.data_sources.add_pandas("flights")
if path.endswith(".parquet"):
    asset = source.add_parquet_asset("flights", path=path)
else:
    # pandas' pyarrow parser: as fast as the default C parser on 3M rows, and with the default
    # the multi-GB CSV goes over a 16 GiB cap while with pyarrow it completes.
    asset = source.add_csv_asset("flights", filepath_or_buffer=path, engine="pyarrow")
batch = asset.add_batch_definition_whole_dataframe("all").get_batch()

suite = gx.ExpectationSuite(name="flights")
for e in [
    gxe.ExpectTableRowCountToBeBetween(min_value=1),
    gxe.ExpectColumnValuesToBeOfType(column="delay", type_="int64"),
    gxe.ExpectColumnValuesToBeBetween(column="delay", min_value=-1500, max_value=2000),
    gxe.ExpectColumnValuesToBeBetween(column="distance", min_value=0),
    gxe.ExpectColumnValuesToNotBeNull(column="origin"),
    gxe.ExpectColumnValuesToMatchRegex(column="origin", regex="^[A-Z]{3}$"),
    gxe.ExpectColumnValueLengthsToBeBetween(column="origin", max_value=3),
    gxe.ExpectColumnValueLengthsToBeBetween(column="destination", max_value=3),
]:
    suite.add_expectation(e)

result = batch.validate(suite)
for r in result.results:
    status = "ok  " if r.success else "FAIL"
    print(f"{status} {r.expectation_config.type} {r.expectation_config.kwargs.get('column', '')}", file=sys.stderr)
print(f"GE: {result.statistics['successful_expectations']}/{result.statistics['evaluated_expectations']} passed", file=sys.stderr)
sys.exit(0 if result.success else 1)
