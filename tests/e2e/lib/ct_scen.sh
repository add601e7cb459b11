# shellcheck shell=sh
# Helpers of the CloudTrail scenario scripts (ct_anomaly.sh, ct_s3_anomaly.sh): sourced
# after tap.sh, with COALMINE and T set; scan and has_all are scen.sh's.
. "$(dirname "$0")/lib/scen.sh"

# records DIR: every CloudTrail record under DIR, one per line (gen writes each file as one
# line of compact JSON: split it where a record or a file starts)
records() {
    find "$1/AWSLogs" -path '*/CloudTrail/*' -name '*.gz' -exec zcat {} + |
        sed -e 's/},{"eventVersion"/}\n{"eventVersion"/g' -e 's/]}{"Records":\[/]}\n{"Records":[/g'
    echo
}

# needed_hours DIR SC [gen options]: sets hours to the hours scenario SC needs (its
# scenarios.tsv's hours= need; empty when none), read from a one-hour gen into DIR (removed
# after); a gen that fails is a nok and returns 1
needed_hours() {
    _d=$1; _sc=$2; shift 2
    if ! "$COALMINE" gen --out "$_d" "$@" --hours 1 --scenario "$_sc" >/dev/null \
        2>"$T/gen.err"; then
        nok "$_sc: gen" "$(cat "$T/gen.err")"
        return 1
    fi
    # shellcheck disable=SC2034 # the caller reads hours
    hours=$(grep -v '^#' "$_d/intel/scenarios.tsv" | head -n 1 | cut -f 12 | tr ',' '\n' |
        sed -n 's/^hours=//p')
    rm -rf "$_d"
}

# gen_agree DIR WHAT HOURS [gen options]: gen of HOURS hours into DIR with the options and
# --jobs 1 (a check: "gen with WHAT (HOURS hours) exits 0"), and again with --jobs 3 (a check
# that the logs and scenarios.tsv are the same: "WHAT: same logs and expectations for any
# --jobs"; that copy removed)
gen_agree() {
    _d=$1; _what=$2; _h=$3; shift 3
    "$COALMINE" gen --out "$_d" "$@" --hours "$_h" --jobs 1 >/dev/null 2>&1
    check "gen with $_what ($_h hours) exits 0" test $? -eq 0
    "$COALMINE" gen --out "$_d.jobs3" "$@" --hours "$_h" --jobs 3 >/dev/null 2>&1
    # shellcheck disable=SC2016 # the inner sh expands them
    check "$_what: same logs and expectations for any --jobs" \
        sh -c 'diff -r "$1/AWSLogs" "$2/AWSLogs" && diff "$1/intel/scenarios.tsv" "$2/intel/scenarios.tsv"' \
        _ "$_d" "$_d.jobs3"
    rm -rf "$_d.jobs3"
}

# allwant DIR OUT: type|resource|count of every finding DIR/intel/scenarios.tsv expects, sorted
allwant() {
    grep -v '^#' "$1/intel/scenarios.tsv" | awk -F '\t' '{ print $2 "|" $3 "|" $6 }' | sort >"$2"
}

# near_in_logs LABEL TSV RECORDS: every near-miss marker of scenarios TSV matches a record
# (searched among the records of the callers the markers name: their keys or ARNs)
near_in_logs() {
    _absent=""
    _nnear=0
    cut -f 8 "$2" | tr ',&' '\n\n' | grep -E '^"(accessKeyId|arn)":' | sort -u >"$T/near.who"
    if [ -s "$T/near.who" ]; then
        grep -F -f "$T/near.who" "$3" >"$T/near.recs"
    else
        cp "$3" "$T/near.recs"
    fi
    IFS_SAVE=$IFS
    IFS=','
    for _m in $(cut -f 8 "$2" | tr '\n' ','); do
        [ -n "$_m" ] && [ "$_m" != "-" ] || continue
        _nnear=$((_nnear + 1))
        has_all "$T/near.recs" "$_m" || _absent="$_absent [$_m]"
    done
    IFS=$IFS_SAVE
    check "$1 $_nnear near misses are in the logs${_absent:+ (absent:$_absent)}" \
        test "$_nnear" -gt 0 -a -z "$_absent"
}

# names_api APIS NAME: the anomalousAPIs text APIS lists call NAME ("s3...:[A:ok , NAME:ok]")
names_api() {
    printf '%s\n' "$1" | grep -Eq "(\\[| )$2:"
}
