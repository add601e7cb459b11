/*
 * Unit tests for EventBridge event patterns (lib/route/pattern.h): every
 * matcher with hits and near misses on a GuardDuty finding envelope (the
 * shape of spec/examples/eventbridge_envelope.json, trimmed by hand), arrays
 * on both sides and array-consistent matching of arrays of objects, $or,
 * escaped strings on both sides, very long strings and numbers, and every
 * rejection with its code, a piece of its reason and (mostly) its offset.
 *
 * Most tests are tables of one-line cases (MATCH_TEST, REJECT_TEST below).
 * Fixtures use single quotes for readability; js() turns them into JSON
 * (' -> "), so offsets into a fixture are offsets into the JSON. A JSON
 * escape is written "\\u0041" in C, an escaped quote "\\'". A pattern is
 * given either whole ("= {...}"), or as a path "a.b.c" and the value of c,
 * which expand() nests into {'a':{'b':{'c':value}}}.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "route/pattern.h"

/* A GuardDuty finding as EventBridge delivers it (trimmed; two interfaces, two tags). */
static const char EVENT[] =
    "{'version':'0','id':'af02477f-d4ae-f42c-3bba-d36e657497c5',"
    "'detail-type':'GuardDuty Finding','source':'aws.guardduty','account':'111122223333',"
    "'time':'2025-03-05T08:16:47Z','region':'us-east-1','resources':[],"
    "'detail':{'schemaVersion':'2.0','accountId':'111122223333','region':'us-east-1',"
    "'partition':'aws','id':'c8c4d7e0b3f24a6a9a1d2c3b4e5f6a7e',"
    "'type':'CryptoCurrency:EC2/BitcoinTool.B!DNS',"
    "'resource':{'resourceType':'Instance','instanceDetails':{"
    "'instanceId':'i-0a1b2c3d4e5f60718','instanceType':'t3.large','platform':null,"
    "'productCodes':[],'iamInstanceProfile':{"
    "'arn':'arn:aws:iam::111122223333:instance-profile/web-profile',"
    "'id':'AIPAEXAMPLEPROFILEID1'},"
    "'networkInterfaces':[{'networkInterfaceId':'eni-0123456789abcdef0',"
    "'privateIpAddress':'10.0.1.14','privateIpAddresses':[{'privateIpAddress':'10.0.1.14'},"
    "{'privateIpAddress':'10.0.1.15'}],'publicIp':'54.210.10.20','ipv6Addresses':[],"
    "'securityGroups':[{'groupId':'sg-0123456789abcdef0','groupName':'web-sg'}]},"
    "{'networkInterfaceId':'eni-0fedcba9876543210','privateIpAddress':'172.31.7.9',"
    "'ipv6Addresses':['2600:1f18:abcd::7'],"
    "'securityGroups':[{'groupId':'sg-0aaaabbbbccccdddd','groupName':'db-sg'}]}],"
    "'tags':[{'key':'Name','value':'web-01'},{'key':'env','value':'prod'}]}},"
    "'service':{'serviceName':'guardduty','detectorId':'12abc34d567e8fa901bc2d34e56789f0',"
    "'action':{'actionType':'DNS_REQUEST','dnsRequestAction':{'domain':'pool.minergate.com',"
    "'protocol':'UDP','blocked':false}},'resourceRole':'TARGET',"
    "'additionalInfo':{'threatListName':'ProofPoint','type':'default'},"
    "'evidence':{'threatIntelligenceDetails':[{'threatListName':'ProofPoint',"
    "'threatNames':[]}]},'eventFirstSeen':'2025-03-04T12:00:01.000Z','archived':false,"
    "'count':278},'severity':8,'createdAt':'2025-03-04T12:04:15.002Z',"
    "'title':'Bitcoin-related domain name queried by EC2 instance i-0a1b2c3d4e5f60718.',"
    "'description':'EC2 instance i-0a1b2c3d4e5f60718 is querying \\u0022pool.minergate.com"
    "\\u0022, a domain associated with Bitcoin.'}}";

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ID   "detail.resource.instanceDetails."
#define NI   ID "networkInterfaces."
#define DNS  "detail.service.action.dnsRequestAction.domain "
#define ROLE "detail.service.resourceRole "
#define SEV  "detail.severity "

/*
 * A test made of match cases, one string each: "+" (matches) or "-", a
 * path, a space, the value at the end of the path (the path "=" makes the
 * value the whole pattern), and optionally " | " and an event of its own
 * (otherwise the envelope).
 */
#define MATCH_TEST(name, ...)                                                                      \
    static void name(void **state)                                                                 \
    {                                                                                              \
        static const char *const c[] = {__VA_ARGS__};                                              \
        run(state, c, N(c));                                                                       \
    }

/*
 * A test made of patterns that must fail with CM_EINVAL: "path value ~ part
 * of the reason[ ~ text whose first occurrence the offset points at]".
 */
#define REJECT_TEST(name, ...)                                                                     \
    static void name(void **state)                                                                 \
    {                                                                                              \
        static const char *const c[] = {__VA_ARGS__};                                              \
        (void)state;                                                                               \
        rejects(c, N(c));                                                                          \
    }

struct fx {
    char *text; /* the document borrows it */
    struct cm_json_doc doc;
};

/* A heap copy of s with every ' turned into ". */
static char *js(const char *s)
{
    size_t n = strlen(s);
    char *o = cm_malloc(n + 1);

    assert_non_null(o);
    for (size_t i = 0; i <= n; i++) {
        o[i] = s[i] == '\'' ? '"' : s[i];
    }
    return o;
}

/* {"a":{"b":{"c":value}}} for path "a.b.c" (JSON text in, JSON text out); "=": value. */
static char *expand(const char *path, const char *value)
{
    size_t k = 0, segs = 0, cap = 6 * strlen(path) + strlen(value) + 16;
    char *t = cm_malloc(cap), *o = t;

    assert_non_null(t);
    if (strcmp(path, "=") == 0) {
        memcpy(t, value, strlen(value) + 1);
        return t;
    }
    while (path[k] != '\0') {
        size_t n = strcspn(path + k, ".");

        o += snprintf(o, cap - (size_t)(o - t), "{\"%.*s\":", (int)n, path + k);
        k += n + (path[k + n] == '.');
        segs++;
    }
    o += snprintf(o, cap - (size_t)(o - t), "%s", value);
    memset(o, '}', segs);
    o[segs] = '\0';
    return t;
}

