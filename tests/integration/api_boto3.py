#!/usr/bin/env python3
"""boto3's GuardDuty client against `coalmine serve` (run by api_boto3.sh).

argv: COALMINE DB ENDPOINT SIGNED_ENDPOINT KEY SECRET. Prints TAP lines without the plan
(the wrapper numbers nothing: it prints "1..N" from what this prints).
"""
import json
import sys

from b3 import check, done, error_of, one_try, runner

COALMINE, DB, ENDPOINT, SIGNED, KEY, SECRET = sys.argv[1:7]
DET = "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"
cli = runner(COALMINE)


def client(endpoint, key=KEY, secret=SECRET):
    return one_try("guardduty", endpoint, key, secret)


gd = client(ENDPOINT)

ids = [i for p in gd.get_paginator("list_detectors").paginate(PaginationConfig={"PageSize": 1})
       for i in p["DetectorIds"]]
check("list_detectors paginator: the default detector", ids == [DET], ids)

det = gd.get_detector(DetectorId=DET)
check("get_detector: ENABLED with a request id",
      det["Status"] == "ENABLED" and len(det["ResponseMetadata"]["RequestId"]) == 36, det)

pages = list(gd.get_paginator("list_findings").paginate(
    DetectorId=DET, PaginationConfig={"PageSize": 4}))
got = [i for p in pages for i in p["FindingIds"]]
want = cli("findings", "list", "--db", DB, "--archived", "all", "--max-results", "0",
           "--format", "ids").split()
check("list_findings paginator (pages of 4) lists every stored finding once",
      len(pages) > 3 and all(len(p["FindingIds"]) <= 4 for p in pages)
      and sorted(got) == sorted(want) and len(got) == len(set(got)), (len(got), len(want)))

crit = {"Criterion": {"type": {"Neq": ["Recon:EC2/PortProbeUnprotectedPort"]},
                      "service.archived": {"Eq": ["false"]}}}
got = [i for p in gd.get_paginator("list_findings").paginate(
    DetectorId=DET, FindingCriteria=crit,
    SortCriteria={"AttributeName": "updatedAt", "OrderBy": "DESC"},
    PaginationConfig={"PageSize": 3}) for i in p["FindingIds"]]
want = cli("findings", "list", "--db", DB, "--finding-criteria", json.dumps(crit),
           "--sort", "updatedAt:desc", "--max-results", "0", "--format", "ids").split()
check("list_findings with FindingCriteria and SortCriteria: the CLI's ids in its order",
      got == want and len(got) > 5, (got[:3], want[:3]))

some = want[:10]
fs = gd.get_findings(DetectorId=DET, FindingIds=some)["Findings"]
api = json.loads(cli("findings", "get", "--db", DB, "--format", "api", *some))["findings"]
check("get_findings: the stored findings, each field parsed by botocore",
      [f["Id"] for f in fs] == some and all(f["Service"]["DetectorId"] == DET for f in fs)
      and [f["Type"] for f in fs] == [a["type"] for a in api]
      and all(abs(f["Severity"] - a["severity"]) < 1e-9 for f, a in zip(fs, api))
      and all(f["Service"]["Count"] == a["service"]["count"] for f, a in zip(fs, api)))

st = gd.get_findings_statistics(DetectorId=DET, FindingStatisticTypes=["COUNT_BY_SEVERITY"],
                                FindingCriteria={"Criterion": {"service.archived": {"Eq": ["false"]}}})
mine = json.loads(cli("findings", "stats", "--db", DB, "--format", "json", "--group-by", "SEVERITY"))
check("get_findings_statistics COUNT_BY_SEVERITY equals coalmine findings stats",
      st["FindingStatistics"]["CountBySeverity"] == mine["findingStatistics"]["countBySeverity"])
st = gd.get_findings_statistics(DetectorId=DET, GroupBy="RESOURCE", OrderBy="DESC", MaxResults=5)
rows = st["FindingStatistics"]["GroupedByResource"]
check("get_findings_statistics GroupBy RESOURCE: 5 rows, largest first",
      len(rows) == 5 and all(rows[i]["TotalFindings"] >= rows[i + 1]["TotalFindings"] for i in range(4))
      and all("ResourceId" in r and "LastGeneratedAt" in r for r in rows), rows)

code, msg, status = error_of(gd.get_detector, DetectorId="0" * 32)
check("an unknown detector: BadRequestException 400 with GuardDuty's message",
      code == "BadRequestException" and status == 400 and "not owned by the current account" in msg,
      (code, msg))
code, msg, status = error_of(gd.list_findings, DetectorId=DET, MaxResults=50,
                             SortCriteria={"AttributeName": "title"})
check("an unsortable attribute: 400 naming sortCriteria.attributeName",
      code == "BadRequestException" and "sortCriteria.attributeName" in msg, msg)
code, msg, status = error_of(gd.get_findings_statistics, DetectorId=DET)
check("statistics without a type or grouping: 400", code == "BadRequestException", msg)

arn = "arn:aws:guardduty:us-east-1:123456789012:detector/" + DET
gd.tag_resource(ResourceArn=arn, Tags={"owner": "secops", "tier": "1"})
gd.untag_resource(ResourceArn=arn, TagKeys=["tier"])
check("tag_resource, untag_resource, list_tags_for_resource",
      gd.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"owner": "secops"})

signed = client(SIGNED)
check("signed: list_detectors passes", signed.list_detectors()["DetectorIds"] == [DET])
check("signed: a list_findings page passes",
      len(signed.list_findings(DetectorId=DET, MaxResults=2)["FindingIds"]) == 2)
code, msg, status = error_of(client(SIGNED, secret="not-the-secret").list_detectors)
check("signed: a wrong secret is InvalidSignatureException 403",
      code == "InvalidSignatureException" and status == 403, (code, msg))
code, msg, status = error_of(client(SIGNED, key="AKIAUNKNOWNUNKNOWN00").list_detectors)
check("signed: an unknown key is UnrecognizedClientException 403",
      code == "UnrecognizedClientException" and status == 403, (code, msg))

done()
