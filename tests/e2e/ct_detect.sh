#!/bin/sh
# End-to-end tests of the CloudTrail detections of issue #5 with the scenarios
# of `coalmine gen` (src/gen/gen_sc_ct*.c; the rules are
# docs/detectors/cloudtrail.md). Every #5 finding type has a scenario that
# fires it and near misses that must not. For each scenario: generate a small
# world with that scenario alone (one hour; the travel scenario needs 24 to
# show its slow near miss), scan it with the options gen wrote
# (DIR/intel/args.txt: --aws-ranges DIR/aws/ip-ranges.json, --canary-key) and
# --geoip when it needs a City database (skipped when the MaxMind test data
# is absent), and check the findings against DIR/intel/scenarios.tsv: the
# #5 findings are exactly the expected type, resource and count (so no near
# miss was counted and no other #5 type fired), the severity the docs fix,
# the bucket and the additionalInfo the scenario names; and every near miss
# is really in the logs. Then all scenarios together, and the background
# alone with every detector on: no #5 finding. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/scen.sh"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4"
MAXMIND=$(dirname "$0")/../../../shared/data/maxmind-test-data/test-data
GEOIP=${COALMINE_GEOIP:-$MAXMIND/GeoIP2-City-Test.mmdb}

# The finding types of issue #5; each must have a scenario.
TYPES='Policy:IAMUser/RootCredentialUsage
Policy:IAMUser/ShortTermRootCredentialUsage
Stealth:IAMUser/CloudTrailLoggingDisabled
DefenseEvasion:IAMUser/BedrockLoggingDisabled
Stealth:IAMUser/PasswordPolicyChange
PenTest:IAMUser/KaliLinux
PenTest:IAMUser/ParrotLinux
PenTest:IAMUser/PentooLinux
PenTest:S3/KaliLinux
PenTest:S3/ParrotLinux
PenTest:S3/PentooLinux
Policy:S3/AccountBlockPublicAccessDisabled
Policy:S3/BucketBlockPublicAccessDisabled
Stealth:S3/ServerAccessLoggingDisabled
Policy:S3/BucketAnonymousAccessGranted
Policy:S3/BucketPublicAccessGranted
UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS
UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS
UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS
UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B
UnauthorizedAccess:IAMUser/CanaryCredentialUsage'
printf '%s\n' "$TYPES" >"$T/types"