static int setup(void **state)
{
    struct fx *f = cm_calloc(1, sizeof(*f));

    assert_non_null(f);
    f->text = js(EVENT);
    cm_json_doc_init(&f->doc, 0, 0);
    assert_int_equal(cm_json_parse(&f->doc, f->text, strlen(f->text), NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    cm_json_doc_finish(&f->doc);
    cm_free(f->text);
    cm_free(f);
    return 0;
}

/* Compiles JSON text of length n, failing the test with the diag on error. */
static struct cm_pattern *compile_n(const char *text, size_t n)
{
    struct cm_pattern *p = NULL;
    struct cm_diag dg;
    int rc = cm_pattern_compile(text, n, &p, &dg);

    if (rc != 0) {
        fail_msg("compile %.80s: %d at %zu: %s", text, rc, dg.offset, dg.msg);
    }
    assert_non_null(p);
    return p;
}

/* Compiles a single-quoted pattern given as path and value (see expand). */
static struct cm_pattern *compile_ok(const char *path, const char *value)
{
    char *v = js(value), *t = expand(path, v);
    struct cm_pattern *p = compile_n(t, strlen(t));

    cm_free(v);
    cm_free(t);
    return p;
}

/* Matches single-quoted event text through cm_pattern_match_json. */
static bool ev_match(const struct cm_pattern *p, const char *event)
{
    char *t = js(event);
    struct cm_diag dg;
    bool m = !false;

    assert_int_equal(cm_pattern_match_json(p, t, strlen(t), &m, &dg), 0);
    cm_free(t);
    return m;
}

/* Splits a case at its first space (path) and at sep (returned, or NULL). */
static char *split(char *line, char **path, const char *sep)
{
    char *sp = strchr(line, ' '), *s;

    assert_non_null(sp);
    *sp = '\0';
    *path = line;
    s = strstr(sp + 1, sep);
    if (s != NULL) {
        *s = '\0';
        s += strlen(sep);
    }
    return s;
}

static void run(void **state, const char *const *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *line = js(c[i] + 2), *path, *event = split(line, &path, " | "), *t;
        struct cm_pattern *p;
        bool m;

        t = expand(path, path + strlen(path) + 1);
        p = compile_n(t, strlen(t));
        m = event ? ev_match(p, event) : cm_pattern_match(p, &((struct fx *)*state)->doc, 0);
        if (m != (c[i][0] == '+')) {
            fail_msg("case %zu: %s: got %d", i, c[i], m);
        }
        cm_pattern_destroy(p);
        cm_free(t);
        cm_free(line);
    }
}

static void rejects(const char *const *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *line = js(c[i]), *path, *why = split(line, &path, " ~ "), *t, *at;
        struct cm_pattern *p = (struct cm_pattern *)&p;
        struct cm_diag dg;
        int rc;

        assert_non_null(why);
        at = strstr(why, " ~ ");
        if (at != NULL) {
            *at = '\0';
            at += 3;
        }
        t = expand(path, path + strlen(path) + 1);
        rc = cm_pattern_compile(t, strlen(t), &p, &dg);
        if (rc != CM_EINVAL || strstr(dg.msg, why) == NULL || p != NULL) {
            fail_msg("case %zu: %s: got %d \"%s\", want \"%s\"", i, t, rc, dg.msg, why);
        }
        if (at != NULL && (strstr(t, at) == NULL || dg.offset != (size_t)(strstr(t, at) - t))) {
            fail_msg("case %zu: %s: offset %zu, want the first %s", i, t, dg.offset, at);
        }
        cm_free(t);
        cm_free(line);
    }
}

MATCH_TEST(test_guardduty_routing,
           "+ = {'source':['aws.guardduty'],'detail-type':['GuardDuty Finding'],"
           "'detail':{'severity':[{'numeric':['>=',7]}]}}",
           "- = {'source':['aws.guardduty'],'detail-type':['GuardDuty Finding'],"
           "'detail':{'severity':[{'numeric':['>=',9]}]}}",
           "- detail-type ['GuardDuty finding']", "+ source ['aws.securityhub','aws.guardduty']",
           "- source ['aws.securityhub','aws.ec2']")

MATCH_TEST(test_literal_strings, "+ detail.type ['CryptoCurrency:EC2/BitcoinTool.B!DNS']",
           "- detail.type ['CryptoCurrency:EC2/BitcoinTool.B']", "- source ['AWS.guardduty']",
           "- detail.partition ['']", "- account [111122223333]", /* a string in the event */
           "+ a [''] | {'a':''}", "- a [''] | {'a':' '}", "- a [''] | {}", "- a [''] | {'a':null}",
           "- a ['8'] | {'a':8}")

MATCH_TEST(test_literal_numbers, "+ " SEV "[8]", "+ " SEV "[8.0]", "+ " SEV "[0.8e1]",
           "- " SEV "[7,9]", "- " SEV "['8']", "+ n [300] | {'n':3e2}", "+ n [300] | {'n':300.0}",
           "- n [300] | {'n':'300'}", "- n [300] | {'n':-300}", "+ n [0] | {'n':-0}",
           "+ n [300] | {'n':[1,[300]]}")

MATCH_TEST(test_literal_bool_null, "+ detail.service.archived [false]",
           "- detail.service.archived [true]", "- detail.service.archived ['false']",
           "+ " ID "platform [null]", "- " ID "nope [null]", "- a [null] | {'a':''}",
           "+ a [null] | {'a':[1,null]}", "- a [true] | {'a':'true'}", "- a [true] | {'a':1}")

MATCH_TEST(test_prefix_suffix, "+ detail.type [{'prefix':'CryptoCurrency:'}]",
           "- detail.type [{'prefix':'cryptocurrency:'}]", "+ time [{'prefix':'2025-03-05'}]",
           "- time [{'prefix':'2025-03-05T08:16:47Z!'}]", "+ " DNS "[{'suffix':'.minergate.com'}]",
           "+ " DNS "[{'suffix':'pool.minergate.com'}]",
           "- " DNS "[{'suffix':'xpool.minergate.com'}]", "- " DNS "[{'suffix':'.minergate.co'}]",
           "- " DNS "[{'suffix':'.MINERGATE.COM'}]", "- n [{'prefix':'30'}] | {'n':300}",
           "- n [{'suffix':'00'}] | {'n':300}", "+ a [{'prefix':''}] | {'a':'x'}",
           "- a [{'prefix':''}] | {'a':5}", "+ a [{'suffix':''}] | {'a':''}")

MATCH_TEST(test_ignore_case,
           "+ detail.type [{'prefix':{'equals-ignore-case':'CRYPTOCURRENCY:ec2/'}}]",
           "- detail.type [{'prefix':{'equals-ignore-case':'CRYPTOCURRENCY:S3/'}}]",
           "+ " DNS "[{'suffix':{'equals-ignore-case':'MinerGate.COM'}}]",
           "- " DNS "[{'suffix':{'equals-ignore-case':'MinerGate.ORG'}}]",
           "+ detail.resource.resourceType [{'equals-ignore-case':'INSTANCE'}]",
           "- detail.resource.resourceType [{'equals-ignore-case':'INSTANCES'}]",
           "- detail.resource.resourceType [{'equals-ignore-case':'instanc'}]",
           /* ASCII folding only: the e-acute must match exactly */
           "+ a [{'equals-ignore-case':'caf\\u00e9'}] | {'a':'CAF\\u00e9'}",
           "- a [{'equals-ignore-case':'CAF\\u00c9'}] | {'a':'caf\\u00e9'}",
           "- a [{'equals-ignore-case':'8'}] | {'a':8}")

