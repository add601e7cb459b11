#!/bin/sh
# tsan: state checkpoints written while scan workers run
# `coalmine scan --state FILE` remembers the input files it read whole, and a later scan
# with FILE leaves them out before reading them (docs/internals/statefile.md, "Which files
# were read"). The documented cron job scans a folder that `aws s3 sync` keeps filling:
# every hour's scan is given every file so far. Flow and Resolver records carry no id, so
# before 2026-12-04 each scan counted every old record into the windows again (6 hourly
# scans of `gen --hours 6 --scenario all --seed 3`: DNSDataExfiltration 1,937 instead of
# 940, DenialOfService.Tcp 103 instead of 40, a PasswordPolicyChange one scan never finds).
#
#   - hourly scans of the growing folder store what one scan of everything stores, and say
#     how many files they left out (--stats skipped, the summary's skipped line);
#   - the same file in another folder is left out too; a renamed copy is read (another
#     object name), its CloudTrail records recognised by their eventIDs;
#   - a plain log appended to (flow, Resolver) is read from where the last scan stopped; a
#     CloudTrail document that grew, or a file replaced, is read again whole;
#   - --reread reads the remembered files again; --reread without --state is a usage error.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/stored.sh"

if ! command -v python3 >/dev/null; then
    skip "state files" "python3 is not installed"
    done_testing
    exit 0
fi

# jget FILE EXPR: a value of a --stats JSON file (d is the document)
jget() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$1" "$2"
}

G="$T/g"
"$COALMINE" gen --out "$G" --hours 6 --seed 3 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 6 hours with every scenario" test $? -eq 0
ARGS=$(cat "$G/intel/args.txt")

# hour K of each file (by the stamp in its name), relative to the earliest
find "$G/AWSLogs" -type f | sed -n 's/.*_\([0-9]\{8\}T[0-9]\{4\}Z\)_.*/\1 &/p' | sort |
    python3 -c '
