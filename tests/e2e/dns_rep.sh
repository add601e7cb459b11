#!/bin/sh
# End-to-end tests of UnauthorizedAccess:EC2/MetadataDNSRebind and the four
# Impact:EC2/...DomainRequest.Reputation types of issue #7 with the scenarios
# of `coalmine gen` (src/gen/gen_sc_dns_rep.c; the rules are
# docs/detectors/dns-reputation.md). For each scenario: generate a small world
# with that scenario alone (DNS logs; as many hours as it needs: 26 for the
# reputation types, whose first day is the environment's history, but 1 for
# Bitcoin, whose pool hosts fire in it too), scan it with
# the options gen wrote (DIR/intel/args.txt: the C&C list of the Malicious
# scenario) and check the findings against DIR/intel/scenarios.tsv: of these
# five types only the expected one fires, on the expected instance, with the
# expected count (so no near miss was counted) and severity, and
# additionalInfo says why; every near miss is really in the logs. Then all
# five scenarios together; the background alone at the default scale over 24
# hours and the test's small world over 48 hours (a day past learning), with
# every detector on: none of these types; and every distinct name of the
# background scored by `coalmine dns score --explain` as if it were new to the
# environment: none would be reported. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/scen.sh"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4"

TYPES='UnauthorizedAccess:EC2/MetadataDNSRebind
Impact:EC2/AbusedDomainRequest.Reputation
Impact:EC2/BitcoinDomainRequest.Reputation
Impact:EC2/MaliciousDomainRequest.Reputation
Impact:EC2/SuspiciousDomainRequest.Reputation'
printf '%s\n' "$TYPES" >"$T/types"

if command -v jq >/dev/null; then
    # summary JSON OUT: per finding of TYPES: type|instance|count|severity|additionalInfo
    summary() {
        jq -r '[.type, .resource.instanceDetails.instanceId, .service.count, .severity,
                ((.service.additionalInfo // {})
                 | if (.value | type) == "string" then (.value | fromjson? // {}) else . end
                 | del(.coalmine) | tojson)] | map(tostring) | join("|")' "$1" |
            grep -F -f "$T/types" >"$2" || :
    }
elif command -v python3 >/dev/null; then
    # shellcheck disable=SC2046 # one type a word
    summary() { instance_summary "$1" "$2" $(cat "$T/types"); }
else
    skip "DNS reputation scenarios" "neither jq nor python3 is installed"
    # the derived-route53 check needs python3 too
    SHARED=${SHARED:-$(dirname "$0")/../../../shared}
    skip "derived-route53: background captures stay quiet" "no $SHARED/data/derived-route53 (or no python3)"
    done_testing
    exit 0
fi

# records DIR: every DNS log line under DIR
records() { log_lines "$1" vpcdnsquerylogs; }

# --- gen knows the scenarios ----------------------------------------------------------------
"$COALMINE" gen --list-scenarios >"$T/list" 2>&1
check "--list-scenarios exits 0" test $? -eq 0
awk 'NR == FNR { t[$1] = 1; next } ($2 in t) { print $1 }' "$T/types" "$T/list" >"$T/scenarios"
check "a scenario for each of the 5 types ($(tr '\n' ' ' <"$T/scenarios"))" \
    test "$(awk '{print $2}' "$T/list" | grep -cxF -f "$T/types")" -eq 5

# --- one scenario at a time -----------------------------------------------------------------
maxh=1
for sc in $(cat "$T/scenarios"); do
    D="$T/$sc"
    if ! "$COALMINE" gen --out "$D" $WORLD --hours 1 --kinds dns --scenario "$sc" \
        >/dev/null 2>"$T/gen.err"; then
        nok "$sc: gen" "$(cat "$T/gen.err")"
        continue
    fi
    needs=$(grep -v '^#' "$D/intel/scenarios.tsv" | head -n 1 | cut -f 12)
    case ",$needs," in
    *,hours=*)
        hours=$(printf '%s\n' "$needs" | tr ',' '\n' | sed -n 's/^hours=//p')
        [ "$hours" -gt "$maxh" ] && maxh=$hours
        rm -rf "$D"
        "$COALMINE" gen --out "$D" $WORLD --hours "$hours" --kinds dns --scenario "$sc" \
            >/dev/null 2>"$T/gen.err" || { nok "$sc: gen --hours $hours" "$(cat "$T/gen.err")"; continue; }
        ;;
    esac
    grep -v '^#' "$D/intel/scenarios.tsv" >"$T/exp.tsv"
    type=$(cut -f 2 "$T/exp.tsv")
    count=$(cut -f 6 "$T/exp.tsv")
    check "$sc: scenarios.tsv expects one $type finding of $count queries" \
        test "$(wc -l <"$T/exp.tsv")" -eq 1 -a "$count" -gt 0
    scan "$D" "$T/f.json"
    check "$sc: scan exits 0" test $? -eq 0
    summary "$T/f.json" "$T/f.sum"
    got=$(cut -d '|' -f 1 "$T/f.sum" | sort -u | tr '\n' ' ')
    check "$sc: of the five types only $type fires (got: ${got:-none})" test "$got" = "$type "
    want=$(cut -f 2,3,6 "$T/exp.tsv" | tr '\t' '|')
    have=$(cut -d '|' -f 1-3 "$T/f.sum")
    check "$sc: type|instance|count $want (got ${have:-none}; near misses not counted)" \
        test "$have" = "$want"
    sev=$(cut -f 9 "$T/exp.tsv")
    gsev=$(cut -d '|' -f 4 "$T/f.sum" | head -n 1)
    check "$sc: severity $sev (got $gsev)" test "$gsev" = "$sev"
    ai=$(cut -d '|' -f 5- "$T/f.sum" | head -n 1)
    case $type in
    *MetadataDNSRebind)
        check "$sc: additionalInfo names the domain and the metadata answer ($ai)" \
            sh -c 'case $1 in *\"domain\":*\"answer\":\"169.254.169.254\"*|*\"domain\":*\"answer\":\"fd00:ec2::254\"*) exit 0;; esac; exit 1' _ "$ai"
        ;;
    *BitcoinDomainRequest.Reputation)
        # in the learning day: the pool's service host is the evidence, so "new" is not a reason
        check "$sc: additionalInfo has the domain, the score and the reasons, not new ($ai)" \
            sh -c 'case $1 in *\"reasons\":\[\"new\"*) exit 1;; *\"domain\":*\"reputationScore\":*\"reasons\":\[\"crypto:*) exit 0;; esac; exit 1' _ "$ai"
        ;;
    *)
        check "$sc: additionalInfo has the domain, the score and the reasons, new among them ($ai)" \
            sh -c 'case $1 in *\"domain\":*\"reputationScore\":*\"reasons\":\[\"new\"*) exit 0;; esac; exit 1' _ "$ai"
        ;;
    esac
    records "$D" >"$T/recs"
    near=$(cut -f 8 "$T/exp.tsv")
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
        test "$nnear" -gt 0 -a -z "$absent"
    rm -rf "$D"
