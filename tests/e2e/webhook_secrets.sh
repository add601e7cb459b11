#!/bin/sh
# tsan: webhook delivery with secrets from scan and serve
# Webhook headers that refer to a named secret of coalmine.yaml, from the command line
# (docs/config.md "secrets"): `targets put --config` refuses a reference to an undefined
# secret or one not bound to the URL and keeps the reference as given; `scan --db` and
# `rules deliver` without --config fail the delivery ("secret NAME is not defined"), with --config reads
# the environment variable at delivery (unset: a failure naming it), and the receiver on
# 127.0.0.1 gets "Authorization: Bearer <value>"; the config's errors name file:line and
# the key; the value never shows in stderr or `rules deliveries`.
# Skips without python3 (the receiver). Prints TAP.
. "$(dirname "$0")/lib/tap.sh"

if ! command -v python3 >/dev/null; then
    skip "webhook header secrets from the command line" "python3 not installed"
    done_testing
    exit 0
fi
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
DB="$T/s.db"

python3 "$(dirname "$0")/lib/hook_server.py" --log-header Authorization "$T/srv.port" "$T/auth.log" \
    2>"$T/srv.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$T"' EXIT
wait_until test -s "$T/srv.port"
SPORT=$(cat "$T/srv.port" 2>/dev/null)
check "the receiver listens on 127.0.0.1" test -n "$SPORT"

cat >"$T/c.yaml" <<YEOF
secrets:
  tok:
    env: CM_TEST_HOOK_TOKEN
    urls: ["http://127.0.0.1:$SPORT/in"]
YEOF
"$COALMINE" gen --out "$T/logs" --hours 1 --scenario root-credential-usage >/dev/null 2>&1
"$COALMINE" rules put --db "$DB" --name all --event-pattern '{"source":["aws.guardduty"]}' >/dev/null
HOOK="http://127.0.0.1:$SPORT/in/x"
"$COALMINE" targets put --db "$DB" --rule all --id h --kind webhook --config "$T/c.yaml" \
    --spec '{"url":"'"$HOOK"'","headers":{"Authorization":{"prefix":"Bearer ","secret":"tok"}}}' >"$T/p1.out" 2>"$T/p1.err"
check "targets put --config: a bound reference is put" test $? -eq 0
check "targets put: the reference is kept, canonical (secret, then prefix)" \
    grep -qF '"headers":{"Authorization":{"secret":"tok","prefix":"Bearer "}}' "$T/p1.out"
"$COALMINE" targets put --db "$DB" --rule all --id away --kind webhook --config "$T/c.yaml" \
    --spec '{"url":"http://127.0.0.1:'"$SPORT"'/elsewhere","headers":{"Authorization":{"secret":"tok"}}}' >/dev/null 2>"$T/p2.err"
check "targets put --config: a URL not under the secret's urls is refused" test $? -eq 1
check "  naming secrets.tok.urls" grep -q "secret tok may not be sent to .*secrets.tok.urls" "$T/p2.err"
"$COALMINE" targets put --db "$DB" --rule all --id none --kind webhook --config "$T/c.yaml" \
    --spec '{"url":"'"$HOOK"'","headers":{"Authorization":{"secret":"nosuch"}}}' >/dev/null 2>"$T/p3.err"
check "targets put --config: an undefined secret is refused" \
    grep -q "secret nosuch is not defined in coalmine.yaml" "$T/p3.err"
"$COALMINE" targets put --db "$DB" --rule all --id bad --kind webhook \
    --spec '{"url":"'"$HOOK"'","headers":{"Authorization":{"secret":"tok","value":"x"}}}' >/dev/null 2>"$T/p4.err"
check "targets put: a reference with another member is refused" \
    grep -q 'headers.Authorization: a reference is {"secret": NAME}' "$T/p4.err"
"$COALMINE" targets list --db "$DB" >"$T/list.out"
check "targets list: only the one target" test "$(grep -c webhook "$T/list.out")" -eq 1

"$COALMINE" scan --db "$DB" "$T/logs" >/dev/null 2>"$T/d1.err"
check "scan --db without --config: the delivery fails, the secret is not defined" \
    grep -q "target h: .*headers.Authorization: secret tok is not defined in coalmine.yaml" "$T/d1.err"
"$COALMINE" rules deliver --db "$DB" --now 2>"$T/d0.err"
check "rules deliver without --config: exit 1, the same reason" \
    sh -c "test $? -eq 1 && grep -q 'secret tok is not defined' '$T/d0.err'"
env -u CM_TEST_HOOK_TOKEN "$COALMINE" rules deliver --db "$DB" --now --config "$T/c.yaml" 2>"$T/d2.err"
check "rules deliver --config, the variable unset: the delivery fails naming it" \
    grep -q "secret tok: the environment variable CM_TEST_HOOK_TOKEN is not set" "$T/d2.err"
check "the receiver got nothing yet" test ! -e "$T/auth.log"
V=tok-value-$$
CM_TEST_HOOK_TOKEN=$V "$COALMINE" rules deliver --db "$DB" --now --config "$T/c.yaml" 2>"$T/d3.err"
check "rules deliver --config with the variable set: exit 0" test $? -eq 0
check "the receiver got Authorization: Bearer <value>" grep -q "^/in/x Bearer $V\$" "$T/auth.log"
"$COALMINE" rules deliveries --db "$DB" --format json >"$T/dl.json" 2>&1
for f in d0.err d1.err d2.err d3.err dl.json list.out; do
    check "the value is not in $f" sh -c "! grep -q 'tok-value-' '$T/$f'"
