#!/usr/bin/env python3
"""A realistic benign S3 estate as CloudTrail S3 data events (fp_s3.sh).

Writes AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz, one file per account,
region and 5 minutes, over --days days from --start (default 3 days from
2026-01-01). What happens every day is the baseline; what is new on the last day is
what a real estate does now and then (a new bucket in a sync job, a weekly cleanup, a
transient EMR cluster, a console exploration, a new download bucket...).

Standard library only. Deterministic for a --seed.
"""
import argparse
import datetime as dt
import gzip
import json
import os
import random
import uuid

PROD = "210987654321"  # data and applications
LOGS = "345678901234"  # log archive
NETWORK = "567890123456"  # the organisation's network account (shared endpoints)
PARTNER = "456789012345"  # the partner the bucket policy allows
ELB_ACCOUNT = "127311923021"  # Elastic Load Balancing's log writer, us-east-1
REGION = "us-east-1"

CLI = ("aws-cli/2.15.17 Python/3.11.6 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22 "
       "prompt/off command/s3.sync")
CLI_CP = ("aws-cli/2.15.17 Python/3.11.6 Darwin/23.2.0 exe/x86_64 prompt/off "
          "command/s3.cp")
RCLONE = "rclone/v1.65.0"
BOTO = "Boto3/1.34.20 md/Botocore#1.34.20 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 " \
       "md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.20"
JAVA = "aws-sdk-java/1.12.620 Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS " \
       "java/17.0.9 vendor/Amazon.com_Inc. cfg/retry-mode/standard"
EMRFS = "aws-sdk-java/1.12.569 Linux/5.10.205 OpenJDK_64-Bit_Server_VM/17.0.9+9-LTS " \
        "java/17.0.9 scala/2.12.17 vendor/Amazon.com_Inc. exec-env/AWS_EMR EMRFS/2.60.0"
JS_LAMBDA = "aws-sdk-js/3.496.0 ua/2.0 os/linux#5.10.214-223.823.amzn2.x86_64 lang/js " \
            "md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x api/s3#3.496.0"
CONSOLE = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.592 Linux/5.10.205 " \
          "OpenJDK_64-Bit_Server_VM/25.392-b08 java/1.8.0_392 vendor/Oracle_Corporation " \
          "cfg/retry-mode/standard]"
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "curl/8.4.0", "Wget/1.21.4", "python-requests/2.31.0",
]

APPS = ["okhttp/4.12.0", "Dart/3.2 (dart:io)", "python-requests/2.31.0", "curl/8.4.0",
        "ClaimsApp/5.2.1 CFNetwork/1485 Darwin/23.1.0"]

# Public-looking addresses outside AWS's ranges for the internet's readers (first
# octets of large ISP allocations; the /24 below them random).
ISP_FIRST = [24, 31, 37, 46, 62, 71, 73, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88,
             89, 90, 91, 92, 93, 94, 95, 98, 109, 112, 115, 116, 121, 124, 146, 151, 171,
             176, 177, 178, 179, 180, 181, 182, 183, 186, 187, 188, 189, 190, 191, 200, 201]
ONPREM = "198.51.100.20"  # the datacentre's NAT
ONPREM2 = "198.51.100.21"
OFFICE = "203.0.113.40"
HOME = "192.0.2.77"  # the engineer's home, on the last day


def role_uid(account, role, session, key, path="", created=None):
    return {
        "type": "AssumedRole",
        "principalId": "AROA%s:%s" % (("%012d" % (abs(hash_s(role)) % 10**12)).upper(), session),
        "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role, session),
        "accountId": account,
        "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROA%012d" % (abs(hash_s(role)) % 10**12),
                "arn": "arn:aws:iam::%s:role/%s%s" % (account, path, role),
                "accountId": account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": created or "2026-01-01T00:00:00Z",
                           "mfaAuthenticated": "false"},
        },
    }


def user_uid(account, user, key):
    return {"type": "IAMUser", "principalId": "AIDA%016d" % (abs(hash_s(user)) % 10**16),
            "arn": "arn:aws:iam::%s:user/%s" % (account, user), "accountId": account,
            "accessKeyId": key, "userName": user}


