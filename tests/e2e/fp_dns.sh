#!/bin/sh
# False alarms of the DNS detectors (issue #7): a day and two hours of the Route 53
# Resolver query logs of a realistic benign estate that `coalmine gen` does not model,
# written by tests/e2e/lib/fp_dns.py (two accounts, 20 instances): mail relays asking
# DNS block lists (reversed IPv4 and IPv6 nibbles), URI lists and hash lists for every
# message and SPF/DMARC/DKIM/MX of every sender; anti-virus agents asking their vendor's
# cloud about file hashes (Sophos, McAfee GTI, Team Cymru, ESET, Trend Micro), in bursts
# at updates; a log shipper's PTR bursts (in-addr.arpa, ip6.arpa); Kubernetes nodes with
# ndots:5 search-list expansions (NXDOMAIN), Consul and EC2 host names; a Windows DNS
# forwarder / AD domain controller resolving for many desktops (typos, Chrome's random
# intranet probes, AD SRV look-ups); a jump host whose search suffix is the private zone
# "corp" (Chrome's probes become <random>.corp); web and batch servers on AWS names (ELB, S3 virtual
# hosts with random bucket names, API Gateway, Lambda URLs, ECR, IoT, EKS, OpenSearch,
# VPC endpoints, instance-data), CDNs and clouds (Akamai, Fastly, Azure, Google), free
# sub-domain hosting, telemetry agents and NTP; a CI runner on preview deployments, ACME
# and ACM validation names, and a developer's home-lab dynamic-DNS name.
# Scanned with every detector on, with the default intel and with --no-default-intel
# plus a gen world's scenario lists: no DNS finding of any type family. Near misses
# that fired before a fix are checked on their own first. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
GEN="$(dirname "$0")/lib/fp_dns.py"

if ! command -v python3 >/dev/null; then
    skip "benign DNS estate" "python3 is not installed"
    done_testing
    exit 0
fi

# types JSON: one line per finding: type instance count
types() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    l = l.strip()
    if l:
        f = json.loads(l)
        print(f["type"], f["resource"].get("instanceDetails", {}).get("instanceId", "-"),
              f["service"]["count"])' "$1"; }

# none FILE REGEX: no finding line matches REGEX
none() {
    hits=$(grep -E "$2" "$1")
    if [ -z "$hits" ]; then return 0; fi
    echo "$hits" | head -5 | sed 's/^/# /'
    return 1
}

# ---- near misses, each alone ----

# Trend Micro's reputation look-ups: hashes in labels under trendmicro.com, bursts at updates
python3 "$GEN" "$T/trend" --hours 3 --only trend >/dev/null
"$COALMINE" scan -q --format json "$T/trend" >"$T/trend.json" 2>"$T/trend.err"
types "$T/trend.json" >"$T/trend.t"
check "fixture: Trend Micro hash look-ups are in the logs" \
    test "$(find "$T/trend" -name '*.gz' -exec zcat {} + | grep -c 'trendmicro\.com')" -ge 20
check "an anti-virus agent's hash look-ups at Trend Micro: no DNSDataExfiltration" \
    none "$T/trend.t" "DNSDataExfiltration"

# Kubernetes pods (ndots:5) whose node's search list has a corporate domain: every
# external name of fewer than five dots is first asked with each search suffix, so Elastic
# Cloud deployments (32 hex), hashed S3 buckets and Lambda URLs reach example.com
python3 "$GEN" "$T/k8s" --hours 3 --only k8s >/dev/null
"$COALMINE" scan -q --format json "$T/k8s" >"$T/k8s.json" 2>"$T/k8s.err"
types "$T/k8s.json" >"$T/k8s.t"
check "fixture: search-list expansions of hashed names under the corporate domain" \
    test "$(find "$T/k8s" -name '*.gz' -exec zcat {} + | grep -c 'found\.io\.corp\.example\.com.*NXDOMAIN')" -ge 100
check "search-list expansions of allow-listed names (NXDOMAIN): no DNSDataExfiltration" \
    none "$T/k8s.t" "DNSDataExfiltration"

