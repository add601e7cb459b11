/*
 * The EventBridge API (src/api/api_json.c, api_events_*.c) through
 * cm_api_handle() with X-Amz-Target set, as the HTTP server runs it: the
 * awsJson1_1 dispatch and error shape, each operation over the store's rules
 * and targets (what `coalmine rules` and `coalmine targets` see), and the
 * target ARN mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "api_util.h"

#include "api/api_events.h"
#include "api/api_target_guard.h"
#include "bus/bus.h"
#include "core/clock.h"

static char e_file[600], e_file2[600];

/* One awsJson1_1 request: POST / with X-Amz-Target AWSEvents.<op>. Returns the status. */
static int ev_full(const char *method, const char *target, const char *region, const char *body,
                   const char **ctype)
{
    struct cm_api_req req;
    struct cm_api_resp resp;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = method;
    req.path = "/";
    req.target = target;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.region = region;
    req.now_ms = A_NOW;
    cm_buf_init(&resp.body, CM_API_MAX_RESP);
    assert_int_equal(cm_api_handle(&a_ctx, &req, &resp), 0);
    a_status = resp.status;
    snprintf(a_type, sizeof(a_type), "%s", resp.error_type ? resp.error_type : "");
    if (ctype != NULL) {
        *ctype = resp.content_type;
    }
    free(a_body);
    a_body = strdup(resp.body.p ? resp.body.p : "");
    assert_non_null(a_body);
    cm_buf_finish(&resp.body);
    return a_status;
}

static int ev(const char *op, const char *body)
{
    char target[100];

    snprintf(target, sizeof(target), "AWSEvents.%s", op);
    return ev_full("POST", target, NULL, body, NULL);
}

/* Asserts the last answer was a 400 of __type type whose message contains want. */
static void error_is(const char *type, const char *want)
{
    char t[200];

    snprintf(t, sizeof(t), "\"__type\":\"%s\"", type);
    if (a_status != 400 || strcmp(a_type, type) != 0 || strstr(a_body, t) == NULL ||
        strstr(a_body, want) == NULL) {
        fail_msg("status %d type %s body %s; wanted a 400 %s with \"%s\"", a_status, a_type, a_body,
                 type, want);
    }
}

static void has(const char *want)
{
    if (strstr(a_body, want) == NULL) {
        fail_msg("body %s has no \"%s\"", a_body, want);
    }
}

/* The operator's api.targets for these tests: files under the test's directory and /tmp, /bin/true.
 */
static char *e_dirs[2], *e_progs[1] = {"/bin/true"};
static struct cm_api_target_policy e_policy;

static int e_setup(void **state)
{
    if (a_setup(state) != 0) {
        return -1;
    }
    e_dirs[0] = a_dir;
    e_dirs[1] = "/tmp";
    e_policy = (struct cm_api_target_policy){e_progs, 1, e_dirs, 2, NULL, 0, NULL, 0, NULL};
    a_ctx.targets = &e_policy;
    snprintf(e_file, sizeof(e_file), "%s/out.jsonl", a_dir);
    snprintf(e_file2, sizeof(e_file2), "%s/two.jsonl", a_dir);
    return 0;
}

/* The file's whole text (empty when absent), to free. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = calloc(1, 1 << 20);
    assert_non_null(s);
    if (f != NULL) {
        size_t n = fread(s, 1, (1 << 20) - 1, f);
        s[n] = '\0';
        fclose(f);
    }
    return s;
}

/* ---- Dispatch ---- */

static void test_dispatch(void **state)
{
    const char *ctype = NULL;
    (void)state;

    assert_string_equal(cm_api_json_op_name("AWSEvents.PutRule"), "PutRule");
    assert_string_equal(cm_api_json_op_name("AWSEvents.PutEvents"), "PutEvents");
    assert_null(cm_api_json_op_name("AWSEvents.CreateEventBus"));
    assert_null(cm_api_json_op_name("GuardDutyAPIService.ListDetectors"));
    assert_null(cm_api_json_op_name(NULL));

    assert_int_equal(ev_full("POST", "AWSEvents.CreateEventBus", NULL, "{}", &ctype), 400);
    error_is("UnknownOperationException", "Unknown operation AWSEvents.CreateEventBus");
    assert_string_equal(ctype, "application/x-amz-json-1.1");
    assert_int_equal(ev_full("GET", "AWSEvents.ListRules", NULL, NULL, NULL), 400);
    error_is("UnknownOperationException", "POST /");

    /* A success is the json protocol's content type too. */
    assert_int_equal(ev_full("POST", "AWSEvents.ListRules", NULL, "{}", &ctype), 200);
    assert_string_equal(ctype, "application/x-amz-json-1.1");
    assert_string_equal(a_body, "{\"Rules\":[]}");

    /* The input helpers' BadRequestException is EventBridge's ValidationException. */
    assert_int_equal(ev("ListRules", "{\"Limit\":0}"), 400);
    error_is("ValidationException", "Limit");
    assert_int_equal(ev("ListRules", "[1]"), 400);
    error_is("ValidationException", "object");
    assert_int_equal(ev("ListRules", "{\"Limit\":1,\"Limit\":2}"), 400);
    error_is("ValidationException", "given twice");

    /* A REST request is untouched by the JSON side. */
    assert_int_equal(call("GET", "/detector", NULL, NULL), 200);
    has("detectorIds");
}

/* ---- Rules ---- */

