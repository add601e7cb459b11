#!/bin/sh
# `aws guardduty ... --endpoint-url` against `coalmine serve` on 127.0.0.1 (a
# free port), over a store that `coalmine scan` filled from a `coalmine gen`
# world: detectors, list-findings with criteria, sorting and pages, get-findings
# equal to `coalmine findings get --format cli`, get-findings-statistics equal
# to `coalmine findings stats`, tags, errors, /metrics; then with credentials
# configured, signed calls pass and a wrong secret or no signature is refused.
# Skips cleanly when the aws CLI or python3 is missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v aws >/dev/null || ! command -v python3 >/dev/null; then
    skip "aws guardduty against coalmine serve" "aws CLI or python3 not installed"
    done_testing
    exit 0
fi
if ! command -v curl >/dev/null; then
    CURL_MISSING=1
fi

export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE="$T/aws-config" AWS_SHARED_CREDENTIALS_FILE="$T/aws-credentials"
DET=c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1

serve_world
check "a gen world scanned into a store" test -s "$T/s.db"
serve_start open --db "$T/s.db"
check "serve listens on a free loopback port" test -n "$PORT"
grep -q "listening on 127.0.0.1:$PORT" "$T/open.err"
check "serve says where it listens" test $? -eq 0
gd() { aws guardduty --endpoint-url "$ENDPOINT" --output json "$@"; }

gd list-detectors >"$T/ld.json" 2>"$T/err"
check "list-detectors shows the default detector" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["DetectorIds"] != [sys.argv[2]])' \
    "$T/ld.json" "$DET"
gd get-detector --detector-id "$DET" >"$T/gdet.json" 2>"$T/err"
check "get-detector: enabled, four sources, SIX_HOURS" python3 - "$T/gdet.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ds = d["DataSources"]
ok = (d["Status"] == "ENABLED" and d["FindingPublishingFrequency"] == "SIX_HOURS"
      and all(ds[k]["Status"] == "ENABLED" for k in ("CloudTrail", "DNSLogs", "FlowLogs", "S3Logs"))
      and sorted(f["Name"] for f in d["Features"]) == ["CLOUD_TRAIL", "DNS_LOGS", "FLOW_LOGS", "S3_DATA_EVENTS"]
      and d["ServiceRole"].startswith("arn:aws:iam::123456789012:role/"))
sys.exit(0 if ok else 1)
PY

# Every finding, the aws CLI paging 7 at a time, against the store's own list.
gd list-findings --detector-id "$DET" --page-size 7 >"$T/all.json" 2>"$T/err"
"$COALMINE" findings list --db "$T/s.db" --archived all --max-results 0 --format ids >"$T/all.ids"
check "list-findings over pages of 7 lists every stored finding once" python3 - "$T/all.json" "$T/all.ids" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))["FindingIds"]
want = open(sys.argv[2]).read().split()
sys.exit(0 if len(got) == len(set(got)) and sorted(got) == sorted(want) and len(want) > 20 else 1)
PY

# Criteria and sorting, in the same order as `coalmine findings list`.
CRIT='{"Criterion":{"severity":{"Gte":5},"service.archived":{"Eq":["false"]}}}'
gd list-findings --detector-id "$DET" --finding-criteria "$CRIT" \
    --sort-criteria AttributeName=severity,OrderBy=ASC >"$T/crit.json" 2>"$T/err"
"$COALMINE" findings list --db "$T/s.db" --finding-criteria "$CRIT" --sort severity:asc \
    --max-results 0 --format ids >"$T/crit.ids"
check "list-findings with criteria and sort: the CLI's ids in its order" python3 - "$T/crit.json" "$T/crit.ids" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))["FindingIds"]
want = open(sys.argv[2]).read().split()
sys.exit(0 if got == want and len(want) > 5 else 1)
PY

