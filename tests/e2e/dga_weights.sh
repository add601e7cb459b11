#!/bin/sh
# The built-in DGA model's two shipped forms (issue #7; data/dga/README.md):
# `dga-train --from data/dga/model.txt` must write data/dga/model.txt and
# lib/detect/dga_weights.c back byte for byte, so the C tables (weights,
# character model, token table) are what the model file says and what the
# trainer's current writer makes. Also: a damaged model file is refused
# with its line, and --from without an output is a usage error. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
ROOT=${ROOT:-.}
TRAIN="$ROOT/${BUILD:-build}/tools/dga-train"

if [ ! -x "$TRAIN" ]; then
    nok "dga-train is built" "$TRAIN missing (make test builds it)"
    done_testing
    exit 0
fi
"$TRAIN" --from "$ROOT/data/dga/model.txt" --out "$T/model.txt" --c-out "$T/dga_weights.c" \
    2>"$T/err"
rc=$?
check "dga-train --from exits 0" test "$rc" = 0
check "model.txt written back byte for byte" cmp -s "$T/model.txt" "$ROOT/data/dga/model.txt"
check "dga_weights.c regenerates unchanged (weights, lm, token table)" \
    cmp -s "$T/dga_weights.c" "$ROOT/lib/detect/dga_weights.c"
check "the C tables hold a token table" grep -q 'static const int16_t tokw\[1024\]' "$T/dga_weights.c"

# A value out of range on a w line: refused, with the line.
bad_line=$(grep -n '^w ' "$ROOT/data/dga/model.txt" | head -n 1 | cut -d: -f1)
sed "${bad_line}s/^w \([0-9]*\) [-0-9]*/w \1 99999/" "$ROOT/data/dga/model.txt" >"$T/bad.txt"
"$TRAIN" --from "$T/bad.txt" --c-out "$T/x.c" 2>"$T/err"
rc=$?
check "a damaged model is refused (exit 1)" test "$rc" = 1
check "... naming its line ($bad_line)" grep -q "bad.txt:$bad_line: not a DGA model" "$T/err"
check "... and nothing is written" test ! -e "$T/x.c"

"$TRAIN" --from "$ROOT/data/dga/model.txt" 2>/dev/null
check "--from without --out or --c-out is a usage error (exit 2)" test "$?" = 2
done_testing
