#!/bin/sh
# make bench: run every tests/bench/bench_*.sh (figures, not assertions).
# Each prints its own figures; a new benchmark is a new bench_NAME.sh.
status=0
for b in tests/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	echo "== ${b##*/}"
	sh "$b" || status=1
done
exit $status