done

# --- all five together ----------------------------------------------------------------------
A="$T/all"
set --
for sc in $(cat "$T/scenarios"); do set -- "$@" --scenario "$sc"; done
"$COALMINE" gen --out "$A" $WORLD --hours "$maxh" --kinds dns "$@" >/dev/null 2>&1
check "gen with the five scenarios ($maxh hours) exits 0" test $? -eq 0
scan "$A" "$T/all.json"
check "the five scenarios together: scan exits 0" test $? -eq 0
summary "$T/all.json" "$T/all.sum"
grep -v '^#' "$A/intel/scenarios.tsv" |
    awk -F '\t' '$6 > 0 { c[$2 "|" $3] += $6 } END { for (k in c) print k "|" c[k] }' |
    sort >"$T/want.all"
cut -d '|' -f 1-3 "$T/all.sum" | sort >"$T/got.all"
name="the five scenarios together: $(wc -l <"$T/want.all") findings, each type, instance and count"
same_rows "$name" "$T/want.all" "$T/got.all" 12

# --- the background alone -------------------------------------------------------------------
B="$T/bg"
"$COALMINE" gen --out "$B" --hours 24 --kinds dns >/dev/null 2>&1
check "background (default scale, 24 h): gen exits 0" test $? -eq 0
mkdir -p "$B/intel" && cp "$A/intel/args.txt" "$B/intel/args.txt"
scan "$B" "$T/bg.json"
check "background scan exits 0" test $? -eq 0
check "background: DNS records read" grep -q 'dns [1-9]' "$T/bg.json.err"
summary "$T/bg.json" "$T/bg.sum"
if [ -s "$T/bg.sum" ]; then
    nok "background (default scale, 24 h) with every detector on: none of the five types" \
        "$(cut -d '|' -f 1-3 "$T/bg.sum" | sort | uniq -c | head -n 12)"
else
    ok "background (default scale, 24 h) with every detector on: none of the five types"
