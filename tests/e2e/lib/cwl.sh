# Shell helpers shared by tests/e2e/cwl.sh and tests/integration/cwl_awscli.sh
# (sourced, not run). They need $COALMINE, $PY (a python3) and $G (the
# generated scenario's directory).

# scan OUT PATH...: findings (JSON lines) in OUT, stderr in OUT.err, --stats in
# OUT.stats, the store OUT.db; the scenario's options and --region us-east-1
# (flow logs out of CloudWatch Logs carry none in their path)
scan() {
    o=$1; shift
    rm -f "$o.db"
    # shellcheck disable=SC2046 # args.txt holds one option and value per line
    "$COALMINE" scan --region us-east-1 --format json --db "$o.db" --stats "$o.stats" \
        $(cat "$G/intel/args.txt" 2>/dev/null) "$@" >"$o" 2>"$o.err"
}

# summary FINDINGS [FIELDS]: type|instance|count of every finding, sorted (cut -f FIELDS)
summary() {
    "$PY" -c 'import json, sys
rows = []
for l in open(sys.argv[1]):
    if l.strip():
        f = json.loads(l)
        rows.append("%s|%s|%s" % (f["type"], f["resource"].get("instanceDetails", {}).get("instanceId", "-"),
                                  f["service"].get("count")))
print("\n".join(sorted(rows)))' "$1" | cut -d '|' -f "${2:-1-3}"
}
