#!/bin/sh
# The FindingCriteria of the AWS CLI documentation examples (`aws guardduty
# list-findings` / `create-filter`) are accepted by `coalmine findings list`
# and `coalmine filters create`, in the CLI's casing ("Criterion", "Eq") and
# in the wire form the aws CLI itself sends ("criterion", "eq"), captured by
# a local HTTP endpoint (--endpoint-url, --no-sign-request: nothing leaves
# the machine). Skips cleanly when the aws CLI is not installed. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/json.sh"

if ! command -v aws >/dev/null || ! command -v python3 >/dev/null; then
    skip "aws CLI examples" "aws CLI or python3 not installed"
    done_testing
    exit 0
fi

DB="$T/s.db"
DET=12abc34d567e8fa901bc2d34eexample
"$COALMINE" findings sample --db "$DB" 2>/dev/null
check "sample store" test -f "$DB"

# The examples, as the AWS CLI documentation gives them.
L2='{"Criterion":{"type": {"Eq":["UnauthorizedAccess:EC2/SSHBruteForce"]}}}'
cat >"$T/myfile.json" <<'EOF'
{"Criterion": {
    "resource.accessKeyDetails.userName":{
                "Eq":[
                    "testuser"
                    ]
                },
    "service.archived": {
                "Eq": [
                    "false"
                ]
            }
        }
}
EOF
F1='{"Criterion": {"type": {"Eq": ["Recon:EC2/Portscan"]},"resource.instanceDetails.imageId": {"Eq": ["ami-0a7a207083example"]}}}'
SORT='{"AttributeName": "severity","OrderBy":"DESC"}'

"$COALMINE" findings list --db "$DB" --max-results 0 --format ids --sort-criteria "$SORT" >"$T/l1" 2>/dev/null
check "list-findings example 1 (--sort-criteria) accepted" test $? -eq 0 -a -s "$T/l1"
"$COALMINE" findings list --db "$DB" --format ids --finding-criteria "$L2" >"$T/l2"
check "list-findings example 2 accepted" test $? -eq 0
"$COALMINE" findings list --db "$DB" --format ids --type UnauthorizedAccess:EC2/SSHBruteForce >"$T/l2t"
check "example 2 selects the SSHBruteForce finding" test -s "$T/l2" -a "$(cat "$T/l2")" = "$(cat "$T/l2t")"
"$COALMINE" findings list --db "$DB" --format ids --finding-criteria "file://$T/myfile.json" >"$T/l3"
check "list-findings example 3 (file://) accepted, no testuser finding" test $? -eq 0 -a ! -s "$T/l3"
"$COALMINE" filters create --db "$DB" --name myFilterExample --finding-criteria "$F1" >/dev/null
check "create-filter example 1 accepted" test $? -eq 0
"$COALMINE" filters create --db "$DB" --action ARCHIVE --name myFilterSecondExample --finding-criteria "$F1" >/dev/null
check "create-filter example 2 accepted" test $? -eq 0

# Every --finding-criteria of the installed aws CLI's own example pages.
EX=$(python3 -c 'import awscli, os; print(os.path.join(os.path.dirname(awscli.__file__), "examples", "guardduty"))' 2>/dev/null)
if [ -n "$EX" ] && [ -f "$EX/list-findings.rst" ]; then
    python3 - "$EX" "$T/ex" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
n = 0
for page in ("list-findings.rst", "create-filter.rst"):
    text = open(os.path.join(src, page)).read()
    found = re.findall(r"--finding-criteria\s+'([^']*)'", text)
    for m in re.finditer(r"Contents of ``[^`]+``::\n\n((?:    .*\n|\n)+)", text):
        found.append(m.group(1))
    for c in found:
        n += 1
        open(os.path.join(out, "%s.%d.json" % (page[:-4], n)), "w").write(c)
