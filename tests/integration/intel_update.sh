#!/bin/sh
# `coalmine intel update` against a local HTTP server (tests/integration/lib/
# feed_server.py on 127.0.0.1, killed on exit): a test bundle (COALMINE_SHARE)
# whose feeds exercise the first fetch, 304 on the second (ETag and
# Last-Modified), gzip, redirects (5 allowed, 6 not, never to file:// nor to
# instance metadata: refused at connect time), a
# 500, an oversize body (streamed and with Content-Length), a slow body past
# the time cap, a body that is not the feed's format, file:// feeds and a user
# feed. Failures exit 1 with the reason and keep the last good copy; no temp
# file is ever left in feeds/. No network but 127.0.0.1. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/../e2e/lib/json.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

if ! command -v python3 >/dev/null; then
    skip "intel update against a local server" "python3 not installed"
    done_testing
    exit 0
fi

# Nothing may go through a proxy: the server is local.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
NO_PROXY=127.0.0.1,localhost; no_proxy=$NO_PROXY; export NO_PROXY no_proxy

ROOT_DIR="$T/www"; mkdir -p "$ROOT_DIR"
LOG="$T/requests.log"; : >"$LOG"
python3 "$HERE/lib/feed_server.py" --root "$ROOT_DIR" --port-file "$T/port" --log "$LOG" \
    2>"$T/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$T"' EXIT
wait_until test -s "$T/port"
PORT=$(cat "$T/port" 2>/dev/null)
if [ -z "$PORT" ]; then
    nok "feed server started" "$(cat "$T/server.err")"
    done_testing
    exit 1
fi
ok "feed server listens on 127.0.0.1:$PORT"
U="http://127.0.0.1:$PORT"

# The feeds' contents (hand-made; public addresses of no well-known service, and
# documentation-style names; shared.txt holds only anycast resolvers, which a bundle
# feed's guard leaves out: docs/intel.md).
printf '# good feed\n45.155.205.9\n45.155.206.0/24\n' >"$ROOT_DIR/good.txt"
printf '45.155.207.1\n' >"$ROOT_DIR/lmonly.txt"
printf '# gzip\n45.155.208.22\nzipped.example.net\n' >"$ROOT_DIR/gz.txt"
printf '45.155.209.6\n' >"$ROOT_DIR/redir.txt"
printf '45.155.210.14\nflip.example.org\n' >"$ROOT_DIR/flip.txt"
printf 'ok\n' >"$ROOT_DIR/flip.txt.mode"
printf '45.155.211.9\n' >"$ROOT_DIR/slowgood.txt"
printf 'not xml at all\n' >"$ROOT_DIR/notstix.xml"
printf '45.155.212.0\n' >"$T/local.txt"
printf '45.155.213.0\n' >"$ROOT_DIR/user.txt"
printf '9.9.9.9\n8.8.8.0/24\n' >"$ROOT_DIR/shared.txt"

SHARE="$T/share"; mkdir -p "$SHARE/intel/builtin"
printf '# built-in test list\nbuiltin.example.com\n' >"$SHARE/intel/builtin/b.txt"
feed() { # name url format [enabled]
    printf '    {"name": "%s", "url": "%s", "licence": "CC0-1.0", "kind": "threat", "category": "cnc", "format": "%s", "enabled": %s},\n' \
        "$1" "$2" "$3" "${4:-true}"
}
{
    printf '{\n  "version": 1,\n  "bundle": "test.1",\n'
    printf '  "builtin": [{"name": "b", "file": "builtin/b.txt", "licence": "CC0-1.0", "kind": "threat", "category": "dga", "format": "TXT"}],\n'
    printf '  "feeds": [\n'
    feed good "$U/files/good.txt" TXT
    feed lmonly "$U/lm/lmonly.txt" TXT
    feed gz "$U/gzip/gz.txt" TXT
    feed redir5 "$U/redirect/5/redir.txt" TXT
    feed redir6 "$U/redirect/6/redir.txt" TXT
    feed redirfile "$U/redirect-file" TXT
    feed redirmeta "$U/redirect-metadata" TXT
    feed flip "$U/mode/flip.txt" TXT
    feed e500 "$U/status/500" TXT
    feed big "$U/big/300000" TXT
    feed bigcl "$U/bigcl/300000" TXT
    feed slow "$U/slow/slowgood.txt" TXT
    feed notstix "$U/files/notstix.xml" STIX
    feed shared "$U/files/shared.txt" TXT
    feed local "file://$T/local.txt" TXT
    feed off "$U/files/good.txt" TXT false
    printf '    {"name": "missing", "url": "%s/files/nothing-here.txt", "licence": "CC0-1.0", "category": "cnc", "format": "TXT"}\n' "$U"
    printf '  ]\n}\n'
} >"$SHARE/intel/manifest.json"
export COALMINE_SHARE="$SHARE"
D="$T/intel"
CM() { "$COALMINE" intel "$@" --intel-dir "$D"; }
CAPS="--max-bytes 100000 --max-time 2 --connect-timeout 5"
no_temps() { test -z "$(find "$D/feeds" -name '.*' 2>/dev/null)"; }
lacks() { ! grep -q -- "$1" "$2"; }
verdict() { CM check "$1" | head -n 1 | sed 's/^.*: //'; }
# lfield NAME FIELD: FIELD of list NAME in `intel list --format json` ("" when null).
lfield() {
    CM list --format json | python3 -c 'import json, sys
e = [x for x in json.load(sys.stdin)["lists"] if x["name"] == sys.argv[1]][0]
v = e.get(sys.argv[2])
print("" if v is None else v)' "$1" "$2"
}

