#!/bin/sh
# tsan: state checkpoints written while scan workers run
# What `coalmine scan --state FILE` does when something fails: FILE remembers the files a
# scan read, and a later scan leaves them out (docs/internals/statefile.md), so a scan
# must not move FILE on past findings it did not deliver, nor remember a file it did not
# read whole.
#
#   - findings that cannot be written to stdout (a full disk, a closed pipe): exit 1, FILE
#     not written, and the next scan reads the same files and prints every finding (before
#     2026-12-05 it exited 0 after writing FILE: the findings were lost for good); stdout
#     closed (>&-) is such a stdout, not the first file the scan opens (before 2026-12-05
#     the findings went into FILE.lock, exit 0);
#   - a gzip file cut short and changed in the last 15 min (a download still being
#     written): rejected with its byte and the reason, not read and not remembered, and
#     read whole once complete, so its records are counted once over the scans (before
#     2026-12-05 its first part was read, the file remembered, and its first part counted
#     again once the file was complete); one left unchanged longer is damage for good: read
#     up to the cut and remembered, as a scan without --state reads it;
#   - the state file's mode: a new one takes the umask, a rewritten one keeps its mode;
#   - with --db, the findings' commit is on disk (the store's WAL synced) before FILE is
#     renamed into place: the store's synchronous=NORMAL synced the WAL only at
#     checkpoints, so a power loss after the rename lost the findings of files FILE
#     remembers as read (checked with strace when it is there); so are findings printed
#     to a file;
#   - a scan killed while writing FILE (here by a file size limit): FILE as it was, and the
#     temporary file it left beside FILE removed by the next scan that writes FILE (before
#     2026-12-05 one stayed for every killed write, each as large as the state).
. "$(dirname "$0")/lib/tap.sh"

G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --seed 3 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 1 hour with every scenario" test $? -eq 0
ARGS=$(cat "$G/intel/args.txt")

# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan --no-default-intel --quiet --format json $ARGS "$G/AWSLogs" >"$T/one.json" \
    2>"$T/one.err"
check "one scan without --state exits 0" test $? -eq 0
want=$(wc -l <"$T/one.json")
check "... and prints findings ($want)" test "$want" -gt 0

# --- stdout that cannot be written ---------------------------------------------------------
if [ -w /dev/full ]; then
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --format json $ARGS "$G/AWSLogs" \
        >/dev/full 2>"$T/full0.err"
    check "stdout on a full disk, no --state: exit 1" test $? -eq 1
    check "... saying so" grep -q 'standard output: No space left on device' "$T/full0.err"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --format json --state "$T/s.state" $ARGS \
        "$G/AWSLogs" >/dev/full 2>"$T/full.err"
    check "stdout on a full disk, with --state: exit 1" test $? -eq 1
    check "... the state file not written" test ! -e "$T/s.state"
    check "... and the summary says the next scan reads the files again" \
        grep -q "state $T/s.state not written: the next scan reads these files again" "$T/full.err"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --format json --state "$T/s.state" $ARGS \
        "$G/AWSLogs" >"$T/again.json" 2>"$T/again.err"
    check "the next scan exits 0" test $? -eq 0
    check "... and prints every finding ($(wc -l <"$T/again.json") of $want)" \
        test "$(wc -l <"$T/again.json")" -eq "$want"
else
    skip "stdout on a full disk" "no writable /dev/full"
fi
# A reader that has gone: SIGPIPE (or EPIPE) while printing; the state is not written.
rm -f "$T/p.state"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/p.state" $ARGS \
    "$G/AWSLogs" 2>/dev/null | true
check "stdout a closed pipe: the state file not written" test ! -e "$T/p.state"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/p.state" $ARGS \
    "$G/AWSLogs" >"$T/p.json" 2>/dev/null
check "... and the next scan prints every finding ($(wc -l <"$T/p.json") of $want)" \
    test "$(wc -l <"$T/p.json")" -eq "$want"
