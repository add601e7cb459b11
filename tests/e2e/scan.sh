#!/bin/sh
# tsan: the scan workers at several --threads counts
# End-to-end tests of `coalmine scan` over `coalmine gen` output: exact record
# counts against the generator's manifest, thread-count independence, stdin,
# each kind of damaged input, and the CLI contract. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
HAVE_JQ=1; command -v jq >/dev/null || HAVE_JQ=0

"$COALMINE" gen --out "$T/corpus" --hours 1 --seed 7 >/dev/null 2>"$T/gen.err"
check "gen writes a corpus" test -f "$T/corpus/.coalmine-gen.json"
M="$T/corpus/.coalmine-gen.json"

"$COALMINE" scan --quiet --stats "$T/s1.json" --threads 1 "$T/corpus" >"$T/out1" 2>"$T/err1"
check "scan exits 0" test $? -eq 0
"$COALMINE" scan --quiet --stats "$T/s2.json" --threads 2 "$T/corpus" >"$T/out2" 2>"$T/err2"
check "scan with 2 threads exits 0" test $? -eq 0
check "--quiet over a clean corpus: nothing on stderr" test ! -s "$T/err1"

if [ $HAVE_JQ = 1 ]; then
    for k in cloudtrail vpcflow dns; do
        want=$(jq ".records.$k" "$M"); got=$(jq ".records.$k" "$T/s1.json")
        if [ "$want" = "$got" ] && [ "$want" -gt 0 ]; then ok "records.$k = manifest ($want)"
        else nok "records.$k = manifest" "want $want got $got"; fi
    done
    rej=$(jq '.rejected | .cloudtrail + .vpcflow + .dns + .files' "$T/s1.json")
    check "nothing rejected in a generated corpus" test "$rej" = 0
    want=$(jq '.files | .cloudtrail + .vpcflow + .dns' "$M"); got=$(jq .files "$T/s1.json")
    check "every generated file read ($want)" test "$want" = "$got"
    a=$(jq -c '[.records, .rejected, .bytes_decoded]' "$T/s1.json")
    b=$(jq -c '[.records, .rejected, .bytes_decoded]' "$T/s2.json")
    check "1 and 2 threads count the same" test "$a" = "$b"
    check "findings output identical across thread counts" cmp -s "$T/out1" "$T/out2"
    # The detectors' keyed state is reported whatever the thread count (one engine, or shards).
    e1=$(jq '.state.inserts' "$T/s1.json"); e2=$(jq '.state.inserts' "$T/s2.json")
    check "detector state reported with 1 thread ($e1 inserts) and 2 ($e2)" \
        test "$e1" -gt 0 -a "$e2" -gt 0
    # ... and by detector: the detectors' counters add up to the totals, with either count of
    # threads, and name the tables (so a table that evicts can be told from the others).
    for f in s1 s2; do
        sums=$(jq -c '.state as $s | [([$s.detectors[].inserts] | add) == $s.inserts,
            ([$s.detectors[].evicted] | add) == $s.evicted,
            ([$s.detectors[].peak_entries] | add) == $s.peak_entries,
            ([$s.detectors[].name] | index("vpcflow-pair") != null)]' "$T/$f.json" 2>/dev/null)
        check "state by detector adds up to the totals ($f)" test "$sums" = "[true,true,true,true]"
    done
    # CPU time is reported beside the wall clock: positive, and with one thread not above it
    # (plus a clock tick of slack).
    cpu_ok=$(jq '.cpu_seconds > 0 and .cpu_seconds <= .seconds + 0.02' "$T/s1.json")
    check "cpu_seconds reported, within the wall clock with 1 thread" test "$cpu_ok" = true
    # workers: one per thread, each record taken by exactly one (the repeats included).
    for f in s1:1 s2:2; do
        w=$(jq -c '[(.workers | length), ([.workers[].events] | add) ==
            (.records.cloudtrail + .records.vpcflow + .records.dns),
            all(.workers[]; .cpu_seconds >= 0)]' "$T/${f%:*}.json")
        check "workers: ${f#*:}, their records add up to the records read ($w)" \
            test "$w" = "[${f#*:},true,true]"
    done
else
    skip "stats against manifest" "jq not installed"
fi

# --- stdin ---------------------------------------------------------------------
F=$(find "$T/corpus" -path '*vpcflowlogs*' -name '*.gz' | sort | head -n 1)
lines=$(zcat "$F" | grep -vc '^version ')
zcat "$F" | "$COALMINE" scan --quiet --stats "$T/s3.json" - >/dev/null
check "plain flow log on stdin" test "$(jq .records.vpcflow "$T/s3.json")" = "$lines"
"$COALMINE" scan --quiet --stats "$T/s4.json" - <"$F" >/dev/null
check "gzip flow log on stdin" test "$(jq .records.vpcflow "$T/s4.json")" = "$lines"
# An empty stream, plain or as a 0-byte pipe: an empty input, skipped, with 1 and 2 threads
# (under SANITIZE=1 it was a runtime error: memmove from the NULL buffer of nothing read).
for th in 1 2; do
    "$COALMINE" scan --quiet --threads $th --stats "$T/se$th.json" - </dev/null >/dev/null 2>"$T/se$th.err"
    check "empty standard input, $th thread(s): exit 0, an empty file skipped" \
        test $? -eq 0 -a "$(jq -c '[.files, .skipped.files, .rejected.files]' "$T/se$th.json")" = "[1,1,0]"
done
# A line with no end (32 MiB of one line between the records): one reject with its line, the
# records around it read, in time linear in the input (each piece searched once for a newline,
# the line dropped past 16 MiB, not held) and memory that does not grow with it.
{ zcat "$F" | head -n 11; head -c 33554432 /dev/zero | tr '\0' 'x'; echo; zcat "$F" | sed -n '12,$p'; } \
    >"$T/longline.log"
"$COALMINE" scan --quiet --stats "$T/sll.json" - <"$T/longline.log" >/dev/null 2>"$T/sll.err"
check "a 32 MiB line on stdin: the records around it read, the line one reject at line 12" \
    test $? -eq 0 -a "$(jq -c '[.records.vpcflow, .rejected.vpcflow]' "$T/sll.json")" = "[$lines,1]" -a \
    "$(jq -r '.reject_samples[0] | "\(.line) \(.reason)"' "$T/sll.json")" = \
    "12 line longer than 16777216 bytes: skipped to its end"
# A gzip cut short anywhere in its first bytes: the file counted once in rejected.files, though
# its salvage may be a second fault of it (no format known in a few bytes).
zcat "$F" | gzip -nc >"$T/whole.log.gz"
for n in 20 40 60 70 80 90 100 120 160 240; do
    head -c $n "$T/whole.log.gz" >"$T/cut/cut$n.log.gz" 2>/dev/null ||
        { mkdir -p "$T/cut" && head -c $n "$T/whole.log.gz" >"$T/cut/cut$n.log.gz"; }
done
"$COALMINE" scan --quiet --stats "$T/scut.json" "$T/cut" >/dev/null 2>&1
check "10 gzip files cut short: 10 files rejected, however many faults each has" \
    test "$(jq -c '[.files, .rejected.files]' "$T/scut.json")" = "[10,10]"
# One record with its clock years ahead, in a file whose name has no time (so no check
# against it): what follows it is late, and the summary names the newest record read and its
# file, which is how to find it.
"$COALMINE" gen --out "$T/fut" --hours 1 --kinds cloudtrail,vpcflow --no-gzip >/dev/null 2>&1
fc=$(find "$T/fut" -path '*CloudTrail*' -name '*T0010Z*.json' | sort | head -n 1)
jq -c '.Records[3].eventTime = "2099-01-05T00:45:03Z"' "$fc" >"$(dirname "$fc")/renamed.json" &&
    rm -f "$fc"
"$COALMINE" scan "$T/fut" >/dev/null 2>"$T/fut.err"
check "a record from 2099: records late, the newest record read and its file named" \
    grep -q "the newest record read is of 2099-01-05T00:45:03Z, in .*/renamed.json" "$T/fut.err"
