#!/bin/sh
# End-to-end tests of the API anomaly model (lib/detect/ct_anomaly.c, the
# eight <Tactic>:IAMUser/AnomalousBehavior types) with the api-anomaly-*
# scenarios of `coalmine gen` (src/gen/gen_sc_ct_anomaly.c). In each, the
# stolen IAM user key is used a day into the run from a /16 and with a client
# its owner never used, for calls the owner never made; the near misses are
# the owner's own new calls from home with its own client, the attacker's
# calls the owner already made, a Discovery burst one call short, and the
# same attack before the owner has a day of history. For each scenario:
# generate a small world with that scenario alone (CloudTrail only, as many
# hours as scenarios.tsv's needs say: 27, 28 for Discovery), scan it with the
# options gen wrote (DIR/intel/args.txt) and check: of the eight types
# exactly the expected one fires, once, with the resource (the stolen key),
# count, severity and additionalInfo (tactic, unusual network) of
# DIR/intel/scenarios.tsv; additionalInfo's anomalousAPIs names the attack's
# calls and none of the near misses', its unusual client is the attacker's;
# every near miss is really in the logs. Then the eight together (and the
# same output for any --jobs), and the background alone over 40 hours: no
# AnomalousBehavior finding. Last, networks by AS with MaxMind's ASN test
# database (skipped without ../shared/data): a new /16 of a usual AS is usual,
# another AS is named in the finding. Prints TAP.
COALMINE=${COALMINE:-${BUILD:-build}/coalmine}
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/ct_scen.sh"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4 --kinds cloudtrail"
NET=154.61.0.0/16 # CM_GEN_SC_NET_ANOMALY's /16 (gen_sc_ct.h)
CLIENT=aws-sdk-rust

# type|the calls anomalousAPIs must name|calls of the near misses it must not name
EXPECT='Discovery:IAMUser/AnomalousBehavior|GetAccountAuthorizationDetails ListUserPolicies ListGroupsForUser ListSAMLProviders ListVirtualMFADevices DescribeFlowLogs|DescribeInstances DescribeSecurityGroupRules ListSSHPublicKeys ListServerCertificates DescribeSnapshotAttribute DescribeInstanceAttribute
CredentialAccess:IAMUser/AnomalousBehavior|GetPasswordData|GetSecretValue GetConsoleOutput GetLaunchTemplateData
DefenseEvasion:IAMUser/AnomalousBehavior|DeleteFlowLogs|PutRetentionPolicy DeleteAlarms StopConfigurationRecorder
Exfiltration:IAMUser/AnomalousBehavior|ModifySnapshotAttribute|CreateSnapshot CopySnapshot ModifyDBSnapshotAttribute
Impact:IAMUser/AnomalousBehavior|DeleteSecurityGroup|StopInstances DeleteVolume DeleteSnapshot
InitialAccess:IAMUser/AnomalousBehavior|StartSession|GetSessionToken SendCommand ResumeSession
Persistence:IAMUser/AnomalousBehavior|CreateAccessKey|AuthorizeSecurityGroupIngress UploadSSHPublicKey CreateUser
PrivilegeEscalation:IAMUser/AnomalousBehavior|AttachUserPolicy|PutRolePolicy AttachRolePolicy PutUserPolicy'
printf '%s\n' "$EXPECT" | cut -d '|' -f 1 >"$T/types"

