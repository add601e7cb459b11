#!/bin/sh
# False alarms of the CloudTrail management-event detectors on a realistic benign
# estate that `coalmine gen` does not model (tests/e2e/lib/fp_cloudtrail.py: three
# accounts over 3 days: AWS services and service-linked roles, the Config recorder's
# sweeps, CloudFormation and StackSets creating IAM roles and security groups, a CSPM
# vendor's cross-account read-only role with thousands of reads and denials an hour,
# GitHub Actions OIDC running Terraform plans and applies, IAM Identity Center people,
# a traveller behind VPN exits, MFA'd root once, instance roles behind a NAT gateway,
# VPC endpoints or a central egress, Lambda and ECS task roles, an instance stopped and
# started by a scheduler, a blue/green Elastic IP swap, a trail moved to a central log
# archive and its old bucket deleted a day later, key rotation, password policy
# and GuardDuty/Security Hub administration), and the organisation around them: the
# management account's people creating and moving accounts, attaching SCPs and
# registering delegated administrators, switching into every member with
# OrganizationAccountAccessRole, an inventory Lambda doing so hourly; Control Tower's
# Account Factory (Service Catalog) and its StackSets baselining every member and
# region at once through AWSControlTowerExecution (IAM roles, trail, Config recorder
# stop/start, GuardDuty detector); AWS Backup's service role snapshotting, copying and
# sharing EBS and RDS snapshots with the backup account nightly; an EKS cluster with
# IRSA pods assuming their roles hundreds of times a day behind three NAT gateways,
# Karpenter churning nodes, the VPC CNI and the EKS service-linked roles. The estate is scanned with the default
# intel and with --no-default-intel plus a gen world's lists and AWS ranges; each near
# miss is checked to be in the logs and quiet, the same estate with the thefts those
# near misses must not hide (--attack) is checked to fire, and at the end every type
# family must be silent on the estate but for root's use (GuardDuty reports it too).
# Skips without python3 or jq. Prints TAP.
# shellcheck disable=SC2016 # inlogs' conditions are awk's, in single quotes
COALMINE=${COALMINE:-${BUILD:-build}/coalmine}
. "$(dirname "$0")/lib/tap.sh"
GEN=$(dirname "$0")/lib/fp_cloudtrail.py
EXFIL=UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration

if ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
    skip "benign CloudTrail estate" "python3 or jq is not installed"
    done_testing
    exit 0
fi

python3 "$GEN" "$T/attack" --attack >/dev/null 2>&1 &
GENPID=$!
python3 "$GEN" "$T/estate" >"$T/gen.out" 2>&1
wait "$GENPID"
check "the estate generator writes its logs" grep -q '^[0-9]* records$' "$T/gen.out"
# (a world without scenarios writes no lists: --scenario all, so the second scan has them)
"$COALMINE" gen --out "$T/g" --hours 1 --kinds cloudtrail --accounts 1 --seed 7 --scenario all \
    >/dev/null 2>&1
GENARGS=$(cat "$T/g/intel/args.txt" 2>/dev/null)
check "the gen world's options name its lists and AWS ranges" \
    sh -c 'grep -q "^--aws-ranges" "$1" && grep -q "^--intel-list" "$1"' - "$T/g/intel/args.txt"

# scan NAME DIR [OPTIONS...]: findings JSON in $T/NAME.json, stats in $T/NAME.stats
scan() {
    name=$1 dir=$2
    shift 2
    "$COALMINE" scan -q --format json --threads 2 --stats "$T/$name.stats" "$@" "$dir" \
        >"$T/$name.json" 2>"$T/$name.err"
}
scan def "$T/estate"
check "default intel: the scan succeeds" [ $? -eq 0 ]
# shellcheck disable=SC2086 # the options gen wrote
scan gen "$T/estate" --no-default-intel $GENARGS
check "gen intel and AWS ranges: the scan succeeds" [ $? -eq 0 ]
# shellcheck disable=SC2086
scan att "$T/attack" --no-default-intel $GENARGS
check "every record is read, none rejected" \
    [ "$(jq '.records.cloudtrail' "$T/def.stats" 2>/dev/null)" -gt 100000 ] 2>/dev/null
