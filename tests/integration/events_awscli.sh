#!/bin/sh
# `aws events ... --endpoint-url` against `coalmine serve` on 127.0.0.1 (a free
# port): the EventBridge API over the store's rules and targets
# (docs/events-api.md). put-rule, describe-rule, list-rules with a prefix and
# in pages, put-targets with a file target, then a `coalmine scan` of a gen
# world whose High findings the rule matches lands them in the file;
# put-events reaches the same file; test-event-pattern agrees with
# `coalmine rules test`; disable-rule stops delivery; delete-rule with targets
# needs --force; errors carry the right __type; `coalmine rules list` shows
# what the API made and the API what `coalmine rules put` made; with
# credentials, requests signed for "events" pass and ones signed for
# "guardduty" are refused. Skips cleanly when the aws CLI or python3 is
# missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v aws >/dev/null || ! command -v python3 >/dev/null; then
    skip "aws events against coalmine serve" "aws CLI or python3 not installed"
    done_testing
    exit 0
fi

export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE="$T/aws-config" AWS_SHARED_CREDENTIALS_FILE="$T/aws-credentials"

"$COALMINE" gen --out "$T/w" --hours 6 --scenario all >/dev/null 2>"$T/gen.err"
check "a gen world" test -d "$T/w/AWSLogs"
# The operator lets API callers put file targets here (api.targets, docs/events-api.md "Security").
printf 'api:\n  targets:\n    file_dirs: ["%s", /tmp]\n' "$T" >"$T/targets.yaml"
serve_start open --config "$T/targets.yaml" --db "$T/s.db"
check "serve listens on a free loopback port" test -n "$PORT"
evs() { aws events --endpoint-url "$ENDPOINT" --output json "$@"; }
# jq-free JSON reads: py 'expression over d' FILE
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$2"; }

HIGH='{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",7]}]}}'
evs put-rule --name high-findings --event-pattern "$HIGH" --description "High and Critical" \
    >"$T/put.json" 2>"$T/err"
check "put-rule answers the rule's ARN" \
    py 'sys.exit(d["RuleArn"] != "arn:aws:events:us-east-1:123456789012:rule/high-findings")' "$T/put.json"
evs describe-rule --name high-findings >"$T/desc.json" 2>"$T/err"
check "describe-rule gives back the pattern, state and description" python3 - "$T/desc.json" "$HIGH" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if json.loads(d["EventPattern"]) == json.loads(sys.argv[2]) and d["State"] == "ENABLED"
         and d["Description"] == "High and Critical" and d["EventBusName"] == "default" else 1)
PY

# Seven more rules, five of them app-*: a prefix, and pages of 2 (the CLI follows NextToken).
for r in app-1 app-2 app-3 app-4 app-5 other-a other-b; do
    evs put-rule --name "$r" --event-pattern '{"source":["my.app"]}' >/dev/null 2>>"$T/err"
done
evs list-rules --name-prefix app- --page-size 2 >"$T/lp.json" 2>"$T/err"
check "list-rules --name-prefix app- over pages of 2 lists the five, once each" \
    py 'n=[r["Name"] for r in d["Rules"]]; sys.exit(n != ["app-1","app-2","app-3","app-4","app-5"])' "$T/lp.json"
evs list-rules --max-items 3 >"$T/l3.json" 2>"$T/err"
check "list-rules --max-items 3: three and a NextToken" \
    py 'sys.exit(len(d["Rules"]) != 3 or not d.get("NextToken"))' "$T/l3.json"
evs list-rules >"$T/all.json" 2>"$T/err"
check "list-rules: all eight" py 'sys.exit(len(d["Rules"]) != 8)' "$T/all.json"

# A file target (the short ARN form), and a Lambda ARN coalmine cannot deliver to.
OUT="$T/high.jsonl"
evs put-targets --rule high-findings --targets "Id=file,Arn=arn:aws:coalmine:::file:$OUT" \
    'Id=fn,Arn=arn:aws:lambda:us-east-1:123456789012:function:f' >"$T/pt.json" 2>"$T/err"
check "put-targets: the Lambda ARN is a failed entry, the file target is put" python3 - "$T/pt.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["FailedEntries"]
sys.exit(0 if d["FailedEntryCount"] == 1 and f[0]["TargetId"] == "fn"
         and f[0]["ErrorCode"] == "ValidationException" and "arn:aws:coalmine:::" in f[0]["ErrorMessage"] else 1)
