#!/bin/sh
# End-to-end tests of `coalmine intel` without a network: the bundle's
# built-in lists (GuardDuty's tester domains), then add / list / check /
# stats / remove round trips with hand-made list files in a temp intel
# directory, trusted beating threat, and the error contract (a bad record, a
# reader error, an unreadable path: exit 1 naming the file and line; usage
# errors: exit 2). Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"
unset COALMINE_SHARE COALMINE_INTEL_DIR
D="$T/intel"
CM() { "$COALMINE" intel "$@" --intel-dir "$D"; }
verdict() { CM check "$1" | head -n 1 | sed 's/^.*: //'; }
first() { # FILE PATH: PATH of the first match in a `check --format json` output
    jget "$1" "matches.0.$2"
}

# --- the bundle ----------------------------------------------------------------------
CM list >"$T/list0.out" 2>"$T/list0.err"
check "list on an empty intel dir exits 0" test $? -eq 0
check "list shows the built-in tester lists" grep -q '^guardduty-tester-cnc  *threat  *cnc ' "$T/list0.out"
check "list shows the bundle's feeds, never fetched" grep -q '^tor-exit .* never  *https://' "$T/list0.out"
check "nothing is written by reading" test ! -e "$D"
# A change that changes nothing writes nothing either (before 2026-12-05 each of these
# created the directory, and its parents, with a .lock: a mistyped --intel-dir made one).
CM remove no-such-list >/dev/null 2>"$T/rm0.err"
check "remove of an unknown name on an empty intel dir: exit 1, no such list" \
    sh -c "test $? -eq 1 && grep -q 'no-such-list: no such list' '$T/rm0.err'"
check "... and the intel dir is not created" test ! -e "$D"
CM add typo "$T/no-such-file.txt" --kind threat >/dev/null 2>"$T/add0.err"
check "add of a FILE that is not there on an empty intel dir: exit 1, naming it" \
    sh -c "test $? -eq 1 && grep -q 'no-such-file.txt: No such file or directory' '$T/add0.err'"
check "... and the intel dir is not created" test ! -e "$D"
CM update no-such-feed >/dev/null 2>"$T/up0.err"
check "update of an unknown name on an empty intel dir: exit 1, no such list" \
    sh -c "test $? -eq 1 && grep -q 'no-such-feed: no such list' '$T/up0.err'"
check "... and the intel dir is not created" test ! -e "$D"
CM list --format json >"$T/list0.json"
if command -v python3 >/dev/null; then
    python3 - "$T/list0.json" >"$T/feeds.bad" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1]))["lists"]:
    if e["origin"] == "feed" and not (e["source"].startswith("https://") and e["licence"]):
        print(e["name"])
PY
    check "every bundle feed is https and names its licence" test $? -eq 0 -a ! -s "$T/feeds.bad"
else
    skip "every bundle feed is https and names its licence" "python3 not installed"
fi
check "the bundle has 11 built-in lists and at least 10 feeds" \
    test "$(grep -o '"origin":"builtin"' "$T/list0.json" | wc -l)" -eq 11 -a \
    "$(grep -o '"origin":"feed"' "$T/list0.json" | wc -l)" -ge 10
