#!/bin/sh
# tsan: store writes from the scan workers' findings
# End-to-end tests of `coalmine scan --db` over more than one run into one
# store, on a small `coalmine gen` world split by file time into its first
# twenty minutes (EARLY) and the rest (LATE):
#   - a subset, then the whole (a re-scan over files scanned before): no
#     finding cites the same record twice, port probes are listed once (no
#     more of them than the count), as a single scan of the whole stores them;
#   - LATE, then EARLY (a backfill): the API findings keep the later event's
#     eventLastSeen and actor (API, remote IP);
#   - what a run prints: not the repeats the store already had unchanged (so
#     not a finding an ARCHIVE filter created since would suppress), and for a
#     repeat that changed, the stored finding (whole count, createdAt,
#     eventFirstSeen, feedback), as `findings get` gives it;
#   - a store its reader may not write (another user's file): `findings list`
#     and `findings get` work, the file is left as it was (as root only).
# Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
case "$COALMINE" in /*) ;; *) COALMINE=$(pwd)/$COALMINE ;; esac

# fields FILE PATH...: one line per document of FILE, its values at PATHs tab-separated.
fields() {
    _f=$1; shift; _i=0; _cols=""
    for _p in "$@"; do
        _i=$((_i + 1)); jget "$_f" "$_p" >"$_f.$_i"; _cols="$_cols $_f.$_i"
    done
    # shellcheck disable=SC2086 # the column files, one word each
    paste $_cols
}

# scan DB FILE...: a quiet one-thread scan of FILE... into DB with the world's
# intel; the findings it prints (json) on stdout. A failed scan is a failed
# test (reported on fd 3, the script's stdout).
exec 3>&1
scan() {
    _db=$1; shift
    # shellcheck disable=SC2046 # args.txt holds one option and value per line
    "$COALMINE" scan --quiet --no-default-intel --threads 1 --format json \
        $(cat "$D/intel/args.txt") --db "$_db" "$@" 2>"$T/scan.err"
    _rc=$?
    if [ $_rc -ne 0 ]; then
        nok "scan --db $(basename "$_db") exits 0" "exit $_rc: $(tail -n 3 "$T/scan.err")" >&3
    fi
}

# all DB NAME: every stored finding of DB as json lines in $T/NAME.json, sorted by id.
all() {
    "$COALMINE" findings list --db "$1" --archived all --max-results 0 --sort id:asc \
        --format json >"$T/$2.json"
}

D="$T/world"
"$COALMINE" gen --out "$D" --hours 1 --seed 11 --scenario all >/dev/null 2>"$T/gen.err"
check "gen writes a world" test -f "$D/intel/args.txt"
find "$D/AWSLogs" -type f \( -name '*T000*' -o -name '*T001*' \) | sort >"$T/early.files"
find "$D/AWSLogs" -type f ! -name '*T000*' ! -name '*T001*' | sort >"$T/late.files"
check "the world splits into early ($(wc -l <"$T/early.files")) and late ($(wc -l <"$T/late.files")) files" \
    test -s "$T/early.files" -a -s "$T/late.files"
EARLY=$(cat "$T/early.files")
LATE=$(cat "$T/late.files")

# --- a subset, then the whole ---------------------------------------------------------
# shellcheck disable=SC2086 # file lists
{
    scan "$T/full.db" "$D/AWSLogs" >/dev/null
    scan "$T/ov.db" $EARLY >/dev/null
    scan "$T/ov.db" "$D/AWSLogs" >/dev/null
}
all "$T/full.db" full
all "$T/ov.db" ov
fields "$T/full.json" id type service.count >"$T/full.counts"
fields "$T/ov.json" id type service.count >"$T/ov.counts"
# Every finding of one scan, with its count; except that a DNS detector's report of the
# queries left after its last detection when its entry expires (DGA, tunnel, rebind,
# reputation), and the inbound flow detector's of the connections left (brute force, port
# probes) and the pair detector's of a scan's probes, a flood's records or an hour's volume
# records left (Portscan, DenialOfService, TrafficVolumeUnusual) and the host detector's of a fan's attempts left (PortSweep, Spambot) or
# an episode's connections left (NetworkPortUnusual, Unusual{DNSResolver,DoH,DoT}Activity),
# is made at the end of the subset's input too, keyed by its last record, which
# the scan of the whole does not pick as a trigger: those records are counted again
# (store.md, "a windowed detection"). Such a count may be higher than one scan's, never lower.
check "subset then whole: the findings and counts of one scan of the whole ($(wc -l <"$T/ov.counts"))" \
    awk -F '\t' 'NR == FNR { c[$1] = $3; t[$1] = $2; next }
        !($1 in c) { exit 1 }
        { seen[$1] = 1 }
        $3 != c[$1] && !($2 ~ /DGADomainRequest|DNSDataExfiltration|MetadataDNSRebind|DomainRequest\.Reputation|BruteForce|PortProbe|Portscan|DenialOfService|TrafficVolumeUnusual|PortSweep|Spambot|NetworkPortUnusual|EC2\/Unusual(DNSResolver|DoHActivity|DoTActivity)/ && $3 > c[$1]) { exit 1 }
        END { for (k in c) if (!(k in seen)) exit 1 }' "$T/full.counts" "$T/ov.counts"
jget "$T/ov.json" id >"$T/ov.ids"
# shellcheck disable=SC2046 # the ids
"$COALMINE" findings get --db "$T/ov.db" --evidence $(cat "$T/ov.ids") >"$T/ov.ev" 2>"$T/ov.ev.err"
check "findings get --evidence exits 0" test $? -eq 0
grep '^{"findingId"' "$T/ov.ev" >"$T/ov.records"
fields "$T/ov.records" findingId path offset | sort | uniq -d >"$T/ov.dups"
check "subset then whole: evidence records cited ($(wc -l <"$T/ov.records"))" test -s "$T/ov.records"
if [ -s "$T/ov.dups" ]; then
    nok "subset then whole: no finding cites a record twice" \
        "$(wc -l <"$T/ov.dups") records cited twice, e.g. $(head -n 1 "$T/ov.dups")"
else
    ok "subset then whole: no finding cites a record twice"
fi
# A scan given a relative path records where its files are, not where it ran: the evidence
# is read back by `findings get --evidence` from any directory (cron, another shell), and
# is the same as after a scan given the absolute path.
# shellcheck disable=SC2046 # args.txt holds one option and value per line
(cd "$T" && "$COALMINE" scan --quiet --no-default-intel --threads 1 $(cat "$D/intel/args.txt") \
    --db rel.db world/AWSLogs >/dev/null 2>"$T/rel.err")
check "scan of a relative path exits 0" test $? -eq 0
jget "$T/full.json" id >"$T/full.ids"
# shellcheck disable=SC2046 # the ids
(cd / && "$COALMINE" findings get --db "$T/rel.db" --evidence $(cat "$T/full.ids") \
    >"$T/rel.ev" 2>"$T/rel.ev.err")
check "relative scan, evidence read from /: no warning" test ! -s "$T/rel.ev.err"
# shellcheck disable=SC2046 # the ids
"$COALMINE" findings get --db "$T/full.db" --evidence $(cat "$T/full.ids") >"$T/full.ev" 2>/dev/null
grep '^{"findingId"' "$T/rel.ev" | cut -d, -f1-5 >"$T/rel.cites"
grep '^{"findingId"' "$T/full.ev" | cut -d, -f1-5 >"$T/full.cites"
check "relative scan: the same records cited, by the same paths ($(wc -l <"$T/rel.cites"))" \
    sh -c 'test -s "$1" && cmp -s "$1" "$2"' _ "$T/rel.cites" "$T/full.cites"
# A cited file rewritten since the scan (same name, other bytes): the evidence printed
# is what is at the offset now, so `get --evidence` warns, naming both sizes (before
# 2026-12-05 it printed the other record with no word, though README promised a warning).
cp -R "$D" "$T/chg"
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan --quiet --no-default-intel --threads 1 $(cat "$D/intel/args.txt") \
    --db "$T/chg.db" "$T/chg/AWSLogs" >/dev/null 2>&1
# shellcheck disable=SC2046 # the ids
"$COALMINE" findings get --db "$T/chg.db" --evidence $(cat "$T/full.ids") >"$T/chg.ev" 2>"$T/chg.err"
check "evidence of unchanged files: no warning" test ! -s "$T/chg.err"
cited=$(grep '^{"findingId"' "$T/chg.ev" | sed -n '1s/.*"path":"\([^"]*\)".*/\1/p')
case $cited in
*.gz) zcat "$cited" | sed 's/ACCEPT/REJECT/; s/"eventName":"/"eventName":"X/' | gzip -9 >"$T/rw" ;;
*) sed 's/ACCEPT/REJECT/; s/"eventName":"/"eventName":"X/' "$cited" >"$T/rw" ;;
esac
printf 'padding\n' >>"$T/rw"
mv "$T/rw" "$cited"
# shellcheck disable=SC2046 # the ids
"$COALMINE" findings get --db "$T/chg.db" --evidence $(cat "$T/full.ids") >/dev/null 2>"$T/chg.err"
check "findings get --evidence on a rewritten file: exit 0" test $? -eq 0
check "... warning that it changed since the scan" \
    grep -q "$cited: the file is [0-9]* bytes, [0-9]* when it was scanned: changed since" \
    "$T/chg.err"