static void test_put_describe(void **state)
{
    (void)state;
    assert_int_equal(
        ev("PutRule",
           "{\"Name\":\"high\",\"EventPattern\":\"{\\\"source\\\":[\\\"aws.guardduty\\\"]}"
           "\",\"Description\":\"sev 7+\"}"),
        200);
    assert_string_equal(a_body,
                        "{\"RuleArn\":\"arn:aws:events:us-east-1:123456789012:rule/high\"}");
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"high\"}"), 200);
    assert_string_equal(a_body,
                        "{\"Name\":\"high\",\"Arn\":\"arn:aws:events:us-east-1:123456789012:rule/"
                        "high\",\"EventPattern\":\"{\\\"source\\\":[\\\"aws.guardduty\\\"]}\","
                        "\"State\":\"ENABLED\",\"Description\":\"sev 7+\",\"EventBusName\":"
                        "\"default\",\"CreatedBy\":\"123456789012\"}");
    /* The request's region is the ARN's. */
    assert_int_equal(
        ev_full("POST", "AWSEvents.DescribeRule", "eu-west-1", "{\"Name\":\"high\"}", NULL), 200);
    has("arn:aws:events:eu-west-1:123456789012:rule/high");

    /* An update without State keeps the rule's state. */
    assert_int_equal(ev("DisableRule", "{\"Name\":\"high\"}"), 200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(
        ev("PutRule", "{\"Name\":\"high\",\"EventPattern\":\"{\\\"source\\\":[\\\"x\\\"]}\"}"),
        200);
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"high\"}"), 200);
    has("\"State\":\"DISABLED\"");
    assert_int_equal(ev("EnableRule", "{\"Name\":\"high\"}"), 200);
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"high\"}"), 200);
    has("\"State\":\"ENABLED\"");

    /* A scheduled rule, created disabled. */
    assert_int_equal(ev("PutRule", "{\"Name\":\"tick\",\"ScheduleExpression\":\"rate(5 minutes)\","
                                   "\"State\":\"DISABLED\"}"),
                     200);
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"tick\"}"), 200);
    has("\"ScheduleExpression\":\"rate(5 minutes)\"");
    has("\"State\":\"DISABLED\"");
    assert_null(strstr(a_body, "EventPattern"));

    /* The store holds what the API put: the rows `coalmine rules` reads. */
    {
        char err[256];
        int n = 0;
        assert_int_equal(cm_store_rule_enable(a_st, "tick", true, err, sizeof(err)), 0);
        (void)n;
    }
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"tick\"}"), 200);
    has("\"State\":\"ENABLED\"");
}

static void test_rule_errors(void **state)
{
    (void)state;
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"nope\"}"), 400);
    error_is("ResourceNotFoundException", "Rule nope does not exist on EventBus default.");
    assert_int_equal(ev("EnableRule", "{\"Name\":\"nope\"}"), 400);
    error_is("ResourceNotFoundException", "nope");
    assert_int_equal(ev("DisableRule", "{\"Name\":\"nope\"}"), 400);
    error_is("ResourceNotFoundException", "nope");
    assert_int_equal(ev("PutRule", "{\"Name\":\"r\"}"), 400);
    error_is("ValidationException", "EventPattern or ScheduleExpression must be specified");
    assert_int_equal(ev("PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[{"
                                   "\\\"bogus\\\":1}]}\"}"),
                     400);
    error_is("InvalidEventPatternException", "Event pattern is not valid. Reason: source:");
    assert_int_equal(ev("PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{not json\"}"), 400);
    error_is("InvalidEventPatternException", "Event pattern is not valid");
    assert_int_equal(ev("PutRule", "{\"Name\":\"r\",\"ScheduleExpression\":\"rate(0 hours)\"}"),
                     400);
    error_is("ValidationException", "ScheduleExpression is not valid");
    assert_int_equal(ev("PutRule", "{\"Name\":\"a b\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}"), 400);
    error_is("ValidationException", "regular expression pattern");
    assert_int_equal(ev("PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{\\\"a\\\":[1]}\","
                                   "\"State\":\"ON\"}"),
                     400);
    error_is("ValidationException", "State");
    assert_int_equal(ev("PutRule", "{\"Name\":\"r\",\"EventPattern\":\"{\\\"a\\\":[1]}\","
                                   "\"EventBusName\":\"other\"}"),
                     400);
    error_is("ResourceNotFoundException", "Event bus other does not exist.");
    /* The default bus by name or ARN is fine. */
    assert_int_equal(ev("PutRule",
                        "{\"Name\":\"r\",\"EventPattern\":\"{\\\"a\\\":[1]}\",\"EventBusName\":"
                        "\"arn:aws:events:us-east-1:123456789012:event-bus/default\"}"),
                     200);
    /* Nothing was made by the failed calls. */
    assert_int_equal(ev("ListRules", "{}"), 200);
    has("\"Name\":\"r\"");
    assert_null(strstr(a_body, "\"Name\":\"a b\""));
}

static void test_limit(void **state)
{
    char body[200];
    (void)state;
    for (int i = 0; i < CM_STORE_RULES_MAX; i++) {
        snprintf(body, sizeof(body), "{\"Name\":\"r%03d\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}",
                 i);
        assert_int_equal(ev("PutRule", body), 200);
    }
    assert_int_equal(ev("PutRule", "{\"Name\":\"one-more\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}"),
                     400);
    error_is("LimitExceededException", "300");
    /* Replacing one is no new rule. */
    assert_int_equal(ev("PutRule", "{\"Name\":\"r007\",\"EventPattern\":\"{\\\"a\\\":[2]}\"}"),
                     200);
}

