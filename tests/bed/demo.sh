#!/bin/sh
# make demo: start the test bed, seed the sample organization (a management
# account and four members with different strengths and weaknesses, one of
# them with risky CreateRole calls, one that denies us its password policy,
# one whose audit role we may not assume), run iamgrade against it as an
# auditor holding exactly `iamgrade policy`, say where the output went, and
# stop the bed whatever happens.
#
# Environment: IAMGRADE (default ./iamgrade), DEMO_OUT (default demo).
set -eu
cd "$(dirname "$0")/../.."

iamgrade=${IAMGRADE:-./iamgrade}
out=${DEMO_OUT:-demo}
role=iamgrade-audit
state=build/demo-bed.json
log=build/demo-bed.log
bedctl() { python3 tests/bed/bedctl.py --state "$state" "$@"; }

[ -x "$iamgrade" ] || { echo "demo: $iamgrade is not built (run make)" >&2; exit 2; }
mkdir -p build "$out"
rm -f "$state"
bedctl start --log "$log"
trap 'bedctl stop >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
bedctl seed org --role-name "$role"
bedctl auth on >/dev/null
eval "$(bedctl env --home build/demo-home)"

rc=0
if "$iamgrade" run --help >/dev/null 2>&1; then
	echo "demo: $iamgrade run --organization --role-name $role --out $out"
	"$iamgrade" run --organization --role-name "$role" --out "$out" || rc=$?
	where=$(ls -td "$out"/*/ 2>/dev/null | head -n 1)
else
	# `run` is not built yet: collect the management account only.
	echo "demo: $iamgrade collect --out $out/snapshots (iamgrade run is not built yet)"
	"$iamgrade" collect --out "$out/snapshots" || rc=$?
	where="$out/snapshots"
fi

echo
case $rc in
0|1)	;;
3)	echo "demo: iamgrade exited 3 (collection incomplete), as expected: the sample"
	echo "      organization has an account whose audit role cannot be assumed and"
	echo "      one whose role is denied iam:GetAccountPasswordPolicy."
	echo "      summary.html opens on the organization by OU (organization.json)." ;;
*)	echo "demo: iamgrade failed with exit status $rc; the bed's log is $log" >&2
	exit "$rc" ;;
esac
echo "demo: output in ${where:-$out}:"
find "${where:-$out}" -type f -newer "$state" 2>/dev/null | sort | sed 's/^/  /'
echo "demo: bed log in $log"
