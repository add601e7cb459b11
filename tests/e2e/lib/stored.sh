# Stored findings in a comparable form, for the e2e scripts that compare
# what split scans stored with what one scan stored (sourced; needs python3).

# summary DB OUT: one line per stored finding: id type severity count first last
summary() {
    "$COALMINE" findings export --db "$1" --archived all 2>/dev/null | python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    f = json.loads(line)
    s = f["service"]
    rows.append("%s %s %s %s %s %s" % (f["id"], f["type"], f["severity"], s["count"],
                                       s["eventFirstSeen"], s["eventLastSeen"]))
print("\n".join(sorted(rows)))
' >"$2"
}
