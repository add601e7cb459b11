#!/bin/sh
# tsan: the follow's poll loop handing files to the scan workers
# `coalmine scan --follow`: watched directories (docs/follow.md). The world of
# `gen --hours 2 --seed 7 --scenario all` arrives in 4 batches in key order (each moved
# into the watched folder whole, as a sync lands it):
#
#   - follow with --state, stopped by SIGTERM after two batches and started again for the
#     other two, then `scan --state --final` of nothing (the windows a stopped follow
#     leaves open closed and reported), stores what one `coalmine scan` of everything
#     stores (ids, types, severities, counts, eventFirstSeen/LastSeen), and the restart
#     reads none of the first two batches again;
#   - follow without --state, all four batches, stopped by SIGTERM (every window closed
#     then): the same findings;
#   - killed with SIGKILL before any checkpoint and started again: it reads the first
#     batches again, and the store still counts each event once;
#   - temporary names (aws s3's NAME.XXXXXXXX, *.tmp, hidden) are never read, the file
#     renamed into place is; a gzip cut short is not rejected but read once complete; a
#     file growing under --settle is read once, whole; an idle follow uses no CPU to speak
#     of; usage errors.
#
# Nothing here depends on the machine's speed: polls are 0.05-0.1 s apart and every wait
# is a bounded loop on what the follower logs.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/stored.sh"
. "$(dirname "$0")/lib/follow.sh"

if ! command -v python3 >/dev/null; then
    skip "follow" "python3 is not installed"
    done_testing
    exit 0
fi

# stop PID: SIGTERM, and its exit status
stop() {
    kill -TERM "$1" 2>/dev/null
    wait "$1"
}

G="$T/g"
"$COALMINE" gen --out "$G" --hours 2 --seed 7 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 2 hours of the seed-7 world with every scenario" test $? -eq 0
ARGS=$(cat "$G/intel/args.txt")
# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$T/whole.db" $ARGS "$G/AWSLogs" \
    >/dev/null 2>"$T/whole.err"
check "one scan of everything exits 0" test $? -eq 0
summary "$T/whole.db" "$T/whole.sum"
check "... and stores findings" test -s "$T/whole.sum"
summary "$T/whole.db" "$T/whole.me" full
# same_members DB LABEL: DB's findings are members of the same sequences and cite the same
# records, in the same order, as one scan's (a restatement's members before its last one,
# records folded from a report of a window that expired late: 2026-12-06)
same_members() {
    summary "$1" "$1.me" full
    if cmp -s "$T/whole.me" "$1.me"; then
        ok "$2: the same sequence members and evidence as one scan"
    else
        nok "$2: the same sequence members and evidence as one scan" \
            "$(diff "$T/whole.me" "$1.me" | cut -c 1-300 | head -n 6)"
    fi
}

# The files in key order, cut into 4 batches; stage_batches DIR copies batch K to DIR/bK.
find "$G/AWSLogs" -type f | sed -n 's/.*_\([0-9]\{8\}T[0-9]\{4\}Z\)_.*/\1 &/p' | sort |
    cut -d ' ' -f 2- >"$T/keys"
NF=$(wc -l <"$T/keys")
PER=$(((NF + 3) / 4))
stage_batches() {
    i=0
    while read -r f; do
        d="$1/b$((i / PER))/${f#"$G"/}"
        mkdir -p "$(dirname "$d")"
        cp "$f" "$d"
        i=$((i + 1))
    done <"$T/keys"
}
# arrive K W: batch K of the staged ones lands in the watched folder W at once
arrive() { mv "$T/stage/b$1" "$2/"; }
upto() { # files in batches 0..K
    u=$((($1 + 1) * PER))
    [ $u -gt "$NF" ] && u=$NF
    echo $u
}

# --- with --state: two batches, SIGTERM, restart, two more ------------------------------
mkdir -p "$T/w" "$T/stage"
stage_batches "$T/stage"
# shellcheck disable=SC2086
"$COALMINE" scan --follow --poll-interval 0.1 --no-default-intel --threads 2 --db "$T/f.db" \
    --state "$T/f.state" $ARGS "$T/w" >"$T/f1.out" 2>"$T/f1.err" &
P=$!
arrive 0 "$T/w"
wait_until -p "$P" -s 120 at_least "$T/f1.err" "$(upto 0)"
arrive 1 "$T/w"
wait_until -p "$P" -s 120 at_least "$T/f1.err" "$(upto 1)"
stop $P
check "follow with --state: SIGTERM after two batches exits 0" test $? -eq 0
check "... having read them ($(read_total "$T/f1.err") of $(upto 1) files)" \
    test "$(read_total "$T/f1.err")" -eq "$(upto 1)"
