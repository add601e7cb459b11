# Helpers for tests that run the real aws CLI against a server on 127.0.0.1.
# Sourced by tests/integration/*.sh.

# aws_at ENDPOINT ARGS...: the aws CLI against ENDPOINT only, with dummy credentials and
# nothing of the user's (profile, config, credentials file, instance metadata, pager).
aws_at() {
    _ep=$1
    shift
    env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER= \
        AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=3 \
        aws --endpoint-url "$_ep" --region us-east-1 --output json "$@"
}
