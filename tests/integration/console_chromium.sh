#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# The web console (web/, docs/console.md) in a real browser: Debian's chromium
# driven by playwright-core (pinned in tests/integration/console/, installed
# by `make test` into var/cache/console-npm), against `coalmine serve` on a
# free 127.0.0.1 port over a store filled by `coalmine scan` of a `coalmine
# gen` world. The browser checks (console/console_test.mjs): the console's SigV4
# signer gives botocore's signature; the list shows as many findings as
# `coalmine findings list` and paging walks them all; the High filter shows
# only High findings; a finding opened with the keyboard shows its type,
# resource and evidence; archiving it removes it from the default view (and
# the API, read with boto3, and the CLI confirm it; skipped while serve has
# no ArchiveFindings); with credentials
# configured a wrong secret shows InvalidSignatureException; no console error
# and no CSP violation. curl checks the asset headers (CSP, nosniff, ETag and
# 304). Skips cleanly when chromium, node, playwright-core, curl or
# python3 with boto3 is missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
NPMDIR=${CONSOLE_NPM_DIR:-$ROOT/var/cache/console-npm}
PW="$NPMDIR/node_modules/playwright-core"
why=""
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] || why="chromium not installed"
command -v node >/dev/null || why="node not installed"
command -v curl >/dev/null || why="curl not installed"
python3 -c 'import boto3, botocore' 2>/dev/null || why="python3 with boto3 not installed"
if [ -z "$why" ] && [ ! -f "$PW/package.json" ]; then
    "$ROOT/scripts/install-console-deps" >/dev/null 2>&1 || true
    [ -f "$PW/package.json" ] || why="playwright-core not installed (scripts/install-console-deps)"
fi
if [ -n "$why" ]; then
    skip "console in chromium" "$why"
    done_testing
    exit 0
fi

# The world and its store.
G="$T/g"
"$COALMINE" gen --out "$G" --hours 2 --scenario all --seed 5 >/dev/null 2>&1
DB="$T/c.db"
# shellcheck disable=SC2046 # one option or value per word (gen's own paths)
"$COALMINE" scan -q --db "$DB" $(cat "$G/intel/args.txt") "$G/AWSLogs" >/dev/null 2>"$T/scan.err"
check "scan of the gen world fills the store" [ $? -eq 0 -a -s "$DB" ]
cp "$DB" "$T/auth.db"
EXPECT_TOTAL=$("$COALMINE" findings list --db "$DB" --max-results 0 --format ids | wc -l)
EXPECT_HIGH=$("$COALMINE" findings list --db "$DB" --max-results 0 --format ids \
    --finding-criteria '{"criterion":{"severity":{"greaterThanOrEqual":7,"lessThan":9}}}' | wc -l)
check "the world has current and High findings ($EXPECT_TOTAL, $EXPECT_HIGH High)" \
    [ "$EXPECT_TOTAL" -gt 50 -a "$EXPECT_HIGH" -gt 0 ]
# A type prefix, an instance and an account to filter on, from the findings.
"$COALMINE" findings list --db "$DB" --max-results 0 --format json >"$T/all.jsonl"
eval "$(python3 - "$T/all.jsonl" <<'PY'
import collections, json, sys
fs = [json.loads(l) for l in open(sys.argv[1])]
types = collections.Counter(f["type"].split("/")[0] + "/" for f in fs)
inst = collections.Counter(f["resource"]["instanceDetails"]["instanceId"] for f in fs
                           if "instanceDetails" in f["resource"])