check "... and written the state file at shutdown" grep -q "state written to $T/f.state" \
    "$T/f1.err"
check "... findings printed as they came" test -s "$T/f1.out"
# shellcheck disable=SC2086
"$COALMINE" scan --follow --poll-interval 0.1 --no-default-intel --threads 2 --db "$T/f.db" \
    --state "$T/f.state" $ARGS "$T/w" >"$T/f2.out" 2>"$T/f2.err" &
P=$!
wait_until -p "$P" -s 120 grep -q "$(upto 1) left out (read before this run)" "$T/f2.err"
check "the restart leaves the $(upto 1) files read before out, unread" \
    grep -q "^follow: .*: 0 files read, $(upto 1) left out" "$T/f2.err"
arrive 2 "$T/w"
wait_until -p "$P" -s 120 at_least "$T/f2.err" $(($(upto 2) - $(upto 1)))
arrive 3 "$T/w"
wait_until -p "$P" -s 120 at_least "$T/f2.err" $((NF - $(upto 1)))
stop $P
check "... reads the two batches that came after and exits 0 at SIGTERM" test $? -eq 0
check "... having read $((NF - $(upto 1))) files (read $(read_total "$T/f2.err"))" \
    test "$(read_total "$T/f2.err")" -eq $((NF - $(upto 1)))
mkdir -p "$T/empty"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$T/f.db" --state "$T/f.state" \
    --final $ARGS "$T/empty" >/dev/null 2>"$T/f3.err"
check "the windows it left open in the state, closed by scan --state --final of nothing" \
    test $? -eq 0
summary "$T/f.db" "$T/f.sum"
same_members "$T/f.db" "follow over 4 batches and a restart"
if cmp -s "$T/whole.sum" "$T/f.sum"; then
    ok "follow over 4 batches and a restart (and --final) stores the same \
$(wc -l <"$T/whole.sum") findings, counts and times as one scan"
else
    nok "follow over 4 batches and a restart stores the same findings as one scan" \
        "$(diff "$T/whole.sum" "$T/f.sum" | head -n 20)"
fi

# --- SIGHUP (the terminal or ssh session gone): stops as SIGTERM does, state written -------
mkdir -p "$T/hup"
"$COALMINE" scan --follow --poll-interval 0.1 --no-default-intel --db "$T/hup.db" \
    --state "$T/hup.state" "$T/hup" >/dev/null 2>"$T/hup.err" &
P=$!
wait_until -p "$P" -s 120 grep -q "SIGINT or SIGTERM stops" "$T/hup.err"
kill -HUP $P 2>/dev/null
wait $P
check "SIGHUP: exit 0, as SIGTERM (before 2026-12-05 it killed the follow unsaid)" test $? -eq 0
check "... the state written" grep -q "state written to $T/hup.state" "$T/hup.err"

# --- without --state: the state in memory, windows closed at SIGTERM ----------------------
rm -rf "$T/stage" "$T/w2"
mkdir -p "$T/w2" "$T/stage"
stage_batches "$T/stage"
# shellcheck disable=SC2086
"$COALMINE" scan --follow --poll-interval 0.1 --no-default-intel --threads 2 --db "$T/m.db" \
    $ARGS "$T/w2" >"$T/m.out" 2>"$T/m.err" &
P=$!
for k in 0 1 2 3; do
    arrive $k "$T/w2"
    wait_until -p "$P" -s 120 at_least "$T/m.err" "$(upto $k)"
done
stop $P
check "follow without --state: SIGTERM exits 0" test $? -eq 0
summary "$T/m.db" "$T/m.sum"
same_members "$T/m.db" "follow without --state"
if cmp -s "$T/whole.sum" "$T/m.sum"; then
    ok "... and stores the same findings as one scan (state in memory, windows closed at exit)"
else
    nok "... and stores the same findings as one scan" \
        "$(diff "$T/whole.sum" "$T/m.sum" | head -n 20)"
fi

# --- SIGKILL before any checkpoint: the first batches read again, counted once ---------
rm -rf "$T/stage" "$T/w3"
mkdir -p "$T/w3" "$T/stage"
stage_batches "$T/stage"
# shellcheck disable=SC2086
"$COALMINE" scan --follow --poll-interval 0.1 --checkpoint-interval 3600 --no-default-intel \
    --threads 2 --db "$T/k.db" --state "$T/k.state" $ARGS "$T/w3" >/dev/null 2>"$T/k1.err" &
