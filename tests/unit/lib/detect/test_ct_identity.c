/*
 * Who made a CloudTrail call, as the detectors name it (lib/detect/ct_common.c,
 * ct_profile.c): an assumed role's session name (cm_ct_session_name) and the person
 * behind an IAM Identity Center role's session (cm_ct_person_key), on the ARNs AWS
 * writes and on the odd ones it might (a marker elsewhere, no session, paths, a
 * truncated ARN): the fast paths give what the plain search gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "detect/ct.h"

#include "../finding/finding_util.h"

#define SSO_ISSUER                                                                                 \
    "arn:aws:iam::" T_ACCOUNT ":role/aws-reserved/sso.amazonaws.com/eu-west-1/"                    \
    "AWSReservedSSO_AdministratorAccess_0123456789abcdef"

/* The session name of arn as a C string ("-" when there is none). */
static const char *session(const char *arn)
{
    static char out[256];
    struct cm_ct_identity u;
    struct cm_str s;

    memset(&u, 0, sizeof(u));
    u.arn = arn ? cm_str_cstr(arn) : CM_STR_NULL;
    s = cm_ct_session_name(&u);
    if (!cm_str_present(s)) {
        return "-";
    }
    assert_true(s.len < sizeof(out));
    memcpy(out, s.p, s.len);
    out[s.len] = '\0';
    return out;
}

/* Where the name is: after the last '/', when the part before it holds the role marker. */
static void test_session_name(void **state)
{
    (void)state;
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":assumed-role/app-role/i-0abc123"),
                        "i-0abc123");
    assert_string_equal(session("arn:aws-us-gov:sts::" T_ACCOUNT ":assumed-role/r/alice@x.com"),
                        "alice@x.com");
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":assumed-role/r/"), "");
    /* A role name holding '/' (never written, but read as the plain search reads it). */
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":assumed-role/a/b/c"), "c");
    /* The marker past the first '/', or twice: still found. */
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":x/y:assumed-role/r/s"), "s");
    assert_string_equal(session("arn:aws:sts::1:assumed-role/r:assumed-role/q/s"), "s");
    assert_string_equal(session(":assumed-role/r/s"), "s");
    assert_string_equal(session("a/b:assumed-role/c"), "c"); /* a '/' before it, early */
    assert_string_equal(session("arn:aws:sts::1:xassumed-role/r/s"), "-");
    assert_string_equal(session("arn:aws:sts::1:assumed-rolE/r/s"), "-");
    /* The marker's '/' may be the last one (an empty name); it must not be past it. */
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":assumed-role/"), "");
    assert_string_equal(session("arn:aws:sts::1:r/x:assumed-role/"), "");
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":assumed-role"), "-");
    assert_string_equal(session("arn:aws:iam::" T_ACCOUNT ":user/alice"), "-");
    assert_string_equal(session("arn:aws:iam::" T_ACCOUNT ":role/assumed-role/x"), "-");
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":Assumed-role/r/s"), "-");
    assert_string_equal(session("arn:aws:sts::" T_ACCOUNT ":federated-user/bob"), "-");
    assert_string_equal(session("assumed-role/r/s"), "-");
    assert_string_equal(session("/"), "-");
    assert_string_equal(session(""), "-");
    assert_string_equal(session(NULL), "-");
}

/* The person key of a call of identity type t, issuer and ARN, into out of cap bytes. */
static size_t person(enum cm_uid_type t, const char *issuer, const char *arn, char *out, size_t cap)
{
    struct t_events e;
    size_t n;

    t_events_init(&e);
    e.ct.u.ct.uid.type = t;
    e.ct.u.ct.uid.issuer_arn = issuer ? cm_str_cstr(issuer) : CM_STR_NULL;
    e.ct.u.ct.uid.arn = arn ? cm_str_cstr(arn) : CM_STR_NULL;
    n = cm_ct_person_key(&e.ct, out, cap);
    t_events_finish(&e);
    return n;
}

static void test_person_key(void **state)
{
    const char *arn = "arn:aws:sts::" T_ACCOUNT
                      ":assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice";
    char out[128];
    size_t n;

    (void)state;
    n = person(CM_UID_ASSUMEDROLE, SSO_ISSUER, arn, out, sizeof(out));
    assert_int_equal(n, strlen(T_ACCOUNT "/sso-user/alice"));
    assert_memory_equal(out, T_ACCOUNT "/sso-user/alice", n);
    /* Exactly the room it needs, and a byte less. */
    assert_int_equal(person(CM_UID_ASSUMEDROLE, SSO_ISSUER, arn, out, n), n);
    assert_int_equal(person(CM_UID_ASSUMEDROLE, SSO_ISSUER, arn, out, n - 1), 0);
    /* Another role's session, an IAM user, no issuer, no session name: none. */
    assert_int_equal(person(CM_UID_ASSUMEDROLE, "arn:aws:iam::" T_ACCOUNT ":role/app-role", arn,
                            out, sizeof(out)),
                     0);
    assert_int_equal(person(CM_UID_IAMUSER, SSO_ISSUER, arn, out, sizeof(out)), 0);
    assert_int_equal(person(CM_UID_ASSUMEDROLE, NULL, arn, out, sizeof(out)), 0);
    assert_int_equal(person(CM_UID_ASSUMEDROLE, SSO_ISSUER,
                            "arn:aws:sts::" T_ACCOUNT ":assumed-role/AWSReservedSSO_x/", out,
                            sizeof(out)),
                     0);
    assert_int_equal(person(CM_UID_ASSUMEDROLE, SSO_ISSUER, NULL, out, sizeof(out)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_name),
        cmocka_unit_test(test_person_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