# The same with --stats and --metrics, the status taken inside the pipeline: a write error
# the scan reports, not a SIGPIPE that kills it (before 2026-12-05: exit 141, an empty
# --stats file left, the metrics not written).
rm -f "$T/p.state"
# shellcheck disable=SC2086
{
    "$COALMINE" scan --no-default-intel --quiet --format json --state "$T/p.state" \
        --stats "$T/p.stats.json" --metrics "$T/p.prom" $ARGS "$G/AWSLogs" 2>"$T/p.err"
    echo $? >"$T/p.rc"
} | true
check "stdout a closed pipe: exit 1 ($(cat "$T/p.rc"))" test "$(cat "$T/p.rc")" -eq 1
check "... saying so" grep -q 'standard output: Broken pipe' "$T/p.err"
check "... no --stats file left (a whole report or none)" test ! -e "$T/p.stats.json"
check "... --metrics says the scan failed" grep -qx 'coalmine_scan_success 0' "$T/p.prom"
check "... nor the state file" test ! -e "$T/p.state"
# stdout closed (>&-): the first file the scan opens (the state's lock) must not become
# its stdout.
mkdir -p "$T/c"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/c/s.state" $ARGS \
    "$G/AWSLogs" >&- 2>"$T/c.err"
check "stdout closed: exit 1" test $? -eq 1
check "... saying so" grep -q 'standard output: Bad file descriptor' "$T/c.err"
check "... nothing written into the state's lock file ($(wc -c <"$T/c/s.state.lock") bytes)" \
    test ! -s "$T/c/s.state.lock"
check "... nor the state file" test ! -e "$T/c/s.state"

