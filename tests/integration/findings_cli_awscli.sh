#!/bin/sh
# `coalmine findings get/list --format cli` print what the aws CLI prints for
# the same findings. The oracle is the aws CLI itself: a loopback server
# (tests/integration/lib/canned_server.py) answers `aws guardduty
# get-findings` / `list-findings` (--endpoint-url, --no-sign-request: nothing
# leaves the machine) with coalmine's wire form (--format api); botocore
# parses it into the model's member names and the CLI prints them. Over a
# sample of every type and over a scanned world (API calls of listed
# callers, attack sequences). Skips cleanly when the aws CLI is not
# installed. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/json.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

if ! command -v aws >/dev/null || ! command -v python3 >/dev/null; then
    skip "findings --format cli against the aws CLI" "aws CLI or python3 not installed"
    done_testing
    exit 0
fi
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
NO_PROXY=127.0.0.1,localhost; no_proxy=$NO_PROXY; export NO_PROXY no_proxy
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

SRV="$T/srv"; mkdir -p "$SRV"
python3 "$HERE/lib/canned_server.py" --root "$SRV" --port-file "$T/port" 2>"$T/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; [ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
wait_until test -s "$T/port"
PORT=$(cat "$T/port" 2>/dev/null)
if [ -z "$PORT" ]; then
    nok "canned server started" "$(cat "$T/server.err")"
    done_testing
    exit 1
fi
ok "canned server listens on 127.0.0.1:$PORT"
AWS="aws guardduty --endpoint-url http://127.0.0.1:$PORT --no-sign-request --region us-east-1 --output json"
DET=c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1

# same A B: the two JSON documents are equal (numbers compared as numbers); else the
# first differences on stderr.
same() {
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
out = []
def diff(x, y, p=""):
    if isinstance(x, dict) and isinstance(y, dict):
        for k in sorted(set(x) | set(y)):
            if k not in x or k not in y:
                out.append("%s/%s only in %s" % (p, k, "aws" if k not in x else "coalmine"))
            else:
                diff(x[k], y[k], p + "/" + k)
    elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        for i, (u, v) in enumerate(zip(x, y)):
            diff(u, v, "%s[%d]" % (p, i))
    elif x != y or type(x) in (dict, list) or type(y) in (dict, list):
        if x != y:
            out.append("%s: %r vs %r" % (p, str(x)[:60], str(y)[:60]))
diff(a, b)
for line in out[:5]:
    print(line, file=sys.stderr)
sys.exit(1 if out else 0)
PY
}

# get_batches DB NAME: every stored finding of DB through get-findings, 50 ids a call.
get_batches() {
    "$COALMINE" findings list --db "$1" --archived all --max-results 0 --format ids >"$T/$2.ids"
    split -l 50 "$T/$2.ids" "$T/$2.batch."
    nb=0; bad=""
    for b in "$T/$2".batch.*; do
        nb=$((nb + 1))
        # shellcheck disable=SC2046 # the ids
        "$COALMINE" findings get --db "$1" --format api $(cat "$b") >"$SRV/get.json"
        # shellcheck disable=SC2046,SC2086 # the ids; the command line
        $AWS get-findings --detector-id $DET --finding-ids $(cat "$b") >"$b.aws" 2>"$b.err" ||
            bad="$bad aws-failed:$(head -c 200 "$b.err")"
        # shellcheck disable=SC2046 # the ids
        "$COALMINE" findings get --db "$1" --format cli $(cat "$b") >"$b.cm"
        same "$b.cm" "$b.aws" 2>"$b.diff" || bad="$bad $(head -n 3 "$b.diff" | tr '\n' ';')"
    done
}

DB="$T/sample.db"
"$COALMINE" findings sample --db "$DB" 2>/dev/null
get_batches "$DB" sample
check "a sample of every type ($(wc -l <"$T/sample.ids") findings, $nb calls): get-findings prints what --format cli does" \
    test -z "$bad" -a "$(wc -l <"$T/sample.ids")" -gt 80
[ -z "$bad" ] || echo "# $bad"

G="$T/g"
"$COALMINE" gen --out "$G" --hours 2 --scenario all --seed 7 >/dev/null 2>&1
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan -q --no-default-intel $(cat "$G/intel/args.txt") --db "$T/scan.db" "$G/AWSLogs" \
    >/dev/null 2>"$T/scan.err"
check "scan of a generated world into a store" test $? -eq 0
get_batches "$T/scan.db" scan
check "a scanned world ($(wc -l <"$T/scan.ids") findings): get-findings prints what --format cli does" \
    test -z "$bad" -a "$(wc -l <"$T/scan.ids")" -gt 50
[ -z "$bad" ] || echo "# $bad"
check "... which has API calls of listed callers and attack sequences" \
    sh -c 'grep -q "\\\\\"apiCalls\\\\\"" "$1"/scan.batch.*.cm && grep -q "\"Sequence\"" "$1"/scan.batch.*.cm' _ "$T"

# list-findings: every id in one page (the CLI pages on while nextToken is not empty).
"$COALMINE" findings list --db "$T/scan.db" --max-results 0 --format api >"$SRV/list.json"
# shellcheck disable=SC2086 # the command line
$AWS list-findings --detector-id $DET >"$T/list.aws" 2>"$T/list.err"
check "list-findings exits 0" test $? -eq 0
"$COALMINE" findings list --db "$T/scan.db" --max-results 0 --format cli >"$T/list.cm"
check "list-findings prints what --format cli does ($(jlen "$T/list.cm" FindingIds) ids)" \
    same "$T/list.cm" "$T/list.aws"
"$COALMINE" findings list --db "$T/scan.db" --max-results 5 --format cli >"$T/page.cm" 2>/dev/null
check "a page with more after it says NextToken" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (len(d["FindingIds"]) == 5 and d["NextToken"]))' "$T/page.cm"
done_testing
