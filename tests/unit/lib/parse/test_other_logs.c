/*
 * Unit tests for the recognition of AWS logs coalmine does not read
 * (cm_parse_other_log, lib/parse/other_logs.c): each kind by the name it is
 * skipped under (CloudTrail digest files, AWS Config history and snapshot
 * files, ALB/NLB/Classic load balancer access logs and the access-log test
 * file, ALB connection logs, S3 server access logs, CloudFront standard
 * logs, AWS WAF logs, AWS Network Firewall logs, GuardDuty findings, Route 53 public DNS query
 * logs, header-less Transit Gateway flow logs), then near misses that must stay unrecognised: the
 * four sources coalmine reads, other text and JSON, each matcher's shape broken in one place, every
 * cut of every sample (no crash, no other name), and lines of other logs that look like a Classic
 * load balancer's. A CloudWatch Logs export task's time prefix before a line is stepped over. The
 * samples are written from the formats AWS documents, with documentation accounts and addresses.
 * Inputs live in exactly-sized heap buffers so ASan catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

/* The names the module skips inputs under. */
#define N_DIGEST "CloudTrail digest"
#define N_CONFIG "AWS Config"
#define N_ELB    "Elastic Load Balancing access log"
#define N_CONN   "Elastic Load Balancing connection log"
#define N_S3     "S3 server access log"
#define N_CF     "CloudFront access log"
#define N_WAF    "AWS WAF log"
#define N_NFW    "AWS Network Firewall log"
#define N_GD     "GuardDuty findings"
#define N_R53    "Route 53 public DNS query log"

/* An ALB line after its type: time, load balancer, client, target, ... */
#define ALB_REST                                                                                   \
    " 2026-11-01T08:15:50.123456Z app/web-alb/5d0c6e4b3a291f87 192.0.2.10:41234 "                  \
    "10.0.1.20:443 0.001 0.012 0.000 200 200 310 2145 \"GET "                                      \
    "https://shop.example.com:443/cart HTTP/1.1\" \"Mozilla/5.0 (X11; Linux x86_64)\" "            \
    "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "                                                         \
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web-tg/1a2b3c4d5e6f7081 "     \
    "\"Root=1-6543a1b2-0123456789abcdef01234567\" \"shop.example.com\" "                           \
    "\"arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\" 0 "   \
    "2026-11-01T08:15:50.110000Z \"forward\" \"-\" \"-\" \"10.0.1.20:443\" \"200\" \"-\" \"-\" "   \
    "TID_0123456789abcdef0123456789abcdef\n"

#define NLB_LINE                                                                                   \
    "tls 2.0 2026-11-01T08:15:50 net/api-nlb/7c3e9a1b2d4f6058 a1b2c3d4e5f60718 "                   \
    "198.51.100.7:51341 10.0.2.15:443 5 14 3154 1721 - "                                           \
    "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9 - "       \
    "ECDHE-RSA-AES128-SHA tlsv12 - api.example.com - - - 2026-11-01T08:15:45\n"

#define CLASSIC_LINE                                                                               \
    "2026-11-01T08:15:50.945958Z legacy-elb 192.0.2.44:2817 10.0.0.1:80 0.000073 0.001048 "        \
    "0.000057 200 200 0 29 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/8.4.0\" - -\n"

#define ELB_TEST_FILE "Enable AccessLog for ELB: web-alb"

/* A canonical user ID: 64 lowercase hex digits. */
#define OWNER64                                                                                    \
    "7e1d2c3b4a5968f7"                                                                             \
    "e6d5c4b3a2918070"                                                                             \
    "0f1e2d3c4b5a6978"                                                                             \
    "8796a5b4c3d2e1f0"

#define S3_LINE                                                                                    \
    OWNER64                                                                                        \
    " amzn-s3-demo-bucket [01/Nov/2026:08:15:50 +0000] 192.0.2.3 "                                 \
    "arn:aws:iam::111122223333:user/alice 3E57427F3EXAMPLE REST.GET.OBJECT photos/cat.jpg "        \
    "\"GET /amzn-s3-demo-bucket/photos/cat.jpg?versionId=1 HTTP/1.1\" 200 - 113 113 7 6 "          \
    "\"-\" \"aws-cli/2.15.0\" - "                                                                  \
    "q2fJH0fDz4y9vEXAMPLEhostid0123456789abcdefghijABCDEFGHIJ= SigV4 "                             \
    "ECDHE-RSA-AES128-GCM-SHA256 AuthHeader "                                                      \
    "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com TLSv1.2 - -\n"

#define CF_FIELDS                                                                                  \
    "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem "             \
    "sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type "             \
    "x-edge-request-id x-host-header cs-protocol cs-bytes time-taken"
#define CF_RECORD                                                                                  \
    "2026-11-01\t08:15:50\tIAD89-C1\t2390\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t"      \
    "/index.html\t200\t-\tMozilla/5.0\t-\t-\tHit\tEXAMPLErequestid0123==\twww.example.com\t"       \
    "https\t173\t0.002"
#define CF_FILE "#Version: 1.0\n" CF_FIELDS "\n" CF_RECORD "\n"

