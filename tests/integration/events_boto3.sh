#!/bin/sh
# boto3's EventBridge client (paginators included) against `coalmine serve` on
# free loopback ports: one server without credentials, one with (SigV4 for
# the "events" scope required). The checks are in events_boto3.py. Skips
# cleanly when python3 or boto3 is missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v python3 >/dev/null || ! python3 -c 'import boto3' 2>/dev/null; then
    skip "boto3 events against coalmine serve" "python3 or boto3 not installed"
    done_testing
    exit 0
fi
KEY=AKIAI44QH8DHBEXAMPLE
SECRET=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY

# The operator lets API callers put file targets here (api.targets, docs/events-api.md "Security").
printf 'api:\n  targets:\n    file_dirs: ["%s", /tmp]\n' "$T" >"$T/targets.yaml"
serve_start open --config "$T/targets.yaml" --db "$T/s.db"
OPEN=$ENDPOINT
OPEN_PID=$SERVE_PID
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$KEY" "$SECRET" >"$T/creds"
serve_start signed --config "$T/targets.yaml" --db "$T/s.db" --credentials "$T/creds"
check "two servers listening" test -n "$OPEN" -a -n "$PORT"
python3 "$(dirname "$0")/events_boto3.py" "$COALMINE" "$T/s.db" "$OPEN" "$ENDPOINT" "$KEY" "$SECRET" \
    "$T" >"$T/py.tap" 2>"$T/py.err"
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
    nok "events_boto3.py ran to the end" "$(tail -5 "$T/py.err")"
fi
serve_stop
check "the signed server exits 0" test "$SERVE_RC" = 0
SERVE_PID=$OPEN_PID
serve_stop
check "the open server exits 0" test "$SERVE_RC" = 0
done_testing