MATCH_TEST(test_wildcard, "+ detail.type [{'wildcard':'CryptoCurrency:*/BitcoinTool.*'}]",
           "+ detail.type [{'wildcard':'Crypto*:EC2/*!DNS'}]",
           "- detail.type [{'wildcard':'*:S3/*'}]",
           "+ " ID "iamInstanceProfile.arn [{'wildcard':'arn:aws:iam::*:instance-profile/*'}]",
           "- " ID "iamInstanceProfile.arn [{'wildcard':'arn:aws:iam::*:role/*'}]",
           "- a [{'wildcard':'*'}] | {'a':5}")

/* \\\\* here is \* once unescaped (a literal star), \\\\\\\\ a literal backslash */
MATCH_TEST(
    test_wildcard_edges, "+ a [{'wildcard':'*'}] | {'a':''}",
    "+ a [{'wildcard':'*'}] | {'a':'abc'}", "+ a [{'wildcard':''}] | {'a':''}",
    "- a [{'wildcard':''}] | {'a':'a'}", "+ a [{'wildcard':'abc'}] | {'a':'abc'}",
    "- a [{'wildcard':'abc'}] | {'a':'abcd'}", "+ a [{'wildcard':'*c'}] | {'a':'abc'}",
    "- a [{'wildcard':'*c'}] | {'a':'abd'}", "+ a [{'wildcard':'a*'}] | {'a':'abc'}",
    "- a [{'wildcard':'a*'}] | {'a':'bac'}", "+ a [{'wildcard':'a*b*c'}] | {'a':'abc'}",
    "+ a [{'wildcard':'a*b*c'}] | {'a':'aXbYc'}", "- a [{'wildcard':'a*b*c'}] | {'a':'acb'}",
    "+ a [{'wildcard':'a*ab'}] | {'a':'aab'}", "+ a [{'wildcard':'a*ab'}] | {'a':'aaab'}",
    "- a [{'wildcard':'a*ab'}] | {'a':'ab'}", "+ a [{'wildcard':'*abab*'}] | {'a':'xxabacababy'}",
    "- a [{'wildcard':'*abab*'}] | {'a':'abaab'}", "+ a [{'wildcard':'*aab*'}] | {'a':'aaab'}",
    "+ a [{'wildcard':'*a*a*a*'}] | {'a':'aaa'}", "- a [{'wildcard':'*a*a*a*'}] | {'a':'aa'}",
    "+ a [{'wildcard':'*.*'}] | {'a':'a.b'}", "+ a [{'wildcard':'a\\\\*b'}] | {'a':'a*b'}",
    "- a [{'wildcard':'a\\\\*b'}] | {'a':'axb'}", "+ a [{'wildcard':'\\\\**'}] | {'a':'*abc'}",
    "- a [{'wildcard':'\\\\**'}] | {'a':'abc'}", "+ a [{'wildcard':'a\\\\\\\\b'}] | {'a':'a\\\\b'}",
    "- a [{'wildcard':'a\\\\\\\\b'}] | {'a':'ab'}",
    "+ a [{'wildcard':'*\\u00e9*'}] | {'a':'caf\\u00e9s'}")

MATCH_TEST(test_numeric_ops, "+ " SEV "[{'numeric':['=',8]}]", "- " SEV "[{'numeric':['=',7]}]",
           "- " SEV "[{'numeric':['<',8]}]", "+ " SEV "[{'numeric':['<',8.5]}]",
           "+ " SEV "[{'numeric':['<=',8]}]", "- " SEV "[{'numeric':['>',8]}]",
           "+ " SEV "[{'numeric':['>',7.9]}]", "+ " SEV "[{'numeric':['>=',8]}]",
           "- " SEV "[{'numeric':['>=',8.1]}]", "+ " SEV "[{'numeric':['>',7,'<=',8]}]",
           "- " SEV "[{'numeric':['>',7,'<',8]}]", "+ " SEV "[{'numeric':['>=',8,'<',9]}]",
           "- " SEV "[{'numeric':['>',8,'<',9]}]", "+ " SEV "[{'numeric':['>=',-1e3,'<=',1e3]}]",
           "+ detail.service.count [{'numeric':['>',100]}]")

MATCH_TEST(test_numeric_event_forms, "- n [{'numeric':['>',0]}] | {'n':'8'}",
           "- n [{'numeric':['>',0]}] | {'n':true}", "- n [{'numeric':['>',0]}] | {'n':null}",
           "- n [{'numeric':['>',0]}] | {}", "+ n [{'numeric':['<',-10]}] | {'n':-1.5e1}",
           "+ n [{'numeric':['=',0.5]}] | {'n':5E-1}",
           "+ n [{'numeric':['>',40]}] | {'n':[1,[50],3]}",
           "- n [{'numeric':['>',60]}] | {'n':[1,[50],3]}")

/*
 * Numeric matching is limited to -5e9..5e9 (AWS): event numbers outside hold no numeric
 * condition; a number literal outside is matched by its JSON text (as Event Ruler does).
 */
MATCH_TEST(test_numeric_limit, "+ n [{'numeric':['<=',5e9]}] | {'n':5000000000}",
           "+ n [{'numeric':['>=',-5e9]}] | {'n':-5e9}",
           "- n [{'numeric':['>',0]}] | {'n':5000000001}", "- n [{'numeric':['<',0]}] | {'n':-6e9}",
           "- n [{'numeric':['>',0]}] | {'n':1.7e12}",
           "- n [{'numeric':['=',5e9]}] | {'n':5.0000000001e9}",
           "+ n [{'numeric':['>',0]}] | {'n':[1.7e12,3]}", "+ n [5e9] | {'n':5000000000.0}",
           "+ n [123456789012] | {'n':123456789012}", "- n [123456789012] | {'n':1.23456789012e11}",
           "- n [123456789012] | {'n':'123456789012'}", "+ n [1e999] | {'n':1e999}",
           "- n [1e999] | {'n':1E999}", "+ n [{'anything-but':5}] | {'n':6e9}",
           "+ n [{'anything-but':[5,6]}] | {'n':[5,1e10]}",
           "- n [{'anything-but':[5,6]}] | {'n':[5,6]}")

/* Event numbers whose text is too long for the matcher's stack copy. */
static void test_numeric_long_text(void **state)
{
    static const struct {
        const char *head, *tail, *value;
        size_t fill;
        char digit;
        bool want;
    } c[] = {
        /* 0.<1500 zeros>7e1503 == 700 */
        {"0.", "7e1503", "[{'numeric':['=',700]}]", 1500, '0', true},
        {"0.", "7e1503", "[700]", 1500, '0', true},
        {"0.", "7e1503", "[{'numeric':['>',700.0000001]}]", 1500, '0', false},
        /* 1<1000 zeros> is not a finite double: no numeric matcher holds, exists does */
        {"1", "", "[{'numeric':['>',0]}]", 1000, '0', false},
        {"1", "", "[{'exists':true}]", 1000, '0', true},
        {"-123", "e-900", "[{'numeric':['>',-123.5,'<',-123.4]}]", 900, '4', true},
        /* all 15 significant digits count */
        {"0.", "123456789012345e907", "[1234567.89012345]", 900, '0', true},
        {"0.", "123456789012346e907", "[1234567.89012345]", 900, '0', false},
        /* outside -5e9..5e9 a literal is its text: this spelling of it is not */
        {"0.", "123456789012345e915", "[123456789012345]", 900, '0', false},
        /* 2^32 + 2^-21 + tiny is just above a tie: rounds up (the dropped 1 is sticky) */
        {"4294967296.000000476837158203125", "1", "[4294967296.00000095367431640625]", 2000, '0',
         true},
        {"4294967296.000000476837158203125", "1", "[4294967296]", 2000, '0', false},
        {"4294967296.000000476837158203125", "", "[4294967296]", 2000, '0', true},
    };
    char *ev = cm_malloc(4096);

    (void)state;
    assert_non_null(ev);
    for (size_t i = 0; i < N(c); i++) {
        struct cm_pattern *p = compile_ok("n", c[i].value);
        size_t n = (size_t)snprintf(ev, 4096, "{'n':%s", c[i].head);

        memset(ev + n, c[i].digit, c[i].fill);
        snprintf(ev + n + c[i].fill, 4096 - n - c[i].fill, "%s}", c[i].tail);
        if (ev_match(p, ev) != c[i].want) {
            fail_msg("long number case %zu: want %d", i, c[i].want);
        }
        cm_pattern_destroy(p);
    }
    cm_free(ev);
}

