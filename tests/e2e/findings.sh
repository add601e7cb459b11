#!/bin/sh
# End-to-end tests of `coalmine findings`: sample findings in a store, then
# list (selection flags, criteria, sort, pages), get (with evidence), archive,
# feedback, stats, export, and the error contract (bad criteria, foreign or
# missing store files are refused and left as they were). Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
DB="$T/s.db"

# --- sample ------------------------------------------------------------------------
"$COALMINE" findings sample --db "$DB" >"$T/sample.out" 2>"$T/sample.err"
check "sample exits 0" test $? -eq 0
check "sample prints nothing by default" test ! -s "$T/sample.out"
NT=$(sed -n 's/^\([0-9][0-9]*\) sample findings stored (0 archived by filters)$/\1/p' "$T/sample.err")
check "sample says how many it stored ($NT)" test "${NT:-0}" -gt 10
"$COALMINE" findings list --db "$DB" --archived all --max-results 0 --format ids >"$T/all.ids"
check "one finding per active type" test "$(wc -l <"$T/all.ids")" -eq "${NT:-0}"
"$COALMINE" findings list --db "$DB" --max-results 0 --format json >"$T/all.json"
check "json lists every type once" test "$(jget "$T/all.json" type | sort -u | wc -l)" -eq "${NT:-0}"
check "samples carry additionalInfo sample true" \
    test "$(grep -c '\\"sample\\":true' "$T/all.json")" -eq "${NT:-0}"
jget "$T/all.json" id >"$T/all.id"; jget "$T/all.json" severity >"$T/all.sev"
paste "$T/all.id" "$T/all.sev" >"$T/all.idsev"

# --- list: selection ------------------------------------------------------------------
TYPE=$(jget "$T/all.json" type | sort | head -n 1)
"$COALMINE" findings list --db "$DB" --type "$TYPE" --format json >"$T/type.json"
check "--type returns only that type" \
    test "$(jget "$T/type.json" type | sort -u)" = "$TYPE"
check "--type returns one finding" test "$(wc -l <"$T/type.json")" -eq 1
"$COALMINE" findings list --db "$DB" --severity-min 7 --max-results 0 --format json >"$T/high.json"
hi=$(wc -l <"$T/high.json")
low=$(jget "$T/high.json" severity | awk '$1 < 7' | wc -l)
want=$(awk '$2 >= 7' "$T/all.idsev" | wc -l)
check "--severity-min 7: only severity >= 7 ($hi)" test "$hi" -gt 0 -a "$low" -eq 0
check "--severity-min 7: every one of them" test "$hi" -eq "$want"
"$COALMINE" findings list --db "$DB" --max-results 0 --format ids \
    --finding-criteria '{"Criterion":{"severity":{"Lt":4}}}' >"$T/crit.ids"
want=$(awk '$2 < 4 {print $1}' "$T/all.idsev" | sort)
check "--finding-criteria severity Lt 4" test "$(sort "$T/crit.ids")" = "$want" -a -n "$want"
printf '%s' '{"Criterion":{"type":{"Equals":["'"$TYPE"'"]}}}' >"$T/crit.json"
"$COALMINE" findings list --db "$DB" --format ids --finding-criteria "file://$T/crit.json" >"$T/f.ids"
check "--finding-criteria file://PATH" test "$(wc -l <"$T/f.ids")" -eq 1
"$COALMINE" findings list --db "$DB" --format ids --max-results 0 --since 1h --until 4102444800000 >"$T/since.ids"
check "--since 1h --until 2100 (epoch ms): all of them" test "$(wc -l <"$T/since.ids")" -eq "${NT:-0}"
"$COALMINE" findings list --db "$DB" --format ids --since 2100-01-01T00:00:00Z >"$T/since2.ids"
check "--since 2100 (ISO 8601): none" test ! -s "$T/since2.ids"
"$COALMINE" findings list --db "$DB" --format ids --until 2020-01-01 >"$T/until.ids"
check "--until 2020-01-01: none" test ! -s "$T/until.ids"
"$COALMINE" findings list --db "$DB" --format ids --region eu-west-1 >"$T/region.ids"
check "--region of no sample: none" test ! -s "$T/region.ids"
"$COALMINE" findings list --db "$DB" --format ids --account 123456789012 --max-results 0 >"$T/acct.ids"
check "--account of the samples: all" test "$(wc -l <"$T/acct.ids")" -eq "${NT:-0}"
"$COALMINE" findings list --db "$DB" --format ids --text "$TYPE" >"$T/text.ids"
check "--text finds the type" test "$(wc -l <"$T/text.ids")" -ge 1
"$COALMINE" findings list --db "$DB" --format ids --text "$(printf '%s' "$TYPE" | tr 'A-Z' 'a-z')" >"$T/text2.ids"
check "--text is case-insensitive" cmp -s "$T/text.ids" "$T/text2.ids"
"$COALMINE" findings list --db "$DB" --format ids --text "no-such-text-anywhere" >"$T/text3.ids"
check "--text of nothing: none" test ! -s "$T/text3.ids"