PY
# What an API caller may not put (api.targets): a program, a file outside file_dirs, a link
# in file_dirs pointing out of it, a webhook to instance metadata (in decimal).
ln -s "$HOME/.bashrc" "$T/link.jsonl"
evs put-targets --rule high-findings --targets 'Id=sh,Arn=arn:aws:coalmine:::exec:/bin/sh' \
    "Id=rc,Arn=arn:aws:coalmine:::file:/root/.bashrc" "Id=ln,Arn=arn:aws:coalmine:::file:$T/link.jsonl" \
    'Id=md,Arn=arn:aws:coalmine:::webhook:http://2852039166/latest/meta-data/' >"$T/deny.json" 2>"$T/err"
check "put-targets through the API: exec, a file outside file_dirs, a link, IMDS are AccessDenied" \
    python3 - "$T/deny.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = {e["TargetId"]: e for e in d["FailedEntries"]}
sys.exit(0 if d["FailedEntryCount"] == 4 and sorted(f) == ["ln", "md", "rc", "sh"]
         and all(e["ErrorCode"] == "AccessDeniedException" for e in f.values())
         and "api.targets.exec_allow" in f["sh"]["ErrorMessage"]
         and "symbolic link" in f["ln"]["ErrorMessage"]
         and "169.254.169.254" in f["md"]["ErrorMessage"] else 1)
PY
evs list-targets-by-rule --rule high-findings >"$T/lt.json" 2>"$T/err"
check "list-targets-by-rule shows the file target by its ARN" \
    py "sys.exit(d['Targets'] != [{'Id': 'file', 'Arn': 'arn:aws:coalmine:::file:$OUT'}])" "$T/lt.json"
# What it lists, put back unchanged.
py 'print(json.dumps(d["Targets"]))' "$T/lt.json" >"$T/targets.json"
evs put-targets --rule high-findings --targets "file://$T/targets.json" >"$T/pt2.json" 2>"$T/err"
check "list-targets-by-rule's output is accepted back by put-targets" \
    py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pt2.json"

# `coalmine rules list` sees what the API made.
"$COALMINE" rules list --db "$T/s.db" --format json >"$T/rl.json" 2>"$T/err"
check "coalmine rules list shows the API's rule and its file target" python3 - "$T/rl.json" "$OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rules = d if isinstance(d, list) else d.get("Rules", d.get("rules", []))
text = json.dumps(d)
sys.exit(0 if "high-findings" in text and sys.argv[2] in text and "app-5" in text else 1)
PY

# A scan into the same store: its High findings go to the file, through the outbox.
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan --db "$T/s.db" $(cat "$T/w/intel/args.txt") "$T/w/AWSLogs" >/dev/null 2>"$T/scan.err"
check "the scan stored findings" test -s "$T/s.db"
check "the rule's High findings landed in the file target, and only those" python3 - "$OUT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ok = len(lines) > 0 and all(e["source"] == "aws.guardduty" and e["detail"]["severity"] >= 7 for e in lines)
sys.exit(0 if ok else 1)
PY

# put-events reaches the same file through a second rule.
evs put-rule --name app-events --event-pattern '{"source":["my.app"],"detail-type":["Order"]}' \
    >/dev/null 2>"$T/err"
evs put-targets --rule app-events --targets "Id=same,Arn=arn:aws:coalmine:::file:$OUT" >/dev/null 2>"$T/err"
before=$(wc -l <"$OUT")
evs put-events --entries '[{"Source":"my.app","DetailType":"Order","Detail":"{\"order\":42}","Resources":["arn:aws:s3:::b"]},{"Source":"my.app","DetailType":"Other","Detail":"{}"}]' \
    >"$T/pe.json" 2>"$T/err"
check "put-events: two event ids, no failure" \
    py 'sys.exit(d["FailedEntryCount"] != 0 or len([e for e in d["Entries"] if "EventId" in e]) != 2)' "$T/pe.json"
# The bus thread makes the first attempt (woken by the request): wait for the line.
wait_lines "$OUT" $((before + 1))
check "put-events: the Order event (only) reached the file target" python3 - "$OUT" "$before" "$T/pe.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
new = lines[int(sys.argv[2]):]
ids = [e["EventId"] for e in json.load(open(sys.argv[3]))["Entries"]]
ok = (len(new) == 1 and new[0]["source"] == "my.app" and new[0]["detail"] == {"order": 42}
      and new[0]["id"] == ids[0] and new[0]["resources"] == ["arn:aws:s3:::b"]
      and new[0]["account"] == "123456789012" and new[0]["region"] == "us-east-1")
sys.exit(0 if ok else 1)
PY
evs list-rule-names-by-target --target-arn "arn:aws:coalmine:::file:$OUT" >"$T/rn.json" 2>"$T/err"
check "list-rule-names-by-target: both rules" \
    py 'sys.exit(sorted(d["RuleNames"]) != ["app-events","high-findings"])' "$T/rn.json"