#define WAF_LINE                                                                                   \
    "{\"timestamp\":1793520950235,\"formatVersion\":1,\"webaclId\":"                               \
    "\"arn:aws:wafv2:us-east-1:111122223333:regional/webacl/shop-acl/"                             \
    "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\",\"terminatingRuleId\":\"Default_Action\","             \
    "\"terminatingRuleType\":\"REGULAR\",\"action\":\"ALLOW\",\"terminatingRuleMatchDetails\":[]," \
    "\"httpSourceName\":\"ALB\",\"httpSourceId\":\"111122223333-app/web-alb/5d0c6e4b3a291f87\","   \
    "\"ruleGroupList\":[],\"rateBasedRuleList\":[],\"nonTerminatingMatchingRules\":[],"            \
    "\"httpRequest\":{\"clientIp\":\"192.0.2.55\",\"country\":\"US\",\"headers\":[{\"name\":"      \
    "\"Host\",\"value\":\"shop.example.com\"}],\"uri\":\"/\",\"args\":\"\",\"httpVersion\":"       \
    "\"HTTP/"                                                                                      \
    "1.1\",\"httpMethod\":\"GET\",\"requestId\":\"1-6543a1b2-0123456789abcdef01234567\"}}\n"

#define GD_ARN                                                                                     \
    "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/"  \
    "3ec5d8a2b1f04e6c9a7b8d0e1f2a3b4c"
#define GD_LINE                                                                                    \
    "{\"schemaVersion\":\"2.0\",\"accountId\":\"111122223333\",\"region\":\"us-east-1\","          \
    "\"partition\":\"aws\",\"id\":\"3ec5d8a2b1f04e6c9a7b8d0e1f2a3b4c\",\"arn\":\"" GD_ARN "\","    \
    "\"type\":\"Recon:EC2/PortProbeUnprotectedPort\",\"resource\":{\"resourceType\":"              \
    "\"Instance\",\"instanceDetails\":{\"instanceId\":\"i-0123456789abcdef0\"}},\"service\":{"     \
    "\"serviceName\":\"guardduty\",\"detectorId\":\"12abc34d567e8fa901bc2d34e56789f0\","           \
    "\"archived\":false,\"count\":3},\"severity\":2,\"createdAt\":\"2026-11-01T08:15:50.235Z\","   \
    "\"updatedAt\":\"2026-11-01T08:20:11.004Z\",\"title\":\"Unprotected port on EC2 instance "     \
    "i-0123456789abcdef0 is being probed.\",\"description\":\"EC2 instance has an unprotected "    \
    "port which is being probed by a known malicious host.\"}\n"

/* `aws guardduty get-findings` as the CLI prints it: pretty, members named as in its model. */
#define GD_CLI                                                                                     \
    "{\n"                                                                                          \
    "    \"Findings\": [\n"                                                                        \
    "        {\n"                                                                                  \
    "            \"AccountId\": \"111122223333\",\n"                                               \
    "            \"Arn\": \"" GD_ARN "\",\n"                                                       \
    "            \"CreatedAt\": \"2026-11-01T08:15:50.235Z\",\n"                                   \
    "            \"Description\": \"EC2 instance has an unprotected port.\",\n"                    \
    "            \"Id\": \"3ec5d8a2b1f04e6c9a7b8d0e1f2a3b4c\",\n"                                  \
    "            \"Partition\": \"aws\",\n"                                                        \
    "            \"Region\": \"us-east-1\",\n"                                                     \
    "            \"Resource\": {\n"                                                                \
    "                \"ResourceType\": \"Instance\"\n"                                             \
    "            },\n"                                                                             \
    "            \"SchemaVersion\": \"2.0\",\n"                                                    \
    "            \"Severity\": 2.0,\n"                                                             \
    "            \"Type\": \"Recon:EC2/PortProbeUnprotectedPort\"\n"                               \
    "        }\n"                                                                                  \
    "    ]\n"                                                                                      \
    "}\n"

#define CI_ITEM                                                                                    \
    "{\"configurationItemVersion\":\"1.3\",\"configurationItemCaptureTime\":"                      \
    "\"2026-11-01T08:15:50.235Z\",\"configurationStateId\":1793520950235,\"awsAccountId\":"        \
    "\"111122223333\",\"configurationItemStatus\":\"OK\",\"resourceType\":"                        \
    "\"AWS::EC2::SecurityGroup\",\"resourceId\":\"sg-0123456789abcdef0\",\"awsRegion\":"           \
    "\"us-east-1\",\"configuration\":{\"groupName\":\"web\"},\"relationships\":[],\"tags\":{}}"
#define CONFIG_HISTORY "{\"fileVersion\":\"1.0\",\"configurationItems\":[" CI_ITEM "]}"
#define CONFIG_SNAPSHOT                                                                            \
    "{\"fileVersion\":\"1.0\",\"configSnapshotId\":\"3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b\","      \
    "\"configurationItems\":[" CI_ITEM "]}"

