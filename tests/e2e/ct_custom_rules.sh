#!/bin/sh
# tsan: custom rules reloaded under serve --watch and scan --follow
# End-to-end tests of GuardDuty's Custom Detection Rules (lib/detect/ct_custom*.c,
# docs/detectors/custom-rules.md) with the scenarios of `coalmine gen`
# (src/gen/gen_sc_ct_custom.c). For each rule's scenario: a small world with it
# alone, scanned with the options gen wrote; the custom-rule findings are exactly
# the expected type, resource and count (no near miss counted), with the severity
# and additionalInfo the docs fix, and every near miss is in the logs. Then all six
# together (one caller's two EC2 rules make one finding that names both), the modes
# (--custom-rule DRY_RUN / OFF / per account, detectors.custom_rules.modes in a
# config, the command line winning, bad settings refused with the reason), a
# trusted list dropping the signals as it drops every finding, and 72 hours of
# background alone: no custom-rule finding. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4"
TYPES='CredentialAccess:EC2/UnsecuredCredentials
CredentialAccess:RDS/ModifyAuthenticationProcess
DefenseImpairment:EC2/DisableOrModifyTools
DefenseImpairment:Organizations/ModifyCloudResourceHierarchy
DefenseImpairment:Organizations/DisableOrModifyTools'
printf '%s\n' "$TYPES" >"$T/types"

if ! command -v jq >/dev/null; then
    skip "Custom Detection Rules scenarios" "jq is not installed"
    done_testing
    exit 0
fi

