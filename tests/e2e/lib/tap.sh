# TAP helpers for the e2e scripts (sourced, not run): ok/nok/check/skip
# number their lines; call `done_testing` at the end to print the plan.
# Each script gets a scratch directory in $T, removed on exit.
COALMINE=${COALMINE:-build/coalmine}
T=$(mktemp -d)
trap '[ -n "$KEEP_T" ] || rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { # name, command...
    name=$1; shift
    if "$@"; then ok "$name"; else nok "$name"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
done_testing() { echo "1..$n"; }
# wait_until [-p PID] [-s SECONDS] CMD...: run CMD every 0.1 s until it succeeds; stop
# after SECONDS (default 60: a loaded sanitizer pass can take that long to start a server)
# or once PID has exited. Returns CMD's last status.
wait_until() {
    _wu_pid=
    _wu_left=600
    while :; do
        case $1 in
        -p) _wu_pid=$2; shift 2 ;;
        -s) _wu_left=$(($2 * 10)); shift 2 ;;
        *) break ;;
        esac
    done
    until "$@"; do
        if [ "$_wu_left" -le 0 ] || { [ -n "$_wu_pid" ] && ! kill -0 "$_wu_pid" 2>/dev/null; }; then
            "$@"
            return
        fi
        sleep 0.1
        _wu_left=$((_wu_left - 1))
    done
}
# clear_of_interval_end SECONDS [INTERVAL]: if a publishing interval (UTC; INTERVAL seconds
# long, 21600 by default: SIX_HOURS; 900 for FIFTEEN_MINUTES) ends within SECONDS, wait until
# it has ended. For a section whose updates must stay held across several runs on the wall
# clock: an interval ending amid them would release some early.
clear_of_interval_end() {
    _ci_every=${2:-21600}
    _ci_left=$((_ci_every - $(date -u +%s) % _ci_every))
    if [ "$_ci_left" -le "$1" ]; then
        sleep $((_ci_left + 1))
    fi
}
