# shellcheck shell=sh
# Helpers of the CloudTrail scenario scripts (ct_anomaly.sh, ct_s3_anomaly.sh): sourced
# after tap.sh, with COALMINE and T set.

# records DIR: every CloudTrail record under DIR, one per line (gen writes each file as one
# line of compact JSON: split it where a record or a file starts)
records() {
    find "$1/AWSLogs" -path '*/CloudTrail/*' -name '*.gz' -exec zcat {} + |
        sed -e 's/},{"eventVersion"/}\n{"eventVersion"/g' -e 's/]}{"Records":\[/]}\n{"Records":[/g'
    echo
}

# scan DIR OUT: the findings of DIR's logs as JSON lines, with the scan options gen wrote
scan() {
    _o=$2
    # shellcheck disable=SC2046 # args.txt holds one option and value per line
    "$COALMINE" scan --no-default-intel --format json \
        $(cat "$1/intel/args.txt" 2>/dev/null) "$1/AWSLogs" >"$_o" 2>"$_o.err"
}

# has_all FILE MARKER: some line of FILE holds every '&'-separated part of MARKER
has_all() {
    _f=$1; _rest=$2
    while [ -n "$_rest" ]; do
        _part=${_rest%%&*}
        if [ "$_part" = "$_rest" ]; then _rest=""; else _rest=${_rest#*&}; fi
        grep -F -- "$_part" "$_f" >"$T/m.next" || return 1
        mv "$T/m.next" "$T/m.cur"
        _f=$T/m.cur
    done
    return 0
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