done

# Canary checks' own deliveries take the secrets of --config as the bus does: a check's
# event (`canary run`), the pipeline check's sample finding, a scheduled rule's fire
# (`canary tick`).
DB2="$T/c.db"
"$COALMINE" rules put --db "$DB2" --name canaries --event-pattern '{"source":["coalmine.canary"]}' >/dev/null
"$COALMINE" targets put --db "$DB2" --rule canaries --id h --kind webhook \
    --spec '{"url":"http://127.0.0.1:'"$SPORT"'/in/canary","headers":{"Authorization":{"secret":"tok","prefix":"Bearer "}}}' >/dev/null
"$COALMINE" canary put --db "$DB2" --name dns-fresh --check freshness --schedule 'rate(1 hour)' \
    --params '{"source":"dns","max_age_minutes":60}' >/dev/null
CM_TEST_HOOK_TOKEN=$V "$COALMINE" canary run --db "$DB2" dns-fresh >"$T/c1.out" 2>"$T/c1.err"
check "canary run without --config: the check's event is not sent, the secret is not defined" \
    grep -q "secret tok is not defined in coalmine.yaml" "$T/c1.out" "$T/c1.err"
check "  the receiver got no canary event" sh -c "! grep -q '^/in/canary ' '$T/auth.log'"
"$COALMINE" rules deliveries --db "$DB2" --format json >"$T/c1.json" 2>&1
check "  it stays owed" grep -q '"State":"PENDING","Attempts":1,.*secret tok is not defined' "$T/c1.json"
"$COALMINE" canary put --db "$DB2" --name dns-fresh2 --check freshness --schedule 'rate(1 hour)' \
    --params '{"source":"dns","max_age_minutes":60}' >/dev/null
CM_TEST_HOOK_TOKEN=$V "$COALMINE" canary run --db "$DB2" --config "$T/c.yaml" dns-fresh2 >"$T/c2.out" 2>"$T/c2.err"
check "canary run --config: the check's event reaches the receiver with the secret" \
    grep -q "^/in/canary Bearer $V\$" "$T/auth.log"
"$COALMINE" rules put --db "$DB2" --name hourly --schedule-expression 'rate(1 hour)' >/dev/null
"$COALMINE" targets put --db "$DB2" --rule hourly --id h --kind webhook \
    --spec '{"url":"http://127.0.0.1:'"$SPORT"'/in/sched","headers":{"Authorization":{"secret":"tok","prefix":"Bearer "}}}' >/dev/null
LATER=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
CM_TEST_HOOK_TOKEN=$V "$COALMINE" canary tick --db "$DB2" --config "$T/c.yaml" --now "$LATER" \
    >"$T/c3.out" 2>"$T/c3.err"
check "canary tick --config: the scheduled rule's event reaches the receiver with the secret" \
    grep -q "^/in/sched Bearer $V\$" "$T/auth.log"
"$COALMINE" canary put --db "$DB" --name alerting --check pipeline --schedule 'rate(1 hour)' \
    --params '{"deadline_seconds":1}' >/dev/null
CM_TEST_HOOK_TOKEN=$V "$COALMINE" canary run --db "$DB" alerting >"$T/c4.out" 2>"$T/c4.err"
check "pipeline check without --config: FAIL, naming the undefined secret" \
    sh -c "test $? -eq 1 && grep -q 'FAIL' '$T/c4.out' && grep -q 'secret tok is not defined' '$T/c4.out' '$T/c4.err'"
CM_TEST_HOOK_TOKEN=$V "$COALMINE" canary run --db "$DB" --config "$T/c.yaml" alerting >"$T/c5.out" 2>"$T/c5.err"
check "pipeline check --config: PASS, the sample reached the receiver" \
    sh -c "test $? -eq 0 && grep -q 'alerting.*PASS' '$T/c5.out'"
for f in c1.out c1.err c2.out c2.err c3.out c3.err c4.out c4.err c5.out c5.err; do
    check "the value is not in $f" sh -c "! grep -q 'tok-value-' '$T/$f'"
done

# The config's errors: file:line:col and the key.
printf 'secrets:\n  a:\n    file: x\n    env: Y\n    urls: ["https://h/"]\n' >"$T/e1.yaml"
"$COALMINE" rules deliver --db "$DB" --config "$T/e1.yaml" 2>"$T/e1.err"
check "config: file and env both: refused at the key" \
    grep -q "e1.yaml:4:5: secrets.a: give file or env, not both" "$T/e1.err"
printf 'secrets:\n  a:\n    file: x\n' >"$T/e2.yaml"
"$COALMINE" rules deliver --db "$DB" --config "$T/e2.yaml" 2>"$T/e2.err"
check "config: no urls: refused" grep -q "e2.yaml:3:5: secrets.a: needs urls" "$T/e2.err"
printf 'secrets:\n  a:\n    env: Y\n    urls: ["ftp://h/"]\n' >"$T/e3.yaml"
"$COALMINE" rules deliver --db "$DB" --config "$T/e3.yaml" 2>"$T/e3.err"
check "config: a urls entry as webhook_allow's is checked" \
    grep -q 'e3.yaml:4:12: secrets.a.urls\[0\]: "ftp://h/": a webhook URL prefix' "$T/e3.err"
done_testing