fi
B2="$T/bg48"
"$COALMINE" gen --out "$B2" $WORLD --hours 48 --kinds dns >/dev/null 2>&1
mkdir -p "$B2/intel" && : >"$B2/intel/args.txt"
scan "$B2" "$T/bg48.json"
summary "$T/bg48.json" "$T/bg48.sum"
if [ -s "$T/bg48.sum" ]; then
    nok "background of the small world, 48 h (a day past learning): none of the five types" \
        "$(cut -d '|' -f 1-3 "$T/bg48.sum" | sort | uniq -c | head -n 12)"
else
    ok "background of the small world, 48 h (a day past learning): none of the five types"
fi
# Every name of the background, as if it were new to the environment.
records "$B" | sed -n 's/.*"query_name":"\([^"]*\)".*/\1/p' | sort -u >"$T/bg.names"
"$COALMINE" dns score --explain <"$T/bg.names" >"$T/bg.scores" 2>"$T/bg.scores.err"
check "dns score --explain reads the background's $(wc -l <"$T/bg.names") names" \
    test $? -eq 0 -a "$(wc -l <"$T/bg.scores")" -eq "$(wc -l <"$T/bg.names")"
awk -F '\t' '$4 != "-"' "$T/bg.scores" >"$T/bg.would"
check "no background name would be reported even if new ($(wc -l <"$T/bg.would") would)" \
    test ! -s "$T/bg.would"

# --- a miner that keeps asking: one finding that counts every query -----------------------
# A mining pool's service host (evidence in itself: it fires from the first hour) asked 30
# times, every 4 minutes from 00:10 to 02:06, by one instance: reported at once, the next 15
# with the query an hour on, and the last 14 when the pair's hit expires (the end of the
# input). Before 2026-12-05 those 14 were never counted (count 16, last seen 01:10). Hourly
# scans that carry on with --state count the same as one scan.
M="$T/miner"
mkdir -p "$M/h0" "$M/h1" "$M/h2"
i=0
while [ $i -lt 30 ]; do
    mins=$((10 + 4 * i))
    hh=$((mins / 60))
    stamp=$(printf '2026-01-05T%02d:%02d:00Z' $hh $((mins % 60)))
    printf '{"version":"1.100000","account_id":"111122223333","region":"us-east-1",%s\n' \
        "\"vpc_id\":\"vpc-0a1b2c3d\",\"query_timestamp\":\"$stamp\",\"query_name\":\"xmr-pool.fastworker-cloud.net.\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\",\"answers\":[{\"Rdata\":\"98.42.17.210\",\"Type\":\"A\",\"Class\":\"IN\"}],\"srcaddr\":\"10.0.1.5\",\"srcport\":\"40000\",\"transport\":\"UDP\",\"srcids\":{\"instance\":\"i-0123456789abcdef0\"}}" \
        >>"$M/h$hh/resolver.log"
    i=$((i + 1))
done
# rep_line JSON [TYPE]: eventFirstSeen|eventLastSeen|count of the TYPE finding (Bitcoin...)
rep_line() {
    grep -F "\"type\":\"${2:-Impact:EC2/BitcoinDomainRequest.Reputation}\"" "$1" |
        grep -o '"eventFirstSeen":"[^"]*"\|"eventLastSeen":"[^"]*"\|"count":[0-9]*' |
        sed 's/^"[A-Za-z]*"://; s/"//g' | paste -sd '|' -
}
"$COALMINE" scan --no-default-intel --format json "$M" >"$T/miner.json" 2>"$T/miner.err"
check "a miner asking its pool 30 times: scan exits 0" test $? -eq 0
want="2026-01-05T00:10:00.000Z|2026-01-05T02:06:00.000Z|30"
got=$(rep_line "$T/miner.json")
check "... one BitcoinDomainRequest.Reputation finding: first and last seen, count $want (got $got)" \
    test "$got" = "$want"
fail=0
for h in 0 1 2; do
    fin=""
    [ $h -eq 2 ] && fin="--final"
    # shellcheck disable=SC2086 # fin: one option or none
    "$COALMINE" scan --no-default-intel --quiet --db "$T/miner.db" --state "$T/miner.state" \
        $fin "$M/h$h" >/dev/null 2>"$T/miner.$h.err" || fail=1
done
check "... three hourly scans with --state exit 0" test $fail -eq 0
"$COALMINE" findings export --db "$T/miner.db" >"$T/miner.db.json" 2>/dev/null
got=$(rep_line "$T/miner.db.json")
check "... and store the same count and times as one scan (got $got)" test "$got" = "$want"

