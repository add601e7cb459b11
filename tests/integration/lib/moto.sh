# moto_server on a free port of 127.0.0.1 for the integration tests (sourced, not run;
# after tests/e2e/lib/tap.sh, which sets $T). One place for finding moto and starting it:
#
#   moto_find            sets MOTO (the moto_server to run) and PY, or MOTO_WHY (why not)
#   moto_start           starts it: MOTO_PORT, MOTO_EP (http://127.0.0.1:PORT), MOTO_PID;
#                        returns 1 (with $T/moto.log) when it never answered
#   moto_stop            stops it (also done by the EXIT trap moto_start adds)
#   moto_up WHAT [NEED...]  the whole preamble of a test against moto: skips WHAT (and
#                        exits 0) unless moto and each NEED (aws, jq, curl, boto3) are
#                        there, starts moto (exits after a `not ok` when it never answers),
#                        traps EXIT to the script's cleanup() (defined before, calling
#                        moto_stop) and says `ok moto_server answers on $MOTO_EP`; then
#                        sets EP=$MOTO_EP and sources tests/e2e/lib/aws.sh (aws_at)
#
# moto_server is looked for in the venv scripts/install-test-pydeps makes
# (var/cache/test-pydeps, moto pinned there), then beside python3, then on PATH.

MOTO=
MOTO_PID=
MOTO_WHY=
_moto_root=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)

moto_find() {
    # the interpreter itself, not a version manager's shim in front of it
    PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
    _venv=${TEST_PYDEPS_DIR:-$_moto_root/var/cache/test-pydeps}
    MOTO=
    if [ -x "$_venv/bin/moto_server" ]; then
        MOTO="$_venv/bin/moto_server"
    elif [ -n "$PY" ] && [ -x "$(dirname "$PY")/moto_server" ]; then
        MOTO="$(dirname "$PY")/moto_server"
    elif command -v moto_server >/dev/null 2>&1; then
        MOTO=moto_server
    fi
    if [ -z "$PY" ]; then
        MOTO_WHY="python3 is not installed"
    elif [ -z "$MOTO" ] || ! "$MOTO" --help >/dev/null 2>&1; then
        MOTO_WHY="moto_server is not installed (scripts/install-test-pydeps)"
    else
        MOTO_WHY=
        return 0
    fi
    return 1
}

moto_stop() {
    if [ -n "$MOTO_PID" ]; then
        kill "$MOTO_PID" 2>/dev/null
        wait "$MOTO_PID" 2>/dev/null
        MOTO_PID=
    fi
}

moto_start() {
    # extra environment for moto: MOTO_ENV="NAME=value ..."
    trap 'moto_stop; [ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
    trap 'exit 130' INT TERM
    for _ in 1 2 3; do
        MOTO_PORT=$("$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
        # shellcheck disable=SC2086 # MOTO_ENV holds assignments
        env $MOTO_ENV "$MOTO" -H 127.0.0.1 -p "$MOTO_PORT" >"$T/moto.log" 2>&1 &
        MOTO_PID=$!
        if "$PY" - "$MOTO_PORT" "$MOTO_PID" <<'PY'; then
import os, sys, time, urllib.request, urllib.error
port, pid = sys.argv[1], int(sys.argv[2])
end = time.time() + 120
while time.time() < end:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)  # it died: the port was taken
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/moto-api/" % port, timeout=10)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # it answers
    except OSError:
        time.sleep(0.5)
sys.exit(1)
PY
            MOTO_EP="http://127.0.0.1:$MOTO_PORT"
            return 0
        fi
        moto_stop
    done
    return 1
}

# moto_need NEED...: MOTO_WHY says which of the tools NEED (aws, jq, curl, boto3) is missing
moto_need() {
    for _need in "$@"; do
        case $_need in
        aws)
            if ! command -v aws >/dev/null || ! aws --version >/dev/null 2>&1; then
                MOTO_WHY="the aws CLI is not installed"
                return 1
            fi
            ;;
        boto3)
            if ! "$PY" -c 'import boto3' 2>/dev/null; then
                MOTO_WHY="boto3 is not installed"
                return 1
            fi
            ;;
        *)
            if ! command -v "$_need" >/dev/null; then
                MOTO_WHY="$_need is not installed"
                return 1
            fi
            ;;
        esac
    done
    return 0
}

moto_up() {
    _what=$1
    shift
    if ! moto_find || ! moto_need "$@"; then
        skip "$_what" "$MOTO_WHY"
        done_testing
        exit 0
    fi
    if ! moto_start; then
        nok "moto_server answers on 127.0.0.1" "$(tail -n 5 "$T/moto.log")"
        done_testing
        exit 0
    fi
    trap cleanup EXIT
    ok "moto_server answers on $MOTO_EP"
    [ -n "$KEEP_T" ] && echo "# scratch: $T"
    EP=$MOTO_EP
    . "$_moto_root/tests/e2e/lib/aws.sh"
}
