#!/bin/sh
# tsan: the follow's checkpoints on a day change, beside the scan workers
# A follow with --state that reads nothing for longer than the 30 days a file's identity is
# kept (docs/follow.md, "State, restarts and crashes"): the files still there and read, and
# the resume point of a plain log, are noted as seen once a day, so after the idle month a
# restart reads none of them again, and a plain log appended to is read from where it
# stopped. Before 2026-12-06 the follow noted them only at checkpoints after a poll that
# read something: its stop after an idle month forgot them all, and the restart read every
# file again (its records counted twice).
#
# The month passes under libfaketime: the wall clock jumps 40 days while the follow runs
# (the monotonic clock of its polls is left alone, and so are the files' mtimes). Skipped
# when libfaketime is not installed or cannot be preloaded into this build.
. "$(dirname "$0")/lib/tap.sh"

FT=""
for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib; do
    if [ -f "$d/faketime/libfaketimeMT.so.1" ]; then
        FT="$d/faketime/libfaketimeMT.so.1"
        break
    fi
done
echo "+0d" >"$T/clock"
# `env $FAKE CMD...`: CMD with the wall clock $T/clock says (read at every call); env
# execs CMD, so $! of `env $FAKE CMD &` is CMD's pid.
FAKE="LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$T/clock FAKETIME_NO_CACHE=1"
FAKE="$FAKE FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1"
# An ASan build wants its runtime first among the libraries; libfaketime only wraps the
# clock calls, which ASan does not intercept.
FAKE="$FAKE ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
fake() {
    # shellcheck disable=SC2086 # FAKE holds assignments for env
    env $FAKE "$@"
}
if [ -z "$FT" ]; then
    skip "follow after an idle month" "libfaketime is not installed"
    done_testing
    exit 0
fi
if ! fake "$COALMINE" version >/dev/null 2>&1; then
    skip "follow after an idle month" "libfaketime cannot be preloaded into $COALMINE"
    done_testing
    exit 0
fi
echo "+40d" >"$T/clock"
y=$(fake date -u +%Y%m%d)
echo "+0d" >"$T/clock"
check "libfaketime moves the wall clock 40 days ($y)" test "$y" = "$(date -u -d '+40 days' +%Y%m%d)"

# A world of one hour: its gzipped logs, and one flow log as plain text (300 records).
G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --seed 11 >/dev/null 2>"$T/gen.err"
check "gen: one hour" test $? -eq 0
W="$T/w"
mkdir -p "$W"
gzs=$(find "$G/AWSLogs" -name '*.gz' | sort | head -20)
# shellcheck disable=SC2086 # the paths have no spaces
cp $gzs "$W/"
flow=$(find "$G/AWSLogs" -path '*vpcflowlogs*' -name '*.log.gz' | sort | tail -1)
gzip -dc "$flow" | head -301 >"$W/flow.log"
gzip -dc "$flow" | sed -n '302,400p' >"$T/more.log"
more=$(wc -l <"$T/more.log")
check "the plain flow log has 300 records, and 1 to 99 more to append ($more)" \
    test "$more" -ge 1 -a "$more" -le 99

polls() { sed -n 's/^follow: stopped after \([0-9]*\) polls.*/\1/p' "$1"; }

# 1. The follow reads everything, checkpoints, then idles while the clock jumps 40 days.
# shellcheck disable=SC2086 # FAKE holds assignments for env
env $FAKE "$COALMINE" scan --no-default-intel --follow --poll-interval 0.1 --settle 0 \
    --checkpoint-interval 1 --state "$T/st" "$W" >/dev/null 2>"$T/f1.err" &
pid=$!
wait_until -p "$pid" grep -q "files read" "$T/f1.err"
check "the follow reads the 21 files" grep -q ': 21 files read' "$T/f1.err"
# The first checkpoint (1 s after the read) is written while the clock is still today.
sleep 2
echo "+40d" >"$T/clock"
# Enough polls for the new day to be seen (0.1 s apart).
sleep 2
kill -TERM $pid
wait $pid
check "SIGTERM after the idle month: exit 0" test $? -eq 0
check "... the state written" grep -q "state written to $T/st" "$T/f1.err"
check "... nothing read after the first poll" grep -q 'polls: 21 files read in 1 of them' "$T/f1.err"

# 2. Restarted 40 days on, after the plain log grew: only what was appended is read.
cat "$T/more.log" >>"$W/flow.log"
# shellcheck disable=SC2086 # FAKE holds assignments for env
env $FAKE "$COALMINE" scan --no-default-intel --follow --poll-interval 0.1 --settle 0 \
    --state "$T/st" "$W" >/dev/null 2>"$T/f2.err" &
pid=$!
wait_until -p "$pid" grep -q "files\{0,1\} read" "$T/f2.err"
sleep 0.5
kill -TERM $pid
wait $pid
check "the restart: exit 0" test $? -eq 0
check "... leaves the 20 unchanged files out as read before" \
    grep -q ': 1 file read, 20 left out (read before this run)' "$T/f2.err"
check "... and reads only the $more records appended to the plain log" \
    grep -q "records:  cloudtrail 0, vpcflow $more, dns 0" "$T/f2.err"
if ! grep -q "records:  cloudtrail 0, vpcflow $more, dns 0" "$T/f2.err"; then
    sed 's/^/# /' "$T/f2.err"
fi

# 3. A batch scan with the state, 41 days on: every file is still remembered as read.
echo "+41d" >"$T/clock"
fake "$COALMINE" scan --no-default-intel --state "$T/st" "$W" >/dev/null 2>"$T/s.err"
check "a batch scan on the 41st day reads nothing again" \
    grep -q 'skipped:  21 files read by an earlier scan with this --state' "$T/s.err"
done_testing
