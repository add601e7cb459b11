/*
 * AWS logs that are not the four sources coalmine reads, recognised from
 * their first bytes so a scan skips them by name instead of rejecting them as
 * unrecognised. They sit beside the sources in the buckets users copy: a
 * Control Tower log archive holds AWS Config files next to CloudTrail, a
 * trail's bucket its digest files, and load balancer, S3 server access,
 * CloudFront and WAF logs are often centralised in the same place.
 *
 * Only called for an input no parser took (scan_read.c), so a matcher never
 * competes with a source's sniff. Each looks at the first line or the first
 * HEAD bytes and matches the shape AWS documents for that log, not a word
 * that any text could hold.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "base/str.h"
#include "parse/parse.h"

#define HEAD 4096 /* bytes a matcher looks at, at most */

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* True when needle occurs in buf[0..len). */
static bool holds(const char *buf, size_t len, const char *needle)
{
    return cm_str_find(cm_str_make(buf, len), cm_str_make(needle, strlen(needle))) != (size_t)-1;
}

/* The same within the first HEAD bytes, where a matcher looks. */
static bool has(const char *buf, size_t len, const char *needle)
{
    return holds(buf, len < HEAD ? len : HEAD, needle);
}

/* True when buf[i..len) starts with s; *i moves past it. */
static bool eat(const char *buf, size_t len, size_t *i, const char *s)
{
    size_t n = strlen(s);

    if (len - *i < n || memcmp(buf + *i, s, n) != 0) {
        return false;
    }
    *i += n;
    return true;
}

/* The offset past the token (a run of non-spaces, ending at ' ') at buf[i], or 0. */
static size_t token_end(const char *buf, size_t len, size_t i)
{
    size_t j = i;

    while (j < len && buf[j] != ' ' && buf[j] != '\n' && buf[j] != '\r') {
        j++;
    }
    return j > i && j < len && buf[j] == ' ' ? j : 0;
}

/* A JSON object whose first member is named key: {"key": (whitespace allowed). */
static bool object_first_key(const char *buf, size_t len, const char *key)
{
    size_t i = cm_parse_skip_ws(buf, len, 0), n = strlen(key);

    if (i >= len || buf[i] != '{') {
        return false;
    }
    i = cm_parse_skip_ws(buf, len, i + 1);
    return len - i > n + 2 && buf[i] == '"' && memcmp(buf + i + 1, key, n) == 0 &&
           buf[i + 1 + n] == '"';
}

/* "YYYY-MM-DDThh:mm:ss" at buf[i], then anything up to a space; *i moves past the space. */
static bool iso_time_token(const char *buf, size_t len, size_t *i)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t j = *i, end;

    if (len - j < sizeof(shape) - 1) {
        return false;
    }
    for (size_t k = 0; k < sizeof(shape) - 1; k++) {
        char c = buf[j + k];
        if (shape[k] == 'd' ? !digit(c) : c != shape[k]) {
            return false;
        }
    }
    if ((end = token_end(buf, len, j)) == 0) {
        return false;
    }
    *i = end + 1;
    return true;
}

/* The offset past an IPv4 address (dotted, 1-3 digits a part) at buf[i], or 0. */
static size_t ipv4_end(const char *buf, size_t len, size_t i)
{
    for (int part = 0; part < 4; part++) {
        size_t d = 0;

        if (part > 0) {
            if (i >= len || buf[i] != '.') {
                return 0;
            }
            i++;
        }
        while (i < len && digit(buf[i]) && d < 4) {
            i++;
            d++;
        }
        if (d == 0 || d > 3) {
            return 0;
        }
    }
    return i;
}

/* The offset past an address at buf[i]: IPv4, or IPv6 in brackets ("[2001:db8::1]"), or 0. */
static size_t address_end(const char *buf, size_t len, size_t i)
{
    size_t j;

    if (i < len && buf[i] == '[') {
        for (j = i + 1; j < len && (digit(buf[j]) || buf[j] == ':' || buf[j] == '.' ||
                                    (buf[j] >= 'a' && buf[j] <= 'f'));
             j++) {
        }
        return j > i + 2 && j < len && buf[j] == ']' ? j + 1 : 0;
    }
    return ipv4_end(buf, len, i);
}

/* The offset past a port (1-5 digits) at buf[i] that a space ends, or 0. */
static size_t port_end(const char *buf, size_t len, size_t i)
{
    size_t j = i;

    while (j < len && digit(buf[j]) && j - i < 6) {
        j++;
    }
    return j > i && j - i <= 5 && j < len && buf[j] == ' ' ? j : 0;
}

/* "address:port " at buf[i] (a load balancer's client or target): the offset of the space, or 0. */
static size_t endpoint_end(const char *buf, size_t len, size_t i)
{
    size_t j = address_end(buf, len, i);

    return j != 0 && j < len && buf[j] == ':' ? port_end(buf, len, j + 1) : 0;
}

