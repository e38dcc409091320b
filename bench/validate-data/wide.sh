#!/usr/bin/env bash
# validate-data's time and peak RSS against the number of columns (100 to 10,000 columns of
# 10,000 rows): growth must be linear. docs/bench.md.
#
#   bench/run.sh validate-data-wide   (or bench/validate-data/wide.sh)
#   BENCH_REPEAT (3), BENCH_WIDE_ROWS (10000), BENCH_WIDE_COLUMNS ("100 1000 10000")
source "$(dirname "$0")/../lib/lib.sh"
DIR=bench/validate-data
needs_build cli/dist/mlops.js
rows=${BENCH_WIDE_ROWS:-10000} raw=$OUT/validate-data-wide.raw.tsv
snapshot_build validate-data-wide
cli=$BUILD/cli/dist/mlops.js
mkdir -p $DATA/wide $OUT/wide
printf 'columns\trows\tfile_bytes\trun\tseconds\trss_kib\tprofile_bytes\tstatus\n' >$raw
for cols in ${BENCH_WIDE_COLUMNS:-100 1000 10000}; do
  file=$DATA/wide/wide-${cols}x${rows}.csv
  [[ -f $file && -f $file.schema.yml ]] || $NODE $DIR/wide-data.mjs "$cols" "$rows" "$file"
  cat "$file" >/dev/null
  for ((i = 0; i <= REPEAT; i++)); do # run 0: warm-up (fetches our DuckDB binding), not in the table
    timed $OUT/logs/wide.$cols.$i $NODE $cli validate-data --data "$file" --schema "$file.schema.yml" \
      --profile $OUT/wide/$cols.profile.json --report $OUT/wide/$cols.report.json
    case $RC in 0) status=ok ;; 1) status="checks failed" ;; *) status="error (exit $RC)" ;; esac
    printf '%-6s columns run %d: %8.2f s %7d MiB  %s\n' "$cols" "$i" "$SECS" $((KIB / 1024)) "$status" >&2
    ((i == 0)) && [[ $status == ok ]] && continue
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cols" "$rows" "$(stat -c %s "$file")" "$i" "$SECS" "$KIB" \
      "$(stat -c %s $OUT/wide/$cols.profile.json 2>/dev/null || echo 0)" "$status" >>$raw
    [[ $status == ok ]] || break # look at $OUT/logs/wide.*
  done
done
NODE_VERSION=$($NODE --version) python3 $DIR/wide-table.py $raw | tee $OUT/validate-data-wide.md