# A read error is said, with its reason, not taken for an empty input.
"$COALMINE" scan --quiet --stats "$T/sdir.json" - <"$T" >/dev/null 2>"$T/sdir.err"
check "stdin a directory: a rejected input saying why, not an empty one" \
    test "$(jq -c '[.files, .skipped.files, .rejected.files]' "$T/sdir.json")" = "[1,0,1]" -a \
    "$(jq -r '.reject_samples[0].reason' "$T/sdir.json")" = \
    "read error on standard input at byte 0: Is a directory"
C=$(find "$T/corpus" -path '*CloudTrail*' -name '*.gz' | sort | head -n 1)
crec=$(zcat "$C" | jq '.Records | length')
zcat "$C" | "$COALMINE" scan --quiet --stats "$T/s5.json" - >/dev/null
check "CloudTrail Records file on stdin" test "$(jq .records.cloudtrail "$T/s5.json")" = "$crec"
zcat "$C" | jq -c '.Records[]' | "$COALMINE" scan --quiet --stats "$T/s6.json" - >/dev/null
check "CloudTrail JSON Lines on stdin" test "$(jq .records.cloudtrail "$T/s6.json")" = "$crec"
# Many CloudTrail files one after another (cat of the .gz files: one gzip member each; zcat
# of them: the JSON files back to back, about 4.7 MB): every file's records, cut between
# files into pieces, and the findings of the files themselves.
"$COALMINE" gen --out "$T/ctsc" --hours 1 --seed 7 --scenario cloudtrail-stop \
    --scenario root-credential-usage >/dev/null 2>&1
CS=$(find "$T/ctsc" -path '*CloudTrail*' -name '*.gz' | sort)
# shellcheck disable=SC2086
call=$(zcat $CS | jq -s 'map(.Records | length) | add')
# shellcheck disable=SC2086
"$COALMINE" scan --quiet --threads 2 --format json --stats "$T/sf.json" $CS >"$T/sf.out"
# shellcheck disable=SC2086
cat $CS | "$COALMINE" scan --quiet --threads 2 --format json --stats "$T/sg.json" - >"$T/sg.out"
check "CloudTrail files concatenated as gzip members on stdin: every record ($call)" \
    test "$(jq -c '[.records.cloudtrail, .rejected.cloudtrail]' "$T/sg.json")" = "[$call,0]"
jq -S -c 'del(.service.additionalInfo.value)' "$T/sf.out" >"$T/sf.cmp"
jq -S -c 'del(.service.additionalInfo.value)' "$T/sg.out" >"$T/sg.cmp"
check "... and the findings of the files ($(grep -c . "$T/sf.cmp"))" \
    sh -c "test -s '$T/sf.cmp' && cmp -s '$T/sf.cmp' '$T/sg.cmp'"
