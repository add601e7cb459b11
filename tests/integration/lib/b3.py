"""boto3 against a local endpoint for the integration tests (lib/boto3.sh puts this
directory on PYTHONPATH): one way to build a client and to print TAP checks.
"""
import subprocess
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

n = 0
failed = 0


def check(name, cond, detail=""):
    """A TAP line without the plan (the wrapper numbers them and prints it)."""
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s" % (n, name))
        if detail:
            print("# " + str(detail)[:500].replace("\n", "\n# "))


def done():
    sys.exit(1 if failed else 0)


def client(service, endpoint, key="testing", secret="testing", config=None):
    """A client of service at endpoint (us-east-1); config: botocore Config's arguments."""
    kw = {"config": Config(**config)} if config is not None else {}
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint,
                        aws_access_key_id=key, aws_secret_access_key=secret, **kw)


def one_try(service, endpoint, key, secret):
    """A client that does not retry: a refusal is seen as it is."""
    return client(service, endpoint, key, secret, {"retries": {"max_attempts": 1}})


def runner(coalmine):
    """cli(*args): coalmine's stdout (a failure raises)."""
    def cli(*args):
        out = subprocess.run([coalmine] + list(args), check=True, capture_output=True, text=True)
        return out.stdout
    return cli


def error_of(fn, **kw):
    """(code, message, HTTP status) of the ClientError fn(**kw) raises, or three None."""
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"], \
            e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, None, None
