#!/bin/sh
# make demo: start the test bed, seed the sample organization (a management
# account and four members with different strengths and weaknesses, one of
# them with risky CreateRole calls, one that denies us its password policy,
# one whose audit role we may not assume), run iamgrade against it as an
# auditor holding exactly `iamgrade policy`, say where the output went, and
# stop the bed whatever happens.  Then the auditor's handoff (README
# "Accepted risks", "Evidence"): a second run as next month's, against the
# first as its baseline, with an accepted risk (production's stale deploy
# key) and a signed manifest, verified with iamgrade and with openssl alone,
# drawing the trend over months from two synthetic earlier months.
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
bedctl seed org --role-name "$role" --least-privilege
bedctl auth on >/dev/null
eval "$(bedctl env --home build/demo-home)"

rc=0
key=build/demo-key
[ -f "$key.key" ] || "$iamgrade" keygen "$key" >/dev/null
echo "demo: $iamgrade run --organization --role-name $role --out $out --sign $key.key"
"$iamgrade" run --organization --role-name "$role" --out "$out" --sign "$key.key" || rc=$?
first=$(ls -td "$out"/*/ 2>/dev/null | head -n 1)
first=${first%/}

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

# Next month: production's deploy-bot key is an accepted risk until the
# vendor ships, approved by the CISO; the run compares with the first.
exc=build/demo-exceptions.csv
until=$(date -u -d '+60 days' +%Y-%m-%d)
cat > "$exc" <<CSV
control,account,resource,justification,approved_by,expires
USER-05,*,deploy-bot,"Vendor integration cannot rotate its key before release 4.2",ciso@acme.example,$until
PWD-08,*,*,"Expired in the last review",ciso@acme.example,2026-01-01
CSV
# The trend over months (README): the bed has no past, so the first run is
# filed again as two synthetic earlier months, 3 and 1 before it (scores
# lowered, folders named synthetic-...), the month between left without a
# run; the second run reads them from --out and draws the trend with a gap.
python3 tests/bed/demo_history.py "$first" "$out"

echo
echo "demo: next month, with accepted risks ($exc) and last run as the baseline:"
rc=0
"$iamgrade" run --organization --role-name "$role" --out "$out" --sign "$key.key" \
    --baseline "$first" --exceptions "$exc" || rc=$?
case $rc in 0|1|3) ;; *) echo "demo: second run failed ($rc)" >&2; exit "$rc" ;; esac
where=$(ls -td "$out"/*/ 2>/dev/null | head -n 1)
where=${where%/}
python3 - "$where/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for a in r["accounts"]:
    acc = [c["id"] for c in a["controls"] if c["status"] == "ACCEPTED"]
    if "score_without_exceptions" in a and a["score"] is not None:
        print(f"demo:   {a['account_id']} {a.get('alias') or ''}: score {a['score']} "
              f"(without exceptions {a['score_without_exceptions']}); ACCEPTED: {', '.join(acc) or '-'}")
x = r.get("exceptions", {})
for e in x.get("expired", []):
    print(f"demo:   exception line {e['line']} ({e['control']}) expired on {e['expired_on']}")
for e in x.get("unused", []):
    print(f"demo:   exception line {e['line']} ({e['control']}) matches nothing")
PY

echo
echo "demo: the trend over months (summary.html and each account's report, \"Trend over months\"):"
python3 - "$where/summary.html" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for row in re.findall(r"<tr[^>]*>((?:(?!</tr>).)*)</tr>", html, re.S):
    acct = re.search(r'<span class="mono small muted nowrap">(\d{12})</span>', row)
    trend = re.search(r'class="trend-sign">([^<]*)</span> <span class="small">([^<]*)</span>', row)
    if acct and trend:
        print(f"demo:   {acct.group(1)} {trend.group(1)} {trend.group(2)}")
PY

echo
echo "demo: the auditor checks the evidence pack of $where:"
"$iamgrade" verify --key "$key.pub" "$where"
(cd "$where" && openssl pkeyutl -verify -pubin -inkey "$OLDPWD/$key.pub" -rawin \
    -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig && sha256sum --quiet --strict -c MANIFEST.sha256 &&
    echo "demo: sha256sum -c: every file matches")
echo
echo "demo: output in $where:"
find "$where" -type f 2>/dev/null | sort | sed 's/^/  /'
echo "demo: bed log in $log"