static void test_list_paging(void **state)
{
    static const char *const names[] = {"alpha", "app-1", "app-2", "app-3", "beta", "app-4"};
    char body[200], token[100] = "";
    size_t seen = 0;
    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(body, sizeof(body), "{\"Name\":\"%s\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}",
                 names[i]);
        assert_int_equal(ev("PutRule", body), 200);
    }
    assert_int_equal(ev("ListRules", "{\"NamePrefix\":\"app-\"}"), 200);
    has("app-1");
    has("app-4");
    assert_null(strstr(a_body, "alpha"));
    assert_null(strstr(a_body, "NextToken"));
    /* Pages of 3 over the prefix: app-1..3, then app-4, in name order. */
    for (int page = 0; page < 3; page++) {
        const char *t;
        if (token[0] != '\0') {
            snprintf(body, sizeof(body),
                     "{\"NamePrefix\":\"app-\",\"Limit\":3,\"NextToken\":\"%s\"}", token);
        } else {
            snprintf(body, sizeof(body), "{\"NamePrefix\":\"app-\",\"Limit\":3}");
        }
        assert_int_equal(ev("ListRules", body), 200);
        for (char *p = a_body; (p = strstr(p, "\"Name\":\"app-")) != NULL; p++) {
            seen++;
        }
        t = strstr(a_body, "\"NextToken\":\"");
        if (t == NULL) {
            token[0] = '\0';
            break;
        }
        t += strlen("\"NextToken\":\"");
        snprintf(token, sizeof(token), "%.*s", (int)strcspn(t, "\""), t);
        assert_int_equal(page, 0);
        has("app-3");
        assert_null(strstr(a_body, "app-4"));
    }
    assert_int_equal(seen, 4);
    assert_string_equal(token, "");
}

/*
 * The guard (api_target_guard.h) in PutTargets: with no api.targets, exec and file targets
 * and a webhook to instance metadata are failed entries (AccessDeniedException) and are not
 * stored, while the good entry of the same request is; a target `coalmine targets put` made
 * (straight into the store) cannot be put again through the API with another Input.
 */
static void test_targets_guard(void **state)
{
    struct cm_store_target st = {"g", "cli", "exec", "{\"argv\":[\"/bin/sh\"]}"};
    char body[2048], err[256];
    (void)state;

    a_ctx.targets = NULL;
    assert_int_equal(ev("PutRule", "{\"Name\":\"g\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}"), 200);
    snprintf(
        body, sizeof(body),
        "{\"Rule\":\"g\",\"Targets\":["
        "{\"Id\":\"sh\",\"Arn\":\"arn:aws:coalmine:::exec:/bin/sh\",\"Input\":\"\\\"id\\\"\"},"
        "{\"Id\":\"rc\",\"Arn\":\"arn:aws:coalmine:::file:%s/.bashrc\"},"
        "{\"Id\":\"imds\",\"Arn\":\"arn:aws:coalmine:::webhook:http://169.254.169.254/latest/\"},"
        "{\"Id\":\"json\",\"Arn\":\"arn:aws:coalmine:::exec:{\\\"argv\\\":[\\\"/bin/true\\\"]}\"},"
        "{\"Id\":\"ok\",\"Arn\":\"arn:aws:coalmine:::webhook:http://127.0.0.1:9/x\"}]}",
        a_dir);
    assert_int_equal(ev("PutTargets", body), 200);
    has("\"FailedEntryCount\":4");
    has("{\"TargetId\":\"sh\",\"ErrorCode\":\"AccessDeniedException\",\"ErrorMessage\":\"exec "
        "targets cannot be put through the API unless the operator allows the program in "
        "coalmine.yaml (api.targets.exec_allow)");
    has("{\"TargetId\":\"rc\",\"ErrorCode\":\"AccessDeniedException\",\"ErrorMessage\":\"file "
        "targets cannot be put through the API");
    has("{\"TargetId\":\"imds\",\"ErrorCode\":\"AccessDeniedException\"");
    has("{\"TargetId\":\"json\",\"ErrorCode\":\"AccessDeniedException\"");
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"g\"}"), 200);
    assert_string_equal(a_body, "{\"Targets\":[{\"Id\":\"ok\",\"Arn\":\"arn:aws:coalmine:::"
                                "webhook:http://127.0.0.1:9/x\"}]}");
    /* A target the CLI put: listed, removable, but not put again with a new Input. */
    assert_int_equal(cm_store_target_put(a_st, &st, err, sizeof(err)), 0);
    assert_int_equal(ev("PutTargets",
                        "{\"Rule\":\"g\",\"Targets\":[{\"Id\":\"cli\",\"Arn\":"
                        "\"arn:aws:coalmine:::exec:/bin/sh\",\"Input\":\"\\\"rm -rf ~\\\"\"}]}"),
                     200);
    has("\"FailedEntryCount\":1");
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"g\"}"), 200);
    has("{\"Id\":\"cli\",\"Arn\":\"arn:aws:coalmine:::exec:");
    assert_null(strstr(a_body, "rm -rf"));
    assert_int_equal(ev("RemoveTargets", "{\"Rule\":\"g\",\"Ids\":[\"cli\"]}"), 200);
    has("\"FailedEntryCount\":0");
    /* With the operator's api.targets: /bin/true passes, but not with LD_PRELOAD. */
    a_ctx.targets = &e_policy;
    assert_int_equal(
        ev("PutTargets",
           "{\"Rule\":\"g\",\"Targets\":[{\"Id\":\"t\",\"Arn\":\"arn:aws:coalmine:::exec:"
           "{\\\"argv\\\":[\\\"/bin/true\\\"],\\\"env\\\":{\\\"LD_PRELOAD\\\":\\\"/tmp/"
           "x.so\\\"}}\"},"
           "{\"Id\":\"t2\",\"Arn\":\"arn:aws:coalmine:::exec:/bin/true\"}]}"),
        200);
    has("\"FailedEntryCount\":1");
    has("env.LD_PRELOAD cannot be set through the API");
}