check "no record rejected" [ "$(jq '.rejected.cloudtrail' "$T/def.stats" 2>/dev/null)" = 0 ]

# in the logs: the records a near miss is about (one pass: event name, allowReassociation,
# VPC endpoint, role name and source address)
find "$T/estate" -name '*.json.gz' -exec gzip -dc {} + |
    jq -r '.Records[] | [.eventName, (.requestParameters.allowReassociation // "-" | tostring),
        (.vpcEndpointId // "-"), ((.requestParameters.roleName // "-" | tostring) + "@" +
        (.sourceIPAddress // "-"))] | @tsv' >"$T/events.tsv"
inlogs() { # awk condition over event name ($1), allowReassociation ($2), endpoint ($3), role@address ($4)
    awk -F '\t' "$1 { found = 1 } END { exit !found }" "$T/events.tsv"
}
# the findings of TYPE-prefix on the key of role ROLE in scan NAME
nfind() {
    jq -r --arg t "$2" --arg r "$3" 'select((.type | startswith($t)) and
        .resource.accessKeyDetails.userName == $r) | .id' "$T/$1.json" | wc -l
}

# --- near miss: a blue/green Elastic IP swap ------------------------------------------
check "EIP swap: AssociateAddress with allowReassociation is in the logs" \
    inlogs '$1 == "AssociateAddress" && $2 == "true"'
for s in def gen; do
    check "EIP swap ($s): the old instance draining from its new address is quiet" \
        [ "$(nfind $s "$EXFIL" web-server-role)" -eq 0 ]
done
check "EIP swap: the thefts of both instances' keys still fire" \
    [ "$(jq -r --arg t "$EXFIL" 'select(.type | startswith($t)) |
        .resource.accessKeyDetails.userName' "$T/att.json" | grep -c web-server-role)" -eq 2 ]

# --- near miss: an Elastic IP taken away (DisassociateAddress) ----------------------------
check "EIP removed: DisassociateAddress naming an association is in the logs" \
    inlogs '$1 == "DisassociateAddress"'
for s in def gen; do
    check "EIP removed ($s): the instance calling from its new address is quiet" \
        [ "$(nfind $s "$EXFIL" reports-role)" -eq 0 ]
done
check "EIP removed: the theft of the instance's key still fires" \
    [ "$(nfind att "$EXFIL" reports-role)" -eq 1 ]

# --- near miss: a trail moved to a central archive, its old bucket deleted a day later ---
check "trail move: UpdateTrail is in the logs" \
    inlogs '$1 == "UpdateTrail"'
check "trail move: DeleteBucket is in the logs" inlogs '$1 == "DeleteBucket"'
for s in def gen; do
    check "trail move ($s): deleting the bucket the trail left is quiet" \
        [ "$(jq -r 'select(.type == "Stealth:IAMUser/CloudTrailLoggingDisabled") | .id' \
            "$T/$s.json" | wc -l)" -eq 0 ]
done
check "trail move: deleting a bucket CloudTrail still delivers to fires" \
    [ "$(jq -r 'select(.type == "Stealth:IAMUser/CloudTrailLoggingDisabled") | .service.count' \
        "$T/att.json")" = 1 ]

# --- near miss: stop/start by a scheduler, NAT, VPC endpoints, central egress ----------
check "stop/start: the scheduler's StopInstances and StartInstances are in the logs" \
    inlogs '$1 == "StartInstances"'
check "instance roles through VPC endpoints are in the logs" inlogs '$3 ~ /^vpce-/'
for s in def gen; do
    for role in bastion-role app-server-role batch-worker-role; do
        check "instance credentials ($s): $role is quiet" [ "$(nfind $s "$EXFIL" $role)" -eq 0 ]
    done
done

# --- the organisation: management account, Control Tower, AWS Backup, EKS -------------
check "organisation: CreateAccount, MoveAccount and AttachPolicy are in the logs" \
    inlogs '$1 == "CreateAccount" || $1 == "MoveAccount" || $1 == "AttachPolicy"'
check "Control Tower: StackSets' CreateTrail and StopConfigurationRecorder are in the logs" \
    inlogs '$1 == "CreateTrail" || $1 == "StopConfigurationRecorder"'
check "AWS Backup: ModifySnapshotAttribute and ModifyDBSnapshotAttribute are in the logs" \
    inlogs '$1 == "ModifySnapshotAttribute" || $1 == "ModifyDBSnapshotAttribute"'
check "EKS: IRSA's AssumeRoleWithWebIdentity is in the logs" \
    [ "$(grep -c '^AssumeRoleWithWebIdentity' "$T/events.tsv")" -gt 1000 ]
for s in def gen; do
    check "EKS ($s): churning nodes behind three NAT gateways are quiet" \
        [ "$(nfind $s "$EXFIL" eks-node-group-role)" -eq 0 ]
done
check "EKS: a node's key used from outside AWS still fires" [ "$(nfind att "$EXFIL" eks-node-group-role)" -eq 1 ]
# the last day's break-glass IAM writes through OrganizationAccountAccessRole, a role
# that had only ever read, made by alice from her home /16 with the console: without an
# ASN database or AWS's ranges claiming its addresses, the hourly inventory Lambda's runs
# through the same role bring 24 /16s of AWS a day through the profile's 16 network
# slots. Each network remembers which clients used it and a full profile drops the
# oldest place of the client holding the most, so the Lambda pushes out its own places,
# not her home (before 2026-12-06 her writes were reported naming her home).
BREAKGLASS='(.resource.accessKeyDetails.userName == "OrganizationAccountAccessRole" and
    (.type | test("^(Persistence|PrivilegeEscalation):IAMUser/AnomalousBehavior$")))'
bgnets() { # SCAN: the networks its break-glass findings call unusual, with their accounts
    jq -r "select($BREAKGLASS) | [.accountId, (.service.additionalInfo.value | fromjson |
        .unusualBehavior.unusualNetworksUserIdentityProfiling)] | @tsv" "$T/$1.json" | sort -u |
        tr '\t\n' ' ;'
}
check "break glass: her IAM writes from home are in the logs" \
    inlogs '$1 == "UpdateAssumeRolePolicy" && $4 ~ /^break-glass-readonly-[0-9]+@86[.]150[.]/'