MATCH_TEST(test_exists, "+ " SEV "[{'exists':true}]", "- " SEV "[{'exists':false}]",
           "- detail.nope [{'exists':true}]", "+ detail.nope [{'exists':false}]",
           "+ " ID "platform [{'exists':true}]", /* null is a present leaf */
           "- " ID "platform [{'exists':false}]",
           "- " ID "productCodes [{'exists':true}]", /* an empty array is absent */
           "+ resources [{'exists':false}]",
           "- detail.resource [{'exists':true}]", /* objects are not leaves */
           "+ detail.resource [{'exists':false}]", "- " ID "tags [{'exists':true}]",
           "+ nope.deeper [{'exists':false}]", /* missing intermediate objects */
           "- nope.deeper [{'exists':true}]", "+ a [{'exists':false}] | {'a':[[],[]]}",
           "+ a [{'exists':false},'x'] | {'a':'x'}", "- a [{'exists':false},'x'] | {'a':'y'}",
           "+ a [{'exists':false},'x'] | {'b':'y'}",
           /* an object pattern over an empty array sees absent fields */
           "+ a.b [{'exists':false}] | {'a':[]}", "+ a.b [{'exists':false}] | {'a':[[]]}",
           "- a.b [{'exists':false}] | {'a':[{'b':1}]}", "- a.b ['x'] | {'a':[]}")

MATCH_TEST(test_cidr, "+ " NI "privateIpAddress [{'cidr':'10.0.0.0/16'}]",
           "- " NI "privateIpAddress [{'cidr':'10.1.0.0/16'}]",
           "+ " NI "privateIpAddress [{'cidr':'172.16.0.0/12'}]", /* the second interface */
           "+ " NI "privateIpAddresses.privateIpAddress [{'cidr':'10.0.1.15/32'}]",
           "- " NI "privateIpAddresses.privateIpAddress [{'cidr':'10.0.1.16/32'}]",
           "+ " NI "publicIp [{'cidr':'54.210.10.99/24'}]") /* host bits are cleared */

MATCH_TEST(test_cidr_v6_and_text, "+ " NI "ipv6Addresses [{'cidr':'2600:1f18::/32'}]",
           "- " NI "ipv6Addresses [{'cidr':'2600:1f19::/32'}]",
           "- " NI "ipv6Addresses [{'cidr':'0.0.0.0/0'}]", /* families differ */
           "+ ip [{'cidr':'0.0.0.0/0'}] | {'ip':'192.0.2.1'}",
           "- ip [{'cidr':'0.0.0.0/0'}] | {'ip':'not-an-ip'}",
           "- ip [{'cidr':'0.0.0.0/0'}] | {'ip':'10.0.0.1 '}",
           "- ip [{'cidr':'0.0.0.0/0'}] | {'ip':10}",
           "+ ip [{'cidr':'10.0.0.0/24'}] | {'ip':'10.0.0.\\u0031'}",
           "+ ip [{'cidr':'::/0'}] | {'ip':'::ffff:10.0.0.1'}")

MATCH_TEST(test_anything_but_values, "+ " ROLE "[{'anything-but':'ACTOR'}]",
           "- " ROLE "[{'anything-but':'TARGET'}]",
           "- " ROLE "[{'anything-but':['ACTOR','TARGET']}]",
           "+ " ROLE "[{'anything-but':['ACTOR','OTHER']}]", "- " SEV "[{'anything-but':8}]",
           "- " SEV "[{'anything-but':8.0}]", "+ " SEV "[{'anything-but':7}]",
           "- " SEV "[{'anything-but':[1,2,8]}]", "+ " SEV "[{'anything-but':[1,2]}]",
           "- detail.nope [{'anything-but':'x'}]", /* absent never matches */
           "- a [{'anything-but':'x'}] | {'a':[]}",
           "+ a [{'anything-but':'x'}] | {'a':5}", /* other JSON types always do */
           "+ a [{'anything-but':'x'}] | {'a':true}", "+ a [{'anything-but':'x'}] | {'a':null}",
           "+ a [{'anything-but':8}] | {'a':'8'}",
           "+ n [{'anything-but':{'prefix':'3'}}] | {'n':300}")

MATCH_TEST(test_anything_but_operators, "- detail.region [{'anything-but':{'prefix':'us-'}}]",
           "+ detail.region [{'anything-but':{'prefix':'eu-'}}]",
           "+ detail.region [{'anything-but':{'prefix':['eu-','ap-']}}]",
           "- detail.region [{'anything-but':{'prefix':['eu-','us-']}}]",
           "- " DNS "[{'anything-but':{'suffix':'.com'}}]",
           "+ " DNS "[{'anything-but':{'suffix':'.org'}}]",
           "- " DNS "[{'anything-but':{'equals-ignore-case':'POOL.minergate.COM'}}]",
           "- " DNS "[{'anything-but':{'equals-ignore-case':['x.org','Pool.MinerGate.com']}}]",
           "+ " DNS "[{'anything-but':{'equals-ignore-case':['x.org']}}]",
           "- " DNS "[{'anything-but':{'wildcard':'*.minergate.*'}}]",
           "+ " DNS "[{'anything-but':{'wildcard':['*.org','*.net']}}]",
           "- " DNS "[{'anything-but':{'wildcard':['*.org','pool.*']}}]")

MATCH_TEST(test_event_arrays, "- resources ['arn:aws:ec2:us-east-1:111122223333:x']",
           "+ r ['arn:b'] | {'r':['arn:a','arn:b']}", "- r ['arn:c'] | {'r':['arn:a','arn:b']}",
           "+ a ['y'] | {'a':[['x'],[['y']]]}", "- a ['x'] | {'a':[{'b':'x'}]}",
           "+ a.b [2] | {'a':[[{'b':1}],[{'b':2}]]}", "- a.b [3] | {'a':[[{'b':1}],[{'b':2}]]}",
           "+ a.b [1] | {'a':[5,'x',{'b':1}]}", "- a.b [1] | {'a':{'b':{'c':1}}}")