# Port probes: each listed once; the same as one scan of the whole.
PP='{"Criterion":{"service.action.actionType":{"Eq":["PORT_PROBE"]}}}'
for db in full ov; do
    "$COALMINE" findings list --db "$T/$db.db" --archived all --max-results 0 --sort id:asc \
        --format json --finding-criteria "$PP" >"$T/$db.pp.json"
    : >"$T/$db.pp"
    while IFS= read -r line; do
        printf '%s\n' "$line" >"$T/one.json"
        printf '%s %s %s\n' "$(jget "$T/one.json" id)" "$(jget "$T/one.json" service.count)" \
            "$(jlen "$T/one.json" service.action.portProbeAction.portProbeDetails)" >>"$T/$db.pp"
    done <"$T/$db.pp.json"
done
check "subset then whole: port probe findings ($(wc -l <"$T/ov.pp"))" test -s "$T/ov.pp"
over=$(awk '$3 > $2' "$T/ov.pp")
check "subset then whole: no more port probes than the count" test -z "$over"
check "subset then whole: the port probes of one scan of the whole" cmp -s "$T/full.pp" "$T/ov.pp"

# --- late files, then early ones (a backfill) ----------------------------------------------
API='{"Criterion":{"service.action.actionType":{"Eq":["AWS_API_CALL"]}}}'
# shellcheck disable=SC2086 # file lists
{
    scan "$T/late.db" $LATE >/dev/null
    scan "$T/bwd.db" $LATE >/dev/null
    scan "$T/bwd.db" $EARLY >/dev/null
}
for db in late bwd; do
    "$COALMINE" findings list --db "$T/$db.db" --archived all --max-results 0 --sort id:asc \
        --format json --finding-criteria "$API" >"$T/$db.api.json"
    fields "$T/$db.api.json" id service.eventLastSeen service.action.awsApiCallAction.api \
        service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 >"$T/$db.api"
