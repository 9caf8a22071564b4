#!/bin/sh
# make bench: the benchmark (figures, not assertions).  Seeds the test bed,
# times iamgrade run / collect / check / report and rewrites the figures in
# docs/performance.md; sizes and stages come from BENCH_* variables
# (tests/bench/bench.py and docs/performance.md list them).
#
# Environment: IAMGRADE (default ./iamgrade), BENCH_*.
set -eu
cd "$(dirname "$0")/../.."

IAMGRADE=${IAMGRADE:-./iamgrade}
[ -x "$IAMGRADE" ] || { echo "bench: $IAMGRADE is not built (run make)" >&2; exit 2; }
command -v pdfinfo >/dev/null || echo "bench: pdfinfo (poppler-utils) is missing: no PDF page count" >&2
export IAMGRADE
exec python3 tests/bench/bench.py