/* anything-but holds when some reached value is not excluded */
MATCH_TEST(test_anything_but_arrays, "+ " ID "tags.key [{'anything-but':'Name'}]", /* "env" */
           "- " ID "tags.key [{'anything-but':['Name','env']}]",
           "+ a [{'anything-but':'x'}] | {'a':['x','y']}",
           "- a [{'anything-but':'x'}] | {'a':['x',['x']]}",
           "- a [{'anything-but':'x'}] | {'a':[[]]}")

MATCH_TEST(test_array_consistency, "+ " ID "tags {'key':['Name'],'value':['web-01']}",
           "- " ID "tags {'key':['Name'],'value':['prod']}",
           "+ " ID "tags {'key':['env'],'value':['prod']}",
           "+ " ID "networkInterfaces {'privateIpAddress':[{'cidr':'10.0.0.0/8'}],"
           "'securityGroups':{'groupName':['web-sg']}}",
           "- " ID "networkInterfaces {'privateIpAddress':[{'cidr':'10.0.0.0/8'}],"
           "'securityGroups':{'groupName':['db-sg']}}",
           "+ " ID "networkInterfaces {'privateIpAddress':[{'cidr':'172.16.0.0/12'}],"
           "'securityGroups':{'groupName':['db-sg']}}",
           /* one interface has no IPv6 address, the other has one but no public IP */
           "+ " ID "networkInterfaces {'ipv6Addresses':[{'exists':false}]}",
           "- " ID "networkInterfaces {'ipv6Addresses':[{'exists':false}],"
           "'publicIp':[{'exists':false}]}")

MATCH_TEST(test_or,
           "+ = {'source':['aws.guardduty'],'$or':[{'detail':{'severity':[{'numeric':['>=',7]}]}},"
           "{'detail':{'type':[{'prefix':'Recon:'}]}}]}",
           "- = {'source':['aws.guardduty'],'$or':[{'detail':{'severity':[{'numeric':['>=',9]}]}},"
           "{'detail':{'type':[{'prefix':'Recon:'}]}}]}",
           "+ = {'source':['aws.guardduty'],'$or':[{'detail':{'severity':[{'numeric':['>=',9]}]}},"
           "{'detail':{'type':[{'prefix':'Crypto'}]}}]}",
           "- = {'source':['aws.ec2'],'$or':[{'detail':{'severity':[8]}},{'account':['1']}]}",
           "+ detail.$or [{'severity':[1]},{'service':{'archived':[false]}}]",
           "- = {'detail':{'$or':[{'severity':[1]},{'service':{'archived':[false]}}],"
           "'partition':['aws-cn']}}")

MATCH_TEST(test_or_nested,
           "+ detail.$or [{'severity':[1]},{'$or':[{'region':['eu-west-1']},"
           "{'partition':['aws']}]}]",
           "- detail.$or [{'severity':[1]},{'$or':[{'region':['eu-west-1']},"
           "{'partition':['aws-cn']}]}]",
           "+ $or [{'$or':[{'a':['1']},{'b':['2']}]},{'$or':[{'c':['3']},"
           "{'source':['aws.guardduty']}]}]",
           /* branches are evaluated within one array element */
           "+ " ID
           "tags.$or [{'key':['env'],'value':['web-01']},{'key':['Name'],'value':['web-01']}]",
           "- " ID
           "tags.$or [{'key':['env'],'value':['web-01']},{'key':['Name'],'value':['prod']}]")

MATCH_TEST(test_escapes_event,
           "+ detail.description [{'wildcard':'* \\'pool.minergate.com\\', *'}]",
           "- detail.description [{'wildcard':'* pool.minergate.com, *'}]",
           "+ a ['Abc'] | {'a':'\\u0041bc'}", "- a ['abc'] | {'a':'\\u0041bc'}",
           "- a ['Ab'] | {'a':'\\u0041bc'}", "+ a [{'prefix':'Ab'}] | {'a':'\\u0041b\\u0063'}",
           "+ a [{'suffix':'bc'}] | {'a':'\\u0041b\\u0063'}",
           "- a [{'suffix':'Bc'}] | {'a':'\\u0041b\\u0063'}",
           "+ a [{'equals-ignore-case':'aBC'}] | {'a':'\\u0041b\\u0063'}",
           "+ a [{'wildcard':'A*c'}] | {'a':'\\u0041b\\u0063'}",
           "+ a ['a/b\\\\c\\nd'] | {'a':'a\\/b\\\\c\\u000ad'}")

/* a surrogate pair is one 4-byte character; a lone surrogate is U+FFFD */
MATCH_TEST(test_escapes_unicode, "+ a ['\xF0\x9F\x98\x80x'] | {'a':'\\ud83d\\ude00x'}",
           "+ a [{'prefix':'\xF0\x9F\x98\x80'}] | {'a':'\\ud83d\\ude00x'}",
           "+ a [{'wildcard':'*\xF0\x9F\x98\x80x'}] | {'a':'\\ud83d\\ude00x'}",
           "- a [{'suffix':'\xF0\x9F\x98\x81x'}] | {'a':'\\ud83d\\ude00x'}",
           "+ a ['\xEF\xBF\xBD!'] | {'a':'\\ud800!'}", "+ ab ['x'] | {'\\u0061b':'x'}")

MATCH_TEST(test_escapes_pattern, "+ det\\u0061il.severity [8]", "+ source ['aws\\u002eguardduty']",
           "+ detail.description [{'suffix':'\\', a domain associated with Bitcoin.'}]",
           "+ \\u0024or [{'source':['x']},{'region':['us-east-1']}]",
           "+ detail.type [{'pre\\u0066ix':'Crypto'}]")

/* keys are matched literally: a dotted key is not a path, "$or" in an event is a key */
MATCH_TEST(test_keys_literal, "- = {'detail.severity':[8]}",
           "+ = {'detail.severity':[8]} | {'detail.severity':8}", "+ = {'':['x']} | {'':'x'}",
           "- $or [{'a':['1']},{'b':['2']}] | {'$or':'x'}")

/* {"s":"<unit repeated reps times><tail>"}, unit and tail raw JSON text. */
static char *long_event(const char *unit, size_t reps, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail), n = 6;
    char *t = cm_malloc(ul * reps + tl + 16);

    assert_non_null(t);
    memcpy(t, "{\"s\":\"", 6);
    for (size_t i = 0; i < reps; i++, n += ul) {
        memcpy(t + n, unit, ul);
    }
    memcpy(t + n, tail, tl);
    memcpy(t + n + tl, "\"}", 3);
    return t;
}