# summary JSON OUT: per custom-rule finding: type|resource|count|severity|additionalInfo (JSON)
summary() {
    jq -r '(.service.additionalInfo // {}) as $a
        | ($a | if (.value | type) == "string" then (.value | fromjson? // {}) else . end) as $i
        | [.type, (.resource.accessKeyDetails.accessKeyId // .resource.accessKeyDetails.principalId),
           .service.count, .severity, ($i | del(.coalmine) | tojson)] | join("|")' "$1" |
        grep -F -f "$T/types" >"$2" || :
}
# records DIR: every CloudTrail record under DIR, one per line
records() {
    find "$1/AWSLogs" -path '*/CloudTrail/*' -name '*.gz' -exec zcat {} + | jq -c '.Records[]'
}
# has_all FILE MARKER: some line of FILE holds every '&'-separated part of MARKER
has_all() {
    _rest=$2
    cp "$1" "$T/m.cur"
    while [ -n "$_rest" ]; do
        _part=${_rest%%&*}
        if [ "$_part" = "$_rest" ]; then _rest=""; else _rest=${_rest#*&}; fi
        grep -F -- "$_part" "$T/m.cur" >"$T/m.next" || return 1
        mv "$T/m.next" "$T/m.cur"
    done
}
# scan DIR OUT [options]: the findings of DIR's logs as JSON lines, with DIR's scan options
scan() {
    d=$1; o=$2; shift 2
    # shellcheck disable=SC2046 # args.txt holds one option and value per line
    "$COALMINE" scan --no-default-intel --format json $(cat "$d/intel/args.txt" 2>/dev/null) "$@" \
        "$d/AWSLogs" >"$o" 2>"$o.err"
}
gen() { # DIR HOURS [gen options]
    _d=$1; _h=$2; shift 2
    "$COALMINE" gen --out "$_d" $WORLD --hours "$_h" --kinds cloudtrail "$@" >/dev/null 2>"$T/gen.err"
}

# --- the scenarios ------------------------------------------------------------------------
"$COALMINE" gen --list-scenarios >"$T/list" 2>&1
awk 'NR == FNR { t[$1] = 1; next } ($2 in t) { print $1 }' "$T/types" "$T/list" >"$T/scenarios"
check "six Custom Detection Rules scenarios, every type covered" \
    sh -c 'test "$(wc -l <"$1")" -eq 6 && test "$(awk "{print \$2}" "$2" | grep -cxF -f "$3")" -eq 6 &&
        test "$(grep -F -f "$3" "$2" | awk "{print \$2}" | sort -u | wc -l)" -eq 5' _ \
    "$T/scenarios" "$T/list" "$T/types"

for sc in $(cat "$T/scenarios"); do
    D="$T/$sc"
    if ! gen "$D" 1 --scenario "$sc"; then
        nok "$sc: gen" "$(cat "$T/gen.err")"
        continue
    fi
    grep -v '^#' "$D/intel/scenarios.tsv" >"$T/exp.tsv"
    type=$(cut -f 2 "$T/exp.tsv" | sort -u)
    scan "$D" "$T/f.json"
    check "$sc: scan exits 0" test $? -eq 0
    summary "$T/f.json" "$T/f.sum"
    cut -f 2,3,6 "$T/exp.tsv" | tr '\t' '|' | sort >"$T/want"
    cut -d '|' -f 1-3 "$T/f.sum" | sort >"$T/got"
    if cmp -s "$T/want" "$T/got"; then
        ok "$sc: type|resource|count $(tr '\n' ' ' <"$T/want")(near misses not counted)"
    else
        nok "$sc: type|resource|count $(tr '\n' ' ' <"$T/want")(near misses not counted)" \
            "$(diff "$T/want" "$T/got" | grep '^[<>]' | head -n 8)"
    fi
    others=$(jq -r .type "$T/f.json" | grep -vxF "$type" | sort -u | tr '\n' ' ')
    check "$sc: no other finding in its world (got: ${others:-none})" test -z "$others"
    while IFS='	' read -r _ _ res _ _ _ _ _ sev _ inf _; do
        line=$(awk -F '|' -v r="$res" '$2 == r' "$T/f.sum" | head -n 1)
        [ -n "$line" ] || continue
        gsev=$(printf '%s\n' "$line" | cut -d '|' -f 4)
        check "$sc: severity $sev (got $gsev)" test "$gsev" = "$sev"
        ai=$(printf '%s\n' "$line" | cut -d '|' -f 5-)
        for kv in $(printf '%s\n' "$inf" | tr '&' ' '); do
            gv=$(printf '%s\n' "$ai" | jq -c --arg p "${kv%%=*}" 'getpath($p | split("."))')
            check "$sc: additionalInfo.${kv%%=*} = ${kv#*=} (got $gv)" test "$gv" = "${kv#*=}"
        done
        rules=$(printf '%s\n' "$ai" | jq -r '[.detectionRules[] | "\(.name):\(.count)"] | join(",")')
        cnt=$(cut -f 6 "$T/exp.tsv")
        check "$sc: detectionRules names its rule with the $cnt calls (got $rules)" \
            sh -c 'printf "%s\n" "$1" | grep -Eq "^[A-Za-z0-9]+:$2\$"' _ "$rules" "$cnt"
    done <"$T/exp.tsv"
    near=$(cut -f 8 "$T/exp.tsv" | grep -v '^-$' | tr '\n' ',')
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
    check "$sc: its $nnear marked near misses are in the logs${absent:+ (absent:$absent)}" \
        test -z "$absent"
    # the rule's calls that made no finding are in the logs beside the ones that did
    case $sc in
    ec2-password-data-retrieved) calls=GetPasswordData ;;
    rds-master-password-reset) calls='ModifyDBInstance|ModifyDBCluster' ;;
    ec2-termination-protection) calls=ModifyInstanceAttribute ;;
    vpc-flow-logs-deleted) calls=DeleteFlowLogs ;;
    organization-leave-attempt) calls='LeaveOrganization|MoveAccount' ;;
    *) calls=DisablePolicyType ;;
    esac
    nrec=$(grep -Ec "\"eventName\":\"($calls)\"" "$T/recs")
    check "$sc: $nrec records of $calls, more than the $(cut -f 6 "$T/exp.tsv") counted" \
        test "$nrec" -gt "$(cut -f 6 "$T/exp.tsv")"
    [ "$sc" = vpc-flow-logs-deleted ] && cp -r "$D" "$T/flow" # for the modes below
    rm -rf "$D"
