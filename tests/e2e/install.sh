#!/bin/sh
# End-to-end test of `make install`: into a DESTDIR, the program, the library,
# the headers and the bundle land where the installed program looks for them,
# so the installed coalmine finds its built-in intel lists with nothing else
# on the machine. Runs make in the build directory of $COALMINE (everything
# is built already: only the install commands run). Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(dirname "$COALMINE")
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac

if [ ! -f "$B/libcoalmine.a" ] || ! command -v make >/dev/null 2>&1; then
    skip "make install" "no build directory beside $COALMINE"
    done_testing
    exit 0
fi
D="$T/root"
make -C "$ROOT" --no-print-directory -s install DESTDIR="$D" PREFIX=/usr \
    BUILD="${B#"$ROOT"/}" SANITIZE="${SANITIZE:-}" >"$T/make.out" 2>&1
check "make install DESTDIR=... PREFIX=/usr exits 0" test $? -eq 0
check "the program" test -x "$D/usr/bin/coalmine"
check "the library" test -f "$D/usr/lib/libcoalmine.a"
check "the headers" test -f "$D/usr/include/coalmine/event/event.h"
check "the detectors' headers, without the modules' internal ones (*_impl.h, *_int.h)" sh -c \
    "test -f '$D/usr/include/coalmine/detect/flow.h' && test -z \"\$(find '$D/usr/include' -name '*_impl.h' -o -name '*_int.h')\""
check "the bundle's manifest under share/coalmine/intel" \
    test -f "$D/usr/share/coalmine/intel/manifest.json"
check "its built-in lists" test -f "$D/usr/share/coalmine/intel/builtin/guardduty-tester-cnc.txt"
check "no share/coalmine/coalmine" test ! -e "$D/usr/share/coalmine/coalmine"
# The systemd unit's Documentation= (under its /usr/local prefix) is installed.
doc=$(sed -n 's|^Documentation=file:///usr/local/||p' "$ROOT/etc/coalmine.service")
check "the unit's Documentation= page is installed (share/doc/coalmine)" \
    test -n "$doc" -a -f "$D/usr/$doc"
check "... with the README" test -f "$D/usr/share/doc/coalmine/README.md"

# The installed program, with an empty intel directory, finds its bundle beside it.
export COALMINE_INTEL_DIR="$T/intel-dir"
"$D/usr/bin/coalmine" intel list >"$T/list.out" 2>&1
check "the installed program lists the built-in lists from its own share/" \
    grep -q "^guardduty-tester-cnc .*$D/usr/share/coalmine/intel/builtin/guardduty-tester-cnc.txt" \
    "$T/list.out"
printf '{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2026-01-05T00:01:00Z","query_name":"c2.guarddutyc2activityb.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.5","srcport":"5353","transport":"UDP","srcids":{"instance":"i-0abc"}}\n' \
    >"$T/q.log"
"$D/usr/bin/coalmine" scan --format json "$T/q.log" >"$T/f.json" 2>/dev/null
check "and a scan with it gives the tester's finding" \
    test "$(jq -r .type "$T/f.json")" = "Backdoor:EC2/C&CActivity.B!DNS"
done_testing