#define DIGEST_FILE                                                                                \
    "{\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"2026-11-01T07:15:50Z\","             \
    "\"digestEndTime\":\"2026-11-01T08:15:50Z\",\"digestS3Bucket\":\"amzn-s3-demo-bucket\","       \
    "\"digestS3Object\":\"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/"            \
    "111122223333_CloudTrail-Digest_us-east-1_mgmt_us-east-1_20261101T081550Z.json.gz\","          \
    "\"digestPublicKeyFingerprint\":\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\","                         \
    "\"digestSignatureAlgorithm\":\"SHA256withRSA\",\"newestEventTime\":"                          \
    "\"2026-11-01T08:14:59Z\",\"oldestEventTime\":\"2026-11-01T07:16:02Z\","                       \
    "\"previousDigestS3Bucket\":null,\"previousDigestS3Object\":null,"                             \
    "\"previousDigestHashValue\":null,\"previousDigestHashAlgorithm\":null,"                       \
    "\"previousDigestSignature\":null,\"logFiles\":[{\"s3Bucket\":\"amzn-s3-demo-bucket\","        \
    "\"s3Object\":\"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/x.json.gz\","             \
    "\"hashValue\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","          \
    "\"hashAlgorithm\":\"SHA-256\",\"newestEventTime\":\"2026-11-01T08:14:59Z\","                  \
    "\"oldestEventTime\":\"2026-11-01T07:16:02Z\"}]}"

#define R53_LINE                                                                                   \
    "1.0 2026-11-01T08:15:50.235Z Z123412341234 example.com A NOERROR UDP IAD12 192.0.2.1 -"

/* The four sources coalmine reads. */
#define CT_REC                                                                                     \
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"accountId\":"             \
    "\"111122223333\",\"userName\":\"alice\"},\"eventTime\":\"2026-11-01T08:15:50Z\","             \
    "\"eventSource\":\"guardduty.amazonaws.com\",\"eventName\":\"GetFindings\",\"awsRegion\":"     \
    "\"us-east-1\",\"sourceIPAddress\":\"192.0.2.9\",\"requestParameters\":{\"detectorId\":"       \
    "\"12abc34d567e8fa901bc2d34e56789f0\"},\"resources\":[{\"ARN\":\"" GD_ARN "\"}],"              \
    "\"eventID\":\"0e7d0c4b-9c0f-4d0e-9b6c-1a2b3c4d5e6f\",\"eventType\":\"AwsApiCall\","           \
    "\"recipientAccountId\":\"111122223333\"}"
#define FLOW_HEADER                                                                                \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "      \
    "start end action log-status\n"
#define FLOW_REC                                                                                   \
    "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.0.5 198.51.100.9 50000 443 6 10 840 "               \
    "1793520950 1793521010 ACCEPT OK\n"
#define DNS_REC                                                                                    \
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","          \
    "\"vpc_id\":\"vpc-0abc\",\"query_timestamp\":\"2026-11-01T08:15:50Z\",\"query_name\":"         \
    "\"example.com.\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\","          \
    "\"answers\":[],\"srcaddr\":\"10.0.0.5\",\"srcport\":\"5353\",\"transport\":\"UDP\","          \
    "\"srcids\":{\"instance\":\"i-0123456789abcdef0\"}}\n"

/* cm_parse_other_log on the first n bytes of text, copied to an exactly-sized heap buffer. */
static const char *other_n(const char *text, size_t n)
{
    char *buf = malloc(n ? n : 1);
    const char *name;

    assert_non_null(buf);
    memcpy(buf, text, n);
    name = cm_parse_other_log(buf, n);
    free(buf);
    return name;
}

static const char *other(const char *text)
{
    return other_n(text, strlen(text));
}

/* text is recognised as want. */
static void is_kind(const char *text, const char *want)
{
    const char *got = other(text);

    if (got == NULL) {
        fail_msg("not recognised, want \"%s\": %.80s", want, text);
    }
    assert_string_equal(got, want);
}

/* text is not recognised. */
static void is_none(const char *text)
{
    const char *got = other(text);

    if (got != NULL) {
        fail_msg("recognised as \"%s\", want none: %.80s", got, text);
    }
}

/* --- each kind ------------------------------------------------------------------------------ */

static void test_ct_digest(void **state)
{
    (void)state;
    is_kind(DIGEST_FILE, N_DIGEST);
    /* Pretty-printed, as a user may have saved one. */
    is_kind(
        "{\n  \"awsAccountId\": \"111122223333\",\n  \"digestStartTime\": "
        "\"2026-11-01T07:15:50Z\",\n  \"digestEndTime\": \"2026-11-01T08:15:50Z\",\n"
        "  \"digestS3Bucket\": \"amzn-s3-demo-bucket\",\n  \"digestS3Object\": \"x.json.gz\"\n}\n",
        N_DIGEST);
}

static void test_config(void **state)
{
    (void)state;
    is_kind(CONFIG_HISTORY, N_CONFIG);
    is_kind(CONFIG_SNAPSHOT, N_CONFIG);
    /* A snapshot with no items yet, and a history file with whitespace. */
    is_kind("{\"fileVersion\":\"1.0\",\"configSnapshotId\":\"3f1c2b4a\"}", N_CONFIG);
    is_kind(" \n{ \"fileVersion\" : \"1.0\",\n  \"configurationItems\" : [ ] }\n", N_CONFIG);
}

static void test_alb(void **state)
{
    static const char *const types[] = {"http", "https", "h2", "grpcs", "ws", "wss"};
    char line[2048];

    (void)state;
    for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
        int n = snprintf(line, sizeof(line), "%s%s", types[k], ALB_REST);

        assert_true(n > 0 && (size_t)n < sizeof(line));
        is_kind(line, N_ELB);
    }
    /* Types ALB does not write, or written otherwise. */
    is_none("HTTPS" ALB_REST);
    is_none("grpc" ALB_REST);
    is_none("tcp" ALB_REST);
    is_none("https  2026-11-01T08:15:50.123456Z app/web-alb/5d0c6e4b3a291f87 192.0.2.10:1 -\n");
}