# --- list: by resource -------------------------------------------------------------------
# A finding is found by every resource it names: an Instance finding by its network
# interface, an S3 finding by its caller's access key, not only by its identity resource.
for r in eni-99999999:networkInterfaceId GeneratedFindingAccessKeyId:accessKeyId \
    amzn-s3-demo-bucket:name; do
    rid=${r%%:*}
    want=$(grep -c "\"${r#*:}\":\"$rid\"" "$T/all.json")
    "$COALMINE" findings list --db "$DB" --resource "$rid" --max-results 0 --format ids >"$T/res.ids"
    check "--resource $rid: every finding naming it ($want)" \
        test "$(wc -l <"$T/res.ids")" -eq "$want" -a "$want" -gt 0
    "$COALMINE" findings stats --db "$DB" --resource "$rid" --format json >"$T/res.stats"
    check "stats --resource $rid counts them too" \
        test "$(jsum "$T/res.stats" findingStatistics.countBySeverity)" = "$want"
done

# --- list: pages and sort -----------------------------------------------------------------
"$COALMINE" findings list --db "$DB" --max-results 0 --format ids >"$T/full.ids"
"$COALMINE" findings list --db "$DB" --max-results 5 --format ids >"$T/p1" 2>"$T/p1.err"
tok=$(sed -n 's/^next token: //p' "$T/p1.err")
check "page 1 has 5 and a next token" test "$(wc -l <"$T/p1")" -eq 5 -a -n "$tok"
"$COALMINE" findings list --db "$DB" --max-results 5 --next-token "$tok" --format ids >"$T/p2" 2>/dev/null
check "page 2 has 5" test "$(wc -l <"$T/p2")" -eq 5
check "pages are disjoint" test -z "$(sort "$T/p1" "$T/p2" | uniq -d)"
: >"$T/pages"; tok=""; pages=0
while :; do
    if [ -n "$tok" ]; then set -- --next-token "$tok"; else set --; fi
    "$COALMINE" findings list --db "$DB" --max-results 7 --format api "$@" >"$T/page.json" || break
    jget "$T/page.json" 'findingIds[]' >>"$T/pages"
    tok=$(jget "$T/page.json" nextToken)
    pages=$((pages + 1))
    [ -n "$tok" ] && [ $pages -lt 100 ] || break
done
check "api pages together are the full list, in order ($pages pages)" cmp -s "$T/pages" "$T/full.ids"
"$COALMINE" findings list --db "$DB" --max-results 0 --sort severity:asc --format json >"$T/asc.json"
sev=$(jget "$T/asc.json" severity)
check "--sort severity:asc is non-decreasing" test "$sev" = "$(printf '%s\n' "$sev" | sort -g)"
check "--sort severity:asc starts low" test "$(printf '%s\n' "$sev" | head -n 1)" != "$(printf '%s\n' "$sev" | tail -n 1)"
"$COALMINE" findings list --db "$DB" --max-results 0 --format json \
    --sort-criteria '{"AttributeName":"severity","OrderBy":"DESC"}' >"$T/desc.json"
sev=$(jget "$T/desc.json" severity)
check "--sort-criteria severity DESC is non-increasing" test "$sev" = "$(printf '%s\n' "$sev" | sort -gr)"
"$COALMINE" findings list --db "$DB" --max-results 0 --format json \
    --sort-criteria '{"attributeName":"type","orderBy":"ASC"}' >"$T/type_asc.json"
