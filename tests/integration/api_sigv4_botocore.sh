#!/bin/sh
# SigV4 of `coalmine serve` against botocore's own signer: a server with
# credentials on a free loopback port; api_sigv4_botocore.py signs a few hundred
# requests of many shapes (dot and empty path segments, an ARN encoded in the
# path, repeated and empty query keys, encoded query bytes, repeated and
# whitespace-laden headers, session tokens, bodies) with SigV4Auth, wants each
# to pass, and each one-byte change of it to be refused; a presigned URL is
# refused saying why. Skips cleanly when python3 or botocore is missing. TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"

if ! command -v python3 >/dev/null || ! python3 -c 'import botocore' 2>/dev/null; then
    skip "botocore's SigV4 against coalmine serve" "python3 or botocore not installed"
    done_testing
    exit 0
fi
KEY=AKIAI44QH8DHBEXAMPLE
SECRET=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
DET=c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1

printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$KEY" "$SECRET" >"$T/creds"
serve_start signed --db "$T/s.db" --credentials "$T/creds"
check "the signed server listens" test -n "$PORT"
python3 "$(dirname "$0")/api_sigv4_botocore.py" "$PORT" "$DET" "$KEY" "$SECRET" \
    >"$T/py.tap" 2>"$T/py.err"
rc=$?
while IFS= read -r line; do
    case $line in
    "ok "*) n=$((n + 1)); echo "ok $n ${line#ok [0-9]* }" ;;
    "not ok "*) n=$((n + 1)); echo "not ok $n ${line#not ok [0-9]* }" ;;
    *) echo "$line" ;;
    esac
done <"$T/py.tap"
if [ $rc -ne 0 ] && ! grep -q "^not ok" "$T/py.tap"; then
    nok "api_sigv4_botocore.py ran to the end" "$(tail -5 "$T/py.err")"
fi
serve_stop
check "the server exits 0" test "$SERVE_RC" = 0
done_testing