# --- first update: every feed once ---------------------------------------------------
# shellcheck disable=SC2086
CM update $CAPS >"$T/u.out" 2>"$T/u.err"
check "first update exits 1 (some feeds fail on purpose)" test $? -eq 1
for f in good lmonly gz redir5 flip local; do
    check "first update: $f updated" grep -q -- "^$f: updated (" "$T/u.out"
done
check "e500 failed with HTTP status 500, no copy" \
    grep -q -- '^e500: failed: HTTP status 500 (no copy yet)' "$T/u.out"
check "missing (404) failed" grep -q -- '^missing: failed: HTTP status 404' "$T/u.out"
check "shared (only anycast resolvers) failed, saying they were left out as shared" \
    grep -q -- '^shared: failed: .*no indicators in it (0 bad records, 2 left out as shared infrastructure' "$T/u.out"
check "big (streamed) failed at the size cap" \
    grep -q -- '^big: failed: larger than the size cap of 100000 bytes' "$T/u.out"
check "bigcl (Content-Length) failed at the size cap" \
    grep -q -- '^bigcl: failed: larger than the size cap' "$T/u.out"
check "slow failed at the time cap" grep -qi -- '^slow: failed: .*timed out' "$T/u.out"
check "6 redirects failed (at most 5)" grep -qi -- '^redir6: failed: .*redirect' "$T/u.out"
check "a redirect to file:// is refused" grep -q -- '^redirfile: failed' "$T/u.out"
# The connect-time guard (docs/intel.md "Updates", src/net/net_guard.h): the redirect's address is refused before a socket
# is opened for it, and the message names it (a connect attempt would time out or say otherwise).
check "a redirect to instance metadata is refused at connect, naming the address" \
    grep -q -- '^redirmeta: failed: connection to 169.254.169.254 refused: a link-local or instance metadata address' "$T/u.out"
check "a body that is not the feed's format failed" grep -q -- '^notstix: failed' "$T/u.out"
check "a disabled feed is not fetched" lacks '^off:' "$T/u.out"
check "the failed feeds have no copy" test ! -e "$D/feeds/e500" -a ! -e "$D/feeds/big" \
    -a ! -e "$D/feeds/slow" -a ! -e "$D/feeds/notstix" -a ! -e "$D/feeds/redirfile"
check "no temp file left in feeds/" no_temps
check "first requests carry no validators" \
    grep -q -- '^GET /files/good.txt inm=- ims=- ' "$LOG"
check "requests accept gzip" grep -q '^GET /gzip/gz.txt .* ae=.*gzip' "$LOG"
check "the gzip feed was decoded" grep -q zipped.example.net "$D/feeds/gz"
cp "$D/feeds/good" "$T/good.copy"
cp "$D/feeds/flip" "$T/flip.copy"
check "a fetched feed applies: check 45.155.205.9 is THREAT" test "$(verdict 45.155.205.9)" = THREAT
CM check 45.155.206.10 --format json >"$T/c.json"
check "check names the list and the network" \
    test "$(jget "$T/c.json" 'matches.0.list')" = good -a "$(jget "$T/c.json" 'matches.0.match')" = 45.155.206.0/24
check "list: good has 2 entries" test "$(lfield good entries)" = 2
check "list: good has an update time" test "$(lfield good updated | cut -c 1-2)" = 20
check "list: e500 records the failure reason" test "$(lfield e500 failure)" = "HTTP status 500"
check "list: e500 has no entries" test -z "$(lfield e500 entries)"