def service_uid(service):
    return {"type": "AWSService", "invokedBy": service}


def hash_s(s):
    h = 2166136261
    for c in s.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h


class Trail:
    def __init__(self, out, rng):
        self.out = out
        self.rng = rng
        self.files = {}
        self.vpce_account = {}

    def add(self, t, account, uid, name, bucket, ip, ua, key=None, error=None, read=True,
            invoked=None, auth="AuthHeader", extra=None, vpce=None, owner=None):
        rq = {"bucketName": bucket, "Host": "%s.s3.%s.amazonaws.com" % (bucket, REGION)}
        if key is not None:
            rq["key"] = key
        if extra:
            rq.update(extra)
        u = dict(uid)
        if invoked:
            u["invokedBy"] = invoked
        owner = owner or account
        rec = {
            "eventVersion": "1.10",
            "userIdentity": u,
            "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "s3.amazonaws.com",
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip,
            "userAgent": ua,
            "requestParameters": rq,
            "responseElements": None,
            "additionalEventData": {
                "SignatureVersion": "SigV4",
                "CipherSuite": "TLS_AES_128_GCM_SHA256",
                "bytesTransferredIn": 0,
                "AuthenticationMethod": auth,
                "x-amz-id-2": "%016x" % self.rng.getrandbits(64),
                "bytesTransferredOut": self.rng.randint(200, 5000000) if read else 0,
            },
            "requestID": "%016X" % self.rng.getrandbits(64),
            "eventID": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "readOnly": read,
            "resources": [{"type": "AWS::S3::Object",
                           "ARN": "arn:aws:s3:::%s/%s" % (bucket, key or "")},
                          {"accountId": owner, "type": "AWS::S3::Bucket",
                           "ARN": "arn:aws:s3:::%s" % bucket}],
            "eventType": "AwsApiCall",
            "managementEvent": False,
            "recipientAccountId": account,
            "eventCategory": "Data",
            "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": rq["Host"]},
        }
        if key is None:
            rec["resources"] = rec["resources"][1:]
        if error:
            rec["errorCode"] = error
            rec["errorMessage"] = "Access Denied"
        if vpce:
            rec["vpcEndpointId"] = vpce
            rec["vpcEndpointAccountId"] = self.vpce_account.get(vpce, account)
        if account != u.get("accountId", account) and u.get("type") != "AWSService":
            rec["sharedEventID"] = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        slot = t.replace(minute=t.minute - t.minute % 5, second=0, microsecond=0)
        self.files.setdefault((account, slot), []).append(rec)

    def mgmt(self, t, account, uid, name, ip, ua, rq, error=None):
        rec = {
            "eventVersion": "1.09", "userIdentity": uid,
            "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": "s3.amazonaws.com",
            "eventName": name, "awsRegion": REGION, "sourceIPAddress": ip, "userAgent": ua,
            "requestParameters": rq, "responseElements": None,
            "requestID": "%016X" % self.rng.getrandbits(64),
            "eventID": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": account, "eventCategory": "Management",
        }
        if error:
            rec["errorCode"] = error
            rec["errorMessage"] = "Access Denied"
        slot = t.replace(minute=t.minute - t.minute % 5, second=0, microsecond=0)
        self.files.setdefault((account, slot), []).append(rec)

    def write(self):
        n = 0
        for (account, slot), recs in sorted(self.files.items()):
            recs.sort(key=lambda r: r["eventTime"])
            d = os.path.join(self.out, "AWSLogs", account, "CloudTrail", REGION,
                             slot.strftime("%Y"), slot.strftime("%m"), slot.strftime("%d"))
            os.makedirs(d, exist_ok=True)
            name = "%s_CloudTrail_%s_%s_%08x.json.gz" % (
                account, REGION, slot.strftime("%Y%m%dT%H%MZ"), self.rng.getrandbits(32))
            with gzip.open(os.path.join(d, name), "wt", compresslevel=1) as f:
                json.dump({"Records": recs}, f, separators=(",", ":"))
            n += len(recs)
        return n


def spread(rng, start, seconds, n):
    """n times in [start, start+seconds), sorted."""
    return sorted(start + dt.timedelta(seconds=rng.uniform(0, seconds)) for _ in range(n))