if command -v jq >/dev/null; then
    # summary JSON OUT: per #5 finding: type|resource|count|severity|bucket|additionalInfo (JSON)
    summary() {
        jq -r '(.service.additionalInfo // {}) as $a
            | ($a | if (.value | type) == "string" then (.value | fromjson? // {}) else . end) as $i
            | [.type,
               (if .resource.resourceType == "S3Bucket" then .resource.s3BucketDetails[0].name
                elif ((.resource.accessKeyDetails.accessKeyId // "") != "")
                then .resource.accessKeyDetails.accessKeyId
                else .resource.accessKeyDetails.principalId end),
               .service.count, .severity, (.resource.s3BucketDetails[0].name // "-"),
               ($i | tojson)] | join("|")' "$1" | grep -F -f "$T/types" >"$2" || :
    }
    # records DIR: every CloudTrail record under DIR, one per line
    records() {
        find "$1/AWSLogs" -path '*/CloudTrail/*' -name '*.gz' -exec zcat {} + | jq -c '.Records[]'
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
    b = (r.get("s3BucketDetails") or [{}])[0].get("name")
    k = r.get("accessKeyDetails", {})
    res = k.get("accessKeyId") or k.get("principalId")
    if r.get("resourceType") == "S3Bucket":
        res = b
    a = s.get("additionalInfo") or {}
    if isinstance(a.get("value"), str):
        try:
            a = json.loads(a["value"])
        except ValueError:
            a = {}
    sev = f["severity"]
    sev = int(sev) if float(sev).is_integer() else sev
    print("|".join([f["type"], str(res), str(s.get("count")), str(sev), b or "-",
                    json.dumps(a, separators=(",", ":"))]))
PY
    }
    records() {
        find "$1/AWSLogs" -path '*/CloudTrail/*' -name '*.gz' -exec zcat {} + | python3 -c '
import json, sys
text, dec, i = sys.stdin.read(), json.JSONDecoder(), 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    doc, i = dec.raw_decode(text, i)
    for r in doc["Records"]:
        print(json.dumps(r, separators=(",", ":")))'
    }
    JSONOK=1
else
    JSONOK=0
fi

# in_ranges RANGES IP: IP lies in one of the IPv4 prefixes of ip-ranges.json RANGES
in_ranges() {
    grep -o '"ip_prefix": *"[0-9./]*"' "$1" | sed 's/.*"\([0-9./]*\)"$/\1/' |
        awk -v ip="$2" -F '[./]' '
            function num(a, b, c, d) { return ((a * 256 + b) * 256 + c) * 256 + d }
            BEGIN { split(ip, q, "."); x = num(q[1], q[2], q[3], q[4]) }
            { size = 2 ^ (32 - $5); net = num($1, $2, $3, $4)
              if (x >= net && x < net + size) found = 1 }
            END { exit !found }'
}

if [ "$JSONOK" = 0 ]; then
    skip "CloudTrail detection scenarios" "neither jq nor python3 is installed"
    done_testing
    exit 0
fi

# --- CLI and what gen writes ------------------------------------------------------------
list_scenarios "$T/types"
check "every #5 finding type has a scenario${missing:+ (missing:$missing)}" test -z "$missing"
check "24 CloudTrail detection scenarios" test "$(wc -l <"$T/scenarios")" -eq 24

# --- one scenario at a time ---------------------------------------------------------------
for sc in $(cat "$T/scenarios"); do
    D="$T/$sc"
    hours=1
    # the needs are known once gen has run: generate one hour first, more when it asks
    if ! "$COALMINE" gen --out "$D" $WORLD --hours 1 --kinds cloudtrail --scenario "$sc" \
        >/dev/null 2>"$T/gen.err"; then
        nok "$sc: gen" "$(cat "$T/gen.err")"
        continue
    fi
    needs=$(grep -v '^#' "$D/intel/scenarios.tsv" | head -n 1 | cut -f 12)
    case ",$needs," in
    *,hours=*)
        hours=$(printf '%s\n' "$needs" | tr ',' '\n' | sed -n 's/^hours=//p')
        rm -rf "$D"
        "$COALMINE" gen --out "$D" $WORLD --hours "$hours" --kinds cloudtrail --scenario "$sc" \
            >/dev/null 2>"$T/gen.err" ||
            { nok "$sc: gen --hours $hours" "$(cat "$T/gen.err")"; continue; }
        ;;
    esac
    extra=""
    case ",$needs," in
    *,geoip,*)
        if [ ! -f "$GEOIP" ]; then
            skip "$sc: scan and findings" "no City database at $GEOIP"
            rm -rf "$D"
            continue
        fi
        extra="--geoip $GEOIP"
        ;;
    esac
    grep -v '^#' "$D/intel/scenarios.tsv" >"$T/exp.tsv"
    rows=$(wc -l <"$T/exp.tsv")
    type=$(cut -f 2 "$T/exp.tsv" | sort -u)
    total=$(cut -f 6 "$T/exp.tsv" | awk '{s += $1} END {print s + 0}')
    check "$sc: scenarios.tsv expects $type ($rows finding(s), $total events)" \
        test "$(cut -f 1 "$T/exp.tsv" | sort -u)" = "$sc" -a "$total" -gt 0
    case ",$needs," in
    *,aws-ranges,*)
        check "$sc: args.txt loads gen's AWS ranges" \
            grep -qxF -- "--aws-ranges $D/aws/ip-ranges.json" "$D/intel/args.txt" ;;
    esac
    case ",$needs," in
    *,canary-key=*)
        key=$(printf '%s\n' "$needs" | tr ',' '\n' | sed -n 's/^canary-key=//p')
        check "$sc: args.txt configures the decoy key $key" \
            grep -qxF -- "--canary-key $key" "$D/intel/args.txt" ;;
    esac
    # shellcheck disable=SC2086 # extra is an option and its value
    scan "$D" "$T/f.json" $extra
    check "$sc: scan exits 0" test $? -eq 0
    summary "$T/f.json" "$T/f.sum"
    got=$(cut -d '|' -f 1 "$T/f.sum" | sort -u | tr '\n' ' ')
    check "$sc: of the #5 types only $type fires (got: ${got:-none})" test "$got" = "$type "
    cut -f 2,3,6 "$T/exp.tsv" | tr '\t' '|' | sort >"$T/want.rc"
    cut -d '|' -f 1-3 "$T/f.sum" | sort >"$T/got.rc"
    same_rows "$sc: type|resource|count $(tr '\n' ' ' <"$T/want.rc")(near misses not counted)" \
        "$T/want.rc" "$T/got.rc" 12
    while IFS='	' read -r _ _ res _ _ _ _ _ sev bucket inf _; do
        line=$(awk -F '|' -v r="$res" '$2 == r' "$T/f.sum" | head -n 1)
        [ -n "$line" ] || continue # reported above
        gsev=$(printf '%s\n' "$line" | cut -d '|' -f 4)
        check "$sc: $res: severity $sev (got $gsev)" test "$gsev" = "$sev"
        if [ "$bucket" != "-" ]; then
            gb=$(printf '%s\n' "$line" | cut -d '|' -f 5)
            check "$sc: $res: s3BucketDetails names $bucket (got $gb)" test "$gb" = "$bucket"
        fi
        if [ "$inf" != "-" ]; then
            ai=$(printf '%s\n' "$line" | cut -d '|' -f 6-)
            for kv in $(printf '%s\n' "$inf" | tr '&' ' '); do
                gv=$(info_json "$ai" "${kv%%=*}")
                check "$sc: $res: additionalInfo.${kv%%=*} = ${kv#*=} (got $gv)" \
                    test "$gv" = "${kv#*=}"
            done
        fi
    done <"$T/exp.tsv"
    near=$(cut -f 8 "$T/exp.tsv" | grep -v '^-$' | tr '\n' ',')
    if [ -n "$near" ]; then
        records "$D" >"$T/recs"
        absent=""
        nnear=0
        IFS_SAVE=$IFS
        IFS=','
        for m in $near; do
            [ -n "$m" ] || continue
            nnear=$((nnear + 1))
            has_all "$T/recs" "$m" || absent="$absent [$m]"
        done
        IFS=$IFS_SAVE
        check "$sc: its $nnear near misses are in the logs${absent:+ (absent:$absent)}" \
            test -z "$absent"
    fi
    rm -rf "$D"
done

# --- all scenarios together ------------------------------------------------------------------
A="$T/all"
set --
for sc in $(cat "$T/scenarios"); do set -- "$@" --scenario "$sc"; done
"$COALMINE" gen --out "$A" $WORLD --hours 1 "$@" >/dev/null 2>&1
check "gen with every #5 scenario exits 0" test $? -eq 0
"$COALMINE" gen --out "$T/all2" $WORLD --hours 1 --jobs 2 "$@" >/dev/null 2>&1
sed "s|$T/all2/|$A/|" "$T/all2/intel/args.txt" >"$T/all2.args"
check "with #5 scenarios: same logs, ranges, scan options and expectations for any --jobs" \
    sh -c 'diff -r "$1/AWSLogs" "$2/AWSLogs" && diff -r "$1/aws" "$2/aws" &&
        diff "$1/intel/scenarios.tsv" "$2/intel/scenarios.tsv" &&
        diff "$1/intel/args.txt" "$3"' _ "$A" "$T/all2" "$T/all2.args"
rm -rf "$T/all2"
R="$A/aws/ip-ranges.json"
tr -d '\n' <"$R" >"$T/ranges.one"
check "ip-ranges.json has AWS's shape" \
    has_all "$T/ranges.one" '"syncToken"&"createDate"&"prefixes"&"ipv6_prefixes"' 
if command -v jq >/dev/null; then
    fields() {
        jq -e '.createDate and ([.prefixes[] | select(.ip_prefix and .region and .service
            and .network_border_group)] | length) == (.prefixes | length)' "$1" >/dev/null
    }
    check "ip-ranges.json: every prefix has ip_prefix, region, service, network_border_group" \
        fields "$R"
