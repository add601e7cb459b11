#!/bin/sh
# End-to-end tests of GuardDuty's six list formats (issue #4, "Must show" 1):
# TXT, STIX (1.x XML), OTX_CSV, ALIEN_VAULT, PROOF_POINT and FIRE_EYE (record
# shapes of spec §4.2). `coalmine gen` runs the six customer-list scenarios
# (CloudTrail IAM recon and access, S3 discovery and access, flow, DNS); this
# script writes the attackers' addresses and domain, taken from the run's
# scenarios.tsv, in each format (single addresses, a CIDR or address range
# where the format has one, the domain), then checks that the file as
# --threat-list NAME=FORMAT:FILE gives the six .Custom findings with
# threatListName NAME and the expected counts, that the same file is
# recognised without naming its format, and that the same file as
# --trusted-list suppresses all of them. A format whose reader is missing or
# a placeholder fails here. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
G="$T/g"
SCENARIOS="recon-iam-custom unauthorized-iam-custom discovery-s3-custom unauthorized-s3-custom
custom-flow custom-dns"

set --
for s in $SCENARIOS; do set -- "$@" --scenario "$s"; done
"$COALMINE" gen --out "$G" --hours 1 --accounts 1 --regions 1 --instances 8 --principals 4 \
    "$@" >/dev/null 2>"$T/gen.err"
check "gen with the six customer-list scenarios exits 0" test $? -eq 0
grep -v '^#' "$G/intel/scenarios.tsv" >"$T/exp.tsv"
check "six expectations" test "$(wc -l <"$T/exp.tsv")" -eq 6
# type|count of every expected finding, sorted
awk -F '\t' '{print $2 "|" $6}' "$T/exp.tsv" | sort >"$T/want"
# the attackers: five addresses (one per IP scenario) and the domain
IPS=$(awk -F '\t' '$7 ~ /^[0-9.]+$/ {print $7}' "$T/exp.tsv")
DOMAIN=$(awk -F '\t' '$7 !~ /^[0-9.,]+$/ {print $7}' "$T/exp.tsv")
check "five attacker addresses and a domain ($(echo $IPS) $DOMAIN)" \
    test "$(echo $IPS | wc -w)" -eq 5 -a -n "$DOMAIN"

# The addresses split: the first two as a CIDR / range covering only them (each
# attacker is x.y.z.(8k+3) and its near misses lie above it), the rest single.
set -- $IPS
R1=$1; R2=$2; shift 2; SINGLES="$*"
net() { echo "${1%.*}.$(( ${1##*.} - ${1##*.} % 4 ))"; } # the /30 holding $1

write_txt() {
    echo "# customer threat list (TXT)"
    echo "$(net "$R1")/30"
    echo "$(net "$R2")/30"
    for ip in $SINGLES; do echo "$ip"; done
    echo "$DOMAIN"
}

write_stix() {
    cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"
    xmlns:cybox="http://cybox.mitre.org/cybox-2"
    xmlns:AddressObject="http://cybox.mitre.org/objects#AddressObject-2"
    xmlns:DomainNameObj="http://cybox.mitre.org/objects#DomainNameObject-1"
    xmlns:indicator="http://stix.mitre.org/Indicator-2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="example:Package-1" version="1.2">
  <stix:Observables cybox_major_version="2" cybox_minor_version="1">
    <cybox:Observable id="example:Observable-1">
      <cybox:Object>
        <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
          <AddressObject:Address_Value condition="InclusiveBetween"
            >$(net "$R1")##comma##$R1</AddressObject:Address_Value>
        </cybox:Properties>
      </cybox:Object>
    </cybox:Observable>
    <cybox:Observable id="example:Observable-2">
      <cybox:Object>
        <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
          <AddressObject:Address_Value condition="InclusiveBetween"
            >$(net "$R2")##comma##$R2</AddressObject:Address_Value>
        </cybox:Properties>
      </cybox:Object>
    </cybox:Observable>
EOF
    k=3
    for ip in $SINGLES; do
        cat <<EOF
    <cybox:Observable id="example:Observable-$k">
      <cybox:Object>
        <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
          <AddressObject:Address_Value>$ip</AddressObject:Address_Value>
        </cybox:Properties>
      </cybox:Object>
    </cybox:Observable>
EOF
        k=$((k + 1))
    done
    cat <<EOF
  </stix:Observables>
  <stix:Indicators>
    <stix:Indicator id="example:Indicator-1" xsi:type="indicator:IndicatorType">
      <indicator:Observable id="example:Observable-$k">
        <cybox:Object>
          <cybox:Properties xsi:type="DomainNameObj:DomainNameObjectType">
            <DomainNameObj:Value condition="Equals">$DOMAIN</DomainNameObj:Value>
          </cybox:Properties>
        </cybox:Object>
      </indicator:Observable>
    </stix:Indicator>
  </stix:Indicators>
</stix:STIX_Package>
EOF
}

write_otx() {
    echo "Indicator type, Indicator, Description"
    echo "CIDR, $(net "$R1")/30, brute force"
    echo "CIDR, $(net "$R2")/30, brute force"
    for ip in $SINGLES; do echo "IPv4, $ip, scanner"; done
    echo "Domain name, $DOMAIN, command and control"
}

write_alien_vault() {
    for ip in $R1 $R2 $SINGLES; do echo "$ip#4#2#Malicious Host#RU##59.8944,30.2642#3"; done
    echo "$DOMAIN#4#2#Malicious Host#PL##52.2393989563,21.0361995697#3"
}