static void test_nlb(void **state)
{
    (void)state;
    is_kind(NLB_LINE, N_ELB);
    /* Another log version. */
    is_kind("tls 1.0 2026-11-01T08:15:50 net/api-nlb/7c3e9a1b2d4f6058 a1b2 198.51.100.7:1 "
            "10.0.2.15:443 5\n",
            N_ELB);
}

static void test_classic_elb(void **state)
{
    (void)state;
    is_kind(CLASSIC_LINE, N_ELB);
    /* A TCP listener's line: no request, its fields "-". */
    is_kind("2026-11-01T08:15:50.001069Z legacy-elb 192.0.2.44:2817 10.0.0.1:80 0.001069 "
            "0.000028 0.000041 - - 82 305 \"- - - \" \"-\" - -\n",
            N_ELB);
    /* No back end took the request. */
    is_kind("2026-11-01T08:15:50.945958Z legacy-elb 192.0.2.44:2817 - -1 -1 -1 503 0 0 0 "
            "\"GET http://www.example.com:80/ HTTP/1.1\" \"curl/8.4.0\" - -\n",
            N_ELB);
    /* An IPv6 client (dualstack). */
    is_kind("2026-11-01T08:15:50.945958Z legacy-elb [2001:db8::1]:2817 10.0.0.1:80 0.000073 "
            "0.001048 0.000057 200 200 0 29 \"GET http://www.example.com:80/ HTTP/1.1\" - - -\n",
            N_ELB);
}

/* ALB connection logs (conn_log): client address and port are two tokens, then the listener's. */
static void test_alb_connection(void **state)
{
    (void)state;
    is_kind("2026-11-01T08:15:50.123456Z 192.0.2.10 41234 443 TLSv1.2 "
            "ECDHE-RSA-AES128-GCM-SHA256 4.036 \"-\" - - - - Success - "
            "TID_0123456789abcdef0123456789abcdef\n",
            N_CONN);
    is_kind("2026-11-01T08:15:50.123456Z [2001:db8::10] 41234 443 - - - \"-\" - - - - "
            "Failed:UnknownCA - TID_0123\n",
            N_CONN);
}

static void test_elb_test_file(void **state)
{
    (void)state;
    is_kind(ELB_TEST_FILE, N_ELB);
    is_kind(ELB_TEST_FILE "\n", N_ELB);
    /* Only at the start. */
    is_none("note: " ELB_TEST_FILE);
}

static void test_s3_access(void **state)
{
    (void)state;
    is_kind(S3_LINE, N_S3);
    /* Two lines, the second a different requester. */
    is_kind(S3_LINE OWNER64 " amzn-s3-demo-bucket [01/Nov/2026:08:15:51 +0000] 192.0.2.4 - "
                            "3E57427F3EXAMPLF REST.HEAD.BUCKET - \"HEAD / HTTP/1.1\" 403 - - - "
                            "1 - \"-\" \"curl/8.4.0\" - x= - - - - - -\n",
            N_S3);
}

static void test_cloudfront(void **state)
{
    (void)state;
    is_kind(CF_FILE, N_CF);
    is_kind("#Version: 1.0\r\n" CF_FIELDS "\r\n" CF_RECORD "\r\n", N_CF);
    /* A file with the header only (no requests in that hour's part). */
    is_kind("#Version: 1.0\n" CF_FIELDS "\n", N_CF);
}

static void test_waf(void **state)
{
    (void)state;
    is_kind(WAF_LINE, N_WAF);
    is_kind(WAF_LINE WAF_LINE, N_WAF);
}

/* AWS Network Firewall's alert and flow logs, as AWS documents their records. Before
 * 2026-12-05 they were rejected files, "unrecognised format". */
#define NFW_ALERT                                                                                  \
    "{\"firewall_name\":\"egress-fw\",\"availability_zone\":\"us-east-1b\",\"event_timestamp\":"   \
    "\"1793520950\",\"event\":{\"timestamp\":\"2026-11-01T08:15:50.006481+0000\",\"flow_id\":"     \
    "1582438383425873,\"event_type\":\"alert\",\"src_ip\":\"10.0.1.20\",\"src_port\":55555,"       \
    "\"dest_ip\":\"192.0.2.16\",\"dest_port\":443,\"proto\":\"TCP\",\"alert\":{\"action\":"        \
    "\"blocked\",\"signature_id\":5,\"rev\":0,\"signature\":\"Blocked\",\"category\":\"\","        \
    "\"severity\":1}}}\n"
#define NFW_FLOW                                                                                   \
    "{\"firewall_name\":\"egress-fw\",\"availability_zone\":\"us-east-1b\",\"event_timestamp\":"   \
    "\"1793520950\",\"event\":{\"timestamp\":\"2026-11-01T08:15:50.006481+0000\",\"flow_id\":1,"   \
    "\"event_type\":\"netflow\",\"src_ip\":\"10.0.1.20\",\"src_port\":55555,\"dest_ip\":"          \
    "\"192.0.2.16\",\"dest_port\":443,\"proto\":\"TCP\",\"netflow\":{\"pkts\":3,\"bytes\":180,"    \
    "\"start\":\"2026-11-01T08:15:50.000000+0000\",\"end\":\"2026-11-01T08:15:51.000000+0000\","   \
    "\"age\":1,\"min_ttl\":64,\"max_ttl\":64}}}\n"

