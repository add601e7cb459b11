#!/bin/sh
# End-to-end test of the shared-infrastructure guard of the bundle's feeds
# (docs/intel.md "Shared infrastructure in the bundle's feeds"): a bundle
# (COALMINE_SHARE) whose one feed, fetched from a file:// URL, lists anycast
# resolvers, the apexes of shared platforms (cloudfront.net,
# s3.amazonaws.com, a free-hosting provider) and a wildcard, next to a C2
# address and name. A small gen world with the C&C scenarios: its traffic
# queries CloudFront and S3 hosts all the time. The shared entries are
# skipped and counted (intel stats SHARED, intel check NONE) and make no
# finding; the C2 ones fire. The same file added by the user with
# `intel add` is taken whole (the user's list is the user's intent).
# Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
unset COALMINE_SHARE COALMINE_INTEL_DIR

W="$T/w"
"$COALMINE" gen --out "$W" --hours 1 --accounts 1 --regions 1 --instances 8 --principals 4 \
    --scenario cnc-flow --scenario cnc-dns --seed 3 >/dev/null 2>"$T/gen.err"
check "gen writes the C&C world" test -s "$W/intel/cnc.txt"
C2IP=$(grep -E '^[0-9.]+$' "$W/intel/cnc.txt" | head -1)
C2DN=$(grep -E '^[a-z]' "$W/intel/cnc.txt" | head -1)
check "the C&C lists hold an address and a name" test -n "$C2IP" -a -n "$C2DN"

# The feed: shared infrastructure first, then the scenario's C2.
cat >"$T/feed.txt" <<FEED
# e2e feed (hand-made)
8.8.8.8
1.1.1.0/24
2620:fe::fe
cloudfront.net
s3.amazonaws.com
*.s3.amazonaws.com
000webhostapp.com
c2.000webhostapp.com
$C2IP
$C2DN
FEED
mkdir -p "$T/share/intel"
cat >"$T/share/intel/manifest.json" <<MAN
{"version": 1, "bundle": "e2e", "builtin": [],
 "feeds": [{"name": "e2e-c2", "url": "file://$T/feed.txt", "licence": "CC0-1.0",
            "kind": "threat", "category": "cnc", "format": "TXT", "enabled": true,
            "description": "hand-made", "date": null}]}
MAN
export COALMINE_SHARE="$T/share" COALMINE_INTEL_DIR="$T/idir"

"$COALMINE" intel update >"$T/upd.out" 2>&1
check "intel update fetches the feed" grep -q '^e2e-c2: updated' "$T/upd.out"

"$COALMINE" intel stats --format json >"$T/stats.json" 2>"$T/stats.err"
row=$(tr -d ' \n' <"$T/stats.json" | grep -o '{"name":"e2e-c2"[^}]*}')
case $row in
*'"shared":7'*'' | *'"shared":"7"'*) ok "intel stats counts 7 shared entries of the feed" ;;
*) nok "intel stats counts 7 shared entries of the feed" "$row" ;;
esac
case $row in
*'"ipEntries":1,'* | *'"ipEntries":"1"'*) ok "only the C2 address is an IP entry" ;;
*) nok "only the C2 address is an IP entry" "$row" ;;
esac
"$COALMINE" intel stats >"$T/stats.txt" 2>&1
check "intel stats shows a SHARED column" grep -q 'SHARED' "$T/stats.txt"

for v in 8.8.8.8 1.1.1.1 2620:fe::fe d1x4ae3kq8w6mq.cloudfront.net bucket.s3.amazonaws.com \
    site.000webhostapp.com; do
    "$COALMINE" intel check "$v" >"$T/chk" 2>&1
    check "intel check $v: NONE" grep -q ": NONE" "$T/chk"
done
for v in "$C2IP" "$C2DN" c2.000webhostapp.com; do
    "$COALMINE" intel check "$v" >"$T/chk" 2>&1
    check "intel check $v: THREAT" grep -q ": THREAT" "$T/chk"
done

# The world's traffic with the default intel (the bundle's feed).
"$COALMINE" scan --format json "$W/AWSLogs" >"$T/f.json" 2>"$T/f.err"
jget "$T/f.json" type | sort | uniq -c >"$T/types"
check "the C2 address fires Backdoor:EC2/C&CActivity.B" grep -q ' Backdoor:EC2/C&CActivity.B$' "$T/types"
check "the C2 name fires Backdoor:EC2/C&CActivity.B!DNS" grep -q ' Backdoor:EC2/C&CActivity.B!DNS$' "$T/types"
jget "$T/f.json" service.action.dnsRequestAction.domain >"$T/doms"
if grep -qE 'cloudfront\.net|s3\.amazonaws\.com' "$T/doms"; then
    nok "no finding for the CloudFront and S3 hosts the world queries" "$(sort -u "$T/doms")"
else
    ok "no finding for the CloudFront and S3 hosts the world queries"
fi
zcat -f $(find "$W" -path '*vpcdnsquerylogs*' -type f) | grep -c 'cloudfront\.net\|s3\.amazonaws\.com' \
    >"$T/nq"
check "the world does query CloudFront and S3 hosts" test "$(cat "$T/nq")" -gt 0

# The same file as the user's own list: taken whole.
"$COALMINE" intel add mine "$T/feed.txt" --kind threat --category cnc >/dev/null 2>"$T/add.err"
"$COALMINE" intel check d1x4ae3kq8w6mq.cloudfront.net >"$T/chk" 2>&1
check "a user's list keeps cloudfront.net (THREAT, list mine)" grep -q '^mine .*cloudfront.net' "$T/chk"
"$COALMINE" scan --format json "$W/AWSLogs" >"$T/f2.json" 2>"$T/f2.err"
jget "$T/f2.json" service.action.dnsRequestAction.domain >"$T/doms2"
check "with the user's list the CloudFront host fires" grep -q 'cloudfront\.net' "$T/doms2"

done_testing