static void test_delete(void **state)
{
    char body[800];
    (void)state;
    assert_int_equal(ev("PutRule", "{\"Name\":\"d\",\"EventPattern\":\"{\\\"a\\\":[1]}\","
                                   "\"Tags\":[{\"Key\":\"team\",\"Value\":\"ir\"}]}"),
                     200);
    snprintf(body, sizeof(body),
             "{\"Rule\":\"d\",\"Targets\":[{\"Id\":\"f\",\"Arn\":\"arn:aws:coalmine:::file:%s\"}]}",
             e_file);
    assert_int_equal(ev("PutTargets", body), 200);
    assert_int_equal(ev("DeleteRule", "{\"Name\":\"d\"}"), 400);
    error_is("ValidationException", "Rule can't be deleted since it has targets.");
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"d\"}"), 200);
    assert_int_equal(ev("DeleteRule", "{\"Name\":\"d\",\"Force\":true}"), 200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(ev("DescribeRule", "{\"Name\":\"d\"}"), 400);
    error_is("ResourceNotFoundException", "d");
    /* A deleted rule's tags went with it; deleting no rule succeeds, as EventBridge's. */
    assert_int_equal(ev("PutRule", "{\"Name\":\"d\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}"), 200);
    assert_int_equal(ev("ListTagsForResource",
                        "{\"ResourceARN\":\"arn:aws:events:us-east-1:123456789012:rule/d\"}"),
                     200);
    assert_string_equal(a_body, "{\"Tags\":[]}");
    assert_int_equal(ev("DeleteRule", "{\"Name\":\"never\"}"), 200);
}

/* ---- Targets ---- */

static void test_targets_roundtrip(void **state)
{
    char body[2000], *listed, *again;
    (void)state;
    assert_int_equal(ev("PutRule", "{\"Name\":\"t\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}"), 200);
    snprintf(body, sizeof(body),
             "{\"Rule\":\"t\",\"Targets\":["
             "{\"Id\":\"file\",\"Arn\":\"arn:aws:coalmine:::file:%s\",\"InputPath\":\"$.detail\"},"
             "{\"Id\":\"hook\",\"Arn\":\"arn:aws:coalmine:::webhook:{\\\"url\\\":\\\"http://"
             "127.0.0.1:9/x\\\",\\\"timeout_seconds\\\":5}\",\"Input\":\"{\\\"k\\\":1}\"},"
             "{\"Id\":\"prog\",\"Arn\":\"arn:aws:coalmine:::exec:/bin/true\",\"InputTransformer\":"
             "{\"InputPathsMap\":{\"t\":\"$.detail-type\"},\"InputTemplate\":\"{\\\"type\\\": "
             "<t>}\"}},"
             "{\"Id\":\"kafka\",\"Arn\":\"arn:aws:coalmine:::kafka:127.0.0.1:9092/findings\"},"
             "{\"Id\":\"lambda\",\"Arn\":\"arn:aws:lambda:us-east-1:123456789012:function:f\"},"
             "{\"Id\":\"badspec\",\"Arn\":\"arn:aws:coalmine:::file:{\\\"pathx\\\":1}\"},"
             "{\"Id\":\"two\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/x\",\"Input\":\"{}\","
             "\"InputPath\":\"$\"}]}",
             e_file);
    assert_int_equal(ev("PutTargets", body), 200);
    has("\"FailedEntryCount\":3");
    has("{\"TargetId\":\"lambda\",\"ErrorCode\":\"ValidationException\",\"ErrorMessage\":"
        "\"coalmine cannot deliver to arn:aws:lambda:");
    has("\"TargetId\":\"badspec\"");
    has("\"TargetId\":\"two\"");
    has("Only one of Input, InputPath, or InputTransformer");

    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"t\"}"), 200);
    listed = strdup(a_body);
    assert_non_null(listed);
    has("{\"Id\":\"file\",\"Arn\":\"arn:aws:coalmine:::file:");
    has("\"InputPath\":\"$.detail\"");
    has("{\"Id\":\"hook\",\"Arn\":\"arn:aws:coalmine:::webhook:{");
    has("\"Input\":\"{\\\"k\\\":1}\"");
    has("{\"Id\":\"prog\",\"Arn\":\"arn:aws:coalmine:::exec:/bin/true\",\"InputTransformer\":"
        "{\"InputPathsMap\":{\"t\":\"$.detail-type\"},\"InputTemplate\":");
    has("{\"Id\":\"kafka\",\"Arn\":\"arn:aws:coalmine:::kafka:127.0.0.1:9092/findings\"}");

    /* What ListTargetsByRule gives is accepted back by PutTargets, unchanged. */
    {
        size_t n = strlen(listed) + 64;
        char *put = malloc(n);
        assert_non_null(put);
        /* {"Targets":[...]} -> {"Rule":"t","Targets":[...]} */
        snprintf(put, n, "{\"Rule\":\"t\",%s", listed + 1);
        assert_int_equal(ev("PutTargets", put), 200);
        assert_string_equal(a_body, "{\"FailedEntryCount\":0,\"FailedEntries\":[]}");
        free(put);
    }
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"t\"}"), 200);
    again = a_body;
    assert_string_equal(again, listed);
    free(listed);

    /* Paging over the rule's 4 targets. */
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"t\",\"Limit\":3}"), 200);
    has("\"NextToken\":\"3\"");
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"t\",\"Limit\":3,\"NextToken\":\"3\"}"),
                     200);
    assert_null(strstr(a_body, "NextToken"));
    assert_non_null(strstr(a_body, "\"Id\":\""));
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"t\",\"NextToken\":\"x\"}"), 400);
    error_is("ValidationException", "NextToken");

    /* Removing: one there, one not (no failure, as EventBridge). */
    assert_int_equal(ev("RemoveTargets", "{\"Rule\":\"t\",\"Ids\":[\"kafka\",\"none\"]}"), 200);
    assert_string_equal(a_body, "{\"FailedEntries\":[],\"FailedEntryCount\":0}");
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"t\"}"), 200);
    assert_null(strstr(a_body, "kafka"));

    /* Unknown rule. */
    assert_int_equal(ev("ListTargetsByRule", "{\"Rule\":\"nope\"}"), 400);
    error_is("ResourceNotFoundException", "Rule nope does not exist");
    assert_int_equal(ev("PutTargets", "{\"Rule\":\"nope\",\"Targets\":[{\"Id\":\"a\",\"Arn\":"
                                      "\"arn:aws:coalmine:::file:/tmp/a\"}]}"),
                     400);
    error_is("ResourceNotFoundException", "nope");
    assert_int_equal(ev("RemoveTargets", "{\"Rule\":\"nope\",\"Ids\":[\"a\"]}"), 400);
    error_is("ResourceNotFoundException", "nope");
}