# --- a beacon whose A answer is a C&C address, each query with its AAAA ----------------------
# A day of history, then an ordinary new .com asked every 5 minutes, 10 times, from 01:00 the
# next day: its A answer is on a threat list, its AAAA query has no answer. Every query is the
# same activity, with the listed answer as evidence: count 20. Before 2026-12-05 each query
# was judged by its own answers, and the AAAA ones (nothing against the name) were not
# counted: count 10.
C="$T/c2"
mkdir -p "$C"
printf '45.137.21.66\n' >"$T/c2.threats"
c2_rec() { # TIME TYPE ANSWERS
    printf '{"version":"1.100000","account_id":"111122223333","region":"us-east-1",%s\n' \
        "\"vpc_id\":\"vpc-0a1b2c3d\",\"query_timestamp\":\"$1\",\"query_name\":\"cdn-assets-update.com.\",\"query_type\":\"$2\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\",\"answers\":[$3],\"srcaddr\":\"10.0.1.5\",\"srcport\":\"40000\",\"transport\":\"UDP\",\"srcids\":{\"instance\":\"i-0123456789abcdef0\"}}"
}
c2_rec 2026-01-05T00:00:00Z A '{"Rdata":"93.184.216.34","Type":"A","Class":"IN"}' |
    sed 's/cdn-assets-update\.com/www.example.com/' >"$C/resolver.log"
i=0
while [ $i -lt 10 ]; do
    mins=$((5 * i))
    c2_rec "$(printf '2026-01-06T01:%02d:00Z' $mins)" A \
        '{"Rdata":"45.137.21.66","Type":"A","Class":"IN"}' >>"$C/resolver.log"
    c2_rec "$(printf '2026-01-06T01:%02d:01Z' $mins)" AAAA '' >>"$C/resolver.log"
    i=$((i + 1))
done
"$COALMINE" scan --no-default-intel --format json --threat-list "c2=TXT:$T/c2.threats" "$C" \
    >"$T/c2.json" 2>"$T/c2.err"
check "a C&C beacon with its AAAA queries: scan exits 0" test $? -eq 0
want="2026-01-06T01:00:00.000Z|2026-01-06T01:45:01.000Z|20"
got=$(rep_line "$T/c2.json" Impact:EC2/MaliciousDomainRequest.Reputation)
check "... one MaliciousDomainRequest.Reputation finding counting all 20 queries (got $got)" \
    test "$got" = "$want"
check "... whose additionalInfo names the listed answer" \
    grep -q 'listed-answer:45.137.21.66' "$T/c2.json"

# --- the shared data: derived-route53's background captures stay quiet ------------------------
SHARED=${SHARED:-$(dirname "$0")/../../../shared}
R53="$SHARED/data/derived-route53"
if [ -f "$R53/domainator_route53_resolver.jsonl.gz" ] && command -v python3 >/dev/null; then
    # every capture an instance of one account, in time order: the first capture's day is the
    # learning day, every later capture's sites are new
    python3 - "$R53" "$T/r53.log" "$T/r53.kinds" <<'PY'
import gzip, hashlib, json, sys
d, out, kinds = sys.argv[1], sys.argv[2], sys.argv[3]
recs = gzip.open(d + "/domainator_route53_resolver.jsonl.gz", "rt").read().splitlines()
labs = gzip.open(d + "/domainator_route53_resolver.labels.tsv.gz", "rt").read().splitlines()
head = labs[0].split("\t")
rows, kind = [], {}
for line, lab in zip(recs, labs[1:]):
    l = dict(zip(head, lab.split("\t")))
    r = json.loads(line)
    cap = l.get("source_pcap", "?")
    inst = "i-" + hashlib.sha1(cap.encode()).hexdigest()[:17]
    kind[inst] = "tunnel" if l.get("is_tunnel") == "1" or kind.get(inst) == "tunnel" else "background"
    r["srcids"] = {"instance": inst}
    rows.append(r)
rows.sort(key=lambda r: r.get("query_timestamp", ""))
with open(out, "w") as f:
    for r in rows:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
with open(kinds, "w") as f:
    for i, k in sorted(kind.items()):
        f.write("%s %s\n" % (i, k))
PY
    "$COALMINE" scan --no-default-intel --format json "$T/r53.log" >"$T/r53.json" 2>"$T/r53.err"
    check "derived-route53 (one instance per capture): scan exits 0" test $? -eq 0
    summary "$T/r53.json" "$T/r53.sum"
    bgi=$(awk '$2 == "background" { print $1 }' "$T/r53.kinds" | tr '\n' '|')
    bad=$(awk -F '|' -v b="|$bgi" 'index(b, "|" $2 "|") { print $1 " " $2 }' "$T/r53.sum")
    check "derived-route53: none of the five types on the $(grep -c background "$T/r53.kinds") background captures${bad:+ (got: $bad)}" \
        test -z "$bad"
else
    skip "derived-route53: background captures stay quiet" "no $R53 (or no python3)"
fi

done_testing