acct = collections.Counter(f["accountId"] for f in fs)
print("TYPE_PREFIX='%s'" % types.most_common(1)[0][0])
print("INSTANCE='%s'" % inst.most_common(1)[0][0])
print("ACCOUNT='%s'" % acct.most_common()[-1][0])
PY
)"
count() { "$COALMINE" findings list --db "$DB" --max-results 0 --format ids --finding-criteria "$1" | wc -l; }
EXPECT_TYPE=$(count "{\"criterion\":{\"type\":{\"matches\":[\"$TYPE_PREFIX*\"]}}}")
EXPECT_INSTANCE=$(count "{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"equals\":[\"$INSTANCE\"]}}}")
EXPECT_ACCOUNT=$(count "{\"criterion\":{\"accountId\":{\"equals\":[\"$ACCOUNT\"]}}}")
check "filter values from the world ($TYPE_PREFIX $EXPECT_TYPE, $INSTANCE $EXPECT_INSTANCE, $ACCOUNT $EXPECT_ACCOUNT)" \
    [ "$EXPECT_TYPE" -gt 0 -a "$EXPECT_TYPE" -lt "$EXPECT_TOTAL" -a "$EXPECT_INSTANCE" -gt 0 \
    -a "$EXPECT_ACCOUNT" -gt 0 ]

# botocore's signature of one request, for the console's signer.
SIG_VECTOR=$(python3 - <<'PY'
import datetime, json
from unittest import mock
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
body = json.dumps({"findingCriteria": {"criterion": {"severity": {"gte": 7}}}, "maxResults": 50},
                  separators=(",", ":"))
cred = {"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "sessionToken": "FwoGZXIvYXdzEXAMPLE/token+="}
r = AWSRequest(method="POST", url="http://127.0.0.1:8787/detector/d%3A1%20x/findings?b=2&a=x%2Fy%20z",
               data=body, headers={"Content-Type": "application/json"})
when = datetime.datetime(2026, 1, 5, 1, 2, 3)
with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
    SigV4Auth(Credentials(cred["accessKeyId"], cred["secretAccessKey"], cred["sessionToken"]),
              "guardduty", "eu-west-3").add_auth(r)
print(json.dumps({"input": {"req": {"method": "POST", "host": "127.0.0.1:8787",
                                    "path": "/detector/d%3A1%20x/findings",
                                    "query": [["b", "2"], ["a", "x/y z"]],
                                    "headers": {"Content-Type": "application/json"}, "body": body},
                            "cred": cred, "region": "eu-west-3", "date": "2026-01-05T01:02:03Z"},
                  "authorization": r.headers["Authorization"]}))
PY
)
check "botocore computed the SigV4 vector" [ -n "$SIG_VECTOR" ]

# The servers: `coalmine serve` with no credentials (any key is accepted) and
# one with a key configured, each on a free loopback port over its own store.
if ! "$COALMINE" serve --help >/dev/null 2>&1; then
    nok "coalmine serve exists" "$("$COALMINE" serve --help 2>&1 | head -1)"
    done_testing
    exit 1
fi
AUTH_KEY=AKIACONSOLETEST00001
AUTH_SECRET=console-test-secret-0123456789abcdef
printf '%s:%s\n' "$AUTH_KEY" "$AUTH_SECRET" >"$T/creds"
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
# Started here, not in a command substitution: a server's pid must reach PIDS in
# this shell, or the EXIT trap leaves it running (before 2026-12-05 both servers
# outlived the test).
start_server() { # $1 = name, $2 = db, $3... = more options
    name=$1; db=$2; shift 2
    "$COALMINE" serve --db "$db" --listen 127.0.0.1:0 --port-file "$T/$name.port" "$@" \
        >"$T/$name.log" 2>&1 &
    PIDS="$PIDS $!"
}
server_url() { # $1 = name: its URL once it has written its port (at most 30 s)
    wait_until -s 30 test -s "$T/$1.port"
    [ -s "$T/$1.port" ] && echo "http://127.0.0.1:$(cat "$T/$1.port")"
}
start_server open "$DB"
start_server auth "$T/auth.db" --credentials "$T/creds"
BASE=$(server_url open)
BASE_AUTH=$(server_url auth)
if [ -z "$BASE" ] || [ -z "$BASE_AUTH" ]; then
    nok "coalmine serve listens on 127.0.0.1" "$(tail -3 "$T/open.log" "$T/auth.log")"
    done_testing
    exit 1
fi
ok "coalmine serve listens on 127.0.0.1 (with and without credentials)"

# ArchiveFindings: an unknown id is a 400 where the operation is served.
DET=$(curl -s "$BASE/detector" | python3 -c 'import json,sys; print(json.load(sys.stdin)["detectorIds"][0])')
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"findingIds":["0000000000000000000000000000000f"]}' "$BASE/detector/$DET/findings/archive")
NO_ARCHIVE=""
[ "$code" = 404 ] && NO_ARCHIVE="this coalmine serve does not serve ArchiveFindings"