static void test_targets_limit(void **state)
{
    char body[2000];
    (void)state;
    assert_int_equal(ev("PutRule", "{\"Name\":\"t\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}"), 200);
    assert_int_equal(ev("PutTargets",
                        "{\"Rule\":\"t\",\"Targets\":["
                        "{\"Id\":\"1\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/1\"},"
                        "{\"Id\":\"2\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/2\"},"
                        "{\"Id\":\"3\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/3\"},"
                        "{\"Id\":\"4\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/4\"}]}"),
                     200);
    snprintf(
        body, sizeof(body),
        "{\"Rule\":\"t\",\"Targets\":[{\"Id\":\"5\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/5\"},"
        "{\"Id\":\"6\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/6\"}]}");
    assert_int_equal(ev("PutTargets", body), 400);
    error_is("LimitExceededException", "at most 5 targets");
    /* Replacing one that is there, and adding a fifth, fit. */
    assert_int_equal(ev("PutTargets",
                        "{\"Rule\":\"t\",\"Targets\":["
                        "{\"Id\":\"1\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/one\"},"
                        "{\"Id\":\"5\",\"Arn\":\"arn:aws:coalmine:::file:/tmp/5\"}]}"),
                     200);
    has("\"FailedEntryCount\":0");
    assert_int_equal(ev("PutTargets", "{\"Rule\":\"t\",\"Targets\":[]}"), 400);
    error_is("ValidationException", "1 to 10");
}

static void test_rule_names_by_target(void **state)
{
    char body[2000];
    (void)state;
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof(body), "{\"Name\":\"r%d\",\"EventPattern\":\"{\\\"a\\\":[1]}\"}", i);
        assert_int_equal(ev("PutRule", body), 200);
        snprintf(
            body, sizeof(body),
            "{\"Rule\":\"r%d\",\"Targets\":[{\"Id\":\"f\",\"Arn\":\"arn:aws:coalmine:::file:%s\""
            "%s}]}",
            i, i == 1 ? e_file2 : e_file, i == 2 ? ",\"InputPath\":\"$.detail\"" : "");
        assert_int_equal(ev("PutTargets", body), 200);
        has("\"FailedEntryCount\":0");
    }
    snprintf(body, sizeof(body), "{\"TargetArn\":\"arn:aws:coalmine:::file:%s\"}", e_file);
    assert_int_equal(ev("ListRuleNamesByTarget", body), 200);
    assert_string_equal(a_body, "{\"RuleNames\":[\"r0\",\"r2\"]}");
    /* The JSON form names the same target. */
    snprintf(
        body, sizeof(body),
        "{\"TargetArn\":\"arn:aws:coalmine:::file:{\\\"fsync\\\":true,\\\"path\\\":\\\"%s\\\"}\"}",
        e_file);
    assert_int_equal(ev("ListRuleNamesByTarget", body), 200);
    assert_string_equal(a_body, "{\"RuleNames\":[\"r0\",\"r2\"]}");
    snprintf(body, sizeof(body), "{\"TargetArn\":\"arn:aws:coalmine:::file:%s\",\"Limit\":1}",
             e_file);
    assert_int_equal(ev("ListRuleNamesByTarget", body), 200);
    assert_string_equal(a_body, "{\"RuleNames\":[\"r0\"],\"NextToken\":\"1\"}");
    assert_int_equal(
        ev("ListRuleNamesByTarget", "{\"TargetArn\":\"arn:aws:sqs:us-east-1:123456789012:q\"}"),
        200);
    assert_string_equal(a_body, "{\"RuleNames\":[]}");
}

