#!/bin/sh
# zstd inputs (src/source/decode_zstd.c, decode.h), read as gzip is: a generated world
# recompressed from .gz to .zst gives the same records, findings and evidence, with 1 and
# 2 threads; several frames, skippable frames, small blocks, zstd inside gzip and gzip
# inside zstd, by path and on standard input; a cut, damaged, 0-byte or over-long file
# rejected with its reason and what could be read kept; a frame whose checksum alone is
# wrong kept; threat lists and the inventory as .zst. Skipped without the zstd command.
# Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/json.sh"

if ! command -v zstd >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
    skip "zstd inputs" "zstd or jq not installed"
    done_testing
    exit 0
fi

# --- the world, as .gz and as .zst ------------------------------------------------------
"$COALMINE" gen --out "$T/gz" --scenario all --hours 2 --seed 11 >/dev/null 2>"$T/gen.err"
check "gen writes a world" test -f "$T/gz/.coalmine-gen.json"
cp -r "$T/gz" "$T/zst"
(cd "$T/zst" && find . -name '*.gz' | sort) >"$T/gz.list"
# (gzip -d and zstd --rm over the list: one process each, not two per file)
(cd "$T/zst" && xargs gzip -d <"$T/gz.list" && sed 's/\.gz$//' "$T/gz.list" | xargs zstd -q --rm)
ngz=$(grep -c . "$T/gz.list")
nzst=$(cd "$T/zst" && find . -name '*.zst' | grep -c .)
check "every .gz of the world recompressed as .zst ($nzst of $ngz), none left" \
    test "$nzst" = "$ngz" -a "$ngz" -gt 100 -a -z "$(find "$T/zst" -name '*.gz')"
# The generator's lists and inventory (args.txt names them by absolute path), the same for both.
DA=$(cat "$T/gz/intel/args.txt")

# The findings with paths made alike: the world's folder and .gz/.zst in evidence.
norm() { # FILE: the findings, one sorted JSON line each, paths normalised
    jq -S -c . "$1" | sed -E -e "s#$T/(gz|zst|zi)/#W/#g" -e 's/\.(gz|zst)(\\?")/.X\2/g' | sort
}
stat_of() { jq -c '[.files, .records, .rejected, .bytes_decoded]' "$1"; }
for th in 1 2; do
    for w in gz zst; do
        # shellcheck disable=SC2086 # one option or value per word (gen's own paths)
        "$COALMINE" scan --threads $th --format json --stats "$T/$w$th.st" $DA "$T/$w/AWSLogs" \
            >"$T/$w$th.json" 2>"$T/$w$th.err"
        echo $? >"$T/$w$th.rc"
    done
    check "$th thread(s): both scans exit 0" test "$(cat "$T/gz$th.rc") $(cat "$T/zst$th.rc")" = "0 0"
    check "$th thread(s): .zst gives the .gz world's files and records per kind, nothing rejected ($(jq -c .records "$T/zst$th.st"))" \
        test "$(stat_of "$T/zst$th.st")" = "$(stat_of "$T/gz$th.st")" -a \
        "$(jq -c '[.rejected.files, .records.cloudtrail > 0, .records.vpcflow > 0, .records.dns > 0]' "$T/zst$th.st")" = "[0,true,true,true]"
    norm "$T/gz$th.json" >"$T/gz$th.cmp"
    norm "$T/zst$th.json" >"$T/zst$th.cmp"
    if [ -s "$T/gz$th.cmp" ] && cmp -s "$T/gz$th.cmp" "$T/zst$th.cmp"; then
        ok "$th thread(s): the same findings ($(grep -c . "$T/gz$th.cmp"))"
    else
        nok "$th thread(s): the same findings" "$(diff "$T/gz$th.cmp" "$T/zst$th.cmp" | head -n 4 | cut -c 1-300)"
    fi