fi
records "$A" >"$T/all.recs"
# the instances' role sessions call from public addresses that are theirs (or their NAT's)
grep '"ec2RoleDelivery"' "$T/all.recs" | grep -v '"vpcEndpointId"' |
    sed -n 's/.*"sourceIPAddress":"\([0-9.]*\)".*/\1/p' | sort -u >"$T/inst.ips"
grep -v -e '^146\.70\.117\.' -e '^15\.188\.210\.' "$T/inst.ips" >"$T/own.ips"
bad=""
for ip in $(cat "$T/own.ips"); do in_ranges "$R" "$ip" || bad="$bad $ip"; done
check "ip-ranges.json covers the $(wc -l <"$T/own.ips") instance addresses${bad:+ (not:$bad)}" \
    test -z "$bad" -a -s "$T/own.ips"
check "ip-ranges.json: the attacker's EC2 host is inside AWS" in_ranges "$R" 15.188.210.70
if in_ranges "$R" 146.70.117.60; then nok "ip-ranges.json: the attacker outside AWS is outside"
else ok "ip-ranges.json: the attacker outside AWS is outside"; fi
extra=""
if [ -f "$GEOIP" ]; then extra="--geoip $GEOIP"; fi
# shellcheck disable=SC2086 # extra is an option and its value
scan "$A" "$T/all.json" $extra
check "all #5 scenarios: scan exits 0" test $? -eq 0
summary "$T/all.json" "$T/all.sum"
# findings of one type and resource aggregate across scenarios: add their counts up
grep -v '^#' "$A/intel/scenarios.tsv" |
    awk -F '\t' -v geo="$extra" '$6 > 0 && (geo != "" || $12 !~ /geoip/) { c[$2 "|" $3] += $6 }
        END { for (k in c) print k "|" c[k] }' | sort >"$T/want.all"
