#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# boto3's GuardDuty client (paginators included) against `coalmine serve` on
# free loopback ports, over a store scanned from a `coalmine gen` world: one
# server without credentials, one with (SigV4 required). The checks are in
# api_boto3.py. Skips cleanly when python3 or boto3 is missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"
. "$(dirname "$0")/lib/boto3.sh"

b3_need boto3 "boto3 against coalmine serve"

serve_world
check "a gen world scanned into a store" test -s "$T/s.db"
serve_start open --db "$T/s.db"
OPEN=$ENDPOINT
OPEN_PID=$SERVE_PID
b3_creds "$T/creds"
serve_start signed --db "$T/s.db" --credentials "$T/creds"
check "two servers listening" test -n "$OPEN" -a -n "$PORT"
b3_tap "$(dirname "$0")/api_boto3.py" "$COALMINE" "$T/s.db" "$OPEN" "$ENDPOINT" "$KEY" "$SECRET"
serve_stop
check "the signed server exits 0" test "$SERVE_RC" = 0
SERVE_PID=$OPEN_PID
serve_stop
check "the open server exits 0" test "$SERVE_RC" = 0
done_testing
