#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# The delivery-time guard on targets put through the API (docs/events-api.md
# "Security"), with `aws events` against `coalmine serve` on 127.0.0.1:
#   - a webhook whose name resolves to 169.254.169.254 when the event is sent
#     (a getaddrinfo shim preloaded into serve maps rebind.test there, as a
#     rebinding DNS answer would) is refused at connect time, naming the
#     address; the endpoint's real listener gets nothing, the delivery stays
#     PENDING with that error;
#   - a file target replaced by a symbolic link to another file after
#     PutTargets: the delivery is refused, nothing is written through the
#     link, the delivery stays PENDING with the reason;
#   - PutEvents to a webhook that holds each POST 5 s: put-events answers, and
#     list-rules answers while the webhook holds the POST (ordering, not time:
#     the webhook's release marker does not exist yet when each returns).
# No network but 127.0.0.1. Skips cleanly without the aws CLI, python3 or cc.
# Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v aws >/dev/null || ! command -v python3 >/dev/null || ! command -v cc >/dev/null; then
    skip "the delivery-time target guard" "aws CLI, python3 or cc not installed"
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

# The shim: getaddrinfo("rebind.test") answers 169.254.169.254 (as a resolver would; not for
# AI_NUMERICHOST, which asks none); every other name as usual.
cat >"$T/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <string.h>
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **) =
        (int (*)(const char *, const char *, const struct addrinfo *, struct addrinfo **))dlsym(
            RTLD_NEXT, "getaddrinfo");
    /* a numeric-only lookup asks no resolver: the name stays a name there */
    if (node != NULL && strcmp(node, "rebind.test") == 0 &&
        (hints == NULL || !(hints->ai_flags & AI_NUMERICHOST))) {
        node = "169.254.169.254";
    }
    return real(node, service, hints, res);
}
EOF
cc -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl 2>"$T/cc.err"
check "the getaddrinfo shim builds" test -s "$T/shim.so"