static void test_long_strings(void **state)
{
    static const char *const c[] = {
        "+[{'prefix':'aaaa'}]",
        "+[{'suffix':'aXYZ'}]",
        "-[{'suffix':'bXYZ'}]",
        "+[{'suffix':{'equals-ignore-case':'axyz'}}]",
        "+[{'wildcard':'*XYZ'}]",
        "+[{'wildcard':'a*aaXY*'}]",
        "-[{'wildcard':'a*b*'}]",
        "-[{'wildcard':'*aXYZa*'}]",
        "-['aaaa']",
        "-[{'equals-ignore-case':'AAAA'}]",
        "+[{'prefix':{'equals-ignore-case':'AAAA'}}]",
        "-[{'cidr':'0.0.0.0/0'}]",
        "+[{'anything-but':'aaaa'}]",
        "+[{'exists':true}]",
    };
    char *ev[2] = {long_event("a", 100000, "XYZ"), long_event("\\u0061", 100000, "X\\u0059Z")};
    char *pat = cm_malloc(60100), *eq, *ne;
    struct cm_pattern *p;
    bool m = false;

    (void)state;
    for (size_t i = 0; i < N(c) * 2; i++) {
        p = compile_ok("s", c[i / 2] + 1);
        assert_int_equal(cm_pattern_match_json(p, ev[i % 2], strlen(ev[i % 2]), &m, NULL), 0);
        if (m != (c[i / 2][0] == '+')) {
            fail_msg("100 KB %s string: %s", i % 2 ? "escaped" : "plain", c[i / 2]);
        }
        cm_pattern_destroy(p);
    }
    /* a 60000-byte literal against 60000 bytes written with 360000 bytes of escapes */
    assert_non_null(pat);
    memcpy(pat, "{\"s\":[\"", 7);
    memset(pat + 7, 'a', 60000);
    memcpy(pat + 60007, "\"]}", 4);
    eq = long_event("\\u0061", 60000, "");
    ne = long_event("\\u0061", 59999, "b");
    p = compile_n(pat, strlen(pat));
    assert_int_equal(cm_pattern_match_json(p, eq, strlen(eq), &m, NULL), 0);
    assert_true(m);
    assert_int_equal(cm_pattern_match_json(p, ne, strlen(ne), &m, NULL), 0);
    assert_false(m);
    cm_pattern_destroy(p);
    cm_free(eq);
    cm_free(ne);
    cm_free(pat);
    cm_free(ev[0]);
    cm_free(ev[1]);
}

static void test_match_api(void **state)
{
    struct fx *f = *state;
    struct cm_pattern *p = compile_ok("severity", "[8]");
    uint32_t detail = cm_json_get(&f->doc, 0, "detail");
    struct cm_diag dg;
    bool m = true;

    assert_true(cm_pattern_match(p, &f->doc, detail));
    assert_false(cm_pattern_match(p, &f->doc, 0));
    assert_false(cm_pattern_match(NULL, &f->doc, 0));
    assert_false(cm_pattern_match(p, NULL, 0));
    assert_false(cm_pattern_match(p, &f->doc, f->doc.n));
    assert_int_equal(cm_pattern_match_json(p, "{\"severity\":", 12, &m, &dg), CM_ESYNTAX);
    assert_false(m);
    assert_true(dg.msg[0] != '\0');
    m = true;
    assert_int_equal(cm_pattern_match_json(p, "{\"severity\":\"\xff\"}", 16, &m, &dg), CM_EUTF8);
    assert_false(m);
    /* roots that are not objects */
    assert_false(ev_match(p, "[{'severity':1},{'severity':2}]"));
    assert_true(ev_match(p, "[{'severity':1},{'severity':8}]"));
    assert_false(ev_match(p, "'x'"));
    cm_pattern_destroy(p);
    cm_pattern_destroy(NULL);
    p = compile_ok("a", "[{'exists':false}]");
    assert_true(ev_match(p, "'x'"));
    cm_pattern_destroy(p);
}

static void test_self_contained(void **state)
{
    struct fx *f = *state;
    char *text = js("{'detail':{'type':[{'wildcard':'Crypto*!DNS'}],"
                    "'region':[{'anything-but':{'equals-ignore-case':['EU-WEST-1']}}]}}");
    size_t n = strlen(text);
    struct cm_pattern *p = compile_n(text, n);

    memset(text, '#', n);
    cm_free(text);
    assert_true(cm_pattern_match(p, &f->doc, 0));
    cm_pattern_destroy(p);
}

REJECT_TEST(
    test_reject_structure, "= ['x'] ~ pattern must be a JSON object ~ [",
    "= 'x' ~ pattern must be a JSON object ~ '", "= {} ~ pattern is empty ~ {}",
    "detail.type 'x' ~ detail.type: a value must be an array of matchers or an object ~ 'x'",
    "a 5 ~ a: a value must be an array ~ 5", "a null ~ a: a value must be an array ~ null",
    "a true ~ a: a value must be an array ~ true",
    "a [] ~ a: an empty array of matchers is not allowed ~ []",
    "detail {} ~ detail: empty object ~ {}")

/* a key given twice in one object: the last one is used (AWS's documented rule); $or too */
MATCH_TEST(test_duplicates_last_wins, "+ = {'a':['x'],'a':['y']} | {'a':'y'}",
           "- = {'a':['x'],'a':['y']} | {'a':'x'}",
           "+ = {'detail':{'location':[{'prefix':'us-'}],'location':[{'anything-but':'us-east'}]}}"
           " | {'detail':{'location':'eu-west-1'}}",
           "- = {'detail':{'location':[{'prefix':'us-'}],'location':[{'anything-but':'us-east'}]}}"
           " | {'detail':{'location':'us-east'}}",
           "+ = {'a':{'b':['x']},'\\u0061':['y']} | {'a':'y'}",
           "- = {'a':['y'],'a':{'b':['x']}} | {'a':'y'}",
           "+ = {'a':{'b':['x']},'a':{'c':['y']}} | {'a':{'b':'z','c':'y'}}",
           "+ = {'a':[{'exists':false}],'a':['x']} | {'a':'x'}",
           "+ = {'a':['1'],'b':['2'],'a':['3']} | {'a':'3','b':'2'}",
           "- = {'a':['1'],'b':['2'],'a':['3']} | {'a':'1','b':'2'}",
           "+ = {'$or':[{'a':['1']},{'b':['2']}],'$or':[{'c':['3']},{'d':['4']}]} | {'d':'4'}",
           "- = {'$or':[{'a':['1']},{'b':['2']}],'$or':[{'c':['3']},{'d':['4']}]} | {'a':'1'}")

REJECT_TEST(test_reject_matchers,
            "a [['x']] ~ a: a matcher must be a string, number, boolean, null or operator object ~ "
            "['x']",
            "a [{}] ~ a: an operator object must have exactly one key, has 0 ~ {}")

REJECT_TEST(test_reject_or,
            "$or [{'a':['x']}] ~ $or: must be an array of at least two objects ~ [{",
            "$or {'a':['x']} ~ $or: must be an array ~ {'a'",
            "$or [{'a':['x']},'b'] ~ $or[1]: a $or branch must be an object ~ 'b'",
            "$or [{'a':['x']},{}] ~ $or[1]: empty object ~ {}",
            "detail.$or [{'a':['y']},{'b':[{'numeric':['>','x']}]}] ~ "
            "detail.$or[1].b: numeric: expected a number at position 1 ~ 'x'")

