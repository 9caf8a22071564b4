#!/bin/sh
# Time `iamgrade check --format json` over BENCH_ACCOUNTS synthetic snapshots
# of BENCH_USERS users each (default 1000 x 1000, about 1.1 GB of JSON; the
# snapshots are generated once into build/bench/ and reused).
# Environment: IAMGRADE (default ./iamgrade), BENCH_ACCOUNTS, BENCH_USERS, BENCH_JOBS.
set -e
: "${IAMGRADE:=./iamgrade}" "${BENCH_ACCOUNTS:=1000}" "${BENCH_USERS:=1000}"
dir=build/bench/snapshots-$BENCH_ACCOUNTS-$BENCH_USERS
if [ ! -f "$dir/.done" ]; then
	echo "generating $BENCH_ACCOUNTS snapshots of $BENCH_USERS users in $dir"
	rm -rf "$dir"
	python3 tests/bench/gen_snapshots.py "$BENCH_ACCOUNTS" "$BENCH_USERS" "$dir"
	touch "$dir/.done"
fi
bytes=$(du -sk "$dir" | cut -f1)
start=$(date +%s.%N)
"$IAMGRADE" check --format json ${BENCH_JOBS:+--jobs "$BENCH_JOBS"} "$dir"/*.json > build/bench/results.json
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$BENCH_ACCOUNTS" -v u="$BENCH_USERS" -v kb="$bytes" \
    -v out="$(du -k build/bench/results.json | cut -f1)" 'BEGIN {
	t = e - s
	printf "check: %d snapshots x %d users (%.0f MB) in %.1f s: %.1f snapshots/s, %.0f MB/s in, %.0f MB of results\n",
	    n, u, kb / 1024, t, n / t, kb / 1024 / t, out / 1024
}'
