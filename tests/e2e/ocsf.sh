#!/bin/sh
# `--format ocsf` against OCSF 1.1.0 Detection Finding (class 2004), checked by
# tests/e2e/lib/ocsf_check.py (the rules in its header: attributes of the class and
# its objects, required ones, ids agreeing with captions, type_uid, times in integer
# ms), over the seed-7 world (every scenario): a batch scan, incremental scans with
# --db and with --state, `findings get`, `findings sample`. And what the activity
# means (docs/formats.md, "OCSF"):
#   - a batch scan reports each finding for the first time: every event is 1 Create,
#     however many events a finding folds (before 2026-12-05 one with count > 1 was
#     2 Update, so a consumer saw an update of a finding it was never told of);
#   - with --db, a finding the store did not hold is Create, one it held and this scan
#     changed is Update (the stored finding it became);
#   - with --state alone nothing remembers what an earlier run printed: Create;
#   - metadata.uid is each event's own (the EventBridge event id of that state), so a
#     Create and its Update are two events (before 2026-12-05: the finding id).
. "$(dirname "$0")/lib/tap.sh"

if ! command -v python3 >/dev/null; then
    skip "OCSF output" "python3 is not installed"
    done_testing
    exit 0
fi
CHECK="python3 $(dirname "$0")/lib/ocsf_check.py"

# acts FILE: "activity_id count id" per event
acts() {
    python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    print(e["activity_id"], e["count"], e["finding_info"]["uid"])' "$1"
}

"$COALMINE" gen --out "$T/w" --hours 6 --scenario all --seed 7 >/dev/null 2>"$T/gen.err"
ARGS=$(cat "$T/w/intel/args.txt")
# every other log file: the first of two incremental scans
find "$T/w/AWSLogs" -type f | sort | awk 'NR % 2' >"$T/half"

# The checker finds what it must.
cat >"$T/bad.ocsf" <<'JSON'
{"activity_id":2,"activity_name":"Create","category_uid":2,"class_uid":2004,"type_uid":200401,"severity_id":4,"severity":"Medium","status_id":1,"status":"Open","time":"2026-01-01T00:00:00Z","metadata":{"version":"1.1.0","product":{"name":"x"}},"finding_info":{"uid":"u","title":"t","created_time":1767225600},"cloud":{"provider":"AWS"},"src_endpoint":{"ip":"198.51.100.1"},"evidences":[{"query":{}}]}
JSON
$CHECK "$T/bad.ocsf" >"$T/bad.out"
rc=$?
got=$(sed 's/^[^:]*:[0-9]*: //' "$T/bad.out" | cut -d: -f1 | sort | tr '\n' ' ')
check "the checker rejects a planted event: exit 1, each defect named ($got)" \
    test $rc = 1 -a "$got" = "activity_name evidences[0].query evidences[0].query.hostname finding_info.created_time metadata.product.vendor_name metadata.profiles severity src_endpoint status time type_uid "

# A batch scan: all Create.
# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan --quiet --format ocsf $ARGS "$T/w/AWSLogs" >"$T/batch.ocsf" 2>"$T/batch.err"
check "batch scan exits 0" test $? = 0
out=$($CHECK "$T/batch.ocsf" | head -3)
check "batch scan: every event a valid Detection Finding ($out)" test "$(echo "$out" | cut -d' ' -f1)" = ok
acts "$T/batch.ocsf" >"$T/batch.acts"
folded=$(awk '$2 > 1' "$T/batch.acts" | wc -l)
check "batch scan: every event Create, the $folded findings that fold several events too" \
    test "$(awk '$1 != 1' "$T/batch.acts" | wc -l)" = 0 -a "$folded" -gt 10

