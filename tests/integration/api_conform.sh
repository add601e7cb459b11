#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
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
. "$(dirname "$0")/lib/boto3.sh"

b3_need botocore "coalmine serve against the GuardDuty model"

"$COALMINE" gen --out "$T/w" --hours 6 --scenario all --seed 7 >/dev/null 2>"$T/gen.err"
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan --db "$T/s.db" $(cat "$T/w/intel/args.txt") "$T/w/AWSLogs" \
    >/dev/null 2>"$T/scan.err"
check "the seed-7 world scanned into a store" test -s "$T/s.db"
serve_start open --db "$T/s.db"
check "serve listening" test -n "$PORT"
b3_tap "$(dirname "$0")/api_conform.py" "$COALMINE" "$T/s.db" "$ENDPOINT" "$T/w"
serve_stop
check "serve exits 0" test "$SERVE_RC" = 0
done_testing