# Each finding's evidence on stdin: the offset and length of its record in the stream.
# shellcheck disable=SC2086
zcat $CS >"$T/sg.stream"
ev_ok=0
# offset:length:eventFirstSeen of each finding; the record there must have that time.
for olt in $(jq -r '(.service.additionalInfo.value | fromjson | .coalmine.evidence[0] |
        "\(.offset):\(.length)") + ":" + .service.eventFirstSeen' "$T/sg.out"); do
    o=${olt%%:*}; rest=${olt#*:}; l=${rest%%:*}; seen=${rest#*:}
    t=$(tail -c +$((o + 1)) "$T/sg.stream" | head -c "$l" | jq -r .eventTime 2>/dev/null)
    [ -n "$t" ] && [ "${seen%.000Z}" = "${t%Z}" ] && ev_ok=$((ev_ok + 1))
done
check "... whose evidence on stdin is the record at its offset ($ev_ok)" \
    test "$ev_ok" -eq "$(grep -c . "$T/sg.out")"
# shellcheck disable=SC2086
zcat $CS $CS $CS | "$COALMINE" scan --quiet --threads 1 --stats "$T/sz.json" - >/dev/null
check "CloudTrail files back to back on stdin, three times over: every record" \
    test "$(jq -c '[.records.cloudtrail, .rejected.cloudtrail]' "$T/sz.json")" = "[$((3 * call)),0]"
# A file cut short, then a whole one: the whole one read, the cut reported.
C2=$(echo "$CS" | sed -n 2p)
c2rec=$(zcat "$C2" | jq '.Records | length')
{ zcat "$C" | head -c 3000; zcat "$C2"; } |
    "$COALMINE" scan --threads 1 --stats "$T/st.json" - >/dev/null 2>"$T/st.err"
check "a CloudTrail file cut short on stdin: the next file's records kept" \
    test "$(jq '.records.cloudtrail' "$T/st.json")" -ge "$c2rec"
check "... the cut reported with where reading went on" \
    grep -q "^ *-:1 (byte [0-9]*): .*skipped to byte 3000$" "$T/st.err"
# Resolver logs ten times over (about 16 MB): standard input read in 4 MiB chunks, each
# published to the workers before the next is read, the reader waiting for them between,
# and each chunk's memory taken from and given back to the pool of input buffers.
D=$(find "$T/corpus" -path '*vpcdnsquerylogs*' -name '*.gz' | sort)
# shellcheck disable=SC2086
dlines=$(zcat $D | grep -c .)
# shellcheck disable=SC2086
for i in 1 2 3 4 5 6 7 8 9 10; do zcat $D; done |
    "$COALMINE" scan --quiet --threads 2 --stats "$T/s7.json" - >/dev/null
check "Resolver logs in four stdin chunks, 2 threads" \
    test "$(jq .records.dns "$T/s7.json")" = "$((10 * dlines))"

# --- damaged inputs --------------------------------------------------------------
B="$T/bad"; mkdir -p "$B"
zcat "$C" | jq -c '.Records[0]' >"$T/rec.json"
R=$(cat "$T/rec.json")
# A CloudTrail file: good, not an object, invalid UTF-8 inside a record, good.
printf '{"Records":[%s,42,{"eventTime":"2026-01-05T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"Bad\377"},%s]}' "$R" "$R" >"$B/ct.json"
# A flow log with one bad port in the middle.
printf 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n' >"$B/flow.log"
for i in 1 2; do
    printf '2 111122223333 eni-0a1b2c3d4e5f60001 10.0.0.5 198.51.100.9 4431%d 443 6 10 840 1767571200 1767571260 ACCEPT OK\n' "$i" >>"$B/flow.log"
done
printf '2 111122223333 eni-0a1b2c3d4e5f60001 10.0.0.5 198.51.100.9 abc 443 6 10 840 1767571200 1767571260 ACCEPT OK\n' >>"$B/flow.log"
printf '2 111122223333 eni-0a1b2c3d4e5f60001 - - - - - - - 1767571200 1767571260 - NODATA\n' >>"$B/flow.log"
# Resolver lines: good, invalid UTF-8, good.
D='{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2026-01-05T00:00:01Z","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.5","srcport":"5353","transport":"UDP","srcids":{"instance":"i-0a1b2c3d4e5f60001"}}'
printf '%s\n{"query_timestamp":"2026-01-05T00:00:01Z","query_name":"x\377.","srcaddr":"10.0.0.5"}\n%s\n' "$D" "$D" >"$B/dns.log"
# A truncated gzip, an empty file, a binary file.
size=$(wc -c <"$C")
head -c $((size - 200)) "$C" >"$B/trunc.json.gz"
: >"$B/empty.log"
printf '\000\001\002\003binary\377' >"$B/blob.bin"
# Another tool's compressor and archive: named, with how to read them.
printf 'BZh91AY&SY\001\002' >"$B/ct.json.bz2"
(cd "$B" && tar -cf logs.tar flow.log)
ln -s /nonexistent/coalmine-target "$B/dangling.json"

"$COALMINE" scan --stats "$T/sb.json" "$B" >/dev/null 2>"$T/errb"
check "damaged inputs: exit status 0" test $? -eq 0
g=$(jq -c '[.records.cloudtrail >= 2, .records.vpcflow, .records.dns]' "$T/sb.json")
check "damaged inputs: good records kept" test "$g" = "[true,3,2]"
r=$(jq -c '[.rejected.cloudtrail >= 2, .rejected.vpcflow, .rejected.dns, .rejected.files]' "$T/sb.json")
check "damaged inputs: each bad piece rejected" test "$r" = "[true,1,1,5]"
trunc_recs=$(jq .records.cloudtrail "$T/sb.json")
check "truncated gzip keeps the records before the damage" test "$trunc_recs" -gt 2
check "summary names the truncated file" grep -q "trunc.json.gz.*truncated gzip" "$T/errb"
check "summary names the bad flow line" grep -q "flow.log:4.*dstport\|flow.log:4.*srcport" "$T/errb"
check "the empty file is skipped, not rejected" \
    sh -c 'grep -q "^  skipped: .*empty file 1 file" "$1" && ! grep -q "empty.log" "$1"' _ "$T/errb"
check "summary names the binary file" grep -q "blob.bin.*binary" "$T/errb"
check "summary names the dangling link" grep -q "dangling.json.*cannot open" "$T/errb"
check "summary names bzip2 data and how to read it" \
    grep -q "ct.json.bz2:1 (byte 0): bzip2 data, which coalmine does not read.*bzcat" "$T/errb"
check "summary names a tar archive" grep -q "logs.tar:1 (byte 0): a tar archive" "$T/errb"

# A FIFO or a device in a folder is reported as not read (never opened: a FIFO would block);
# one given as the path is an error that says what it is, and how to read a pipe.
SP="$T/special"
mkdir -p "$SP"
cp "$B/dns.log" "$SP/"
mkfifo "$SP/pipe.log"
ln -s /dev/zero "$SP/zero.log"
"$COALMINE" scan --stats "$T/ssp.json" "$SP" >/dev/null 2>"$T/errsp"
check "a FIFO and a device in a folder: exit 0" test $? -eq 0
check "... each rejected as a file, the good file read" \
    test "$(jq -c '[.records.dns, .rejected.files]' "$T/ssp.json")" = "[2,2]"
check "... the FIFO named with why" grep -q "pipe.log (byte 0): a FIFO (named pipe), not a regular file: not read" "$T/errsp"
check "... the device named with why" grep -q "zero.log (byte 0): a character device, not a regular file" "$T/errsp"
"$COALMINE" scan "$SP/pipe.log" >/dev/null 2>"$T/errsp2"
check "a FIFO given as the path exits 1" test $? -eq 1
check "... saying what it is and to use standard input" \
    grep -q "pipe.log: a FIFO (named pipe), not a file or directory (give a pipe on standard input" "$T/errsp2"
"$COALMINE" scan /dev/null >/dev/null 2>"$T/errsp3"
check "a device given as the path exits 1" test $? -eq 1
check "... saying what it is" grep -q "/dev/null: a character device, not a file or directory" "$T/errsp3"

# What cannot be read for want of permission (run as another user when run as root, whom no
# permission stops). A file the user named is an error, exit 1, as a named path that is not
# there is (before 2026-12-04: exit 0, one reject). A folder inside a walked one that cannot be
# listed (lost+found, another user's) is a rejected input and the rest is read (before: the
# whole scan stopped, exit 1, nothing read).
unpriv() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
fi
NP="$T/noperm"
mkdir -p "$NP/walk/locked"
cp "$B/dns.log" "$NP/walk/"
cp "$B/dns.log" "$NP/walk/locked/"
cp "$B/dns.log" "$NP/secret.log"
chmod 000 "$NP/secret.log" "$NP/walk/locked"
chmod 755 "$T" "$NP" "$NP/walk"
if unpriv "$COALMINE" version >/dev/null 2>&1 && ! unpriv cat "$NP/secret.log" >/dev/null 2>&1; then
    unpriv "$COALMINE" scan --no-default-intel "$NP/secret.log" >/dev/null 2>"$T/errnp1"
    check "a named file that cannot be read: exit 1" test $? -eq 1
    check "... naming it and why" grep -q "secret.log: Permission denied" "$T/errnp1"
    unpriv "$COALMINE" scan --no-default-intel "$NP/walk" >/dev/null 2>"$T/errnp2"
    check "a folder inside that cannot be listed: exit 0" test $? -eq 0
    check "... the rest read (2 records), the folder rejected as a file" \
        grep -q "rejected: .*files 1" "$T/errnp2"
    check "... the records beside it read" grep -q "records: .*dns 2$" "$T/errnp2"
    check "... the folder named with why" \
        grep -q "walk/locked (byte 0): a directory that cannot be listed (Permission denied): not read" \
        "$T/errnp2"
else
    skip "unreadable inputs" "cannot run as a user whom permissions stop"
fi
chmod 755 "$NP/walk/locked"

# A gzip cut inside its header (10 bytes: nothing to inflate) is one rejected file, by path and
# on standard input alike (before 2026-12-04 standard input also counted it as an empty file,
# skipped: one input counted twice).
gzip -c "$B/dns.log" | head -c 10 >"$T/hdr.gz"
"$COALMINE" scan --stats "$T/shdr1.json" "$T/hdr.gz" >/dev/null 2>&1
"$COALMINE" scan --stats "$T/shdr2.json" - <"$T/hdr.gz" >/dev/null 2>&1
q='[.rejected.files, .skipped.files, .records.dns]'
check "a gzip cut in its header: one rejected file, by path and on stdin ($(jq -c "$q" "$T/shdr1.json"), $(jq -c "$q" "$T/shdr2.json"))" \
    test "$(jq -c "$q" "$T/shdr1.json")" = "[1,0,0]" -a "$(jq -c "$q" "$T/shdr2.json")" = "[1,0,0]"

# Bytes after the gzip (a newline appended): said the same way, at the same byte, whether the
# file is given by path or on standard input.
(gzip -c "$B/dns.log"; echo) >"$T/nl.log.gz"
gzsize=$(gzip -c "$B/dns.log" | wc -c)
"$COALMINE" scan --stats "$T/snl1.json" "$T/nl.log.gz" >/dev/null 2>&1
"$COALMINE" scan --stats "$T/snl2.json" - <"$T/nl.log.gz" >/dev/null 2>&1
want="[2,1,$gzsize,\"1 bytes of non-gzip data after the gzip stream ignored\"]"
q='[.records.dns, .rejected.files, (.reject_samples[] | select(.kind == "file") | .offset, .reason)]'
check "trailing byte after a gzip file: reported where it is" test "$(jq -c "$q" "$T/snl1.json")" = "$want"
check "... and the same on standard input" test "$(jq -c "$q" "$T/snl2.json")" = "$want"

# --- a whole log bucket --------------------------------------------------------------
# Beside the sources, the other AWS logs that share their buckets (a Control Tower log archive
# holds AWS Config's files; a trail's bucket its digests and Insights events; load balancer and
# S3 server access logs are often kept there too) are skipped by name, never rejected.
W="$T/bucket"
cp -r "$T/corpus" "$W"
A=$(ls "$W/AWSLogs" | head -1)
CFG="$W/AWSLogs/$A/Config/us-east-1/2026/1/5"
mkdir -p "$CFG/ConfigHistory" "$CFG/ConfigSnapshot" "$W/digests" \
    "$W/AWSLogs/$A/CloudTrail-Insight/us-east-1/2026/01/05" \
    "$W/AWSLogs/$A/elasticloadbalancing/us-east-1/2026/01/05" "$W/s3-access"
: >"$W/AWSLogs/$A/Config/ConfigWritabilityCheckFile"
printf '{"fileVersion":"1.0","configurationItems":[{"configurationItemVersion":"1.3","configurationItemCaptureTime":"2026-01-05T00:10:00.000Z","configurationStateId":1,"awsAccountId":"%s","configurationItemStatus":"OK","resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-0123"}]}' "$A" |
    gzip >"$CFG/ConfigHistory/${A}_Config_us-east-1_ConfigHistory_AWS::EC2::SecurityGroup_20260105T000000Z_20260105T010000Z_1.json.gz"
printf '{"fileVersion":"1.0","configSnapshotId":"0f1e2d3c","configurationItems":[]}' |
    gzip >"$CFG/ConfigSnapshot/${A}_Config_us-east-1_ConfigSnapshot_20260105T001000Z_0f1e2d3c.json.gz"
printf '{"awsAccountId":"%s","digestStartTime":"2026-01-05T00:00:00Z","digestEndTime":"2026-01-05T01:00:00Z","digestS3Bucket":"b","digestS3Object":"o","logFiles":[]}' "$A" |
    gzip >"$W/digests/${A}_CloudTrail-Digest_us-east-1_t_us-east-1_20260105T010000Z.json.gz"
# A trail's own digest folder, left out unread by name in the walk but counted with the digest
# above (read and told by its content), and hidden entries (the generator's manifest, a
# .DS_Store): skipped and counted, so a scan that reads nothing says why (before 2026-12-04
# both were left out in silence).
DGD="$W/AWSLogs/$A/CloudTrail-Digest/us-east-1/2026/01/05"
mkdir -p "$DGD"
cp "$W/digests/${A}_CloudTrail-Digest_us-east-1_t_us-east-1_20260105T010000Z.json.gz" \
    "$DGD/${A}_CloudTrail-Digest_us-east-1_t_us-east-1_20260105T020000Z.json.gz"
: >"$W/.DS_Store"
I='"eventVersion":"1.07","eventTime":"2026-01-05T00:20:00Z","awsRegion":"us-east-1","eventType":"AwsCloudTrailInsight","recipientAccountId":"'$A'","insightDetails":{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightType":"ApiCallRateInsight"'
printf '{"Records":[{%s,"state":"Start"},"eventCategory":"Insight"},{%s,"state":"End"},"eventCategory":"Insight"}]}' "$I" "$I" |
    gzip >"$W/AWSLogs/$A/CloudTrail-Insight/us-east-1/2026/01/05/${A}_CloudTrail-Insight_us-east-1_20260105T0025Z_a1.json.gz"
printf 'https 2026-01-05T00:05:00.123456Z app/web/50dc6c495c0c9188 198.51.100.7:52311 10.0.1.5:80 0.000 0.001 0.000 200 200 34 366 "GET https://web.example.com:443/ HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:%s:targetgroup/web/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "web.example.com" "-" 0 2026-01-05T00:05:00.122000Z "forward" "-" "-" "10.0.1.5:80" "200" "-" "-"\n' "$A" |
    gzip >"$W/AWSLogs/$A/elasticloadbalancing/us-east-1/2026/01/05/${A}_elasticloadbalancing_us-east-1_app.web.50dc6c495c0c9188_20260105T0005Z_192.0.2.10_x1.log.gz"
# A trail's records that GuardDuty does not take: a DynamoDB data event, a network activity event,
# both from a Kali host (PenTest:IAMUser/KaliLinux were they read).
CTD="$W/AWSLogs/$A/CloudTrail/us-east-1/2026/01/05"
mkdir -p "$CTD"
U='"userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::'$A':user/app","accountId":"'$A'","accessKeyId":"AKIAEXAMPLEAPP00001","userName":"app"},"eventTime":"2026-01-05T00:30:00Z","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.77","userAgent":"aws-cli/2.15.8 Python/3.11.6 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023","recipientAccountId":"'$A'"'
CTDATA='{"Records":[{"eventVersion":"1.09",'$U',"eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","eventType":"AwsApiCall","managementEvent":false,"eventCategory":"Data"},{"eventVersion":"1.09",'$U',"eventSource":"s3.amazonaws.com","eventName":"PutObject","eventType":"AwsVpceEvent","errorCode":"VpceAccessDenied","managementEvent":false,"eventCategory":"NetworkActivity"}]}'
printf '%s' "$CTDATA" | gzip >"$CTD/${A}_CloudTrail_us-east-1_20260105T0030Z_d1.json.gz"
# Alone, with one thread (the direct path): nothing read, no finding; with the key a canary, both
# are read and it fires (any use of a canary key is a finding).
printf '%s' "$CTDATA" >"$T/ctdata.json"
"$COALMINE" scan --threads 1 --stats "$T/sd.json" "$T/ctdata.json" >"$T/outd" 2>/dev/null
check "data and network activity events, 1 thread: skipped, no finding" \
    sh -c 'test "$(jq -c "[.records.cloudtrail, .skipped.cloudtrail]" "$1")" = "[0,2]" && ! grep -q Kali "$2"' _ "$T/sd.json" "$T/outd"
"$COALMINE" scan --threads 1 --canary-key AKIAEXAMPLEAPP00001 --stats "$T/sd2.json" "$T/ctdata.json" >"$T/outd2" 2>/dev/null
check "the same made with a canary key: read, CanaryCredentialUsage" \
    sh -c 'test "$(jq -c "[.records.cloudtrail, .skipped.cloudtrail]" "$1")" = "[2,0]" && grep -q CanaryCredentialUsage "$2"' _ "$T/sd2.json" "$T/outd2"
# A Transit Gateway's flow log, in the vpcflowlogs/ prefix its VPCs' use.
TG="$W/AWSLogs/$A/vpcflowlogs/us-east-1/2026/01/05"
mkdir -p "$TG"
{
    echo 'version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service'
    for p in 22 443 3389; do
        echo "6 TransitGateway $A tgw-0a1b tgw-attach-0a1b $A $A vpc-01 vpc-02 subnet-01 subnet-02 eni-0a1b2c3d4e5f60001 eni-0a1b2c3d4e5f60002 use1-az1 use1-az1 tgw-attach-0a1c 10.0.1.5 10.0.2.9 49152 $p 6 10 840 1767571200 1767571260 OK IPv4 0 0 0 0 2 us-east-1 egress - -"
    done
} | gzip >"$TG/${A}_vpcflowlogs_us-east-1_fl-0tgw_20260105T0005Z_t1.log.gz"
printf 'Enable AccessLog for ELB: web at 2026-01-05T00:00:00.000Z' \
    >"$W/AWSLogs/$A/elasticloadbalancing/ELBAccessLogTestFile"
printf '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be logs [05/Jan/2026:00:10:00 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /logs?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader logs.s3.us-east-1.amazonaws.com TLSV1.2 - -\n' \
    >"$W/s3-access/2026-01-05-00-10-00-1B2C3D4E5F6A7B8C"
"$COALMINE" scan --stats "$T/sw.json" --threads 2 "$W" >"$T/outw" 2>"$T/errw"
check "a whole log bucket: exit status 0" test $? -eq 0
a=$(jq -c '[.records, .rejected]' "$T/s1.json")
b=$(jq -c '[.records, .rejected]' "$T/sw.json")
check "a whole log bucket: the sources' records, nothing rejected ($b)" test "$a" = "$b"
check "a whole log bucket: the same findings" cmp -s "$T/out1" "$T/outw"
k=$(jq -c '[.skipped.cloudtrail, .skipped.vpcflow, .skipped.files, ([.skipped.what[] | "\(.name)=\(.files)/\(.records)"] | sort)]' "$T/sw.json")
want='[4,3,10,["AWS Config=2/0","CloudTrail Insights=0/2","CloudTrail data event (not S3)=0/1","CloudTrail digest=2/0","CloudTrail network activity event=0/1","Elastic Load Balancing access log=2/0","S3 server access log=1/0","Transit Gateway flow log=0/3","empty file=1/0","hidden (name starts with a dot)=2/0"]]'
check "a whole log bucket: other AWS logs skipped and counted by name ($k)" test "$k" = "$want"
check "a whole log bucket: the summary line names them, in name order" grep -qx \
    "  skipped:  AWS Config 2 files, CloudTrail Insights 2 records, CloudTrail data event (not S3) 1 record, CloudTrail digest 2 files, CloudTrail network activity event 1 record, Elastic Load Balancing access log 2 files, S3 server access log 1 file, Transit Gateway flow log 3 records, empty file 1 file, hidden (name starts with a dot) 2 files (no detector reads these)" \
    "$T/errw"
# The store's record of the scan says the same: what was set aside, per kind and per input, so
# that for every input records + rejected + skipped is what it holds (1 and 2 threads).
if command -v sqlite3 >/dev/null; then
    for th in 1 2; do
        "$COALMINE" scan --quiet --no-route --threads $th --db "$T/w$th.db" "$W" >/dev/null 2>&1
        got=$(sqlite3 "$T/w$th.db" "SELECT skipped_cloudtrail, skipped_vpcflow, skipped_dns, skipped_files FROM scans;
            SELECT sum(skipped), count(*) FILTER (WHERE skipped = 0 AND skipped_as IS NOT NULL) FROM inputs;
            SELECT skipped || ' ' || skipped_as FROM inputs WHERE skipped > 0 ORDER BY skipped_as;" | tr '\n' ';')
        # (the hidden entries are counted in the scan's skipped files, not listed as inputs)
        want='4|3|0|10;7|8;2 CloudTrail Insights;2 CloudTrail data event (not S3);3 Transit Gateway flow log;'
        check "a whole log bucket, --db, $th thread(s): skipped records and inputs recorded ($got)" \
            test "$got" = "$want"
    done
else
    skip "a whole log bucket, --db: skipped recorded" "sqlite3 not installed"
fi
# An input that starts as another log and then holds CloudTrail files (zcat of the bucket) is
# read: the Config snapshot (over 4 KiB, past what the name is told from) rejected, every record
# kept. A 0-byte ".gz" is no gzip: a rejected file, not an empty one.
{
    printf '{"fileVersion":"1.0","configSnapshotId":"0f1e2d3c","configurationItems":['
    i=0
    while [ $i -lt 60 ]; do
        [ $i -gt 0 ] && printf ','
        printf '{"configurationItemVersion":"1.3","awsAccountId":"%s","resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-%04d","configurationItemStatus":"OK"}' "$A" $i
        i=$((i + 1))
    done
    printf ']}\n'
    find "$T/corpus" -path '*/CloudTrail/*' -name '*.gz' | sort | xargs zcat
} | "$COALMINE" scan --quiet --stats "$T/scat.json" - >/dev/null 2>&1
c=$(jq -c '[.records.cloudtrail, .rejected.cloudtrail, .skipped.files]' "$T/scat.json")
check "Config then CloudTrail files on standard input: every record read, the snapshot rejected ($c)" \
    test "$c" = "[$(jq .records.cloudtrail "$T/s1.json"),1,0]"
: >"$W/AWSLogs/$A/zero.json.gz"
"$COALMINE" scan --quiet --stats "$T/sz.json" "$W/AWSLogs/$A/zero.json.gz" >/dev/null 2>&1
check "a 0-byte .gz is a rejected file" test "$(jq -c '[.rejected.files, .skipped.files]' "$T/sz.json")" = "[1,0]"
"$COALMINE" scan --quiet "$W/AWSLogs/$A/zero.json.gz" >/dev/null 2>"$T/sz.err"; rc=$?
check "--quiet still says a file was rejected, in one line, exit 0 ($(cat "$T/sz.err"))" \
    sh -c '[ "$1" -eq 0 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
           grep -q "warning: 0 records and 1 file rejected (the summary without --quiet" "$2"' \
    _ $rc "$T/sz.err"
mkdir -p "$T/empty/sub"
"$COALMINE" scan --quiet "$T/empty" >"$T/empty.out" 2>"$T/empty.err"; rc=$?
check "--quiet over a folder of no files: exit 0, no findings, and a warning ($(cat "$T/empty.err"))" \
    sh -c '[ "$1" -eq 0 ] && [ ! -s "$2" ] &&
           [ "$(cat "$3")" = "coalmine scan: warning: no files to read under the paths given" ]' \
    _ $rc "$T/empty.out" "$T/empty.err"
rm -rf "$W"

# --- the same logs twice ----------------------------------------------------------
# An organisation trail delivers every event of the account's own trail again (other file
# names, same eventIDs); a bucket's replica or a copied folder holds byte-identical files under
# the same names; a folder and a file in it, or a path given twice, name the same file. Each
# record is analysed once: the findings and their counts are the single copy's (windowed
# detectors, rates and attack sequences would otherwise count copies), and the summary says so.
"$COALMINE" gen --out "$T/dup" --hours 1 --seed 3 --scenario all >/dev/null 2>&1
DA=$(cat "$T/dup/intel/args.txt")
# shellcheck disable=SC2086 # one option or value per word (gen's own paths)
"$COALMINE" scan --format json --stats "$T/dup1.json" $DA "$T/dup/AWSLogs" >"$T/dupa" 2>/dev/null
(cd "$T/dup/AWSLogs" && find . -path '*/CloudTrail/*' -name '*.json.gz') | while read -r f; do
    o="$T/org/AWSLogs/o-abc123def4/${f#./}"
    mkdir -p "$(dirname "$o")" && cp "$T/dup/AWSLogs/$f" "${o%.json.gz}_org.json.gz"
done
mkdir -p "$T/replica" && cp -r "$T/dup/AWSLogs" "$T/replica/"
F1=$(find "$T/dup/AWSLogs" -path '*vpcflowlogs*' -name '*.gz' | sort | head -n 1)
for th in 1 2; do
    # shellcheck disable=SC2086
    "$COALMINE" scan --threads $th --format json --stats "$T/dup2.json" $DA "$T/dup/AWSLogs" \
        "$T/org" "$T/replica" "$T/dup/AWSLogs" "$F1" >"$T/dupb" 2>"$T/errdup"
    check "the same logs twice, $th thread(s): the findings and counts of one copy" \
        sh -c 'test "$(jq -c "[.id, .service.count, .service.eventFirstSeen, .service.eventLastSeen]" "$1" | sort)" = "$(jq -c "[.id, .service.count, .service.eventFirstSeen, .service.eventLastSeen]" "$2" | sort)"' _ "$T/dupa" "$T/dupb"
done
check "the same logs twice: an attack sequence among them" grep -q AttackSequence "$T/dupa"
nf=$(find "$T/dup/AWSLogs" -type f | wc -l)
d=$(jq -c '[.repeated.paths, .repeated.cloudtrail, .records.cloudtrail, .records.vpcflow]' "$T/dup2.json")
w=$(jq -c "[$nf + $nf + 1, .records.cloudtrail, .records.cloudtrail * 2, .records.vpcflow]" "$T/dup1.json")
check "the same logs twice: repeated paths and records counted ($d)" test "$d" = "$w"
check "the same logs twice: the summary says what was read once" grep -qx \
    "  repeated: $((nf + nf + 1)) paths to a file listed already, cloudtrail $(jq .records.cloudtrail "$T/dup1.json") records whose eventID was read already (each read once)" \
    "$T/errdup"
rm -rf "$T/org" "$T/replica" "$T/dup"

# --- records out of order in a file ------------------------------------------------
# AWS writes a CloudTrail file's records in no particular order. A rule that learns and then
# judges must see them in time order: a trail created to deliver to a bucket, then that bucket
# deleted (Stealth:IAMUser/CloudTrailLoggingDisabled), written deletion first. With 1 thread
# (events held and handed over in order) and 2 (the file parsed again in order), from a file and
# from standard input; the evidence is the deletion where the file has it (first record, line 2).
O="$T/order/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05"
mkdir -p "$O"
U='"userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEOPS","arn":"arn:aws:iam::111122223333:user/ops","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEOPS00001","userName":"ops"},"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.20","userAgent":"aws-cli/2.17.20","recipientAccountId":"111122223333","eventType":"AwsApiCall","managementEvent":true'
{
    printf '{"Records":[\n'
    printf '{"eventVersion":"1.10",%s,"eventTime":"2026-01-05T00:13:30Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","requestParameters":{"bucketName":"trail-logs-111122223333"},"eventID":"0c1d2e3f-0000-4000-8000-000000000002"},\n' "$U"
    printf '{"eventVersion":"1.10",%s,"eventTime":"2026-01-05T00:12:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"CreateTrail","requestParameters":{"name":"audit","s3BucketName":"trail-logs-111122223333"},"responseElements":{"name":"audit","s3BucketName":"trail-logs-111122223333"},"eventID":"0c1d2e3f-0000-4000-8000-000000000001"}\n' "$U"
    printf ']}\n'
} >"$O/111122223333_CloudTrail_us-east-1_20260105T0015Z_r1.json"
for th in 1 2; do
    "$COALMINE" scan --threads $th --no-default-intel --format json --stats "$T/ord.json" "$T/order" >"$T/ordo" 2>/dev/null
    ev=$(jq -r 'select(.type == "Stealth:IAMUser/CloudTrailLoggingDisabled") | .service.additionalInfo.value | fromjson | .coalmine.evidence[0] | "\(.offset),\(.line)"' "$T/ordo")
    check "a file's records out of order, $th thread(s): CloudTrailLoggingDisabled, evidence where the file has it ($ev)" \
        test "$ev,$(jq -c '[.reordered, .records.cloudtrail]' "$T/ord.json")" = "13,2,[1,2]"
    "$COALMINE" scan --threads $th --no-default-intel --format json --stats "$T/ord2.json" - \
        <"$O/111122223333_CloudTrail_us-east-1_20260105T0015Z_r1.json" >"$T/ordi" 2>/dev/null
    check "the same on standard input, $th thread(s)" \
        test "$(grep -c CloudTrailLoggingDisabled "$T/ordi"),$(jq -c .reordered "$T/ord2.json")" = "1,1"
done
# In time order: read as written (nothing reordered); the same finding.
{
    printf '{"Records":[\n'
    printf '{"eventVersion":"1.10",%s,"eventTime":"2026-01-05T00:12:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"CreateTrail","requestParameters":{"name":"audit","s3BucketName":"trail-logs-111122223333"},"eventID":"0c1d2e3f-0000-4000-8000-000000000001"},\n' "$U"
    printf '{"eventVersion":"1.10",%s,"eventTime":"2026-01-05T00:13:30Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","requestParameters":{"bucketName":"trail-logs-111122223333"},"eventID":"0c1d2e3f-0000-4000-8000-000000000002"}\n' "$U"
    printf ']}\n'
} >"$O/111122223333_CloudTrail_us-east-1_20260105T0015Z_r1.json"
"$COALMINE" scan --threads 2 --no-default-intel --format json --stats "$T/ord3.json" "$T/order" >"$T/ordo3" 2>/dev/null
check "records in time order: read as written, the same finding" \
    test "$(grep -c CloudTrailLoggingDisabled "$T/ordo3"),$(jq -c .reordered "$T/ord3.json")" = "1,0"
rm -rf "$T/order"

# --- inputs that hold nothing ------------------------------------------------------------
# A flow log of only its header, a CloudTrail file of an empty list and a Firehose object of
# only a CloudWatch Logs control message were read silently before 2026-12-05: counted in
# files, in nothing else, so "every file counted?" (files = those with records + rejected +
# skipped) could not be answered. Each is now skipped, by name, as an empty file was.
if [ $HAVE_JQ = 1 ]; then
    NR="$T/nr"; mkdir -p "$NR"
    FL=$(find "$T/corpus" -name '*vpcflowlogs*.log.gz' | sort | head -1)
    zcat "$FL" | head -1 >"$NR/123456789012_vpcflowlogs_us-east-1_fl-0a_20260105T0000Z_h.log"
    printf '{"Records":[]}\n' >"$NR/123456789012_CloudTrail_us-east-1_20260105T0000Z_e.json"
    printf '{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1767573600000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}' \
        | gzip >"$NR/firehose-1-2026-01-05-00-00-00-ctl.gz"
    : >"$NR/empty.log"
    for th in 1 2; do
        "$COALMINE" scan --threads $th --stats "$T/nr$th.json" "$NR" >/dev/null 2>"$T/nr$th.err"
        check "inputs holding nothing, $th thread(s): each skipped by name" test \
            "$(jq -c '[.files, .skipped.files, [.skipped.what[] | [.name, .files]]]' "$T/nr$th.json")" \
            = '[4,4,[["CloudWatch Logs control messages only",1],["empty file",1],["no records (a header or an empty list)",2]]]'
    done
    check "... and the summary says so" grep -q "no records (a header or an empty list) 2 files" "$T/nr1.err"
    # The skipped counts said what, never which: skip_samples names the files (1 and 2
    # threads alike), but not those an earlier scan with the same --state read.
    for th in 1 2; do
        check "skip_samples names each skipped file, $th thread(s)" test "$(jq -c \
            '[.skip_samples[] | [(.path | split("/") | last), .as]] | sort' "$T/nr$th.json")" \
            = '[["123456789012_CloudTrail_us-east-1_20260105T0000Z_e.json","no records (a header or an empty list)"],["123456789012_vpcflowlogs_us-east-1_fl-0a_20260105T0000Z_h.log","no records (a header or an empty list)"],["empty.log","empty file"],["firehose-1-2026-01-05-00-00-00-ctl.gz","CloudWatch Logs control messages only"]]'
    done
    "$COALMINE" scan --quiet --state "$T/nr.state" "$NR" >/dev/null 2>&1
    "$COALMINE" scan --quiet --state "$T/nr.state" --stats "$T/nr3.json" "$NR" >/dev/null 2>&1
    check "... not the files an earlier scan with --state read" \
        test "$(jq -c '[.skipped.files, .skip_samples]' "$T/nr3.json")" = "[4,[]]"
    rm -rf "$NR" "$T/nr.state" "$T/nr.state.lock"
else
    skip "inputs that hold nothing" "jq not installed"
fi

# --- the summary's other counters, in --stats -------------------------------------------
# Detections a trusted list dropped (and those that could not become findings) were said
# on the summary's trusted: (dropped:) line only before 2026-12-05.
if [ $HAVE_JQ = 1 ]; then
    "$COALMINE" gen --out "$T/tr" --hours 2 --scenario all --seed 7 >/dev/null 2>&1
    "$COALMINE" scan --quiet --no-default-intel --format json "$T/tr/AWSLogs" 2>/dev/null \
        | jq -r '.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 // empty' \
        | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }' >"$T/tr.txt"
    "$COALMINE" scan --no-default-intel --trusted-list "ok=$T/tr.txt" --stats "$T/tr.json" \
        "$T/tr/AWSLogs" >/dev/null 2>"$T/tr.err"
    tn=$(sed -n 's/^  trusted:  \([0-9]*\) detections dropped.*/\1/p' "$T/tr.err")
    check "the summary and --stats count the trusted drops alike ($tn of $(cat "$T/tr.txt"))" \
        test -n "$tn" -a "$(jq .trusted "$T/tr.json")" = "$tn"
    check "... and --stats has the dropped: line's counts (none here)" \
        test "$(jq -c '.dropped' "$T/tr.json")" \
        = '{"unbuildable":0,"no_region":0,"no_account":0,"over_cap":0}'
    rm -rf "$T/tr"
else
    skip "the summary's other counters, in --stats" "jq not installed"
fi

# --- reject_samples in one order ------------------------------------------------------
# The kept rejects are the first in input order whatever the threads: with 2, the reader of
# a short later file noted its rejects before the reader of a long earlier one reached its
# last line, so the list (and, past 20, which were kept) changed with --threads and runs.
if [ $HAVE_JQ = 1 ]; then
    RJ="$T/rj"; mkdir -p "$RJ"
    FL=$(find "$T/corpus" -name '*vpcflowlogs*.log.gz' | sort | head -1)
    zcat "$FL" | tail -n +2 >"$T/rj.body"
    {
        zcat "$FL" | head -1
        for i in $(seq 60); do cat "$T/rj.body"; done
        echo "5 bad line late"
    } >"$RJ/123456789012_vpcflowlogs_us-east-1_fl-0a_20260105T0000Z_a.log"
    {
        zcat "$FL" | head -1
        for i in $(seq 25); do echo "5 bad line early $i"; done
        head -5 "$T/rj.body"
    } >"$RJ/123456789012_vpcflowlogs_us-east-1_fl-0a_20260105T0010Z_b.log"
    "$COALMINE" scan --quiet --threads 1 --stats "$T/rj1.json" "$RJ" >/dev/null 2>&1
    want=$(jq -c '[.reject_samples[] | [(.path | .[-5:]), .line, .offset]]' "$T/rj1.json")
    check "rejects kept: the long earlier file's first, then 19 of the later one's" \
        test "$(jq -c '[.rejected.vpcflow, (.reject_samples | length),
            (.reject_samples[0].path | .[-5:]), .reject_samples[1].line]' "$T/rj1.json")" \
        = '[26,20,"a.log",2]'
    same=0
    for i in 1 2 3 4; do
        "$COALMINE" scan --quiet --threads 2 --stats "$T/rj2.json" "$RJ" >/dev/null 2>&1
        got=$(jq -c '[.reject_samples[] | [(.path | .[-5:]), .line, .offset]]' "$T/rj2.json")
        [ "$got" = "$want" ] && same=$((same + 1))
    done
    check "reject_samples at 2 threads = at 1, 4 runs out of 4 ($same)" test "$same" = 4
    rm -rf "$RJ" "$T/rj.body"
