#!/usr/bin/env python3
"""Checks OCSF 1.1.0 Detection Finding events (class 2004), one JSON object a line.

usage: ocsf_check.py FILE...   prints one line per problem ("FILE:LINE: path: problem")
and exits 1 when there is any, else prints "ok N" and exits 0.

The rules are written here from the OCSF 1.1.0 schema (schema.ocsf.io, Detection Finding
and the objects it uses), in our own words; only what coalmine writes, or could write by
mistake, is encoded:

- an attribute a class or object does not define is a problem (validators drop or reject
  it), for the event and each object below;
- the event's required attributes: activity_id, category_uid, class_uid, finding_info,
  metadata, severity_id, time, type_uid; with the cloud profile (the event carries
  `cloud`), cloud.provider, and metadata.profiles must name "cloud";
- metadata needs product (with vendor_name) and version; finding_info needs uid and title;
  a resource, an evidence artifact and an endpoint need at least one attribute; a DNS query
  needs hostname; an API needs operation;
- ids and captions agree: category 2 "Findings", class 2004 "Detection Finding",
  activity 0 Unknown / 1 Create / 2 Update / 3 Close / 99 Other, type_uid = class_uid *
  100 + activity_id with type_name "Detection Finding: <activity>", severity 0 Unknown /
  1 Informational / 2 Low / 3 Medium / 4 High / 5 Critical / 6 Fatal / 99 Other, status
  0 Unknown / 1 New / 2 In Progress / 3 Suppressed / 4 Resolved / 99 Other, an account's
  type_id 10 "AWS Account";
- types: timestamps (time, the finding_info times) integers in milliseconds (after 2000,
  before 2100), ids integers, count a non-negative integer, ports 0-65535, strings strings,
  arrays arrays; raw_data a string, unmapped an object.
"""
import json
import sys

EVENT = {
    "activity_id", "activity_name", "category_uid", "category_name", "class_uid",
    "class_name", "type_uid", "type_name", "severity_id", "severity", "status_id", "status",
    "status_code", "status_detail", "time", "start_time", "end_time", "duration", "count",
    "message", "metadata", "observables", "raw_data", "timezone_offset", "unmapped",
    "enrichments", "cloud", "api", "finding_info", "resources", "evidences", "confidence",
    "confidence_id", "confidence_score", "impact", "impact_id", "impact_score", "remediation",
    "risk_level", "risk_level_id", "risk_score", "comment", "actor", "device",
}
REQUIRED = ("activity_id", "category_uid", "class_uid", "finding_info", "metadata",
            "severity_id", "time", "type_uid")
OBJECTS = {
    "metadata": {"version", "uid", "product", "profiles", "log_name", "log_provider",
                 "logged_time", "modified_time", "original_time", "processed_time",
                 "correlation_uid", "event_code", "labels", "sequence", "tenant_uid",
                 "extension", "extensions"},
    "product": {"name", "vendor_name", "version", "uid", "lang", "url_string", "path",
                "cpe_name", "feature"},
    "finding_info": {"uid", "title", "desc", "types", "created_time", "modified_time",
                     "first_seen_time", "last_seen_time", "product_uid", "analytic",
                     "attacks", "data_sources", "kill_chain", "related_analytics",
                     "related_events", "src_url", "supporting_data"},
    "resource": {"uid", "name", "type", "cloud_partition", "region", "labels", "owner",
                 "data", "group", "criticality", "version", "namespace", "hostname", "ip",
                 "agent_list", "data_classification"},
    "cloud": {"provider", "region", "account", "zone", "org", "project_uid", "cloud_partition"},
    "account": {"uid", "name", "type", "type_id", "labels"},
    "evidence": {"actor", "api", "connection_info", "data", "device", "dst_endpoint", "file",
                 "process", "query", "src_endpoint"},
    "endpoint": {"ip", "port", "hostname", "domain", "name", "uid", "mac", "instance_uid",
                 "interface_uid", "interface_name", "location", "svc_name", "subnet_uid",
                 "vlan_uid", "vpc_uid", "zone", "intermediate_ips", "autonomous_system",
                 "type", "type_id", "os", "owner", "proxy_endpoint"},
    "api": {"operation", "service", "request", "response", "version", "group"},
    "service": {"name", "uid", "version", "labels"},
    "query": {"hostname", "type", "class", "opcode", "opcode_id", "packet_uid"},
}
ACTIVITY = {0: "Unknown", 1: "Create", 2: "Update", 3: "Close", 99: "Other"}
SEVERITY = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical",
            6: "Fatal", 99: "Other"}