# --- the findings on disk before the state file -------------------------------------------
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
    # LeakSanitizer does not run under ptrace (a SANITIZE=1 build): leaks are checked above.
    lsan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    calls=fsync,fdatasync,rename,renameat,renameat2,write,pwrite64
    # A store that exists (its WAL too), then a scan that stores new findings in it.
    mkdir -p "$T/d"
    ct=$(find "$G/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 1p)
    "$COALMINE" scan --no-default-intel --quiet --db "$T/d/f.db" "$ct" >/dev/null 2>&1
    # shellcheck disable=SC2086
    ASAN_OPTIONS=$lsan strace -f -y -e trace=$calls \
        -o "$T/d/trace" "$COALMINE" scan --no-default-intel --quiet --db "$T/d/f.db" \
        --state "$T/d/s.state" $ARGS "$G/AWSLogs" >/dev/null 2>"$T/d/err"
    check "a scan with --db and --state under strace exits 0" test $? -eq 0
    # Up to the rename of the state file: the WAL's writes (the findings), then whether a
    # sync of the WAL followed the last of them.
    got=$(awk '/rename.*\/s\.state"/ {
            print w, (w > 0 && !dirty) ? "synced" : "unsynced"; done = 1; exit
        }
        /write.*f\.db-wal>/ { w++; dirty = 1 }
        /sync\(.*f\.db-wal>/ { dirty = 0 }
        END { if (!done) print "no rename" }' "$T/d/trace")
    check "... the findings' writes to the store's WAL are synced before the state file is \
renamed into place (writes, then: $got)" test "${got#* }" = synced
    # Without --db, findings printed to a file: synced before the state too.
    # shellcheck disable=SC2086
    ASAN_OPTIONS=$lsan strace -f -y -e trace=$calls \
        -o "$T/d/trace2" "$COALMINE" scan --no-default-intel --quiet --format json \
        --state "$T/d/s2.state" $ARGS "$G/AWSLogs" >"$T/d/out.json" 2>/dev/null
    got=$(awk '/rename.*\/s2\.state"/ {
            print w, (w > 0 && !dirty) ? "synced" : "unsynced"; done = 1; exit
        }
        /write\(1<.*out\.json>/ { w++; dirty = 1 }
        /sync\(1<.*out\.json>/ { dirty = 0 }
        END { if (!done) print "no rename" }' "$T/d/trace2")
    check "... and so are findings printed to a file, without --db (writes, then: $got)" \
        test "${got#* }" = synced
else
    skip "the findings on disk before the state file" "strace is not installed or not allowed"
fi

# --- a scan killed while writing the state file --------------------------------------------
mkdir -p "$T/k"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/k/s.state" $ARGS "$G/AWSLogs" \
    >/dev/null 2>&1
cp "$T/k/s.state" "$T/k.good"
# --reread: the files are read again and the state written again. The shell's word of the
# signal (SIGXFSZ) goes to /dev/null with the scan's.
# shellcheck disable=SC2086
{
    (
        ulimit -f 64
        exec "$COALMINE" scan --no-default-intel --quiet --reread --state "$T/k/s.state" \
            $ARGS "$G/AWSLogs" >/dev/null
    )
    killed=$?
} 2>/dev/null
check "a scan killed while writing the state file (file size limit): not exit 0 ($killed)" \
    test "$killed" -ne 0
check "... the state file as it was" cmp -s "$T/k/s.state" "$T/k.good"
left=$(find "$T/k" -name '.s.state.*' | wc -l)
check "... a temporary file left beside it ($left)" test "$left" -eq 1
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --state "$T/k/s.state" $ARGS "$G/AWSLogs" >/dev/null \
    2>"$T/k.err"
check "the next scan exits 0" test $? -eq 0
left=$(find "$T/k" -name '.s.state.*' | wc -l)
check "... and removes the temporary file ($left left)" test "$left" -eq 0
check "... saying so" grep -q 'removed 1 temporary file left beside it by a scan killed' "$T/k.err"

# --- a gzip file still being written -------------------------------------------------------
if command -v python3 >/dev/null; then
    # jget FILE EXPR: a value of a --stats JSON file (d is the document)
    jget() {
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
            "$1" "$2"
    }
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --stats "$T/w.json" $ARGS "$G/AWSLogs" \
        >/dev/null 2>&1
    all=$(jget "$T/w.json" 'd["records"]["dns"]')
    S="$T/sync"
    mkdir -p "$S"
    cp -R "$G/AWSLogs" "$S/"
    dns=$(find "$S" -name '*vpcdnsquerylogs*.log.gz' | sort | sed -n 3p)
    cp "$dns" "$T/whole.gz"
    half=$(($(wc -c <"$T/whole.gz") / 2))
    head -c "$half" "$T/whole.gz" >"$dns"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --state "$T/g.state" --stats "$T/g1.json" \
        $ARGS "$S" >/dev/null 2>"$T/g1.err"
    check "a scan with a gzip file cut short exits 0" test $? -eq 0
    check "... the file rejected with its byte and why ($(jget "$T/g1.json" \
        'd["rejected"]["files"], d["reject_samples"][0]["offset"]'))" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["reject_samples"] if x["path"] == sys.argv[2]]
sys.exit(not (d["rejected"]["files"] == 1 and len(r) == 1 and r[0]["offset"] == int(sys.argv[3])
              and "not read, nor remembered as read" in r[0]["reason"]))' \
        "$T/g1.json" "$dns" "$half"
    cp "$T/whole.gz" "$dns"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --state "$T/g.state" --stats "$T/g2.json" \
        $ARGS "$S" >/dev/null 2>&1
    check "once complete, the next scan reads it, and only it (files read: $(jget \
        "$T/g2.json" 'd["files"]'))" test "$(jget "$T/g2.json" 'd["files"]')" = 1
    got=$(($(jget "$T/g1.json" 'd["records"]["dns"]') + $(jget "$T/g2.json" 'd["records"]["dns"]')))
    check "... and the two scans read each Resolver record once ($got of $all)" \
        test "$got" -eq "$all"
    # Without --state (nothing remembered) what the cut file holds is still read.
    head -c "$half" "$T/whole.gz" >"$dns"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --stats "$T/g3.json" $ARGS "$S" >/dev/null 2>&1
    check "without --state, the records before the cut are read ($(jget "$T/g3.json" \
        'd["records"]["dns"]') of $all)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (int(sys.argv[2]) - int(sys.argv[3]) < d["records"]["dns"] < int(sys.argv[2])))' \
        "$T/g3.json" "$all" "$(jget "$T/g2.json" 'd["records"]["dns"]')"
    # Cut short and left so for an hour: damage for good, not a download. With --state it
    # is read up to the cut, as without, and remembered: the next scan leaves it out
    # (before, every --state scan rejected it and its records were never read).
    touch -d '1 hour ago' "$dns"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --state "$T/o.state" --stats "$T/o1.json" \
        $ARGS "$S" >/dev/null 2>&1
    got=$(jget "$T/o1.json" 'd["records"]["dns"]')
    check "a cut file unchanged for an hour, with --state: read up to the cut ($got records)" test "$(jget "$T/o1.json" 'd["records"]["dns"]')" = \
        "$(jget "$T/g3.json" 'd["records"]["dns"]')"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --state "$T/o.state" --stats "$T/o2.json" \
        $ARGS "$S" >/dev/null 2>&1
    check "... and remembered: the next scan reads no file ($(jget "$T/o2.json" 'd["files"]'))" \
        test "$(jget "$T/o2.json" 'd["files"]')" = 0
else
    skip "a gzip file still being written" "python3 is not installed"
fi

# --- the state file's mode -------------------------------------------------------------------
# It names principals, interfaces and paths: a new one takes the umask (0644 whatever the
# umask before 2026-12-05), a rewritten one keeps the mode its owner gave it.
mkdir -p "$T/m"
# shellcheck disable=SC2086
(umask 077 && "$COALMINE" scan --no-default-intel --quiet --state "$T/m/s.state" $ARGS \
    "$G/AWSLogs" >/dev/null 2>&1)
check "under umask 077 a new state file is 0600 ($(stat -c %a "$T/m/s.state"))" \
    test "$(stat -c %a "$T/m/s.state")" = 600
chmod 640 "$T/m/s.state"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/m/s.state" $ARGS "$G/AWSLogs" \
    >/dev/null 2>&1
check "... and a rewritten one keeps its mode ($(stat -c %a "$T/m/s.state"))" \
    test "$(stat -c %a "$T/m/s.state")" = 640

# --metrics FILE in a folder that is not there: exit 1 before anything is read, as an
# unwritable --stats (before 2026-12-06 the whole scan ran first, wrote the state and
# printed its findings, then failed), and the message names FILE (it named FILE.tmp.PID).
mkdir -p "$T/mx"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/mx/s.state" $ARGS \
    --stats "$T/mx.stats" --metrics "$T/nodir/m.prom" "$G/AWSLogs" >"$T/mx.json" 2>"$T/mx.err"
check "--metrics in a missing folder: exit 1" test $? -eq 1
check "... the message names FILE, not its temporary" \
    sh -c 'grep -q "^coalmine scan: --metrics $1/nodir/m.prom: No such file or directory\$" \
        "$1/mx.err" && ! grep -q "m.prom.tmp" "$1/mx.err"' _ "$T"
check "... before scanning: nothing printed, no state written, no --stats left" \
    test ! -s "$T/mx.json" -a ! -e "$T/mx/s.state" -a ! -e "$T/mx.stats"

# --state FILE in a folder that is not there: the message names FILE as given first (before
# 2026-12-06 only FILE.lock, a file the user never gave), exit 1, nothing read.
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --format json --state "$T/nodir/s.state" $ARGS \
    "$G/AWSLogs" >"$T/sx.json" 2>"$T/sx.err"
check "--state in a missing folder: exit 1, nothing printed" test $? -eq 1 -a ! -s "$T/sx.json"
check "... the message names FILE, then its lock file and the reason" \
    grep -q "^coalmine scan: --state $T/nodir/s.state: cannot create its lock file $T/nodir/s.state.lock: No such file or directory\$" \
    "$T/sx.err"

done_testing