# Pages by hand: --max-items and --starting-token.
gd list-findings --detector-id "$DET" --max-items 5 >"$T/p1.json" 2>"$T/err"
TOK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("NextToken",""))' "$T/p1.json")
check "a page of 5 has a next token" test -n "$TOK"
gd list-findings --detector-id "$DET" --max-items 5 --starting-token "$TOK" >"$T/p2.json" 2>"$T/err"
gd list-findings --detector-id "$DET" --max-items 10 >"$T/p12.json" 2>"$T/err"
check "two pages of 5 are the first 10" python3 - "$T/p1.json" "$T/p2.json" "$T/p12.json" <<'PY'
import json, sys
a, b, c = (json.load(open(p))["FindingIds"] for p in sys.argv[1:4])
sys.exit(0 if a + b == c and len(c) == 10 else 1)
PY

# get-findings: what `coalmine findings get --format cli` prints for the same ids.
python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["FindingIds"][:50]))' \
    "$T/all.json" >"$T/ids50"
# shellcheck disable=SC2046 # one id per word
gd get-findings --detector-id "$DET" --finding-ids $(cat "$T/ids50") >"$T/gf.json" 2>"$T/err"
# shellcheck disable=SC2046
"$COALMINE" findings get --db "$T/s.db" --format cli $(cat "$T/ids50") >"$T/gf.cli.json"
check "get-findings (50 ids) equals coalmine findings get --format cli" python3 - "$T/gf.json" "$T/gf.cli.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if a == b and len(a["Findings"]) == 50 else 1)
PY

# get-findings-statistics: coalmine findings stats' numbers.
gd get-findings-statistics --detector-id "$DET" --finding-statistic-types COUNT_BY_SEVERITY \
    --finding-criteria '{"Criterion":{"service.archived":{"Eq":["false"]}}}' >"$T/st.json" 2>"$T/err"
"$COALMINE" findings stats --db "$T/s.db" --format json --group-by SEVERITY >"$T/st.cli.json"
check "countBySeverity equals coalmine findings stats" python3 - "$T/st.json" "$T/st.cli.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["FindingStatistics"]["CountBySeverity"]
b = json.load(open(sys.argv[2]))["findingStatistics"]["countBySeverity"]
sys.exit(0 if a == b and sum(a.values()) > 0 else 1)
PY
gd get-findings-statistics --detector-id "$DET" --group-by FINDING_TYPE --max-results 100 >"$T/sg.json" 2>"$T/err"
"$COALMINE" findings stats --db "$T/s.db" --archived all --format json --group-by FINDING_TYPE \
    --max-results 100 >"$T/sg.cli.json"
check "groupedByFindingType equals coalmine findings stats --group-by FINDING_TYPE" python3 - "$T/sg.json" "$T/sg.cli.json" <<'PY'
import json, sys
a = [(g["FindingType"], g["TotalFindings"]) for g in json.load(open(sys.argv[1]))["FindingStatistics"]["GroupedByFindingType"]]
b = [(g["findingType"], g["totalFindings"]) for g in json.load(open(sys.argv[2]))["findingStatistics"]["groupedByFindingType"]]
sys.exit(0 if a == b and len(a) > 3 else 1)
PY

# Errors as GuardDuty answers them.
gd get-detector --detector-id 00000000000000000000000000000000 >/dev/null 2>"$T/e1"
grep -q "(BadRequestException).*not owned by the current account" "$T/e1"
check "an unknown detector: BadRequestException, GuardDuty's message" test $? -eq 0
gd list-findings --detector-id 0000 >/dev/null 2>"$T/e2"
grep -q "BadRequestException" "$T/e2"
check "list-findings of an unknown detector is refused" test $? -eq 0
gd list-findings --detector-id "$DET" --sort-criteria AttributeName=title >/dev/null 2>"$T/e3"
grep -q "sortCriteria.attributeName" "$T/e3"
check "an unsortable attribute is a 400 naming the member" test $? -eq 0
gd create-detector --enable >/dev/null 2>"$T/e4"
grep -q "a detector already exists for the current account" "$T/e4"
check "create-detector: one per account and region" test $? -eq 0

# Tags and an update.
ARN="arn:aws:guardduty:us-east-1:123456789012:detector/$DET"
gd tag-resource --resource-arn "$ARN" --tags team=ir,env=prod 2>"$T/err"
check "tag-resource" test $? -eq 0
gd untag-resource --resource-arn "$ARN" --tag-keys env 2>"$T/err"
gd list-tags-for-resource --resource-arn "$ARN" >"$T/tags.json" 2>"$T/err"
check "untag-resource then list-tags-for-resource" \
    python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["Tags"] != {"team": "ir"})' "$T/tags.json"
