/*
 * Unit tests for target input (lib/route/transform.h, lib/route/jpath.h):
 * EventBridge's documented examples of InputTransformer (string, escaped
 * quotes, JSON, mixed JSON, predefined variables), what a placeholder
 * becomes in each context (JSON value, inside a string, plain text) for
 * each JSON type, missing paths, wildcards and indices, Input and
 * InputPath, placeholders that name nothing, minified output, and every
 * refusal with the member and byte it names.
 *
 * Fixtures use single quotes for readability; js() turns them into JSON
 * (' -> ").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/json.h"
#include "route/jpath.h"
#include "route/transform.h"

/* EventBridge's example EC2 event (eb-transform-target-input), as coalmine's envelope shape. */
static const char EVENT[] =
    "{'version':'0','id':'7bf73129-1428-4cd3-a780-95db273d1602',"
    "'detail-type':'EC2 Instance State-change Notification','source':'aws.ec2',"
    "'account':'123456789012','time':'2015-11-11T21:29:54Z','region':'us-east-1',"
    "'resources':['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],"
    "'detail':{'instance-id':'i-0123456789','state':'RUNNING','n':5.5,'ok':true,'none':null,"
    "'q':'say \\'hi\\'','tags':[{'k':'a','v':'1'},{'k':'b','v':'2'}],'o':{'x':'y'}}}";

static char *js(const char *s)
{
    static char buf[4][4096];
    static int k;
    char *b = buf[k++ % 4];
    size_t i;

    for (i = 0; s[i] && i + 1 < sizeof(buf[0]); i++) {
        b[i] = s[i] == '\'' ? '"' : s[i];
    }
    b[i] = '\0';
    return b;
}

static const struct cm_transform_var VARS[] = {
    {"timestamp", "$.time"},      {"instance", "$.detail.instance-id"},
    {"state", "$.detail.state"},  {"n", "$.detail.n"},
    {"ok", "$.detail.ok"},        {"none", "$.detail.none"},
    {"q", "$.detail.q"},          {"tags", "$.detail.tags"},
    {"o", "$.detail.o"},          {"missing", "$.detail.nope"},
    {"ks", "$.detail.tags[*].k"}, {"res0", "$.resources[0]"},
    {"res9", "$.resources[9]"},
};

