#!/bin/sh
# tsan: coalmine serve's HTTP, bus and watch threads under a real client
# The AWS credentials chain beyond static keys (docs/s3.md "Credentials, region,
# endpoint"), with `coalmine scan s3://` against a local moto_server on 127.0.0.1
# (tests/integration/lib/moto.sh), which implements STS AssumeRole and
# AssumeRoleWithWebIdentity and hands out ASIA... keys. A logging proxy
# (tests/integration/lib/creds_server.py) in front of moto shows the access key id
# every S3 request was signed with, and what was asked of STS:
#   - role_arn + source_profile (and a chain of two roles), credential_source =
#     EcsContainer, external_id / role_session_name / duration_seconds sent to STS,
#     AWS_ENDPOINT_URL_STS used and --endpoint-url not (STS is not S3); the environment's
#     keys before a profile's role (botocore's order);
#   - web identity from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (unsigned) and from
#     the profile's web_identity_token_file;
#   - credential_process: botocore's argument splitting, no shell, stderr passed through;
#   - the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI on 127.0.0.1, with
#     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE);
#   - credentials about to expire fetched again during a scan;
#   - IAM Identity Center: the token `aws sso login` cached (~/.aws/sso/cache/SHA1.json, of
#     the sso_session's name or the legacy sso_start_url) sent to the portal
#     (AWS_ENDPOINT_URL_SSO) for the account and role;
#   - the errors: a source_profile loop, mfa_serial, sso_* without a valid cached token, a bad duration, a missing
#     token file, a failing / silent / slow / wrong-version process, a container URL
#     not allowed, a container endpoint failing, STS's AccessDenied (its message), and
#     no secret in any message.
# Skips cleanly without python3, the aws CLI or moto_server. Prints TAP.
. "$(dirname "$0")/../e2e/lib/tap.sh"
. "$(dirname "$0")/lib/moto.sh"

PIDS=
cleanup() {
    moto_stop
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    [ -n "$KEEP_T" ] || rm -rf "$T"
}
moto_up "the AWS credentials chain against moto_server" aws
SRV="$(dirname "$0")/lib/creds_server.py"

# serve NAME MODE [ARG]: a creds_server.py logging to $T/NAME.log; sets SERVED (its URL)
serve() {
    "$PY" "$SRV" "$T/$1.port" "$T/$1.log" "$2" "$3" 2>"$T/$1.err" &
    PIDS="$PIDS $!"
    wait_until test -s "$T/$1.port"
    SERVED="http://127.0.0.1:$(cat "$T/$1.port" 2>/dev/null)"
}
serve proxy proxy "$EP"
proxy_EP=$SERVED
serve deny sts-deny
deny_EP=$SERVED
serve box container "$T/box-creds.json"
box_EP=$SERVED
serve sso sso sso-access-token-7
sso_EP=$SERVED

G="$T/g"
"$COALMINE" gen --out "$G" --hours 1 --seed 7 --scenario all >/dev/null 2>"$T/gen.err"
ARGS="--no-default-intel $(cat "$G/intel/args.txt")"
aws_at "$EP" s3 mb s3://trail >/dev/null 2>"$T/mb.err" &&
    aws_at "$EP" s3 cp --recursive --only-show-errors "$G/AWSLogs" s3://trail/AWSLogs 2>"$T/cp.err"
check "the seed-7 world in a bucket on moto_server" test $? -eq 0
# shellcheck disable=SC2086 # ARGS holds options and values
"$COALMINE" scan $ARGS --threads 1 --format json "$G/AWSLogs" >"$T/local.json" 2>"$T/local.err"
NF=$(wc -l <"$T/local.json")

BASE_SECRET=SEKRETbase0123456789
cat >"$T/credentials" <<EOC
[base]
aws_access_key_id = AKIABASE0000EXAMPLE
aws_secret_access_key = $BASE_SECRET

