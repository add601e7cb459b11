# The seed-7 world and the logging proxies of the S3 integration tests (sourced, not run;
# after tests/e2e/lib/tap.sh, tests/e2e/lib/stored.sh and lib/moto.sh's moto_up, which set
# $T, $PY and $EP):
#
#   s3world_whole [HOURS]  the seed-7 world of every scenario over HOURS hours (default 6;
#                        2 hours hold every scenario too, in a third of the objects) in $G
#                        ($T/g), its options in ARGS, and one scan of the local world:
#                        $T/whole.db, its summary $T/whole.sum and export_local $T/whole.x
#   export_local DB OUT  the stored findings, s3://BUCKET/ made the local world's folder,
#                        and the evidence's fileId (the index of its input in the scan of
#                        its poll: a follow's polls number their inputs each from 0, as a
#                        local follow's do) left out
#   same_as_whole DB     ok when DB stores (export_local) what one scan of the local
#                        world stores, byte for byte
#   start_proxy PROXY ARG...  lib/PROXY.py in front of moto ($EP), logging to
#                        $T/proxy.log; its pid in PROXY, its endpoint in PEP
#   stop_proxy           stops it

_s3world_lib=$(dirname "$0")/lib

export_local() {
    "$COALMINE" findings export --db "$1" --archived all 2>/dev/null |
        sed -e "s#s3://[a-z0-9]*/AWSLogs/#$G/AWSLogs/#g" -e 's#\\"fileId\\":[0-9]*,##g' |
        sort >"$2"
}

s3world_whole() {
    G="$T/g"
    _hours=${1:-6}
    "$COALMINE" gen --out "$G" --hours "$_hours" --seed 7 --scenario all >/dev/null 2>"$T/gen.err"
    check "gen: $_hours hours of the seed-7 world with every scenario" test $? -eq 0
    ARGS="--no-default-intel $(cat "$G/intel/args.txt")"
    # shellcheck disable=SC2086 # ARGS holds options and values
    "$COALMINE" scan $ARGS -q --threads 2 --db "$T/whole.db" "$G/AWSLogs" >/dev/null \
        2>"$T/whole.err"
    check "one scan of the local world exits 0" test $? -eq 0
    summary "$T/whole.db" "$T/whole.sum"
    export_local "$T/whole.db" "$T/whole.x"
    check "... and stores findings ($(wc -l <"$T/whole.sum"))" test -s "$T/whole.sum"
}

same_as_whole() {
    export_local "$1" "$1.x"
    if cmp -s "$T/whole.x" "$1.x"; then
        ok "... stores what one scan of the local world stores, byte for byte ($(wc -l <"$1.x") findings)"
    else
        nok "... stores what one scan of the local world stores, byte for byte" \
            "$(diff "$T/whole.x" "$1.x" | head -c 600)"
    fi
}

start_proxy() {
    _proxy=$1
    shift
    rm -f "$T/proxy.port"
    "$PY" "$_s3world_lib/$_proxy.py" "$T/proxy.port" "$EP" "$@" >"$T/proxy.log" 2>&1 &
    PROXY=$!
    wait_until test -s "$T/proxy.port"
    PEP="http://127.0.0.1:$(cat "$T/proxy.port" 2>/dev/null)"
}

stop_proxy() {
    kill "$PROXY" 2>/dev/null
    wait "$PROXY" 2>/dev/null
    PROXY=
}