/* CloudTrail digest files (CloudTrail-Digest/): {"awsAccountId":..,"digestStartTime":..}. */
static bool ct_digest(const char *buf, size_t len)
{
    return object_first_key(buf, len, "awsAccountId") && has(buf, len, "\"digestStartTime\"") &&
           has(buf, len, "\"digestS3Object\"");
}

/* AWS Config history and snapshot files: {"fileVersion":..,"configurationItems":[..]}. */
static bool config(const char *buf, size_t len)
{
    return object_first_key(buf, len, "fileVersion") &&
           (has(buf, len, "\"configurationItems\"") || has(buf, len, "\"configSnapshotId\""));
}

/*
 * Elastic Load Balancing access logs, by their first line: an Application
 * Load Balancer's "https 2025-03-04T10:00:00.123456Z app/name/id ...", a
 * Network Load Balancer's "tls 2.0 2025-03-04T10:00:00 net/name/id ...", a
 * Classic one's "2025-03-04T10:00:00.123456Z name 192.0.2.1:2817 10.0.0.1:80 ...".
 */
static bool elb(const char *buf, size_t len)
{
    static const char *const types[] = {"http ", "https ", "h2 ", "grpcs ", "ws ", "wss "};
    size_t i = 0, end;

    if (eat(buf, len, &i, "Enable AccessLog for ELB: ")) {
        return true; /* ELBAccessLogTestFile, written when access logging is turned on */
    }
    if (eat(buf, len, &i, "tls ")) {
        if ((end = token_end(buf, len, i)) == 0) {
            return false;
        }
        i = end + 1;
        return iso_time_token(buf, len, &i) && eat(buf, len, &i, "net/");
    }
    for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
        if (eat(buf, len, &i, types[k])) {
            return iso_time_token(buf, len, &i) && eat(buf, len, &i, "app/");
        }
    }
    if (!iso_time_token(buf, len, &i)) {
        return false;
    }
    /* Classic: the load balancer's name (letters, digits, hyphens), the client, the back end. */
    for (end = i; end < len && end - i <= 32 &&
                  (digit(buf[end]) || buf[end] == '-' ||
                   ((buf[end] | 0x20) >= 'a' && (buf[end] | 0x20) <= 'z'));
         end++) {
    }
    if (end == i || end - i > 32 || end >= len || buf[end] != ' ' ||
        (end = endpoint_end(buf, len, end + 1)) == 0) {
        return false;
    }
    i = end + 1;
    return (i + 1 < len && buf[i] == '-' && buf[i + 1] == ' ') || endpoint_end(buf, len, i) != 0;
}

/*
 * Application Load Balancer connection logs (TLS handshakes, beside the
 * access logs): "2025-03-04T10:00:00.123456Z 192.0.2.10 41234 443 TLSv1.2
 * ... Success TID_...".
 */
static bool alb_connection(const char *buf, size_t len)
{
    size_t i = 0, end;

    if (!iso_time_token(buf, len, &i) || (end = address_end(buf, len, i)) == 0 || end >= len ||
        buf[end] != ' ' || (end = port_end(buf, len, end + 1)) == 0 ||
        (end = port_end(buf, len, end + 1)) == 0) {
        return false;
    }
    i = end + 1;
    if (!eat(buf, len, &i, "TLSv") && !eat(buf, len, &i, "- ")) {
        return false;
    }
    /* The TLS verify status, later in the line ("Success", "Failed:UnknownCA"): a flow
     * record after an export's time has the same first fields ("<time> 10.0.1.5 49152 22 -"). */
    end = i;
    while (end < len && buf[end] != '\n') {
        end++;
    }
    return has(buf + i, end - i, " Success ") || has(buf + i, end - i, " Failed:");
}

/*
 * S3 server access logs: "<bucket owner's 64 hex digits> <bucket>
 * [06/Feb/2019:00:00:38 +0000] ...".
 */
static bool s3_access(const char *buf, size_t len)
{
    size_t i, end;

    for (i = 0; i < 64; i++) {
        if (i >= len || !(digit(buf[i]) || (buf[i] >= 'a' && buf[i] <= 'f'))) {
            return false;
        }
    }
    if (i >= len || buf[i] != ' ' || (end = token_end(buf, len, i + 1)) == 0) {
        return false;
    }
    i = end + 1;
    return len - i > 4 && buf[i] == '[' && digit(buf[i + 1]) && digit(buf[i + 2]) &&
           buf[i + 3] == '/';
}

/* CloudFront standard logs (W3C): "#Version: 1.0" and "#Fields: date time x-edge-location ...". */
static bool cloudfront(const char *buf, size_t len)
{
    size_t i = 0;

    return eat(buf, len, &i, "#Version: ") && has(buf, len, "\n#Fields: date time x-edge-location");
}