static void test_network_firewall(void **state)
{
    (void)state;
    is_kind(NFW_ALERT, N_NFW);
    is_kind(NFW_FLOW NFW_ALERT, N_NFW);
    is_kind("2026-11-01T08:15:51.000Z " NFW_FLOW, N_NFW);
}

static void test_guardduty(void **state)
{
    (void)state;
    /* A finding as the S3 export writes them, one a line. */
    is_kind(GD_LINE, N_GD);
    is_kind(GD_LINE GD_LINE, N_GD);
    /* A page of findings with the API's member names (coalmine's own `findings get`). */
    is_kind("{\"findings\":[" GD_LINE "]}", N_GD);
    is_kind("{\"Findings\":[" GD_LINE "]}", N_GD);
    /* `aws guardduty get-findings` as the CLI prints it: "SchemaVersion" comes late. */
    is_kind(GD_CLI, N_GD);
}

static void test_r53_public(void **state)
{
    (void)state;
    is_kind(R53_LINE, N_R53);
    is_kind(R53_LINE "\n" R53_LINE "\n", N_R53);
    is_kind("1.0 2026-11-01T08:15:50.235Z Z0987654321ABCDEFGHIJ www.example.com AAAA NXDOMAIN "
            "TCP FRA56-C1 2001:db8::5 198.51.100.0/24\n",
            N_R53);
}

/* --- near misses ---------------------------------------------------------------------------- */

static void test_sources_coalmine_reads(void **state)
{
    (void)state;
    is_none("{\"Records\":[" CT_REC "]}");
    is_none(CT_REC "\n");
    is_none(FLOW_HEADER);
    is_none(FLOW_HEADER FLOW_REC);
    is_none(FLOW_REC);
    is_none(DNS_REC);
    /* A CloudWatch Logs export task's lines: "<time> <message>". */
    is_none("2025-03-04T10:00:00.000Z " DNS_REC);
    is_none("2025-03-04T10:00:00.000Z {\"a\": 1, \"b\": \"192.0.2.1:80\"}\n");
    is_none("2025-03-04T10:00:00.000Z " FLOW_REC);
    is_none("2025-03-04T10:00:00.000000+00:00 eni-0a1b2c3d4e5f60718-all " FLOW_REC);
}

static void test_text(void **state)
{
    (void)state;
    is_none("");
    is_none("\n");
    is_none("The quick brown fox jumps over the lazy dog.\n");
    is_none("{}");
    is_none("[]");
    is_none("{\"");
    is_none("1.0");
    is_none("#Version: 1.0");
    is_none("tls ");
    is_none("https ");
}

static void test_json_first_key(void **state)
{
    (void)state;
    /* Each JSON kind's keys, but another member first. */
    is_none("{\"x\":1,\"fileVersion\":\"1.0\",\"configurationItems\":[]}");
    is_none("{\"x\":1,\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"t\","
            "\"digestS3Object\":\"o\"}");
    is_none("{\"x\":1,\"timestamp\":1,\"formatVersion\":1,\"webaclId\":\"w\"}");
    /* A key that only begins with the name. */
    is_none("{\"fileVersions\":\"1.0\",\"configurationItems\":[]}");
    is_none("{\"timestampMs\":1,\"formatVersion\":1,\"webaclId\":\"w\"}");
    /* The first key right, the others missing. */
    is_none("{\"fileVersion\":\"1.0\"}");
    is_none("{\"fileVersion\":\"1.0\",\"items\":[]}");
    is_none("{\"awsAccountId\":\"111122223333\",\"digestStartTime\":\"t\"}");
    is_none("{\"awsAccountId\":\"111122223333\",\"previousDigestS3Object\":\"o\","
            "\"digestStartTime\":\"t\"}");
    is_none("{\"timestamp\":1,\"formatVersion\":1}");
    is_none("{\"timestamp\":1,\"webaclId\":\"w\"}");
    /* Not an object. */
    is_none("[{\"fileVersion\":\"1.0\",\"configurationItems\":[]}]");
    is_none("\"fileVersion\":\"1.0\",\"configurationItems\":[]");
}

static void test_guardduty_near(void **state)
{
    (void)state;
    /* A schema version but another service's ARN, or the ARN without a schema version. */
    is_none("{\"schemaVersion\":\"2.0\",\"arn\":\"arn:aws:securityhub:us-east-1:111122223333:"
            "hub/default\"}");
    is_none("{\"accountId\":\"111122223333\",\"arn\":\"" GD_ARN "\"}");
    /* Security Hub's format of a GuardDuty finding (ASFF). */
    is_none("{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"" GD_ARN "\",\"ProductArn\":"
            "\"arn:aws:securityhub:us-east-1::product/aws/guardduty\"}");
    /* Not an object at the start. */
    is_none("[" GD_LINE "]");
    is_none("schemaVersion \"arn:aws:guardduty:us-east-1\n");
}

