#!/bin/sh
# End-to-end tests of the S3 anomaly model (lib/detect/ct_s3_anomaly.c, the
# five S3/AnomalousBehavior types) with the s3-anomaly-* scenarios of
# `coalmine gen` (src/gen/gen_sc_ct_s3_anomaly.c). In each, the stolen IAM
# user key is used a day into the run from a /16 and with a client its owner
# never used for S3, for the kind's volume of calls on a bucket the owner
# never accessed that way, then a few more in the same window; the near
# misses are those calls after the volume (the type fires once a window),
# the owner's own calls at volume on a new bucket from home with its own
# client, the attacker one short of the volume an hour later on another
# bucket (Permission, whose volume is one: a pair the owner already made),
# and the same attack before the owner has a day of S3 history. For each
# scenario: generate a small world with that scenario alone (CloudTrail
# only, as many hours as scenarios.tsv's needs say: 30), scan it with the
# options gen wrote (DIR/intel/args.txt) and check: of the five types exactly
# the expected one fires, once, on the bucket, with the count (the kind's
# volume, though the attacker made more calls on the bucket), severity and
# additionalInfo (kind, callVolume, unusual bucket, network and client,
# anomalousAPIs) of DIR/intel/scenarios.tsv; every near miss is really in
# the logs. Then the five together (the same output for any --jobs), the
# thirteen anomaly scenarios together (these five and the eight api-anomaly
# ones: no finding of one model from the other's attacks), and the
# background alone over 40 hours: no S3/AnomalousBehavior finding. Prints TAP.
COALMINE=${COALMINE:-${BUILD:-build}/coalmine}
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/ct_scen.sh"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4 --kinds cloudtrail"
NET=162.19.0.0/16 # CM_GEN_SC_NET_S3_ANOMALY's /16 (gen_sc_ct.h)
CLIENT=aws-sdk-cpp

# type|kind|volume|the calls anomalousAPIs must name|calls of the near misses it must not name
EXPECT='Discovery:S3/AnomalousBehavior|Discovery|5|ListObjectsV2 ListObjectVersions GetObjectAcl|HeadObject GetObject
Exfiltration:S3/AnomalousBehavior|Exfiltration|20|GetObject|ListObjectsV2
Impact:S3/AnomalousBehavior.Delete|Delete|10|DeleteObject|GetObject ListObjectsV2
Impact:S3/AnomalousBehavior.Permission|Permission|1|PutObjectAcl|GetObject ListObjectsV2
Impact:S3/AnomalousBehavior.Write|Write|10|PutObject|GetObject ListObjectsV2'
printf '%s\n' "$EXPECT" | cut -d '|' -f 1 >"$T/types"
# the eight types of the API anomaly model, for the runs with its scenarios
for t in Discovery CredentialAccess DefenseEvasion Exfiltration Impact InitialAccess Persistence \
    PrivilegeEscalation; do
    echo "$t:IAMUser/AnomalousBehavior"
done >"$T/iamtypes"
cat "$T/types" "$T/iamtypes" >"$T/alltypes"