cut -d '|' -f 1-3 "$T/all.sum" | sort >"$T/got.all"
name="all #5 scenarios: $(wc -l <"$T/want.all") findings, each type, resource and count as expected"
same_rows "$name" "$T/want.all" "$T/got.all"

# --- the background alone ----------------------------------------------------------------------
B="$T/bg"
"$COALMINE" gen --out "$B" $WORLD --hours 1 >/dev/null 2>&1
mkdir -p "$B/intel" && cp "$A/intel/args.txt" "$B/intel/args.txt"
# shellcheck disable=SC2086 # extra is an option and its value
scan "$B" "$T/bg.json" $extra
check "background scan exits 0" test $? -eq 0
check "background: AWS ranges and the decoy key loaded" \
    test "$(grep -c -e 'prefixes from' -e 'decoy access key' "$T/bg.json.err")" -eq 2
summary "$T/bg.json" "$T/bg.sum"
if [ -s "$T/bg.sum" ]; then
    nok "background with every #5 detector on: no #5 finding" \
        "$(cut -d '|' -f 1-3 "$T/bg.sum" | head -n 12)"
else
    ok "background with every #5 detector on: no #5 finding"
fi

# --- one key opening several buckets (hand-made records) ----------------------------------------
# Policy:S3 and Stealth:S3 findings are about a bucket: the same key opening two buckets is two
# findings, each naming its bucket (before, one finding named only the last bucket).
rec() { # time api bucket params
    printf '{"eventVersion":"1.10","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEOPS000001",'
    printf '"arn":"arn:aws:iam::111122223333:user/ops","accountId":"111122223333",'
    printf '"accessKeyId":"AKIAEXAMPLEOPS000001","userName":"ops"},"eventTime":"2026-11-09T03:%s:00Z",' "$1"
    printf '"eventSource":"s3.amazonaws.com","eventName":"%s","awsRegion":"us-east-1",' "$2"
    printf '"sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.17.2","requestParameters":'
    printf '{"bucketName":"%s","Host":"%s.s3.amazonaws.com",%s},"responseElements":null,' "$3" "$3" "$4"
    printf '"eventID":"0000%s-0000-4000-8000-000000000000","readOnly":false,"eventType":"AwsApiCall",' "$1"
    printf '"managementEvent":true,"eventCategory":"Management","recipientAccountId":"111122223333"}'
}
BPA='"PublicAccessBlockConfiguration":{"RestrictPublicBuckets":false,"BlockPublicPolicy":false,"BlockPublicAcls":false,"IgnorePublicAcls":false}'
POL='"bucketPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*"}]}'
LOG='"BucketLoggingStatus":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"}'
{
    printf '{"Records":['
    for b in assets-a assets-b; do
        i=$([ $b = assets-a ] && echo 1 || echo 2)
        rec "1$i" PutBucketPublicAccessBlock $b "$BPA"; printf ','
        rec "2$i" PutBucketPolicy $b "$(printf '%s' "$POL" | sed "s/:::B/:::$b/")"; printf ','
        rec "3$i" PutBucketLogging $b "$LOG"; printf ','
    done
    rec 40 PutBucketPolicy assets-a "$POL"
    printf ']}\n'
} >"$T/buckets.json"
"$COALMINE" scan -q --format json "$T/buckets.json" >"$T/buckets.out" 2>"$T/buckets.err"
check "two buckets opened by one key: scan exits 0" test $? -eq 0
for ty in Policy:S3/BucketBlockPublicAccessDisabled Policy:S3/BucketAnonymousAccessGranted \
    Stealth:S3/ServerAccessLoggingDisabled; do
    got=$(grep -F "\"type\":\"$ty\"" "$T/buckets.out" | grep -o '"s3BucketDetails":\[{[^]]*"name":"[^"]*"' |
        sed 's/.*"name":"//; s/"$//' | sort | tr '\n' ' ')
    check "$ty: one finding per bucket, each naming it (got: ${got:-none})" \
        test "$got" = "assets-a assets-b "
done

done_testing
