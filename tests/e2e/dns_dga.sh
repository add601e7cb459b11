#!/bin/sh
# End-to-end test of Trojan:EC2/DGADomainRequest.B (issue #7, part 1;
# docs/detectors/dns-dga.md) with the dga-dns-burst scenario of `coalmine gen`
# (src/gen/gen_sc_dns_dga.c). The scenario alone (one hour of a small world,
# Resolver logs only) is scanned and its findings checked against
# DIR/intel/scenarios.tsv: exactly one DGADomainRequest.B finding, on the
# bot's instance, with the count (so no near miss was counted and the six
# queries after the last report were not either), severity 8 and
# additionalInfo the docs fix; every near miss (cloud and CDN hosts, ACM
# validation records, a burst one short, one odd name, an on-premises client)
# is really in the logs. Then: the same with a --dga-model that scores every
# name low gives nothing, and a malformed --dga-model is refused with its line;
# the same run with --threads 1 and the default agree; and the background
# alone at the default scale over 24 hours with every detector on gives no
# DGADomainRequest.B. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/scen.sh"
WORLD="--accounts 1 --regions 1 --instances 8 --principals 4"
TYPE="Trojan:EC2/DGADomainRequest.B"
SC=dga-dns-burst

if ! command -v python3 >/dev/null; then
    skip "DGA scenario" "python3 is not installed"
    done_testing
    exit 0
fi

# summary JSON OUT: per DGADomainRequest.B finding: type|instance|count|severity|additionalInfo
summary() { instance_summary "$1" "$2" "$TYPE"; }

# info JSON KEY: the value of KEY in the additionalInfo JSON text
info() {
    python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"
}

# scan DIR OUT [options]: the findings of DIR's logs as JSON lines (not scen.sh's scan: without
# the options of DIR/intel/args.txt)
scan() {
    d=$1; o=$2; shift 2
    "$COALMINE" scan --no-default-intel --format json "$@" "$d/AWSLogs" >"$o" 2>"$o.err"
}

# records DIR: every Resolver log line under DIR
records() { log_lines "$1" vpcdnsquerylogs; }

# --- the scenario is listed --------------------------------------------------------------
"$COALMINE" gen --list-scenarios >"$T/list" 2>&1
check "--list-scenarios lists $SC for $TYPE" \
    sh -c 'awk "\$1 == \"$1\" {print \$2}" "$2" | grep -qxF "$3"' _ "$SC" "$T/list" "$TYPE"

# --- the scenario alone ------------------------------------------------------------------
D="$T/sc"
if ! "$COALMINE" gen --out "$D" $WORLD --hours 1 --kinds dns --scenario "$SC" >/dev/null \
    2>"$T/gen.err"; then
    nok "$SC: gen" "$(cat "$T/gen.err")"
    done_testing
    exit 0
fi
grep -v '^#' "$D/intel/scenarios.tsv" >"$T/exp.tsv"
IFS='	' read -r name etype res _ _ count _ near sev _ inf _ <"$T/exp.tsv"
check "$SC: scenarios.tsv expects one $TYPE (got $etype, $(wc -l <"$T/exp.tsv") line)" \
    test "$name" = "$SC" -a "$etype" = "$TYPE" -a "$(wc -l <"$T/exp.tsv")" -eq 1 -a "$count" -gt 0
scan "$D" "$T/f.json"
check "$SC: scan exits 0" test $? -eq 0
summary "$T/f.json" "$T/f.sum"
check "$SC: exactly one $TYPE finding (got $(wc -l <"$T/f.sum"))" test "$(wc -l <"$T/f.sum")" -eq 1
IFS='|' read -r _ gres gcount gsev gai <"$T/f.sum"
check "$SC: on the bot's instance $res (got $gres)" test "$gres" = "$res"
check "$SC: count $count: the two reports and the tail at expiry, no near miss (got $gcount)" \
    test "$gcount" = "$count"