done
# The late files' API findings, as the backfilled store has them.
awk 'NR == FNR { late[$1] = 1; next } $1 in late' "$T/late.api" "$T/bwd.api" >"$T/bwd.late"
check "backfill: API findings of the late files ($(wc -l <"$T/late.api"))" test -s "$T/late.api"
if cmp -s "$T/late.api" "$T/bwd.late"; then
    ok "backfill: eventLastSeen, API and remote IP stay the later event's"
else
    nok "backfill: eventLastSeen, API and remote IP stay the later event's" \
        "$(diff "$T/late.api" "$T/bwd.late" | grep '^[<>]' | head -n 4)"
fi

# --- the API calls of a listed or Tor caller (additionalInfo.apiCalls) ---------------------
# Each API's count, first and last call: what one scan of the whole says, whether the
# records came in one scan, a subset then the whole, late files then early ones, or every
# other file then the whole (their records read twice, counted once); and the counts add
# up to the finding's.
all "$T/bwd.db" bwd
# Every other file: a finding's records on both sides, some read twice.
find "$D/AWSLogs" -type f | sort | awk 'NR % 2' >"$T/half.files"
# shellcheck disable=SC2046 # file lists
{
    scan "$T/lw.db" $(cat "$T/half.files") >/dev/null
    scan "$T/lw.db" "$D/AWSLogs" >/dev/null
}
all "$T/lw.db" lw
api_calls() { # NAME: "id name count firstSeen lastSeen" of $T/NAME.json, sorted
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    calls = json.loads(f["service"]["additionalInfo"]["value"]).get("apiCalls")
    if calls is None:
        continue
    if sum(c["count"] for c in calls) != f["service"]["count"]:
        print(f["id"], "counts add up to", sum(c["count"] for c in calls), "not", f["service"]["count"])
    for c in calls:
        print(f["id"], c["name"], c["count"], c["firstSeen"], c["lastSeen"])
' "$T/$1.json" | sort >"$T/$1.calls"
}
for db in full ov bwd lw; do api_calls $db; done
check "apiCalls of one scan ($(wc -l <"$T/full.calls") APIs of listed or Tor callers)" \
    sh -c 'test -s "$1" && ! grep -q "add up" "$1"' _ "$T/full.calls"