static void test_arn_mapping(void **state)
{
    struct cm_buf spec, arn;
    char kind[32], why[512];
    static const struct {
        const char *arn, *kind, *spec, *back;
    } cases[] = {
        {"arn:aws:coalmine:::file:/var/x.jsonl", "file",
         "{\"path\":\"/var/x.jsonl\",\"fsync\":true}", NULL},
        {"arn:aws:coalmine:::file:{\"path\":\"/v\",\"fsync\":false}", "file",
         "{\"path\":\"/v\",\"fsync\":false}", NULL},
        {"arn:aws:coalmine:::webhook:https://h.example/a?b=c", "webhook", NULL, NULL},
        {"arn:aws:coalmine:::exec:/usr/bin/logger", "exec", NULL, NULL},
        {"arn:aws:coalmine:::exec:{\"argv\":[\"/bin/sh\",\"-c\",\"cat\"]}", "exec", NULL, NULL},
        {"arn:aws:coalmine:::kafka:b1:9092,b2:9092/guardduty", "kafka", NULL, NULL},
    };
    (void)state;
    cm_buf_init(&spec, 0);
    cm_buf_init(&arn, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cm_events_arn_parse(cases[i].arn, kind, sizeof(kind), &spec, why, sizeof(why)) != 0) {
            fail_msg("%s: %s", cases[i].arn, why);
        }
        assert_string_equal(kind, cases[i].kind);
        if (cases[i].spec != NULL) {
            assert_int_equal(spec.len, strlen(cases[i].spec));
            assert_memory_equal(spec.p, cases[i].spec, spec.len);
        }
        (void)cm_buf_putc(&spec, '\0');
        assert_int_equal(cm_events_arn_of(kind, spec.p, &arn), 0);
        (void)cm_buf_putc(&arn, '\0');
        /* The short form comes back as it was; a JSON form as the canonical spec. */
        if (strchr(cases[i].arn, '{') == NULL) {
            assert_string_equal(arn.p, cases[i].arn);
        } else {
            char k2[32];
            struct cm_buf s2;
            cm_buf_init(&s2, 0);
            assert_int_equal(cm_events_arn_parse(arn.p, k2, sizeof(k2), &s2, why, sizeof(why)), 0);
            (void)cm_buf_putc(&s2, '\0');
            assert_string_equal(s2.p, spec.p);
            cm_buf_finish(&s2);
        }
    }
    /* Refused: another service's ARN, an unknown kind, no spec, a bad spec, kafka w/o topic. */
    assert_int_equal(cm_events_arn_parse("arn:aws:sqs:us-east-1:1:q", kind, sizeof(kind), &spec,
                                         why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "coalmine cannot deliver to arn:aws:sqs"));
    assert_int_equal(cm_events_arn_parse("arn:aws:coalmine:::sns:x", kind, sizeof(kind), &spec, why,
                                         sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "no target kind 'sns'"));
    assert_int_equal(cm_events_arn_parse("arn:aws:coalmine:::file:", kind, sizeof(kind), &spec, why,
                                         sizeof(why)),
                     -1);
    assert_int_equal(cm_events_arn_parse("arn:aws:coalmine:us-east-1::file:/x", kind, sizeof(kind),
                                         &spec, why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "no region or account"));
    assert_int_equal(cm_events_arn_parse("arn:aws:coalmine:::file:{\"path\":1}", kind, sizeof(kind),
                                         &spec, why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "file target spec"));
    assert_int_equal(cm_events_arn_parse("arn:aws:coalmine:::kafka:b:9092", kind, sizeof(kind),
                                         &spec, why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "BROKERS/TOPIC"));
    /* A spec with defaults not filled the short way is listed in the JSON form. */
    assert_int_equal(
        cm_events_arn_of("file", "{\"path\":\"/v\",\"fsync\":false,\"input\":\"{}\"}", &arn), 0);
    (void)cm_buf_putc(&arn, '\0');
    assert_string_equal(arn.p, "arn:aws:coalmine:::file:{\"path\":\"/v\",\"fsync\":false}");
    cm_buf_finish(&spec);
    cm_buf_finish(&arn);
}

/* ---- TestEventPattern, PutEvents ---- */

#define EVENT_OK                                                                                   \
    "{\\\"id\\\":\\\"1\\\",\\\"account\\\":\\\"123456789012\\\",\\\"source\\\":\\\"my.app\\\","    \
    "\\\"time\\\":\\\"2026-01-01T00:00:00Z\\\",\\\"region\\\":\\\"us-east-1\\\","                  \
    "\\\"resources\\\":"                                                                           \
    "[],\\\"detail-type\\\":\\\"Order\\\",\\\"detail\\\":{\\\"n\\\":5}}"