else
    skip "reject_samples in one order" "jq not installed"
fi

# --- findings in one order -------------------------------------------------------------
# Detections reach the aggregator in the order the shards send them, which varies with
# --threads and from run to run; the findings are stored and printed by first sighting
# (then type, then id), so every run of the same input prints the same lines.
if [ $HAVE_JQ = 1 ]; then
    "$COALMINE" gen --out "$T/sorted" --hours 1 --seed 11 --scenario all >/dev/null 2>&1
    "$COALMINE" scan --quiet --threads 1 --format json "$T/sorted" >"$T/so1" 2>/dev/null
    nsorted=$(wc -l <"$T/so1")
    unsorted=$(jq -rs '[.[] | [.service.eventFirstSeen, .type, .id]] as $k | [$k != ($k | sort)] | .[0]' "$T/so1")
    check "findings printed by first sighting, type, id ($nsorted findings, out of order: $unsorted)" \
        test "$nsorted" -gt 20 -a "$unsorted" = false
    same=0
    for i in 1 2 3; do
        "$COALMINE" scan --quiet --threads 2 --format json "$T/sorted" >"$T/so2" 2>/dev/null
        cmp -s "$T/so1" "$T/so2" && same=$((same + 1))
    done
    check "three runs with 2 threads print what 1 thread prints, line for line ($same of 3)" test $same = 3
    rm -rf "$T/sorted"