[selfish]
aws_access_key_id = AKIASELF0000EXAMPLE
aws_secret_access_key = $BASE_SECRET
role_arn = arn:aws:iam::123456789012:role/self
source_profile = selfish
EOC
cat >"$T/config" <<EOC
[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
external_id = ext-4711
role_session_name = hcreds-dev
duration_seconds = 1800

[profile chain]
role_arn = arn:aws:iam::123456789012:role/second
source_profile = dev

[profile fromenv]
role_arn = arn:aws:iam::123456789012:role/fromenv
credential_source = Environment

[profile fromecs]
role_arn = arn:aws:iam::123456789012:role/fromecs
credential_source = EcsContainer

[profile loopa]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = loopb

[profile loopb]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = loopa

[profile mfa]
role_arn = arn:aws:iam::123456789012:role/mfa
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/me

[profile baddur]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
duration_seconds = 60

[profile both]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
credential_source = Environment

[profile webid]
role_arn = arn:aws:iam::123456789012:role/web
web_identity_token_file = $T/token.jwt

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Reader

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access

[profile ssolegacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-west-2
sso_account_id = 210987654321
sso_role_name = Reader

[profile ssonosession]
sso_session = nope
sso_account_id = 123456789012
sso_role_name = Reader

[profile proc]
credential_process = "$T/cred proc.sh" 'two words' "q\\"uote" back\\ slash

[profile procfail]
credential_process = $T/fail.sh

[profile procbadver]
credential_process = $T/badver.sh

[profile procslow]
credential_process = $T/slow.sh

[profile procmissing]
credential_process = $T/not-there

[profile procquote]
credential_process = $T/fail.sh "unclosed

[profile procexp]
credential_process = $T/expiring.sh
EOC
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2lnbmF0dXJl\n' >"$T/token.jwt"

# cm ENV... -- ARGS...: coalmine with nothing of the user's, the files above, STS at the
# proxy, S3 through the proxy too
cm() {
    _env=
    while [ "$1" != "--" ]; do _env="$_env $1"; shift; done
    shift
    # shellcheck disable=SC2086 # _env holds assignments
    env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
        -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 -u AWS_WEB_IDENTITY_TOKEN_FILE \
        -u AWS_ROLE_ARN -u AWS_ROLE_SESSION_NAME -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
        -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_AUTHORIZATION_TOKEN \
        -u AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE -u AWS_STS_REGIONAL_ENDPOINTS \
        AWS_REGION=us-east-1 AWS_CONFIG_FILE="$T/config" \
        AWS_SHARED_CREDENTIALS_FILE="$T/credentials" AWS_EC2_METADATA_DISABLED=true \
        AWS_ENDPOINT_URL_STS="$proxy_EP" $_env "$COALMINE" "$@"
}
# scan_as NAME ENV...: scans s3://trail through the proxy; $T/NAME.{json,err,rc}, and the
# proxy's log lines for it in $T/NAME.req
scan_as() {
    _name=$1
    shift
    : >"$T/proxy.log"
    # shellcheck disable=SC2086 # ARGS holds options and values
    cm "$@" -- scan $ARGS --threads 2 --format json --endpoint-url "$proxy_EP" \
        s3://trail/AWSLogs >"$T/$_name.json" 2>"$T/$_name.err"
    echo $? >"$T/$_name.rc"
    cp "$T/proxy.log" "$T/$_name.req"
}
rc_of() { cat "$T/$1.rc"; }
# s3_keys NAME: the distinct key ids the S3 requests were signed with
s3_keys() { grep -v '^POST / ' "$T/$1.req" | awk '{print $3}' | sort -u | tr '\n' ' '; }
same_findings() { sed "s#s3://trail/#$G/#g" "$T/$1.json" | cmp -s - "$T/local.json"; }
no_secret() { ! grep -q "$BASE_SECRET" "$T/$1.err"; }
# expect_error NAME PATTERN DESCRIPTION
expect_error() {
    if [ "$(rc_of "$1")" -ne 0 ] && grep -q -- "$2" "$T/$1.err" && no_secret "$1"; then
        ok "$3: exits $(rc_of "$1"), says '$2'"
    else
        nok "$3: exits non-zero and says '$2'" "rc $(rc_of "$1")" "$(tail -n 3 "$T/$1.err")"
    fi
}

# --- assume role --------------------------------------------------------------------------
scan_as dev AWS_PROFILE=dev
keys=$(s3_keys dev)
if [ "$(rc_of dev)" -eq 0 ] && same_findings dev; then
    ok "role_arn + source_profile: scan s3:// gives the local scan's $NF findings"
else
    nok "role_arn + source_profile: scan s3:// gives the local findings" "rc $(rc_of dev)" \
        "$(tail -n 3 "$T/dev.err")"
fi
case $keys in
ASIA*) if [ "$(echo "$keys" | wc -w)" -eq 1 ]; then
    ok "every S3 request signed with the assumed key ($keys)"
else
    nok "every S3 request signed with the assumed key" "$keys"
fi ;;
*) nok "every S3 request signed with the assumed key" "key ids: $keys" ;;
esac
if grep -q "^POST / AKIABASE0000EXAMPLE Action=AssumeRole RoleArn=arn:aws:iam::123456789012:role/dev RoleSessionName=hcreds-dev ExternalId=ext-4711 DurationSeconds=1800$" "$T/dev.req"; then
    ok "AssumeRole signed with the source profile's key, with external_id, role_session_name, duration_seconds"