# disable-rule stops delivery; enable-rule starts it again.
evs disable-rule --name app-events 2>"$T/err"
before=$(wc -l <"$OUT")
evs put-events --entries '[{"Source":"my.app","DetailType":"Order","Detail":"{\"order\":43}"}]' >/dev/null 2>"$T/err"
evs describe-rule --name app-events >"$T/d2.json" 2>"$T/err"
check "describe-rule says DISABLED" py 'sys.exit(d["State"] != "DISABLED")' "$T/d2.json"
evs enable-rule --name app-events 2>"$T/err"
evs put-events --entries '[{"Source":"my.app","DetailType":"Order","Detail":"{\"order\":44}"}]' >/dev/null 2>"$T/err"
# The bus takes the outbox in order: once 44 is in the file, 43 was routed (to nothing).
wait_lines "$OUT" $((before + 1))
check "disable-rule: put-events sends nothing" sh -c "! grep -q '\"order\": *43' '$OUT'"
check "enable-rule: put-events sends again" \
    sh -c "test \$(wc -l <'$OUT') -eq $((before + 1)) && tail -n 1 '$OUT' | grep -q '\"order\": *44'"

# test-event-pattern agrees with `coalmine rules test`.
EVENT='{"id":"1","account":"123456789012","source":"my.app","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"Order","detail":{"n":5,"ip":"10.1.2.3"}}'
agree=0
for p in '{"detail":{"n":[{"numeric":[">",4]}]}}' '{"detail":{"n":[{"numeric":[">",5]}]}}' \
    '{"detail":{"ip":[{"cidr":"10.0.0.0/8"}]}}' '{"source":[{"prefix":"my."}],"detail-type":[{"anything-but":"Order"}]}' \
    '{"detail":{"missing":[{"exists":false}]}}'; do
    a=$(evs test-event-pattern --event-pattern "$p" --event "$EVENT" 2>"$T/err" | py 'print(d["Result"])' /dev/stdin)
    c=$("$COALMINE" rules test --event-pattern "$p" --event "$EVENT" 2>"$T/err" | py 'print(d["Result"])' /dev/stdin)
    if [ -n "$a" ] && [ "$a" = "$c" ]; then agree=$((agree + 1)); else echo "# $p: api $a, cli $c"; fi
    seen="$seen$a "
done
check "test-event-pattern agrees with coalmine rules test on five patterns" test $agree -eq 5
check "test-event-pattern: both answers seen" sh -c "echo '$seen' | grep -q True && echo '$seen' | grep -q False"

# Errors, with their __type.
evs describe-rule --name no-such-rule >/dev/null 2>"$T/e1"
check "describe-rule of no rule: ResourceNotFoundException" grep -q "(ResourceNotFoundException)" "$T/e1"
evs put-rule --name bad --event-pattern '{"source":[{"bogus":1}]}' >/dev/null 2>"$T/e2"
check "put-rule with a bad pattern: InvalidEventPatternException naming the operator" \
    sh -c "grep -q '(InvalidEventPatternException)' '$T/e2' && grep -q bogus '$T/e2'"
evs put-targets --rule no-such-rule --targets "Id=a,Arn=arn:aws:coalmine:::file:$T/x" >/dev/null 2>"$T/e3"
check "put-targets on no rule: ResourceNotFoundException" grep -q "(ResourceNotFoundException)" "$T/e3"
evs put-targets --rule app-1 --targets 'Id=q,Arn=arn:aws:sqs:us-east-1:123456789012:q' >"$T/e4.json" 2>"$T/err"
evs list-targets-by-rule --rule app-1 >"$T/e4t.json" 2>"$T/err"
check "put-targets with an SQS ARN: a ValidationException entry, nothing put" \
    python3 - "$T/e4.json" "$T/e4t.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["FailedEntries"]
sys.exit(0 if d["FailedEntryCount"] == 1 and f[0]["TargetId"] == "q"
         and f[0]["ErrorCode"] == "ValidationException" and "arn:aws:sqs" in f[0]["ErrorMessage"]
         and json.load(open(sys.argv[2]))["Targets"] == [] else 1)
PY
evs put-rule --name 'bad name' --event-pattern '{"a":[1]}' >/dev/null 2>"$T/e5"
check "put-rule with a bad name: ValidationException naming the constraint" \
    sh -c "grep -q '(ValidationException)' '$T/e5' && grep -q 'regular expression' '$T/e5'"
evs test-event-pattern --event-pattern '{"a":[1]}' --event '{"id":"1"}' >/dev/null 2>"$T/e6"
check "test-event-pattern with an incomplete event: ValidationException" grep -q "(ValidationException)" "$T/e6"