done
check "the evidence of the .zst findings names .zst files" \
    sh -c 'jq -r ".service.additionalInfo.value | fromjson | .coalmine.evidence[]?.file" "$1" |
        grep -q "\.zst$" && ! jq -r ".service.additionalInfo.value | fromjson | .coalmine.evidence[]?.file" "$1" | grep -q "\.gz$"' \
    _ "$T/zst1.json"

# Every list and the inventory as .zst too (intel_load.c, scan_inventory.c): the same findings.
cp -r "$T/zst" "$T/zi"
for f in "$T"/zi/intel/*.txt "$T/zi/aws/instances.json"; do zstd -q --rm "$f"; done
ZA=$(echo "$DA" | sed -E "s|$T/gz/|$T/zi/|g; s|(intel/[a-z_]+\.txt)|\1.zst|; s|instances\.json|instances.json.zst|")
check "the lists and inventory named as .zst ($(echo "$ZA" | grep -c '\.zst'))" \
    test "$(echo "$ZA" | grep -c '\.zst$')" -ge 10
# shellcheck disable=SC2086
"$COALMINE" scan --threads 2 --format json --stats "$T/zi.st" $ZA "$T/zi/AWSLogs" >"$T/zi.json" 2>"$T/zi.err"
check "lists and inventory as .zst: exit 0, nothing rejected, no list warning" \
    sh -c '[ $1 -eq 0 ] && [ "$(jq .rejected.files "$2")" = 0 ] && ! grep -qi "warning\|error" "$3"' \
    _ $? "$T/zi.st" "$T/zi.err"
norm "$T/zi.json" >"$T/zi.cmp"
if [ -s "$T/zi.cmp" ] && cmp -s "$T/gz2.cmp" "$T/zi.cmp"; then
    ok "... the .gz world's findings ($(grep -c . "$T/zi.cmp"))"
else
    nok "... the .gz world's findings" "$(diff "$T/gz2.cmp" "$T/zi.cmp" | head -n 4 | cut -c 1-300)"
fi

# --- findings get --evidence ---------------------------------------------------------
for w in gz zst; do
    # shellcheck disable=SC2086
    "$COALMINE" scan --quiet --no-route --threads 2 --format json --db "$T/$w.db" $DA \
        "$T/$w/AWSLogs" >"$T/$w.db.json" 2>/dev/null
done
ids=$(jq -r .id "$T/zst.db.json" | sort)
# shellcheck disable=SC2086 # the ids, one a word
"$COALMINE" findings get --db "$T/zst.db" --evidence --format json $ids >"$T/zst.ev" 2>"$T/zst.ev.err"
rc=$?
# shellcheck disable=SC2086
"$COALMINE" findings get --db "$T/gz.db" --evidence --format json $ids >"$T/gz.ev" 2>/dev/null
check "findings get --evidence over .zst inputs: exit 0, no warning" test $rc -eq 0 -a ! -s "$T/zst.ev.err"
ev() { jq -c 'select(.record) | [.findingId, .line, .offset, .length, .record]' "$1"; }
nev=$(ev "$T/zst.ev" | grep -c .)
nzp=$(jq -r 'select(.record) | .path' "$T/zst.ev" | grep -c '\.zst$')
check "... every evidence record read back from its .zst file ($nzp of $nev)" \
    test "$nev" -gt 20 -a "$nzp" = "$nev"
ev "$T/zst.ev" >"$T/zst.evc"
ev "$T/gz.ev" >"$T/gz.evc"
check "... the same records, lines and offsets as from the .gz files" \
    sh -c 'test -s "$1" && cmp -s "$1" "$2"' _ "$T/zst.evc" "$T/gz.evc"

# --- standard input ---------------------------------------------------------------------
flows=$(cd "$T/gz" && find . -path '*vpcflowlogs*' -name '*.gz' | sort | head -n 4 | sed 's/\.gz$//')
FG=$(for f in $flows; do echo "$T/gz/$f.gz"; done)
FZ=$(for f in $flows; do echo "$T/zst/$f.zst"; done)
# shellcheck disable=SC2086
nflow=$(zcat $FG | grep -vc '^version ')
recs() { # STATS: vpcflow records and files rejected
    jq -c '[.records.vpcflow, .rejected.files]' "$1"
}
stdin_scan() { # NAME ARGS... <input: a scan of standard input, stats in NAME.st, stderr in NAME.err
    _n=$1; shift
    "$COALMINE" scan --no-default-intel --quiet --stats "$T/$_n.st" "$@" - >/dev/null 2>"$T/$_n.err"
}
# shellcheck disable=SC2086
cat $FG | stdin_scan sg
# shellcheck disable=SC2086
cat $FZ | stdin_scan sz --threads 2
check "4 flow logs' .zst one after another on stdin (4 frames): every record, as their .gz ($nflow)" \
    test "$(recs "$T/sz.st")" = "[$nflow,0]" -a "$(recs "$T/sg.st")" = "[$nflow,0]"
F1=$(echo "$FZ" | head -n 1)
F2=$(echo "$FZ" | sed -n 2p)
n1=$(zstd -dc "$F1" | grep -vc '^version ')
n2=$(zstd -dc "$F2" | grep -vc '^version ')
stdin_scan s1 <"$F1"
check "one .zst flow log on stdin ($n1 records)" test "$(recs "$T/s1.st")" = "[$n1,0]"
cts=$(cd "$T/zst" && find . -path '*/CloudTrail/*' -name '*.json.zst' | sort | head -n 12)
# shellcheck disable=SC2086
nct=$(cd "$T/zst" && zstd -dc $cts | jq -s 'map(.Records | length) | add')
# shellcheck disable=SC2086
(cd "$T/zst" && cat $cts) | stdin_scan sct --threads 2
check "12 CloudTrail .json.zst files on stdin: every record ($nct)" \
    test "$(jq -c '[.records.cloudtrail, .rejected.cloudtrail, .rejected.files]' "$T/sct.st")" = "[$nct,0,0]"

# zstd inside gzip and gzip inside zstd, as files and on stdin.
N="$T/nested"
mkdir -p "$N"
zstd -q -c "$(echo "$FG" | head -n 1)" >"$N/gz-in.log.zst"
gzip -c "$F1" >"$N/zst-in.log.gz"
for f in gz-in.log.zst zst-in.log.gz; do
    "$COALMINE" scan --no-default-intel --quiet --stats "$T/nf.st" "$N/$f" >/dev/null 2>&1
    stdin_scan ns <"$N/$f"
    check "$f (nested): every record by path and on stdin ($n1)" \
        test "$(recs "$T/nf.st") $(recs "$T/ns.st")" = "[$n1,0] [$n1,0]"
done

# --- frames, skippable frames, blocks -------------------------------------------------------
M="$T/multi"
mkdir -p "$M"
cat "$F1" "$F2" >"$M/ab.log.zst"
# A skippable frame first (magic 0x184D2A50, length 0) and one of 4 bytes between the frames.
{ printf '\120\052\115\030\000\000\000\000'; cat "$F1"; printf '\132\052\115\030\004\000\000\000skip'; cat "$F2"; } \
    >"$M/skip.log.zst"
for f in ab skip; do
    "$COALMINE" scan --no-default-intel --quiet --stats "$T/m.st" "$M/$f.log.zst" >/dev/null 2>&1
    stdin_scan ms <"$M/$f.log.zst"
    check "$f.log.zst (two frames$( [ $f = skip ] && echo ', skippable frames before and between')): both read, by path and on stdin ($((n1 + n2)))" \
        test "$(recs "$T/m.st") $(recs "$T/ms.st")" = "[$((n1 + n2)),0] [$((n1 + n2)),0]"
done
# A large flow log (12 of the world's, about 1.5 MB: a dozen blocks of 128 KiB), as zstd
# writes it in several ways: -B65536 (its job size), --rsyncable, small compressed blocks.
big=$(find "$T/gz" -path '*vpcflowlogs*' -name '*.gz' | sort | head -n 12)
# shellcheck disable=SC2086
zcat $big >"$T/big.log"
nbig=$(grep -vc '^version ' "$T/big.log")
zstd -q -B65536 -c "$T/big.log" >"$M/big.log.zst"
zstd -q --rsyncable -c "$T/big.log" >"$M/rsync.log.zst"
zstd -q --target-compressed-block-size=4096 -c "$T/big.log" >"$M/small-blocks.log.zst" 2>/dev/null ||
    zstd -q -1 -c "$T/big.log" >"$M/small-blocks.log.zst"
"$COALMINE" scan --no-default-intel --quiet --stats "$T/big.st" "$M/big.log.zst" "$M/rsync.log.zst" \
    "$M/small-blocks.log.zst" >/dev/null 2>&1
check "a 1.5 MB flow log as zstd -B65536, --rsyncable, small blocks: every record ($((3 * nbig)))" \
    test "$(recs "$T/big.st")" = "[$((3 * nbig)),0]"

# --- damage -----------------------------------------------------------------------------
D="$T/damage"
mkdir -p "$D"
reasons() { jq -r '.reject_samples[] | select(.kind == "file") | .reason' "$1"; }
# (for sh -c)
RSN='.reject_samples[] | select(.kind == "file") | .reason'
size=$(wc -c <"$M/big.log.zst")
cut=$((size / 2))
head -c $cut "$M/big.log.zst" >"$D/cut.log.zst"
"$COALMINE" scan --no-default-intel --stats "$T/cut.st" "$D/cut.log.zst" >/dev/null 2>&1
ncut=$(jq .records.vpcflow "$T/cut.st")
check "cut in the middle: rejected as 'truncated zstd stream (ends at byte $cut)'" \
    test "$(jq .rejected.files "$T/cut.st") $(reasons "$T/cut.st")" = "1 truncated zstd stream (ends at byte $cut)"
check "... the blocks before the cut kept: some records, not all (0 < $ncut < $nbig)" \
    test "$ncut" -gt 0 -a "$ncut" -lt "$nbig"
stdin_scan cuts <"$D/cut.log.zst"
check "... on stdin: 'truncated zstd stream on standard input', the same records kept" \
    test "$(reasons "$T/cuts.st") $(jq .records.vpcflow "$T/cuts.st")" = "truncated zstd stream on standard input $ncut"

{ cat "$M/big.log.zst"; printf 'junk\n'; } >"$D/junk.log.zst"
"$COALMINE" scan --no-default-intel --quiet --stats "$T/junk.st" "$D/junk.log.zst" >/dev/null 2>&1
stdin_scan junks <"$D/junk.log.zst"
want="[$nbig,1] 5 bytes of non-zstd data after the zstd stream ignored"
check "junk after the stream: every record, '5 bytes of non-zstd data after the zstd stream ignored'" \
    test "$(recs "$T/junk.st") $(reasons "$T/junk.st")" = "$want"
check "... the same on stdin" test "$(recs "$T/junks.st") $(reasons "$T/junks.st")" = "$want"

# 64 bytes overwritten in the middle, beside good files of the other kinds in the same scan.
mkdir -p "$D/mix"
cp "$M/big.log.zst" "$D/mix/corrupt.log.zst"
dd if=/dev/zero bs=64 count=1 2>/dev/null | tr '\000' '\377' |
    dd of="$D/mix/corrupt.log.zst" bs=1 seek=$cut conv=notrunc 2>/dev/null
ct1=$(echo "$cts" | head -n 1)
cp "$T/zst/$ct1" "$D/mix/ct.json.zst"
dns1=$(find "$T/zst" -path '*vpcdnsquerylogs*' -name '*.zst' | sort | head -n 1)
cp "$dns1" "$D/mix/dns.log.zst"
wct=$(zstd -dc "$D/mix/ct.json.zst" | jq '.Records | length')
wdns=$(zstd -dc "$D/mix/dns.log.zst" | grep -c .)
"$COALMINE" scan --no-default-intel --threads 2 --stats "$T/mix.st" "$D/mix" >/dev/null 2>"$T/mix.err"
check "a corrupt .zst: exit 0 (no crash)" test $? -eq 0
why=$(reasons "$T/mix.st")
check "... one file rejected: '$why' (corrupt data, not a checksum-only frame)" \
    sh -c 'test "$(jq .rejected.files "$1")" = 1 && echo "$2" | grep -q "^corrupt zstd data: " &&
        ! echo "$2" | grep -q "checksum only"' _ "$T/mix.st" "$why"
check "... the other files in the scan read whole ($wct CloudTrail, $wdns Resolver records)" \
    test "$(jq -c '[.records.cloudtrail, .records.dns]' "$T/mix.st")" = "[$wct,$wdns]"
nmix=$(jq .records.vpcflow "$T/mix.st")
check "... the blocks before the damage kept: some of its records, not all (0 < $nmix < $nbig)" \
    test "$nmix" -gt 0 -a "$nmix" -lt "$nbig"
stdin_scan mixs <"$D/mix/corrupt.log.zst"
check "... on stdin: 'corrupt zstd data on standard input', as many records kept" \
    sh -c 'test "$(jq .records.vpcflow "$1")" = "$2" && jq -r "$3" "$1" |
        grep -q "^corrupt zstd data on standard input at byte [0-9]*: "' _ "$T/mixs.st" "$nmix" "$RSN"

: >"$D/x.log.zst"
"$COALMINE" scan --no-default-intel --quiet --stats "$T/empty.st" "$D/x.log.zst" >/dev/null 2>&1
check "a 0-byte x.log.zst: a rejected file, 'empty file (0 bytes) named as zstd'" \
    test "$(jq -c '[.rejected.files, .skipped.files]' "$T/empty.st") $(reasons "$T/empty.st")" = \
    "[1,0] empty file (0 bytes) named as zstd"

# A frame (zstd --check) whose checksum alone is wrong: kept, and the frame after it read.
flip_last4() { # FILE OUT: FILE with its last 4 bytes inverted
    _s=$(wc -c <"$1")
    head -c $((_s - 4)) "$1" >"$2"
    for _b in $(tail -c 4 "$1" | od -An -tu1); do
        # shellcheck disable=SC2059 # the octal escape is the format
        printf "\\$(printf %03o $((255 - _b)))" >>"$2"
    done
}
zstd -dc "$F1" | zstd -q --check >"$D/a.zst"
zstd -dc "$F2" | zstd -q --check >"$D/b.zst"
flip_last4 "$D/a.zst" "$D/abad.zst"
check "(the checksum of a --check frame changed)" sh -c '! cmp -s "$1" "$2" && ! zstd -t -q "$2" 2>/dev/null' \
    _ "$D/a.zst" "$D/abad.zst"
cat "$D/abad.zst" "$D/b.zst" >"$D/cksum.log.zst"
cp "$D/abad.zst" "$D/cksum-last.log.zst"
for f in cksum:$((n1 + n2)) cksum-last:$n1; do
    "$COALMINE" scan --no-default-intel --quiet --stats "$T/ck.st" "$D/${f%:*}.log.zst" >/dev/null 2>&1
    check "${f%:*}.log.zst: a frame whose checksum alone is wrong kept$( [ "${f%:*}" = cksum ] && echo ', the next read') (${f#*:} records), 'checksum only; data read'" \
        sh -c 'test "$(jq -c "[.records.vpcflow, .rejected.files]" "$1")" = "[$2,1]" &&
            jq -r ".reject_samples[].reason" "$1" | grep -q "^corrupt zstd data: .*(checksum only; data read)$"' \
        _ "$T/ck.st" "${f#*:}"
done

stdin_scan cks <"$D/cksum.log.zst"
check "cksum.log.zst on stdin: kept too, the next frame read ($((n1 + n2)) records), 'checksum only; data read'" \
    sh -c 'test "$(jq -c "[.records.vpcflow, .rejected.files, .rejected.vpcflow]" "$1")" = "[$2,1,0]" &&
        jq -r ".reject_samples[].reason" "$1" | grep -q "^corrupt zstd data on standard input at byte [0-9]*: .*(checksum only; data read)$"' \
    _ "$T/cks.st" "$((n1 + n2))"

# A frame needing a window over 128 MiB (zstd --long=31 of a stream of unknown size).
zstd -dc "$F1" | zstd -q --long=31 >"$D/long.log.zst"
"$COALMINE" scan --no-default-intel --quiet --stats "$T/long.st" "$D/long.log.zst" >/dev/null 2>&1
check "a frame needing a 2 GiB window: rejected, the reason says --long=31" \
    sh -c 'test "$(jq .rejected.files "$1")" = 1 && jq -r ".reject_samples[].reason" "$1" | grep -q -e "--long=31"' \
    _ "$T/long.st"
stdin_scan longs <"$D/long.log.zst"
check "... on stdin too" \
    sh -c 'test "$(jq .rejected.files "$1")" = 1 && jq -r ".reject_samples[].reason" "$1" | grep -q -e "--long=31"' \
    _ "$T/longs.st"

# --- a threat list as .zst ------------------------------------------------------------------
FD="$T/intel/AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/01/05"
mkdir -p "$FD"
{
    echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    echo "2 111122223333 eni-0a1 10.0.0.5 81.2.69.160 49152 443 6 10 840 1767607200 1767607260 ACCEPT OK"
    echo "2 111122223333 eni-0a1 10.0.0.5 81.2.69.160 49153 443 6 10 840 1767607300 1767607360 ACCEPT OK"
    echo "2 111122223333 eni-0a1 10.0.0.5 81.2.69.161 49154 443 6 10 840 1767607300 1767607360 ACCEPT OK"
} | zstd -q >"$FD/111122223333_vpcflowlogs_eu-west-1_fl-0a1_20260105T0000Z_0a1b2c3d.log.zst"
printf '# my list\n81.2.69.160\n' >"$T/list.txt"
zstd -q -c "$T/list.txt" >"$T/list.txt.zst"
for l in list.txt list.txt.zst; do
    "$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/$l" --format json "$T/intel" \
        >"$T/$l.json" 2>"$T/$l.err"
    echo $? >"$T/$l.rc"
done
check "--threat-list list.txt.zst: exit 0, one finding" \
    test "$(cat "$T/list.txt.zst.rc") $(grep -c . "$T/list.txt.zst.json")" = "0 1"
check "... MaliciousIPCaller.Custom from list my-ips, as with the plain list" \
    sh -c 'test "$(jq -r "[.type, .service.count, (.service.additionalInfo.value | fromjson | .threatListName)] | @tsv" "$1")" = "$(printf "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom\t2\tmy-ips")" &&
        test "$(jq -S -c "del(.createdAt, .updatedAt)" "$1")" = "$(jq -S -c "del(.createdAt, .updatedAt)" "$2")"' \
    _ "$T/list.txt.zst.json" "$T/list.txt.json"
head -c 10 "$T/list.txt.zst" >"$T/cut.txt.zst"
"$COALMINE" scan --no-default-intel --threat-list "my-ips=$T/cut.txt.zst" "$T/intel" >/dev/null 2>"$T/cutl.err"
check "a cut .zst threat list: exit 1, naming the list and the cut" \
    sh -c '[ $1 -eq 1 ] && grep -q "cut.txt.zst: zstd: truncated zstd stream" "$2"' _ $? "$T/cutl.err"

done_testing
