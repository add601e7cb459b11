#!/bin/sh
# End-to-end test of Trojan:EC2/DNSDataExfiltration (issue #7, part 2;
# docs/detectors/dns-tunnel.md) with the scenarios of `coalmine gen`
# (src/gen/gen_sc_dns_tunnel.c): dns-exfil-tester (the GuardDuty tester's
# base64-like names, two reports an hour apart), dns-tunnel-hex (dnscat2-like
# hex names over TXT, CNAME and MX), dns-tunnel-download (the data in TXT answers),
# dns-tunnel-spread (names rotating over four domains), dns-tunnel-dnscat (a
# dnscat2 handshake, answered in kind) and dns-tunnel-slow (a trickle under every
# hour's thresholds, found by its day). Each scenario alone (a small world, Resolver
# logs only, the hours it needs) is scanned and its findings checked against
# DIR/intel/scenarios.tsv: exactly one DNSDataExfiltration finding, on the
# tunnel's instance, with the count (so no near miss was counted, nor the queries
# after the last report), severity 8 and the additionalInfo the docs fix; every
# near miss (seven names, one name repeated, a slow trickle, numbered hosts, a DNS
# inventory, hash look-ups at an allow-listed service, ACM validation records,
# content-addressed hosts (IPFS, Arweave, Dropbox), an office client, SPF and verification answers, CDN CNAMEs, one token answered, ids
# among the answers, one name per domain, short names over four domains, two
# domains, a dnscat2 session never answered, three packets, packets answered with
# themselves or another session's, forty names in a day, names of 12 bytes, one name
# all day, hash look-ups all day) is really in the logs, and its instance has no other
# finding.
# Then both scenarios together, the same with --threads 1, and the background
# alone at the default scale over 24 hours (and the test's small world) with
# every detector on: no DNSDataExfiltration. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/scen.sh"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4"
TYPE="Trojan:EC2/DNSDataExfiltration"
SCENARIOS="dns-exfil-tester dns-tunnel-hex dns-tunnel-download dns-tunnel-spread dns-tunnel-dnscat
dns-tunnel-slow"

if ! command -v python3 >/dev/null; then
    skip "DNS tunnelling scenarios" "python3 is not installed"
    done_testing
    exit 0
fi

# summary JSON OUT: per DNSDataExfiltration finding: type|instance|count|severity|additionalInfo
summary() { instance_summary "$1" "$2" "$TYPE"; }

# records DIR: every Resolver log line under DIR
records() { log_lines "$1" vpcdnsquerylogs; }

# --- the scenarios are listed -------------------------------------------------------------
"$COALMINE" gen --list-scenarios >"$T/list" 2>&1
check "--list-scenarios exits 0" test $? -eq 0
got=$(awk -v t="$TYPE" '$2 == t {print $1}' "$T/list" | sort | tr '\n' ' ')
want=$(printf '%s\n' $SCENARIOS | sort | tr '\n' ' ')
check "the $TYPE scenarios are listed: $want(got: $got)" test "$got" = "$want"