/* AWS WAF logs: {"timestamp":1576280412771,"formatVersion":1,"webaclId":"arn:aws:wafv2:...}. */
static bool waf(const char *buf, size_t len)
{
    return object_first_key(buf, len, "timestamp") && has(buf, len, "\"formatVersion\"") &&
           has(buf, len, "\"webaclId\"");
}

/*
 * AWS Network Firewall alert, flow and TLS logs (S3, CloudWatch Logs or Firehose):
 * {"firewall_name":"fw","availability_zone":"us-east-1a","event_timestamp":"1602627001",
 * "event":{"event_type":"alert","src_ip":...}}.
 */
static bool network_firewall(const char *buf, size_t len)
{
    return object_first_key(buf, len, "firewall_name") && has(buf, len, "\"availability_zone\"") &&
           has(buf, len, "\"event_timestamp\"");
}

/*
 * GuardDuty findings: an S3 export's JSON lines, coalmine's own `findings
 * export` (a finding's schema version and its GuardDuty ARN near the start),
 * `aws guardduty get-findings` output (the API's member names). Security
 * Hub's form of them (ASFF: "AwsAccountId", a Security Hub product ARN) is
 * not GuardDuty's and is not matched.
 */
static bool guardduty(const char *buf, size_t len)
{
    static const char *const cli[] = {"{", "\"Findings\"", ":", "[", "{", "\"AccountId\""};
    size_t i = cm_parse_skip_ws(buf, len, 0), k;

    if (i >= len || buf[i] != '{' || !has(buf, len, "\"arn:aws:guardduty:")) {
        return false;
    }
    if (has(buf, len, "\"schemaVersion\"")) {
        return true;
    }
    /* The CLI's get-findings ("SchemaVersion" comes late): {"Findings": [{"AccountId": ... */
    for (k = 0; k < sizeof(cli) / sizeof(cli[0]) && eat(buf, len, &i, cli[k]); k++) {
        i = cm_parse_skip_ws(buf, len, i);
    }
    return k == sizeof(cli) / sizeof(cli[0]);
}

/*
 * Route 53 public DNS query logs (hosted zones, through CloudWatch Logs):
 * "1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com A NOERROR UDP ...".
 */
static bool r53_public(const char *buf, size_t len)
{
    size_t i = 0;

    return eat(buf, len, &i, "1.0 ") && iso_time_token(buf, len, &i) && i < len && buf[i] == 'Z' &&
           token_end(buf, len, i) != 0;
}

/*
 * Transit Gateway flow logs with no header line (as CloudWatch Logs holds
 * them): "6 TransitGateway 111122223333 tgw-... ". With a header, the flow
 * log parser takes them and skips their records (vpcflow.c).
 */
static bool tgw_flow(const char *buf, size_t len)
{
    size_t i = 0;

    while (i < len && i < 3 && digit(buf[i])) {
        i++;
    }
    return i > 0 && eat(buf, len, &i, " TransitGateway ");
}

static const struct other_log {
    const char *name;
    bool (*match)(const char *buf, size_t len);
    bool cwl; /* also delivered to CloudWatch Logs: looked for after an export's time */
} others[] = {
    {"CloudTrail digest", ct_digest, false},
    {"AWS Config", config, false},
    {"Elastic Load Balancing access log", elb, false},
    {"Elastic Load Balancing connection log", alb_connection, false},
    {"S3 server access log", s3_access, false},
    {"CloudFront access log", cloudfront, false},
    {"AWS WAF log", waf, true},
    {"AWS Network Firewall log", network_firewall, true},
    {"GuardDuty findings", guardduty, false},
    {"Route 53 public DNS query log", r53_public, true},
    {"Transit Gateway flow log", tgw_flow, true},
};

static const char *match(const char *buf, size_t len, bool exported)
{
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        if ((!exported || others[i].cwl) && others[i].match(buf, len)) {
            return others[i].name;
        }
    }
    return NULL;
}

const char *cm_parse_other_log(const char *buf, size_t len)
{
    const char *name = match(buf, len, false);
    size_t k;

    if (name == NULL && (k = cm_parse_cwl_prefix(buf, len, 0)) > 0) {
        /* A CloudWatch Logs export task's file: "<time> <message>" a line. Only the logs
         * that go to CloudWatch Logs: what else follows such a time may be a source in a
         * shape no parser took (custom-format flow logs without --flow-fields). */
        name = match(buf + k, len - k, true);
    }
    return name;
}

const struct cm_parser *cm_parse_source_after_other(const char *buf, size_t len)
{
    /* Where a CloudTrail file, an EventBridge event of a call, a record on its own line,
     * or a Resolver record starts: never inside the other logs named above. */
    if (holds(buf, len, CM_PARSE_CT_MARK) || holds(buf, len, "\"AWS API Call via CloudTrail\"") ||
        holds(buf, len, "\n{\"eventVersion\":")) {
        return &cm_parser_cloudtrail;
    }
    if (holds(buf, len, "\n{\"version\":\"1.100000\"")) {
        return &cm_parser_dns;
    }
    return NULL;
}
