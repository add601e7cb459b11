#!/usr/bin/env python3
"""boto3's EventBridge client against `coalmine serve` (run by events_boto3.sh).

argv: COALMINE DB ENDPOINT SIGNED_ENDPOINT KEY SECRET TMPDIR. Prints TAP lines
without the plan (the wrapper numbers them and prints it).
"""
import datetime
import json
import os
import sys
import time

from b3 import check, done, error_of, one_try, runner

COALMINE, DB, ENDPOINT, SIGNED, KEY, SECRET, TMP = sys.argv[1:8]
ACCOUNT = "123456789012"
cli = runner(COALMINE)


def client(endpoint, key=KEY, secret=SECRET):
    return one_try("events", endpoint, key, secret)


ev = client(ENDPOINT)

# Rules, and the list_rules paginator over pages of 3.
names = ["r%02d" % i for i in range(10)]
for name in names:
    arn = ev.put_rule(Name=name, EventPattern=json.dumps({"source": ["b3." + name]}),
                      Description="rule " + name)["RuleArn"]
check("put_rule x10: each answers its ARN", arn == "arn:aws:events:us-east-1:%s:rule/r09" % ACCOUNT, arn)
pages = list(ev.get_paginator("list_rules").paginate(PaginationConfig={"PageSize": 3}))
got = [r["Name"] for p in pages for r in p["Rules"]]
check("list_rules paginator (pages of 3): 4 pages, every rule once, in order",
      len(pages) == 4 and got == names, (len(pages), got))
got = [r["Name"] for p in ev.get_paginator("list_rules").paginate(NamePrefix="r0",
                                                                   PaginationConfig={"PageSize": 4})
       for r in p["Rules"]]
check("list_rules paginator with NamePrefix", got == names, got)
d = ev.describe_rule(Name="r03")
check("describe_rule", d["Description"] == "rule r03" and d["State"] == "ENABLED"
      and json.loads(d["EventPattern"]) == {"source": ["b3.r03"]}, d)

# Targets: a file target with an InputTransformer, listed back through the paginator.
out = os.path.join(TMP, "b3.jsonl")
r = ev.put_targets(Rule="r01", Targets=[
    {"Id": "f", "Arn": "arn:aws:coalmine:::file:" + out,
     "InputTransformer": {"InputPathsMap": {"s": "$.source", "n": "$.detail.n"},
                          "InputTemplate": '{"src": <s>, "n": <n>}'}},
    {"Id": "sqs", "Arn": "arn:aws:sqs:us-east-1:%s:q" % ACCOUNT}])
check("put_targets: the SQS ARN fails, the file target is put",
      r["FailedEntryCount"] == 1 and r["FailedEntries"][0]["TargetId"] == "sqs", r)
ts = [t for p in ev.get_paginator("list_targets_by_rule").paginate(Rule="r01") for t in p["Targets"]]
check("list_targets_by_rule paginator: the target with its InputTransformer",
      len(ts) == 1 and ts[0]["Arn"] == "arn:aws:coalmine:::file:" + out
      and ts[0]["InputTransformer"]["InputPathsMap"] == {"s": "$.source", "n": "$.detail.n"}, ts)
r2 = ev.put_targets(Rule="r01", Targets=ts)
check("what list_targets_by_rule gives is accepted back by put_targets", r2["FailedEntryCount"] == 0, r2)

# put_events with a datetime Time: the transformed event in the file.
t = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
pe = ev.put_events(Entries=[{"Source": "b3.r01", "DetailType": "Test", "Detail": json.dumps({"n": 7}),
                             "Time": t},
                            {"Source": "b3.r01", "DetailType": "Test", "Detail": "not json"}])
check("put_events: one EventId, one MalformedDetail",
      pe["FailedEntryCount"] == 1 and "EventId" in pe["Entries"][0]
      and pe["Entries"][1].get("ErrorCode") == "MalformedDetail", pe)
# serve's bus thread makes the first attempt, woken by the request: wait for it (30 s at most).
for _ in range(300):
    lines = open(out).read().splitlines() if os.path.exists(out) else []
    if lines:
        break
    time.sleep(0.1)
