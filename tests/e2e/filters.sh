#!/bin/sh
# End-to-end tests of `coalmine filters`: create (flags, --cli-input-json,
# file://), list, get, update and delete round trips, validation by the
# library, and ARCHIVE filters suppressing sample findings end to end.
# Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
DB="$T/f.db"
SPAM="Backdoor:EC2/Spambot"

# --- create ---------------------------------------------------------------------------------
"$COALMINE" filters create --db "$DB" --name suppress-spam --action ARCHIVE \
    --description "known mail relay" \
    --finding-criteria '{"Criterion":{"type":{"Equals":["'"$SPAM"'"]}}}' >"$T/c1.out"
check "create exits 0 and creates the store" test $? -eq 0 -a -f "$DB"
check "create prints the name" test "$(cat "$T/c1.out")" = suppress-spam
printf '%s\n' '{"DetectorId":"12abc34d567e8fa901bc2d34e56789f0","Name":"high-view","Action":"NOOP",' \
    '"Rank":5,"Description":"high and critical","ClientToken":"","Tags":{},' \
    '"FindingCriteria":{"Criterion":{"severity":{"Gte":7}}}}' >"$T/body.json"
"$COALMINE" filters create --db "$DB" --cli-input-json "file://$T/body.json" --format json >"$T/c2.out"
check "create --cli-input-json file:// (CLI skeleton members)" test $? -eq 0
check "create --format json prints {\"name\"}" test "$(jget "$T/c2.out" name)" = high-view
"$COALMINE" filters create --db "$DB" \
    --cli-input-json '{"name":"ports","findingCriteria":{"criterion":{"service.action.networkConnectionAction.localPortDetails.port":{"equals":["22","3389"]}}}}' >/dev/null
check "create --cli-input-json lowerCamel" test $? -eq 0

# --- list and get ---------------------------------------------------------------------------
"$COALMINE" filters list --db "$DB" --format json >"$T/l1.json"
check "list json: ListFilters response in rank order" \
    test "$(jget "$T/l1.json" 'filterNames[]' | tr '\n' ' ')" = "suppress-spam high-view ports "
"$COALMINE" filters list --db "$DB" >"$T/l1.txt"
check "list table: header and three rows" test "$(wc -l <"$T/l1.txt")" -eq 4
check "list table: rank, action, name, description" \
    grep -q '^ *5  NOOP  *high-view  *high and critical$' "$T/l1.txt"
"$COALMINE" filters get --db "$DB" high-view >"$T/g1.json"
check "get exits 0" test $? -eq 0
check "get: GetFilter fields" \
    test "$(for k in name action rank description; do jget "$T/g1.json" $k; done | tr '\n' '|')" = "high-view|NOOP|5|high and critical|"
check "get: criteria in canonical form" \
    test "$(jget "$T/g1.json" findingCriteria.criterion.severity.greaterThanOrEqual)" = 7
check "rank after 5 given to the next filter" \
    test "$("$COALMINE" filters get --db "$DB" ports >"$T/g2.json"; jget "$T/g2.json" rank)" = 6
"$COALMINE" filters create --db "$T/eq.db" --name eq-and-equals \
    --finding-criteria '{"Criterion":{"type":{"Eq":["A"],"Equals":["A","B"]}}}' >/dev/null
"$COALMINE" filters get --db "$T/eq.db" eq-and-equals >"$T/geq.json"
check "get: Eq and Equals of one attribute keep two members (a JSON reader sees both)" \
    test "$(jkeys "$T/geq.json" findingCriteria.criterion.type)|$(jget "$T/geq.json" 'findingCriteria.criterion.type.eq[]' | tr '\n' ' ')" = "eq,equals|A B "
"$COALMINE" filters get --db "$DB" --format table suppress-spam >"$T/g3.txt"
check "get --format table" grep -q '^action: *ARCHIVE$' "$T/g3.txt"
"$COALMINE" filters get --db "$DB" no-such-filter 2>"$T/g4.err"
check "get of an unknown filter: exit 1" test $? -eq 1
check "get of an unknown filter: named" grep -q no-such-filter "$T/g4.err"

# --- update ---------------------------------------------------------------------------------
"$COALMINE" filters update --db "$DB" --rank 1 --action ARCHIVE high-view >"$T/u1.out"
check "update exits 0 and prints the name" test $? -eq 0 -a "$(cat "$T/u1.out")" = high-view
"$COALMINE" filters get --db "$DB" high-view >"$T/u1.json"
check "update: rank and action changed" \
    test "$(jget "$T/u1.json" rank) $(jget "$T/u1.json" action)" = "1 ARCHIVE"