fi

# --- large inputs: the batches alive at once do not grow with them ---------------------
# Six flow files of about 72,000 records (71 batches each). A reader held every batch of its
# input until the last record and each reader had one such input: a year of a large VPC's
# 230 MB flow objects peaked at 3.2 GB resident with 2 threads against 309 MB with one. Now
# the oldest input's batches go to the workers as they fill and a later input's reader
# parks a few, so the peak is a few batches per thread (8 with 2), whatever the files' size.
if [ "$HAVE_JQ" = 1 ]; then
    "$COALMINE" gen --out "$T/bigflow" --hours 1 --kinds vpcflow --accounts 1 --regions 1 \
        --instances 300 --scale 0.05 --seed 5 >/dev/null 2>&1
    "$COALMINE" scan --quiet --no-default-intel --threads 1 --stats "$T/bf1.json" \
        "$T/bigflow" >"$T/bf1.out"
    for t in 2 3; do
        "$COALMINE" scan --quiet --no-default-intel --threads $t --stats "$T/bf$t.json" \
            "$T/bigflow" >"$T/bf$t.out"
        # (2 batches per thread queued, as many parked per later reader, one filling each)
        got=$(jq -c "[.records.vpcflow > 400000, .peak_batches > 0,
            .peak_batches <= ($t + 2) * 2 * $t + $t]" "$T/bf$t.json")
        check "large flow files, $t threads: batches alive at once bounded ($(jq .peak_batches \
            "$T/bf$t.json"))" test "$got" = "[true,true,true]"
        check "large flow files, $t threads: the same findings as 1" cmp -s "$T/bf1.out" \
            "$T/bf$t.out"
    done