else
    nok "AssumeRole as configured" "$(grep '^POST' "$T/dev.req")"
fi
check "the scan names the provider" grep -q "credentials from role arn:aws:iam::123456789012:role/dev assumed (profile dev) with .*credentials, profile base" "$T/dev.err"

# --endpoint-url is S3's only: STS goes to AWS_ENDPOINT_URL_STS, not through it
: >"$T/proxy.log"
# shellcheck disable=SC2086
cm AWS_PROFILE=dev AWS_ENDPOINT_URL_STS="$EP" -- scan $ARGS --format json \
    --endpoint-url "$proxy_EP" s3://trail/AWSLogs >"$T/direct.json" 2>"$T/direct.err"
rc=$?
if [ $rc -eq 0 ] && ! grep -q '^POST / ' "$T/proxy.log" && grep -q '^GET /trail' "$T/proxy.log"; then
    ok "--endpoint-url does not redirect STS (AWS_ENDPOINT_URL_STS does)"
else
    nok "--endpoint-url does not redirect STS" "rc $rc" "$(grep '^POST' "$T/proxy.log")"
fi

scan_as chain AWS_PROFILE=chain
n_sts=$(grep -c '^POST / .*Action=AssumeRole ' "$T/chain.req")
second_key=$(grep 'role/second' "$T/chain.req" | awk '{print $3}')
case "$(rc_of chain):$n_sts:$second_key:$(s3_keys chain)" in
0:2:ASIA*:ASIA*) ok "a chain of two roles: the second AssumeRole signed with the first's key ($second_key)" ;;
*) nok "a chain of two roles" "rc $(rc_of chain) sts $n_sts second $second_key" "$(tail -n 2 "$T/chain.err")" ;;
esac

scan_as fromenv AWS_PROFILE=fromenv AWS_ACCESS_KEY_ID=AKIAENVKEY000EXAMPLE \
    AWS_SECRET_ACCESS_KEY="$BASE_SECRET"
# with AWS_ACCESS_KEY_ID set the environment's keys win (botocore's order)
check "keys in the environment come before the profile's role (botocore's order)" \
    test "$(rc_of fromenv):$(s3_keys fromenv)" = "0:AKIAENVKEY000EXAMPLE "
: >"$T/proxy.log"

# --- web identity -------------------------------------------------------------------------
scan_as webenv AWS_WEB_IDENTITY_TOKEN_FILE="$T/token.jwt" \
    AWS_ROLE_ARN=arn:aws:iam::123456789012:role/pod AWS_ROLE_SESSION_NAME=pod-7
if [ "$(rc_of webenv)" -eq 0 ] && same_findings webenv &&
    grep -q "^POST / - Action=AssumeRoleWithWebIdentity RoleArn=arn:aws:iam::123456789012:role/pod RoleSessionName=pod-7 WebIdentityToken=sent$" "$T/webenv.req"; then
    ok "AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN: AssumeRoleWithWebIdentity, unsigned; the findings as local"
else
    nok "AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN" "rc $(rc_of webenv)" "$(grep '^POST' "$T/webenv.req")" "$(tail -n 2 "$T/webenv.err")"