# A jump host whose search suffix is a single-label private zone ("corp"): Chrome's random
# intranet probes, three at every start, become <random>.corp, NXDOMAIN
python3 "$GEN" "$T/rdsh" --hours 12 --only rdsh >/dev/null
"$COALMINE" scan -q --format json "$T/rdsh" >"$T/rdsh.json" 2>"$T/rdsh.err"
types "$T/rdsh.json" >"$T/rdsh.t"
check "fixture: Chrome's random probes with a private search suffix" \
    test "$(find "$T/rdsh" -name '*.gz' -exec zcat {} + | grep -c '[a-z]\{7,15\}\.corp\.".*NXDOMAIN')" -ge 100
check "Chrome's probes under a private namespace: no DGADomainRequest" \
    none "$T/rdsh.t" "DGADomainRequest"

# The same with the company's name as the zone ("mycompany": a TLD the Public Suffix List has
# no rule for, so in no root zone): a day and more, past the reputation model's learning day
python3 "$GEN" "$T/rdsh2" --hours 30 --only rdsh2 >/dev/null
"$COALMINE" scan -q --format json "$T/rdsh2" >"$T/rdsh2.json" 2>"$T/rdsh2.err"
types "$T/rdsh2.json" >"$T/rdsh2.t"
check "fixture: Chrome's random probes under a TLD in no root zone" \
    test "$(find "$T/rdsh2" -name '*.gz' -exec zcat {} + | grep -c '[a-z]\{7,15\}\.mycompany\.".*NXDOMAIN')" -ge 100
check "Chrome's probes under a TLD in no root zone: no DGADomainRequest" \
    none "$T/rdsh2.t" "DGADomainRequest"
check "Chrome's probes under a TLD in no root zone: no *DomainRequest.Reputation" \
    none "$T/rdsh2.t" "DomainRequest\.Reputation"

# ---- the whole estate ----
python3 "$GEN" "$T/fp" >"$T/gen.out"
total=$(awk '{print $1}' "$T/gen.out")
check "fixture: the estate has over 300,000 queries" test "${total:-0}" -gt 300000
"$COALMINE" scan --format json "$T/fp" >"$T/def.json" 2>"$T/def.err"
check "default intel: every record read, none rejected" \
    sh -c "grep -q 'dns $total' '$T/def.err' && grep -q 'rejected: cloudtrail 0, vpcflow 0, dns 0' '$T/def.err'"
types "$T/def.json" >"$T/def.t"

# a gen world's scenario lists (and not its inventory: the estate's instances are its own)
"$COALMINE" gen --out "$T/g" --hours 1 --accounts 1 --regions 1 --instances 2 --principals 2 \
    --scenario all --seed 7 >/dev/null 2>&1
args=$(grep -v -e '--inventory' -e '--canary-key' "$T/g/intel/args.txt")
# shellcheck disable=SC2086
"$COALMINE" scan -q --format json --no-default-intel $args "$T/fp" >"$T/lists.json" 2>"$T/lists.err"
types "$T/lists.json" >"$T/lists.t"

for intel in def lists; do
    check "background of the realistic benign estate ($intel intel): no DNSDataExfiltration" \
        none "$T/$intel.t" "DNSDataExfiltration"
    check "background of the realistic benign estate ($intel intel): no DGADomainRequest" \
        none "$T/$intel.t" "DGADomainRequest"
    check "background of the realistic benign estate ($intel intel): no MetadataDNSRebind" \
        none "$T/$intel.t" "MetadataDNSRebind"
    check "background of the realistic benign estate ($intel intel): no *DomainRequest.Reputation" \
        none "$T/$intel.t" "DomainRequest.Reputation"
    check "background of the realistic benign estate ($intel intel): no intel-list DNS finding" \
        none "$T/$intel.t" "!DNS"
    check "background of the realistic benign estate ($intel intel): no finding at all" \
        none "$T/$intel.t" "."
done
done_testing
