#!/bin/sh
# VPC Flow Logs in Apache Parquet (S3 delivery with FileFormat=parquet): coalmine
# scan reads them as it reads the same records in text. The Parquet is written by
# a third party, parquet-wasm (the Rust parquet crate, arrow-rs, built to
# WebAssembly; pinned in tests/integration/parquet/, installed by `make test` into
# var/cache/parquet-npm), through tests/integration/parquet/write.mjs, which types
# the columns as AWS does (Athena's DDL) with '-' as null.
#
# First the committed fixtures (tests/fixtures/parquet/, README.md there): each
# reads as flows.log does, the BROTLI one is rejected naming BROTLI. Then a `coalmine
# gen` world of flow logs (v2 default and v5 custom formats, every flow scenario)
# is unzipped to text and written to Parquet in a matrix: SNAPPY, GZIP and
# UNCOMPRESSED x dictionary on and off x data pages v1 and v2, ZSTD, the delta encodings,
# dictionaries that fall back to plain or delta pages, small row groups and pages,
# and AWS-like defaults (GZIP, one row group). Each tree is read back by
# parquet-wasm (it holds the text exactly) and its metadata checked (it is what
# its name says); its scan must give the text's vpcflow records, no reject, and
# the same findings (type, severity, resource, action, evidence, count, first and
# last seen, additionalInfo but coalmine's evidence). gzip of Parquet files reads
# as the files, and so does one on standard input. A BROTLI file is rejected naming
# BROTLI; Parquet files cut short or damaged are rejects, not crashes, and the files
# beside them are still read. The matrix skips cleanly when node (20 or later),
# npm or the writer is missing. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX="$ROOT/tests/fixtures/parquet"
W="$ROOT/tests/integration/parquet/write.mjs"
R="$ROOT/tests/integration/parquet/read.mjs"
PARQUET_NPM_DIR=${PARQUET_NPM_DIR:-$ROOT/var/cache/parquet-npm}
export PARQUET_NPM_DIR