fi
case $(s3_keys webenv) in
ASIA*) ok "web identity: S3 signed with the assumed key" ;;
*) nok "web identity: S3 signed with the assumed key" "$(s3_keys webenv)" ;;
esac
scan_as webprof AWS_PROFILE=webid
check "the profile's web_identity_token_file and role_arn" \
    grep -q "^POST / - Action=AssumeRoleWithWebIdentity RoleArn=arn:aws:iam::123456789012:role/web" "$T/webprof.req"
check "... scan exits 0 and names it" grep -q "web identity token in $T/token.jwt" "$T/webprof.err"
scan_as webmissing AWS_WEB_IDENTITY_TOKEN_FILE="$T/nope.jwt" AWS_ROLE_ARN=arn:aws:iam::123456789012:role/pod
expect_error webmissing "web identity token file $T/nope.jwt: No such file" "a missing token file"
scan_as webnorole AWS_WEB_IDENTITY_TOKEN_FILE="$T/token.jwt"
expect_error webnorole "no role ARN" "a token file without AWS_ROLE_ARN"

# --- credential_process ---------------------------------------------------------------------
cat >"$T/cred proc.sh" <<EOC
#!/bin/sh
for a in "\$@"; do printf '[%s]\n' "\$a"; done >"$T/proc.args"
echo "proc: fetching credentials" >&2
printf '{"Version": 1, "AccessKeyId": "AKIAPROC0000EXAMPLE", "SecretAccessKey": "$BASE_SECRET"}\n'
EOC
printf '#!/bin/sh\necho "vault: permission denied" >&2\nexit 3\n' >"$T/fail.sh"
printf '#!/bin/sh\necho %s\n' "'{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\"}'" >"$T/badver.sh"
printf '#!/bin/sh\nsleep 30\n' >"$T/slow.sh"
chmod +x "$T/cred proc.sh" "$T/fail.sh" "$T/badver.sh" "$T/slow.sh"
scan_as proc AWS_PROFILE=proc
if [ "$(rc_of proc)" -eq 0 ] && same_findings proc && [ "$(s3_keys proc)" = "AKIAPROC0000EXAMPLE " ]; then
    ok "credential_process: its key signs the S3 requests; the findings as local"
else
    nok "credential_process" "rc $(rc_of proc) keys $(s3_keys proc)" "$(tail -n 3 "$T/proc.err")"
fi
check "... split as botocore does, run without a shell" \
    test "$(tr '\n' ' ' <"$T/proc.args")" = '[two words] [q"uote] [back slash] '
check "... its stderr passed through" grep -q "^proc: fetching credentials" "$T/proc.err"
check "... the scan names it" grep -q "credentials from credential_process of profile proc" "$T/proc.err"
scan_as procfail AWS_PROFILE=procfail
expect_error procfail "fail.sh exited with 3" "a process that fails"
check "... its stderr shown" grep -q "vault: permission denied" "$T/procfail.err"
scan_as procbadver AWS_PROFILE=procbadver
expect_error procbadver "Version is not 1" "a process answering Version 2"
scan_as procslow AWS_PROFILE=procslow COALMINE_CREDENTIAL_PROCESS_TIMEOUT=1
expect_error procslow "did not finish within 1 s" "a process that hangs (killed at the timeout)"
scan_as procmissing AWS_PROFILE=procmissing
expect_error procmissing "cannot run $T/not-there: No such file" "a process that is not there"
scan_as procquote AWS_PROFILE=procquote
expect_error procquote "no closing quotation" "an unclosed quote in credential_process"

