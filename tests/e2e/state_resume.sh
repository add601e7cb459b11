#!/bin/sh
# tsan: state checkpoints written while scan workers run
# `coalmine scan --state FILE [--final]` (docs/internals/statefile.md): scanning logs a
# period at a time, with the detector state carried in FILE, finds what one scan of all of
# them finds: the same findings (id, type, severity, count, first and last seen), stored
# with --db. Two corpora of `coalmine gen`:
#
#   - 6 hours of every source with every scenario, scanned whole and in six hourly parts
#     (windows of port scans, brute force, DGA bursts and tunnels are open at the cuts);
#   - 30 hours of CloudTrail with the API-anomaly scenarios, whose profiles learn for a
#     day before they judge, scanned in 6-hour parts: without the state no part has a day
#     of history, and the anomalies are missed (checked: the state is what finds them).
#
# The hourly parts are scanned again with each hour's CloudTrail files read a second time
# in the next hour's scan: a repeated record is analysed once across scans too.
#
# Also: the evidence of a later part's finding names an earlier part's file; a damaged
# or truncated file is refused with its byte offset and the reason and left as it was; --final needs --state; a
# different --threads gives way to the file's shard count; and --final leaves the file.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/stored.sh"

if ! command -v python3 >/dev/null; then
    skip "state resume" "python3 is not installed"
    done_testing
    exit 0
fi