def public_ip(rng):
    return "%d.%d.%d.%d" % (rng.choice(ISP_FIRST), rng.randint(0, 255), rng.randint(0, 255),
                            rng.randint(1, 254))


def lambda_ip(rng):
    """us-east-1 EC2 addresses Lambda's NAT uses (in the published AMAZON/EC2 ranges)."""
    a, b = rng.choice([(3, 80), (3, 81), (18, 204), (18, 206), (34, 200), (34, 201), (44, 192),
                       (44, 193), (52, 3), (54, 80)])
    return "%d.%d.%d.%d" % (a, b, rng.randint(0, 255), rng.randint(1, 254))


def day_of(tr, rng, day, last, a):
    d0 = day
    # 1. nightly backup of the data bucket with aws s3 sync from the datacentre: a full
    #    read on the last night (a weekly full backup), an incremental one before; on the
    #    last night a bucket added to the job.
    bk = role_uid(PROD, "onprem-backup-sync", "backup-%s" % d0.strftime("%Y%m%d"),
                  "ASIA%016X" % rng.getrandbits(64))
    n = a.backup_objects if last else a.backup_objects // 30
    buckets = ["acme-prod-data"] + (["acme-prod-reports"] if last else [])
    for b in buckets:
        t0 = d0 + dt.timedelta(hours=2)
        for i in range(0, n, 1000):
            tr.add(t0 + dt.timedelta(seconds=i // 200), PROD, bk, "ListObjectsV2", b, ONPREM,
                   CLI, extra={"list-type": "2", "prefix": ""})
        for i, t in enumerate(spread(rng, t0, 3 * 3600, n)):
            tr.add(t, PROD, bk, "GetObject", b, ONPREM, CLI, key="data/part-%07d.parquet" % i)
    # rclone mirror by an IAM user, another NAT address of the datacentre; rclone
    # upgraded on the last day.
    rc = user_uid(PROD, "svc-rclone", "AKIA%016X" % 0x5EC0C10E0001)
    rua = "rclone/v1.66.0" if last else RCLONE
    for b in ["acme-media-archive"] + (["acme-design-assets"] if last else []):
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=3), 1800, 400)):
            tr.add(t, PROD, rc, "GetObject" if i % 4 else "HeadObject", b, ONPREM2, rua,
                   key="media/%05d.mp4" % i)
    # 2. AWS services on the buckets
    for i, t in enumerate(spread(rng, d0, 86400, 288)):
        tr.add(t, LOGS, service_uid("cloudtrail.amazonaws.com"), "PutObject", "acme-org-trail",
               "cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com", read=False,
               key="AWSLogs/%s/CloudTrail/%s/x%05d.json.gz" % (PROD, REGION, i))
    for i, t in enumerate(spread(rng, d0, 86400, 288)):
        tr.add(t, LOGS, service_uid("delivery.logs.amazonaws.com"), "PutObject", "acme-vpc-flow",
               "delivery.logs.amazonaws.com", "aws-internal/3", read=False,
               key="AWSLogs/%s/vpcflowlogs/%s/f%05d.log.gz" % (PROD, REGION, i))
    elb = {"type": "AWSAccount", "principalId": "AIDAJ5OBRTQV3WUS6SDVA",
           "accountId": ELB_ACCOUNT}
    for i, t in enumerate(spread(rng, d0, 86400, 288)):
        tr.add(t, LOGS, elb, "PutObject", "acme-alb-logs", "54.239.%d.%d" % (
            rng.randint(0, 127), rng.randint(1, 254)), "aws-internal/3", read=False,
            key="AWSLogs/%s/elasticloadbalancing/%s/a%05d.log.gz" % (PROD, REGION, i))
    # replication with the replication role, S3 acting
    rep = role_uid(PROD, "s3-crr-role", "s3replication", "ASIA%016X" % rng.getrandbits(64),
                   path="service-role/")
    for i, t in enumerate(spread(rng, d0, 86400, 2000)):
        name = ["GetObjectVersionForReplication", "ReplicateObject", "GetObjectVersionTagging"][i % 3]
        b = "acme-prod-data" if name != "ReplicateObject" else "acme-prod-data-dr"
        tr.add(t, PROD, rep, name, b, "s3.amazonaws.com", "s3.amazonaws.com",
               invoked="s3.amazonaws.com", key="data/part-%07d.parquet" % i)
    # lifecycle expirations, inventory and Storage Lens reports
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=1), 3600, 500)):
        tr.add(t, PROD, service_uid("s3.amazonaws.com"), "DeleteObject", "acme-pipeline-tmp",
               "s3.amazonaws.com", "S3 Lifecycle", read=False, key="tmp/%06d" % i)
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=4), 600, 20)):
        tr.add(t, LOGS, service_uid("s3.amazonaws.com"), "PutObject", "acme-s3-inventory",
               "s3.amazonaws.com", "s3.amazonaws.com", read=False,
               key="inventory/acme-prod-data/daily/data/%03d.csv.gz" % i)
    # Athena through the analyst's session; Glue crawler; Redshift Spectrum; Macie;
    # AWS Backup; CloudFront origin access control
    an = role_uid(PROD, "AWSReservedSSO_DataAnalyst_0123456789abcdef", "maria.lopez@acme.example",
                  "ASIA%016X" % rng.getrandbits(64),
                  path="aws-reserved/sso.amazonaws.com/")
    ab = ["acme-datalake-curated"] + (["acme-datalake-raw", "acme-finance-exports"] if last else [])
    for b in ab:
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=10), 6 * 3600, 600)):
            tr.add(t, PROD, an, "GetObject" if i % 5 else "ListObjectsV2", b,
                   "athena.amazonaws.com", "athena.amazonaws.com", invoked="athena.amazonaws.com",
                   key="tables/t%04d/part.parquet" % i)
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=5), 1200, 300)):
        tr.add(t, PROD, role_uid(PROD, "AWSGlueServiceRole-crawler", "AWS-Crawler",
                                 "ASIA%016X" % rng.getrandbits(64), path="service-role/"),
               "GetObject" if i % 3 else "ListObjects", "acme-datalake-raw",
               "glue.amazonaws.com", "glue.amazonaws.com", invoked="glue.amazonaws.com",
               key="raw/%05d.json" % i)
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=9), 8 * 3600, 400)):
        tr.add(t, PROD, role_uid(PROD, "redshift-spectrum-role", "RedshiftIamRoleSession",
                                 "ASIA%016X" % rng.getrandbits(64)),
               "GetObject", "acme-datalake-curated", "redshift.amazonaws.com",
               "redshift.amazonaws.com", invoked="redshift.amazonaws.com",
               key="tables/sales/%05d.parquet" % i)
    if last:  # a Macie classification job over every bucket
        for b in ["acme-prod-data", "acme-media-archive", "acme-finance-exports", "acme-hr-docs"]:
            for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=13), 3600, 300)):
                tr.add(t, PROD, role_uid(PROD, "AWSServiceRoleForAmazonMacie", "AmazonMacieSession",
                                         "ASIA%016X" % rng.getrandbits(64),
                                         path="aws-service-role/macie.amazonaws.com/"),
                       "GetObject" if i % 10 else "ListObjectsV2", b, "macie.amazonaws.com",
                       "macie.amazonaws.com", invoked="macie.amazonaws.com",
                       key="obj/%05d" % i)
    for b in ["acme-prod-data", "acme-hr-docs"] + (["acme-finance-exports"] if last else []):
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=1), 3600, 500)):
            tr.add(t, PROD, role_uid(PROD, "AWSBackupDefaultServiceRole", "AWSBackup-Session",
                                     "ASIA%016X" % rng.getrandbits(64), path="service-role/"),
                   "GetObject" if i % 10 else "ListObjectVersions", b, "backup.amazonaws.com",
                   "backup.amazonaws.com", invoked="backup.amazonaws.com", key="o/%05d" % i)
    for i, t in enumerate(spread(rng, d0, 86400, 3000)):
        tr.add(t, PROD, service_uid("cloudfront.amazonaws.com"), "GetObject", "acme-web-origin",
               "cloudfront.amazonaws.com", "Amazon CloudFront", key="assets/%04d.js" % (i % 900))
    # 3. the public download bucket, anonymous, and presigned downloads by customers
    anon = {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}
    for i, t in enumerate(spread(rng, d0, 86400, a.anon_reads)):
        tr.add(t, PROD, anon, "GetObject" if i % 7 else "HeadObject", "acme-public-downloads",
               public_ip(rng), rng.choice(BROWSERS), key="releases/v%d/setup.zip" % (i % 40),
               auth="")
    # the portal's instance role signs download links (the web tier on EC2); a new
    # bucket for EU customers on the last day.
    portal = role_uid(PROD, "download-portal-ec2", "i-0a1b2c3d4e5f60718",
                      "ASIA%016X" % (0xA0 + day.day))
    for b in ["acme-customer-exports"] + (["acme-customer-exports-eu"] if last else []):
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=8), 10 * 3600, 900)):
            tr.add(t, PROD, portal, "GetObject", b, public_ip(rng), rng.choice(BROWSERS),
                   key="exports/cust%05d/report.csv" % (i * 7 % 3000), auth="QueryString")
    # the portal's own calls (HeadObject, PutObject of generated exports) from its EIP
    for i, t in enumerate(spread(rng, d0, 86400, 500)):
        tr.add(t, PROD, portal, "PutObject" if i % 2 else "HeadObject", "acme-customer-exports",
               "54.80.12.34", BOTO, read=not i % 2, key="exports/cust%05d/report.csv" % i)
    # an upload API (Lambda) that checks and moves what customers upload; on the last day
    # it starts signing upload links for a new claims bucket: customers' mobile and
    # desktop apps PUT there
    up = role_uid(PROD, "claims-upload-api", "claims-upload-api",
                  "ASIA%016X" % rng.getrandbits(64), path="service-role/")
    for i, t in enumerate(spread(rng, d0, 86400, 300)):
        tr.add(t, PROD, up, "HeadObject" if i % 3 else "CopyObject", "acme-uploads-intake",
               lambda_ip(rng), JS_LAMBDA, key="in/%05d.pdf" % i, read=bool(i % 3))
    if last:
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=9), 9 * 3600, 2500)):
            tr.add(t, PROD, up, "PutObject", "acme-claims-uploads", public_ip(rng),
                   rng.choice(APPS), key="claims/%05d/photo.jpg" % i, read=False,
                   auth=a.claims_auth)
    # 4. the weekly retention cleanup (Lambda) on the last day, the pipeline's temp
    #    objects (ECS, through the gateway endpoint), multipart uploads
    cl = role_uid(PROD, "retention-cleanup-lambda", "retention-cleanup",
                  "ASIA%016X" % rng.getrandbits(64), path="service-role/")
    for b in ["acme-app-logs", "acme-prod-data"]:
        t0 = d0 + dt.timedelta(hours=4)
        for i, t in enumerate(spread(rng, t0, 600, 20)):
            tr.add(t, PROD, cl, "ListObjectsV2", b, lambda_ip(rng), JS_LAMBDA,
                   extra={"list-type": "2", "prefix": "2025/"})
        if last:
            for i, t in enumerate(spread(rng, t0 + dt.timedelta(minutes=10), 600, 60)):
                tr.add(t, PROD, cl, "DeleteObjects", b, lambda_ip(rng), JS_LAMBDA, read=False,
                       extra={"delete": ""})
    pipe = role_uid(PROD, "etl-pipeline-task", "ecs-task-%08x" % rng.getrandbits(32),
                    "ASIA%016X" % rng.getrandbits(64))
    ips = ["10.10.%d.%d" % (rng.randint(0, 15), rng.randint(4, 250)) for _ in range(6)]
    for i, t in enumerate(spread(rng, d0, 86400, 6000)):
        k = "tmp/run-%05d/chunk-%02d" % (i // 3, i % 3)
        name = ["PutObject", "GetObject", "DeleteObject"][i % 3]
        tr.add(t, PROD, pipe, name, "acme-pipeline-tmp", rng.choice(ips), JAVA, key=k,
               read=name == "GetObject", vpce="vpce-0a1b2c3d4e5f67890")
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=6), 7200, 40)):
        k = "uploads/big-%04d.bin" % i
        ip = rng.choice(ips)
        tr.add(t, PROD, pipe, "CreateMultipartUpload", "acme-prod-data", ip, JAVA, key=k, read=False,
               vpce="vpce-0a1b2c3d4e5f67890")
        for p in range(1, 9):
            tr.add(t + dt.timedelta(seconds=p * 3), PROD, pipe, "UploadPart", "acme-prod-data", ip,
                   JAVA, key=k, read=False, extra={"partNumber": str(p)},
                   vpce="vpce-0a1b2c3d4e5f67890")
        tr.add(t + dt.timedelta(seconds=30), PROD, pipe, "CompleteMultipartUpload",
               "acme-prod-data", ip, JAVA, key=k, read=False, vpce="vpce-0a1b2c3d4e5f67890")
    # a transient EMR cluster each day; the last day's in another subnet and reading a
    # bucket the nightly job never read before
    emr = role_uid(PROD, "EMR_EC2_DefaultRole", "i-0%016x" % rng.getrandbits(64),
                   "ASIA%016X" % rng.getrandbits(64))
    # (the VPC's secondary CIDR, 100.64/16, as clusters short of addresses use), through
    # an S3 endpoint of the account as every day (another one: a second VPC's)
    sub = "100.64" if last else "10.20"
    nodes = ["%s.%d.%d" % (sub, rng.randint(0, 3), rng.randint(4, 250)) for _ in range(8)]
    for b in ["acme-datalake-curated"] + (["acme-datalake-raw"] if last else []):
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=1), 1800, 800)):
            tr.add(t, PROD, emr, "GetObject" if i % 8 else "ListObjectsV2", b, rng.choice(nodes),
                   EMRFS, key="tables/t/%05d.parquet" % i,
                   vpce="vpce-0e1f2a3b4c5d6e7f8" if last else "vpce-0a1b2c3d4e5f67890")
    # a batch job in spoke VPCs reaching S3 through the organisation's network account's
    # shared interface endpoint (over the transit gateway); on the last day a new spoke
    # VPC (another /16) and the feature store's new bucket
    fs = role_uid(PROD, "feature-store-batch", "botocore-session-%d" % rng.getrandbits(30),
                  "ASIA%016X" % rng.getrandbits(64))
    spoke = "10.41" if last else "10.40"
    for b in ["acme-features"] + (["acme-features-v2"] if last else []):
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=3), 1200, 400)):
            tr.add(t, PROD, fs, "GetObject" if i % 10 else "ListObjectsV2", b,
                   "%s.%d.%d" % (spoke, rng.randint(0, 7), rng.randint(4, 250)), BOTO,
                   key="f/%05d.parquet" % i, vpce="vpce-0c0ffee0c0ffee001")
    # 5. the engineer: the CLI from the office every day; on the last day the console
    #    from home, exploring other teams' buckets (most denied)
    eng = user_uid(PROD, "dev.kim", "AKIA%016X" % 0xDE5E1A0000001)
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=9), 8 * 3600, 40)):
        tr.add(t, PROD, eng, "GetObject" if i % 2 else "ListObjectsV2", "acme-dev-sandbox",
               OFFICE, CLI_CP, key="k/%03d" % i)
    if day.day % 2 == 1 and not last:  # from home now and then
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=19), 3600, 10)):
            tr.add(t, PROD, eng, "GetObject", "acme-dev-sandbox", HOME, CLI_CP, key="k/%03d" % i)
    if last:
        t0 = d0 + dt.timedelta(hours=20)
        for i, b in enumerate(["acme-dev-sandbox", "acme-prod-data", "acme-hr-docs",
                               "acme-finance-exports", "acme-media-archive", "acme-web-origin",
                               "acme-datalake-raw", "acme-pipeline-tmp"]):
            t = t0 + dt.timedelta(seconds=40 * i)
            tr.mgmt(t, PROD, eng, "ListBuckets", HOME, CONSOLE, {"Host": "s3.amazonaws.com"})
            tr.mgmt(t + dt.timedelta(seconds=1), PROD, eng, "GetBucketLocation", HOME, CONSOLE,
                    {"bucketName": b, "location": ""})
            err = None if i == 0 else "AccessDenied"
            tr.add(t + dt.timedelta(seconds=2), PROD, eng, "ListObjectsV2", b, HOME, CONSOLE,
                   error=err, extra={"list-type": "2", "delimiter": "/", "prefix": ""})
    # 6. the partner account reading the shared prefix every day (its session name
    #    changes per run)
    part = {"type": "AWSAccount", "principalId": "AROA4PARTNERROLE0001:sync-%s" % d0.strftime("%m%d"),
            "accountId": PARTNER}
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=7), 1800, 300)):
        tr.add(t, PROD, part, "GetObject" if i % 6 else "ListObjectsV2", "acme-partner-share",
               "3.236.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254)), BOTO,
               key="share/%05d.csv" % i)

    # 7. AWS Transfer Family: partners' SFTP sessions write through the server's user
    #    role (Transfer calls S3: the service's address, invokedBy); on the last day a
    #    new partner fetches a whole folder (the last day's bulk jobs below scale with
    #    --backup-objects)
    for user, b, n, wr in (("partner-northwind", "acme-sftp-inbound", 300, True),
                           ("partner-contoso", "acme-sftp-outbound", 200, False)) + \
            ((("partner-fabrikam", "acme-sftp-outbound", a.backup_objects // 5, False),) if last else ()):
        tf = role_uid(PROD, "transfer-sftp-user-role", "%s.%016x" % (user, rng.getrandbits(64)),
                      "ASIA%016X" % rng.getrandbits(64), path="service-role/")
        t0 = d0 + dt.timedelta(hours=15 if user == "partner-fabrikam" else 6)
        for i, t in enumerate(spread(rng, t0, 2400, n)):
            if i % 50 == 0:
                tr.add(t, PROD, tf, "ListObjectsV2", b, "transfer.amazonaws.com", "AWSTransfer",
                       invoked="transfer.amazonaws.com", extra={"list-type": "2", "prefix": user + "/"})
            name = ("PutObject" if i % 3 else "HeadObject") if wr else ("GetObject" if i % 4 else "HeadObject")
            tr.add(t, PROD, tf, name, b, "transfer.amazonaws.com", "AWSTransfer",
                   invoked="transfer.amazonaws.com", read=name != "PutObject",
                   key="%s/%s/file-%05d.csv" % (user, d0.strftime("%Y%m%d") if wr else "catalog", i))
    # 8. DataSync: the nightly on-premises NFS to S3 task; on the last day a migration
    #    task copies a whole bucket into a new one in the organisation's archive
    ds = role_uid(PROD, "AWSDataSyncS3BucketAccess-acme-nfs", "AwsDataSync-task-0a1b2c3d4e5f60718",
                  "ASIA%016X" % rng.getrandbits(64), path="service-role/")
    for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=1), 3600, 800)):
        name = ["HeadObject", "PutObject", "ListObjectsV2", "PutObject"][i % 4]
        tr.add(t, PROD, ds, name, "acme-nfs-mirror", "datasync.amazonaws.com", "datasync.amazonaws.com",
               invoked="datasync.amazonaws.com", read=name != "PutObject", key="nfs/share/%06d.dat" % i)
    if last and a.stolen_datasync:  # the near miss: its key on a VPS, no service acting
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=16), 1800, 3000)):
            tr.add(t, PROD, ds, "GetObject" if i % 50 else "ListObjectsV2", "acme-hr-docs", "185.220.101.50",
                   CLI, key="hr/%05d.pdf" % i)
    if last:
        mig = role_uid(PROD, "AWSDataSyncS3BucketAccess-acme-migration", "AwsDataSync-task-0f9e8d7c6b5a40312",
                       "ASIA%016X" % rng.getrandbits(64), path="service-role/")
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=11), 4 * 3600, a.backup_objects * 2 // 5)):
            src = i % 2 == 0
            tr.add(t, PROD, mig, "GetObject" if src else "PutObject",
                   "acme-media-archive" if src else "acme-media-archive-glacier", "datasync.amazonaws.com",
                   "datasync.amazonaws.com", invoked="datasync.amazonaws.com", read=src,
                   key="media/%05d.mp4" % (i // 2))
    # 9. S3 Batch Operations: on the last day a job re-encrypts a bucket with a new
    #    KMS key (CopyObject in place) and another restores an archived prefix
    if last:
        bo = role_uid(PROD, "s3-batch-operations-role", "s3-batch-operations",
                      "ASIA%016X" % rng.getrandbits(64), path="service-role/")
        bsvc = "batchoperations.s3.amazonaws.com"
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=12), 2 * 3600, a.backup_objects * 4 // 15)):
            name = ["HeadObject", "CopyObject", "GetObjectTagging", "PutObjectTagging"][i % 4]
            tr.add(t, PROD, bo, name, "acme-hr-docs", bsvc, bsvc, invoked=bsvc,
                   read=name in ("HeadObject", "GetObjectTagging"), key="hr/%05d.pdf" % (i // 4),
                   extra={"x-amz-server-side-encryption": "aws:kms"} if name == "CopyObject" else None)
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=14), 1800, 2000)):
            tr.add(t, PROD, bo, "RestoreObject", "acme-media-archive", bsvc, bsvc, invoked=bsvc, read=False,
                   key="media/2019/%05d.mp4" % i, extra={"restore": ""})
    # 10. AWS Backup's first full backup of a bucket added to the plan on the last day
    if last:
        bb = role_uid(PROD, "AWSBackupDefaultServiceRole", "AWSBackup-Session",
                      "ASIA%016X" % rng.getrandbits(64), path="service-role/")
        for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=3), 2 * 3600, a.backup_objects // 3)):
            tr.add(t, PROD, bb, "GetObject" if i % 20 else "ListObjectVersions", "acme-legal-archive",
                   "backup.amazonaws.com", "backup.amazonaws.com", invoked="backup.amazonaws.com",
                   key="matters/%05d/doc.pdf" % i, extra={"versionId": "v%d" % i} if i % 20 else None)

    # 11. Spark jobs on EKS (IRSA: a session an hour per pod, named by the SDK) read the
    #     curated lake through the NAT gateways of the nodes' zones; on the last day
    #     Karpenter has put the executors in a third zone (its NAT gateway's address
    #     never seen before) and a new job reads a new bucket
    nats = ["3.94.17.%d" % (10 + i) for i in range(2)] + (["44.198.60.7"] if last else [])
    for hour in (1, 13):
        for p in range(6):
            spark = role_uid(PROD, "eks-spark-jobs", "%d" % (1767225600 + d0.day * 86400 + hour * 3600 + p),
                             "ASIA%016X" % rng.getrandbits(64))
            nat = nats[p % len(nats)] if last else nats[p % 2]
            for b in ["acme-datalake-curated"] + (["acme-clickstream"] if last and hour == 13 else []):
                for i, t in enumerate(spread(rng, d0 + dt.timedelta(hours=hour), 1800, 400)):
                    tr.add(t, PROD, spark, "GetObject" if i % 25 else "ListObjectsV2", b, nat, EMRFS.replace(
                        "exec-env/AWS_EMR EMRFS/2.60.0", "hadoop/3.3.6 spark/3.5.0"), key="p%d/%05d.parquet" % (p, i))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--start", default="2026-01-01")
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--backup-objects", type=int, default=100000)
    ap.add_argument("--anon-reads", type=int, default=20000)
    ap.add_argument("--emr-endpoint-account", default="",
                    help="the account of the endpoint the last day's EMR cluster calls through")
    ap.add_argument("--claims-auth", default="QueryString",
                    help="AuthenticationMethod of the claims uploads (AuthHeader: the near miss)")
    ap.add_argument("--stolen-datasync", action="store_true",
                    help="the nightly DataSync task role's key read a bucket from a VPS (the near miss)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tr = Trail(a.out, rng)
    tr.vpce_account["vpce-0c0ffee0c0ffee001"] = NETWORK
    if a.emr_endpoint_account:  # the near miss: the last day's cluster through another's endpoint
        tr.vpce_account["vpce-0e1f2a3b4c5d6e7f8"] = a.emr_endpoint_account
    start = dt.datetime.strptime(a.start, "%Y-%m-%d")
    for d in range(a.days):
        day_of(tr, rng, start + dt.timedelta(days=d), d == a.days - 1, a)
    print(tr.write())


if __name__ == "__main__":
    main()