static void test_s3_near(void **state)
{
    (void)state;
    /* 63 and 65 hex digits. */
    is_none("7e1d2c3b4a5968f7e6d5c4b3a29180700f1e2d3c4b5a69788796a5b4c3d2e1f "
            "amzn-s3-demo-bucket [01/Nov/2026:08:15:50 +0000] 192.0.2.3 -\n");
    is_none(OWNER64 "a amzn-s3-demo-bucket [01/Nov/2026:08:15:50 +0000] 192.0.2.3 -\n");
    /* Upper-case hex, no bucket, no time. */
    is_none("7E1D2C3B4A5968F7E6D5C4B3A29180700F1E2D3C4B5A69788796A5B4C3D2E1F0 "
            "amzn-s3-demo-bucket [01/Nov/2026:08:15:50 +0000] 192.0.2.3 -\n");
    is_none(OWNER64 " [01/Nov/2026:08:15:50 +0000] 192.0.2.3 -\n");
    is_none(OWNER64 " amzn-s3-demo-bucket 01/Nov/2026:08:15:50 +0000 192.0.2.3 -\n");
    is_none(OWNER64 " amzn-s3-demo-bucket [Nov/01/2026:08:15:50 +0000] 192.0.2.3 -\n");
    /* A SHA-256 and a name, as a checksum list has them. */
    is_none(OWNER64 "  backup.tar.gz\n");
}

static void test_elb_near(void **state)
{
    (void)state;
    /* ALB without app/, NLB without net/ or its version, time not ISO. */
    is_none("https 2026-11-01T08:15:50.123456Z web-alb/5d0c6e4b3a291f87 192.0.2.10:41234 -\n");
    is_none("https 2026-11-01T08:15:50.123456Z net/web-nlb/5d0c6e4b3a291f87 192.0.2.10:1 -\n");
    is_none("tls 2.0 2026-11-01T08:15:50 app/api-nlb/7c3e9a1b2d4f6058 a1b2 198.51.100.7:1 -\n");
    is_none("tls 2026-11-01T08:15:50 net/api-nlb/7c3e9a1b2d4f6058 a1b2 198.51.100.7:1 -\n");
    is_none("https 2026/11/01T08:15:50Z app/web-alb/5d0c6e4b3a291f87 192.0.2.10:41234 -\n");
    is_none("https 1793520950 app/web-alb/5d0c6e4b3a291f87 192.0.2.10:41234 -\n");
    /* Classic's third token not address:port. */
    is_none("2026-11-01T08:15:50.945958Z legacy-elb client 10.0.0.1:80 0.000073\n");
    is_none("2026-11-01T08:15:50.945958Z legacy-elb 192.0.2.44 10.0.0.1:80 0.000073\n");
    is_none("2026-11-01T08:15:50.945958Z legacy-elb 192.0.2.44: 10.0.0.1:80 0.000073\n");
    is_none("2026-11-01T08:15:50.945958Z legacy-elb :2817 10.0.0.1:80 0.000073\n");
    is_none("2026-11-01T08:15:50.945958Z legacy-elb 192.0.2.44:2817\n");
    is_none("2026-11-01T08:15:50.945958Z legacy-elb\n192.0.2.44:2817 10.0.0.1:80 0.000073\n");
    /* A Lambda line (tab-separated) and an application's. */
    is_none("2026-11-01T08:15:50.123Z\t3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b\tINFO\tstarted\n");
    is_none("2026-11-01T08:15:50Z INFO connected to db.example.com:5432\n");
    /* An ALB connection log's shape broken: no listener port, a word for the protocol. */
    is_none("2026-11-01T08:15:50.123456Z 192.0.2.10 41234 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256\n");
    is_none("2026-11-01T08:15:50.123456Z 192.0.2.10 41234 443 tls ECDHE-RSA-AES128-GCM-SHA256\n");
    is_none("2026-11-01T08:15:50.123456Z 192.0.2.10 412345 443 TLSv1.2 x\n");
    /* Access-log test file text, cut before its name. */
    is_none("Enable AccessLog for ELB:");
}

static void test_cloudfront_near(void **state)
{
    (void)state;
    is_none("#Version: 1.0\n");
    is_none("#Version: 1.0\n#Date: 2026-11-01 08:15:50\n#Fields: date time s-ip cs-method "
            "cs-uri-stem\n");
    /* IIS (W3C extended) begins with its software line. */
    is_none("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n" CF_FIELDS
            "\n");
    /* The fields line without the version line before it. */
    is_none(CF_FIELDS "\n" CF_RECORD "\n");
    /* The fields text not at a line start. */
    is_none("#Version: 1.0 " CF_FIELDS "\n");
}

static void test_r53_near(void **state)
{
    (void)state;
    is_none("1.0 2026-11-01T08:15:50.235Z 123412341234 example.com A NOERROR UDP IAD12 "
            "192.0.2.1 -");
    is_none("1.0 2026-11-01 08:15:50.235Z Z123412341234 example.com A NOERROR UDP IAD12 "
            "192.0.2.1 -");
    is_none("1.1 2026-11-01T08:15:50.235Z Z123412341234 example.com A NOERROR UDP IAD12 "
            "192.0.2.1 -");
    is_none("1.0 2026-11-01T08:15:50.235Z Z123412341234");
    is_none("1.0 2026-11-01T08:15:50.235Z Z123412341234\nexample.com A\n");
}