done

# --- all six together ---------------------------------------------------------------------------
A="$T/all"
set --
for sc in $(cat "$T/scenarios"); do set -- "$@" --scenario "$sc"; done
gen "$A" 1 "$@"
check "gen with the six scenarios exits 0" test $? -eq 0
scan "$A" "$T/all.json"
summary "$T/all.json" "$T/all.sum"
grep -v '^#' "$A/intel/scenarios.tsv" |
    awk -F '\t' '{ c[$2 "|" $3] += $6 } END { for (k in c) print k "|" c[k] }' | sort >"$T/want.all"
cut -d '|' -f 1-3 "$T/all.sum" | sort >"$T/got.all"
if cmp -s "$T/want.all" "$T/got.all"; then
    ok "all six: $(wc -l <"$T/want.all") findings, each type, resource and count as expected"
else
    nok "all six: each type, resource and count as expected" \
        "$(diff "$T/want.all" "$T/got.all" | grep '^[<>]' | head -n 12)"
fi
ec2=$(grep '^DefenseImpairment:EC2/' "$T/all.sum")
check "one caller's flow-log deletion and termination lock: one HIGH finding naming both rules" \
    sh -c 'printf "%s\n" "$1" | cut -d "|" -f 4 | grep -qx 8 &&
        printf "%s\n" "$1" | cut -d "|" -f 5- | jq -e "[.detectionRules[].name] | sort ==
            [\"EC2TerminationProtectionEnabled\", \"VPCFlowLogsDeleted\"]" >/dev/null' _ "$ec2"

# --- modes -----------------------------------------------------------------------------------------
F="$T/flow"
acct=$(find "$F/AWSLogs" -mindepth 1 -maxdepth 1 -type d | head -n 1 | xargs basename)
scan "$F" "$T/dry.json" --custom-rule VPCFlowLogsDeleted=DRY_RUN --stats "$T/dry.stats"
check "DRY_RUN: scan exits 0" test $? -eq 0
check "DRY_RUN: no finding" test "$(grep -c DefenseImpairment "$T/dry.json")" -eq 0
check "DRY_RUN: a log line names the rule, the type and the call" \
    grep -Eq "custom rule dry run: VPCFlowLogsDeleted would have made DefenseImpairment:EC2/DisableOrModifyTools \(DeleteFlowLogs by A[KS]IA" "$T/dry.json.err"
check "DRY_RUN: the summary counts it" grep -q "dry run:  VPCFlowLogsDeleted: 1 signal, no finding" "$T/dry.json.err"
dry_stats_ok() {
    jq -e --arg a "$acct" '.custom_rules.dry_run == [.custom_rules.dry_run[0]] and
        (.custom_rules.dry_run[0] | .rule == "VPCFlowLogsDeleted" and .count == 1 and
         .last.account == $a and .last.api == "DeleteFlowLogs" and (.last.event_id | length) > 0)' \
        "$T/dry.stats" >/dev/null
}
check "DRY_RUN: --stats custom_rules.dry_run has the count and the last example" dry_stats_ok
scan "$F" "$T/off.json" --custom-rule 'VPCFlowLogsDeleted=off' --stats "$T/off.stats"
check "OFF: no finding, no dry run" sh -c '! grep -q DefenseImpairment "$1" &&
    ! grep -q "dry run" "$2" && jq -e ".custom_rules.dry_run == []" "$3" >/dev/null' _ \
    "$T/off.json" "$T/off.json.err" "$T/off.stats"
scan "$F" "$T/acct.json" --custom-rule "$acct:*=OFF"
check "OFF for the world's account: no finding" test "$(grep -c DefenseImpairment "$T/acct.json")" -eq 0
scan "$F" "$T/other.json" --custom-rule '999999999999:*=OFF'
check "OFF for another account: the finding stays" \
    test "$(grep -c DefenseImpairment "$T/other.json")" -eq 1
printf 'detectors:\n  custom_rules:\n    modes: ["*=DRY_RUN"]\n' >"$T/dry.yaml"
scan "$F" "$T/cfg.json" --config "$T/dry.yaml"
check "config detectors.custom_rules.modes: *=DRY_RUN makes no finding" \
    sh -c '! grep -q DefenseImpairment "$1" && grep -q "custom rule dry run: VPCFlowLogsDeleted" "$2"' _ \
    "$T/cfg.json" "$T/cfg.json.err"
scan "$F" "$T/cli.json" --config "$T/dry.yaml" --custom-rule '*=LIVE'
check "--custom-rule wins over the config's equal setting" \
    test "$(grep -c DefenseImpairment "$T/cli.json")" -eq 1
"$COALMINE" scan --custom-rule 'VPCFlowLogsDeleted=ON' "$F/AWSLogs" >/dev/null 2>"$T/bad.err"
check "a bad mode: exit 2 with the reason" \
    sh -c 'test "$1" -eq 2 && grep -q "VPCFlowLogsDeleted=ON.*LIVE, DRY_RUN or OFF" "$2"' _ $? "$T/bad.err"
"$COALMINE" scan --custom-rule 'FlowLogsGone=OFF' "$F/AWSLogs" >/dev/null 2>"$T/bad.err"
check "an unknown rule: exit 2 with the reason" \
    sh -c 'test "$1" -eq 2 && grep -q "no such rule" "$2"' _ $? "$T/bad.err"
printf 'detectors:\n  custom_rules:\n    modes:\n      - "*=OFF"\n      - "1234:*=OFF"\n' >"$T/bad.yaml"
"$COALMINE" scan --config "$T/bad.yaml" "$F/AWSLogs" >/dev/null 2>"$T/badcfg.err"
check "a bad setting in the config: refused with its line, column and reason" \
    sh -c 'test "$1" -ne 0 && grep -q "bad.yaml:5:9: detectors.custom_rules.modes\[1\]: \"1234:\*=OFF\": the account is not 12 digits" "$2"' _ $? "$T/badcfg.err"

# --- trusted lists apply as to every type ------------------------------------------------------------
ip=$(records "$F" | grep '"eventName":"DeleteFlowLogs"' | grep -v errorCode |
    grep -v cloudformation | jq -r .sourceIPAddress | head -n 1)
printf '%s\n' "$ip" >"$T/trusted.txt"
scan "$F" "$T/trusted.json" --trusted-list "office=$T/trusted.txt"
check "a trusted list holding the caller's address ($ip) drops the finding" \
    test "$(grep -c DefenseImpairment "$T/trusted.json")" -eq 0

# --- coalmine serve --watch takes the modes too ------------------------------------------------------
# serve_run NAME MODE: the service on a free port watching the flow-log world with
# --custom-rule VPCFlowLogsDeleted=MODE, until its engine has read every file; stopped.
serve_run() {
    rm -rf "$T/$1.w" && mkdir -p "$T/$1.w" && cp -r "$F/AWSLogs" "$T/$1.w/"
    "$COALMINE" serve --db "$T/$1.db" --listen 127.0.0.1:0 --port-file "$T/$1.port" \
        --watch "$T/$1.w" --poll-interval 0.1 --canary-interval 1 --bus-interval 1 \
        $(cat "$F/intel/args.txt" 2>/dev/null) --no-default-intel \
        --custom-rule "VPCFlowLogsDeleted=$2" >/dev/null 2>"$T/$1.err" &
    _p=$!
    wait_until -s 30 test -s "$T/$1.port" &&
        curl -fsS "http://127.0.0.1:$(cat "$T/$1.port")/healthz" >/dev/null &&
        wait_until -s 60 grep -q "findings:" "$T/$1.err"
    _rc=$?
    if [ $_rc -eq 0 ] && [ -n "$3" ]; then
        "$3" "http://127.0.0.1:$(cat "$T/$1.port")"
    fi
    kill -TERM $_p 2>/dev/null
    wait $_p
    return $_rc
}
# api_check URL: the GuardDuty API (the real aws CLI) finds the finding by its type, and
# GetFindings gives its severity and the rule in additionalInfo.
api_check() {
    command -v aws >/dev/null 2>&1 || { echo skip >"$T/api.res"; return; }
    . "$(dirname "$0")/lib/aws.sh"
    _det=$(curl -fsS "$1/detector" | jq -r '.detectorIds[0]')
    aws_at "$1" guardduty list-findings --detector-id "$_det" --finding-criteria \
        '{"Criterion":{"type":{"Eq":["DefenseImpairment:EC2/DisableOrModifyTools"]}}}' \
        >"$T/api.list" 2>"$T/api.err" &&
        aws_at "$1" guardduty get-findings --detector-id "$_det" \
            --finding-ids "$(jq -r '.FindingIds[0]' "$T/api.list")" >"$T/api.get" 2>>"$T/api.err" &&
        jq -e '(.FindingIds | length) == 1' "$T/api.list" >/dev/null &&
        jq -e '.Findings[0] | .Severity == 8 and .Resource.ResourceType == "AccessKey" and
            (.Service.AdditionalInfo.Value | fromjson | .detectionRules[0].name) ==
            "VPCFlowLogsDeleted"' "$T/api.get" >/dev/null
    echo $? >"$T/api.res"
}
if command -v curl >/dev/null; then
    serve_run live LIVE api_check
    check "serve --watch, LIVE: started on a free port and read the world" test $? -eq 0
    "$COALMINE" findings list --db "$T/live.db" --format json >"$T/live.list" 2>&1
    check "serve --watch, LIVE: the store holds the flow-log finding" \
        grep -q 'DefenseImpairment:EC2/DisableOrModifyTools' "$T/live.list"
    case $(cat "$T/api.res" 2>/dev/null) in
    skip) skip "the aws CLI lists and gets it through the GuardDuty API" "no aws CLI" ;;
    0) ok "the aws CLI lists it by type and gets it: HIGH, AccessKey, VPCFlowLogsDeleted" ;;
    *) nok "the aws CLI lists it by type and gets it: HIGH, AccessKey, VPCFlowLogsDeleted" \
        "$(head -c 400 "$T/api.err" "$T/api.get" 2>/dev/null)" ;;
    esac
    serve_run dry DRY_RUN
    check "serve --watch, DRY_RUN: started and read the world" test $? -eq 0
    "$COALMINE" findings list --db "$T/dry.db" --format json >"$T/dry.list" 2>&1
    check "serve --watch, DRY_RUN: a log line, and no finding in the store" \
        sh -c 'grep -q "custom rule dry run: VPCFlowLogsDeleted" "$1" && ! grep -q DefenseImpairment "$2"' \
        _ "$T/dry.err" "$T/dry.list"
else
    skip "serve --watch with --custom-rule" "curl is not installed"
fi

# --- the background alone ----------------------------------------------------------------------------
B="$T/bg"
gen "$B" 72
check "72 hours of background: gen exits 0" test $? -eq 0
scan "$B" "$T/bg.json"
check "72 hours of background: scan exits 0" test $? -eq 0
summary "$T/bg.json" "$T/bg.sum"
if [ -s "$T/bg.sum" ]; then
    nok "72 hours of background: no custom-rule finding" "$(cut -d '|' -f 1-3 "$T/bg.sum" | head -n 8)"
else
    ok "72 hours of background: no custom-rule finding"
fi

done_testing