REJECT_TEST(test_reject_operators,
            "a [{'contains':'x'}] ~ a: unknown operator 'contains' ~ 'contains'",
            "a [{'exact':'x'}] ~ unknown operator 'exact' ~ 'exact'",
            "a [{'prefix':'x','suffix':'y'}] ~ exactly one key, has 2 ~ {'prefix'",
            "a [{'prefix':5}] ~ a: prefix: expected a string or {'equals-ignore-case': string} ~ 5",
            "a [{'prefix':{}}] ~ prefix: expected a string ~ {}",
            "a [{'prefix':{'eq':'x'}}] ~ prefix: unsupported operator 'eq' (only "
            "equals-ignore-case) ~ 'eq'",
            "a [{'suffix':{'equals-ignore-case':5}}] ~ suffix: equals-ignore-case: expected a "
            "string ~ 5",
            "a [{'suffix':['x']}] ~ suffix: expected a string ~ ['x']",
            "a [{'equals-ignore-case':['x']}] ~ a: equals-ignore-case: expected a string ~ ['x']",
            "a [{'wildcard':5}] ~ a: wildcard: expected a string ~ 5",
            "a [{'exists':'true'}] ~ a: exists: expected true or false ~ 'true'",
            "a [{'exists':null}] ~ exists: expected true or false ~ null")

REJECT_TEST(test_reject_wildcard,
            "a [{'wildcard':'a**b'}] ~ a: wildcard: consecutive wildcard characters at position 2 "
            "~ 'a**b'",
            "a [{'wildcard':'\\\\x'}] ~ wildcard: invalid escape at position 0 ~ '\\\\x'",
            "a [{'wildcard':'ab\\\\'}] ~ wildcard: invalid escape at position 2",
            "a [{'anything-but':{'wildcard':['x','*a**']}}] ~ a: anything-but: wildcard: "
            "consecutive wildcard characters at position 3 ~ '*a**'")

REJECT_TEST(
    test_reject_numeric,
    SEV "[{'numeric':['>=',7,9,10]}] ~ detail.severity: numeric: expected an operator "
        "string at position 2 ~ 9,",
    "a [{'numeric':5}] ~ a: numeric: expected [operator, number] or [operator, number, "
    "operator, number] ~ 5",
    "a [{'numeric':['>',1,'<']}] ~ numeric: expected [operator ~ ['>'",
    "a [{'numeric':[]}] ~ numeric: expected [operator ~ []",
    "a [{'numeric':[5,1]}] ~ expected an operator string at position 0 ~ 5,",
    "a [{'numeric':['=>',1]}] ~ numeric: unknown operator '=>' at position 0 ~ '=>'",
    "a [{'numeric':['>','1']}] ~ numeric: expected a number at position 1 ~ '1'",
    "a [{'numeric':['<',1,'>',5]}] ~ numeric: a range starts with > or >= at position 0 ~ '<'",
    "a [{'numeric':['=',1,'<',5]}] ~ a range starts with > or >= ~ '='",
    "a [{'numeric':['>',1,'>=',5]}] ~ numeric: a range ends with < or <= at position 2 ~ "
    "'>='",
    "a [{'numeric':['>',5,'<',1]}] ~ numeric: the lower bound must be below the upper "
    "bound ~ ['>',5",
    "a [{'numeric':['>=',5,'<=',5]}] ~ the lower bound must be below ~ ['>=',5",
    "a [{'numeric':['>',-1e999]}] ~ numeric: number out of range ~ -1e999",
    "a [{'numeric':['>',5000000001]}] ~ a: numeric: 5000000001 is outside -5e9..5e9, the range "
    "of numeric matching ~ 5000000001",
    "a [{'numeric':['>',-1,'<',6e9]}] ~ numeric: 6e9 is outside -5e9..5e9 ~ 6e9",
    "a [{'numeric':['<',-5.000001e9]}] ~ numeric: -5.000001e9 is outside ~ -5.000001e9")

REJECT_TEST(test_reject_cidr, "a [{'cidr':5}] ~ a: cidr: expected a string ~ 5",
            "a [{'cidr':'10.0.0.1'}] ~ a: cidr: '10.0.0.1' is not address/prefix-length ~ "
            "'10.0.0.1'",
            "a [{'cidr':'10.0.0.0/33'}] ~ is not address ~ '10.0.0.0/33'",
            "a [{'cidr':'::/129'}] ~ is not address ~ '::/129'",
            "a [{'cidr':'10.0.0.0/'}] ~ is not address ~ '10.0.0.0/'",
            "a [{'cidr':'x/8'}] ~ is not address ~ 'x/8'",
            "a [{'cidr':'10.0.0.0/08'}] ~ is not address ~ '10.0.0.0/08'",
            "a [{'cidr':'10.0.0/8'}] ~ is not address ~ '10.0.0/8'",
            "a [{'cidr':'/8'}] ~ is not address ~ '/8'", "a [{'cidr':''}] ~ is not address ~ ''",
            "a [{'cidr':'10.0.0.0/8 '}] ~ is not address ~ '10.0.0.0/8 '",
            "a [{'cidr':'fe80::1%1/64'}] ~ is not address ~ 'fe80::1%1/64'")

REJECT_TEST(
    test_reject_anything_but,
    "a [{'anything-but':true}] ~ a: anything-but: expected a string, a number, a list or "
    "an operator object ~ true",
    "a [{'anything-but':null}] ~ anything-but: expected ~ null",
    "a [{'anything-but':[]}] ~ anything-but: the list must not be empty ~ []",
    "a [{'anything-but':['a',1]}] ~ anything-but: the list mixes strings and numbers ~ 1]",
    "a [{'anything-but':[1,'a']}] ~ mixes strings and numbers ~ 'a']",
    "a [{'anything-but':[null]}] ~ anything-but: list values must be strings or numbers ~ "
    "null",
    "a [{'anything-but':['x',['a']]}] ~ list values must be ~ ['a']",
    "a [{'anything-but':{'prefix':'a','suffix':'b'}}] ~ anything-but: an operator object "
    "must have one key ~ {'prefix'",
    "a [{'anything-but':{}}] ~ must have one key ~ {}",
    "a [{'anything-but':{'numeric':['>',1]}}] ~ anything-but: unsupported operator "
    "'numeric' ~ 'numeric'",
    "a [{'anything-but':{'prefix':''}}] ~ anything-but: prefix: the value must not be empty "
    "~ ''",
    "a [{'anything-but':{'suffix':['a','']}}] ~ anything-but: suffix: the value must not be "
    "empty ~ '']",
    "a [{'anything-but':{'prefix':5}}] ~ anything-but: prefix: expected a string or a list "
    "of strings ~ 5",
    "a [{'anything-but':{'equals-ignore-case':[]}}] ~ anything-but: equals-ignore-case: the "
    "list must not be empty ~ []",
    "a [{'anything-but':{'wildcard':[1]}}] ~ anything-but: wildcard: expected a string or a "
    "list of strings ~ 1]",
    "a [{'anything-but':1e999}] ~ anything-but: number out of range ~ 1e999",
    "a [{'anything-but':6e9}] ~ a: anything-but: 6e9 is outside -5e9..5e9 ~ 6e9",
    "a [{'anything-but':[1,-5.5e9]}] ~ anything-but: -5.5e9 is outside ~ -5.5e9")