check("put_events: the target got the InputTransformer's output",
      [json.loads(x) for x in lines] == [{"src": "b3.r01", "n": 7}], lines)

# Rule names by target, over the paginator, with both ARN forms.
ev.put_targets(Rule="r02", Targets=[{"Id": "same", "Arn": "arn:aws:coalmine:::file:" + out}])
by = [x for p in ev.get_paginator("list_rule_names_by_target").paginate(
    TargetArn="arn:aws:coalmine:::file:" + out, PaginationConfig={"PageSize": 1}) for x in p["RuleNames"]]
check("list_rule_names_by_target paginator (pages of 1)", by == ["r01", "r02"], by)
by = ev.list_rule_names_by_target(
    TargetArn="arn:aws:coalmine:::file:" + json.dumps({"path": out}))["RuleNames"]
check("list_rule_names_by_target with the JSON ARN form", by == ["r01", "r02"], by)

# test_event_pattern.
event = json.dumps({"id": "1", "account": ACCOUNT, "source": "x", "time": "2026-01-01T00:00:00Z",
                    "region": "us-east-1", "resources": [], "detail-type": "T",
                    "detail": {"a": "Hello"}})
check("test_event_pattern: equals-ignore-case matches",
      ev.test_event_pattern(EventPattern='{"detail":{"a":[{"equals-ignore-case":"hello"}]}}',
                            Event=event)["Result"] is True)
check("test_event_pattern: suffix that does not match",
      ev.test_event_pattern(EventPattern='{"detail":{"a":[{"suffix":"x"}]}}', Event=event)["Result"]
      is False)

# Errors: code, status.
code, msg, st = error_of(ev.describe_rule, Name="nope")
check("describe_rule of no rule: ResourceNotFoundException, 400",
      code == "ResourceNotFoundException" and st == 400 and "nope" in msg, (code, msg, st))
code, msg, st = error_of(ev.put_rule, Name="x", EventPattern='{"a":[{"numeric":["<"]}]}')
check("put_rule with a bad numeric: InvalidEventPatternException",
      code == "InvalidEventPatternException" and "numeric" in msg, (code, msg))
code, msg, st = error_of(ev.delete_rule, Name="r01")
check("delete_rule with targets: ValidationException", code == "ValidationException", (code, msg))
for i in range(3, 7):
    ev.put_targets(Rule="r02", Targets=[{"Id": "t%d" % i, "Arn": "arn:aws:coalmine:::file:/tmp/t%d" % i}])
code, msg, st = error_of(ev.put_targets, Rule="r02",
                         Targets=[{"Id": "t9", "Arn": "arn:aws:coalmine:::file:/tmp/t9"}])
check("a sixth target: LimitExceededException", code == "LimitExceededException", (code, msg))

# The CLI sees the API's rules and targets.
listed = cli("rules", "list", "--db", DB, "--format", "json")
check("coalmine rules list shows the rules and targets made by boto3",
      "r09" in listed and out in listed, listed[:300])
ev.disable_rule(Name="r05")
check("disable_rule: coalmine rules list says DISABLED",
      "DISABLED" in cli("rules", "list", "--db", DB), "")

# Tags.
arn = "arn:aws:events:us-east-1:%s:rule/r00" % ACCOUNT
ev.tag_resource(ResourceARN=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
ev.untag_resource(ResourceARN=arn, TagKeys=["a"])
tags = ev.list_tags_for_resource(ResourceARN=arn)["Tags"]
check("tag/untag/list_tags_for_resource on a rule", tags == [{"Key": "b", "Value": "2"}], tags)

# Signed server: the right key passes, a wrong one is refused.
sev = client(SIGNED)
got = [r["Name"] for p in sev.get_paginator("list_rules").paginate() for r in p["Rules"]]
check("signed: list_rules passes", got == names, got)
code, msg, st = error_of(client(SIGNED, secret="wrong").list_rules)
check("signed: a wrong secret is refused with 403",
      st == 403 and code in ("InvalidSignatureException", "SignatureDoesNotMatch"), (code, msg, st))
code, msg, st = error_of(client(ENDPOINT).list_rules, EventBusName="other-bus")
check("an unknown event bus: ResourceNotFoundException", code == "ResourceNotFoundException", (code, msg))

done()