# split DIR STEP_MIN OUTBASE [late]: links DIR's log files into OUTBASE.0, OUTBASE.1, ... by
# the time in their names (STEP_MIN minutes a part, from the earliest); with "late", each
# CloudTrail file comes 30 to 60 minutes after its time (by a hash of its name), so into a
# later part than the flow and DNS files of its time, and not in the order of their times
# (the last part takes what would come after it); prints the number of parts
split_parts() {
    find "$1/AWSLogs" -type f | sed -n 's/.*_\([0-9]\{8\}T[0-9]\{4\}Z\)_.*/\1 &/p' |
        sort >"$T/files"
    python3 - "$1" "$2" "$3" "$T/files" "${4:-}" <<'EOF'
import hashlib, os, sys, datetime
src, step, base, listing, late = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = [l.split(" ", 1) for l in open(listing).read().splitlines()]
t = lambda s: datetime.datetime.strptime(s, "%Y%m%dT%H%MZ")
t0 = min(t(r[0]) for r in rows)
last = int((max(t(r[0]) for r in rows) - t0).total_seconds() // (60 * step))
parts = 0
for stamp, path in rows:
    delay = 0
    if late and "/CloudTrail/" in path:
        h = int(hashlib.md5(os.path.relpath(path, src).encode()).hexdigest(), 16)
        delay = 60 * (30 + h % 31)
    k = min(int((t(stamp) - t0).total_seconds() + delay) // (60 * step), last)
    rel = os.path.relpath(path, src)
    dst = os.path.join("%s.%d" % (base, k), rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.symlink(os.path.abspath(path), dst)
    parts = max(parts, k + 1)
print(parts)
EOF
}

# scan_parts GENDIR BASE N DB STATE: scans BASE.0 .. BASE.N-1 in turn into DB with
# --state STATE (the last with --final); returns the first failing exit status
scan_parts() {
    _i=0
    while [ "$_i" -lt "$3" ]; do
        _fin=""
        [ "$_i" -eq $(($3 - 1)) ] && _fin="--final"
        # shellcheck disable=SC2046 # args.txt holds one option and value per line
        "$COALMINE" scan --no-default-intel --quiet --threads 2 --db "$4" --state "$5" $_fin \
            $(cat "$1/intel/args.txt" 2>/dev/null) "$2.$_i" >/dev/null 2>"$T/part.err" ||
            return 1
        _i=$((_i + 1))
    done
    return 0
}

# parts_without_state GENDIR BASE N SUM: the parts scanned one by one without --state into
# one store, summarised into SUM
parts_without_state() {
    _i=0
    while [ "$_i" -lt "$3" ]; do
        # shellcheck disable=SC2046
        "$COALMINE" scan --no-default-intel --quiet --db "$2.nostate.db" \
            $(cat "$1/intel/args.txt" 2>/dev/null) "$2.$_i" >/dev/null 2>&1
        _i=$((_i + 1))
    done
    summary "$2.nostate.db" "$4"
}

# same_split LABEL GENDIR BASE N: scans BASE.0 .. BASE.N-1 with --state into BASE.db and
# checks they store what the whole scan stored (BASE.whole.sum, made by the caller)
same_split() {
    if scan_parts "$2" "$3" "$4" "$3.db" "$3.state"; then
        ok "$1: $4 scans with --state exit 0"
    else
        nok "$1: $4 scans with --state exit 0" "$(cat "$T/part.err")"
    fi
    summary "$3.db" "$3.split.sum"
    if cmp -s "$3.whole.sum" "$3.split.sum"; then
        ok "$1: they find the same $(wc -l <"$3.whole.sum") findings, counts and times"
    else
        nok "$1: they find the same findings, counts and times" \
            "$(diff "$3.whole.sum" "$3.split.sum" | head -n 20)"
    fi
}

# scan_whole GENDIR DB [options]: one scan of everything
scan_whole() {
    _g=$1 _db=$2
    shift 2
    # shellcheck disable=SC2046
    "$COALMINE" scan --no-default-intel --quiet --db "$_db" "$@" \
        $(cat "$_g/intel/args.txt" 2>/dev/null) "$_g/AWSLogs" >/dev/null 2>"$T/whole.err"
}

# --- 6 hours, every source and scenario, in hourly parts --------------------------------
G="$T/all"
"$COALMINE" gen --out "$G" --hours 6 --seed 3 --scenario all >/dev/null 2>"$T/gen.err"
check "gen: 6 hours with every scenario" test $? -eq 0
parts=$(split_parts "$G" 60 "$T/p")
check "the corpus falls into 6 hourly parts (got $parts)" test "$parts" -eq 6
scan_whole "$G" "$T/whole.db" --threads 2
check "one scan of the whole corpus exits 0" test $? -eq 0
summary "$T/whole.db" "$T/p.whole.sum"
nwhole=$(wc -l <"$T/p.whole.sum")
check "it finds at least 60 findings (got $nwhole)" test "$nwhole" -ge 60
same_split "hourly parts" "$G" "$T/p" 6

# Without --db each scan prints only its own part of a finding that goes on across the
# cuts (the same id again, with that hour's count and first and last seen): added up by
# id as the store merges them, the printed parts are the whole scan's findings.
_i=0
rm -f "$T/pp.state" "$T/pp.json"
while [ "$_i" -lt 6 ]; do
    _fin=""
    [ "$_i" -eq 5 ] && _fin="--final"
    # shellcheck disable=SC2046
    "$COALMINE" scan --no-default-intel --quiet --threads 2 --format json --state "$T/pp.state" \
        $_fin $(cat "$G/intel/args.txt") "$T/p.$_i" >>"$T/pp.json" 2>"$T/part.err"
    _i=$((_i + 1))
done
python3 - "$T/pp.json" >"$T/pp.sum" <<'EOF'
import json, sys
m = {}
for line in open(sys.argv[1]):
    f = json.loads(line)
    s = f["service"]
    r = [f["type"], f["severity"], s["count"], s["eventFirstSeen"], s["eventLastSeen"], 1]
    if f["id"] in m:
        o = m[f["id"]]
        r = [r[0], max(o[1], r[1]), o[2] + r[2], min(o[3], r[3]), max(o[4], r[4]), o[5] + 1]
    m[f["id"]] = r
print("\n".join(sorted("%s %s %s %s %s %s" % (k, *v[:5]) for k, v in m.items())))
EOF
check "without --db, the hourly scans' printed parts add up by id to the whole scan's findings" \
    cmp -s "$T/p.whole.sum" "$T/pp.sum"
nrep=$(python3 -c 'import json, sys, collections
c = collections.Counter(json.loads(l)["id"] for l in open(sys.argv[1]))
print(sum(n > 1 for n in c.values()))' "$T/pp.json")
check "... some of them printed by more than one hourly scan (got $nrep)" test "$nrep" -ge 1

# A record read in two scans (the same CloudTrail files in both: a delivery repeated, an
# organisation trail's copy landing in the next period) is analysed once, as in one scan:
# each hour's scan also reads the hour before's CloudTrail files, under another prefix.
_i=0
while [ "$_i" -lt 6 ]; do
    mkdir -p "$T/d.$_i"
    cp -rs "$T/p.$_i/." "$T/d.$_i/"
    if [ "$_i" -gt 0 ]; then
        (cd "$T/p.$((_i - 1))" && find . -path '*/CloudTrail/*' -type l) | while read -r f; do
            mkdir -p "$(dirname "$T/d.$_i/copy/$f")"
            ln -s "$(readlink -f "$T/p.$((_i - 1))/$f")" "$T/d.$_i/copy/$f"
        done
    fi
    _i=$((_i + 1))
done
cp "$T/p.whole.sum" "$T/d.whole.sum"
same_split "hourly parts, each with the hour before's CloudTrail again" "$G" "$T/d" 6

# CloudTrail delivered 30-60 minutes after the flow and DNS logs of its time: each hour's
# scan reads some of the hour before's CloudTrail files and not yet some of its own. The
# attack sequences, which correlate the findings of one key, come out the same: their
# count, times and signals do not depend on the order their detections came in (before
# 2026-12-05 the signals listed differed, and with other seeds the counts: 66 for 67).
lparts=$(split_parts "$G" 60 "$T/l" late)
check "with CloudTrail late the corpus still falls into 6 hourly parts (got $lparts)" \
    test "$lparts" -eq 6
cp "$T/p.whole.sum" "$T/l.whole.sum"
same_split "hourly parts, CloudTrail 30-60 minutes late" "$G" "$T/l" 6
sequences "$T/whole.db" "$T/whole.seq"
sequences "$T/p.db" "$T/p.seq"
sequences "$T/l.db" "$T/l.seq"
check "the whole scan makes both attack sequences ($(cut -d ' ' -f 1-3 "$T/whole.seq" |
    tr '\n' ';'))" test "$(grep -c AttackSequence "$T/whole.seq")" -eq 2 \
    -a "$(grep -c '"signals": \[{' "$T/whole.seq")" -eq 2
if cmp -s "$T/whole.seq" "$T/p.seq" && cmp -s "$T/whole.seq" "$T/l.seq"; then
    ok "the hourly scans, with CloudTrail on time or late, store the same sequences, signals and evidence"
else
    nok "the hourly scans, with CloudTrail on time or late, store the same sequences, signals and evidence" \
        "$(diff "$T/whole.seq" "$T/l.seq" | cut -c 1-300 | head -n 6)"
fi

# ... and each signal of them is a finding the hourly scans stored: its id, severity, count
# and times (before 2026-12-05 a signal's uid was a hash of its type, no finding's id).
"$COALMINE" findings export --db "$T/l.db" >"$T/l.export" 2>/dev/null
got=$(python3 "$(dirname "$0")/lib/seq_members.py" "$T/l.export" | sort | tr '\n' '|')
check "the hourly scans' sequences name the stored findings as signals ($got)" \
    test "$got" = "AttackSequence:IAM/CompromisedCredentials ok|AttackSequence:S3/CompromisedData ok|"

# Without the state, the same parts find something else (the state is what makes it equal).
parts_without_state "$G" "$T/p" 6 "$T/nostate.sum"
check "the same parts scanned without --state do not give the same findings" \
    sh -c "! cmp -s '$T/p.whole.sum' '$T/nostate.sum'"

# --- the state file's handling ---------------------------------------------------------
mv "$T/p.state" "$T/state"
cp "$T/state" "$T/state.good"
scan_whole "$G" "$T/x.db" --final
check "--final without --state is a usage error (exit 2)" test $? -eq 2
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --db "$T/t.db" --state "$T/state" --final --threads 1 \
    $(cat "$G/intel/args.txt") "$T/p.5" >/dev/null 2>"$T/t.err"
check "--final exits 0" test $? -eq 0
check "a different --threads gives way to the file's shards (said on stderr)" \
    grep -q "holds 2 shards: scanning with 2 threads, not 1" "$T/t.err"
check "--final leaves the state file as it was" cmp -s "$T/state" "$T/state.good"
check "the summary says the file was read" grep -q "carried:  $T/state (read: 2 shards" "$T/t.err"

size=$(wc -c <"$T/state")
printf 'X' | dd of="$T/state" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --quiet --db "$T/t.db" --state "$T/state" \
    $(cat "$G/intel/args.txt") "$T/p.5" >/dev/null 2>"$T/t.err"
check "a damaged state file: exit 1" test $? -eq 1
check "... with the reason and the byte offset" \
    grep -q "byte $((size - 4)): the checksum does not match" "$T/t.err"
check "... and the file is left for the user (not overwritten)" \
    sh -c "! cmp -s '$T/state' '$T/state.good' && test \$(wc -c <'$T/state') -eq $size"
head -c $((size / 2)) "$T/state.good" >"$T/state"
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --quiet --db "$T/t.db" --state "$T/state" \
    $(cat "$G/intel/args.txt") "$T/p.5" >/dev/null 2>"$T/t.err"
check "a truncated state file: exit 1" test $? -eq 1
check "... said so, with the byte offset where it ends" \
    grep -q "byte $((size / 2)): the file ends early: it is truncated" "$T/t.err"
check "... and the file is left for the user (not overwritten)" \
    test "$(wc -c <"$T/state")" -eq $((size / 2))
printf 'not a state file at all, though it is long enough to have a header %s' x >"$T/state"
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --quiet --state "$T/state" \
    $(cat "$G/intel/args.txt") "$T/p.5" >/dev/null 2>"$T/t.err"
check "a file that is no state file: exit 1, said so" \
    grep -q "byte 0: not a coalmine state file" "$T/t.err"

# --- two scans on one state file at once ----------------------------------------------
# Each would carry on from the state as it was before the other, and the last to finish would
# throw the other's learning away (before 2026-12-04: both exited 0, and the eventIDs the
# first to finish had read were forgotten). A scan that writes the state locks FILE.lock
# first: the second is refused, exit 1, naming the first by its pid, and nothing is lost.
# A: waits on standard input while it holds the state; B: another CloudTrail file.
fa=$(find "$T/p.5/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 1p)
fb=$(find "$T/p.5/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 2p)
C="$T/cstate"
rm -f "$C" "$C.lock"
# holds_lock PID: PID holds a POSIX write lock (Linux lists them in /proc/locks). A's input
# comes when $T/go-a appears, so B runs while A holds the lock however slow A's start is.
holds_lock() { grep -q "POSIX *ADVISORY *WRITE *$1 " /proc/locks 2>/dev/null; }
(wait_until -s 120 test -e "$T/go-a"; cat "$fa") |
    "$COALMINE" scan --no-default-intel --quiet --state "$C" - >/dev/null 2>"$T/ca.err" &
apid=$!
wait_until -p "$apid" holds_lock "$apid"
"$COALMINE" scan --no-default-intel --quiet --state "$C" "$fb" >/dev/null 2>"$T/cb.err"
check "a second scan on a state file in use: exit 1" test $? -eq 1
check "... naming the scan that holds it ($(cat "$T/cb.err"))" \
    grep -q "state $C: in use by process $apid" "$T/cb.err"
touch "$T/go-a"
wait $apid
check "... the first scan goes on: exit 0" test $? -eq 0
"$COALMINE" scan --no-default-intel --quiet --state "$C" "$fb" >/dev/null 2>"$T/cb.err"
check "once it is done, the second scan runs: exit 0" test $? -eq 0
"$COALMINE" scan --no-default-intel --quiet --state "$C" --final --stats "$T/cf.json" \
    "$fa" "$fb" >/dev/null 2>&1
rep=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["repeated"]["cloudtrail"], d["records"]["cloudtrail"])' "$T/cf.json")
check "... and the state holds what both read (repeated, read: $rep)" \
    sh -c 'test "$1" -gt 0 -a "$1" -eq "$2"' _ $rep
# A scan killed while it holds the state leaves no lock behind (the lock goes with the process).
(wait_until -s 120 test -e "$T/go-k"; cat "$fa") |
    "$COALMINE" scan --no-default-intel --quiet --state "$C" - >/dev/null 2>&1 &
kpid=$!
wait_until -p "$kpid" holds_lock "$kpid"
check "a scan holding the state (its lock in /proc/locks) ..." holds_lock "$kpid"
kill -9 $kpid 2>/dev/null
touch "$T/go-k" # (wait waits for the whole pipeline)
wait $kpid 2>/dev/null
"$COALMINE" scan --no-default-intel --quiet --state "$C" "$fb" >/dev/null 2>"$T/cb.err"
check "... killed: the next one runs: exit 0 ($(cat "$T/cb.err"))" \
    test $? -eq 0
check "--final takes no lock: --final and a writing scan may run together" \
    sh -c '(sleep 2; cat "$1") | "$2" scan --no-default-intel --quiet --state "$3" - \
        >/dev/null 2>&1 & sleep 0.5; "$2" scan --no-default-intel --quiet --state "$3" --final \
        "$4" >/dev/null 2>&1; r=$?; wait; exit $r' _ "$fa" "$COALMINE" "$C" "$fb"

# evidence DB OUT: per finding, the parts its evidence records were read from (via
# `findings get --evidence`, which reads each record back from its file), and "missing"
# for a record that could not be read
evidence_parts() {
    "$COALMINE" findings list --db "$1" --format ids --max-results 0 --archived all \
        2>/dev/null >"$T/ids"
    # shellcheck disable=SC2046
    "$COALMINE" findings get --db "$1" --evidence $(cat "$T/ids") 2>&1 | python3 -c '
import json, re, sys
parts = {}
for line in sys.stdin:
    try:
        d = json.loads(line)
    except ValueError:  # an error message: a record that could not be read
        parts.setdefault("(error)", set()).add("missing")
        continue
    if "findingId" not in d:
        continue
    m = re.search(r"/[a-z]\.([0-9]+)/", d.get("path", ""))
    ok = "record" in d and m is not None
    parts.setdefault(d["findingId"], set()).add(m.group(1) if ok else "missing")
for k in sorted(parts):
    print(k, " ".join(sorted(parts[k])))
' >"$2"
}

# --- evidence remembered across scans: impossible travel -------------------------------
# oncall-console signs in at 00:10 and, from the other side of the world, at 00:40: cut at
# 00:30, the second scan's finding cites the first login, a record of the first part's
# file, named from the state file's input table and read back from that file.
MAXMIND=$(dirname "$0")/../../../shared/data/maxmind-test-data/test-data
GEOIP=${COALMINE_GEOIP:-$MAXMIND/GeoIP2-City-Test.mmdb}
if [ -r "$GEOIP" ]; then
    V="$T/travel"
    "$COALMINE" gen --out "$V" --hours 1 --seed 1 --accounts 1 --regions 1 --kinds cloudtrail \
        --scenario console-login-travel >/dev/null 2>"$T/gen.err"
    check "gen: an hour of CloudTrail with an impossible travel" test $? -eq 0
    vparts=$(split_parts "$V" 30 "$T/v")
    check "the hour falls into 2 parts of 30 minutes (got $vparts)" test "$vparts" -eq 2
    for i in 0 1; do
        fin=""
        [ "$i" -eq 1 ] && fin="--final"
        "$COALMINE" scan --no-default-intel --quiet --geoip "$GEOIP" --db "$T/v.db" \
            --state "$T/vstate" $fin --format json "$T/v.$i" >"$T/v$i.json" 2>"$T/v.err"
    done
    check "the second half's scan reports ConsoleLoginSuccess.B" \
        grep -q '"type":"UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B"' "$T/v1.json"
    check "... citing the first login's record in a file of the first half" \
        grep -q "v\\.0/AWSLogs/[^\\\"]*CloudTrail" "$T/v1.json"
    evidence_parts "$T/v.db" "$T/vev"
    check "... which is read back from that file (evidence in parts: $(cut -d ' ' -f 2- "$T/vev" |
        tr '\n' ';'))" grep -q " 0 1$" "$T/vev"
else
    skip "evidence remembered across scans" "no GeoIP test database at $GEOIP"
fi

# --- 30 hours of CloudTrail: profiles that learn for a day -------------------------------
A="$T/anom"
set -- $("$COALMINE" gen --list-scenarios | awk '$1 ~ /^api-anomaly-/ {print "--scenario " $1}')
"$COALMINE" gen --out "$A" --hours 30 --seed 5 --accounts 1 --regions 1 --instances 8 \
    --principals 4 --kinds cloudtrail "$@" >/dev/null 2>"$T/gen.err"
check "gen: 30 hours of CloudTrail with the 8 API-anomaly scenarios" test $? -eq 0
parts=$(split_parts "$A" 360 "$T/a")
check "the corpus falls into 5 parts of 6 hours (got $parts)" test "$parts" -eq 5
scan_whole "$A" "$T/awhole.db" --threads 2
summary "$T/awhole.db" "$T/a.whole.sum"
nanom=$(grep -c "AnomalousBehavior" "$T/a.whole.sum")
check "the whole scan finds AnomalousBehavior findings (got $nanom)" test "$nanom" -ge 4
same_split "6-hour parts" "$A" "$T/a" "$parts"
# The anomalies cite the calls that made the profile: calls of earlier parts, named from
# the state file's input table and read back from their files.
evidence_parts "$T/a.db" "$T/aev"
check "every evidence record of the 6-hour scans is read back from its file" \
    sh -c "test -s '$T/aev' && ! grep -q missing '$T/aev'"
parts_without_state "$A" "$T/a" "$parts" "$T/anostate.sum"
check "without --state no 6-hour part has a day of history: no anomaly found" \
    test "$(grep -c "AnomalousBehavior" "$T/anostate.sum")" -eq 0

# --- sources delivered late: hourly scans by delivery time ------------------------------
# An hourly cron scans what arrived in the hour. AWS delivers each source with its own
# delay: CloudTrail within about 15 minutes, flow logs 10-25, Resolver query logs through
# their own pipeline, and a source can be hours behind (a stalled Firehose, a backlog). A
# scan then reads CloudTrail and flow records up to its hour with Resolver records two
# hours older; the next scans bring the rest. Each source keeps its own clock
# (docs/internals/detect.md): before 2026-12-04 one clock over every record drove every
# detector, and the late source's records came after it had closed their windows.
# split_delivery GENDIR OUTBASE LAG_SOURCE LAG_MIN: links GENDIR's files into OUTBASE.0,
# ... by delivery time, the file's 5 minutes plus a delay of its source (CloudTrail 5-15
# min, flow 10-25, Resolver 5-20, LAG_SOURCE's LAG_MIN more; the delay from a hash of the
# name, so the split is the same every run), scanned on the hour after; prints the number
# of parts
split_delivery() {
    python3 - "$1" "$2" "$3" "$4" <<'EOF'
import datetime, os, re, sys, zlib
src, base, lag, lag_min = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
delays = {"ct": (5, 15), "flow": (10, 25), "dns": (5, 20)}
rows = []
for root, _, names in os.walk(os.path.join(src, "AWSLogs")):
    for n in names:
        m = re.search(r"_(\d{8}T\d{4}Z)_", n)
        p = os.path.join(root, n)
        kind = "ct" if "/CloudTrail/" in p else "flow" if "vpcflowlogs" in p else "dns"
        lo, hi = delays[kind]
        d = lo + zlib.crc32(n.encode()) % (hi - lo + 1) + (lag_min if kind == lag else 0)
        t = datetime.datetime.strptime(m.group(1), "%Y%m%dT%H%MZ")
        rows.append((t + datetime.timedelta(minutes=5 + d), p))
t0 = min(r[0] for r in rows).replace(minute=0)
parts = sorted({int((t - t0).total_seconds() // 3600) for t, _ in rows})
for t, p in rows:
    k = parts.index(int((t - t0).total_seconds() // 3600))
    dst = os.path.join("%s.%d" % (base, k), os.path.relpath(p, src))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.symlink(os.path.abspath(p), dst)
print(len(parts))
EOF
}
# Before 2026-12-04 (seed 3): Resolver logs 150 minutes late gave a DNSDataExfiltration
# count of 26 instead of 940 for the tunnel's instance (its records of 00:10-01:11 came in
# three scans, after CloudTrail had moved the one clock past them); flow logs 140 minutes
# late, a Recon:EC2/Portscan count of 22 instead of 101 (the scan's 00:10 and 00:20 files
# in two scans).
for lag in dns:150 flow:140; do
    src=${lag%:*} min=${lag#*:}
    parts=$(split_delivery "$G" "$T/l$src" "$src" "$min")
    check "delivery split, $src $min min late: 8 or more hourly scans (got $parts)" \
        test "$parts" -ge 8
    cp "$T/p.whole.sum" "$T/l$src.whole.sum"
    same_split "hourly scans by delivery, $src $min min late" "$G" "$T/l$src" "$parts"
done

# The scan says how many records came older than windows of their source that had closed
# (`late` in --stats and the summary): none in one scan of everything (its inputs in the
# order of their stamps), and the records of a Resolver file scanned after newer Resolver
# files (not the disorder of the files' own order: up to 15 minutes before the last tick). Before 2026-12-04 it was
# not reported, and the engine counted any record older than the newest of any source.
late_of() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["late"]
print(d["cloudtrail"], d["vpcflow"], d["dns"])' "$1" 2>/dev/null
}
scan_whole "$G" "$T/lw.db" --threads 2 --stats "$T/lw.json"
check "one scan of everything: no record late ($(late_of "$T/lw.json"))" \
    test "$(late_of "$T/lw.json")" = "0 0 0"
dnsf=$(find "$T/p.0/AWSLogs" -path '*vpcdnsquerylogs*' -type l | sort)
dnsl=$(find "$T/p.1/AWSLogs" -path '*vpcdnsquerylogs*' -type l | sort)
rm -f "$T/lo.state"
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --quiet --threads 1 --state "$T/lo.state" $dnsl \
    >/dev/null 2>&1
# shellcheck disable=SC2086
"$COALMINE" scan --no-default-intel --threads 1 --state "$T/lo.state" \
    --stats "$T/lo.json" $dnsf >/dev/null 2>"$T/lo.err"
set -- $(late_of "$T/lo.json")
check "Resolver files of 00:00 scanned after those of 01:00: their records are late ($*)" \
    test "${3:-0}" -gt 1000 -a "${1:-1}" -eq 0 -a "${2:-1}" -eq 0
check "... said in the summary" grep -q "^  late: .*dns $3 " "$T/lo.err"

done_testing