# --- each scenario alone -------------------------------------------------------------------
maxh=1
for sc in $SCENARIOS; do
    D="$T/$sc"
    if ! "$COALMINE" gen --out "$D" $WORLD --hours 1 --kinds dns --scenario "$sc" >/dev/null \
        2>"$T/gen.err"; then
        nok "$sc: gen" "$(cat "$T/gen.err")"
        continue
    fi
    needs=$(grep -v '^#' "$D/intel/scenarios.tsv" | head -n 1 | cut -f 12)
    case ",$needs," in
    *,hours=*)
        hours=$(printf '%s\n' "$needs" | tr ',' '\n' | sed -n 's/^hours=//p')
        [ "$hours" -gt "$maxh" ] && maxh=$hours
        # a run too short for the plan adds nothing and expects nothing
        check "$sc: one hour is too short: gen writes count 0" \
            test "$(grep -v '^#' "$D/intel/scenarios.tsv" | cut -f 6)" = "0"
        rm -rf "$D"
        "$COALMINE" gen --out "$D" $WORLD --hours "$hours" --kinds dns --scenario "$sc" \
            >/dev/null 2>"$T/gen.err" || { nok "$sc: gen --hours $hours" "$(cat "$T/gen.err")"; continue; }
        ;;
    esac
    grep -v '^#' "$D/intel/scenarios.tsv" >"$T/exp.tsv"
    IFS='	' read -r name etype res _ _ count _ near sev _ inf _ <"$T/exp.tsv"
    check "$sc: scenarios.tsv expects one $TYPE (got $etype, $(wc -l <"$T/exp.tsv") line, count $count)" \
        test "$name" = "$sc" -a "$etype" = "$TYPE" -a "$(wc -l <"$T/exp.tsv")" -eq 1 -a "$count" -gt 0
    scan "$D" "$T/f.json"
    check "$sc: scan exits 0" test $? -eq 0
    summary "$T/f.json" "$T/f.sum"
    check "$sc: exactly one $TYPE finding (got $(wc -l <"$T/f.sum"))" test "$(wc -l <"$T/f.sum")" -eq 1
    IFS='|' read -r _ gres gcount gsev gai <"$T/f.sum"
    check "$sc: on the tunnel's instance $res (got $gres)" test "$gres" = "$res"
    check "$sc: count $count: the reports, no near miss, not the tail (got $gcount)" \
        test "$gcount" = "$count"
    check "$sc: severity $sev (got $gsev)" test "$gsev" = "$sev"
    rest=$inf
    while [ -n "$rest" ] && [ "$rest" != "-" ]; do
        kv=${rest%%&*}
        if [ "$kv" = "$rest" ]; then rest=""; else rest=${rest#*&}; fi
        gv=$(info_json "$gai" "${kv%%=*}")
        check "$sc: additionalInfo.${kv%%=*} = ${kv#*=} (got $gv)" test "$gv" = "${kv#*=}"
    done
    # a spread (several domains of one instance) gives the sums: domains, names, bytes, queries;
    # a dnscat2 session its packets, whatever little they carried; a slow tunnel its day
    check "$sc: additionalInfo measures the names (bytes, meanLength, entropy, queryTypes)" \
        python3 -c 'import json, sys
a = json.loads(sys.argv[1])
if a.get("tool") == "dnscat2":
    sys.exit(not (a["sessionPackets"] >= 4 and 2 <= a["serverPackets"] <= a["sessionPackets"]
                  and a["queries"] >= a["sessionPackets"] and a["encoding"] == "hex"
                  and sum(a["queryTypes"].values()) == a["queries"] and len(a["session"]) == 4))
if a.get("slow"):
    sys.exit(not (a["bytes"] >= 960 and a["queries"] >= a["uniqueSubdomains"] >= 48
                  and a["queriesPerHour"] > 0 and a["windowSeconds"] == 86400))
if a.get("spread"):
    sys.exit(not (a["bytes"] >= 200 and a["domains"] >= 3 and a["queries"] >= a["uniqueSubdomains"] >= 8))
sys.exit(not (a["bytes"] >= 200 and a["meanLength"] >= 40 and 3.5 <= a["entropy"] <= 6.5
              and a["queries"] >= a["uniqueSubdomains"] >= 4 and sum(a["queryTypes"].values()) == a["queries"]))' \
        "$gai"
    records "$D" >"$T/recs"
    absent=""
    nnear=0
    IFS_SAVE=$IFS
    IFS=','
    for m in $near; do
        [ -n "$m" ] && [ "$m" != "-" ] || continue
        nnear=$((nnear + 1))
        has_all "$T/recs" "$m" || absent="$absent [$m]"
    done
    IFS=$IFS_SAVE
    check "$sc: its $nnear near misses are in the logs${absent:+ (absent:$absent)}" \
        test "$nnear" -ge 4 -a -z "$absent"
    check "$sc: the tunnel's queries are in the logs (>= $count of its instance)" \
        test "$(grep -cF "\"instance\":\"$res\"" "$T/recs")" -ge "$count"
    nearid=$(printf '%s\n' "$near" | tr ',' '\n' | sed -n 's/.*"instance":"\([^"]*\)".*/\1/p' | sort -u)
    if [ "$nearid" != "$res" ]; then
        check "$sc: the near misses' instance ($nearid) has no finding" \
            sh -c '[ -n "$1" ] && ! grep -qF "|$1|" "$2"' _ "$nearid" "$T/f.sum"
    fi
    scan "$D" "$T/f1.json" --threads 1
    summary "$T/f1.json" "$T/f1.sum"
    check "$sc: --threads 1 gives the same finding" \
        sh -c 'cut -d "|" -f 1-4 "$1" >"$1.c"; cut -d "|" -f 1-4 "$2" >"$2.c"; cmp -s "$1.c" "$2.c"' \
        _ "$T/f.sum" "$T/f1.sum"
    rm -rf "$D"
done