types=$(jget "$T/type_asc.json" type)
check "--sort-criteria lowerCamel type ASC" test "$types" = "$(printf '%s\n' "$types" | LC_ALL=C sort)"
# --sort and --sort-criteria both name the one sort key: given together, which one wins
# would be a guess (the last one did, silently); a usage error, in either order.
for cmd in list export; do
    "$COALMINE" findings $cmd --db "$DB" --sort severity:asc \
        --sort-criteria '{"AttributeName":"type","OrderBy":"DESC"}' >"$T/both.out" 2>"$T/both.err"
    check "$cmd: --sort with --sort-criteria exits 2" test $? -eq 2
    check "$cmd: --sort with --sort-criteria: nothing printed, both named" \
        test ! -s "$T/both.out" -a -n "$(grep -e '--sort-criteria' "$T/both.err" | grep -e '--sort ')"
done
"$COALMINE" findings list --db "$DB" --sort-criteria '{"AttributeName":"type"}' \
    --sort severity >/dev/null 2>&1
check "list: --sort-criteria then --sort exits 2" test $? -eq 2
"$COALMINE" findings list --db "$DB" --max-results 3 >"$T/table" 2>/dev/null
check "table: header and 3 rows" test "$(wc -l <"$T/table")" -eq 4
check "table header names the columns" \
    grep -q '^SEVERITY.*TYPE.*RESOURCE.*ACCOUNT.*REGION.*COUNT.*UPDATED.*ID' "$T/table"
# One sample of every type: the three 67-68 character types (and long resources) are
# printed whole, and a row whose values fit its columns has them where the header has
# them (before 2026-12-05 a long type or bucket shifted its row; no account or region).
TDB="$T/table.db"
"$COALMINE" findings sample --db "$TDB" 2>/dev/null
"$COALMINE" findings list --db "$TDB" --max-results 0 >"$T/all.table" 2>/dev/null
"$COALMINE" findings list --db "$TDB" --max-results 0 --format json >"$T/all.json" 2>/dev/null
check "table: the 68-character types whole" \
    grep -q ' UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS ' "$T/all.table"
