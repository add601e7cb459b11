/*
 * Conformance of lib/base/json.h against JSONTestSuite (Nicolas Seriot):
 * every y_* file in $SHARED/data/json-test-suite/test_parsing must parse,
 * every n_* file must be rejected, and i_* files (implementation-defined)
 * must not crash, whatever the result. The suite is read from the shared
 * data folder, never copied into the tree; without it the test is skipped.
 *
 * Each accepted file is also re-serialised with cm_jw_node and the output
 * must parse again, which checks the writer over the same corpus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *nb;
    size_t cap = 0, n = 0, got;

    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            nb = cm_realloc(buf, cap);
            if (nb == NULL) {
                cm_free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Re-serialises an accepted document and checks the output parses. */
static int rewrite_ok(const struct cm_json_doc *d)
{
    struct cm_json_doc d2;
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_node(&jw, d, 0);
    rc = cm_jw_finish(&jw);
    if (rc == CM_E2BIG) {
        rc = 0; /* deeper than the writer allows */
    } else if (rc == 0) {
        cm_json_doc_init(&d2, 0, 0);
        rc = cm_json_parse(&d2, b.p, b.len, NULL);
        cm_json_doc_finish(&d2);
    }
    cm_buf_finish(&b);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_json_test_suite(void **state)
{
    const char *shared = getenv("SHARED");
    char dir[1024], path[2048];
    char **names = NULL;
    size_t count = 0, cap = 0, ny = 0, nn = 0, ni = 0, ni_ok = 0, failures = 0;
    struct cm_json_doc doc;
    struct cm_diag diag;
    struct dirent *e;
    DIR *dh;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/data/json-test-suite/test_parsing",
             shared && *shared ? shared : "../shared");
    dh = opendir(dir);
    if (dh == NULL) {
        print_message("JSONTestSuite not found at %s\n", dir);
        skip();
        return;
    }
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] != 'y' && e->d_name[0] != 'n' && e->d_name[0] != 'i') {
            continue;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 512;
            names = cm_realloc(names, cap * sizeof(*names));
            assert_non_null(names);
        }
        names[count] = cm_strndup(e->d_name, strlen(e->d_name));
        assert_non_null(names[count]);
        count++;
    }
    closedir(dh);
    if (count > 0) {
        qsort(names, count, sizeof(*names), cmp_names);
    }
    cm_json_doc_init(&doc, 0, 0);
    for (size_t k = 0; k < count; k++) {
        size_t len = 0;
        char *src;
        int rc;

        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        src = read_all(path, &len);
        assert_non_null(src);
        rc = cm_json_parse(&doc, src, len, &diag);
        if (names[k][0] == 'y') {
            ny++;
            if (rc != 0) {
                print_error("y_ file rejected: %s (%d: %s at %zu)\n", names[k], rc, diag.msg,
                            diag.offset);
                failures++;
            } else if (rewrite_ok(&doc) != 0) {
                print_error("y_ file does not re-serialise: %s\n", names[k]);
                failures++;
            }
        } else if (names[k][0] == 'n') {
            nn++;
            if (rc == 0) {
                print_error("n_ file accepted: %s\n", names[k]);
                failures++;
            }
        } else {
            ni++;
            ni_ok += rc == 0;
            if (rc == 0 && rewrite_ok(&doc) != 0) {
                print_error("i_ file does not re-serialise: %s\n", names[k]);
                failures++;
            }
        }
        cm_free(src);
        cm_free(names[k]);
    }
    cm_free(names);
    cm_json_doc_finish(&doc);
    print_message("JSONTestSuite: %zu y_, %zu n_, %zu i_ files checked (%zu i_ accepted)\n", ny, nn,
                  ni, ni_ok);
    assert_true(ny > 0 && nn > 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_test_suite),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
