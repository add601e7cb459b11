#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# SigV4 of `coalmine serve` against botocore's own signer: a server with
# credentials on a free loopback port; api_sigv4_botocore.py signs a few hundred
# requests of many shapes (dot and empty path segments, an ARN encoded in the
# path, repeated and empty query keys, encoded query bytes, repeated and
# whitespace-laden headers, session tokens, bodies) with SigV4Auth, wants each
# to pass, and each one-byte change of it to be refused; a presigned URL is
# refused saying why. Skips cleanly when python3 or botocore is missing. TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/serve.sh"
. "$(dirname "$0")/lib/boto3.sh"

b3_need botocore "botocore's SigV4 against coalmine serve"
DET=c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1

b3_creds "$T/creds"
serve_start signed --db "$T/s.db" --credentials "$T/creds"
check "the signed server listens" test -n "$PORT"
b3_tap "$(dirname "$0")/api_sigv4_botocore.py" "$PORT" "$DET" "$KEY" "$SECRET"
serve_stop
check "the server exits 0" test "$SERVE_RC" = 0
done_testing
