#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# Webhook headers that refer to a named secret of coalmine.yaml (docs/config.md "secrets",
# docs/events-api.md "Security"), with `aws events` against `coalmine serve` on 127.0.0.1:
#   - put-targets with {"Authorization": {"secret": "hook", "prefix": "Bearer "}}: accepted;
#     list-targets-by-rule gives the same Arn back, byte for byte, without the value;
#   - put-events: the receiver on 127.0.0.1 gets "Authorization: Bearer <the file's value>";
#     the file rewritten: the next event carries the new value (no restart);
#   - the service's canary thread runs a pipeline check whose sample finding goes to a
#     webhook with the same secret: delivered with the value, the check PASSes;
#   - refused at put (AccessDeniedException naming the secret): a URL not under the
#     secret's urls (the key secrets.hook.urls), a name not defined;
#   - at delivery: a file that holds a line break fails the delivery naming the secret;
#   - the value never shows in serve's stderr, `rules deliveries`, /metrics or the API.
# No network but 127.0.0.1. Skips cleanly without the aws CLI or python3. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v aws >/dev/null || ! command -v python3 >/dev/null; then
    skip "webhook header secrets" "aws CLI or python3 not installed"
    done_testing
    exit 0
fi

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE="$T/aws-config" AWS_SHARED_CREDENTIALS_FILE="$T/aws-credentials"
evs() { aws events --endpoint-url "$ENDPOINT" --output json "$@"; }
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$2"; }

# The receiver: each POST's Authorization header, one line each, in auth.log.
python3 "$(dirname "$0")/../e2e/lib/hook_server.py" --log-header Authorization "$T/srv.port" "$T/auth.log" \
    2>"$T/srv.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
wait_until test -s "$T/srv.port"
SPORT=$(cat "$T/srv.port" 2>/dev/null)
check "the receiver listens on 127.0.0.1" test -n "$SPORT"

V1=s3cr3t-one-$$
V2=s3cr3t-two-$$
printf '%s\n' "$V1" >"$T/token"
cat >"$T/c.yaml" <<YEOF
secrets:
  hook:
    file: token
    urls: ["http://127.0.0.1:$SPORT/hook"]
YEOF
serve_start s --config "$T/c.yaml" --db "$T/s.db" --canary-interval 0.5
check "serve listens on a free loopback port" test -n "$PORT"

SPEC='{"url":"http://127.0.0.1:'$SPORT'/hook/a","headers":{"Authorization":{"secret":"hook","prefix":"Bearer "}},"timeout_seconds":10}'
ARN="arn:aws:coalmine:::webhook:$SPEC"
python3 -c 'import json,sys; json.dump([{"Id":"h","Arn":sys.argv[1]}], open(sys.argv[2],"w"))' "$ARN" "$T/t.json"
evs put-rule --name r --event-pattern '{"source":["t.secret"]}' >/dev/null 2>"$T/err"
evs put-targets --rule r --targets "file://$T/t.json" >"$T/pt.json" 2>"$T/err"
check "put-targets: a reference to a bound secret is accepted" \
    py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pt.json"
evs list-targets-by-rule --rule r >"$T/lt.json" 2>"$T/err"
check "list-targets-by-rule: the Arn comes back byte for byte" \
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["Targets"]; sys.exit(not (len(t) == 1 and t[0]["Arn"] == sys.argv[2]))' "$T/lt.json" "$ARN"
check "list-targets-by-rule: the value is not in the listing" sh -c "! grep -q '$V1' '$T/lt.json'"

evs put-events --entries '[{"Source":"t.secret","DetailType":"x","Detail":"{\"n\":1}"}]' >"$T/pe1.json" 2>"$T/err"
check "put-events: accepted" py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pe1.json"
wait_lines "$T/auth.log" 1
check "the receiver got Authorization: Bearer <the file's value>" grep -qx "/hook/a Bearer $V1" "$T/auth.log"

printf '%s\n' "$V2" >"$T/token"
evs put-events --entries '[{"Source":"t.secret","DetailType":"x","Detail":"{\"n\":2}"}]' >/dev/null 2>"$T/err"
wait_lines "$T/auth.log" 2
check "the file rewritten: the next delivery carries the new value" \
    grep -qx "/hook/a Bearer $V2" "$T/auth.log"