P=$!
arrive 0 "$T/w3"
wait_until -p "$P" -s 120 at_least "$T/k1.err" "$(upto 0)"
arrive 1 "$T/w3"
wait_until -p "$P" -s 120 at_least "$T/k1.err" "$(upto 1)"
kill -KILL $P
wait $P 2>/dev/null
check "killed with SIGKILL before its first checkpoint: no state file" test ! -e "$T/k.state"
# shellcheck disable=SC2086
"$COALMINE" scan --follow --poll-interval 0.1 --no-default-intel --threads 2 --db "$T/k.db" \
    --state "$T/k.state" $ARGS "$T/w3" >/dev/null 2>"$T/k2.err" &
P=$!
wait_until -p "$P" -s 120 at_least "$T/k2.err" "$(upto 1)"
arrive 2 "$T/w3"
wait_until -p "$P" -s 120 at_least "$T/k2.err" "$(upto 2)"
arrive 3 "$T/w3"
wait_until -p "$P" -s 120 at_least "$T/k2.err" "$NF"
stop $P
check "... started again, it reads the first batches again and the rest, exit 0" test $? -eq 0
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$T/k.db" --state "$T/k.state" \
    --final $ARGS "$T/empty" >/dev/null 2>&1
summary "$T/k.db" "$T/k.sum"
same_members "$T/k.db" "follow killed and started again"
if cmp -s "$T/whole.sum" "$T/k.sum"; then
    ok "... and the store counts each event once: the same findings as one scan"
else
    nok "... and the store counts each event once: the same findings as one scan" \
        "$(diff "$T/whole.sum" "$T/k.sum" | head -n 20)"
fi

# --- names, partial gzip, growth, idle -------------------------------------------------
E="$T/e"
mkdir -p "$E"
"$COALMINE" scan --follow --poll-interval 0.05 --no-default-intel --threads 1 \
    --region us-east-1 "$E" >"$T/e.out" 2>"$T/e.err" &
P=$!
wait_until -p "$P" -s 120 grep -q "^follow: watching" "$T/e.err"
if [ -r "/proc/$P/stat" ]; then
    t0=$(awk '{print $14 + $15}' "/proc/$P/stat")
    sleep 2
    t1=$(awk '{print $14 + $15}' "/proc/$P/stat")
    check "an idle follow of an empty folder polls without spinning ($((t1 - t0)) ticks of \
CPU in 2 s)" test $((t1 - t0)) -lt 50
else
    skip "an idle follow uses no CPU to speak of" "no /proc/PID/stat"
fi
ct=$(grep /CloudTrail/ "$T/keys" | sed -n 1p)
ct2=$(grep /CloudTrail/ "$T/keys" | sed -n 2p)
ct3=$(grep /CloudTrail/ "$T/keys" | sed -n 3p)
fl=$(grep /vpcflowlogs/ "$T/keys" | sed -n 1p)
cp "$ct" "$E/$(basename "$ct").1a2B3c4D"
cp "$ct" "$E/.hidden.json.gz"
cp "$ct" "$E/partial.json.gz.tmp"
cp "$ct2" "$E/"
wait_until -p "$P" -s 120 at_least "$T/e.err" 1
sleep 0.3
check "temporary names (aws s3's NAME.1a2B3c4D, hidden, *.tmp) are not read (read: \
$(read_total "$T/e.err"))" test "$(read_total "$T/e.err")" -eq 1
mv "$E/$(basename "$ct").1a2B3c4D" "$E/$(basename "$ct")"
wait_until -p "$P" -s 120 at_least "$T/e.err" 2
check "... the file renamed into place is" test "$(read_total "$T/e.err")" -eq 2
# A gzip cut short: a download in progress, not damage.
half=$(($(wc -c <"$fl") / 2))
flname=$(basename "$fl")
head -c $half "$fl" >"$E/$flname"
wait_until -p "$P" -s 120 grep -q "still being written" "$T/e.err"
check "a gzip cut short (recent) is put off: 'still being written'" \
    grep -q "still being written (read once complete)" "$T/e.err"
check "... not rejected" test "$(grep -c 'rejected:.*files [1-9]' "$T/e.err")" -eq 0
cat "$fl" >"$E/$flname"
wait_until -p "$P" -s 120 at_least "$T/e.err" 3
nrec=$(($(gzip -dc "$fl" | wc -l) - 1))
last=$(sed -n 's/^  records:  cloudtrail [0-9]*, vpcflow \([0-9]*\),.*/\1/p' "$T/e.err" | tail -n 1)
check "... and read once complete, whole ($last of $nrec flow records)" test "$last" = "$nrec"
cp "$ct3" "$E/"
wait_until -p "$P" -s 120 at_least "$T/e.err" 4
check "... and not again (files read: $(read_total "$T/e.err"))" \
    test "$(read_total "$T/e.err")" -eq 4