# The endpoints: /hook records each POST; /slow writes held, waits for the test to write
# let-go (60 s at most), writes released. (A fixed 5 s hold failed once on a loaded machine:
# the aws CLI's list-rules took longer to start than that.)
cat >"$T/srv.py" <<'EOF'
import http.server, os, sys, threading, time
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/slow":
            open(os.path.join(d, "held"), "w").close()
            for _ in range(1200):
                if os.path.exists(os.path.join(d, "let-go")):
                    break
                time.sleep(0.05)
            open(os.path.join(d, "released"), "w").close()
        else:
            with open(os.path.join(d, "hook.log"), "ab") as f:
                f.write(body + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(os.path.join(d, "srv.port.tmp"), "w").write(str(s.server_address[1]))
os.rename(os.path.join(d, "srv.port.tmp"), os.path.join(d, "srv.port"))
s.serve_forever()
EOF
python3 "$T/srv.py" "$T" 2>"$T/srv.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
wait_until test -s "$T/srv.port"
SPORT=$(cat "$T/srv.port" 2>/dev/null)
check "the webhook endpoints listen on 127.0.0.1" test -n "$SPORT"

mkdir -p "$T/d"
printf 'api:\n  targets:\n    file_dirs: ["%s/d"]\n' "$T" >"$T/c.yaml"
# The sanitizers' runtime wants to come first; the shim is harmless before it.
LD_PRELOAD="$T/shim.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    serve_start s --config "$T/c.yaml" --db "$T/s.db"
check "serve listens on a free loopback port" test -n "$PORT"

# --- a webhook name that resolves to instance metadata when the event is sent ---------------
evs put-rule --name rebind --event-pattern '{"source":["t.rebind"]}' >/dev/null 2>"$T/err"
evs put-targets --rule rebind --targets "Id=hook,Arn=arn:aws:coalmine:::webhook:http://rebind.test:$SPORT/hook" \
    >"$T/pt1.json" 2>"$T/err"
check "put-targets: a webhook name is not looked up at put time (accepted)" \
    py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pt1.json"
evs put-targets --rule rebind --targets 'Id=md,Arn=arn:aws:coalmine:::webhook:http://0xa9fea9fe/latest/' \
    >"$T/pt2.json" 2>"$T/err"
check "put-targets: a metadata address literal is still refused at put time" \
    py 'sys.exit(d["FailedEntryCount"] != 1 or "link-local" not in d["FailedEntries"][0]["ErrorMessage"])' "$T/pt2.json"
evs put-events --entries '[{"Source":"t.rebind","DetailType":"x","Detail":"{}"}]' >"$T/pe1.json" 2>"$T/err"
check "put-events: the event is accepted" py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pe1.json"
wait_until -s 30 grep -q -- "target hook: .*169.254.169.254" "$T/s.err"
check "delivery: refused at connect time, naming 169.254.169.254" \
    grep -q "rule rebind target hook: .*connection to 169.254.169.254 refused: a link-local or instance metadata address" "$T/s.err"
check "the endpoint's real listener got nothing" test ! -e "$T/hook.log"
"$COALMINE" rules deliveries --db "$T/s.db" --state PENDING --format json >"$T/pend1.json" 2>"$T/err"
check "the delivery stays PENDING with the reason" grep -q "169.254.169.254 refused" "$T/pend1.json"

# --- a file target swapped for a link after PutTargets --------------------------------------
printf 'keep\n' >"$T/victim"
evs put-rule --name swap --event-pattern '{"source":["t.swap"]}' >/dev/null 2>"$T/err"
evs put-targets --rule swap --targets "Id=f,Arn=arn:aws:coalmine:::file:$T/d/out.jsonl" >"$T/pt3.json" 2>"$T/err"
check "put-targets: the file target in file_dirs is put" py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pt3.json"
evs put-events --entries '[{"Source":"t.swap","DetailType":"x","Detail":"{\"n\":1}"}]' >/dev/null 2>"$T/err"
wait_lines "$T/d/out.jsonl" 1
check "the first event is appended to the file" grep -q '"n":1' "$T/d/out.jsonl"
rm -f "$T/d/out.jsonl"
ln -s "$T/victim" "$T/d/out.jsonl"
evs put-events --entries '[{"Source":"t.swap","DetailType":"x","Detail":"{\"n\":2}"}]' >"$T/pe2.json" 2>"$T/err"
check "put-events after the swap: accepted (stored)" py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pe2.json"
wait_until -s 30 grep -q -- "rule swap target f: .*symbolic link" "$T/s.err"
check "delivery through the link is refused" \
    grep -q "rule swap target f: .*out.jsonl: cannot open: it is a symbolic link" "$T/s.err"
check "nothing was written through the link" test "$(cat "$T/victim")" = keep
"$COALMINE" rules deliveries --db "$T/s.db" --state PENDING --format json >"$T/pend2.json" 2>"$T/err"
check "the event stays owed (PENDING, the reason recorded)" grep -q "symbolic link" "$T/pend2.json"

# --- a slow webhook does not hold the API --------------------------------------------------
evs put-rule --name slow --event-pattern '{"source":["t.slow"]}' >/dev/null 2>"$T/err"
# (a timeout longer than the test: the POST is held until the test lets it go, however slow
# the aws CLI is to start on a loaded machine)
evs put-targets --rule slow --targets "[{\"Id\":\"s\",\"Arn\":\"arn:aws:coalmine:::webhook:{\\\"url\\\":\\\"http://127.0.0.1:$SPORT/slow\\\",\\\"timeout_seconds\\\":120}\"}]" \
    >"$T/pt4.json" 2>"$T/err"
check "put-targets: the slow webhook is put" py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pt4.json"
evs put-events --entries '[{"Source":"t.slow","DetailType":"x","Detail":"{}"}]' >"$T/pe3.json" 2>"$T/err"
check "put-events answered before the webhook released the POST" test ! -e "$T/released"
check "put-events: accepted" py 'sys.exit(d["FailedEntryCount"] != 0)' "$T/pe3.json"
wait_until -s 30 test -e "$T/held"
check "the bus thread is in the webhook's POST" test -e "$T/held"
evs list-rules >"$T/lr.json" 2>"$T/err"
check "list-rules answered while the webhook held the POST" test ! -e "$T/released"
check "list-rules: the three rules" py 'sys.exit(len(d["Rules"]) != 3)' "$T/lr.json"
touch "$T/let-go"

serve_stop
check "serve stops cleanly (exit 0)" test "$SERVE_RC" -eq 0
check "the slow POST was let finish by the bus's last run" test -e "$T/released"
done_testing