/* A NULL buffer of no bytes is no log (nothing is read). */
static void test_null_empty(void **state)
{
    (void)state;
    assert_null(cm_parse_other_log(NULL, 0));
}

/* --- cuts ----------------------------------------------------------------------------------- */

/* Every cut of every sample: no crash, no read past the end (ASan), no other name. */
static void test_every_cut(void **state)
{
    static const struct {
        const char *text, *name;
    } samples[] = {
        {DIGEST_FILE, N_DIGEST},
        {CONFIG_HISTORY, N_CONFIG},
        {CONFIG_SNAPSHOT, N_CONFIG},
        {"https" ALB_REST, N_ELB},
        {"grpcs" ALB_REST, N_ELB},
        {NLB_LINE, N_ELB},
        {CLASSIC_LINE, N_ELB},
        {"2026-11-01T08:15:50.945958Z legacy-elb [2001:db8::1]:2817 - -1\n", N_ELB},
        {ELB_TEST_FILE, N_ELB},
        {S3_LINE, N_S3},
        {CF_FILE, N_CF},
        {WAF_LINE, N_WAF},
        {NFW_ALERT, N_NFW},
        {NFW_FLOW, N_NFW},
        {GD_LINE, N_GD},
        {"{\"findings\":[" GD_LINE "]}", N_GD},
        {R53_LINE, N_R53},
    };

    (void)state;
    for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
        size_t len = strlen(samples[s].text);

        is_kind(samples[s].text, samples[s].name);
        for (size_t n = 0; n < len; n++) {
            const char *got = other_n(samples[s].text, n);

            if (got != NULL && strcmp(got, samples[s].name) != 0) {
                fail_msg("sample %zu cut at %zu: \"%s\", want \"%s\" or none", s, n, got,
                         samples[s].name);
            }
        }
    }
}

/* Cuts right at each matcher's boundaries: the shortest inputs that match, one byte less. */
static void test_cut_boundaries(void **state)
{
    (void)state;
    assert_null(other_n(ELB_TEST_FILE, 25));
    assert_string_equal(other_n(ELB_TEST_FILE, 26), N_ELB);
    /* Both endpoints, each ending in a space. */
    assert_null(other_n(CLASSIC_LINE, strlen("2026-11-01T08:15:50.945958Z legacy-elb "
                                             "192.0.2.44:2817 10.0.0.1:80")));
    assert_non_null(other_n(CLASSIC_LINE, strlen("2026-11-01T08:15:50.945958Z legacy-elb "
                                                 "192.0.2.44:2817 10.0.0.1:80 ")));
    assert_string_equal(other_n(CLASSIC_LINE, strlen("2026-11-01T08:15:50.945958Z legacy-elb "
                                                     "192.0.2.44:2817 10.0.0.1:80 ")),
                        N_ELB);
    assert_null(other_n(S3_LINE, 64 + strlen(" amzn-s3-demo-bucket [01/")));
    assert_string_equal(other_n(S3_LINE, 64 + strlen(" amzn-s3-demo-bucket [01/N")), N_S3);
    assert_null(other_n(R53_LINE, strlen("1.0 2026-11-01T08:15:50.235Z Z123412341234")));
    assert_string_equal(other_n(R53_LINE, strlen("1.0 2026-11-01T08:15:50.235Z Z123412341234 ")),
                        N_R53);
    assert_null(other_n(NLB_LINE, strlen("tls 2.0 2026-11-01T08:15:50 net")));
    assert_string_equal(other_n(NLB_LINE, strlen("tls 2.0 2026-11-01T08:15:50 net/")), N_ELB);
    assert_null(other_n(CF_FILE, strlen("#Version: 1.0\n#Fields: date time x-edge-locatio")));
    assert_string_equal(
        other_n(CF_FILE, strlen("#Version: 1.0\n#Fields: date time x-edge-location")), N_CF);
}

/* A match looks at the first 4096 bytes only: a member after them does not count. */
static void test_head_window(void **state)
{
    char *buf;
    size_t pad = 5000, n;
    static const char head[] = "{\"fileVersion\":\"1.0\",\"pad\":\"";
    static const char tail[] = "\",\"configurationItems\":[]}";

    (void)state;
    n = strlen(head) + pad + strlen(tail);
    buf = malloc(n + 1);
    assert_non_null(buf);
    memcpy(buf, head, strlen(head));
    memset(buf + strlen(head), 'x', pad);
    memcpy(buf + strlen(head) + pad, tail, strlen(tail) + 1);
    assert_null(other(buf));
    /* Within the window it counts. */
    memmove(buf + strlen(head) + 100, tail, strlen(tail) + 1);
    assert_string_equal(other(buf), N_CONFIG);
    free(buf);
}

/* Transit Gateway flow logs without a header line (a header makes them the flow parser's). */
static void test_tgw_flow(void **state)
{
    (void)state;
    is_kind("6 TransitGateway 111122223333 tgw-0a1b2c3d4e5f60001 tgw-attach-0a1b2c3d4e5f60001 "
            "10.0.1.5 10.0.2.9 49152 22 6 10 840 1741082400 1741082459 OK\n",
            "Transit Gateway flow log");
    is_none("6 TransitGatewayX 111122223333\n");
    is_none("six TransitGateway 111122223333\n");
    is_none("1234 TransitGateway 111122223333\n");
    is_none("6  TransitGateway 111122223333\n");
}