PY
    nex=0; bad=""
    for f in "$T"/ex/*.json; do
        [ -f "$f" ] || continue
        nex=$((nex + 1))
        case $f in
        *create-filter*) "$COALMINE" filters create --db "$T/ex.db" --name "ex$nex" --finding-criteria "file://$f" >/dev/null 2>&1 ;;
        *) "$COALMINE" findings list --db "$DB" --finding-criteria "file://$f" >/dev/null 2>&1 ;;
        esac || bad="$bad $(basename "$f")"
    done
    check "every --finding-criteria of the aws CLI example pages accepted ($nex)" test "$nex" -ge 3 -a -z "$bad"
else
    skip "the aws CLI example pages" "not shipped with this aws CLI"
fi

# What the aws CLI sends: a local endpoint records each request body.
cat >"$T/capture.py" <<'PY'
import http.server, json, os, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        H.n += 1
        open(os.path.join(out, "req%d.json" % H.n), "wb").write(body)
        reply = b'{"name":"x"}' if "/filter" in self.path else b'{"findingIds":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(os.path.join(out, "port.tmp"), "w").write(str(s.server_port))
os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
s.serve_forever()
PY
mkdir -p "$T/req"
python3 "$T/capture.py" "$T/req" &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$T"' EXIT
wait_until test -f "$T/req/port"
PORT=$(cat "$T/req/port" 2>/dev/null)
awsl() {
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 \
        AWS_EC2_METADATA_DISABLED=true aws --no-sign-request --region us-east-1 \
        --endpoint-url "http://127.0.0.1:$PORT" guardduty "$@" >/dev/null 2>>"$T/aws.err"
}
if [ -z "$PORT" ]; then
    skip "wire form from the aws CLI" "local endpoint did not start"
else
    awsl list-findings --detector-id $DET --finding-criteria "$L2" --sort-criteria "$SORT"
    check "aws CLI accepts list-findings example 2" test $? -eq 0 -a -f "$T/req/req1.json"
    python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["findingCriteria"]))' \
        "$T/req/req1.json" >"$T/wire2.json" 2>/dev/null
    check "the aws CLI sends the wire casing" grep -q '"criterion": {"type": {"eq"' "$T/wire2.json"
    "$COALMINE" findings list --db "$DB" --format ids --finding-criteria "file://$T/wire2.json" >"$T/w2"
    check "wire form of example 2 accepted, same findings" test $? -eq 0 -a "$(cat "$T/w2")" = "$(cat "$T/l2")"
    python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["sortCriteria"]))' \
        "$T/req/req1.json" >"$T/wsort.json" 2>/dev/null
    "$COALMINE" findings list --db "$DB" --max-results 0 --format ids --sort-criteria "file://$T/wsort.json" >"$T/ws"
    check "wire form of --sort-criteria accepted" test $? -eq 0 -a -s "$T/ws"
    check "wire form of --sort-criteria: same order" cmp -s "$T/ws" "$T/l1"
    awsl list-findings --detector-id $DET --finding-criteria "file://$T/myfile.json"
    python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["findingCriteria"]))' \
        "$T/req/req2.json" >"$T/wire3.json" 2>/dev/null
    "$COALMINE" findings list --db "$DB" --format ids --finding-criteria "file://$T/wire3.json" >"$T/w3"
    check "wire form of example 3 accepted" test $? -eq 0 -a -s "$T/wire3.json" -a ! -s "$T/w3"
    awsl create-filter --detector-id $DET --action ARCHIVE --name myFilterSecondExample --finding-criteria "$F1"
    check "aws CLI accepts create-filter example 2" test $? -eq 0 -a -f "$T/req/req3.json"
    "$COALMINE" filters create --db "$T/w.db" --cli-input-json "file://$T/req/req3.json" >"$T/wf"
    check "the CreateFilter body the aws CLI sends is accepted" test $? -eq 0 -a "$(cat "$T/wf")" = myFilterSecondExample
    "$COALMINE" filters get --db "$T/w.db" myFilterSecondExample >"$T/wg.json"
    "$COALMINE" filters get --db "$DB" myFilterSecondExample >"$T/cg.json"
    check "same filter from the CLI form and the wire form" \
        test "$(jget "$T/wg.json" action; jget "$T/wg.json" findingCriteria)" = "$(jget "$T/cg.json" action; jget "$T/cg.json" findingCriteria)"
    awsl list-findings --detector-id $DET --finding-criteria '{"Criterion":{"severity":{"Gte":"high"}}}'
    check "(the aws CLI itself refuses a malformed criterion)" test $? -ne 0
fi
kill $SRV 2>/dev/null
done_testing