check "$SC: severity $sev (got $gsev)" test "$gsev" = "$sev"
rest=$inf
while [ -n "$rest" ] && [ "$rest" != "-" ]; do
    kv=${rest%%&*}
    if [ "$kv" = "$rest" ]; then rest=""; else rest=${rest#*&}; fi
    gv=$(info "$gai" "${kv%%=*}")
    check "$SC: additionalInfo.${kv%%=*} = ${kv#*=} (got $gv)" test "$gv" = "${kv#*=}"
done
nd=$(info "$gai" distinctDomains)
check "$SC: additionalInfo names a domain and its score, distinctDomains $nd >= 4" \
    python3 -c 'import json, sys
a = json.loads(sys.argv[1])
sys.exit(not (a["domain"].count(".") == 1 and 0.9 <= a["dgaScore"] <= 1 and a["distinctDomains"] >= 4))' \
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
check "$SC: its $nnear near misses are in the logs${absent:+ (absent:$absent)}" \
    test "$nnear" -ge 9 -a -z "$absent"
# The near-miss instance asked the random-looking cloud hosts and the short burst.
nearid=$(printf '%s\n' "$near" | tr ',' '\n' | sed -n 's/.*"instance":"\([^"]*\)".*/\1/p' | sort -u)
check "$SC: the near misses come from one other instance ($nearid) and gave nothing" \
    sh -c '[ -n "$1" ] && [ "$1" != "$2" ] && ! grep -qF "|$1|" "$3"' _ "$nearid" "$res" "$T/f.sum"
check "$SC: the bot's candidates are NXDOMAIN mostly (>= 14 such queries)" \
    test "$(grep -F "\"instance\":\"$res\"" "$T/recs" | grep -c '"rcode":"NXDOMAIN"')" -ge 14

# --- threads, a model that scores low, a malformed model ----------------------------------
scan "$D" "$T/f1.json" --threads 1
summary "$T/f1.json" "$T/f1.sum"
check "$SC: --threads 1 gives the same finding" \
    sh -c 'cut -d "|" -f 1-4 "$1" >"$1.c"; cut -d "|" -f 1-4 "$2" >"$2.c"; cmp -s "$1.c" "$2.c"' \
    _ "$T/f.sum" "$T/f1.sum"
printf '# every label scores 1 / (1 + e^10)\ncoalmine-dga 1\nhash_bits 8\nngram 1 1\nseed 1\n%s\n' \
    'norm none' >"$T/low.txt"
printf 'tokens 0\nquant 1000\nbias -10000\nlm none\nend\n' >>"$T/low.txt"
scan "$D" "$T/low.json" --dga-model "$T/low.txt"
check "--dga-model that scores every name low: scan exits 0" test $? -eq 0
summary "$T/low.json" "$T/low.sum"
check "--dga-model that scores every name low: no $TYPE" test ! -s "$T/low.sum"
sed 's/^quant 1000$/quant zero/' "$T/low.txt" >"$T/bad.txt"
scan "$D" "$T/bad.json" --dga-model "$T/bad.txt"
rc=$?
check "a malformed --dga-model is refused (exit $rc) naming line 8" \
    sh -c '[ "$1" -ne 0 ] && grep -q "line 8: bad value: quant" "$2"' _ "$rc" "$T/bad.json.err"
rm -rf "$D"

# --- the background alone, default scale, 24 hours -------------------------------------------
B="$T/bg"
"$COALMINE" gen --out "$B" --hours 24 --kinds dns >/dev/null 2>&1
check "background (default scale, 24 h, Resolver logs): gen exits 0" test $? -eq 0
scan "$B" "$T/bg.json"
check "background scan exits 0" test $? -eq 0
check "background: Resolver records read" grep -q 'dns [1-9]' "$T/bg.json.err"
summary "$T/bg.json" "$T/bg.sum"
if [ -s "$T/bg.sum" ]; then
    nok "background with every detector on: no $TYPE" "$(head -n 5 "$T/bg.sum")"
else
    ok "background with every detector on: no $TYPE"
fi

done_testing