static void test_test_event_pattern(void **state)
{
    (void)state;
    assert_int_equal(ev("TestEventPattern",
                        "{\"EventPattern\":\"{\\\"source\\\":[\\\"my.app\\\"],"
                        "\\\"detail\\\":{\\\"n\\\":[{\\\"numeric\\\":[\\\">\\\","
                        "4]}]}}\",\"Event\":\"" EVENT_OK "\"}"),
                     200);
    assert_string_equal(a_body, "{\"Result\":true}");
    assert_int_equal(ev("TestEventPattern",
                        "{\"EventPattern\":\"{\\\"detail\\\":{\\\"n\\\":[{"
                        "\\\"numeric\\\":[\\\">\\\",5]}]}}\",\"Event\":\"" EVENT_OK "\"}"),
                     200);
    assert_string_equal(a_body, "{\"Result\":false}");
    assert_int_equal(ev("TestEventPattern",
                        "{\"EventPattern\":\"{\\\"a\\\":[{\\\"nope\\\":1}]}\",\"Event\":\"" EVENT_OK
                        "\"}"),
                     400);
    error_is("InvalidEventPatternException", "unknown operator");
    assert_int_equal(
        ev("TestEventPattern",
           "{\"EventPattern\":\"{\\\"a\\\":[1]}\",\"Event\":\"{\\\"id\\\":\\\"1\\\"}\"}"),
        400);
    error_is("ValidationException", "Parameter Event is not valid: it has no \\\"account\\\"");
    assert_int_equal(
        ev("TestEventPattern", "{\"EventPattern\":\"{\\\"a\\\":[1]}\",\"Event\":\"[\"}"), 400);
    error_is("ValidationException", "Parameter Event is not valid");
    assert_int_equal(ev("TestEventPattern", "{\"EventPattern\":\"{\\\"a\\\":[1]}\"}"), 400);
    error_is("ValidationException", "Event");
}

static void test_put_events(void **state)
{
    char body[2000], *got;
    (void)state;
    assert_int_equal(ev("PutRule",
                        "{\"Name\":\"orders\",\"EventPattern\":\"{\\\"source\\\":[\\\"my.app\\\"],"
                        "\\\"detail\\\":{\\\"n\\\":[{\\\"numeric\\\":[\\\">\\\",4]}]}}\"}"),
                     200);
    snprintf(
        body, sizeof(body),
        "{\"Rule\":\"orders\",\"Targets\":[{\"Id\":\"f\",\"Arn\":\"arn:aws:coalmine:::file:%s\"},"
        "{\"Id\":\"d\",\"Arn\":\"arn:aws:coalmine:::file:%s\",\"InputPath\":\"$.detail\"}]}",
        e_file, e_file2);
    assert_int_equal(ev("PutTargets", body), 200);
    has("\"FailedEntryCount\":0");

    assert_int_equal(
        ev("PutEvents",
           "{\"Entries\":["
           "{\"Source\":\"my.app\",\"DetailType\":\"Order\",\"Detail\":\"{\\\"n\\\":5}\","
           "\"Resources\":[\"arn:aws:s3:::b\"],\"Time\":1767225600},"
           "{\"Source\":\"my.app\",\"DetailType\":\"Order\",\"Detail\":\"{\\\"n\\\":1}\"},"
           "{\"Source\":\"aws.guardduty\",\"DetailType\":\"x\",\"Detail\":\"{}\"},"
           "{\"Source\":\"my.app\",\"DetailType\":\"Order\",\"Detail\":\"{not json\"},"
           "{\"DetailType\":\"Order\",\"Detail\":\"{}\"},"
           "{\"Source\":\"my.app\",\"DetailType\":\"Order\",\"Detail\":\"{}\",\"EventBusName\":"
           "\"other\"}]}"),
        200);
    has("\"FailedEntryCount\":4");
    has("\"Entries\":[{\"EventId\":\"");
    has("{\"ErrorCode\":\"NotAuthorizedForSourceException\"");
    has("{\"ErrorCode\":\"MalformedDetail\"");
    has("{\"ErrorCode\":\"InvalidArgument\",\"ErrorMessage\":\"Parameter Source is not valid");
    has("Event bus other does not exist.");
    /* The matching event (n 5) reached both targets; the other (n 1) neither. */
    got = slurp(e_file);
    assert_non_null(strstr(got, "\"version\":\"0\""));
    assert_non_null(strstr(got, "\"detail-type\":\"Order\",\"source\":\"my.app\",\"account\":"
                                "\"123456789012\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":"
                                "\"us-east-1\",\"resources\":[\"arn:aws:s3:::b\"],\"detail\":{"
                                "\"n\":5}}"));
    assert_null(strstr(got, "\"n\":1"));
    assert_int_equal(strchr(got, '\n') - got + 1, (long)strlen(got)); /* one line */
    free(got);
    got = slurp(e_file2);
    assert_string_equal(got, "{\"n\":5}\n");
    free(got);

    /* Through the outbox: delivered rows are done, nothing owed. */
    assert_int_equal(cm_store_outbox_count(a_st), 0);

    /*
     * A target that fails keeps the event owed (an outbox row, its delivery PENDING), and a
     * later bus run delivers it, as a finding's event is.
     */
    {
        char dir[700], out[720], err[256];
        struct cm_bus_opts bo = {0};
        struct cm_bus_stats bs;

        snprintf(dir, sizeof(dir), "%s/later", a_dir);
        snprintf(out, sizeof(out), "%s/out.jsonl", dir);
        assert_int_equal(ev("PutRule", "{\"Name\":\"late\",\"EventPattern\":"
                                       "\"{\\\"source\\\":[\\\"late.app\\\"]}\"}"),
                         200);
        snprintf(body, sizeof(body),
                 "{\"Rule\":\"late\",\"Targets\":[{\"Id\":\"l\",\"Arn\":"
                 "\"arn:aws:coalmine:::file:%s\"}]}",
                 out);
        assert_int_equal(mkdir(dir, 0700), 0); /* the guard wants it there at put time */
        assert_int_equal(ev("PutTargets", body), 200);
        has("\"FailedEntryCount\":0");
        assert_int_equal(rmdir(dir), 0); /* gone: the delivery fails */
        assert_int_equal(ev("PutEvents", "{\"Entries\":[{\"Source\":\"late.app\","
                                         "\"DetailType\":\"T\",\"Detail\":\"{\\\"k\\\":7}\"}]}"),
                         200);
        has("\"FailedEntryCount\":0"); /* accepted: its delivery is owed */
        assert_int_equal(cm_store_outbox_count(a_st), 1);
        assert_int_equal(mkdir(dir, 0700), 0);
        bo.now_ms = cm_clock_now_ms();
        bo.ignore_backoff = true;
        assert_int_equal(cm_bus_run(a_st, &bo, &bs, err, sizeof(err)), 0);
        assert_int_equal(bs.by_source[CM_BUS_SRC_EVENTS].delivered, 1);
        assert_int_equal(cm_store_outbox_count(a_st), 0);
        got = slurp(out);
        assert_non_null(strstr(got, "\"source\":\"late.app\""));
        assert_non_null(strstr(got, "\"detail\":{\"k\":7}"));
        free(got);
        assert_int_equal(ev("RemoveTargets", "{\"Rule\":\"late\",\"Ids\":[\"l\"]}"), 200);
        assert_int_equal(ev("DeleteRule", "{\"Name\":\"late\"}"), 200);
    }

    /* A disabled rule sends nothing. */
    assert_int_equal(ev("DisableRule", "{\"Name\":\"orders\"}"), 200);
    assert_int_equal(ev("PutEvents",
                        "{\"Entries\":[{\"Source\":\"my.app\",\"DetailType\":\"Order\","
                        "\"Detail\":\"{\\\"n\\\":9}\"}]}"),
                     200);
    has("\"FailedEntryCount\":0");
    got = slurp(e_file2);
    assert_string_equal(got, "{\"n\":5}\n");
    free(got);

    /* An event past 256 KB is a failed entry, not a failed request. */
    {
        size_t big = 300 * 1024;
        char *b = malloc(big + 200);
        assert_non_null(b);
        int o = snprintf(b, big + 200,
                         "{\"Entries\":[{\"Source\":\"my.app\",\"DetailType\":\"Order\","
                         "\"Detail\":\"{\\\"x\\\":\\\"");
        memset(b + o, 'a', big);
        snprintf(b + o + big, 200, "\\\"}\"}]}");
        assert_int_equal(ev("PutEvents", b), 200);
        has("\"FailedEntryCount\":1");
        has("larger than 256 KB");
        free(b);
    }

    /* Entries: 1 to 10. */
    assert_int_equal(ev("PutEvents", "{\"Entries\":[]}"), 400);
    error_is("ValidationException", "1 to 10");
    assert_int_equal(ev("PutEvents", "{}"), 400);
    error_is("ValidationException", "Entries");
}

