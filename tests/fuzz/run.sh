#!/bin/sh
# Run the libFuzzer targets built by `make fuzz` (docs/fuzzing.md).
#
#   sh tests/fuzz/run.sh run BINDIR SECONDS NAME...    fuzz each NAME for SECONDS
#   sh tests/fuzz/run.sh merge BINDIR NAME...          minimize tests/fuzz/corpus/NAME
#
# run: one target at a time (the machine is shared), each over its corpus
# and regression files, new inputs going to $FUZZ_OUT/work/NAME (the corpus
# in git stays small; merge them in on purpose), crash, leak and timeout
# inputs to $FUZZ_OUT/crashes/NAME/.  Prints one line of figures
# per target and fails if any target found something.
# merge: -merge=1 of the corpus and $FUZZ_OUT/work/NAME into a fresh
# directory that then replaces tests/fuzz/corpus/NAME; edges only
# (-use_counters=0), not hit counts, which keeps a corpus to tens of files.
#
# Environment: FUZZ_FLAGS, extra libFuzzer flags (e.g. -runs=100000);
# FUZZ_OUT, where work, crashes and logs go (default build/fuzz), so that a
# long run does not share them with make check's short one.
set -u
cd "$(dirname "$0")/../.." || exit 2
mode=${1:?mode: run or merge}
bindir=${2:?bindir}
shift 2
out=${FUZZ_OUT:-build/fuzz}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

dict() {	# -dict=FILE when the target has a dictionary
	[ -f "tests/fuzz/dict/$1.dict" ] && echo "-dict=tests/fuzz/dict/$1.dict"
}

case $mode in
run)
	secs=${1:?seconds}
	shift
	bad=0
	for name in "$@"; do
		bin=$bindir/fuzz_$name
		work=$out/work/$name crashes=$out/crashes/$name log=$out/logs/$name.log
		mkdir -p "$work" "$crashes" "$out/logs" "tests/fuzz/corpus/$name"
		regress=
		[ -d "tests/fuzz/regress/$name" ] && regress=tests/fuzz/regress/$name
		# shellcheck disable=SC2046,SC2086
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		    -print_final_stats=1 -artifact_prefix="$crashes/" $(dict "$name") \
		    ${FUZZ_FLAGS:-} "$work" "tests/fuzz/corpus/$name" $regress >"$log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
		last=$(grep -aE '^#[0-9]+' "$log" | tail -n 1)
		cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
		ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
		corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
		printf '%-11s %9s runs %7s/s  cov %5s  ft %6s  corpus %-10s' "$name" \
		    "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
		if [ $rc -eq 0 ]; then
			echo " ok"
		else
			bad=1
			echo " FOUND SOMETHING (exit $rc), log $log:"
			grep -aE '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$log" | sed 's/^/    /'
			echo "    reproduce: $bin <file>; once fixed, add the file to tests/fuzz/regress/$name/"
		fi
	done
	exit $bad
	;;
merge)
	for name in "$@"; do
		bin=$bindir/fuzz_$name new=$out/merged/$name
		rm -rf "$new"
		mkdir -p "$new" "$out/work/$name" "$out/logs"
		# shellcheck disable=SC2046
		if ! "$bin" -merge=1 -use_counters=0 $(dict "$name") "$new" "tests/fuzz/corpus/$name" \
		    "$out/work/$name" \
		    >"$out/logs/$name.merge.log" 2>&1; then
			echo "$name: merge failed, see $out/logs/$name.merge.log"
			exit 1
		fi
		rm -rf "tests/fuzz/corpus/$name"
		mv "$new" "tests/fuzz/corpus/$name"
		echo "$name: $(find "tests/fuzz/corpus/$name" -type f | wc -l) files in tests/fuzz/corpus/$name"
	done
	;;
*)
	echo "run.sh: unknown mode $mode (run or merge)" >&2
	exit 2
	;;
esac