# delete-rule with targets needs --force.
evs delete-rule --name app-events >/dev/null 2>"$T/e7"
check "delete-rule of a rule with targets fails without --force" \
    sh -c "grep -q '(ValidationException)' '$T/e7' && grep -q 'has targets' '$T/e7'"
evs delete-rule --name app-events --force 2>"$T/err"
evs describe-rule --name app-events >/dev/null 2>"$T/e8"
check "delete-rule --force deletes it" grep -q "(ResourceNotFoundException)" "$T/e8"

# The API sees what `coalmine rules put` / `coalmine targets put` made.
"$COALMINE" rules put --db "$T/s.db" --name from-cli --event-pattern '{"source":["cli"]}' --state DISABLED \
    >/dev/null 2>"$T/err"
"$COALMINE" targets put --db "$T/s.db" --rule from-cli --id hook --kind webhook \
    --spec '{"url":"http://127.0.0.1:9/hook","timeout_seconds":3}' >/dev/null 2>"$T/err"
evs describe-rule --name from-cli >"$T/fc.json" 2>"$T/err"
check "describe-rule shows the rule coalmine rules put made" \
    py 'sys.exit(d["State"] != "DISABLED" or json.loads(d["EventPattern"]) != {"source":["cli"]})' "$T/fc.json"
evs list-targets-by-rule --rule from-cli >"$T/fct.json" 2>"$T/err"
check "list-targets-by-rule shows its webhook in the JSON ARN form" python3 - "$T/fct.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["Targets"]
ok = (len(t) == 1 and t[0]["Id"] == "hook" and t[0]["Arn"].startswith("arn:aws:coalmine:::webhook:{")
      and json.loads(t[0]["Arn"][len("arn:aws:coalmine:::webhook:"):])["timeout_seconds"] == 3)
sys.exit(0 if ok else 1)
PY

# Tags on a rule.
evs tag-resource --resource-arn arn:aws:events:us-east-1:123456789012:rule/app-1 --tags Key=team,Value=ir 2>"$T/err"
evs list-tags-for-resource --resource-arn arn:aws:events:us-east-1:123456789012:rule/app-1 >"$T/tags.json" 2>"$T/err"
check "tag-resource / list-tags-for-resource on a rule" \
    py 'sys.exit(d["Tags"] != [{"Key":"team","Value":"ir"}])' "$T/tags.json"

# The GuardDuty API still answers on the same port.
aws guardduty --endpoint-url "$ENDPOINT" --output json list-detectors >"$T/gd.json" 2>"$T/err"
check "aws guardduty list-detectors on the same port" py 'sys.exit(len(d["DetectorIds"]) != 1)' "$T/gd.json"
serve_stop
check "serve exits 0" test "$SERVE_RC" = 0

# With credentials: signed for "events" passes; signed for "guardduty" is refused.
printf '# coalmine serve credentials\n%s:%s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/creds"
serve_start signed --config "$T/targets.yaml" --db "$T/s.db" --credentials "$T/creds"
evs list-rules >"$T/sl.json" 2>"$T/err"
check "signed: aws events list-rules passes" py 'sys.exit(len(d["Rules"]) < 8)' "$T/sl.json"
AWS_SECRET_ACCESS_KEY=wrong evs list-rules >/dev/null 2>"$T/e9"
check "signed: a wrong secret is refused" grep -q "SignatureDoesNotMatch\|InvalidSignature" "$T/e9"
if command -v curl >/dev/null && curl --help all 2>/dev/null | grep -q aws-sigv4; then
    code=$(curl -s -o "$T/c.json" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:guardduty" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H 'X-Amz-Target: AWSEvents.ListRules' \
        -H 'Content-Type: application/x-amz-json-1.1' -d '{}' "$ENDPOINT/")
    check "signed: an X-Amz-Target request signed for guardduty is refused ($code)" \
        sh -c "test '$code' = 403 -o '$code' = 400"
    code=$(curl -s -o "$T/c2.json" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:events" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H 'X-Amz-Target: AWSEvents.ListRules' \
        -H 'Content-Type: application/x-amz-json-1.1' -d '{}' "$ENDPOINT/")
    check "signed: curl --aws-sigv4 for events passes" test "$code" = 200
else
    skip "signed: an X-Amz-Target request signed for guardduty is refused" "curl without --aws-sigv4"
    skip "signed: curl --aws-sigv4 for events passes" "curl without --aws-sigv4"
fi
serve_stop
check "the signed server exits 0" test "$SERVE_RC" = 0
done_testing