# --- second update: conditional requests -----------------------------------------------
: >"$LOG"
CM update good lmonly gz local >"$T/u.out" 2>"$T/u.err"
check "second update of good feeds exits 0" test $? -eq 0
check "good: unchanged (ETag)" grep -q -- '^good: unchanged$' "$T/u.out"
check "lmonly: unchanged (Last-Modified)" grep -q -- '^lmonly: unchanged$' "$T/u.out"
check "gz: unchanged (same bytes)" grep -q -- '^gz: unchanged$' "$T/u.out"
check "local file:// feed: unchanged" grep -q -- '^local: unchanged$' "$T/u.out"
check "If-None-Match was sent for good" grep -q '^GET /files/good.txt inm="' "$LOG"
check "If-Modified-Since was sent for lmonly" \
    grep -q '^GET /lm/lmonly.txt inm=- ims=[A-Z][a-z][a-z], ' "$LOG"
check "good's copy unchanged" cmp -s "$D/feeds/good" "$T/good.copy"

# --- content change --------------------------------------------------------------------
printf '# good feed v2\n45.155.205.9\n45.155.206.0/24\n45.155.205.10\n' >"$ROOT_DIR/good.txt"
touch -d '+2 seconds' "$ROOT_DIR/good.txt" 2>/dev/null || true
CM update good >"$T/u.out" 2>&1
check "a changed feed is updated (3 entries)" grep -q -- '^good: updated (3 entries' "$T/u.out"
check "the new entry applies" test "$(verdict 45.155.205.10)" = THREAT
printf '45.155.212.0\n45.155.212.1\n' >"$T/local.txt"
CM update local >"$T/u.out" 2>&1
check "a changed file:// feed is updated" grep -q -- '^local: updated (2 entries' "$T/u.out"

# --- failures keep the last good copy ---------------------------------------------------
for mode in 500 big slow garbage; do
    printf '%s\n' "$mode" >"$ROOT_DIR/flip.txt.mode"
    # shellcheck disable=SC2086
    CM update flip $CAPS >"$T/u.out" 2>&1
    rc=$?
    check "flip ($mode): exit 1" test $rc -eq 1
    check "flip ($mode): failed, last good copy kept" \
        grep -q -- '^flip: failed: .*(the last good copy is kept)$' "$T/u.out"
    check "flip ($mode): copy intact" cmp -s "$D/feeds/flip" "$T/flip.copy"
    check "flip ($mode): no temp file" no_temps
done
check "flip's indicators still apply" test "$(verdict flip.example.org)" = THREAT
check "the registry records flip's last failure" \
    test -n "$(lfield flip failure)" -a -n "$(lfield flip lastFailure)"
printf 'ok\n' >"$ROOT_DIR/flip.txt.mode"
CM update flip >"$T/u.out" 2>&1
check "flip back to ok: unchanged, exit 0" grep -q -- '^flip: unchanged$' "$T/u.out"
check "a success clears the failure" test -z "$(lfield flip failure)"

# --- user feeds ---------------------------------------------------------------------------
CM add myfeed --url "$U/files/user.txt" --kind threat >"$T/a.out" 2>&1
check "add --url registers a user feed" test $? -eq 0
check "a user feed applies only once fetched" test "$(verdict 45.155.213.0)" = NONE
CM update myfeed >"$T/u.out" 2>&1
check "update NAME fetches the user feed" grep -q -- '^myfeed: updated (1 entries' "$T/u.out"
CM check 45.155.213.0 --format json >"$T/c.json"
check "the user feed is a custom list" test "$(jget "$T/c.json" 'matches.0.category')" = custom
CM add badurl --url "ftp://127.0.0.1/x" --kind threat >/dev/null 2>&1
check "add --url refuses other schemes" test $? -ne 0
CM update nosuch >/dev/null 2>"$T/u.err"
check "update of an unknown name exits 1" test $? -eq 1
CM update b >/dev/null 2>"$T/u.err"
check "update of a built-in list says it is not a feed" grep -q -- 'not a feed' "$T/u.err"
CM remove myfeed >/dev/null 2>&1
check "remove deletes the user feed's copy" test ! -e "$D/feeds/myfeed"

# --- the registry ---------------------------------------------------------------------------
check "no temp file left anywhere" test -z "$(find "$D" -name '.*.*' 2>/dev/null)"
cp "$D/lists.json" "$T/lists.save"
printf '{"version":1,"lists":[' >"$D/lists.json"
CM list >/dev/null 2>"$T/l.err"
check "a corrupt registry is an error" test $? -eq 1
check "the error names lists.json" grep -q -- 'lists.json: byte' "$T/l.err"
CM update good >/dev/null 2>&1
check "update refuses to run over a corrupt registry" test $? -eq 1
check "the corrupt registry is left alone" test "$(cat "$D/lists.json")" = '{"version":1,"lists":['
cp "$T/lists.save" "$D/lists.json"
COALMINE_SHARE="$T/nowhere" "$COALMINE" intel list --intel-dir "$D" >/dev/null 2>"$T/l.err"
check "COALMINE_SHARE without a manifest is an error" test $? -eq 1

done_testing
