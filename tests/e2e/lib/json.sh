# JSON helpers for the e2e scripts (sourced): jq when it is installed, else
# python3. FILE holds one JSON document per line; PATH is dotted
# ("service.userFeedback", "detail-type").
#   jget FILE PATH   the value at PATH of each document (strings raw); a PATH
#                    ending in "[]" lists the elements of the array there
#   jsum FILE PATH   the sum of the array or object values at PATH (first document)
#   jlen FILE PATH   the number of elements at PATH (first document)
#   jkeys FILE PATH  the sorted keys at PATH, comma separated (first document)
if command -v jq >/dev/null; then
    JSON_TOOL=jq
    _jpath='($p | rtrimstr("[]") | split(".") | map(select(. != "") | (tonumber? // .)))'
    jget() {
        jq -r --arg p "$2" "$_jpath"' as $q | getpath($q) | if ($p | endswith("[]")) then .[] else . end' "$1"
    }
    jsum() { jq -s --arg p "$2" "$_jpath"' as $q | .[0] | getpath($q) | [.[]] | add' "$1"; }
    jlen() { jq -s --arg p "$2" "$_jpath"' as $q | .[0] | getpath($q) | length' "$1"; }
    jkeys() { jq -s -r --arg p "$2" "$_jpath"' as $q | .[0] | getpath($q) | keys | join(",")' "$1"; }
else
    JSON_TOOL=python3
    _jpy() { # mode file path
        python3 - "$@" <<'PY'
import json, sys
mode, path, p = sys.argv[1], sys.argv[2], sys.argv[3]
it = p.endswith("[]")
keys = [k for k in p[:-2 if it else None].split(".") if k]
def at(d):
    for k in keys:
        d = d[int(k)] if isinstance(d, list) else d.get(k) if isinstance(d, dict) else None
    return d
def show(v):
    if isinstance(v, str): return v
    if isinstance(v, float) and v.is_integer(): return str(int(v))
    return json.dumps(v)
docs = [json.loads(l) for l in open(path) if l.strip()]
if mode == "get":
    for d in docs:
        v = at(d)
        for x in (v if it else [v]): print(show(x))
else:
    v = at(docs[0])
    vals = list(v.values()) if isinstance(v, dict) else v
    if mode == "sum": print(show(sum(vals)))
    elif mode == "len": print(len(v))
    else: print(",".join(sorted(v)))
PY
    }
    jget() { _jpy get "$1" "$2"; }
    jsum() { _jpy sum "$1" "$2"; }
    jlen() { _jpy len "$1" "$2"; }
    jkeys() { _jpy keys "$1" "$2"; }
fi