check "subset then whole: the apiCalls of one scan" cmp -s "$T/full.calls" "$T/ov.calls"
check "late then early: the apiCalls of one scan" cmp -s "$T/full.calls" "$T/bwd.calls"
check "every other file then the whole (those read twice): the apiCalls of one scan" \
    cmp -s "$T/full.calls" "$T/lw.calls"
# --- what a run prints: unchanged repeats, a filter created since -----------------------
TYPE=PenTest:IAMUser/KaliLinux
scan "$T/s.db" "$D/AWSLogs" >"$T/s1.json"
check "scan 1 prints $TYPE" test "$(jget "$T/s1.json" type | grep -cxF "$TYPE")" -eq 1
"$COALMINE" filters create --db "$T/s.db" --name suppress-kali --action ARCHIVE \
    --finding-criteria "{\"Criterion\":{\"type\":{\"Eq\":[\"$TYPE\"]}}}" >/dev/null
check "an ARCHIVE filter for $TYPE" test $? -eq 0
scan "$T/s.db" "$D/AWSLogs" >"$T/s2.json"
check "scan 2 of the same files exits 0" test $? -eq 0
check "scan 2 does not print $TYPE (suppressed since)" \
    test "$(jget "$T/s2.json" type | grep -cxF "$TYPE")" -eq 0
check "scan 2 prints no repeat the store had unchanged ($(wc -l <"$T/s2.json") printed)" \
    test ! -s "$T/s2.json"
# shellcheck disable=SC2046 # args.txt holds one option and value per line
"$COALMINE" scan -q --db "$T/s.db" --no-default-intel $(cat "$D/intel/args.txt") "$D/AWSLogs" \
    >"$T/s3.txt"
check "scan 3 of the same files (table): no header over no rows ($(wc -l <"$T/s3.txt") lines)" \
    test ! -s "$T/s3.txt"