else
    skip "large inputs: batches bounded" "jq not installed"
fi

# --- a record stamped years ahead -------------------------------------------------------
# A flow record of 2036 in a file named for the corpus's first hour: AWS never writes one so
# long after its file's stamp. It is rejected with the reason, and the scan's clock is not
# moved to 2036: the detectors' tables expire as without it (before, every table stopped
# expiring for the rest of the scan and grew to its cap).
if [ $HAVE_JQ = 1 ]; then
    A=$(ls "$T/corpus/AWSLogs" | head -n 1)
    D="$T/ahead/AWSLogs/$A/vpcflowlogs/us-east-1/2026/01/05"
    mkdir -p "$D"
    printf 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 %s eni-0a0a0a0a0a0a0a0a0 10.9.0.1 8.8.8.8 40000 443 6 3 300 2093000000 2093000060 ACCEPT OK\n' "$A" |
        gzip >"$D/${A}_vpcflowlogs_us-east-1_fl-0a0a0a0a0a0a0a0a0_20260105T0000Z_0a0a0a0a.log.gz"
    "$COALMINE" scan --threads 1 --stats "$T/ah1.json" "$T/corpus" "$T/ahead" >"$T/aho1" 2>"$T/ahe1"
    check "a record years after its file's stamp is rejected" \
        test "$(jq -c '[.rejected.vpcflow, .records.vpcflow - 0]' "$T/ah1.json")" = \
        "[1,$(jq .records.vpcflow "$T/s1.json")]"
    check "the reject says why" grep -q "more than a day after the time in the file's name" "$T/ahe1"
    check "the detectors' state is as without it" \
        test "$(jq -c .state "$T/ah1.json")" = "$(jq -c .state "$T/s1.json")"
    check "the findings are as without it" cmp -s "$T/aho1" "$T/out1"
    rm -rf "$T/ahead"