# The assets' headers.
curl -s -D "$T/h1" -o "$T/index.html" "$BASE/console/"
check "GET /console/ is index.html" grep -q '<script type="module" src="app.js">' "$T/index.html"
check "CSP default-src 'self'" grep -qi "^content-security-policy: default-src 'self'" "$T/h1"
check "nosniff" grep -qi '^x-content-type-options: nosniff' "$T/h1"
ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$T/h1" | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$BASE/console/app.js")
check "app.js under index.html's ETag is not 304" [ "$code" = 200 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$BASE/console/")
check "If-None-Match with the ETag is 304" [ "$code" = 304 ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/console/nope.js")
check "an unknown asset is 404" [ "$code" = 404 ]
ctype=$(curl -s -o /dev/null -w '%{content_type}' "$BASE/console/app.js")
check "app.js is text/javascript" [ "${ctype%%;*}" = text/javascript ]

# The browser.
PW_MODULE=$PW CHROMIUM=$CHROMIUM BASE=$BASE BASE_AUTH=$BASE_AUTH AUTH_KEY=$AUTH_KEY \
AUTH_SECRET=$AUTH_SECRET EXPECT_TOTAL=$EXPECT_TOTAL EXPECT_HIGH=$EXPECT_HIGH \
SIG_VECTOR=$SIG_VECTOR OUT_DIR=$T NO_ARCHIVE=$NO_ARCHIVE \
TYPE_PREFIX=$TYPE_PREFIX INSTANCE=$INSTANCE ACCOUNT=$ACCOUNT EXPECT_TYPE=$EXPECT_TYPE \
EXPECT_INSTANCE=$EXPECT_INSTANCE EXPECT_ACCOUNT=$EXPECT_ACCOUNT \
    timeout 300 node "$ROOT/tests/integration/console/console_test.mjs" >"$T/browser.out" 2>&1
rc=$?
while IFS= read -r line; do
    case $line in
    "PASS "*) ok "${line#PASS }" ;;
    "FAIL "*) nok "${line#FAIL }" ;;
    "SKIP "*) line=${line#SKIP }; skip "${line%% :: *}" "${line#* :: }" ;;
    esac
done <"$T/browser.out"
check "browser run exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/browser.out" | tail -20

# The API (boto3) and the CLI confirm the archive the console made.
ID=$(cat "$T/archived.id" 2>/dev/null)
if [ -n "$NO_ARCHIVE" ]; then
    skip "GetFindings (boto3) says the finding is archived" "$NO_ARCHIVE"
elif [ -n "$ID" ]; then
    arch=$(python3 - "$BASE" "$ID" <<'PY'
import sys, boto3
c = boto3.client("guardduty", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="AKIAANYKEY0000000000", aws_secret_access_key="any")
det = c.list_detectors()["DetectorIds"][0]
print(c.get_findings(DetectorId=det, FindingIds=[sys.argv[2]])["Findings"][0]["Service"]["Archived"])
PY
)
    check "GetFindings (boto3) says the finding is archived" [ "$arch" = True ]
    check "the CLI lists it as archived" \
        sh -c "'$COALMINE' findings list --db '$DB' --archived true --max-results 0 --format ids | grep -qx '$ID'"
else
    nok "the browser archived a finding"
fi
done_testing