STATUS = {0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved",
          99: "Other"}
MS_MIN, MS_MAX = 946684800000, 4102444800000  # 2000-01-01, 2100-01-01


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Checker:
    def __init__(self):
        self.errs = []

    def bad(self, path, msg):
        self.errs.append("%s: %s" % (path, msg))

    def members(self, obj, kind, path):
        if not isinstance(obj, dict):
            self.bad(path, "not an object")
            return False
        for k in obj:
            if k not in OBJECTS[kind]:
                self.bad("%s.%s" % (path, k), "not an attribute of the %s object" % kind)
        if not obj:
            self.bad(path, "an empty %s object" % kind)
        return True

    def time(self, v, path):
        if not is_int(v) or not MS_MIN <= v < MS_MAX:
            self.bad(path, "%r is not a time in integer milliseconds" % (v,))

    def string(self, obj, key, path, required=False):
        if key not in obj:
            if required:
                self.bad("%s.%s" % (path, key), "required, absent")
        elif not isinstance(obj[key], str):
            self.bad("%s.%s" % (path, key), "%r is not a string" % (obj[key],))

    def enum(self, ev, idk, namek, table, path=""):
        i = ev.get(idk)
        if i is None:
            return
        if not is_int(i) or i not in table:
            self.bad(path + idk, "%r is not one of %s" % (i, sorted(table)))
        elif namek in ev and ev[namek] != table[i]:
            self.bad(path + namek, "%r is not the caption of %s %d (%r)" %
                     (ev[namek], idk, i, table[i]))

    def endpoint(self, e, path):
        if self.members(e, "endpoint", path):
            self.string(e, "ip", path)
            if "port" in e and (not is_int(e["port"]) or not 0 <= e["port"] <= 65535):
                self.bad(path + ".port", "%r is not a port" % (e["port"],))

    def event(self, ev):
        if not isinstance(ev, dict):
            self.bad("$", "not an object")
            return
        for k in ev:
            if k not in EVENT:
                self.bad(k, "not an attribute of Detection Finding")
        for k in REQUIRED:
            if k not in ev:
                self.bad(k, "required, absent")
        for k in ("activity_id", "category_uid", "class_uid", "type_uid", "severity_id",
                  "status_id"):
            if k in ev and not is_int(ev[k]):
                self.bad(k, "%r is not an integer" % (ev[k],))
        if ev.get("category_uid") != 2 or ev.get("category_name", "Findings") != "Findings":
            self.bad("category_uid", "not 2 Findings")
        if ev.get("class_uid") != 2004 or \
                ev.get("class_name", "Detection Finding") != "Detection Finding":
            self.bad("class_uid", "not 2004 Detection Finding")
        self.enum(ev, "activity_id", "activity_name", ACTIVITY)
        self.enum(ev, "severity_id", "severity", SEVERITY)
        self.enum(ev, "status_id", "status", STATUS)
        act = ev.get("activity_id")
        if is_int(act) and ev.get("type_uid") != 2004 * 100 + act:
            self.bad("type_uid", "%r is not class_uid * 100 + activity_id" % (ev.get("type_uid"),))
        if act in ACTIVITY and "type_name" in ev and \
                ev["type_name"] != "Detection Finding: " + ACTIVITY[act]:
            self.bad("type_name", "%r does not name activity %d" % (ev["type_name"], act))
        if "time" in ev:
            self.time(ev["time"], "time")
        if "count" in ev and (not is_int(ev["count"]) or ev["count"] < 0):
            self.bad("count", "%r is not a count" % (ev["count"],))
        for k in ("message", "raw_data", "status", "severity", "activity_name"):
            self.string(ev, k, "$")
        if "unmapped" in ev and not isinstance(ev["unmapped"], dict):
            self.bad("unmapped", "not an object")
        md = ev.get("metadata")
        if md is not None and self.members(md, "metadata", "metadata"):
            self.string(md, "version", "metadata", True)
            if md.get("version") != "1.1.0":
                self.bad("metadata.version", "%r, not 1.1.0" % (md.get("version"),))
            if "product" not in md:
                self.bad("metadata.product", "required, absent")
            elif self.members(md["product"], "product", "metadata.product"):
                self.string(md["product"], "vendor_name", "metadata.product", True)
                self.string(md["product"], "name", "metadata.product")
            prof = md.get("profiles")
            if "cloud" in ev and (not isinstance(prof, list) or "cloud" not in prof):
                self.bad("metadata.profiles", "%r: the cloud profile's attributes are there, "
                         "the profile is not named" % (prof,))
        fi = ev.get("finding_info")
        if fi is not None and self.members(fi, "finding_info", "finding_info"):
            self.string(fi, "uid", "finding_info", True)
            self.string(fi, "title", "finding_info", True)
            self.string(fi, "desc", "finding_info")
            for k in ("created_time", "modified_time", "first_seen_time", "last_seen_time"):
                if k in fi:
                    self.time(fi[k], "finding_info." + k)
            if "types" in fi and (not isinstance(fi["types"], list) or
                                  not all(isinstance(t, str) for t in fi["types"])):
                self.bad("finding_info.types", "not an array of strings")
        cl = ev.get("cloud")
        if cl is not None and self.members(cl, "cloud", "cloud"):
            self.string(cl, "provider", "cloud", True)
            if "account" in cl and self.members(cl["account"], "account", "cloud.account"):
                self.enum(cl["account"], "type_id", "type", {10: "AWS Account"}, "cloud.account.")
        res = ev.get("resources")
        if res is not None:
            if not isinstance(res, list) or not res:
                self.bad("resources", "not a non-empty array")
            else:
                for i, r in enumerate(res):
                    if self.members(r, "resource", "resources[%d]" % i):
                        for k in ("uid", "name", "type", "cloud_partition", "region"):
                            self.string(r, k, "resources[%d]" % i)
        evs = ev.get("evidences")
        if evs is not None:
            if not isinstance(evs, list) or not evs:
                self.bad("evidences", "not a non-empty array")
                evs = []
            for i, e in enumerate(evs):
                p = "evidences[%d]" % i
                if not self.members(e, "evidence", p):
                    continue
                for k in ("src_endpoint", "dst_endpoint"):
                    if k in e:
                        self.endpoint(e[k], p + "." + k)
                if "api" in e and self.members(e["api"], "api", p + ".api"):
                    self.string(e["api"], "operation", p + ".api", True)
                    if "service" in e["api"]:
                        self.members(e["api"]["service"], "service", p + ".api.service")
                if "query" in e and self.members(e["query"], "query", p + ".query"):
                    self.string(e["query"], "hostname", p + ".query", True)


def main(paths):
    nerr = nev = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                if not line.strip():
                    continue
                c = Checker()
                try:
                    c.event(json.loads(line))
                except ValueError as e:
                    c.bad("$", "not JSON: %s" % e)
                nev += 1
                for e in c.errs:
                    nerr += 1
                    print("%s:%d: %s" % (path, ln, e))
    if nerr == 0:
        print("ok %d" % nev)
    return 1 if nerr else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