static void test_reject_json(void **state)
{
    static const struct {
        const char *text;
        int code;
    } c[] = {{"{\"a\":[\"x\"]", CM_ESYNTAX}, {"", CM_ESYNTAX}, {"{\"a\":[\"\xff\"]}", CM_EUTF8}};
    struct cm_pattern *p = (struct cm_pattern *)&p;
    char deep[300];
    struct cm_diag dg;

    (void)state;
    for (size_t i = 0; i < N(c); i++) {
        assert_int_equal(cm_pattern_compile(c[i].text, strlen(c[i].text), &p, &dg), c[i].code);
        assert_null(p);
        assert_non_null(strstr(dg.msg, "malformed pattern JSON: "));
    }
    memset(deep, '[', sizeof(deep));
    assert_int_equal(cm_pattern_compile(deep, sizeof(deep), &p, &dg), CM_EDEPTH);
    assert_null(p);
    /* a NULL diag is allowed */
    assert_int_equal(cm_pattern_compile("{}", 2, &p, NULL), CM_EINVAL);
    assert_int_equal(cm_pattern_compile("{", 1, &p, NULL), CM_ESYNTAX);
}

/* k nested objects {"a":{"a":...leaf...}}. */
static char *nested(int k, const char *leaf)
{
    size_t ll = strlen(leaf);
    char *t = cm_malloc((size_t)k * 6 + ll + 1), *o = t;

    assert_non_null(t);
    for (int i = 0; i < k; i++, o += 5) {
        memcpy(o, "{\"a\":", 5);
    }
    memcpy(o, leaf, ll);
    memset(o + ll, '}', (size_t)k);
    o[ll + (size_t)k] = '\0';
    return t;
}

static void test_limit_text(void **state)
{
    struct cm_pattern *p = (struct cm_pattern *)&p;
    size_t big = CM_PATTERN_MAX_TEXT + 1;
    char *t = cm_malloc(big);
    struct cm_diag dg;

    (void)state;
    assert_non_null(t);
    memcpy(t, "{\"a\":[\"", 7);
    memset(t + 7, 'x', big - 7);
    memcpy(t + big - 3, "\"]}", 3);
    assert_int_equal(cm_pattern_compile(t, big, &p, &dg), CM_E2BIG);
    assert_null(p);
    assert_non_null(strstr(dg.msg, "at most 65536"));
    memcpy(t + big - 4, "\"]}", 3); /* 65536 bytes compile */
    cm_pattern_destroy(compile_n(t, big - 1));
    cm_free(t);
}

static void test_limit_depth(void **state)
{
    struct cm_pattern *p = (struct cm_pattern *)&p;
    char *t = nested(32, "[\"x\"]"), *ev = nested(31, "{\"a\":\"x\"}");
    struct cm_diag dg;
    bool m = false;

    (void)state;
    p = compile_n(t, strlen(t));
    assert_int_equal(cm_pattern_match_json(p, ev, strlen(ev), &m, NULL), 0);
    assert_true(m);
    cm_pattern_destroy(p);
    cm_free(ev);
    cm_free(t);
    t = nested(33, "[\"x\"]");
    assert_int_equal(cm_pattern_compile(t, strlen(t), &p, &dg), CM_E2BIG);
    assert_non_null(strstr(dg.msg, "more than 32 nested pattern objects"));
    assert_int_equal(dg.offset, 32 * 5);
    cm_free(t);
    /* $or branches count as levels: 20 + $or object + 12 levels in a branch */
    t = nested(20, "{\"$or\":[{\"b\":[1]},{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{"
                   "\"j\":{\"k\":{\"l\":{\"m\":{\"n\":[1]}}}}}}}}}}}}]}");
    assert_int_equal(cm_pattern_compile(t, strlen(t), &p, &dg), CM_E2BIG);
    assert_non_null(strstr(dg.msg, "$or[1].c.d.e.f.g.h.i.j.k.l.m: more than 32"));
    cm_free(t);
}

/* Appends n copies of item, comma-separated, at t + *at. */
static void repeat(char *t, size_t *at, const char *item, int n)
{
    size_t k = strlen(item);

    for (int i = 0; i < n; i++, *at += k + 1) {
        memcpy(t + *at, item, k);
        t[*at + k] = ',';
    }
    (*at)--; /* no comma after the last */
}

static void test_limit_matchers(void **state)
{
    struct cm_pattern *p = (struct cm_pattern *)&p;
    char *t = cm_malloc(40000);
    size_t n = 6;
    struct cm_diag dg;

    (void)state;
    assert_non_null(t);
    /* the most matchers a pattern within AWS's largest pattern size (4096 characters) has */
    memcpy(t, "{\"a\":[", 6);
    repeat(t, &n, "1", 2044);
    memcpy(t + n, "]}", 3);
    assert_int_equal(strlen(t), 4095); /* one more is 4097 */
    p = compile_n(t, strlen(t));
    assert_true(ev_match(p, "{'a':1}"));
    cm_pattern_destroy(p);
    n = 6;
    repeat(t, &n, "1", 2048);
    memcpy(t + n, "]}", 3);
    cm_pattern_destroy(compile_n(t, strlen(t))); /* 2048 compile */
    n = 6;
    repeat(t, &n, "1", 1000);
    memcpy(t + n, "],\"b\":[", 7);
    n += 7;
    repeat(t, &n, "{\"exists\":true}", 1049);
    memcpy(t + n, "]}", 3);
    assert_int_equal(cm_pattern_compile(t, strlen(t), &p, &dg), CM_E2BIG);
    assert_null(p);
    assert_non_null(strstr(dg.msg, "b: the pattern has more than 2048 matchers"));
    assert_int_equal(dg.offset, (size_t)(strstr(t, "\"b\":[") - t) + 4);
    cm_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_guardduty_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_bool_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_suffix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignore_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wildcard, setup, teardown),
        cmocka_unit_test(test_wildcard_edges),
        cmocka_unit_test_setup_teardown(test_numeric_ops, setup, teardown),
        cmocka_unit_test(test_numeric_event_forms),
        cmocka_unit_test(test_numeric_limit),
        cmocka_unit_test(test_numeric_long_text),
        cmocka_unit_test_setup_teardown(test_exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cidr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cidr_v6_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anything_but_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anything_but_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anything_but_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_array_consistency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_or, setup, teardown),
        cmocka_unit_test_setup_teardown(test_or_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes_event, setup, teardown),
        cmocka_unit_test(test_escapes_unicode),
        cmocka_unit_test_setup_teardown(test_escapes_pattern, setup, teardown),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test_setup_teardown(test_match_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_contained, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_literal, setup, teardown),
        cmocka_unit_test(test_reject_structure),
        cmocka_unit_test_setup_teardown(test_duplicates_last_wins, setup, teardown),
        cmocka_unit_test(test_reject_matchers),
        cmocka_unit_test(test_reject_or),
        cmocka_unit_test(test_reject_operators),
        cmocka_unit_test(test_reject_wildcard),
        cmocka_unit_test(test_reject_numeric),
        cmocka_unit_test(test_reject_cidr),
        cmocka_unit_test(test_reject_anything_but),
        cmocka_unit_test(test_reject_json),
        cmocka_unit_test(test_limit_text),
        cmocka_unit_test(test_limit_depth),
        cmocka_unit_test(test_limit_matchers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
