/*
 * libFuzzer target for lib/detect/pwpolicy.c and lib/detect/ua_distro.c.
 *
 * The input, copied into an exact-size heap buffer (no NUL after it), is
 * first a user agent: cm_ua_distro must return a known value, and the same
 * for every suffix that starts after a separator. When it parses as JSON,
 * the root is read as UpdateAccountPasswordPolicy's requestParameters; the
 * policy must be in range whatever the reader returned, weakening against
 * IAM's no-policy must be bounded and never both ways, and the policy
 * written as JSON must parse and read back to the same policy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "detect/ct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void check_distro(enum cm_pentest_distro d)
{
    check(d == CM_DISTRO_NONE || d == CM_DISTRO_KALI || d == CM_DISTRO_PARROT ||
          d == CM_DISTRO_PENTOO);
}

static void user_agent(const char *src, size_t size)
{
    enum cm_pentest_distro whole = cm_ua_distro(cm_str_make(src, size));

    check_distro(whole);
    /* A token in a suffix that starts at a separator is a token of the whole. */
    for (size_t i = 0; i < size && i < 256; i++) {
        if (src[i] == ' ') {
            enum cm_pentest_distro tail = cm_ua_distro(cm_str_make(src + i + 1, size - i - 1));

            check_distro(tail);
            check(tail == CM_DISTRO_NONE || whole != CM_DISTRO_NONE);
        }
    }
}

static bool same(const struct cm_pwpolicy *a, const struct cm_pwpolicy *b)
{
    return a->min_length == b->min_length && a->symbols == b->symbols && a->numbers == b->numbers &&
           a->upper == b->upper && a->lower == b->lower && a->allow_change == b->allow_change &&
           a->hard_expiry == b->hard_expiry && a->max_age == b->max_age && a->reuse == b->reuse;
}

static void policy(const struct cm_json_doc *d)
{
    struct cm_pwpolicy p, none, q;
    struct cm_json_doc d2;
    struct cm_buf b;
    struct cm_jw jw;
    int rc, w, s;

    rc = cm_pwpolicy_from_request(d, 0, &p);
    check(rc == 0 || rc == CM_EINVAL);
    check(p.min_length >= 6 && p.min_length <= 128);
    check(p.max_age >= 0 && p.max_age <= 1095);
    check(p.reuse >= 0 && p.reuse <= 24);

    cm_pwpolicy_none(&none);
    w = cm_pwpolicy_weakening(&none, &p);
    s = cm_pwpolicy_weakening(&p, &none);
    check(w >= 0 && w <= 11 && s >= 0 && s <= 11);
    check(!(w > 0 && s > 0));
    check(cm_pwpolicy_weakening(&p, &p) == 0);
    check(w == 0 || cm_pwpolicy_severity(w) >= 2.0);

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_pwpolicy_json(&p, &jw);
    check(cm_jw_finish(&jw) == 0);
    cm_json_doc_init(&d2, 0, 0);
    check(cm_json_parse(&d2, b.p, b.len, NULL) == 0);
    check(cm_pwpolicy_from_request(&d2, 0, &q) == 0);
    check(same(&p, &q));
    cm_json_doc_finish(&d2);
    cm_buf_finish(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_json_doc d;
    char *src = malloc(size ? size : 1);

    if (src == NULL) {
        return 0;
    }
    if (size) {
        memcpy(src, data, size);
    }
    user_agent(src, size);
    cm_json_doc_init(&d, 1 << 16, 64);
    if (cm_json_parse(&d, src, size, NULL) == 0) {
        policy(&d);
    }
    cm_json_doc_finish(&d);
    free(src);
    return 0;
}