if command -v jq >/dev/null; then
    # summary JSON OUT TYPES: per finding of a type listed in TYPES:
    # type|resource (the bucket, else the access key)|count|severity|resourceType|additionalInfo
    summary() {
        jq -r '(.service.additionalInfo // {}) as $a
            | ($a | if (.value | type) == "string" then (.value | fromjson? // {}) else . end) as $i
            | [.type, (.resource.s3BucketDetails[0].name // .resource.accessKeyDetails.accessKeyId
                       // "-"),
               .service.count, .severity, (.resource.resourceType // "-"),
               ($i | del(.coalmine) | tojson)] | join("|")' "$1" |
            awk -F '|' 'NR == FNR { t[$0] = 1; next } ($1 in t)' "${3:-$T/types}" - >"$2" || :
    }
    JSONOK=1
elif command -v python3 >/dev/null; then
    summary() {
        python3 - "$1" "${3:-$T/types}" >"$2" <<'PY'
import json, sys
types = set(l.strip() for l in open(sys.argv[2]) if l.strip())
for l in open(sys.argv[1]):
    if not l.strip():
        continue
    f = json.loads(l)
    if f["type"] not in types:
        continue
    r, s = f.get("resource", {}), f.get("service", {})
    a = s.get("additionalInfo") or {}
    if isinstance(a.get("value"), str):
        try:
            a = json.loads(a["value"])
        except ValueError:
            a = {}
    a.pop("coalmine", None)
    sev = f["severity"]
    sev = int(sev) if float(sev).is_integer() else sev
    b = (r.get("s3BucketDetails") or [{}])[0].get("name")
    res = b or r.get("accessKeyDetails", {}).get("accessKeyId") or "-"
    print("|".join([f["type"], res, str(s.get("count")), str(sev), r.get("resourceType", "-"),
                    json.dumps(a, separators=(",", ":"))]))
PY
    }
    JSONOK=1
else
    JSONOK=0
fi

# check_info LABEL LINE TYPE: additionalInfo of summary LINE against the table above (kind
# and network are scenarios.tsv's checks)
check_info() {
    _lbl=$1; _ai=$(printf '%s\n' "$2" | cut -d '|' -f 6-)
    _bucket=$(printf '%s\n' "$2" | cut -d '|' -f 2)
    _row=$(printf '%s\n' "$EXPECT" | awk -F '|' -v t="$3" '$1 == t')
    _cv=$(info_json "$_ai" callVolume)
    _vol=$(printf '%s\n' "$_row" | cut -d '|' -f 3)
    check "$_lbl: callVolume {calls:$_vol, windowSeconds:600} (got $_cv)" \
        test "$_cv" = "{\"calls\":$_vol,\"windowSeconds\":600}"
    _ub=$(info_json "$_ai" unusualBehavior.unusualBucketsUserIdentityProfiling)
    check "$_lbl: unusual bucket is the finding's ($_bucket; got $_ub)" test "$_ub" = "\"$_bucket\""
    _ua=$(info_json "$_ai" unusualBehavior.unusualUserAgentsUserIdentityProfiling)
    check "$_lbl: unusual client \"$CLIENT\" (got $_ua)" test "$_ua" = "\"$CLIENT\""
    _apis=$(info_json "$_ai" anomalies.anomalousAPIs)
    _miss=""
    for _c in $(printf '%s\n' "$_row" | cut -d '|' -f 4); do
        names_api "$_apis" "$_c" || _miss="$_miss $_c"
    done
    _extra=""
    for _c in $(printf '%s\n' "$_row" | cut -d '|' -f 5); do
        names_api "$_apis" "$_c" && _extra="$_extra $_c"
    done
    check "$_lbl: anomalousAPIs names the attack's calls, no near miss's (got $_apis)" \
        test -z "$_miss$_extra"
}

if [ "$JSONOK" = 0 ]; then
    skip "S3 anomaly scenarios" "neither jq nor python3 is installed"
    done_testing
    exit 0
fi

# --- gen knows the scenarios -------------------------------------------------------------
list_scenarios "$T/types"
awk 'NR == FNR { t[$1] = 1; next } ($2 in t) { print $1 }' "$T/iamtypes" "$T/list" \
    >"$T/iamscenarios"
check "a scenario for each of the 5 S3/AnomalousBehavior types ($(tr '\n' ' ' <"$T/scenarios"))" \
    test -z "$missing" -a "$(wc -l <"$T/scenarios")" -eq 5

# --- one scenario at a time ----------------------------------------------------------------
maxh=1
for sc in $(cat "$T/scenarios"); do
    D="$T/$sc"
    # the hours it needs are in scenarios.tsv: generate one hour first, then that many
    # shellcheck disable=SC2086 # WORLD is a list of options
    needed_hours "$D" "$sc" $WORLD || continue
    check "$sc: needs a day of S3 history and more ($hours hours)" test "${hours:-0}" -gt 24
    [ "${hours:-0}" -gt "$maxh" ] && maxh=$hours
    if ! "$COALMINE" gen --out "$D" $WORLD --hours "${hours:-1}" --scenario "$sc" >/dev/null \
        2>"$T/gen.err"; then
        nok "$sc: gen --hours $hours" "$(cat "$T/gen.err")"
        continue
    fi
    grep -v '^#' "$D/intel/scenarios.tsv" >"$T/exp.tsv"
    type=$(cut -f 2 "$T/exp.tsv")
    vol=$(printf '%s\n' "$EXPECT" | awk -F '|' -v t="$type" '$1 == t { print $3 }')
    check "$sc: scenarios.tsv expects one $type finding of $vol calls (got $(cut -f 6 "$T/exp.tsv"))" \
        test "$(wc -l <"$T/exp.tsv")" -eq 1 -a "$(cut -f 6 "$T/exp.tsv")" = "$vol"
    scan "$D" "$T/f.json"
    check "$sc: scan exits 0" test $? -eq 0
    summary "$T/f.json" "$T/f.sum"
    got=$(cut -d '|' -f 1 "$T/f.sum" | sort | tr '\n' ' ')
    check "$sc: of the 5 types only one $type finding (got: ${got:-none})" \
        test "$got" = "$type "
    want=$(cut -f 2,3,6 "$T/exp.tsv" | tr '\t' '|')
    gotrc=$(cut -d '|' -f 1-3 "$T/f.sum" | head -n 1)
    check "$sc: type|bucket|count $want (near misses not counted; got ${gotrc:-none})" \
        test "$gotrc" = "$want"
    records "$D" >"$T/recs"
    line=$(head -n 1 "$T/f.sum")
    if [ -n "$line" ]; then
        bucket=$(printf '%s\n' "$line" | cut -d '|' -f 2)
        # the attacker's calls on the bucket: the volume and those after it, in one window
        att=$(cut -f 7 "$T/exp.tsv")
        natt=$(grep -F "\"sourceIPAddress\":\"$att\"" "$T/recs" |
            grep -cF "\"bucketName\":\"$bucket\"")
        check "$sc: the attacker made $natt calls on $bucket, the finding counts $vol (once a window)" \
            test "$natt" -gt "$vol"
        sev=$(cut -f 9 "$T/exp.tsv")
        gsev=$(printf '%s\n' "$line" | cut -d '|' -f 4)
        check "$sc: severity $sev (got $gsev)" test "$gsev" = "$sev"
        rtype=$(printf '%s\n' "$line" | cut -d '|' -f 5)
        check "$sc: resource type S3Bucket (got $rtype)" test "$rtype" = "S3Bucket"
        ai=$(printf '%s\n' "$line" | cut -d '|' -f 6-)
        for kv in $(cut -f 11 "$T/exp.tsv" | tr '&' ' '); do
            gv=$(info_json "$ai" "${kv%%=*}")
            check "$sc: additionalInfo.${kv%%=*} = ${kv#*=} (got $gv)" test "$gv" = "${kv#*=}"
        done
        check_info "$sc" "$line" "$type"
    fi
    near_in_logs "$sc: its" "$T/exp.tsv" "$T/recs"
    rm -rf "$D"
done

# --- the five together ---------------------------------------------------------------------
A="$T/five"
set --
for sc in $(cat "$T/scenarios"); do set -- "$@" --scenario "$sc"; done
# shellcheck disable=SC2086 # WORLD is a list of options
gen_agree "$A" "the 5 scenarios" "$maxh" $WORLD "$@"
records "$A" >"$T/five.recs"
grep -v '^#' "$A/intel/scenarios.tsv" >"$T/five.tsv"
near_in_logs "the 5 scenarios: their" "$T/five.tsv" "$T/five.recs"
scan "$A" "$T/five.json"
check "the 5 scenarios: scan exits 0" test $? -eq 0
summary "$T/five.json" "$T/five.sum" "$T/alltypes"
allwant "$A" "$T/want.five"
cut -d '|' -f 1-3 "$T/five.sum" | sort >"$T/got.five"
name="the 5 scenarios: $(wc -l <"$T/want.five") findings, each type, bucket and count as expected"
same_rows "$name" "$T/want.five" "$T/got.five"
bad=""
while IFS= read -r line; do
    t=${line%%|*}
    ai=$(printf '%s\n' "$line" | cut -d '|' -f 6-)
    kind=$(info_json "$ai" kind)
    want=$(printf '%s\n' "$EXPECT" | awk -F '|' -v t="$t" '$1 == t { print $2 }')
    net=$(info_json "$ai" unusualBehavior.unusualNetworksUserIdentityProfiling)
    [ "$kind" = "\"$want\"" ] && [ "$net" = "\"$NET\"" ] || bad="$bad $t($kind,$net)"
done <"$T/five.sum"
check "the 5 scenarios: each finding names its kind and the network $NET${bad:+ (not:$bad)}" \
    test -z "$bad" -a -s "$T/five.sum"
# The same trail from before eventCategory: its S3 data events say managementEvent false
# alone (lib/detect/ct_common.c). Before 2026-12-04 the model read none of them: no finding.
O="$T/fiveold"
cp -r "$A" "$O"
for f in $(find "$O/AWSLogs" -name '*.gz'); do
    gzip -dc "$f" | sed 's/"eventCategory":"[A-Za-z]*",//g; s/,"eventCategory":"[A-Za-z]*"//g' |
        gzip -c >"$f.t" && mv "$f.t" "$f"
done
check "the 5 scenarios without eventCategory: no record has one" \
    sh -c '! find "$1/AWSLogs" -name "*.gz" -exec gzip -dc {} + | grep -q eventCategory' _ "$O"
scan "$O" "$T/fiveold.json"
summary "$T/fiveold.json" "$T/fiveold.sum" "$T/alltypes"
cut -d '|' -f 1-3 "$T/fiveold.sum" | sort >"$T/got.fiveold"
name="the 5 scenarios without eventCategory: the same findings"
same_rows "$name" "$T/want.five" "$T/got.fiveold"
rm -rf "$A" "$O"

# --- the thirteen anomaly scenarios together ----------------------------------------------
A="$T/all"
for sc in $(cat "$T/iamscenarios"); do set -- "$@" --scenario "$sc"; done
"$COALMINE" gen --out "$A" $WORLD --hours "$maxh" "$@" >/dev/null 2>&1
check "gen with the $(($# / 2)) anomaly scenarios ($maxh hours) exits 0" test $? -eq 0 -a $# -eq 26
scan "$A" "$T/all.json"
check "the 13 scenarios: scan exits 0" test $? -eq 0
summary "$T/all.json" "$T/all.sum" "$T/alltypes"
allwant "$A" "$T/want.all"
cut -d '|' -f 1-3 "$T/all.sum" | sort >"$T/got.all"
name="the 13 scenarios: the $(wc -l <"$T/want.all") findings of both models, no other"
if cmp -s "$T/want.all" "$T/got.all" && [ "$(wc -l <"$T/got.all")" -eq 13 ]; then
    ok "$name"
else
    nok "$name" "$(diff "$T/want.all" "$T/got.all" | grep '^[<>]' | head -n 20)"
fi
grep -v '^#' "$A/intel/scenarios.tsv" >"$T/all.tsv"
records "$A" >"$T/all.recs"
near_in_logs "the 13 scenarios: their" "$T/all.tsv" "$T/all.recs"
rm -rf "$A"

# --- the background alone ------------------------------------------------------------------
B="$T/bg"
"$COALMINE" gen --out "$B" $WORLD --hours 40 >/dev/null 2>&1
check "background (40 hours) gen exits 0" test $? -eq 0
scan "$B" "$T/bg.json"
check "background scan exits 0" test $? -eq 0
summary "$T/bg.json" "$T/bg.sum"
ndata=$(records "$B" | grep -c '"eventCategory":"Data"')
if [ -s "$T/bg.sum" ]; then
    nok "background over 40 hours ($ndata S3 data events): no S3/AnomalousBehavior finding" \
        "$(cut -d '|' -f 1-3 "$T/bg.sum" | head -n 12)"
else
    ok "background over 40 hours ($ndata S3 data events): no S3/AnomalousBehavior finding"
fi

done_testing