/* --- lookalikes and export files -------------------------------------------------------------- */

/*
 * Lines of other logs shaped like a Classic load balancer's ("<ISO time>
 * <word> <...>"), which the first matcher took: a time of day passed for
 * address:port, "-" for the client, a tab-separated Lambda line. Each line
 * here is named, and all are reported before the test fails.
 */
static void test_classic_elb_lookalikes(void **state)
{
    static const char *const lines[] = {
        /* EKS control plane (klog) lines in a CloudWatch Logs export task's file. */
        "2026-11-01T08:15:50.000Z I1101 08:15:50.123456      10 httplog.go:132] \"HTTP\" "
        "verb=\"GET\" URI=\"/readyz\" latency=\"1.2ms\"\n",
        /* A Lambda function's line (the message from its second word on is free text). */
        "2026-11-01T08:15:50.123Z\t3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b\tINFO\tListening on "
        "0.0.0.0:8080 now\n",
        /* An application's line: time, host, "-", message. */
        "2026-11-01T08:15:50.000Z worker-3 - job 42 finished\n",
        /* Time, level, time of day. */
        "2026-11-01T08:15:50Z INFO 08:15:50 scheduler tick\n",
    };
    int bad = 0;

    (void)state;
    for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
        const char *got = other(lines[k]);

        if (got != NULL) {
            print_message("misfire: \"%s\" for line %zu: %.*s\n", got, k,
                          (int)strcspn(lines[k], "\n"), lines[k]);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/*
 * Route 53 public DNS query logs exist only in CloudWatch Logs, so a file of
 * them in a bucket is mostly an export task's, each line "<time> <message>"
 * (the four sources' sniffers step over that prefix, cm_parse_cwl_prefix).
 */
static void test_export_task_prefix(void **state)
{
    (void)state;
    is_kind("2026-11-01T08:15:51.000Z " R53_LINE "\n", N_R53);
    is_kind("2026-11-01T08:15:51.000Z " WAF_LINE "\n", N_WAF);
    /* The prefix then a line of nothing we know. */
    is_none("2026-11-01T08:15:51.000Z hello world\n");
    /* Only logs that go to CloudWatch Logs are looked for after it: a custom-format flow log
     * exported without --flow-fields looks like an ALB connection log line, and must stay a
     * reject that says how to read it. */
    is_none("2026-01-05T00:00:00.000Z 10.0.1.5 49152 22 - 6 10 840 1767571200 1767571260 "
            "ACCEPT OK\n");
    is_none("2026-01-05T00:00:00.000Z " CLASSIC_LINE);
    is_none("2026-11-01T08:15:51.000Z ");
}

/* An input that starts as another log but holds a source's records after it is parsed. */
static void test_source_after_other(void **state)
{
    static const char *const ct[] = {
        CONFIG_SNAPSHOT "\n{\"Records\":[]}",
        GD_LINE "\n{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\"}\n",
        CONFIG_SNAPSHOT "\n{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-01-05T00:00:00Z\"}\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(ct) / sizeof(ct[0]); i++) {
        assert_ptr_equal(cm_parse_source_after_other(ct[i], strlen(ct[i])), &cm_parser_cloudtrail);
    }
    {
        static const char dns[] = WAF_LINE "\n{\"version\":\"1.100000\",\"account_id\":\"1\"}\n";
        assert_ptr_equal(cm_parse_source_after_other(dns, strlen(dns)), &cm_parser_dns);
    }
    /* The other logs alone. */
    assert_null(cm_parse_source_after_other(CONFIG_SNAPSHOT, strlen(CONFIG_SNAPSHOT)));
    assert_null(cm_parse_source_after_other(GD_LINE GD_LINE, strlen(GD_LINE GD_LINE)));
    assert_null(cm_parse_source_after_other(GD_CLI, strlen(GD_CLI)));
    assert_null(cm_parse_source_after_other(WAF_LINE WAF_LINE, strlen(WAF_LINE WAF_LINE)));
    assert_null(cm_parse_source_after_other("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct_digest),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_alb),
        cmocka_unit_test(test_nlb),
        cmocka_unit_test(test_classic_elb),
        cmocka_unit_test(test_alb_connection),
        cmocka_unit_test(test_elb_test_file),
        cmocka_unit_test(test_s3_access),
        cmocka_unit_test(test_cloudfront),
        cmocka_unit_test(test_waf),
        cmocka_unit_test(test_network_firewall),
        cmocka_unit_test(test_guardduty),
        cmocka_unit_test(test_r53_public),
        cmocka_unit_test(test_sources_coalmine_reads),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_json_first_key),
        cmocka_unit_test(test_guardduty_near),
        cmocka_unit_test(test_s3_near),
        cmocka_unit_test(test_elb_near),
        cmocka_unit_test(test_cloudfront_near),
        cmocka_unit_test(test_r53_near),
        cmocka_unit_test(test_null_empty),
        cmocka_unit_test(test_every_cut),
        cmocka_unit_test(test_cut_boundaries),
        cmocka_unit_test(test_head_window),
        cmocka_unit_test(test_tgw_flow),
        cmocka_unit_test(test_classic_elb_lookalikes),
        cmocka_unit_test(test_export_task_prefix),
        cmocka_unit_test(test_source_after_other),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
