/*
 * docs/finding-types.md lists every finding type with its resource, action,
 * default severity and identity key. This test renders the table from the
 * type table (lib/finding/finding_types.c) and compares it with the file, so
 * the documentation cannot drift from the code. On a difference it writes the
 * expected file to build/finding-types.md: review it and copy it over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding/finding.h"

#define DOC      "docs/finding-types.md"
#define EXPECTED "build/finding-types.md"

static const char head[] =
    "# Finding types\n"
    "\n"
    "Every finding type coalmine knows (`lib/finding/finding_types.c`, from GuardDuty's\n"
    "list), with the resource it names, the action it reports, its default severity and\n"
    "its **identity key**: the fields whose values make a finding's id\n"
    "(`cm_finding_id()`). A detection with the same key is a repeat: it updates the\n"
    "existing finding's `service.count`, `eventLastSeen`, `updatedAt` and latest actor\n"
    "details, once per underlying event (see docs/internals/finding.md, *Identity*, and\n"
    "docs/internals/store.md, *Events*). Every key starts with the account, the region\n"
    "and the type; the table gives the rest.\n"
    "\n"
    "Severity: the default, and for types whose resource can be the attacker, `target /\n"
    "actor`. Detectors may set another value where the type's severity varies (spec §1).\n"
    "Status `retired` types are still parsed and stored, never produced.\n"
    "\n"
    "This file is checked by `tests/unit/lib/finding/test_type_doc.c`.\n"
    "\n"
    "| Type | Resource | Action | Severity | Identity key (after account, region, type) | "
    "Status |\n"
    "|---|---|---|---|---|---|\n";

static const char *resource_key(const struct cm_finding_type_info *ti)
{
    switch (ti->resource) {
    case CM_RES_INSTANCE:
        return "instance id (else the first ENI)";
    case CM_RES_ACCESS_KEY:
        return "access key id (else the principal id)";
    case CM_RES_S3_BUCKET:
        return "bucket name";
    default:
        return "—";
    }
}

static const char *status_name(enum cm_type_status s)
{
    return s == CM_TYPE_ACTIVE ? "active" : s == CM_TYPE_RETIRED ? "retired" : "renamed";
}

/* Renders the whole document into a malloc'd string. */
static char *render(void)
{
    size_t n, cap = 1 << 16, len = 0;
    const struct cm_finding_type_info *t = cm_finding_types(&n);
    char *out = malloc(cap);

    assert_non_null(out);
    len = (size_t)snprintf(out, cap, "%s", head);
    for (size_t i = 0; i < n; i++) {
        char sev[32], key[160];
        int w;
        if (t[i].severity_actor > 0 && t[i].severity_actor != t[i].severity) {
            snprintf(sev, sizeof(sev), "%g / %g", t[i].severity, t[i].severity_actor);
        } else {
            snprintf(sev, sizeof(sev), "%g", t[i].severity);
        }
        snprintf(key, sizeof(key), "%s%s", resource_key(&t[i]),
                 (t[i].identity & CM_FID_ROLE)     ? "; resourceRole (TARGET or ACTOR)"
                 : (t[i].identity & CM_FID_CALLER) ? "; the caller's access key id"
                                                   : "");
        for (;;) {
            w = snprintf(out + len, cap - len, "| `%s` | %s%s | %s | %s | %s | %s |\n", t[i].type,
                         t[i].resource == CM_RES_NONE ? "—" : cm_resource_type_name(t[i].resource),
                         t[i].s3_details ? " + S3Bucket details" : "",
                         t[i].action == CM_ACT_NONE ? "—" : cm_action_type_name(t[i].action), sev,
                         key, status_name(t[i].status));
            if ((size_t)w < cap - len) {
                break;
            }
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        len += (size_t)w;
    }
    return out;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    buf[fread(buf, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return buf;
}

static void test_doc_matches_table(void **state)
{
    char *want = render(), *have = slurp(DOC);
    (void)state;

    if (have == NULL || strcmp(want, have) != 0) {
        FILE *f = fopen(EXPECTED, "wb");
        if (f) {
            fputs(want, f);
            fclose(f);
        }
        fprintf(stderr, "%s differs from the type table; expected text in %s\n", DOC, EXPECTED);
    }
    assert_non_null(have);
    assert_string_equal(want, have);
    free(want);
    free(have);
}

/* Every type appears exactly once (a type added to the table gets a row). */
static void test_every_type_once(void **state)
{
    size_t n;
    const struct cm_finding_type_info *t = cm_finding_types(&n);
    char *doc = render();
    (void)state;

    for (size_t i = 0; i < n; i++) {
        char cell[200];
        snprintf(cell, sizeof(cell), "| `%s` |", t[i].type);
        char *at = strstr(doc, cell);
        assert_non_null(at);
        assert_null(strstr(at + 1, cell));
    }
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_matches_table),
        cmocka_unit_test(test_every_type_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