gd update-detector --detector-id "$DET" --finding-publishing-frequency FIFTEEN_MINUTES 2>"$T/err"
gd get-detector --detector-id "$DET" --query FindingPublishingFrequency --output text >"$T/freq" 2>"$T/err"
check "update-detector sets the publishing frequency" test "$(cat "$T/freq")" = FIFTEEN_MINUTES

# /metrics: the text format, and the requests just made.
if [ -z "$CURL_MISSING" ]; then
    curl -s "$ENDPOINT/metrics" >"$T/metrics"
    check "/metrics is Prometheus text with the API's requests and the store's findings" python3 - "$T/metrics" "$T/all.ids" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? -?[0-9.e+]+$')
vals, types = {}, set()
for line in text.splitlines():
    if line.startswith("# TYPE "):
        types.add(line.split()[2])
        continue
    if line.startswith("#"):
        continue
    if not sample.match(line):
        print("bad line", line); sys.exit(1)
    name = line.split("{")[0].split(" ")[0]
    if name not in types:
        print("no TYPE for", name); sys.exit(1)
    vals[line.rsplit(" ", 1)[0]] = float(line.rsplit(" ", 1)[1])
current = sum(v for k, v in vals.items() if k.startswith("coalmine_store_findings_by_type{"))
stored = len(open(sys.argv[2]).read().split())
archived = vals["coalmine_store_archived_findings"]
ok = (vals.get('coalmine_api_requests_total{code="200",operation="ListFindings"}', 0) >= 5
      and vals.get('coalmine_api_requests_total{code="400",operation="GetDetector"}', 0) == 1
      and vals.get('coalmine_api_requests_total{code="204",operation="TagResource"}', 0) == 1
      and current + archived == stored and vals["coalmine_api_store_up"] == 1)
sys.exit(0 if ok else 1)
PY
else
    skip "/metrics" "curl not installed"
fi

serve_stop
check "serve exits 0 on SIGTERM" test "$SERVE_RC" = 0
grep -q "SIGTERM: stopping" "$T/open.err"
check "serve says it is stopping" test $? -eq 0

# Without credentials, only loopback.
"$COALMINE" serve --db "$T/s.db" --listen 0.0.0.0:0 2>"$T/nl.err"
rc=$?
check "no credentials: a non-loopback address is refused (exit 2)" \
    sh -c "test $rc -eq 2 && grep -q 'without credentials' '$T/nl.err'"

# With credentials: SigV4 required.
printf '# coalmine serve credentials\n%s:%s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/creds"
serve_start signed --db "$T/s.db" --credentials "$T/creds"
check "serve starts with --credentials" test -n "$PORT"
gd list-detectors >"$T/sld.json" 2>"$T/err"
check "a signed list-detectors passes" \
    python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["DetectorIds"] != [sys.argv[2]])' "$T/sld.json" "$DET"
gd list-findings --detector-id "$DET" --max-items 3 \
    --finding-criteria '{"Criterion":{"severity":{"Gte":1}}}' >/dev/null 2>"$T/err"
check "a signed list-findings with a body passes" test $? -eq 0
AWS_SECRET_ACCESS_KEY=wrong gd list-detectors >/dev/null 2>"$T/e5"
grep -q "(InvalidSignatureException)" "$T/e5"
check "a wrong secret: InvalidSignatureException" test $? -eq 0
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLX gd list-detectors >/dev/null 2>"$T/e6"
grep -q "(UnrecognizedClientException)" "$T/e6"
check "an unknown key: UnrecognizedClientException" test $? -eq 0
gd list-detectors --no-sign-request >/dev/null 2>"$T/e7"
grep -q "(MissingAuthenticationTokenException)" "$T/e7"
check "no signature: MissingAuthenticationTokenException" test $? -eq 0
serve_stop
check "the signed server exits 0 on SIGTERM" test "$SERVE_RC" = 0

done_testing