else
    skip "a record stamped years ahead" "jq not installed"
fi

# --- an input that spans an hour -----------------------------------------------------------
# The tester's tunnel (dns-exfil-tester) counts 950 queries: 930 from 00:10, then 20 from
# 01:11 that report the 924 pending (the (instance, domain) entry lives an hour after its
# last query, 00:25), the last 14 reported when the entry expires. A Resolver file of other
# instances named for 01:00 holds queries up to 01:59: it is read before the tunnel's files
# of 01:05 to 01:55, and it carried the shard's watermark to 01:59, which expired the
# tunnel's entry before its queries of 01:11 (count 20). The clock now goes no further than
# a file's stamp plus 15 minutes. (Since 2026-12-05 an entry expiring early reports what it
# held, so the count alone no longer tells the two apart: 950 either way.)
if [ $HAVE_JQ = 1 ]; then
    "$COALMINE" gen --out "$T/tun" --scenario dns-exfil-tester --hours 2 --seed 7 >/dev/null 2>&1
    A=$(ls "$T/tun/AWSLogs" | head -n 1)
    D="$T/hour/AWSLogs/$A/vpcdnsquerylogs/vpc-0e0e0e0e0e0e0e0e0/2026/01/05"
    mkdir -p "$D"
    m=0
    while [ $m -lt 60 ]; do
        printf '{"version":"1.100000","account_id":"%s","region":"us-east-1","vpc_id":"vpc-0e0e0e0e0e0e0e0e0","query_timestamp":"2026-01-05T01:%02d:00Z","query_name":"www.example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"93.184.216.34","Type":"A","Class":"IN"}],"srcaddr":"10.0.99.%d","srcport":"53000","transport":"UDP","srcids":{"instance":"i-0e0e0e0e0e0e%05d"}}\n' \
            "$A" $m $((m + 1)) $m
        m=$((m + 1))
    done | gzip >"$D/vpc-0e0e0e0e0e0e0e0e0_vpcdnsquerylogs_${A}_20260105T0100Z_0e0e0e0e.log.gz"
    # shellcheck disable=SC2046
    for th in 1 2; do
        got=$("$COALMINE" scan --threads $th --format json $(cat "$T/tun/intel/args.txt") \
            "$T/tun/AWSLogs" "$T/hour" 2>/dev/null |
            jq -r 'select(.type == "Trojan:EC2/DNSDataExfiltration") | .service.count')
        check "an hour-long file of other instances leaves the tunnel's count ($th threads)" \
            test "$got" = 950
    done
    rm -rf "$T/tun" "$T/hour"