for pair in guarddutyc2activityb.com:cnc c2.guarddutyc2activityb.com:cnc \
    crypto.guarddutyc2activityb.com:mining guarddutyblackholeactivity.com:sinkhole \
    guarddutydroppointactivity.com:drop_point guarddutyphishingactivity.com:phishing \
    guarddutydrivebyactivity.com:drive_by guarddutydgaactivity.com:dga \
    abused-rep.guarddutyc2activityb.com:abused_domain \
    crypto-rep.guarddutyc2activityb.com:bitcoin_domain \
    malicious-rep.guarddutyc2activityb.com:malicious_domain \
    suspicious-rep.guarddutyc2activityb.com:suspicious_domain \
    x.suspicious-rep.guarddutyc2activityb.com:suspicious_domain \
    other-rep.guarddutyc2activityb.com:cnc; do
    name=${pair%:*}; cat=${pair#*:}
    CM check "$name" --format json >"$T/b.json"
    check "built-in: $name is THREAT, $cat" \
        test "$(jget "$T/b.json" verdict)" = THREAT -a "$(first "$T/b.json" category)" = "$cat"
done
check "a near miss is NONE" test "$(verdict guarddutyc2activityb.com.example.org)" = NONE

# --- add, list, check -------------------------------------------------------------------
cat >"$T/threats.txt" <<'EOF'
# a hand-made threat list
45.33.32.156
203.0.114.0/24
2001:db9:abcd::/48
evil-example.net
*.wild-example.org
EOF
printf '45.33.32.156\ngood.evil-example.net\n' >"$T/trusted.txt"

CM add mythreats "$T/threats.txt" --kind threat >"$T/a.out" 2>"$T/a.err"
check "add a threat list exits 0" test $? -eq 0
check "add says how many entries" grep -q '^added threat list mythreats: 5 entries' "$T/a.out"
check "the file is copied into lists/" cmp -s "$D/lists/mythreats" "$T/threats.txt"
check "the registry is written" test -s "$D/lists.json"

CM check 203.0.114.77 --format json >"$T/c.json"
check "an address in a listed network is THREAT" test "$(jget "$T/c.json" verdict)" = THREAT
check "check names the list" test "$(first "$T/c.json" list)" = mythreats
check "check gives the matching network" test "$(first "$T/c.json" match)" = 203.0.114.0/24
check "a user threat list is custom" test "$(first "$T/c.json" category)" = custom
check "with GuardDuty's threat name" test "$(first "$T/c.json" threatName)" = "Customer Threat Intel"
check "IPv6 networks match" test "$(verdict 2001:db9:abcd:1::5)" = THREAT
check "a listed name covers its subdomains" test "$(verdict a.b.evil-example.net)" = THREAT
check "*.name covers subdomains" test "$(verdict x.wild-example.org)" = THREAT
check "*.name does not cover the name itself" test "$(verdict wild-example.org)" = NONE
check "a URL's host is checked" test "$(verdict 'http://www.evil-example.net/a?b')" = THREAT
check "an unlisted address is NONE" test "$(verdict 45.33.32.157)" = NONE
CM check 45.33.32.157 >/dev/null
check "check exits 0 for NONE" test $? -eq 0

CM add mytrusted "$T/trusted.txt" --kind trusted >/dev/null 2>&1
check "add a trusted list exits 0" test $? -eq 0
CM check 45.33.32.156 --format json >"$T/t.json"
check "trusted + threat entry is TRUSTED" test "$(jget "$T/t.json" verdict)" = TRUSTED
check "TRUSTED names the trusted list first" test "$(first "$T/t.json" list)" = mytrusted
check "and shows the threat list it overrides" \
    test "$(jget "$T/t.json" 'matches.1.list')" = mythreats -a "$(jget "$T/t.json" 'matches.1.kind')" = threat
CM check 45.33.32.156 >"$T/t.out"
check "table form says TRUSTED" test "$(head -n 1 "$T/t.out")" = "45.33.32.156: TRUSTED"
check "a trusted subdomain of a threat name is TRUSTED" test "$(verdict good.evil-example.net)" = TRUSTED
check "its sibling is still THREAT" test "$(verdict bad.evil-example.net)" = THREAT

CM add scanners "$T/threats.txt" --kind threat --category scanner --list-format TXT >/dev/null 2>&1
CM check 203.0.114.1 --format json >"$T/s.json"
check "--category sets a managed class" test "$(jget "$T/s.json" 'matches.1.category')" = scanner -o \
    "$(jget "$T/s.json" 'matches.0.category')" = scanner

printf '0.0.0.0 hosts-bad.example.com\n0.0.0.0 other-bad.example.com\n' >"$T/hosts.txt"
CM add myhosts "$T/hosts.txt" --kind threat >"$T/h.out" 2>&1
check "a hosts file is sniffed" grep -q 'format HOSTS' "$T/h.out"
check "its names apply" test "$(verdict other-bad.example.com)" = THREAT

CM list --format json >"$T/l.json"
check "list --format json has every list (22 of the bundle, 4 added)" \
    test "$(jlen "$T/l.json" lists)" -eq 26
CM list >"$T/l.out"
check "list shows the user list with its entries" \
    grep -q '^mythreats  *threat  *custom  *auto (TXT)  *5 ' "$T/l.out"
check "list shows the trusted list" grep -q '^mytrusted  *trusted  *-  *auto (TXT)  *2 ' "$T/l.out"
check "list shows the format a sniffed list is read with, as add said" \
    grep -q '^myhosts  *threat  *custom  *auto (HOSTS)  *2 ' "$T/l.out"
check "list --format json: format null (sniffed), detectedFormat the one read with" \
    sh -c 'grep -o "{\"name\":\"myhosts\"[^}]*}" "$1" |
        grep -q "\"format\":null,.*\"detectedFormat\":\"HOSTS\"}"' _ "$T/l.json"
check "list shows where a user list came from" grep -q "$T/threats.txt\$" "$T/l.out"

CM stats --format json >"$T/st.json"
check "stats counts the lists" test "$(jget "$T/st.json" lists)" -eq 15
check "stats: trusted lists and entries" \
    test "$(jget "$T/st.json" trusted.lists)" -eq 1 -a "$(jget "$T/st.json" trusted.ipEntries)" -eq 1 \
    -a "$(jget "$T/st.json" trusted.domainEntries)" -eq 1
check "stats: threat entries (11 built-in names + 2 x 5 + 2)" \
    test $(($(jget "$T/st.json" threat.ipEntries) + $(jget "$T/st.json" threat.domainEntries))) -eq 23
check "stats: snapshot memory" test "$(jget "$T/st.json" bytes)" -gt 0
CM stats >"$T/st.out"
check "stats table has the load time" grep -q '^load time:  [0-9.]* s$' "$T/st.out"

# The copy is what applies: changing the original changes nothing.
printf '1.1.1.1\n' >"$T/threats.txt"
check "a list is a copy: the original's changes do not apply" test "$(verdict 203.0.114.77)" = THREAT

# --- remove ---------------------------------------------------------------------------------
CM remove mythreats >"$T/r.out" 2>&1
check "remove exits 0" test $? -eq 0
check "remove deletes the copy" test ! -e "$D/lists/mythreats"
CM list >"$T/l.out"
check "a removed list is gone from list" sh -c "! grep -q '^mythreats ' '$T/l.out'"
CM check 2001:db9:abcd:1::5 --format json >"$T/r.json"
check "its entries no longer apply (only the scanners copy matches)" \
    test "$(jget "$T/r.json" 'matches[]' | grep -c mythreats)" -eq 0 -a "$(first "$T/r.json" list)" = scanners
CM remove mythreats >/dev/null 2>"$T/r.err"
check "removing it again exits 1" test $? -eq 1
check "... saying no such list" grep -q 'mythreats: no such list' "$T/r.err"
CM remove guardduty-tester-cnc >/dev/null 2>"$T/r.err"
check "a bundle list cannot be removed" test $? -eq 1
# --format json, as every intel subcommand takes it (docs/intel.md): the answer is JSON too.
printf '192.0.2.77\n' >"$T/rmjson.txt"
CM add rmjson "$T/rmjson.txt" --kind threat >/dev/null 2>&1
CM remove rmjson --format json >"$T/rj.out" 2>&1
check "remove --format json exits 0" test $? -eq 0
check "remove --format json prints {name, result}" \
    test "$(jget "$T/rj.out" name)/$(jget "$T/rj.out" result)" = "rmjson/removed"

# --- bad files ------------------------------------------------------------------------------
printf '8.8.4.4\nno/such thing\n9.9.9.9\n' >"$T/bad.txt"
CM add badlist "$T/bad.txt" --kind threat >/dev/null 2>"$T/bad.err"
check "a file with a bad record exits 1" test $? -eq 1
check "the message names the file and line" grep -q "$T/bad.txt:2: " "$T/bad.err"
check "nothing is added" sh -c "! grep -q badlist '$D/lists.json'"
check "no copy is left" test ! -e "$D/lists/badlist"
check "no temp file is left" test -z "$(find "$D" -name '.*.*')"
CM add badlist "$T/bad.txt" --kind threat --allow-bad >/dev/null 2>&1
check "--allow-bad adds it without the bad record" test $? -eq 0 -a "$(verdict 9.9.9.9)" = THREAT

printf '<?xml version="1.0"?>\n<stix:STIX_Package>\n<oops>\n' >"$T/broken.xml"
CM add broken "$T/broken.xml" --kind threat --list-format STIX >/dev/null 2>"$T/x.err"
check "a reader error exits 1" test $? -eq 1
check "the reader error names the file and line" grep -q "$T/broken.xml:[0-9][0-9]*: " "$T/x.err"
check "... and nothing is added" sh -c "! grep -q '\"broken\"' '$D/lists.json'"

CM add ghost "$T/no-such-file.txt" --kind threat >/dev/null 2>"$T/g.err"
check "an unreadable path exits 1" test $? -eq 1
check "the message names the path" grep -q "$T/no-such-file.txt: No such file" "$T/g.err"
CM add dir "$T" --kind threat >/dev/null 2>"$T/g.err"
check "a directory is refused" grep -q 'is a directory' "$T/g.err"

printf '10.1.2.3\n192.168.0.1\n' >"$T/private.txt"
CM add private "$T/private.txt" --kind threat --allow-bad >/dev/null 2>"$T/p.err"
check "a list of only private addresses has no indicators: exit 1" test $? -eq 1
check "... saying so" grep -q 'no indicators' "$T/p.err"

# --- names and usage ------------------------------------------------------------------------
printf '8.8.8.8\n' >"$T/one.txt"
CM add mytrusted "$T/one.txt" --kind threat >/dev/null 2>&1
check "a taken name exits 1" test $? -eq 1
CM add tor-exit "$T/one.txt" --kind threat >/dev/null 2>&1
check "a bundle name cannot be taken" test $? -eq 1
CM add ../evil "$T/one.txt" --kind threat >/dev/null 2>&1
check "a name that is not a file name is a usage error" test $? -eq 2
CM add nokind "$T/one.txt" >/dev/null 2>&1
check "add without --kind is a usage error" test $? -eq 2
CM add two "$T/one.txt" --url http://127.0.0.1:9/x --kind threat >/dev/null 2>&1
check "add with FILE and --url is a usage error" test $? -eq 2
CM add x "$T/one.txt" --kind evil >/dev/null 2>&1
check "a bad --kind is a usage error" test $? -eq 2
CM add x "$T/one.txt" --kind threat --category nope >/dev/null 2>&1
check "a bad --category is a usage error" test $? -eq 2
CM add x "$T/one.txt" --kind threat --list-format NOPE >/dev/null 2>&1
check "a bad --list-format is a usage error" test $? -eq 2
CM check >/dev/null 2>&1
check "check without VALUE is a usage error" test $? -eq 2
CM check 'not a value!' >/dev/null 2>&1
check "check of something that is no IP or name is a usage error" test $? -eq 2
CM list --max-time 3 >/dev/null 2>&1
check "an option of another subcommand is a usage error" test $? -eq 2
# Usage errors say what is wrong before the help: the option with its dashes and the value,
# or the argument too many.
CM update --max-time -1 >/dev/null 2>"$T/u.err"
check "update --max-time -1: exit 2, option and value named" \
    sh -c '[ "$1" -eq 2 ] && grep -q -e "--max-time '"'-1'"': wants a number" "$2"' _ $? "$T/u.err"
CM stats extra >/dev/null 2>"$T/u.err"
check "stats with an argument: exit 2, the argument named" \
    sh -c '[ "$1" -eq 2 ] && grep -q "intel stats: unexpected argument '"'extra'"'" "$2"' _ $? "$T/u.err"
"$COALMINE" intel nosuch >/dev/null 2>&1
check "an unknown subcommand is a usage error" test $? -eq 2
for sub in list add remove check update stats; do
    "$COALMINE" intel $sub --help >"$T/help.out" 2>&1
    check "intel $sub --help exits 0" test $? -eq 0 -a -s "$T/help.out"
done
"$COALMINE" intel --help >"$T/help.out"
check "intel --help lists the subcommands" grep -q '^  update ' "$T/help.out"

# --- the registry ---------------------------------------------------------------------------
printf 'not json' >"$D/lists.json"
CM list >/dev/null 2>"$T/reg.err"
check "a corrupt registry is a clear error" test $? -eq 1
check "... naming lists.json" grep -q "$D/lists.json: byte 0" "$T/reg.err"
CM add late "$T/one.txt" --kind threat >/dev/null 2>&1
check "a change over a corrupt registry is refused" test $? -eq 1 -a "$(cat "$D/lists.json")" = "not json"
printf '{"version":99}' >"$D/lists.json"
CM list >/dev/null 2>"$T/reg.err"
check "a registry of a newer version is refused" grep -q 'version 99 is not supported' "$T/reg.err"

done_testing
