#!/bin/sh
# The responses of `coalmine serve` against GuardDuty's service model as the
# installed botocore carries it (tests/integration/lib/gd_model.py): GetFindings
# over the seed-7 world (every scenario) and over the samples of every type,
# ListFindings, GetFindingsStatistics, the detector, list and filter operations;
# the CLI form's member names; and that every form (findings get json, the
# EventBridge event and its envelope, the CLI form, scan --format json and
# eventbridge) is the same document. The checks are in api_conform.py. Skips
# cleanly when python3 or botocore is missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v python3 >/dev/null || ! python3 -c 'import botocore' 2>/dev/null; then
    skip "coalmine serve against the GuardDuty model" "python3 or botocore not installed"
    done_testing
    exit 0
fi

"$COALMINE" gen --out "$T/w" --hours 6 --scenario all --seed 7 >/dev/null 2>"$T/gen.err"
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan --db "$T/s.db" $(cat "$T/w/intel/args.txt") "$T/w/AWSLogs" \
    >/dev/null 2>"$T/scan.err"
check "the seed-7 world scanned into a store" test -s "$T/s.db"
serve_start open --db "$T/s.db"
check "serve listening" test -n "$PORT"
python3 "$(dirname "$0")/api_conform.py" "$COALMINE" "$T/s.db" "$ENDPOINT" "$T/w" \
    >"$T/py.tap" 2>"$T/py.err"
rc=$?
# Renumber the script's lines after ours.
while IFS= read -r line; do
    case $line in
    "ok "*) n=$((n + 1)); echo "ok $n ${line#ok [0-9]* }" ;;
    "not ok "*) n=$((n + 1)); echo "not ok $n ${line#not ok [0-9]* }" ;;
    *) echo "$line" ;;
    esac
done <"$T/py.tap"
if [ $rc -ne 0 ] && ! grep -q "^not ok" "$T/py.tap"; then
    nok "api_conform.py ran to the end" "$(tail -5 "$T/py.err")"
fi
serve_stop
check "serve exits 0" test "$SERVE_RC" = 0
done_testing