# scan_to NAME OPTION... PATH...: scan with --stats into $T/NAME.{json,stats,err,rc}
scan_to() {
    _n=$1; shift
    "$COALMINE" scan --quiet --no-default-intel --format json --stats "$T/$_n.stats" "$@" \
        </dev/null >"$T/$_n.json" 2>"$T/$_n.err"
    echo $? >"$T/$_n.rc"
}
rc_of() { cat "$T/$1.rc"; }
stat_of() { jq -r "$2" "$T/$1.stats" 2>/dev/null; } # NAME JQ: a value of NAME's stats
# findings_of NAME: NAME's findings, one sorted line each, without what may differ
# between two forms of the same records (ids, times of the scan, coalmine's evidence:
# files, offsets, lines)
findings_of() {
    jq -c -S '{type, severity, resource, count: .service.count,
        first: .service.eventFirstSeen, last: .service.eventLastSeen,
        action: .service.action, evidence: .service.evidence,
        info: (.service.additionalInfo.value // "" | try (fromjson | del(.coalmine)) catch .)}' \
        "$T/$1.json" | sort
}
# same_scan LABEL WANT GOT: GOT's scan read what WANT's did: exit 0, as many vpcflow
# records, no reject, the same skipped count, the same findings
same_scan() {
    _l=$1; _w=$2; _g=$3
    findings_of "$_w" >"$T/$_w.sum"
    findings_of "$_g" >"$T/$_g.sum"
    _why=""
    [ "$(rc_of "$_g")" = 0 ] || _why="exit $(rc_of "$_g"): $(head -1 "$T/$_g.err")"
    _wr=$(stat_of "$_w" .records.vpcflow)
    _gr=$(stat_of "$_g" .records.vpcflow)
    [ -n "$_why" ] || [ "$_wr" = "$_gr" ] || _why="$_gr vpcflow records, not $_wr"
    _rej=$(stat_of "$_g" '.rejected | .cloudtrail + .vpcflow + .dns + .files')
    [ -n "$_why" ] || [ "$_rej" = 0 ] ||
        _why="$_rej rejected: $(stat_of "$_g" '[.reject_samples[0:3][] | .path + ": " + .reason] | join("; ")')"
    [ -n "$_why" ] || [ "$(stat_of "$_w" .skipped.vpcflow)" = "$(stat_of "$_g" .skipped.vpcflow)" ] ||
        _why="$(stat_of "$_g" .skipped.vpcflow) vpcflow records skipped, not $(stat_of "$_w" .skipped.vpcflow)"
    if [ -z "$_why" ] && ! cmp -s "$T/$_w.sum" "$T/$_g.sum"; then
        nok "$_l" "$(wc -l <"$T/$_g.sum") findings, not $(wc -l <"$T/$_w.sum"); the first differences:"
        jq -n -r --slurpfile w "$T/$_w.sum" --slurpfile g "$T/$_g.sum" '
            def brief: "\(.type) count \(.count) \(.first)..\(.last)";
            ($w - $g) as $m | ($g - $w) as $x |
            ($m[:4][] as $a | "#   missing: " + ($a | brief) +
                ([$x[] | select(.type == $a.type and .resource == $a.resource)][0] as $b |
                 if $b then "; found with other " + ([$a | keys[] | select($a[.] != $b[.])] | join(", "))
                 else "" end)),
            ($x[:4][] | "#   extra: " + brief)'
        return
    fi
    if [ -z "$_why" ]; then ok "$_l"; else nok "$_l" "$_why"; fi
}
# rejected_ok LABEL NAME: NAME's scan exited 0 (rejects never change the exit status)
# and rejected something
rejected_ok() {
    _rc=$(rc_of "$2")
    _rej=$(stat_of "$2" '.rejected | .vpcflow + .files')
    if [ "$_rc" = 0 ] && [ "${_rej:-0}" -ge 1 ]; then
        ok "$1"
    else
        nok "$1" "exit $_rc, ${_rej:-(no stats)} rejected" "$(head -1 "$T/$2.err")"
    fi
}
# brotli_named NAME: NAME's scan says BROTLI (in a reject's reason or on stderr)
brotli_named() { stat_of "$1" '.reject_samples[].reason' | grep -q BROTLI || grep -q BROTLI "$T/$1.err"; }

if ! command -v jq >/dev/null || ! command -v gzip >/dev/null; then
    skip "Parquet flow logs" "jq or gzip not installed"
    done_testing
    exit 0
fi

# --- the committed fixtures (no node needed) --------------------------------------------
# A threat list of flows.log's remote addresses gives a finding to compare (its
# instance, ENI, addresses, ports and times come from the records).
printf '203.0.113.10\n198.51.100.77\n2606:4700::6810:84e5\n' >"$T/fixture-threats.txt"
FIXOPT="--threat-list fixture=TXT:$T/fixture-threats.txt"
# shellcheck disable=SC2086 # FIXOPT is an option and its value
scan_to fix-text $FIXOPT "$FIX/flows.log"
check "fixture flows.log (text): 12 vpcflow records, a finding" \
    [ "$(stat_of fix-text .records.vpcflow)" = 12 -a -s "$T/fix-text.json" ]
for f in snappy-dict-v1 gzip-plain-v1 uncompressed-dict-v2 snappy-delta-v2 gzip-rg3 zstd; do
    # shellcheck disable=SC2086
    scan_to "fix-$f" $FIXOPT "$FIX/flows-$f.parquet"
    same_scan "fixture flows-$f.parquet reads as flows.log" fix-text "fix-$f"
done
scan_to fix-brotli "$FIX/flows-brotli.parquet"
rejected_ok "fixture flows-brotli.parquet is rejected (exit 0)" fix-brotli
check "fixture flows-brotli.parquet: the reject names BROTLI" brotli_named fix-brotli

# --- the writer ----------------------------------------------------------------------------
why=""
if ! command -v node >/dev/null; then
    why="node not installed"
elif [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
    why="node $(node --version) is older than 20"
fi
have_writer() {
    [ -f "$PARQUET_NPM_DIR/node_modules/parquet-wasm/package.json" ] &&
        [ -f "$PARQUET_NPM_DIR/node_modules/apache-arrow/package.json" ]
}
if [ -z "$why" ] && ! have_writer; then
    "$ROOT/scripts/install-parquet-deps" >/dev/null 2>&1 || true
    have_writer || why="parquet-wasm not installed (scripts/install-parquet-deps)"
fi
if [ -n "$why" ]; then
    skip "Parquet flow logs written by parquet-wasm" "$why"
    done_testing
    exit 0
fi
node "$W" "$FIX/flows.log" "$T/smoke.parquet" 2>"$T/smoke.err" &&
    node "$R" "$T/smoke.parquet" >"$T/smoke.log" 2>>"$T/smoke.err"
if cmp -s "$FIX/flows.log" "$T/smoke.log"; then
    ok "write.mjs writes flows.log and parquet-wasm reads it back"
else
    nok "write.mjs writes flows.log and parquet-wasm reads it back" "$(head -5 "$T/smoke.err")"
    done_testing
    exit 1
fi

# --- the world, in text ----------------------------------------------------------------
G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --kinds vpcflow --scenario all --seed 7 --accounts 2 \
    --regions 1 --instances 4 >/dev/null 2>"$T/gen.err"
check "gen writes a flow-log world" test $? -eq 0 -a -s "$G/intel/args.txt"
ARGS=$(cat "$G/intel/args.txt")
TXT="$T/text"
find "$G/AWSLogs" -type f -name '*.log.gz' | sort >"$T/gz.list"
while read -r f; do
    rel=${f#"$G/"}
    mkdir -p "$TXT/$(dirname "$rel")"
    gzip -dc "$f" >"$TXT/${rel%.gz}" || echo "$f" >>"$T/gunzip.failed"
done <"$T/gz.list"
find "$TXT/AWSLogs" -type f -name '*.log' | sort >"$T/text.list"
check "the world unzipped: $(wc -l <"$T/text.list") text files" \
    [ ! -e "$T/gunzip.failed" -a "$(wc -l <"$T/text.list")" -ge 4 ]
check "the world has flow logs in the default and a custom format" \
    [ "$(while read -r f; do head -1 "$f"; done <"$T/text.list" | sort -u | wc -l)" -ge 2 ]
# shellcheck disable=SC2086 # ARGS: gen's options, one word each (paths under mktemp -d)
scan_to text $ARGS "$TXT/AWSLogs"
TEXT_RECORDS=$(stat_of text .records.vpcflow)
TEXT_FINDINGS=$(jq -r .type "$T/text.json" 2>/dev/null | sort -u | wc -l)
check "text scan: $TEXT_RECORDS vpcflow records, none rejected, $TEXT_FINDINGS finding types" \
    [ "$(rc_of text)" = 0 -a "${TEXT_RECORDS:-0}" -gt 1000 \
    -a "$(stat_of text '.rejected | .vpcflow + .files')" = 0 -a "$TEXT_FINDINGS" -ge 10 ]

# --- the world, in Parquet ------------------------------------------------------------
# write_tree NAME OPTION...: the text tree through write.mjs OPTIONs into $T/pq/NAME,
# each X.log as X.log.parquet under the same key (the scan orders files by its stamp)
write_tree() {
    _name=$1; shift
    _pairs=""
    while read -r f; do
        rel=${f#"$TXT/"}
        mkdir -p "$T/pq/$_name/$(dirname "$rel")"
        _pairs="$_pairs $f $T/pq/$_name/$rel.parquet"
    done <"$T/text.list"
    # shellcheck disable=SC2086 # paths under mktemp -d and gen's key names: no blanks
    node "$W" "$@" $_pairs </dev/null 2>"$T/write-$_name.err"
}
pq_list() { sed "s|^$TXT/\\(.*\\)\$|$T/pq/$1/\\1.parquet|" "$T/text.list"; }

# NAME|write.mjs options|what --meta's summary must hold (jq, over the tree's files)
SMALL="--row-group-size 100 --page-rows 16"
cat >"$T/matrix" <<EOF
snappy-dict-v1|--codec snappy --dictionary on --writer-version 1 $SMALL|.codecs == ["SNAPPY"] and .dictionary_pages > 0 and (.data_page_encodings | keys) == ["RLE_DICTIONARY"] and .pages.DATA_PAGE_V2 == null
snappy-plain-v1|--codec snappy --dictionary off --encoding plain --writer-version 1 $SMALL|.codecs == ["SNAPPY"] and .dictionary_pages == 0 and (.data_page_encodings | keys) == ["PLAIN"] and .pages.DATA_PAGE_V2 == null
snappy-dict-v2|--codec snappy --dictionary on --writer-version 2 $SMALL|.codecs == ["SNAPPY"] and .dictionary_pages > 0 and (.data_page_encodings | keys) == ["RLE_DICTIONARY"] and .pages.DATA_PAGE == null
snappy-plain-v2|--codec snappy --dictionary off --encoding plain --writer-version 2 $SMALL|.codecs == ["SNAPPY"] and .dictionary_pages == 0 and (.data_page_encodings | keys) == ["PLAIN"] and .pages.DATA_PAGE == null
gzip-dict-v1|--codec gzip --dictionary on --writer-version 1 $SMALL|.codecs == ["GZIP"] and .dictionary_pages > 0 and (.data_page_encodings | keys) == ["RLE_DICTIONARY"] and .pages.DATA_PAGE_V2 == null
gzip-plain-v1|--codec gzip --dictionary off --encoding plain --writer-version 1 $SMALL|.codecs == ["GZIP"] and .dictionary_pages == 0 and (.data_page_encodings | keys) == ["PLAIN"] and .pages.DATA_PAGE_V2 == null
gzip-dict-v2|--codec gzip --dictionary on --writer-version 2 $SMALL|.codecs == ["GZIP"] and .dictionary_pages > 0 and (.data_page_encodings | keys) == ["RLE_DICTIONARY"] and .pages.DATA_PAGE == null
gzip-plain-v2|--codec gzip --dictionary off --encoding plain --writer-version 2 $SMALL|.codecs == ["GZIP"] and .dictionary_pages == 0 and (.data_page_encodings | keys) == ["PLAIN"] and .pages.DATA_PAGE == null
uncompressed-dict-v1|--codec uncompressed --dictionary on --writer-version 1 --statistics none $SMALL|.codecs == ["UNCOMPRESSED"] and .dictionary_pages > 0 and (.data_page_encodings | keys) == ["RLE_DICTIONARY"] and .pages.DATA_PAGE_V2 == null and .chunks_with_statistics == 0
uncompressed-plain-v1|--codec uncompressed --dictionary off --encoding plain --writer-version 1 --statistics chunk $SMALL|.codecs == ["UNCOMPRESSED"] and .dictionary_pages == 0 and (.data_page_encodings | keys) == ["PLAIN"] and .pages.DATA_PAGE_V2 == null and .chunks_with_column_index == 0
uncompressed-dict-v2|--codec uncompressed --dictionary on --writer-version 2 $SMALL|.codecs == ["UNCOMPRESSED"] and .dictionary_pages > 0 and (.data_page_encodings | keys) == ["RLE_DICTIONARY"] and .pages.DATA_PAGE == null
uncompressed-plain-v2|--codec uncompressed --dictionary off --encoding plain --writer-version 2 $SMALL|.codecs == ["UNCOMPRESSED"] and .dictionary_pages == 0 and (.data_page_encodings | keys) == ["PLAIN"] and .pages.DATA_PAGE == null
snappy-delta-v1|--codec snappy --dictionary off --encoding delta --writer-version 1 $SMALL|.codecs == ["SNAPPY"] and (.data_page_encodings | keys) == ["DELTA_BINARY_PACKED", "DELTA_BYTE_ARRAY"] and .pages.DATA_PAGE_V2 == null
gzip-delta-v2|--codec gzip --dictionary off --encoding delta --writer-version 2 $SMALL|.codecs == ["GZIP"] and (.data_page_encodings | keys) == ["DELTA_BINARY_PACKED", "DELTA_BYTE_ARRAY"] and .pages.DATA_PAGE == null
uncompressed-delta-length-v2|--codec uncompressed --dictionary off --encoding delta-length --writer-version 2 $SMALL|.codecs == ["UNCOMPRESSED"] and (.data_page_encodings | keys) == ["DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY"] and .pages.DATA_PAGE == null
snappy-v2-defaults|--codec snappy --dictionary off --writer-version 2 $SMALL|.codecs == ["SNAPPY"] and (.data_page_encodings | keys) == ["DELTA_BINARY_PACKED", "DELTA_BYTE_ARRAY"]
snappy-fallback-delta-v1|--codec snappy --dictionary on --dictionary-page-size 200 --encoding delta --writer-version 1 --row-group-size 400 --page-rows 32|.codecs == ["SNAPPY"] and .data_page_encodings.RLE_DICTIONARY > 0 and .data_page_encodings.DELTA_BYTE_ARRAY > 0 and .pages.DATA_PAGE_V2 == null
gzip-fallback-plain-v2|--codec gzip --dictionary on --dictionary-page-size 200 --encoding plain --writer-version 2 --row-group-size 400 --page-rows 32|.codecs == ["GZIP"] and .data_page_encodings.RLE_DICTIONARY > 0 and .data_page_encodings.PLAIN > 0 and .pages.DATA_PAGE == null
gzip-small-pages|--codec gzip --dictionary off --data-page-size 256 --row-group-size 250|.codecs == ["GZIP"] and .data_pages > 4 * .row_groups * 25
zstd-dict-v1|--codec zstd --dictionary on --writer-version 1 $SMALL|.codecs == ["ZSTD"] and .dictionary_pages > 0 and .pages.DATA_PAGE_V2 == null
zstd-delta-v2|--codec zstd --dictionary off --encoding delta --writer-version 2 $SMALL|.codecs == ["ZSTD"] and (.data_page_encodings | keys) == ["DELTA_BINARY_PACKED", "DELTA_BYTE_ARRAY"] and .pages.DATA_PAGE == null
aws-like|--codec gzip|.codecs == ["GZIP"] and .dictionary_pages > 0 and .chunks_with_column_index > 0
EOF
# The small ones must really be small: several row groups a file, and pages: a chunk of
# 100 rows (of 14 columns or more) has on average more than 2 of them (--page-rows 16 cuts
# pages of 16 rows where the encoder reports a size: a constant column's dictionary
# indices or the delta encodings' buffered integers stay in one page).
small_ok='.row_groups > 2 * $files and .data_pages > 2 * 14 * .row_groups and .max_data_page_values <= 100'
while IFS="|" read -r cfg opts want; do
    # shellcheck disable=SC2086 # opts: write.mjs options, one word each
    if ! write_tree "$cfg" $opts; then
        nok "write.mjs $cfg" "$(head -3 "$T/write-$cfg.err")"
        continue
    fi
    pq_list "$cfg" >"$T/pq-$cfg.list"
    # shellcheck disable=SC2046 # the tree's files, one word each
    node "$R" $(cat "$T/pq-$cfg.list") </dev/null >"$T/back-$cfg.log" 2>"$T/back-$cfg.err"
    # shellcheck disable=SC2046
    check "parquet-wasm reads the $cfg tree back as the text" \
        sh -c 'cat "$@" | cmp -s - "$0"' "$T/back-$cfg.log" $(cat "$T/text.list")
    # shellcheck disable=SC2046
    node "$R" --meta $(cat "$T/pq-$cfg.list") </dev/null 2>"$T/meta-$cfg.err" | jq -s '
        {files: length, row_groups: (map(.summary.row_groups) | add),
         codecs: (map(.summary.codecs) | add | unique),
         dictionary_pages: (map(.summary.dictionary_pages) | add),
         data_pages: (map(.summary.data_pages) | add),
         max_data_page_values: (map(.summary.max_data_page_values) | max),
         pages: (map(.summary.pages | to_entries) | add | group_by(.key)
                 | map({key: .[0].key, value: (map(.value) | add)}) | from_entries),
         data_page_encodings: (map(.summary.data_page_encodings | to_entries) | add | group_by(.key)
                 | map({key: .[0].key, value: (map(.value) | add)}) | from_entries),
         chunks_with_statistics: (map(.summary.chunks_with_statistics) | add),
         chunks_with_column_index: (map(.summary.chunks_with_column_index) | add)}' \
        >"$T/meta-$cfg.json"
    case $opts in *"$SMALL"*) w="($want) and ($small_ok)" ;; *) w=$want ;; esac
    if jq -e ".files as \$files | $w" "$T/meta-$cfg.json" >/dev/null 2>&1; then
        ok "the $cfg tree is what it says ($(jq -r '"\(.row_groups) row groups, \(.data_pages) data pages"' "$T/meta-$cfg.json"))"
    else
        nok "the $cfg tree is what it says" "$(jq -c . "$T/meta-$cfg.json" 2>&1 | cut -c1-400)" \
            "$(head -2 "$T/meta-$cfg.err")"
    fi
    # shellcheck disable=SC2086
    scan_to "pq-$cfg" $ARGS "$T/pq/$cfg/AWSLogs"
    same_scan "scan of the $cfg tree reads as the text's" text "pq-$cfg"
done <"$T/matrix"

# --- gzip of Parquet, and Parquet on standard input --------------------------------------
GZ="$T/pq/snappy-dict-v1-gz"
while read -r f; do
    rel=${f#"$T/pq/snappy-dict-v1/"}
    mkdir -p "$GZ/$(dirname "$rel")"
    gzip -c "$f" >"$GZ/$rel.gz"
done <"$T/pq-snappy-dict-v1.list"
# shellcheck disable=SC2086
scan_to pq-gz $ARGS "$GZ/AWSLogs"
same_scan "gzip -c of each Parquet file (X.log.parquet.gz) reads as the text" text pq-gz

ONE_TXT=$(head -1 "$T/text.list")
ONE_PQ=$(head -1 "$T/pq-gzip-dict-v1.list")
# shellcheck disable=SC2086
scan_to one-text $ARGS "$ONE_TXT"
# shellcheck disable=SC2086
"$COALMINE" scan --quiet --no-default-intel --format json --stats "$T/one-stdin.stats" $ARGS - \
    <"$ONE_PQ" >"$T/one-stdin.json" 2>"$T/one-stdin.err"
echo $? >"$T/one-stdin.rc"
same_scan "a Parquet file on standard input reads as its text" one-text one-stdin

# --- what coalmine does not read, and damage ---------------------------------------------
ZD="$T/brotli"
rel=${ONE_TXT#"$TXT/"}
mkdir -p "$ZD/$(dirname "$rel")"
node "$W" --codec brotli "$ONE_TXT" "$ZD/$rel.parquet" 2>"$T/write-brotli.err"
check "write.mjs --codec brotli" test $? -eq 0
scan_to brotli "$ZD/AWSLogs"
rejected_ok "a BROTLI Parquet file is rejected (exit 0)" brotli
check "the BROTLI reject names BROTLI" brotli_named brotli
check "nothing is read from the BROTLI file" [ "$(stat_of brotli .records.vpcflow)" = 0 ]

# Damaged copies of one Parquet file (gzip, dictionary, v1, small pages), each alone,
# then all beside an intact file.
SRC="$ONE_PQ"
SIZE=$(wc -c <"$SRC")
DMG="$T/damaged"
mkdir -p "$DMG"
base=$(basename "$SRC" .log.parquet)
stamp=${base%_*}
# cut: the first half; all but the last 9 bytes (the footer's length and magic torn);
# all but the last 100 bytes (inside the footer); the magic alone
head -c $((SIZE / 2)) "$SRC" >"$DMG/${stamp}_cut0half.log.parquet"
head -c $((SIZE - 9)) "$SRC" >"$DMG/${stamp}_cut0tail9.log.parquet"
head -c $((SIZE - 100)) "$SRC" >"$DMG/${stamp}_cut0tail100.log.parquet"
head -c 4 "$SRC" >"$DMG/${stamp}_cut0magic.log.parquet"
# the middle overwritten with 0xff (pages and their headers), the footer intact
cp "$SRC" "$DMG/${stamp}_zap0middle.log.parquet"
head -c 512 /dev/zero | tr '\0' '\377' |
    dd of="$DMG/${stamp}_zap0middle.log.parquet" bs=1 seek=$((SIZE / 3)) conv=notrunc 2>/dev/null
# the middle cut out: the first third, then the footer (offsets past the end)
FLEN=$(tail -c 8 "$SRC" | head -c 4 | od -An -tu4 --endian=little | tr -d ' ')
{ head -c $((SIZE / 3)) "$SRC"; tail -c $((FLEN + 8)) "$SRC"; } >"$DMG/${stamp}_cut0middle.log.parquet"
# the footer's length claiming more than the file
cp "$SRC" "$DMG/${stamp}_len0huge.log.parquet"
printf '\377\377\377\177' |
    dd of="$DMG/${stamp}_len0huge.log.parquet" bs=1 seek=$((SIZE - 8)) conv=notrunc 2>/dev/null
for f in "$DMG"/*.log.parquet; do
    k=$(basename "$f" .log.parquet)
    k=${k##*_}
    scan_to "dmg-$k" "$f"
    case $k in
    zap0middle)
        # garbage may still decode to values: no crash is what is asked
        check "damaged Parquet ($k): no crash, exit 0 [$(stat_of "dmg-$k" '.rejected | .vpcflow + .files') rejected]" \
            [ "$(rc_of "dmg-$k")" = 0 ] ;;
    *) rejected_ok "damaged Parquet ($k): rejected, exit 0" "dmg-$k" ;;
    esac
done
cp "$SRC" "$DMG/$(basename "$SRC")"
ONE_RECORDS=$(awk 'NR > 1 && NF' "$ONE_TXT" | wc -l)
scan_to dmg-all "$DMG"
check "the damaged files beside an intact one: exit 0, its $ONE_RECORDS records read, 6 or more rejects" \
    [ "$(rc_of dmg-all)" = 0 -a "$(stat_of dmg-all .records.vpcflow)" -ge "$ONE_RECORDS" \
    -a "$(stat_of dmg-all '.rejected | .vpcflow + .files')" -ge 6 ]
done_testing
