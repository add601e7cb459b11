# Helpers for the tests of `coalmine serve` (sourced after tap.sh):
#   serve_world            generates a small world with every scenario and scans it into
#                          $T/s.db (its args.txt: intel lists, inventory)
#   serve_start NAME ARGS  starts `coalmine serve --listen 127.0.0.1:0 ARGS` in the
#                          background, waits for its port file; sets PORT, SERVE_PID,
#                          and ENDPOINT; stderr goes to $T/NAME.err
#   serve_stop             SIGTERM, waits; sets SERVE_RC
#   wait_lines FILE N      waits (at most 30 s) until FILE has N lines or more: what serve's
#                          bus thread delivers arrives after the request that stored it
# An EXIT trap stops a server still running.
serve_world() {
    "$COALMINE" gen --out "$T/w" --hours 6 --scenario all >/dev/null 2>"$T/gen.err" &&
        # shellcheck disable=SC2046 # args.txt holds one option and value per line
        "$COALMINE" scan --db "$T/s.db" $(cat "$T/w/intel/args.txt") "$T/w/AWSLogs" \
            >/dev/null 2>"$T/scan.err"
}

SERVE_PID=""
serve_start() {
    name=$1
    shift
    rm -f "$T/$name.port"
    "$COALMINE" serve --listen 127.0.0.1:0 --port-file "$T/$name.port" "$@" \
        >/dev/null 2>"$T/$name.err" &
    SERVE_PID=$!
    wait_until -p "$SERVE_PID" test -s "$T/$name.port"
    PORT=$(cat "$T/$name.port" 2>/dev/null)
    ENDPOINT="http://127.0.0.1:$PORT"
    [ -n "$PORT" ]
}

# wait_lines FILE N: at most 30 s until FILE has N lines or more.
has_lines() { [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ]; }
wait_lines() { wait_until -s 30 has_lines "$1" "$2"; }

serve_stop() {
    SERVE_RC=""
    [ -n "$SERVE_PID" ] || return 0
    kill -TERM "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID"
    SERVE_RC=$?
    SERVE_PID=""
}

trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; [ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