write_proof_point() {
    echo "domain, category, score, first_seen, last_seen, ports (|)"
    echo "$R1, 1, 100, 2025-11-02, 2026-01-04,"
    echo "$R2, 1, 100, 2025-11-02, 2026-01-04, 22|443"
    for ip in $SINGLES; do echo "$ip, 1, 100, 2025-12-01, 2026-01-04, 443"; done
    echo "$DOMAIN, 6, 90, 2025-12-20, 2026-01-04,"
}

fe_row() { # id cidr domain ip
    printf '%s, Customer intel, Cyber Crime, Operational, threat, 1767225600' "$1"
    printf ', https://intelligence.example/report/%s, https://intelligence.example/web/%s' "$1" "$1"
    i=8
    while [ $i -le 30 ]; do printf ', '; i=$((i + 1)); done # columns 8-30: e-mail and file fields
    printf ', %s, %s, , , %s, , , , , network, , Ursnif' "$2" "$3" "$4" # columns 31-42
    printf ', 6a1f1c5e-4a6b-4f0e-9f57-1d1ad0d2a001, , , 1767225600\n'  # columns 43-46
}

write_fire_eye() {
    echo "reportId, title, threatScape, audience, intelligenceType, publishDate, reportLink, $(
        )webLink, emailIdentifier, senderAddress, senderName, sourceDomain, sourceIp, subject, $(
        )recipient, emailLanguage, fileName, fileSize, fuzzyHash, fileIdentifier, md5, sha1, $(
        )sha256, description, fileType, packer, userAgent, registry, fileCompilationDateTime, $(
        )filePath, asn, cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, protocol, $(
        )registrantEmail, registrantName, networkType, url, malwareFamily, malwareFamilyId, $(
        )actor, actorId, observationTime"
    fe_row 26-00000001 "$(net "$R1")/30" "" ""
    fe_row 26-00000002 "$(net "$R2")/30" "" ""
    k=3
    for ip in $SINGLES; do fe_row "26-0000000$k" "" "" "$ip"; k=$((k + 1)); done
    fe_row 26-00000009 "" "$DOMAIN" ""
}

# scan OUT [scan options]: the findings of the generated logs as JSON lines. The run's
# trusted list is always loaded: it holds the scenarios' trusted near misses.
scan() {
    o=$1; shift
    "$COALMINE" scan --no-default-intel --format json \
        --trusted-list "trusted=TXT:$G/intel/trusted.txt" "$@" "$G/AWSLogs" >"$o" 2>"$o.err"
}

# found JSON: type|count of each finding, sorted; lists JSON: the threatListNames, sorted and unique
found() {
    jget "$1" type >"$1.t"; jget "$1" service.count >"$1.c"
    paste -d '|' "$1.t" "$1.c" | sort
}
lists() {
    jget "$1" service.evidence.threatIntelligenceDetails.0.threatListName | sort -u | tr '\n' ' '
}

# --- the generated TXT lists, as a baseline --------------------------------------------------
scan "$T/base.json" --threat-list "custom=TXT:$G/intel/custom.txt"
check "baseline (the generated custom.txt): the six .Custom findings" \
    test "$(found "$T/base.json")" = "$(cat "$T/want")"

# --- each format ----------------------------------------------------------------------------
for f in TXT STIX OTX_CSV ALIEN_VAULT PROOF_POINT FIRE_EYE; do
    lname="customer-$(echo "$f" | tr 'A-Z_' 'a-z-')"
    file="$T/$lname.list"
    case $f in
    TXT) write_txt ;;
    STIX) write_stix ;;
    OTX_CSV) write_otx ;;
    ALIEN_VAULT) write_alien_vault ;;
    PROOF_POINT) write_proof_point ;;
    FIRE_EYE) write_fire_eye ;;
    esac >"$file"

    scan "$T/$f.json" --threat-list "$lname=$f:$file"
    check "$f: scan exits 0" test $? -eq 0
    loaded=$(sed -n "s/^ *$lname ($f, threat): \\([0-9]*\\) networks, \\([0-9]*\\) names.*/\\1 \\2/p" \
        "$T/$f.json.err")
    check "$f: the reader took 5 networks and 1 name (got: ${loaded:-nothing})" \
        test "$loaded" = "5 1"
    check "$f: no bad record" test -z "$(grep 'record skipped' "$T/$f.json.err")"
    got=$(found "$T/$f.json")
    check "$f: the six .Custom findings with their counts (got: $(echo $got))" \
        test "$got" = "$(cat "$T/want")"
    check "$f: threatListName $lname" test "$(lists "$T/$f.json")" = "$lname "

    scan "$T/$f.sniff.json" --threat-list "$lname=$file"
    check "$f: recognised without naming the format" \
        grep -q "^ *$lname ($f, threat): 5 networks, 1 names" "$T/$f.sniff.json.err"
    check "$f: sniffed: the same findings" test "$(found "$T/$f.sniff.json")" = "$(cat "$T/want")"

    scan "$T/$f.trusted.json" --threat-list "custom=TXT:$G/intel/custom.txt" \
        --threat-list "$lname=$f:$file" --trusted-list "trusted-$lname=$f:$file"
    check "$f: as a trusted list it suppresses them all" test $? -eq 0 -a ! -s "$T/$f.trusted.json"
    check "$f: the trusted list loaded" \
        grep -q "^ *trusted-$lname ($f, trusted): 5 networks, 1 names" "$T/$f.trusted.json.err"
done

done_testing