# --- refresh --------------------------------------------------------------------------------
# Credentials good for 2 more minutes (inside the 5-minute refresh window): fetched again
# before the requests that follow; each run hands out a new key.
cat >"$T/expiring.sh" <<EOC
#!/bin/sh
n=\$(( \$(cat "$T/exp.count" 2>/dev/null || echo 0) + 1 ))
echo \$n >"$T/exp.count"
exp=\$(date -u -d @\$(( \$(date +%s) + 120 )) +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "AKIAEXP%04dEXAMPLE", "SecretAccessKey": "x", "SessionToken": "t%d", "Expiration": "%s"}\n' \$n \$n "\$exp"
EOC
chmod +x "$T/expiring.sh"
scan_as procexp AWS_PROFILE=procexp
runs=$(cat "$T/exp.count" 2>/dev/null || echo 0)
nkeys=$(s3_keys procexp | wc -w)
if [ "$(rc_of procexp)" -eq 0 ] && [ "$runs" -ge 2 ] && [ "$nkeys" -ge 2 ] && same_findings procexp; then
    ok "credentials about to expire: fetched again during the scan ($runs runs, $nkeys keys signed S3 requests)"
else
    nok "credentials about to expire are fetched again" "rc $(rc_of procexp) runs $runs keys $nkeys"
fi

# --- the container endpoint ---------------------------------------------------------------
printf '{"AccessKeyId": "ASIABOX0000EXAMPLE", "SecretAccessKey": "%s", "Token": "boxtoken", "Expiration": "2099-01-01T00:00:00Z"}' "$BASE_SECRET" >"$T/box-creds.json"
printf 'Bearer-pod-identity-7\n' >"$T/box.token"
scan_as box AWS_CONTAINER_CREDENTIALS_FULL_URI="$box_EP/v1/credentials" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/box.token" AWS_CONTAINER_AUTHORIZATION_TOKEN=not-this
if [ "$(rc_of box)" -eq 0 ] && same_findings box && [ "$(s3_keys box)" = "ASIABOX0000EXAMPLE " ]; then
    ok "AWS_CONTAINER_CREDENTIALS_FULL_URI on 127.0.0.1: its key signs the S3 requests"
else
    nok "the container endpoint" "rc $(rc_of box) keys $(s3_keys box)" "$(tail -n 3 "$T/box.err")"
fi
check "... GET with the token file's Authorization (before AWS_CONTAINER_AUTHORIZATION_TOKEN)" \
    grep -q "^GET /v1/credentials Bearer-pod-identity-7$" "$T/box.log"
check "... the scan names it" grep -q "container credentials endpoint $box_EP/v1/credentials" "$T/box.err"
scan_as fromecs AWS_PROFILE=fromecs AWS_CONTAINER_CREDENTIALS_FULL_URI="$box_EP/v1/credentials"
case "$(rc_of fromecs):$(s3_keys fromecs)" in
0:ASIA*) check "credential_source = EcsContainer: AssumeRole signed with the container's key" \
    grep -q "^POST / ASIABOX0000EXAMPLE Action=AssumeRole RoleArn=arn:aws:iam::123456789012:role/fromecs" "$T/fromecs.req" ;;
*) nok "credential_source = EcsContainer" "rc $(rc_of fromecs) keys $(s3_keys fromecs)" "$(tail -n 2 "$T/fromecs.err")" ;;
esac
scan_as boxhost AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.10/creds
expect_error boxhost "not https, and not a loopback address" "a FULL_URI to another host over http"
mv "$T/box-creds.json" "$T/box-creds.json.off"
scan_as boxdown AWS_CONTAINER_CREDENTIALS_FULL_URI="$box_EP/v1/credentials"
expect_error boxdown "container credentials at $box_EP/v1/credentials: HTTP 500" "a container endpoint answering 500"

# --- the other errors ----------------------------------------------------------------------
scan_as loop AWS_PROFILE=loopa
expect_error loop "infinite loop in the source_profile chain: loopa -> loopb -> loopa" "a source_profile loop"
scan_as selfish AWS_PROFILE=selfish
case "$(rc_of selfish):$(s3_keys selfish)" in
0:ASIA*) check "a profile that is its own source_profile uses its own keys for AssumeRole" \
    grep -q "^POST / AKIASELF0000EXAMPLE Action=AssumeRole RoleArn=arn:aws:iam::123456789012:role/self" "$T/selfish.req" ;;
