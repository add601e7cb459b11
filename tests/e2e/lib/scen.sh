# shellcheck shell=sh
# Helpers of the scripts that check `coalmine gen` scenarios against scan (ct_*.sh, dns_*.sh,
# flow_detect.sh): sourced after tap.sh, with COALMINE and T set.

# scan DIR OUT [extra options]: the findings of DIR's logs as JSON lines, with the scan
# options gen wrote (DIR/intel/args.txt; none when there is none)
scan() {
    _d=$1; _o=$2; shift 2
    # shellcheck disable=SC2046 # args.txt holds one option and value per line
    "$COALMINE" scan --no-default-intel --format json $(cat "$_d/intel/args.txt" 2>/dev/null) \
        "$@" "$_d/AWSLogs" >"$_o" 2>"$_o.err"
}

# list_scenarios TYPES: gen --list-scenarios into $T/list (a check that it exits 0); the
# scenarios of the finding types file TYPES lists (one a line) into $T/scenarios, and in
# missing the types no scenario gives
list_scenarios() {
    "$COALMINE" gen --list-scenarios >"$T/list" 2>&1
    check "--list-scenarios exits 0" test $? -eq 0
    awk 'NR == FNR { t[$1] = 1; next } ($2 in t) { print $1 }' "$1" "$T/list" >"$T/scenarios"
    missing=""
    # shellcheck disable=SC2013 # a type is one word
    for _t in $(cat "$1"); do
        awk '{print $2}' "$T/list" | grep -qxF "$_t" || missing="$missing $_t"
    done
}

# same_rows LABEL WANT GOT [N]: ok LABEL when files WANT and GOT are the same, else nok with
# the first N (20) lines of their diff
same_rows() {
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        nok "$1" "$(diff "$2" "$3" | grep '^[<>]' | head -n "${4:-20}")"
    fi
}

# log_lines DIR KIND: every line of the gzipped logs of KIND (vpcflowlogs, vpcdnsquerylogs)
# under DIR
log_lines() { find "$1/AWSLogs" -path "*/$2/*" -name '*.gz' -exec zcat {} +; }

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

# instance_summary JSON OUT TYPE...: per finding of one of the TYPEs, one line
# type|instance|count|severity|additionalInfo (its JSON, compact, without "coalmine")
# (needs python3)
instance_summary() {
    _j=$1; _o=$2; shift 2
    python3 - "$_j" "$@" >"$_o" <<'PY'
import json, sys
types = set(sys.argv[2:])
for l in open(sys.argv[1]):
    if not l.strip():
        continue
    f = json.loads(l)
    if f["type"] not in types:
        continue
    s = f.get("service", {})
    ai = s.get("additionalInfo") or {}
    if isinstance(ai.get("value"), str):
        try:
            ai = json.loads(ai["value"])
        except ValueError:
            ai = {}
    ai.pop("coalmine", None)
    sev = f["severity"]
    sev = int(sev) if float(sev).is_integer() else sev
    print("|".join([f["type"], f["resource"].get("instanceDetails", {}).get("instanceId", ""),
                    str(s.get("count")), str(sev), json.dumps(ai, separators=(",", ":"))]))
PY
}

# info_json JSON PATH: the value at dotted PATH of the JSON text, as compact JSON (jq when it
# is installed, else python3)
if command -v jq >/dev/null; then
    info_json() { printf '%s\n' "$1" | jq -c --arg p "$2" 'getpath($p | split("."))'; }
else
    info_json() {
        python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print(json.dumps(v, separators=(",", ":")))' "$1" "$2"
    }
fi