for s in def gen; do
    check "break glass ($s): her IAM writes from home with the console are quiet" \
        [ -z "$(bgnets $s)" ]
done
check "break glass: her session's key making them from a VPS first fires, naming the VPS" \
    [ "$(bgnets att)" = "210987654321 45.77.0.0/16;" ]

# --- background of the realistic benign estate: no finding ---------------------------
# type families: instance and resource credentials, the API anomaly models, the
# management-event types of cloudtrail.md, the attack sequences, the custom rules, the
# intel-driven types; root's MFA'd billing sign-in is GuardDuty's RootCredentialUsage.
family() { # NAME SCAN jq-condition
    got=$(jq -r "select($3) | .type" "$T/$2.json" | sort | uniq -c | tr '\n' ';')
    if [ -z "$got" ]; then ok "background ($2): no $1 finding"; else
        nok "background ($2): no $1 finding" "$got"; fi
}
for s in def gen; do
    family "credential exfiltration" $s '.type | test("CredentialExfiltration")'
    family "AnomalousBehavior" $s '.type | test("AnomalousBehavior")'
    family "attack sequence" $s '.type | startswith("AttackSequence:")'
    family "custom-rule" $s '.type | test("^(DefenseImpairment|CredentialAccess|Impact|Persistence):[A-Za-z0-9]+/(?!AnomalousBehavior)")'
    family "intel (MaliciousIPCaller, TorIPCaller, Custom)" $s \
        '.type | test("MaliciousIPCaller|TorIPCaller|TorClient|Custom$")'
    family "Stealth, PenTest, Policy (but root)" $s \
        '(.type | test("^(Stealth|PenTest|Policy|DefenseEvasion):")) and
         .type != "Policy:IAMUser/RootCredentialUsage"'
    family "any other (but root)" $s '.type != "Policy:IAMUser/RootCredentialUsage"'
    check "root ($s): its MFA'd billing sign-in is RootCredentialUsage, once" \
        [ "$(jq -r 'select(.type == "Policy:IAMUser/RootCredentialUsage") | .service.count' \
            "$T/$s.json")" = 1 ]
done
done_testing