stop $P
check "SIGTERM: exit 0" test $? -eq 0
check "... with a summary line" grep -q "^follow: stopped after .* polls: 4 files read" \
    "$T/e.err"

# A file growing: --settle waits until its mtime is old enough.
S="$T/s"
mkdir -p "$S"
"$COALMINE" scan --follow --poll-interval 0.05 --settle 3600 --no-default-intel --threads 1 \
    --region us-east-1 "$S" >/dev/null 2>"$T/s.err" &
P=$!
gzip -dc "$fl" | head -n 21 >"$S/flows.log"
cp "$ct2" "$S/sentinel.json.gz"
touch -d '2 hours ago' "$S/sentinel.json.gz"
wait_until -p "$P" -s 120 at_least "$T/s.err" 1
check "--settle 3600: a file written now is not read, an old one is (read: \
$(read_total "$T/s.err"))" test "$(read_total "$T/s.err")" -eq 1
gzip -dc "$fl" | sed -n '22,31p' >>"$S/flows.log"
touch -d '2 hours ago' "$S/flows.log"
wait_until -p "$P" -s 120 at_least "$T/s.err" 2
last=$(sed -n 's/^  records:  cloudtrail [0-9]*, vpcflow \([0-9]*\),.*/\1/p' "$T/s.err" | tail -n 1)
check "... the file grown, once settled, is read once, whole (30 records: $last)" \
    test "$last" = 30
stop $P
check "... exit 0" test $? -eq 0

# A plain log read, then appended to: what was appended is read, from where the poll
# before stopped (docs/follow.md); before 2026-12-06 the whole file again (31 records).
A="$T/a"
mkdir -p "$A"
gzip -dc "$fl" | head -n 21 >"$A/flows.log"
touch -d '2 hours ago' "$A/flows.log"
"$COALMINE" scan --follow --poll-interval 0.05 --settle 1 --no-default-intel --threads 1 \
    --region us-east-1 "$A" >/dev/null 2>"$T/a.err" &
P=$!
wait_until -p "$P" -s 120 at_least "$T/a.err" 1
gzip -dc "$fl" | sed -n '22,31p' >>"$A/flows.log"
touch -d '2 hours ago' "$A/flows.log"
wait_until -p "$P" -s 120 at_least "$T/a.err" 2
recs=$(sed -n 's/^  records:  cloudtrail [0-9]*, vpcflow \([0-9]*\),.*/\1/p' "$T/a.err" | tr '\n' ' ')
check "a plain log read, then appended to: 20 records, then the 10 appended ($recs)" \
    test "$recs" = "20 10 "
stop $P
check "... exit 0" test $? -eq 0

# The store and the state kept in the watched folder: never read, and their writes at
# every poll do not make polls that read nothing.
O="$T/own"
mkdir -p "$O"
"$COALMINE" scan --follow --poll-interval 0.05 --checkpoint-interval 0.01 --no-default-intel \
    --threads 1 --region us-east-1 --db "$O/coalmine.db" --state "$O/state.bin" \
    --metrics "$O/coalmine.prom" "$O" >/dev/null 2>"$T/o.err" &
P=$!
cp "$ct2" "$O/"
wait_until -p "$P" -s 120 at_least "$T/o.err" 1
sleep 0.5
stop $P
check "its own store, state and metrics in the watched folder: exit 0" test $? -eq 0
check "... they are never read, and no poll after the file's says anything (polls: \
$(grep -c '^follow: [^ ]*: ' "$T/o.err"))" test "$(grep -c '^follow: [^ ]*: ' "$T/o.err")" -eq 1

# --- usage ----------------------------------------------------------------------------
"$COALMINE" scan --poll-interval 5 "$E" >/dev/null 2>"$T/u.err"
check "--poll-interval without --follow: usage error (2)" test $? -eq 2
"$COALMINE" scan --follow --poll-interval 0 "$E" >/dev/null 2>"$T/u.err"
check "--poll-interval 0: usage error (2), said" test $? -eq 2
check "... with what it wants" grep -q "poll-interval wants seconds" "$T/u.err"
"$COALMINE" scan --follow --state "$T/x.state" --final "$E" >/dev/null 2>"$T/u.err"
check "--follow --final: usage error (2)" test $? -eq 2
"$COALMINE" scan --follow - </dev/null >/dev/null 2>"$T/u.err"
check "--follow of standard input: usage error (2)" test $? -eq 2

done_testing