*) nok "a profile that is its own source_profile" "rc $(rc_of selfish)" "$(tail -n 2 "$T/selfish.err")" ;;
esac
scan_as mfa AWS_PROFILE=mfa
expect_error mfa "not supported non-interactively" "mfa_serial"
# --- IAM Identity Center ---------------------------------------------------------------------
H="$T/home"
mkdir -p "$H/.aws/sso/cache"
sha() { printf '%s' "$1" | "$PY" -c 'import hashlib, sys; print(hashlib.sha1(sys.stdin.buffer.read()).hexdigest())'; }
future=$(date -u -d "@$(($(date +%s) + 3600))" +%Y-%m-%dT%H:%M:%SZ)
printf '{"startUrl": "https://corp.awsapps.com/start", "region": "eu-central-1", "accessToken": "sso-access-token-7", "expiresAt": "%s"}' "$future" >"$H/.aws/sso/cache/$(sha corp).json"
printf '{"startUrl": "https://legacy.awsapps.com/start", "region": "us-west-2", "accessToken": "sso-access-token-7", "expiresAt": "%s"}' "$(echo "$future" | sed 's/Z$/UTC/')" >"$H/.aws/sso/cache/$(sha https://legacy.awsapps.com/start).json"
scan_as sso AWS_PROFILE=sso HOME="$H" AWS_ENDPOINT_URL_SSO="$sso_EP"
if [ "$(rc_of sso)" -eq 0 ] && same_findings sso && [ "$(s3_keys sso)" = "ASIASSO9012 " ] &&
    grep -q "^GET /federation/credentials?account_id=123456789012&role_name=Reader ok$" "$T/sso.log"; then
    ok "sso_session: the cached token (SHA-1 of the session's name) gets the role's credentials; S3 signed with them"
else
    nok "sso_session" "rc $(rc_of sso) keys $(s3_keys sso)" "$(tail -n 2 "$T/sso.err")" "$(cat "$T/sso.log")"
fi
check "... the scan names it" grep -q "credentials from IAM Identity Center (profile sso, account 123456789012, role Reader)" "$T/sso.err"
scan_as ssolegacy AWS_PROFILE=ssolegacy HOME="$H" AWS_ENDPOINT_URL_SSO="$sso_EP"
check "a legacy sso_start_url profile: the cache named by the URL's SHA-1 (an expiresAt in UTC)" \
    test "$(rc_of ssolegacy):$(s3_keys ssolegacy)" = "0:ASIASSO4321 "
printf '{"accessToken": "sso-access-token-7", "expiresAt": "2020-01-01T00:00:00Z"}' >"$H/.aws/sso/cache/$(sha corp).json"
scan_as ssoexpired AWS_PROFILE=sso HOME="$H" AWS_ENDPOINT_URL_SSO="$sso_EP"
expect_error ssoexpired "token has expired; run \`aws sso login --profile sso\` first" "an expired IAM Identity Center token"
printf '{"accessToken": "revoked", "expiresAt": "%s"}' "$future" >"$H/.aws/sso/cache/$(sha corp).json"
scan_as ssorevoked AWS_PROFILE=sso HOME="$H" AWS_ENDPOINT_URL_SSO="$sso_EP"
expect_error ssorevoked "GetRoleCredentials for account 123456789012, role Reader: HTTP 401" "a token the portal refuses"
rm -f "$H/.aws/sso/cache/$(sha corp).json"
scan_as ssonocache AWS_PROFILE=sso HOME="$H" AWS_ENDPOINT_URL_SSO="$sso_EP"
expect_error ssonocache "no cached token" "no cached token"
scan_as ssonosession AWS_PROFILE=ssonosession HOME="$H" AWS_ENDPOINT_URL_SSO="$sso_EP"
expect_error ssonosession "no \[sso-session nope\]" "an sso_session with no section"
scan_as baddur AWS_PROFILE=baddur
expect_error baddur "duration_seconds '60' is not a number of seconds from 900 to 43200" "a duration_seconds out of range"
scan_as both AWS_PROFILE=both
expect_error both "both source_profile and credential_source" "source_profile and credential_source together"
scan_as denied AWS_PROFILE=dev AWS_ENDPOINT_URL_STS="$deny_EP"
expect_error denied "AccessDenied: User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole (HTTP 403)" "STS's AccessDenied, with its message"
check "... no request reached S3" test ! -s "$T/denied.req"
done_testing
