# Stored findings in a comparable form, for the e2e scripts that compare
# what split scans stored with what one scan stored (sourced; needs python3).

# summary DB OUT [full]: one line per stored finding: id type severity count first last;
# with full, also the sequence it is a member of and the records it cites (file base name
# and offset, in order), which a follow's polls and one scan must agree on too
summary() {
    "$COALMINE" findings export --db "$1" --archived all 2>/dev/null | python3 -c '
import json, sys
full = len(sys.argv) > 1
rows = []
for line in sys.stdin:
    f = json.loads(line)
    s = f["service"]
    row = "%s %s %s %s %s %s" % (f["id"], f["type"], f["severity"], s["count"],
                                 s["eventFirstSeen"], s["eventLastSeen"])
    if full:
        try:
            info = json.loads(s.get("additionalInfo", {}).get("value", "{}"))
        except ValueError:
            info = {}
        ev = ",".join("%s@%s" % (e.get("file", "").rsplit("/", 1)[-1], e.get("offset"))
                      for e in info.get("coalmine", {}).get("evidence", []))
        row += " %s %s" % (f.get("associatedAttackSequenceArn", "-"), ev)
    rows.append(row)
print("\n".join(sorted(rows)))
' ${3:+"$3"} >"$2"
}

# sequences DB OUT: one line per stored attack sequence: id type count, then its
# service.detection.sequence (signals, indicators...), keys sorted, and the records its
# additionalInfo cites (file base name and offset)
sequences() {
    "$COALMINE" findings export --db "$1" --archived all 2>/dev/null | python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    f = json.loads(line)
    if not f["type"].startswith("AttackSequence:"):
        continue
    s = f["service"]
    info = s.get("additionalInfo", {})
    info = json.loads(info["value"]) if "value" in info else info
    ev = ["%s:%s" % (e["file"].split("/")[-1], e["offset"])
          for e in info.get("coalmine", {}).get("evidence", [])]
    rows.append("%s %s %s %s %s" % (f["id"], f["type"], s["count"],
                                    json.dumps(s.get("detection", {}).get("sequence"),
                                               sort_keys=True), ev))
print("\n".join(sorted(rows)))
' >"$2"
}