static void test_tags(void **state)
{
    (void)state;
    assert_int_equal(ev("PutRule", "{\"Name\":\"t\",\"EventPattern\":\"{\\\"a\\\":[1]}\",\"Tags\":"
                                   "[{\"Key\":\"team\",\"Value\":\"ir\"}]}"),
                     200);
    assert_int_equal(ev("TagResource", "{\"ResourceARN\":\"arn:aws:events:us-east-1:123456789012:"
                                       "rule/t\",\"Tags\":[{\"Key\":\"env\",\"Value\":\"prod\"},"
                                       "{\"Key\":\"team\",\"Value\":\"sec\"}]}"),
                     200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(ev("ListTagsForResource",
                        "{\"ResourceARN\":\"arn:aws:events:us-east-1:123456789012:rule/t\"}"),
                     200);
    assert_string_equal(a_body, "{\"Tags\":[{\"Key\":\"team\",\"Value\":\"sec\"},{\"Key\":\"env\","
                                "\"Value\":\"prod\"}]}");
    assert_int_equal(ev("UntagResource", "{\"ResourceARN\":\"arn:aws:events:us-east-1:123456789012:"
                                         "rule/t\",\"TagKeys\":[\"team\",\"none\"]}"),
                     200);
    assert_int_equal(ev("ListTagsForResource",
                        "{\"ResourceARN\":\"arn:aws:events:us-east-1:123456789012:rule/t\"}"),
                     200);
    assert_string_equal(a_body, "{\"Tags\":[{\"Key\":\"env\",\"Value\":\"prod\"}]}");
    assert_int_equal(ev("ListTagsForResource",
                        "{\"ResourceARN\":\"arn:aws:events:us-east-1:123456789012:rule/x\"}"),
                     400);
    error_is("ResourceNotFoundException", "Rule x does not exist");
    assert_int_equal(
        ev("TagResource", "{\"ResourceARN\":\"arn:aws:sqs:us-east-1:1:q\",\"Tags\":[]}"), 400);
    error_is("ValidationException", "is not the ARN of a rule");
    assert_int_equal(ev("TagResource", "{\"ResourceARN\":\"arn:aws:events:us-east-1:123456789012:"
                                       "rule/t\",\"Tags\":[{\"Key\":\"aws:x\",\"Value\":\"v\"}]}"),
                     400);
    error_is("ValidationException", "aws:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dispatch, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_put_describe, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_rule_errors, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_limit, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_delete, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_targets_guard, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_targets_roundtrip, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_targets_limit, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_rule_names_by_target, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_arn_mapping, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_test_event_pattern, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_put_events, e_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_tags, e_setup, a_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