/* Applies template tpl (quotes: ' -> ") to EVENT; returns the output (static). */
static const char *apply_tpl(const char *tpl, bool quote_swap)
{
    static char out[8192];
    struct cm_transform_def def = {CM_TRANSFORM_TEMPLATE, NULL, 0, VARS,
                                   sizeof(VARS) / sizeof(VARS[0])};
    struct cm_transform_env env = {"example", 1447277394000LL};
    struct cm_transform *t = NULL;
    struct cm_buf b;
    char err[400];
    const char *ev = js(EVENT);
    int rc;

    def.text = quote_swap ? js(tpl) : tpl;
    def.len = strlen(def.text);
    rc = cm_transform_compile(&def, &t, err, sizeof(err));
    if (rc != 0) {
        fail_msg("compile %s: %s", def.text, err);
    }
    cm_buf_init(&b, 0);
    assert_int_equal(cm_transform_apply(t, ev, strlen(ev), &env, &b, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%.*s", (int)b.len, b.p ? b.p : "");
    cm_buf_finish(&b);
    cm_transform_destroy(t);
    return out;
}

#define EXPECT(tpl, want) assert_string_equal(apply_tpl(tpl, true), js(want))

/* The documented examples (Simple string ... Including reserved variables in a string). */
static void test_documented(void **state)
{
    (void)state;
    EXPECT("'instance <instance> is in <state>'", "'instance i-0123456789 is in RUNNING'");
    assert_string_equal(apply_tpl("\"instance \\\"<instance>\\\" is in <state>\"", false),
                        "\"instance \\\"i-0123456789\\\" is in RUNNING\"");
    EXPECT("{\n  'instance' : <instance>,\n  'state': <state>\n}",
           "{'instance':'i-0123456789','state':'RUNNING'}");
    assert_string_equal(
        apply_tpl("{\"instance\" : <instance>, \"state\": \"<state>\", \"instanceStatus\": "
                  "\"instance \\\"<instance>\\\" is in <state>\"}",
                  false),
        "{\"instance\":\"i-0123456789\",\"state\":\"RUNNING\",\"instanceStatus\":\"instance "
        "\\\"i-0123456789\\\" is in RUNNING\"}");
    EXPECT("{ 'instance' : <instance>, 'state': [ 9, <state>, true ], 'Transformed' : 'Yes' }",
           "{'instance':'i-0123456789','state':[9,'RUNNING',true],'Transformed':'Yes'}");
    EXPECT("{'ruleArn' : <aws.events.rule-arn>, 'ruleName' : <aws.events.rule-name>}",
           "{'ruleArn':'arn:aws:events:us-east-1:123456789012:rule/example',"
           "'ruleName':'example'}");
    EXPECT("'<aws.events.rule-name> triggered'", "'example triggered'");
    /* The API reference's plain-text template. */
    EXPECT("<instance> is in state <state>", "i-0123456789 is in state RUNNING");
}

/* Each JSON type as a JSON value, inside a string, and in plain text. */
static void test_contexts(void **state)
{
    (void)state;
    EXPECT("{'a':<n>,'b':<ok>,'c':<none>,'d':<o>,'e':<tags>}",
           "{'a':5.5,'b':true,'c':null,'d':{'x':'y'},'e':[{'k':'a','v':'1'},{'k':'b','v':'2'}]}");
    EXPECT("{'a':'<n>|<ok>|<none>|<o>|<tags>'}",
           "{'a':'5.5|true|null|{x:y}|[{k:a,v:1},{k:b,v:2}]'}");
    EXPECT("<n> <ok> <none> <o>", "5.5 true null {'x':'y'}");
    /* A string with escaped quotes: kept escaped in a JSON string, plain in text. */
    assert_string_equal(apply_tpl("{\"a\":\"<q>\",\"b\":<q>}", false),
                        "{\"a\":\"say \\\"hi\\\"\",\"b\":\"say \\\"hi\\\"\"}");
    assert_string_equal(apply_tpl("q=<q>", false), "q=say \"hi\"");
}

/* A path the event lacks: null as a value, nothing in a string or text. */
static void test_missing(void **state)
{
    (void)state;
    EXPECT("{'a':<missing>,'b':'x<missing>y','c':<res9>}", "{'a':null,'b':'xy','c':null}");
    EXPECT("[<missing>]", "[null]");
    EXPECT("a<missing>b", "ab");
}

/* Indices and wildcards. */
static void test_paths(void **state)
{
    (void)state;
    EXPECT("{'r':<res0>,'ks':<ks>}",
           "{'r':'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111','ks':['a','b']}");
    EXPECT("'keys: <ks>'", "'keys: [a,b]'");
}

/* <name> that names no variable stays as it is; so do < and > alone. */
static void test_not_placeholders(void **state)
{
    (void)state;
    EXPECT("{'text':'<https://example.com|<instance>> a < b > c <>'}",
           "{'text':'<https://example.com|i-0123456789> a < b > c <>'}");
    EXPECT("<unknown> <instance", "<unknown> <instance");
}

/* aws.events.event (no detail), aws.events.event.json (all), ingestion time. */
static void test_predefined(void **state)
{
    const char *out;

    (void)state;
    out = apply_tpl("{\"e\":<aws.events.event>}", false);
    assert_non_null(strstr(out, "\"detail-type\":\"EC2 Instance State-change Notification\""));
    assert_null(strstr(out, "\"detail\":"));
    out = apply_tpl("{\"e\":<aws.events.event.json>}", false);
    assert_non_null(strstr(out, "\"detail\":{\"instance-id\":\"i-0123456789\""));
    EXPECT("{'t':<aws.events.event.ingestion-time>}", "{'t':'2015-11-11T21:29:54.000Z'}");
    EXPECT("at <aws.events.event.ingestion-time>", "at 2015-11-11T21:29:54.000Z");
}

/* One definition and its output for EVENT. */
static const char *apply_def(enum cm_transform_mode mode, const char *text)
{
    static char out[8192];
    struct cm_transform_def def = {mode, text, strlen(text), NULL, 0};
    struct cm_transform *t = NULL;
    const char *ev = js(EVENT);
    struct cm_buf b;
    char err[400];

    if (cm_transform_compile(&def, &t, err, sizeof(err)) != 0) {
        fail_msg("compile %s: %s", text, err);
    }
    cm_buf_init(&b, 0);
    assert_int_equal(cm_transform_apply(t, ev, strlen(ev), NULL, &b, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%.*s", (int)b.len, b.p ? b.p : "");
    cm_buf_finish(&b);
    assert_true(cm_transform_is_json(t));
    cm_transform_destroy(t);
    return out;
}

static void test_input_and_path(void **state)
{
    (void)state;
    assert_string_equal(apply_def(CM_TRANSFORM_INPUT, js("{ 'a' : [ 1, 'b c' ] }")),
                        js("{'a':[1,'b c']}"));
    assert_string_equal(apply_def(CM_TRANSFORM_PATH, "$.detail.o"), js("{'x':'y'}"));
    assert_string_equal(apply_def(CM_TRANSFORM_PATH, "$.detail['instance-id']"),
                        js("'i-0123456789'"));
    assert_string_equal(apply_def(CM_TRANSFORM_PATH, "$.detail.tags[1].v"), js("'2'"));
    assert_string_equal(apply_def(CM_TRANSFORM_PATH, "$.detail.tags[*].v"), js("['1','2']"));
    assert_string_equal(apply_def(CM_TRANSFORM_PATH, "$.detail.nope"), "null");
    assert_string_equal(apply_def(CM_TRANSFORM_EVENT, ""), js(EVENT));
    assert_non_null(strstr(apply_def(CM_TRANSFORM_PATH, "$"), "\"version\":\"0\""));
}

/* A refusal of template tpl (quotes swapped) naming want. */
static void reject(enum cm_transform_mode mode, const char *text, size_t nvars, const char *want)
{
    struct cm_transform_def def = {mode, js(text), 0, VARS, nvars};
    struct cm_transform *t = NULL;
    char err[400] = "";

    def.len = strlen(def.text);
    assert_int_not_equal(cm_transform_compile(&def, &t, err, sizeof(err)), 0);
    assert_null(t);
    if (strstr(err, want) == NULL) {
        fail_msg("%s: got \"%s\", want \"%s\"", text, err, want);
    }
}

static void test_reject(void **state)
{
    struct cm_transform_var bad[] = {
        {"AWSx", "$.a"}, {"a.b", "$.a"}, {"a", "$.a['b']"}, {"a", "a.b"}};
    struct cm_transform_def def = {CM_TRANSFORM_TEMPLATE, "<a>", 3, NULL, 1};
    struct cm_transform *t = NULL;
    char err[400];

    (void)state;
    reject(CM_TRANSFORM_INPUT, "{'a':", 0, "input: not JSON: byte 5");
    reject(CM_TRANSFORM_PATH, "detail", 0, "input_path: byte 0: must start with $");
    reject(CM_TRANSFORM_PATH, "$.a..b", 0, "input_path: byte 4: expected a name or *");
    reject(CM_TRANSFORM_PATH, "$.a[x]", 0, "input_path: byte 3: expected [index], [*]");
    reject(CM_TRANSFORM_PATH, "$.a['b]", 0, "input_path: byte 4: a quoted name must end");
    reject(CM_TRANSFORM_PATH, "$.a b", 0, "input_path: byte 3: expected '.' or '['");
    reject(CM_TRANSFORM_TEMPLATE, "", 0, "input_template: must be 1 to 8192 bytes");
    reject(CM_TRANSFORM_TEMPLATE, "{'<instance>': 1}", 2,
           "input_template: byte 2: a placeholder cannot be (in) an object key");
    reject(CM_TRANSFORM_TEMPLATE, "{'a': <instance> <state>}", 3,
           "input_template: byte 17: starts with { or [ but is not JSON");
    reject(CM_TRANSFORM_TEMPLATE, "{'a': '<aws.events.event>'}", 0,
           "byte 7: <aws.events.event> can only be the value of a JSON field");
    reject(CM_TRANSFORM_TEMPLATE, "event: <aws.events.event.json>", 0,
           "byte 7: <aws.events.event.json> can only be the value of a JSON field");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        def.vars = &bad[i];
        assert_int_equal(cm_transform_compile(&def, &t, err, sizeof(err)), CM_EINVAL);
        assert_non_null(strstr(err, "input_transformer.input_paths_map"));
    }
    assert_non_null(strstr(err, "input_paths_map.a: byte 0: must start with $"));
}

/* A text template on several lines says so (a file target refuses it); JSON ones are minified. */
static void test_newline(void **state)
{
    struct cm_transform_def def = {CM_TRANSFORM_TEMPLATE, "a\nb", 3, NULL, 0};
    struct cm_transform *t = NULL;
    char err[400];

    (void)state;
    assert_int_equal(cm_transform_compile(&def, &t, err, sizeof(err)), 0);
    assert_true(cm_transform_has_newline(t));
    assert_false(cm_transform_is_json(t));
    cm_transform_destroy(t);
    def.text = "{\n\"a\": 1\n}";
    def.len = strlen(def.text);
    assert_int_equal(cm_transform_compile(&def, &t, err, sizeof(err)), 0);
    assert_false(cm_transform_has_newline(t));
    assert_true(cm_transform_is_json(t));
    cm_transform_destroy(t);
}

/* JSONPath limits. */
static void test_jpath_limits(void **state)
{
    char path[CM_JPATH_MAX_LEN + 2];
    struct cm_jpath p;
    struct cm_diag diag;

    (void)state;
    memset(path, 'a', sizeof(path));
    path[0] = '$';
    path[1] = '.';
    assert_int_equal(cm_jpath_parse(path, CM_JPATH_MAX_LEN + 1, true, &p, &diag), CM_E2BIG);
    assert_int_equal(cm_jpath_parse(path, CM_JPATH_MAX_LEN, true, &p, &diag), 0);
    for (size_t i = 1; i + 1 < sizeof(path); i += 2) {
        path[i] = '.';
        path[i + 1] = 'x';
    }
    assert_int_equal(cm_jpath_parse(path, 2 * CM_JPATH_MAX_STEPS + 1, true, &p, &diag), 0);
    assert_int_equal(cm_jpath_parse(path, 2 * CM_JPATH_MAX_STEPS + 3, true, &p, &diag), CM_E2BIG);
    assert_int_equal(cm_jpath_parse("$[2147483648]", 13, true, &p, &diag), CM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented),       cmocka_unit_test(test_contexts),
        cmocka_unit_test(test_missing),          cmocka_unit_test(test_paths),
        cmocka_unit_test(test_not_placeholders), cmocka_unit_test(test_predefined),
        cmocka_unit_test(test_input_and_path),   cmocka_unit_test(test_reject),
        cmocka_unit_test(test_newline),          cmocka_unit_test(test_jpath_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