# --- both together ---------------------------------------------------------------------------
A="$T/all"
set --
for sc in $SCENARIOS; do set -- "$@" --scenario "$sc"; done
"$COALMINE" gen --out "$A" $WORLD --hours "$maxh" --kinds dns "$@" >/dev/null 2>&1
check "gen with both scenarios ($maxh hours) exits 0" test $? -eq 0
scan "$A" "$T/all.json"
summary "$T/all.json" "$T/all.sum"
grep -v '^#' "$A/intel/scenarios.tsv" | awk -F '\t' '{print $2 "|" $3 "|" $6}' | sort >"$T/want.all"
cut -d '|' -f 1-3 "$T/all.sum" | sort >"$T/got.all"
if cmp -s "$T/want.all" "$T/got.all"; then
    ok "both scenarios: $(wc -l <"$T/want.all") findings, each instance and count as expected"
else
    nok "both scenarios: each instance and count as expected" \
        "$(diff "$T/want.all" "$T/got.all" | grep '^[<>]' | head -n 8)"
fi

# --- Resolver files read out of order ---------------------------------------------------------
# Hourly scans with --state of files as AWS delivers them: a Resolver file can come in the
# scan before the one five minutes older (not late: within the disorder one scan's own order
# allows). The tester's first file (00:10) comes after its second (00:15); the counts must
# be one scan's. Before 2026-12-05 the window and the rate limit started at the 00:15 file's
# names: the detection that reports the 00:10 file's names and the hour after was due five
# minutes after the tunnel stopped, and the finding counted 6 instead of 936.
O="$T/order"
"$COALMINE" gen --out "$O" $WORLD --hours 2 --kinds dns --scenario dns-exfil-tester >/dev/null 2>&1
check "out of order: gen exits 0" test $? -eq 0
find "$O/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz' | sort >"$T/o.files"
first=""
while read -r f; do
    if zcat "$f" | grep -q guarddutyc2activityb; then first=$f; break; fi
done <"$T/o.files"
second=$(grep -A1 -xF "$first" "$T/o.files" | tail -n 1)
# scan 1: the files before the tester's, and its second file; scan 2: the rest (its first)
awk -v a="$first" '$0 == a {exit} {print}' "$T/o.files" >"$T/o.1"
echo "$second" >>"$T/o.1"
grep -vxF -f "$T/o.1" "$T/o.files" >"$T/o.2"
scan "$O" "$T/o.whole.json"
summary "$T/o.whole.json" "$T/o.whole.sum"
rm -f "$T/o.state"
# shellcheck disable=SC2046 # one file a line, no spaces
"$COALMINE" scan --no-default-intel --format json --state "$T/o.state" $(cat "$T/o.1") \
    >"$T/o.a.json" 2>/dev/null
# shellcheck disable=SC2046
"$COALMINE" scan --no-default-intel --format json --state "$T/o.state" --final \
    --stats "$T/o.stats" $(cat "$T/o.2") >"$T/o.b.json" 2>/dev/null
cat "$T/o.a.json" "$T/o.b.json" >"$T/o.split.json"
summary "$T/o.split.json" "$T/o.split.sum"
wcount=$(cut -d '|' -f 3 "$T/o.whole.sum")
scount=$(awk -F '|' '{n += $3} END {print n + 0}' "$T/o.split.sum")
check "out of order: the tester's second file first ($(basename "$second"))" \
    test -n "$first" -a -n "$second" -a "$first" != "$second"
check "out of order: no record late ($(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["late"]["dns"])' "$T/o.stats" 2>/dev/null))" \
    python3 -c 'import json, sys
sys.exit(json.load(open(sys.argv[1]))["late"]["dns"] != 0)' "$T/o.stats"
check "out of order: the count of one scan (one scan $wcount, in two out of order $scount)" \
    test "$wcount" = 950 -a "$scount" = "$wcount"

# --- the spread's tail, file by file -----------------------------------------------------------
# dns-tunnel-spread scanned one Resolver file at a time with --state (--final at the last):
# the spread detection at its 11th name and the five after it, reported as the instance's
# spread entry expires, as one scan counts them (16). Before 2026-12-05 the five after the
# detection were never reported (11).
S="$T/spreadst"
"$COALMINE" gen --out "$S" $WORLD --hours 2 --kinds dns --scenario dns-tunnel-spread >/dev/null 2>&1
check "spread file by file: gen exits 0" test $? -eq 0
find "$S/AWSLogs" -path '*/vpcdnsquerylogs/*' -name '*.gz' | sort >"$T/s.files"
scan "$S" "$T/s.whole.json"
summary "$T/s.whole.json" "$T/s.whole.sum"
rm -f "$T/s.state" "$T/s.split.json"
last=$(tail -n 1 "$T/s.files")
while read -r f; do
    fin=""
    if [ "$f" = "$last" ]; then fin="--final"; fi
    "$COALMINE" scan --no-default-intel --format json --state "$T/s.state" $fin "$f" \
        >>"$T/s.split.json" 2>/dev/null