# --- what a run prints: a repeat that changed is the stored finding ---------------------------
# shellcheck disable=SC2086 # file lists
{
    scan "$T/p.db" $EARLY >"$T/p1.json"
    scan "$T/late2.db" $LATE >"$T/late2.json"
}
jget "$T/p1.json" id | sort >"$T/p1.ids"
jget "$T/late2.json" id | sort | comm -12 "$T/p1.ids" - >"$T/rep.ids"
check "early and late files share findings ($(wc -l <"$T/rep.ids"))" test -s "$T/rep.ids"
FB=$(head -n 1 "$T/rep.ids")
"$COALMINE" findings feedback --db "$T/p.db" --feedback USEFUL "$FB" >/dev/null 2>&1
check "feedback on $FB" test $? -eq 0
# shellcheck disable=SC2086 # file list
scan "$T/p.db" $LATE >"$T/p2.json"
jget "$T/p2.json" id | sort >"$T/p2.ids"
nrep=$(comm -12 "$T/rep.ids" "$T/p2.ids" | wc -l)
check "scan of the late files prints the repeats ($nrep)" test "$nrep" -eq "$(wc -l <"$T/rep.ids")"
# shellcheck disable=SC2046 # the ids
"$COALMINE" findings get --db "$T/p.db" $(cat "$T/p2.ids") >"$T/p2.stored.json"
set -- id service.count createdAt service.eventFirstSeen service.userFeedback
fields "$T/p2.json" "$@" | sort >"$T/p2.printed"
fields "$T/p2.stored.json" "$@" | sort >"$T/p2.stored"
if cmp -s "$T/p2.printed" "$T/p2.stored"; then
    ok "printed repeats are the stored findings (count, createdAt, eventFirstSeen, feedback)"
else
    nok "printed repeats are the stored findings (count, createdAt, eventFirstSeen, feedback)" \
        "$(diff "$T/p2.printed" "$T/p2.stored" | grep '^[<>]' | head -n 4)"
fi
fields "$T/p1.json" id service.count >"$T/p1.counts"
grow=$(awk 'NR == FNR { c[$1] = $2; next } ($1 in c) && $2 <= c[$1]' "$T/p1.counts" "$T/p2.printed")
check "a printed repeat's count grows from scan to scan" test -z "$grow"
check "the repeat with feedback is printed with it" \
    test "$(awk -v id="$FB" '$1 == id { print $5 }' "$T/p2.printed")" = USEFUL

# --- a store its reader may not write ------------------------------------------------------
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
if [ "$(id -u)" != 0 ]; then
    skip "a read-only store lists" "not root (needs another user)"
elif ! command -v setpriv >/dev/null; then
    skip "a read-only store lists" "setpriv not installed"
elif ! $NOBODY "$COALMINE" version >/dev/null 2>&1; then
    skip "a read-only store lists" "user nobody cannot run $COALMINE"
else
    chmod 711 "$T"
    mkdir "$T/ro" && chmod 777 "$T/ro"
    "$COALMINE" findings sample --db "$T/ro/s.db" >/dev/null 2>&1
    chmod 444 "$T/ro/s.db"
    cp "$T/ro/s.db" "$T/ro.copy"
    $NOBODY "$COALMINE" findings list --db "$T/ro/s.db" --max-results 0 --format ids \
        >"$T/ro.ids" 2>"$T/ro.err"
    rc=$?
    if [ $rc -eq 0 ] && [ -s "$T/ro.ids" ]; then
        ok "findings list on a store another user owns, read-only ($(wc -l <"$T/ro.ids"))"
    else
        nok "findings list on a store another user owns, read-only" "exit $rc: $(head -n 1 "$T/ro.err")"
    fi
    $NOBODY "$COALMINE" findings get --db "$T/ro/s.db" "$(head -n 1 "$T/ro.ids")" \
        >"$T/ro.json" 2>"$T/ro.err"
    rc=$?
    check "findings get on it (exit $rc)" test $rc -eq 0 -a -s "$T/ro.json"
    check "the read-only store is left as it was" cmp -s "$T/ro/s.db" "$T/ro.copy"
fi
done_testing