check "update: description and criteria kept" \
    test "$(jget "$T/u1.json" description)|$(jget "$T/u1.json" findingCriteria.criterion.severity.greaterThanOrEqual)" = "high and critical|7"
"$COALMINE" filters update --db "$DB" --rank 50 suppress-spam >/dev/null
"$COALMINE" filters list --db "$DB" --format json >"$T/l2.json"
check "update: the list follows the new ranks" \
    test "$(jget "$T/l2.json" 'filterNames[]' | tr '\n' ' ')" = "high-view ports suppress-spam "
"$COALMINE" filters update --db "$DB" --finding-criteria '{"Criterion":{"severity":{"Gte":9}}}' \
    --description "" high-view >/dev/null
"$COALMINE" filters get --db "$DB" high-view >"$T/u2.json"
check "update: criteria replaced, description cleared" \
    test "$(jget "$T/u2.json" findingCriteria.criterion.severity.greaterThanOrEqual)|$(jget "$T/u2.json" description)" = "9|"
"$COALMINE" filters update --db "$DB" --rank 1 no-such-filter 2>/dev/null
check "update of an unknown filter: exit 1" test $? -eq 1
"$COALMINE" filters update --db "$DB" --rank 101 high-view 2>"$T/u3.err"
check "update --rank 101: a usage error (exit 2)" test $? -eq 2
check "update --rank 101: the reason" grep -q "rank wants a number from 1 to 100" "$T/u3.err"
check "update --rank 101: nothing changed" \
    test "$("$COALMINE" filters get --db "$DB" high-view >"$T/u4.json"; jget "$T/u4.json" rank)" = 1
"$COALMINE" filters update --db "$DB" high-view 2>/dev/null
check "update with nothing to change: usage error" test $? -eq 2

# --- delete ---------------------------------------------------------------------------------
"$COALMINE" filters delete --db "$DB" ports 2>/dev/null
check "delete exits 0" test $? -eq 0
"$COALMINE" filters list --db "$DB" --format json >"$T/l3.json"
check "delete: gone from the list" test "$(jget "$T/l3.json" 'filterNames[]' | grep -c '^ports$')" -eq 0
"$COALMINE" filters delete --db "$DB" ports 2>/dev/null
check "delete of an unknown filter: exit 1" test $? -eq 1
"$COALMINE" filters delete --db "$DB" high-view 2>/dev/null

# --- validation -------------------------------------------------------------------------------
"$COALMINE" filters create --db "$DB" --name suppress-spam \
    --finding-criteria '{"Criterion":{"severity":{"Gte":1}}}' 2>"$T/v1.err"
check "create with a taken name: exit 1" test $? -eq 1
check "create with a taken name: says so" grep -q 'already exists' "$T/v1.err"
"$COALMINE" filters create --db "$DB" --name 'bad name!' \
    --finding-criteria '{"Criterion":{"severity":{"Gte":1}}}' 2>/dev/null
check "create with a bad name: exit 1" test $? -eq 1
"$COALMINE" filters create --db "$DB" --name emptycrit --finding-criteria '{"Criterion":{}}' 2>/dev/null
check "create with empty criteria: exit 1" test $? -eq 1
"$COALMINE" filters create --db "$DB" --name badaction --action DELETE \
    --finding-criteria '{"Criterion":{"severity":{"Gte":1}}}' 2>/dev/null
check "create with action DELETE: a usage error (exit 2)" test $? -eq 2
"$COALMINE" filters create --db "$DB" --name badjson --finding-criteria '{"Criterion":' 2>"$T/v2.err"
check "create with malformed criteria: exit 1" test $? -eq 1
check "create with malformed criteria: byte offset" grep -q 'finding-criteria: byte [0-9]' "$T/v2.err"
"$COALMINE" filters create --db "$DB" --cli-input-json '{"Name":"x1y","Colour":"red","FindingCriteria":{"Criterion":{"severity":{"Gte":1}}}}' 2>"$T/v3.err"
check "--cli-input-json with an unknown member: exit 1" test $? -eq 1
check "--cli-input-json with an unknown member: named, with its offset" grep -q 'cli-input-json: byte 15: .*Colour' "$T/v3.err"
"$COALMINE" filters create --db "$DB" --name only-name 2>/dev/null
check "create without criteria: usage error" test $? -eq 2
"$COALMINE" filters list --db "$DB" --format json >"$T/l4.json"
check "failed creates stored nothing" test "$(jget "$T/l4.json" 'filterNames[]' | tr '\n' ' ')" = "suppress-spam "
"$COALMINE" filters list --db "$T/missing.db" 2>/dev/null
check "list with a missing --db: exit 1, nothing created" test $? -eq 1 -a ! -e "$T/missing.db"
"$COALMINE" filters create --db "$T/bad.db" --name x-y-z --finding-criteria '{"Criterion":{"nope":{"Eq":["1"]}}}' 2>/dev/null
check "create with bad criteria creates no store" test $? -eq 1 -a ! -e "$T/bad.db"