if command -v jq >/dev/null; then
    # summary JSON OUT: per AnomalousBehavior finding: type|access key|count|severity|additionalInfo
    summary() {
        jq -r '(.service.additionalInfo // {}) as $a
            | ($a | if (.value | type) == "string" then (.value | fromjson? // {}) else . end) as $i
            | [.type, (.resource.accessKeyDetails.accessKeyId // "-"), .service.count, .severity,
               ($i | del(.coalmine) | tojson)] | join("|")' "$1" |
            awk -F '|' 'NR == FNR { t[$0] = 1; next } ($1 in t)' "$T/types" - >"$2" || :
    }
    JSONOK=1
elif command -v python3 >/dev/null; then
    summary() {
        python3 - "$1" "$T/types" >"$2" <<'PY'
import json, sys
types = set(open(sys.argv[2]).read().split())
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
    key = r.get("accessKeyDetails", {}).get("accessKeyId") or "-"
    print("|".join([f["type"], key, str(s.get("count")), str(sev),
                    json.dumps(a, separators=(",", ":"))]))
PY
    }
    JSONOK=1
else
    JSONOK=0
fi

# check_info LABEL LINE TYPE: additionalInfo of summary LINE against the table above
check_info() {
    _lbl=$1; _ai=$(printf '%s\n' "$2" | cut -d '|' -f 5-)
    _row=$(printf '%s\n' "$EXPECT" | awk -F '|' -v t="$3" '$1 == t')
    _apis=$(info_json "$_ai" anomalies.anomalousAPIs)
    _miss=""
    for _c in $(printf '%s\n' "$_row" | cut -d '|' -f 2); do
        names_api "$_apis" "$_c" || _miss="$_miss $_c"
    done
    check "$_lbl: anomalousAPIs names the attack's calls${_miss:+ (missing:$_miss)}" \
        test -z "$_miss"
    _extra=""
    for _c in $(printf '%s\n' "$_row" | cut -d '|' -f 3); do
        names_api "$_apis" "$_c" && _extra="$_extra $_c"
    done
    check "$_lbl: anomalousAPIs names no near miss's call${_extra:+ (named:$_extra)}" \
        test -z "$_extra"
    _ua=$(info_json "$_ai" unusualBehavior.unusualUserAgentsUserIdentityProfiling)
    check "$_lbl: unusual client \"$CLIENT\" (got $_ua)" test "$_ua" = "\"$CLIENT\""
}

if [ "$JSONOK" = 0 ]; then
    skip "API anomaly scenarios" "neither jq nor python3 is installed"
    done_testing
    exit 0
fi

# --- gen knows the scenarios -------------------------------------------------------------
list_scenarios "$T/types"
check "a scenario for each of the 8 AnomalousBehavior types ($(tr '\n' ' ' <"$T/scenarios"))" \
    test -z "$missing" -a "$(wc -l <"$T/scenarios")" -eq 8

# --- one scenario at a time ----------------------------------------------------------------
maxh=1
for sc in $(cat "$T/scenarios"); do
    D="$T/$sc"
    # the hours it needs are in scenarios.tsv: generate one hour first, then that many
    # shellcheck disable=SC2086 # WORLD is a list of options
    needed_hours "$D" "$sc" $WORLD || continue
    check "$sc: needs a day of history and more ($hours hours)" test "${hours:-0}" -gt 24
    [ "${hours:-0}" -gt "$maxh" ] && maxh=$hours
    if ! "$COALMINE" gen --out "$D" $WORLD --hours "${hours:-1}" --scenario "$sc" >/dev/null \
        2>"$T/gen.err"; then
        nok "$sc: gen --hours $hours" "$(cat "$T/gen.err")"
        continue
    fi
    grep -v '^#' "$D/intel/scenarios.tsv" >"$T/exp.tsv"
    type=$(cut -f 2 "$T/exp.tsv")
    check "$sc: scenarios.tsv expects one $type finding ($(cut -f 6 "$T/exp.tsv") event(s))" \
        test "$(wc -l <"$T/exp.tsv")" -eq 1 -a "$(cut -f 6 "$T/exp.tsv")" -gt 0
    scan "$D" "$T/f.json"
    check "$sc: scan exits 0" test $? -eq 0
    summary "$T/f.json" "$T/f.sum"
    got=$(cut -d '|' -f 1 "$T/f.sum" | sort | tr '\n' ' ')
    check "$sc: of the 8 types only one $type finding (got: ${got:-none})" \
        test "$got" = "$type "
    want=$(cut -f 2,3,6 "$T/exp.tsv" | tr '\t' '|')
    gotrc=$(cut -d '|' -f 1-3 "$T/f.sum" | head -n 1)
    check "$sc: type|key|count $want (near misses not counted; got ${gotrc:-none})" \
        test "$gotrc" = "$want"
    line=$(head -n 1 "$T/f.sum")
    if [ -n "$line" ]; then
        sev=$(cut -f 9 "$T/exp.tsv")
        gsev=$(printf '%s\n' "$line" | cut -d '|' -f 4)
        check "$sc: severity $sev (got $gsev)" test "$gsev" = "$sev"
        ai=$(printf '%s\n' "$line" | cut -d '|' -f 5-)
        for kv in $(cut -f 11 "$T/exp.tsv" | tr '&' ' '); do
            gv=$(info_json "$ai" "${kv%%=*}")
            check "$sc: additionalInfo.${kv%%=*} = ${kv#*=} (got $gv)" test "$gv" = "${kv#*=}"
        done
        check_info "$sc" "$line" "$type"
    fi
    records "$D" >"$T/recs"
    near_in_logs "$sc: its" "$T/exp.tsv" "$T/recs"
    rm -rf "$D"
done

# --- the eight together -------------------------------------------------------------------
A="$T/all"
set --
for sc in $(cat "$T/scenarios"); do set -- "$@" --scenario "$sc"; done
# shellcheck disable=SC2086 # WORLD is a list of options
gen_agree "$A" "the 8 scenarios" "$maxh" $WORLD "$@"
records "$A" >"$T/all.recs"
nrec=$(grep -o '"records":{"cloudtrail":[0-9]*' "$A/.coalmine-gen.json" | sed 's/.*://')
check "the 8 scenarios: one line per record ($nrec, as the manifest counts)" \
    test "$(grep -c '"eventVersion"' "$T/all.recs")" -eq "$nrec" -a "$(wc -l <"$T/all.recs")" -eq "$nrec"
grep -v '^#' "$A/intel/scenarios.tsv" >"$T/all.tsv"
near_in_logs "the 8 scenarios: their" "$T/all.tsv" "$T/all.recs"
scan "$A" "$T/all.json"
check "the 8 scenarios: scan exits 0" test $? -eq 0
summary "$T/all.json" "$T/all.sum"
allwant "$A" "$T/want.all"
cut -d '|' -f 1-3 "$T/all.sum" | sort >"$T/got.all"
name="the 8 scenarios: $(wc -l <"$T/want.all") findings, each type, key and count as expected"
same_rows "$name" "$T/want.all" "$T/got.all"
bad=""
while IFS= read -r line; do
    t=${line%%|*}
    ai=$(printf '%s\n' "$line" | cut -d '|' -f 5-)
    tac=$(info_json "$ai" tactic)
    net=$(info_json "$ai" unusualBehavior.unusualNetworksUserIdentityProfiling)
    [ "$tac" = "\"${t%%:*}\"" ] && [ "$net" = "\"$NET\"" ] || bad="$bad $t($tac,$net)"
done <"$T/all.sum"
check "the 8 scenarios: each finding names its tactic and the network $NET${bad:+ (not:$bad)}" \
    test -z "$bad" -a -s "$T/all.sum"
line=$(grep '^Discovery:' "$T/all.sum" | head -n 1)
[ -n "$line" ] && check_info "the 8 scenarios: Discovery" "$line" "Discovery:IAMUser/AnomalousBehavior"
# Eight tactics by one key within a day: an attack sequence on that key (ct_sequence.c).
if command -v jq >/dev/null; then
    seq=$(jq -r 'select(.type == "AttackSequence:IAM/CompromisedCredentials")
        | .resource.accessKeyDetails.accessKeyId' "$T/all.json" | sort -u)
    thief=$(cut -d '|' -f 2 "$T/all.sum" | sort -u)
    check "the 8 scenarios: an attack sequence, on the stolen key ($seq)" \
        test -n "$seq" -a "$seq" = "$thief"
else
    skip "the 8 scenarios: an attack sequence" "no jq"
fi

# --- the background alone ------------------------------------------------------------------
B="$T/bg"
"$COALMINE" gen --out "$B" $WORLD --hours 40 >/dev/null 2>&1
check "background (40 hours) gen exits 0" test $? -eq 0
scan "$B" "$T/bg.json"
check "background scan exits 0" test $? -eq 0
summary "$T/bg.json" "$T/bg.sum"
if [ -s "$T/bg.sum" ]; then
    nok "background over 40 hours: no AnomalousBehavior finding" \
        "$(cut -d '|' -f 1-3 "$T/bg.sum" | head -n 12)"
else
    ok "background over 40 hours: no AnomalousBehavior finding"
fi

# --- networks by AS: MaxMind's ASN test database -------------------------------------------
# alice calls from 1.128/16 (AS1221 in GeoLite2-ASN-Test) with the CLI on day 0 and day 1;
# then a never-made call from 1.140/16 (another /16, the same AS: usual with the database,
# new without it) and one from 12.81.92.5 (AS7018: new either way).
ASNDB=$(dirname "$0")/../../../shared/data/maxmind-test-data/test-data/GeoLite2-ASN-Test.mmdb
if [ ! -f "$ASNDB" ] || [ -z "$JSONOK" ] || ! command -v jq >/dev/null; then
    skip "networks by AS" "no ../shared/data/maxmind-test-data or no jq"
else
    rec() { # time ip call source
        printf '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAALICE",'
        printf '"arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333",'
        printf '"accessKeyId":"AKIAALICE0000000001","userName":"alice"},"eventTime":"%s",' "$1"
        printf '"eventSource":"%s.amazonaws.com","eventName":"%s","awsRegion":"us-east-1",' "$4" "$3"
        printf '"sourceIPAddress":"%s","userAgent":"aws-cli/2.15.22 Python/3.11.6",' "$2"
        printf '"eventID":"%s","eventType":"AwsApiCall","recipientAccountId":"111122223333",' "$1"
        printf '"eventCategory":"Management"}'
    }
    {
        printf '{"Records":['
        rec 2026-01-05T09:00:00Z 1.128.0.1 ListBuckets s3 && printf ','
        rec 2026-01-06T10:00:00Z 1.130.9.9 ListBuckets s3 && printf ','
        rec 2026-01-06T11:00:00Z 1.140.9.9 CreateAccessKey iam && printf ','
        rec 2026-01-06T12:00:00Z 12.81.92.5 DeleteSecurityGroup ec2
        printf ']}\n'
    } >"$T/asn.json"
    "$COALMINE" scan -f json --geoip "$ASNDB" "$T/asn.json" 2>"$T/asn.err" |
        jq -r '.type + "|" + ((.service.additionalInfo.value | fromjson).unusualBehavior
            | (.unusualASNsUserIdentityProfiling // .unusualNetworksUserIdentityProfiling))' \
            >"$T/asn.got"
    check "networks by AS: only the call from another AS fires, naming it" \
        test "$(cat "$T/asn.got")" = "Impact:IAMUser/AnomalousBehavior|asnNumber: 7018 asnOrg: AT&T Services"
    "$COALMINE" scan -f json "$T/asn.json" 2>/dev/null | jq -r .type | sort >"$T/asn2.got"
    check "networks by /16 without the database: both calls fire" \
        test "$(tr '\n' ' ' <"$T/asn2.got")" = "Impact:IAMUser/AnomalousBehavior Persistence:IAMUser/AnomalousBehavior "
fi

done_testing