misaligned=$(awk 'NR == 1 { a = index($0, "ACCOUNT"); r = index($0, "REGION"); next }
    length($3) <= 51 && length($4) <= 23 &&
    (substr($0, a, length($5)) != $5 || substr($0, r, length($6)) != $6) { print }' "$T/all.table")
check "table: account and region under their headers" test -z "$misaligned"
check "table: each row's account and region are the finding's" test \
    "$(awk 'NR > 1 { print $NF, $5, $6 }' "$T/all.table" | sort)" = \
    "$(jq -r '"\(.id) \(.accountId) \(.region)"' "$T/all.json" | sort)"
"$COALMINE" findings list --db "$DB" --next-token nonsense >/dev/null 2>"$T/tok.err"
check "malformed next token: exit 1" test $? -eq 1
check "malformed next token: named" grep -q 'next token' "$T/tok.err"
# A new occurrence of the finding a token names (sampling its type again raises its count
# and updatedAt) moves it; the next page must be the one it was. Before 2026-12-05 the
# token's value was read from the finding at the next call: oldest first the rest of the
# list was skipped (an empty page 2), newest first page 1 came again.
PDB="$T/pages.db"
"$COALMINE" findings sample --db "$PDB" 2>/dev/null
for order in asc desc; do
    "$COALMINE" findings list --db "$PDB" --sort updatedAt:$order --max-results 5 --format api >"$T/m1.json"
    tok=$(jget "$T/m1.json" nextToken)
    last=$(jget "$T/m1.json" 'findingIds[]' | tail -n 1)
    "$COALMINE" findings list --db "$PDB" --sort updatedAt:$order --max-results 5 \
        --next-token "$tok" --format ids >"$T/m2.before" 2>/dev/null
    "$COALMINE" findings get --db "$PDB" "$last" >"$T/m.json"
    "$COALMINE" findings sample --db "$PDB" --finding-types "$(jget "$T/m.json" type)" 2>/dev/null
    "$COALMINE" findings get --db "$PDB" "$last" >"$T/m.json"
    check "updatedAt:$order: sampling again updated the page's last finding" \
        test "$(jget "$T/m.json" service.count)" -eq 2
    "$COALMINE" findings list --db "$PDB" --sort updatedAt:$order --max-results 5 \
        --next-token "$tok" --format ids >"$T/m2.after" 2>/dev/null
    check "updatedAt:$order: page 2 is the same after that finding moved" \
        test -s "$T/m2.before" -a "$(cat "$T/m2.after")" = "$(cat "$T/m2.before")"
done
"$COALMINE" findings list --db "$PDB" --sort severity:asc --next-token "$tok" >/dev/null 2>"$T/tok2.err"
check "a token of another sort order: exit 1" test $? -eq 1
check "a token of another sort order: named" grep -q 'next token' "$T/tok2.err"

# --- get ------------------------------------------------------------------------------
ID=$(head -n 1 "$T/full.ids")
"$COALMINE" findings get --db "$DB" "$ID" >"$T/get.json"
check "get exits 0" test $? -eq 0
check "get prints the finding with that id" test "$(jget "$T/get.json" id)" = "$ID"
ID2=$(sed -n 2p "$T/full.ids")
"$COALMINE" findings get --db "$DB" --format api "$ID" "$ID2" >"$T/getapi.json"
check "get --format api is the GetFindings response" \
    test "$(jlen "$T/getapi.json" findings),$(jget "$T/getapi.json" findings.0.id),$(jget "$T/getapi.json" findings.1.id)" = "2,$ID,$ID2"
# GetFindings returns each finding once, however often its id is asked for
"$COALMINE" findings get --db "$DB" "$ID" "$ID2" "$ID" >"$T/getdup.json"
check "get of a repeated id prints it once" \
    test "$(jget "$T/getdup.json" id | tr '\n' ' ')" = "$ID $ID2 "
"$COALMINE" findings get --db "$DB" --format api "$ID" "$ID" >"$T/getdupapi.json"
check "get --format api of a repeated id lists it once" \
    test "$(jlen "$T/getdupapi.json" findings)" = 1
"$COALMINE" findings get --db "$DB" "$ID" ffffffffffffffffffffffffffffffff >"$T/get2.out" 2>"$T/get2.err"
check "get of an unknown id exits 1" test $? -eq 1
check "get of an unknown id names it" grep -q ffffffffffffffffffffffffffffffff "$T/get2.err"
check "get of an unknown id prints nothing" test ! -s "$T/get2.out"

# --- get --evidence: records read back from plain and gzip files -----------------------
if command -v sqlite3 >/dev/null && command -v gzip >/dev/null; then
    printf 'first line\n{"eventName":"StopLogging","n":1}\nlast line\n' >"$T/ev.log"
    gzip -c "$T/ev.log" >"$T/ev.log.gz"
    sqlite3 "$DB" "INSERT INTO finding_evidence VALUES('$ID',0,'$T/ev.log',11,2,33);
        INSERT INTO finding_evidence VALUES('$ID',1,'$T/ev.log.gz',11,2,33);
        INSERT INTO finding_evidence VALUES('$ID',2,'$T/missing.log',0,1,5);"
    "$COALMINE" findings get --db "$DB" --evidence "$ID" >"$T/ev.out" 2>"$T/ev.err"
    check "get --evidence exits 0 despite a missing file" test $? -eq 0
    check "evidence: finding, then one line per readable record" test "$(wc -l <"$T/ev.out")" -eq 3
    sed -n 2,3p "$T/ev.out" >"$T/ev.lines"
    check "evidence: the exact record from the plain and the gzip file" \
        test "$(jget "$T/ev.lines" record | sort -u)" = '{"eventName":"StopLogging","n":1}' -a "$(jget "$T/ev.lines" record | wc -l)" -eq 2
    check "evidence: finding id, path, line, offset, length" \
        test "$(for k in findingId path line offset length; do jget "$T/ev.lines" $k | tail -n 1; done | tr '\n' ' ')" = "$ID $T/ev.log.gz 2 11 33 "
    check "evidence: a missing file is a warning" grep -q 'warning.*missing.log' "$T/ev.err"
    # evidence of a scan of s3:// paths or of standard input: said so, not "No such file"
    # of a relative path (before 2026-12-06 "s3://b/k: No such file or directory")
    sqlite3 "$DB" "INSERT INTO finding_evidence VALUES('$ID',3,'s3://trail-b/AWSLogs/x.json.gz',4096,7,900);
        INSERT INTO finding_evidence VALUES('$ID',4,'(stdin)',0,1,5);"
    "$COALMINE" findings get --db "$DB" --evidence "$ID" >"$T/ev2.out" 2>"$T/ev2.err"
    check "evidence: an S3 object is named with the line to read, not a missing file" \
        sh -c 'grep -q "evidence 4: s3://trail-b/AWSLogs/x.json.gz: an S3 object, not fetched here: its record is line 7 (byte 4096 " "$1" &&
            ! grep -q "s3://.*No such file" "$1"' _ "$T/ev2.err"
    check "evidence: standard input is said to be no file" \
        sh -c 'grep -q "evidence 5: (stdin): read from standard input by the scan" "$1" &&
            ! grep -q "(stdin): No such file" "$1"' _ "$T/ev2.err"
    check "... and the records of the files still follow" test "$(wc -l <"$T/ev2.out")" -eq 3
    sqlite3 "$DB" "DELETE FROM finding_sources WHERE n >= 3 AND fid = (SELECT seq FROM findings WHERE id = '$ID');"
    "$COALMINE" findings get --db "$DB" --evidence --format table "$ID" >"$T/evt.out" 2>/dev/null
    check "evidence table: header line" grep -q "^  evidence 1: $T/ev.log line 2 (offset 11, 33 bytes)$" "$T/evt.out"
    check "evidence table: the raw record" grep -qx '{"eventName":"StopLogging","n":1}' "$T/evt.out"
else
    skip "get --evidence" "sqlite3 or gzip not installed"
fi

# --- archive, unarchive, feedback ---------------------------------------------------------
"$COALMINE" findings archive --db "$DB" "$ID" 2>/dev/null
check "archive exits 0" test $? -eq 0
"$COALMINE" findings list --db "$DB" --max-results 0 --format ids >"$T/cur.ids"
check "archived finding left the default list" test "$(grep -c "$ID" "$T/cur.ids")" -eq 0
"$COALMINE" findings list --db "$DB" --archived true --format ids >"$T/arch.ids"
check "--archived true shows it" test "$(cat "$T/arch.ids")" = "$ID"
"$COALMINE" findings get --db "$DB" "$ID" >"$T/getarch.json"
check "get says service.archived true" test "$(jget "$T/getarch.json" service.archived)" = true
"$COALMINE" findings list --db "$DB" --max-results 0 --format ids \
    --finding-criteria '{"Criterion":{"service.archived":{"Equals":["true"]}}}' >"$T/carch.ids"
check "criteria on service.archived replace the default" test "$(cat "$T/carch.ids")" = "$ID"
"$COALMINE" findings unarchive --db "$DB" "$ID" "$ID" 2>"$T/unarch.err"
"$COALMINE" findings list --db "$DB" --max-results 0 --format ids >"$T/cur2.ids"
check "unarchive restores it" test "$(grep -c "$ID" "$T/cur2.ids")" -eq 1
check "unarchive ID ID counts one finding" test "$(cat "$T/unarch.err")" = "unarchived 1 finding"
"$COALMINE" findings archive --db "$DB" "$ID2" "$ID" "$ID2" 2>"$T/arch3.err"
check "archive A B A counts two findings" test "$(cat "$T/arch3.err")" = "archived 2 findings"
"$COALMINE" findings unarchive --db "$DB" "$ID2" "$ID" 2>/dev/null
"$COALMINE" findings archive --db "$DB" "$ID2" ffffffffffffffffffffffffffffffff 2>"$T/arch.err"
check "archive with an unknown id exits 1" test $? -eq 1
check "archive with an unknown id names it" grep -q ffffffffffffffffffffffffffffffff "$T/arch.err"
"$COALMINE" findings list --db "$DB" --archived true --format ids >"$T/arch2.ids"
check "archive with an unknown id changes nothing" test ! -s "$T/arch2.ids"
"$COALMINE" findings feedback --db "$DB" --feedback USEFUL --comments "real" "$ID" 2>/dev/null
check "feedback exits 0" test $? -eq 0
"$COALMINE" findings get --db "$DB" "$ID" >"$T/getfb.json"
check "feedback USEFUL shows in get" test "$(jget "$T/getfb.json" service.userFeedback)" = USEFUL
"$COALMINE" findings feedback --db "$DB" --feedback useful "$ID" 2>"$T/fb.err"
check "feedback useful (GuardDuty takes upper case only) is a usage error" test $? -eq 2
check "feedback with a bad value names it (not 'is required')" \
    sh -c 'grep -q -e "--feedback '"'useful'"': USEFUL or NOT_USEFUL" "$1" && ! grep -q required "$1"' \
    _ "$T/fb.err"

# --- stats ------------------------------------------------------------------------------
"$COALMINE" findings stats --db "$DB" --format json >"$T/stats.json"
check "stats exits 0" test $? -eq 0
cur=$(wc -l <"$T/cur2.ids")
check "countBySeverity adds up to the findings ($cur)" \
    test "$(jsum "$T/stats.json" findingStatistics.countBySeverity)" -eq "$cur"
ng=$(jlen "$T/stats.json" findingStatistics.groupedBySeverity); i=0; tot=0
while [ "$i" -lt "$ng" ]; do
    tot=$((tot + $(jget "$T/stats.json" findingStatistics.groupedBySeverity.$i.totalFindings)))
    i=$((i + 1))
done
check "groupedBySeverity adds up too" test "$tot" -eq "$cur"
check "default groupings: severity, type, resource" \
    test "$(jkeys "$T/stats.json" findingStatistics)" = countBySeverity,groupedByFindingType,groupedByResource,groupedBySeverity
"$COALMINE" findings stats --db "$DB" --format json --group-by FINDING_TYPE --max-results 3 >"$T/st3.json"
check "--max-results caps the groups" test "$(jlen "$T/st3.json" findingStatistics.groupedByFindingType)" -eq 3
"$COALMINE" findings stats --db "$DB" --format json --group-by ACCOUNT --group-by REGION --group-by DATE >"$T/st4.json"
check "account group has every finding" \
    test "$(jget "$T/st4.json" findingStatistics.groupedByAccount.0.totalFindings)" -eq "$cur"
check "region and date groups present" \
    test "$(jget "$T/st4.json" findingStatistics.groupedByRegion.0.region),$(jlen "$T/st4.json" findingStatistics.groupedByDate)" = us-east-1,1
# Model timestamps are epoch seconds, JSON numbers (spec §2.1): lastGeneratedAt and
# DateStatistics.date (the day's first second), as an SDK reading the response expects.
check "stats timestamps are epoch-second numbers" python3 -c '
import json, sys, datetime
st = json.load(open(sys.argv[1]))["findingStatistics"]
d = st["groupedByDate"][0]
assert isinstance(d["date"], int) and d["date"] % 86400 == 0, d
assert isinstance(d["lastGeneratedAt"], (int, float)), d
assert 0 <= d["lastGeneratedAt"] - d["date"] < 86400, d
for g in st.values():
    for row in g:
        assert isinstance(row.get("lastGeneratedAt", 0), (int, float)), row
' "$T/st4.json"
"$COALMINE" findings stats --db "$DB" >"$T/stats.txt"
check "stats table starts with the total" grep -qx "$cur findings" "$T/stats.txt"
# The samples include the 67-68 character types: the columns stay aligned under them.
"$COALMINE" findings stats --db "$DB" --archived all --group-by FINDING_TYPE --max-results 1000 \
    >"$T/stt.txt"
check "stats table: a type wider than 50 characters is listed" \
    grep -q '^  UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS ' "$T/stt.txt"
check "stats table: every row's LAST GENERATED under its title" awk '
    /^  FINDING TYPE / { col = index($0, "LAST GENERATED"); next }
    col && /^  [^ ]/ { n++; if (match($0, /[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/) != col) bad++ }
    END { exit !(col > 0 && n > 10 && bad == 0) }' "$T/stt.txt"

# --- export ------------------------------------------------------------------------------
"$COALMINE" findings export --db "$DB" --archived all --output "$T/export.jsonl" 2>"$T/export.err"
check "export exits 0" test $? -eq 0
check "export writes one line per finding" test "$(wc -l <"$T/export.jsonl")" -eq "${NT:-0}"
check "export: every line is a finding" \
    test "$(jget "$T/export.jsonl" id | sort -u | wc -l)" -eq "${NT:-0}"
check "export says how many" grep -q "^exported ${NT:-x} findings" "$T/export.err"
check "export leaves no temporary file" test ! -e "$T/export.jsonl.tmp"
"$COALMINE" findings export --db "$DB" --format eventbridge --type "$TYPE" >"$T/eb.json" 2>/dev/null
check "export eventbridge" test "$(jget "$T/eb.json" detail-type)" = "GuardDuty Finding"
"$COALMINE" findings export --db "$DB" --output "$T/nodir/x.jsonl" 2>"$T/nodir.err"
check "export to an unwritable path exits 1" test $? -eq 1
check "... naming the path given, not its temporary file" \
    sh -c 'grep -q "^coalmine findings: --output $1/nodir/x.jsonl: " "$1/nodir.err" &&
        ! grep -q "x.jsonl.tmp" "$1/nodir.err"' _ "$T"
CM_ABS=$(cd "$(dirname "$COALMINE")" && pwd)/$(basename "$COALMINE")
(cd "$T" && "$CM_ABS" findings export --db "$DB" --archived all --output - >"$T/dash.jsonl" \
    2>"$T/dash.err")
check "export --output - writes to stdout, as --output FILE writes FILE" \
    sh -c 'cmp -s "$1/dash.jsonl" "$1/export.jsonl" && test ! -e "$1/-"' _ "$T"

# --- bad input -----------------------------------------------------------------------------
N="$T/new.db"
"$COALMINE" findings list --db "$N" --finding-criteria '{"Criterion":{"severity":{"Gte":7}' 2>"$T/e1"
check "malformed criteria: exit 1" test $? -eq 1
check "malformed criteria: offset and reason" grep -q 'finding-criteria: byte [0-9]*: .*' "$T/e1"
check "malformed criteria: no store created" test ! -e "$N"
"$COALMINE" findings list --db "$DB" --finding-criteria '{"Criterion":{"colour":{"Equals":["red"]}}}' 2>"$T/e2"
check "unknown criterion field: exit 1" test $? -eq 1
check "unknown criterion field: named" grep -q colour "$T/e2"
"$COALMINE" findings list --db "$DB" --finding-criteria '{"Criterion":{"severity":{"Equals":["abc"]}}}' 2>/dev/null
check "severity Equals abc: exit 1" test $? -eq 1
"$COALMINE" findings list --db "$DB" --finding-criteria '{"Criterion":{"type":{"Gt":5}}}' 2>/dev/null
check "Gt on a string field: exit 1" test $? -eq 1
"$COALMINE" findings list --db "$DB" --sort-criteria '{"AttributeName":"colour"}' 2>/dev/null
check "unknown sort attribute: exit 1" test $? -eq 1
"$COALMINE" findings list --db "$DB" --severity-min high 2>/dev/null
check "--severity-min high: usage error" test $? -eq 2
"$COALMINE" findings list --db "$DB" --since yesterday 2>/dev/null
check "--since yesterday: usage error" test $? -eq 2
"$COALMINE" findings list --db "$DB" --format xml 2>/dev/null
check "--format xml: usage error" test $? -eq 2
"$COALMINE" findings list 2>/dev/null
check "no --db: usage error" test $? -eq 2
printf 'just some text, not a database\n' >"$T/text.db"
cp "$T/text.db" "$T/text.orig"
"$COALMINE" findings list --db "$T/text.db" 2>"$T/e3"
check "non-SQLite --db: exit 1" test $? -eq 1
check "non-SQLite --db: unchanged" cmp -s "$T/text.db" "$T/text.orig"
"$COALMINE" findings sample --db "$T/text.db" 2>/dev/null
check "sample into a non-SQLite file: exit 1" test $? -eq 1
check "sample into a non-SQLite file: unchanged" cmp -s "$T/text.db" "$T/text.orig"
if python3 -c 'import sqlite3' 2>/dev/null; then
    python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE foo(x)"); c.execute("INSERT INTO foo VALUES (1)"); c.commit()' "$T/other.db"
    cp "$T/other.db" "$T/other.orig"
    "$COALMINE" findings list --db "$T/other.db" 2>"$T/e4"
    check "another application's SQLite db: exit 1" test $? -eq 1
    check "another application's SQLite db: says so" grep -q 'not a coalmine store' "$T/e4"
    check "another application's SQLite db: unchanged" cmp -s "$T/other.db" "$T/other.orig"
    "$COALMINE" findings sample --db "$T/other.db" 2>/dev/null
    check "sample into another application's db: exit 1, unchanged" cmp -s "$T/other.db" "$T/other.orig"
else
    skip "another application's SQLite db" "python3 sqlite3 not available"
fi
"$COALMINE" findings list --db "$T/missing.db" 2>"$T/e5"
check "missing --db file: exit 1" test $? -eq 1
check "missing --db file: not created" test ! -e "$T/missing.db"
for sub in get archive stats export; do
    "$COALMINE" findings $sub --db "$T/missing.db" ffffffffffffffffffffffffffffffff >/dev/null 2>&1
    rc=$?
    [ $sub = stats ] || [ $sub = export ] && { "$COALMINE" findings $sub --db "$T/missing.db" >/dev/null 2>&1; rc=$?; }
    check "$sub with a missing --db: exit 1, nothing created" test $rc -eq 1 -a ! -e "$T/missing.db"
done
"$COALMINE" findings sample --db "$T/s2.db" --finding-types Recon:EC2/NoSuchThing 2>"$T/e6"
check "sample of an unknown type: a usage error (exit 2)" test $? -eq 2
check "sample of an unknown type: nothing written" test ! -e "$T/s2.db"
# --account, --region and --detector-id go into every sample's accountId, region and ARN:
# a value no AWS account, region or detector has is a usage error, and nothing is stored.
for bad in "--account abc" "--account 1234567890123" "--region not_a_region" \
    "--region EU-WEST-1" "--detector-id a/b"; do
    # shellcheck disable=SC2086
    "$COALMINE" findings sample --db "$T/s3.db" $bad >/dev/null 2>"$T/e7"
    check "sample $bad: exit 2, named, nothing written" \
        test $? -eq 2 -a ! -e "$T/s3.db" -a -n "$(grep -e "${bad%% *}" "$T/e7")"
done
"$COALMINE" findings sample --db "$T/s3.db" --finding-types recon:ec2/portscan >/dev/null 2>"$T/e8"
check "sample --finding-types of no type in another case: exit 2, nothing written" \
    test $? -eq 2 -a ! -e "$T/s3.db"
check "... with the type meant when only the case differs" \
    grep -q "unknown finding type 'recon:ec2/portscan' (did you mean 'Recon:EC2/Portscan'?" "$T/e8"
"$COALMINE" findings sample --db "$T/s3.db" --account 210987654321 --region eu-west-3 \
    --detector-id abc123 --finding-types "$TYPE" --format json >"$T/s3.json" 2>/dev/null
check "sample --account/--region/--detector-id: in the finding" \
    test "$(jget "$T/s3.json" accountId)/$(jget "$T/s3.json" region)" = "210987654321/eu-west-3" \
    -a -n "$(grep -F ':eu-west-3:210987654321:detector/abc123/finding/' "$T/s3.json")"
"$COALMINE" findings sample --db "$T/s2.db" --finding-types "$TYPE,$TYPE" --format ids >"$T/s2.ids" 2>/dev/null
check "sample of one type: one finding printed" test "$(wc -l <"$T/s2.ids")" -eq 1
"$COALMINE" findings --help >/dev/null
check "findings --help exits 0" test $? -eq 0
"$COALMINE" findings list --help | grep -q -- '--finding-criteria'
check "list --help documents --finding-criteria" test $? -eq 0
done_testing