# --- a type that is no finding type: valid (as in GuardDuty), but said ------------------------
"$COALMINE" filters create --db "$T/ty.db" --name typo-scan --action ARCHIVE \
    --finding-criteria '{"Criterion":{"type":{"Eq":["Recon:EC2/PortScan"]}}}' >/dev/null 2>"$T/ty1.err"
check "a filter on a misspelt type is still created (exit 0)" test $? -eq 0
check "a misspelt type is warned about, with the type meant" \
    grep -q 'warning: type "Recon:EC2/PortScan" is not a finding type (did you mean "Recon:EC2/Portscan"?' "$T/ty1.err"
"$COALMINE" filters create --db "$T/ty.db" --cli-input-json \
    '{"Name":"typo-two","FindingCriteria":{"Criterion":{"type":{"Neq":["Nope:EC2/Nothing"]}}}}' >/dev/null 2>"$T/ty2.err"
check "--cli-input-json: an unknown type in Neq is warned about" \
    grep -q 'type "Nope:EC2/Nothing" is not a finding type (docs/finding-types.md lists them): it excludes no finding' "$T/ty2.err"
"$COALMINE" filters create --db "$T/ty.db" --name right-scan \
    --finding-criteria '{"Criterion":{"type":{"Eq":["Recon:EC2/Portscan"]}}}' >/dev/null 2>"$T/ty3.err"
check "a known type gives no warning" test ! -s "$T/ty3.err"
"$COALMINE" findings list --db "$T/ty.db" --type "Recon:EC2/Portscan,recon:ec2/portprobeunprotectedport" \
    >/dev/null 2>"$T/ty4.err"
check "findings list --type: exit 0, one warning for the one unknown type" \
    test $? -eq 0 -a "$(grep -c warning "$T/ty4.err")" -eq 1
check "findings list --type: names the type meant" \
    grep -q 'did you mean "Recon:EC2/PortProbeUnprotectedPort"?' "$T/ty4.err"

# --- ARCHIVE suppression, end to end ----------------------------------------------------------
"$COALMINE" findings sample --db "$DB" --format json >"$T/s.json" 2>"$T/s.err"
check "sample with an ARCHIVE filter exits 0" test $? -eq 0
check "the suppressed type is not printed" test "$(jget "$T/s.json" type | grep -c "^$SPAM\$")" -eq 0
check "other types are printed" test "$(wc -l <"$T/s.json")" -gt 10
check "the summary counts one archived" grep -q '(1 archived by filters)$' "$T/s.err"
"$COALMINE" findings list --db "$DB" --archived true --format json >"$T/a.json"
check "list --archived true shows it archived" \
    test "$(jget "$T/a.json" type) $(jget "$T/a.json" service.archived)" = "$SPAM true"
"$COALMINE" findings list --db "$DB" --type "$SPAM" --format ids >"$T/cur.ids"
check "it is not among the current findings" test ! -s "$T/cur.ids"
"$COALMINE" findings sample --db "$DB" --finding-types "$SPAM" --format ids >"$T/again.ids" 2>/dev/null
check "a new occurrence of a suppressed finding stays suppressed" test ! -s "$T/again.ids"
"$COALMINE" filters create --db "$T/f2.db" --name spam-view \
    --finding-criteria '{"Criterion":{"type":{"Equals":["'"$SPAM"'"]}}}' >/dev/null
"$COALMINE" findings sample --db "$T/f2.db" --finding-types "$SPAM" --format json >"$T/s2.json" 2>/dev/null
check "a NOOP filter suppresses nothing" test "$(jget "$T/s2.json" type)" = "$SPAM"
done_testing