done <"$T/s.files"
summary "$T/s.split.json" "$T/s.split.sum"
wcount=$(awk -F '|' '{n += $3} END {print n + 0}' "$T/s.whole.sum")
scount=$(awk -F '|' '{n += $3} END {print n + 0}' "$T/s.split.sum")
check "spread file by file: the count of one scan (one scan $wcount, file by file $scount)" \
    test "$wcount" = 16 -a "$scount" = "$wcount"

# --- a tunnel under search-list-looking names ---------------------------------------------------
# A pod's tunnel whose server answers NXDOMAIN and writes an allow-listed zone into its
# names (<32 base32>.s3.amazonaws.com.evil-tunnel.com, two a minute for an hour), on a
# Kubernetes node whose search list (ndots:5) also expands hashed names under
# corp.example.com, beside two more such nodes (tests/e2e/lib/fp_dns.py, roles nxtunnel and
# k8s). The node learns corp.example.com as a search domain (it follows found.io,
# amazonaws.com and on.aws names); evil-tunnel.com follows one zone only, so after the 16
# names held while it is learned its names are judged. Before 2026-12-06 every such name
# was skipped as an expansion (no finding).
X="$T/nxtunnel"
python3 "$(dirname "$0")/lib/fp_dns.py" "$X" --hours 1 --only nxtunnel,k8s >/dev/null
check "nxtunnel: fixture has the tunnel's NXDOMAIN names" \
    test "$(find "$X" -name '*.gz' -exec zcat {} + | grep -c 's3\.amazonaws\.com\.evil-tunnel\.com.*NXDOMAIN')" -eq 120
check "nxtunnel: fixture has the nodes' expansions under corp.example.com" \
    test "$(find "$X" -name '*.gz' -exec zcat {} + | grep -c 'amazonaws\.com\.corp\.example\.com.*NXDOMAIN')" -ge 20
for th in 1 2; do
    "$COALMINE" scan -q --no-default-intel --format json --threads $th "$X" >"$T/nx$th.json" \
        2>"$T/nx$th.err"
    summary "$T/nx$th.json" "$T/nx$th.sum"
    tinst=$(find "$X" -name '*.gz' -exec zcat {} + | grep -m 1 'evil-tunnel' |
        sed 's/.*"instance":"\([^"]*\)".*/\1/')
    check "nxtunnel (--threads $th): one $TYPE finding, on the tunnel's instance $tinst" \
        test "$(wc -l <"$T/nx$th.sum")" -eq 1 -a "$(cut -d '|' -f 2 "$T/nx$th.sum")" = "$tinst"
    # the same 120 names under a plain sub-domain of evil-tunnel.com count 112
    check "nxtunnel (--threads $th): under evil-tunnel.com, count 96 (the 16 held not counted)" \
        grep -q '|96|8|{"domain":"evil-tunnel.com"' "$T/nx$th.sum"
done

# --- the background alone ----------------------------------------------------------------------
B="$T/bg"
"$COALMINE" gen --out "$B" --hours 24 --kinds dns >/dev/null 2>&1
check "background (default scale, 24 h): gen exits 0" test $? -eq 0
scan "$B" "$T/bg.json"
check "background scan exits 0" test $? -eq 0
check "background: Resolver records read" grep -q 'dns [1-9]' "$T/bg.json.err"
summary "$T/bg.json" "$T/bg.sum"
if [ -s "$T/bg.sum" ]; then
    nok "background with every detector on: no $TYPE" "$(cut -d '|' -f 1-3,5 "$T/bg.sum" | head -n 8)"
else
    ok "background with every detector on: no $TYPE"
fi
rm -rf "$B"
B1="$T/bg1"
"$COALMINE" gen --out "$B1" $WORLD --hours 24 --kinds dns --seed 7 >/dev/null 2>&1
scan "$B1" "$T/bg1.json"
summary "$T/bg1.json" "$T/bg1.sum"
if [ -s "$T/bg1.sum" ]; then
    nok "background of the test's small world (seed 7, 24 h): no $TYPE" \
        "$(cut -d '|' -f 1-3,5 "$T/bg1.sum" | head -n 8)"
else
    ok "background of the test's small world (seed 7, 24 h): no $TYPE"
fi

done_testing