# --db: every other file, then all.
# shellcheck disable=SC2086,SC2046
"$COALMINE" scan --quiet --db "$T/s.db" --format ocsf $ARGS $(cat "$T/half") >"$T/db1.ocsf" 2>"$T/db1.err"
# shellcheck disable=SC2086
"$COALMINE" scan --quiet --db "$T/s.db" --format ocsf $ARGS "$T/w/AWSLogs" >"$T/db2.ocsf" 2>"$T/db2.err"
out=$($CHECK "$T/db1.ocsf" "$T/db2.ocsf" | head -3)
check "--db scans: valid Detection Findings ($out)" test "$(echo "$out" | cut -d' ' -f1)" = ok
acts "$T/db1.ocsf" >"$T/db1.acts"
acts "$T/db2.ocsf" >"$T/db2.acts"
check "--db, first scan: every event Create ($(wc -l <"$T/db1.acts") findings)" \
    test "$(awk '$1 != 1' "$T/db1.acts" | wc -l)" = 0 -a -s "$T/db1.acts"
bad=$(awk 'NR == FNR { seen[$3] = 1; next } ($1 == 2) != ($3 in seen) { print }' \
    "$T/db1.acts" "$T/db2.acts")
upd=$(awk '$1 == 2' "$T/db2.acts" | wc -l)
new=$(awk '$1 == 1' "$T/db2.acts" | wc -l)
check "--db, second scan: Update exactly for the stored findings it changed ($upd), Create for the new ($new)" \
    test -z "$bad" -a "$upd" -gt 0 -a "$new" -gt 0
got=$(python3 -c '
import json, sys
ev = [json.loads(l) for f in sys.argv[1:] for l in open(f)]
uids = [e["metadata"]["uid"] for e in ev]
fids = [e["finding_info"]["uid"] for e in ev]
print(len(set(uids)) == len(uids), len(fids) - len(set(fids)))' "$T/db1.ocsf" "$T/db2.ocsf")
check "--db scans: each event its own metadata.uid, a finding reported twice too ($got)" \
    test "${got%% *}" = True -a "${got#* }" -gt 0
# shellcheck disable=SC2046 # the ids, one word each
"$COALMINE" findings get --db "$T/s.db" --format ocsf \
    $("$COALMINE" findings list --db "$T/s.db" --archived all --max-results 0 --format ids) \
    >"$T/get.ocsf" 2>"$T/get.err"
out=$($CHECK "$T/get.ocsf" | head -3)
check "findings get --format ocsf: valid Detection Findings ($out)" test "$(echo "$out" | cut -d' ' -f1)" = ok

# --state alone: the second run reads the other files only; all Create.
# shellcheck disable=SC2086,SC2046
"$COALMINE" scan --quiet --state "$T/st" --format ocsf $ARGS $(cat "$T/half") >"$T/st1.ocsf" 2>"$T/st1.err"
# shellcheck disable=SC2086
"$COALMINE" scan --quiet --state "$T/st" --format ocsf $ARGS "$T/w/AWSLogs" >"$T/st2.ocsf" 2>"$T/st2.err"
out=$($CHECK "$T/st1.ocsf" "$T/st2.ocsf" | head -3)
acts "$T/st2.ocsf" >"$T/st2.acts"
check "--state scans: valid, and the second run's $(wc -l <"$T/st2.acts") events all Create ($out)" \
    test "$(echo "$out" | cut -d' ' -f1)" = ok -a "$(awk '$1 != 1' "$T/st2.acts" | wc -l)" = 0 \
    -a -s "$T/st2.acts"

# The sample of every type.
"$COALMINE" findings sample --db "$T/samples.db" --format ocsf >"$T/samples.ocsf" 2>"$T/samples.err"
out=$($CHECK "$T/samples.ocsf" | head -3)
check "findings sample --format ocsf: $(wc -l <"$T/samples.ocsf") valid Detection Findings ($out)" \
    test "$(echo "$out" | cut -d' ' -f1)" = ok -a "$(wc -l <"$T/samples.ocsf")" -gt 90
done_testing