else
    skip "an input that spans an hour" "jq not installed"
fi

# --- the store ---------------------------------------------------------------------
"$COALMINE" scan --db "$T/c.db" --quiet "$T/corpus" >/dev/null 2>&1
check "scan --db exits 0" test $? -eq 0
"$COALMINE" scan --db "$T/c.db" "$B" >/dev/null 2>"$T/errdb"
check "a second scan is recorded as scan 2" grep -q "store: *$T/c.db (scan 2)" "$T/errdb"
check "the store is a SQLite file" sh -c "head -c 15 '$T/c.db' | grep -q 'SQLite format'"
"$COALMINE" scan --db /nonexistent/dir/c.db "$B" >/dev/null 2>"$T/errdb2"
check "an unusable store path exits 1" test $? -eq 1
check "the store error names the path" grep -q "/nonexistent/dir/c.db" "$T/errdb2"
# An unwritable --stats fails before the scan: not after it stored its findings (and, the
# status being 1, skipped routing them), nor after a long scan's work is done.
"$COALMINE" scan --db "$T/sx.db" --stats "$T/nodir/s.json" "$T/corpus" >"$T/outsx" 2>"$T/errsx"
check "an unwritable --stats exits 1" test $? -eq 1
check "an unwritable --stats: no store written, nothing printed" test ! -e "$T/sx.db" -a ! -s "$T/outsx"
check "an unwritable --stats: named" grep -q -e "--stats $T/nodir/s.json: No such file" "$T/errsx"
"$COALMINE" scan --quiet --stats /dev/full "$B" >/dev/null 2>&1
check "--stats on a full device exits 1" test $? -eq 1
check "... and the device is left alone (only a regular --stats file is removed)" test -c /dev/full

# --- partitions: a region's findings name its partition ---------------------------------
# Root's call in cn-north-1: partition aws-cn and an arn:aws-cn: ARN (before 2026-12-04 every
# finding said "aws", whatever the region).
mkdir -p "$T/cn"
cat >"$T/cn/ct.json" <<'EOF2'
{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws-cn:iam::111122223333:root","accountId":"111122223333","accessKeyId":"AKIAROOT000000000001"},"eventTime":"2026-01-05T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"cn-north-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","eventID":"e-1","eventType":"AwsApiCall","recipientAccountId":"111122223333","requestParameters":null,"responseElements":null}]}
EOF2
"$COALMINE" scan --no-default-intel --format json "$T/cn/ct.json" >"$T/cn.json" 2>/dev/null
check "cn-north-1: a finding" grep -q '"type":"Policy:IAMUser/RootCredentialUsage"' "$T/cn.json"
check "... in partition aws-cn" grep -q '"partition":"aws-cn"' "$T/cn.json"
check "... with an aws-cn ARN" grep -q '"arn":"arn:aws-cn:guardduty:cn-north-1:111122223333:detector/' "$T/cn.json"

# --- CLI contract ------------------------------------------------------------------
"$COALMINE" scan --help >/dev/null; check "scan --help exits 0" test $? -eq 0
"$COALMINE" scan >/dev/null 2>&1; check "scan without a path exits 2" test $? -eq 2
"$COALMINE" scan --bogus x >/dev/null 2>&1; check "scan with a bad option exits 2" test $? -eq 2
"$COALMINE" scan /nonexistent/path >/dev/null 2>"$T/errn"; rc=$?
check "scan of a missing path exits 1" test $rc -eq 1
check "the missing path is named" grep -q "/nonexistent/path" "$T/errn"
"$COALMINE" scan --format xml "$B" >/dev/null 2>&1; check "unknown --format exits 2" test $? -eq 2
# --no-route only means something with --db (as --retention-days, already refused alone):
# without a store it was accepted and silently meant nothing.
"$COALMINE" scan --no-route "$B" >/dev/null 2>"$T/nr.err"
check "--no-route without --db exits 2, naming --db" \
    sh -c '[ "$1" -eq 2 ] && grep -q -e "--no-route needs --db" "$2"' _ $? "$T/nr.err"
"$COALMINE" version | grep -q '^coalmine [0-9]'; check "version prints a version" test $? -eq 0
# version names every library the program is linked with (it said only libdeflate and zlib),
# and has a JSON form like every command that prints data.
"$COALMINE" version >"$T/ver.txt"
for lib in libdeflate zlib libzstd sqlite expat libcurl libmaxminddb libyaml libpsl librdkafka; do
    check "version names $lib" grep -q "^$lib [0-9]" "$T/ver.txt"
done
if [ "$HAVE_JQ" = 1 ]; then
    "$COALMINE" version --format json >"$T/ver.json"
    check "version --format json: the same versions" test "$(jq -r '"coalmine \(.coalmine)",
        (.libraries | to_entries[] | "\(.key) \(.value)")' "$T/ver.json")" = "$(cat "$T/ver.txt")"
fi
# A scan that fails (exit 1) after --stats was opened leaves no file (it was an empty one): a
# cron job finds a whole report or none, never one that reads as broken JSON.
echo stale >"$T/sfail.json"
"$COALMINE" scan --quiet --stats "$T/sfail.json" "$T/no-such-dir" >/dev/null 2>&1
check "a scan of a missing PATH exits 1" test $? -eq 1
check "... and leaves no --stats file" test ! -e "$T/sfail.json"
if [ -w /dev/full ]; then
    printf '%s' "$CTDATA" >"$T/sfull.in.json" # a canary key's use: a finding to print
    "$COALMINE" scan --quiet --format json --canary-key AKIAEXAMPLEAPP00001 \
        --stats "$T/sfull.json" "$T/sfull.in.json" >/dev/full 2>/dev/null
    check "a scan whose findings cannot be written exits 1" test $? -eq 1
    check "... and leaves no --stats file" test ! -e "$T/sfull.json"
else
    skip "a scan whose findings cannot be written" "no /dev/full"
fi
# One Resolver log whose records go back in time by hours (two captures in one file): the
# late records are counted, and the summary does not blame the order of the files.
LD="$T/late"; mkdir -p "$LD"
for t in 01:00:01 02:00:01 03:00:01 04:00:01 01:30:01 02:30:01; do
    printf '{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2026-01-05T%sZ","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.5","srcport":"5353","transport":"UDP","srcids":{"instance":"i-0a1b2c3d4e5f60001"}}\n' "$t"
done >"$LD/two-captures.jsonl"
"$COALMINE" scan --no-default-intel "$LD" >/dev/null 2>"$T/late.err"
check "one file out of time order: late records counted" grep -q '^  late: .*dns 2 ' "$T/late.err"
check "... said to be out of order within a file or across files" \
    grep -q 'out of time order, within a file or from files scanned out of order' "$T/late.err"
"$COALMINE" version --format xml >/dev/null 2>&1; check "version --format xml exits 2" test $? -eq 2
"$COALMINE" nosuchcommand >/dev/null 2>&1; check "unknown command exits 2" test $? -eq 2
"$COALMINE" --help | grep -q scan; check "--help lists the commands" test $? -eq 0
done_testing