import sys, datetime
rows = [l.split(" ", 1) for l in sys.stdin.read().splitlines()]
t = lambda s: datetime.datetime.strptime(s, "%Y%m%dT%H%MZ")
t0 = min(t(r[0]) for r in rows)
for stamp, path in rows:
    print(int((t(stamp) - t0).total_seconds() // 3600), path)
' >"$T/hours"
check "the corpus spans 6 hours" test "$(cut -d ' ' -f 1 "$T/hours" | sort -u | wc -l)" -eq 6

# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$T/whole.db" $ARGS "$G/AWSLogs" \
    >/dev/null 2>"$T/whole.err"
check "one scan of everything exits 0" test $? -eq 0
summary "$T/whole.db" "$T/whole.sum"

# --- a folder that fills hour by hour, scanned whole every hour ------------------------
S="$T/sync"
mkdir -p "$S"
fail=0
for h in 0 1 2 3 4 5; do
    grep "^$h " "$T/hours" | cut -d ' ' -f 2- | while read -r f; do
        d="$S/${f#"$G"/}"
        mkdir -p "$(dirname "$d")"
        cp "$f" "$d"
    done
    fin=""
    [ $h -eq 5 ] && fin="--final"
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --threads 2 --db "$T/sync.db" --state "$T/s.state" \
        $fin --stats "$T/st.$h.json" $ARGS "$S" >/dev/null 2>"$T/sync.$h.err" || fail=1
done
check "6 hourly scans of the growing folder with --state exit 0" test $fail -eq 0
summary "$T/sync.db" "$T/sync.sum"
if cmp -s "$T/whole.sum" "$T/sync.sum"; then
    ok "they store the same $(wc -l <"$T/whole.sum") findings, counts and times as one scan"
else
    nok "they store the same findings, counts and times as one scan" \
        "$(diff "$T/whole.sum" "$T/sync.sum" | head -n 20)"
fi
before=$(grep -c '^[0-4] ' "$T/hours")
last=$(grep -c '^5 ' "$T/hours")
got=$(jget "$T/st.5.json" 'd["skipped"]["files"], d["files"]')
check "the last scan left out the $before files of the hours before and read $last (got $got)" \
    test "$got" = "($before, $last)"
check "... --stats names why: read by an earlier scan" test "$(jget "$T/st.5.json" \
    '[w["files"] for w in d["skipped"]["what"] if w["name"] == "read by an earlier scan"]')" \
    = "[$before]"
check "... and so does the summary" \
    grep -q "skipped:  $before files read by an earlier scan with this --state" "$T/sync.5.err"
check "each scan says how many files the state remembers" \
    grep -q "files: $before remembered as read" \
    "$T/sync.4.err"

# --- copies, renames, growth, --reread -----------------------------------------------
# A state that has read hours 0 and 1.
rm -rf "$S" "$T/c.state"
mkdir -p "$S"
grep '^[01] ' "$T/hours" | cut -d ' ' -f 2- | while read -r f; do
    d="$S/${f#"$G"/}"
    mkdir -p "$(dirname "$d")"
    cp "$f" "$d"
done
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" $ARGS "$S" >/dev/null 2>&1
check "a scan of hours 0 and 1 with --state exits 0" test $? -eq 0
cp "$T/c.state" "$T/c.good"
ct=$(find "$S" -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 1p)
fl=$(find "$S" -path '*/vpcflowlogs/*' -name '*.log.gz' | sort | sed -n 1p)
mkdir -p "$T/elsewhere/deep"
cp "$fl" "$T/elsewhere/deep/"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/cp.json" $ARGS \
    "$T/elsewhere" >/dev/null 2>&1
check "a flow file copied to another folder is left out (skipped, read: $(jget "$T/cp.json" \
    'd["skipped"]["files"], d["files"]'))" \
    test "$(jget "$T/cp.json" 'd["skipped"]["files"], d["files"]')" = "(1, 0)"
cp "$T/c.good" "$T/c.state"
cp "$ct" "$T/renamed.json.gz"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/rn.json" $ARGS \
    "$T/renamed.json.gz" >/dev/null 2>&1
check "a CloudTrail file renamed is read (another object), its records each recognised by \
eventID (read, records, repeated: $(jget "$T/rn.json" \
    'd["files"], d["records"]["cloudtrail"], d["repeated"]["cloudtrail"]'))" \
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
sys.exit(not (d["files"] == 1 and d["records"]["cloudtrail"] > 0 and
              d["repeated"]["cloudtrail"] == d["records"]["cloudtrail"]))' "$T/rn.json"
# A plain flow log appended to: read from where the last scan stopped, its header line put
# before what was appended (docs/internals/statefile.md, "A file that grew"); before
# 2026-12-06 it was read again whole and its first 19 records counted twice.
cp "$T/c.good" "$T/c.state"
mkdir -p "$T/plain"
gzip -dc "$fl" | head -n 20 >"$T/plain/flows.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" "$T/plain" >/dev/null 2>&1
gzip -dc "$fl" | sed -n 21,30p >>"$T/plain/flows.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/gr.json" \
    "$T/plain" >/dev/null 2>&1
check "a plain flow log appended to: only what was appended is read (read, records, resumed: \
$(jget "$T/gr.json" 'd["files"], d["records"]["vpcflow"], d["carried"]["files_resumed"]'))" \
    test "$(jget "$T/gr.json" \
        'd["files"], d["records"]["vpcflow"], d["carried"]["files_resumed"]')" = "(1, 10, 1)"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/gr2.json" \
    "$T/plain" >/dev/null 2>&1
check "... and left out once read as it is now" \
    test "$(jget "$T/gr2.json" 'd["files"], d["skipped"]["files"]')" = "(0, 1)"
# A bad line appended: its reject names the file's line and byte, not the appended part's.
at=$(wc -c <"$T/plain/flows.log" | tr -d ' ')
echo "not a flow record" >>"$T/plain/flows.log"
gzip -dc "$fl" | sed -n 31,35p >>"$T/plain/flows.log"
"$COALMINE" scan --no-default-intel --state "$T/c.state" --stats "$T/gr3.json" "$T/plain" \
    >/dev/null 2>"$T/gr3.err"
check "... a bad line appended: rejected at the file's line 31, byte $at; 5 records read \
($(grep -o 'flows.log:[0-9]* (byte [0-9]*)' "$T/gr3.err"), \
$(jget "$T/gr3.json" 'd["records"]["vpcflow"]'))" \
    sh -c 'grep -q "flows.log:31 (byte $1)" "$2" && test "$3" = 5' sh "$at" "$T/gr3.err" \
    "$(jget "$T/gr3.json" 'd["records"]["vpcflow"]')"
# A line cut by the scan (the writer had not finished it; the file changed just now): held
# back, not rejected, and read whole once finished; no line is counted twice.
line=$(gzip -dc "$fl" | sed -n 36p)
printf '%s' "$(printf '%s' "$line" | cut -c1-30)" >>"$T/plain/flows.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/gr4.json" \
    "$T/plain" >/dev/null 2>&1
printf '%s\n' "$(printf '%s' "$line" | cut -c31-)" >>"$T/plain/flows.log"
gzip -dc "$fl" | sed -n 37,40p >>"$T/plain/flows.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/gr5.json" \
    "$T/plain" >/dev/null 2>&1
check "... a line cut by one scan (rejected, held back: $(jget "$T/gr4.json" \
'd["rejected"]["vpcflow"], d["skipped"]["vpcflow"]')) is read whole by the next with what \
follows (records: $(jget "$T/gr5.json" 'd["records"]["vpcflow"], d["rejected"]["vpcflow"]'))" \
    test "$(jget "$T/gr4.json" 'd["rejected"]["vpcflow"], d["skipped"]["vpcflow"]'),$(jget \
        "$T/gr5.json" 'd["records"]["vpcflow"], d["rejected"]["vpcflow"]')" = "(0, 1),(5, 0)"
# A last line without its newline in a file not changed for an hour: complete, read; when the
# newline and more lines come later, only those are read (the line is not counted twice).
mkdir -p "$T/nonl"
gzip -dc "$fl" | sed -n 1,20p >"$T/nonl/flows.log"
printf '%s' "$(gzip -dc "$fl" | sed -n 21p)" >>"$T/nonl/flows.log"
touch -d "@$(($(date +%s) - 3600))" "$T/nonl/flows.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/n.state" --stats "$T/nl1.json" \
    "$T/nonl" >/dev/null 2>&1
printf '\n' >>"$T/nonl/flows.log"
gzip -dc "$fl" | sed -n 22,24p >>"$T/nonl/flows.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/n.state" --stats "$T/nl2.json" \
    "$T/nonl" >/dev/null 2>&1
check "a settled file's last line without a newline is read, and not again once it gets one \
(records: $(jget "$T/nl1.json" 'd["records"]["vpcflow"]'), then \
$(jget "$T/nl2.json" 'd["records"]["vpcflow"], d["rejected"]["vpcflow"]'))" \
    test "$(jget "$T/nl1.json" 'd["records"]["vpcflow"]'),$(jget "$T/nl2.json" \
        'd["records"]["vpcflow"], d["rejected"]["vpcflow"]')" = "20,(3, 0)"
# Replaced under the same name by a longer file that starts otherwise: read whole.
gzip -dc "$fl" | sed -n '1p;100,160p' >"$T/plain/flows.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/gr6.json" \
    "$T/plain" >/dev/null 2>&1
check "... replaced by a longer file that starts otherwise: read whole (records, resumed: \
$(jget "$T/gr6.json" 'd["records"]["vpcflow"], d["carried"]["files_resumed"]'))" \
    test "$(jget "$T/gr6.json" 'd["records"]["vpcflow"], d["carried"]["files_resumed"]')" \
    = "(61, 0)"
# Resolver logs (JSON lines, no header) appended to.
dl=$(find "$S" -path '*/vpcdnsquerylogs/*' -name '*.log.gz' | sort | sed -n 1p)
gzip -dc "$dl" | head -n 12 >"$T/plain/dns.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" "$T/plain" >/dev/null 2>&1
gzip -dc "$dl" | sed -n 13,20p >>"$T/plain/dns.log"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/gd.json" \
    "$T/plain" >/dev/null 2>&1
check "Resolver log lines appended to: only the 8 new lines read (read, lines read, resumed: \
$(jget "$T/gd.json" 'd["files"], d["records"]["dns"] + d["rejected"]["dns"], \
    d["carried"]["files_resumed"]'))" \
    test "$(jget "$T/gd.json" 'd["files"], d["records"]["dns"] + d["rejected"]["dns"], \
        d["carried"]["files_resumed"]')" = "(1, 8, 1)"
# A CloudTrail file (one JSON document) that grew is read whole: an append only damages it.
gzip -dc "$ct" >"$T/plain/trail.json"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" "$T/plain" >/dev/null 2>&1
echo >>"$T/plain/trail.json"
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/gt.json" \
    "$T/plain" >/dev/null 2>&1
check "a CloudTrail file that grew is read whole, its records recognised by eventID (resumed, \
records = repeated: $(jget "$T/gt.json" 'd["carried"]["files_resumed"], \
    d["records"]["cloudtrail"] == d["repeated"]["cloudtrail"] > 0'))" \
    test "$(jget "$T/gt.json" 'd["carried"]["files_resumed"], \
        d["records"]["cloudtrail"] == d["repeated"]["cloudtrail"] > 0')" = "(0, True)"
# --reread: every file read again, and remembered again.
cp "$T/c.good" "$T/c.state"
n01=$(grep -c '^[01] ' "$T/hours")
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --reread --stats "$T/rr.json" \
    $ARGS "$S" >/dev/null 2>&1
check "--reread reads the $n01 remembered files again (read, skipped: $(jget "$T/rr.json" \
    'd["files"], d["skipped"]["files"]'))" \
    test "$(jget "$T/rr.json" 'd["files"], d["skipped"]["files"]')" = "($n01, 0)"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --stats "$T/rr2.json" \
    $ARGS "$S" >/dev/null 2>&1
check "... and remembers them: the next scan leaves them out" \
    test "$(jget "$T/rr2.json" 'd["files"], d["skipped"]["files"]')" = "(0, $n01)"
"$COALMINE" scan --no-default-intel --quiet --reread "$S" >/dev/null 2>&1
check "--reread without --state is a usage error (exit 2)" test $? -eq 2
# --reread of everything a state read, into the same store: the records are analysed
# again, and the store counts none of them twice, the attack sequences' neither (each
# counts the records of its key by their own eventIDs; before 2026-12-05 their counts went
# from 76 to 128 and 85: the records before a sequence held were counted again).
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$T/rr.db" --state "$T/rr.state" \
    $ARGS "$G/AWSLogs" >/dev/null 2>&1
summary "$T/rr.db" "$T/rr1.sum"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$T/rr.db" --state "$T/rr.state" \
    --reread $ARGS "$G/AWSLogs" >/dev/null 2>&1
summary "$T/rr.db" "$T/rr2.sum"
check "--reread into the same store: the attack sequences keep their counts ($(grep \
    AttackSequence "$T/rr2.sum" | cut -d ' ' -f 2,4 | tr '\n' ';'))" \
    sh -c "test \"\$(grep -c AttackSequence '$T/rr1.sum')\" -eq 2 &&
        test \"\$(grep AttackSequence '$T/rr1.sum')\" = \"\$(grep AttackSequence '$T/rr2.sum')\""
# --final leaves out what the state remembers too, and leaves the file as it was.
cp "$T/c.good" "$T/c.state"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --state "$T/c.state" --final --stats "$T/fi.json" \
    $ARGS "$S" >/dev/null 2>&1
check "--final leaves the remembered files out as well (read: $(jget "$T/fi.json" 'd["files"]'))" \
    test "$(jget "$T/fi.json" 'd["files"], d["skipped"]["files"]')" = "(0, $n01)"
check "... and the state file as it was" cmp -s "$T/c.state" "$T/c.good"

# The scan's own files kept in the folder it scans (state, lock, store and its journals,
# --stats, --metrics): set aside as the scan's own, not rejected as logs of no known format on every
# scan (before 2026-12-05: 3 rejected files a scan here), and never remembered.
O="$T/own"
mkdir -p "$O"
cp -R "$G/AWSLogs" "$O/"
for i in 1 2; do
    # shellcheck disable=SC2086
    "$COALMINE" scan --no-default-intel --quiet --state "$O/s.state" --db "$O/f.db" \
        --stats "$O/stats.json" --metrics "$O/c.prom" $ARGS "$O" >/dev/null 2>&1
    check "own files in the folder, scan $i: exit 0" test $? -eq 0
done
check "... the second rejects no file ($(jget "$O/stats.json" 'd["rejected"]["files"]'))" \
    test "$(jget "$O/stats.json" 'd["rejected"]["files"]')" = 0
check "... and sets its own files aside as its own" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
own = [x for x in d["skipped"]["what"] if x["name"].startswith("the scan'"'"'s own file")]
sys.exit(not (len(own) == 1 and own[0]["files"] >= 5))' "$O/stats.json"


# --- what --state carried, in --stats ----------------------------------------------------
# A detector whose saved state does not fit (another version, or a setting that changes the
# size of its values) starts afresh: its learning is lost. Before 2026-12-05 only the
# summary's carried: lines said so; --stats, what a cron job reads, said nothing about
# the state at all. It has "carried": null without --state, else the summary's numbers.
"$COALMINE" gen --out "$T/af" --hours 1 --seed 5 >/dev/null 2>&1
printf 'detectors:\n  vpcflow: {port_sweep_hosts: 60}\n' >"$T/af.yaml"
"$COALMINE" scan --no-default-intel --quiet --state "$T/af.state" --stats "$T/af1.json" \
    "$T/af" >/dev/null 2>&1
"$COALMINE" scan --no-default-intel --config "$T/af.yaml" --state "$T/af.state" \
    --stats "$T/af2.json" "$T/af" >/dev/null 2>"$T/af2.err"
check "a setting that changes a table's values: the summary says it started afresh" \
    grep -q "started afresh .*: vpcflow-host" "$T/af2.err"
check "... --stats too: carried.started_afresh, and what the file held" test \
    "$(jget "$T/af2.json" '[d["carried"]["started_afresh"], d["carried"]["loaded"],
        [d["carried"]["files_remembered"]] == [x["files"] for x in d["skipped"]["what"]
        if x["name"] == "read by an earlier scan"]]')" \
    = "[['vpcflow-host'], True, True]"
check "... a new state file: loaded false, nothing started afresh, every file remembered" test \
    "$(jget "$T/af1.json" '[d["carried"]["loaded"], d["carried"]["started_afresh"],
        d["carried"]["files_read_whole"] == d["carried"]["files_remembered"] == d["files"]]')" \
    = "[False, [], True]"
"$COALMINE" scan --no-default-intel --quiet --stats "$T/af3.json" "$T/af" >/dev/null 2>&1
check "... without --state: carried is null" test "$(jget "$T/af3.json" 'd["carried"]')" = None
rm -rf "$T/af" "$T/af.state" "$T/af.state.lock"

done_testing
