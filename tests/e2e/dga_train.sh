#!/bin/sh
# The DGA trainer's synthetic families (issue #7; tools/dga/synth.c,
# data/dga/README.md) on a small data directory this script writes: benign
# names made of syllables and two generated families. --synth N adds
# training names of five synthetic families; they change the model, the
# training stays deterministic, and no synthetic name is ever scored in an
# evaluation: the held-out counts and the per-family rows are the same with
# and without them. Prints TAP.
. "$(dirname "$0")/lib/tap.sh"
ROOT=${ROOT:-.}
TRAIN="$ROOT/${BUILD:-build}/tools/dga-train"

if [ ! -x "$TRAIN" ]; then
    nok "dga-train is built" "$TRAIN missing (make test builds it)"
    done_testing
    exit 0
fi
D="$T/data"
mkdir -p "$D/top-domains" "$D/dns-dga/andrewaeva"
# Benign: two or three of 40 English-ish words, under a few TLDs. Generated:
# "lettr", 9-14 random letters; "digitmix", letters and digits. An LCG keeps it
# the same on every machine.
awk 'BEGIN {
    split("shop news home mail cloud data book travel music game photo video " \
          "market bank health sport food city auto school media blog best " \
          "green blue smart open fast world daily my star net web app store " \
          "hub land life tech", w, " ");
    split("com net org io de", t, " ");
    s = 12345;
    for (i = 0; i < 3000; i++) {
        name = "";
        k = 2 + i % 2;
        for (j = 0; j < k; j++) { s = (s * 1103515245 + 12345) % 2147483648; name = name w[1 + int(s / 65536) % 40] }
        print name "." t[1 + i % 5];
    }
}' >"$D/top-domains/top-100000-domains"
# n names of min to min+span-1 characters of set, under tld; seeded LCG.
names() { # seed set min span tld
    awk -v s="$1" -v set="$2" -v min="$3" -v span="$4" -v tld="$5" 'BEGIN {
        for (i = 0; i < 1500; i++) {
            s = (s * 1103515245 + 12345) % 2147483648; len = min + int(s / 65536) % span; name = "";
            for (j = 0; j < len; j++) { s = (s * 1103515245 + 12345) % 2147483648; name = name substr(set, 1 + int(s / 65536) % length(set), 1) }
            print name "." tld;
        }
    }'
}
names 777 abcdefghijklmnopqrstuvwxyz 9 6 ru | gzip >"$D/dns-dga/andrewaeva/tinba.txt.gz"
names 4242 abcdefghijklmnopqrstuvwxyz0123456789 10 8 net | gzip >"$D/dns-dga/andrewaeva/ramdo.txt.gz"

OPTS="--data $D --quiet --bits 14 --epochs 2 --folds 2 --eval family"
"$TRAIN" $OPTS --synth 300 --out "$T/s1.txt" >"$T/s1.tsv" 2>"$T/err1"
rc=$?
check "training with --synth 300 exits 0" test "$rc" = 0
"$TRAIN" $OPTS --synth 300 --out "$T/s2.txt" >"$T/s2.tsv" 2>/dev/null
check "... and is deterministic (the same model twice)" cmp -s "$T/s1.txt" "$T/s2.txt"
"$TRAIN" $OPTS --synth 0 --out "$T/s0.txt" >"$T/s0.tsv" 2>/dev/null
check "--synth 0 trains too" test "$?" = 0
check "the synthetic names change the model" sh -c "! cmp -s '$T/s0.txt' '$T/s1.txt'"

# Held-out counts (n_dga, n_benign, n_random) of every fold row, and the family rows' names
# and sizes: the same with and without synthetic names, so none was scored.
counts() { awk -F '\t' '$1 == "split" && $2 == "family" { print $3, $18, $19, $20 }' "$1"; }
fams() { awk -F '\t' '$1 == "family" { print $3, $4 }' "$1"; }
counts "$T/s0.tsv" >"$T/c0"
counts "$T/s1.tsv" >"$T/c1"
check "two folds and their mean are printed" test "$(wc -l <"$T/c1")" = 3
check "no synthetic name is held out (same held-out counts)" cmp -s "$T/c0" "$T/c1"
fams "$T/s1.tsv" >"$T/f1"
fams "$T/s0.tsv" >"$T/f0"
check "the family rows name the data's families only" \
    test "$(cut -d' ' -f1 "$T/f1" | sort | tr '\n' ' ')" = "ramdo tinba "
check "... with the same sizes as without synthetic names" cmp -s "$T/f0" "$T/f1"

# Without --op and --op-nx the rates "at op" are at the detector's two cuts (dns_dga.c:
# CM_DNS_DGA_THRESHOLD 0.95, CM_DNS_DGA_NX_THRESHOLD 0.8), what scripts/train-dga --eval
# and the README's tables report.
"$TRAIN" $OPTS --synth 300 --op 0.95 --op-nx 0.8 >"$T/op.tsv" 2>/dev/null
check "the default cuts are the detector's (0.95, 0.8)" cmp -s "$T/s1.tsv" "$T/op.tsv"
check "scripts/train-dga --eval names no other cut" \
    sh -c "! grep -q -e '--op' '$ROOT/scripts/train-dga'"

"$TRAIN" --data "$D" --synth 2>/dev/null
check "--synth without a number is a usage error (exit 2)" test "$?" = 2
"$TRAIN" --data "$D" --synth x 2>/dev/null
check "--synth x is a usage error (exit 2)" test "$?" = 2

# The experimental non-linear models (tools/dga/nn.c; data/dga/README.md, "Non-linear
# models"): evaluated like the linear one, deterministic, never written out.
for X in "--nn 4 8 12" "--nn 4 8 12 --nn-mode 1" "--nn 4 8 12 --nn-alpha 0.5" \
    "--nn 4 8 12 --nn-only" "--stack 3 4 2" "--stack 3 4 2 --st-random" \
    "--stack 3 4 2 --st-mix --st-mask 0x863"; do
    # shellcheck disable=SC2086 # one option or value per word
    "$TRAIN" $OPTS --synth 300 $X >"$T/x1.tsv" 2>/dev/null
    rc=$?
    # shellcheck disable=SC2086
    "$TRAIN" $OPTS --synth 300 $X >"$T/x2.tsv" 2>/dev/null
    counts "$T/x1.tsv" >"$T/cx"
    check "$X: evaluates the same folds (exit $rc)" sh -c "test $rc = 0 && cmp -s '$T/c1' '$T/cx'"
    check "$X: ... deterministically" cmp -s "$T/x1.tsv" "$T/x2.tsv"
    check "$X: ... and is not the linear model" sh -c "! cmp -s '$T/s1.tsv' '$T/x1.tsv'"
done
for X in "--nn 4 8 12 --out $T/nn.txt" "--stack 3 4 2 --c-out $T/nn.c" "--nn 33 8 12" \
    "--nn 4 0 12" "--nn 4 8 30" "--stack 1 4 2" "--stack 3 200 2" "--nn-only" \
    "--nn 4 8 12 --stack 3 4 2"; do
    # shellcheck disable=SC2086
    "$TRAIN" --data "$D" --quiet $X 2>/dev/null
    check "$X is a usage error (exit 2)" test "$?" = 2
done
check "... and nothing is written" sh -c "test ! -e '$T/nn.txt' && test ! -e '$T/nn.c'"
done_testing