# --- the service's canary thread: a pipeline check through the same target -----------------
# Its sample finding goes to the rule for findings, whose webhook gets the secret from the
# service's config (before 2026-12-06 the canary thread had none: the check FAILed naming
# the secret while the bus delivered fine). at(): a one-time schedule a few seconds ahead.
at_in() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%S; }
SPEC2='{"url":"http://127.0.0.1:'$SPORT'/hook/page","headers":{"Authorization":{"secret":"hook","prefix":"Bearer "}},"timeout_seconds":10}'
python3 -c 'import json,sys; json.dump([{"Id":"page","Arn":"arn:aws:coalmine:::webhook:" + sys.argv[1]}], open(sys.argv[2],"w"))' "$SPEC2" "$T/t3.json"
evs put-rule --name pages --event-pattern '{"source":["aws.guardduty"]}' >/dev/null 2>"$T/err"
evs put-targets --rule pages --targets "file://$T/t3.json" >"$T/pt3.json" 2>"$T/err"
check "put-targets: the rule for findings, the same secret" \
    py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pt3.json"
"$COALMINE" canary put --db "$T/s.db" --name alerting --check pipeline \
    --schedule "at($(at_in 4))" --params '{"deadline_seconds":20}' >/dev/null 2>"$T/cp.err"
check "canary put: a pipeline check" test $? -eq 0
wait_lines "$T/auth.log" 3
check "the canary's sample finding reaches the webhook with the secret's value" \
    grep -qx "/hook/page Bearer $V2" "$T/auth.log"
canary_pass() {
    "$COALMINE" canary list --db "$T/s.db" --format json 2>/dev/null | grep -q '"PASS"'
}
wait_until -s 30 canary_pass
check "... and the check PASSes" canary_pass
"$COALMINE" canary list --db "$T/s.db" --format json >"$T/cl.json" 2>"$T/err"

# --- refusals at put time -------------------------------------------------------------------
cat >"$T/t2.json" <<JEOF
[{"Id":"away","Arn":"arn:aws:coalmine:::webhook:{\"url\":\"http://127.0.0.1:$SPORT/other\",\"headers\":{\"Authorization\":{\"secret\":\"hook\"}}}"},
 {"Id":"none","Arn":"arn:aws:coalmine:::webhook:{\"url\":\"http://127.0.0.1:$SPORT/hook\",\"headers\":{\"Authorization\":{\"secret\":\"nosuch\"}}}"}]
JEOF
evs put-targets --rule r --targets "file://$T/t2.json" >"$T/pt2.json" 2>"$T/err"
check "put-targets: both refused" py 'sys.exit(d["FailedEntryCount"] != 2)' "$T/pt2.json"
check "a URL not bound: AccessDeniedException naming secrets.hook.urls" \
    py 'e={x["TargetId"]:x for x in d["FailedEntries"]}["away"]; sys.exit(not (e["ErrorCode"] == "AccessDeniedException" and "secret hook" in e["ErrorMessage"] and "secrets.hook.urls" in e["ErrorMessage"]))' "$T/pt2.json"
check "an unknown name: AccessDeniedException, not defined" \
    py 'e={x["TargetId"]:x for x in d["FailedEntries"]}["none"]; sys.exit(not (e["ErrorCode"] == "AccessDeniedException" and "secret nosuch is not defined in coalmine.yaml" in e["ErrorMessage"]))' "$T/pt2.json"

# --- a bad value at delivery ----------------------------------------------------------------
printf '%s\nsecond-line\n' "$V1" >"$T/token"
evs put-events --entries '[{"Source":"t.secret","DetailType":"x","Detail":"{\"n\":3}"}]' >/dev/null 2>"$T/err"
wait_until -s 30 grep -q "rule r target h: .*secret hook" "$T/s.err"
check "a value with a line break: the delivery fails, naming the secret" \
    grep -q "rule r target h: .*headers.Authorization: secret hook: .*CR, LF or NUL" "$T/s.err"
check "the receiver got nothing for it" test "$(wc -l <"$T/auth.log")" -eq 3
"$COALMINE" rules deliveries --db "$T/s.db" --format json >"$T/dl.json" 2>"$T/err"
check "rules deliveries: the failure is recorded" grep -q "secret hook" "$T/dl.json"
python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/metrics").read().decode())' \
    "$ENDPOINT" >"$T/metrics" 2>"$T/err"
check "/metrics answers, with the failed delivery counted" grep -q 'failed' "$T/metrics"
serve_stop
check "serve stops cleanly (exit 0)" test "$SERVE_RC" -eq 0
for f in s.err dl.json metrics lt.json pt.json pt2.json cl.json; do
    check "the value is not in $f" sh -c "! grep -q 's3cr3t-' '$T/$f'"
done
done_testing
