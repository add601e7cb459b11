# The AWS SDK for Python (boto3, botocore) against a local endpoint, for the integration
# tests (sourced after tests/e2e/lib/tap.sh). One way to ask for it, to give it
# credentials and to run a script of checks:
#
#   b3_have [MODULE]        0 when python3 imports MODULE (default boto3); sets PY (the
#                           interpreter itself, not a version manager's shim) when unset
#   b3_need MODULE WHAT     the whole script skipped (WHAT: "python3 or MODULE not
#                           installed") without it: done_testing, exit 0
#   b3_creds FILE           KEY and SECRET (AWS's documented example pair) written to FILE
#                           as a credentials file, for `coalmine serve --credentials`
#   b3_py ARGS              "$PY" ARGS with this lib/ on PYTHONPATH (import b3: b3.py, a
#                           client built against the endpoint, TAP checks)
#   b3_tap SCRIPT ARGS      b3_py SCRIPT ARGS, its TAP lines numbered after this script's
#                           own ($T/py.tap, $T/py.err); a failed run without a "not ok" is one
KEY=AKIAI44QH8DHBEXAMPLE
SECRET=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
_b3_lib=$(cd "$(dirname "$0")/lib" 2>/dev/null && pwd)

b3_have() {
    [ -n "$PY" ] || PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
    [ -n "$PY" ] && "$PY" -c "import ${1:-boto3}" 2>/dev/null
}

b3_need() {
    b3_have "$1" && return 0
    skip "$2" "python3 or $1 not installed"
    done_testing
    exit 0
}

b3_creds() {
    printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$KEY" "$SECRET" >"$1"
}

b3_py() {
    PYTHONPATH="$_b3_lib${PYTHONPATH:+:$PYTHONPATH}" "$PY" "$@"
}

b3_tap() {
    b3_py "$@" >"$T/py.tap" 2>"$T/py.err"
    _b3_rc=$?
    while IFS= read -r line; do
        case $line in
        "ok "*) n=$((n + 1)); echo "ok $n ${line#ok [0-9]* }" ;;
        "not ok "*) n=$((n + 1)); echo "not ok $n ${line#not ok [0-9]* }" ;;
        *) echo "$line" ;;
        esac
    done <"$T/py.tap"
    if [ $_b3_rc -ne 0 ] && ! grep -q "^not ok" "$T/py.tap"; then
        nok "$(basename "$1") ran to the end" "$(tail -5 "$T/py.err")"
    fi
}
