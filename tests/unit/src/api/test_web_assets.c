/*
 * Unit tests for the compiled-in console (web_assets.h): every file of web/
 * is in the table byte for byte under its name, with its content type, and
 * nothing else is; lookups are exact; entity tags are stable and differ
 * between files. Run from the repository root (web/ is read from disk).
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

#include "api/web_assets.h"

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static void test_every_file_of_web(void **state)
{
    DIR *d = opendir("web");
    struct dirent *e;
    size_t files = 0, assets = 0;
    (void)state;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[512];
        size_t len = 0;
        unsigned char *data;
        const struct cm_web_asset *a;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "web/%s", e->d_name);
        data = slurp(path, &len);
        assert_non_null(data);
        a = cm_web_asset_find(e->d_name);
        assert_non_null(a);
        assert_int_equal(a->len, len);
        assert_memory_equal(a->data, data, len);
        free(data);
        files++;
    }
    closedir(d);
    for (const struct cm_web_asset *a = cm_web_assets; a->path != NULL; a++)
        assets++;
    assert_int_equal(assets, files);
    assert_true(files >= 5);
}

static void test_content_types(void **state)
{
    (void)state;
    assert_string_equal(cm_web_asset_find("index.html")->content_type, "text/html; charset=utf-8");
    assert_string_equal(cm_web_asset_find("app.js")->content_type,
                        "text/javascript; charset=utf-8");
    assert_string_equal(cm_web_asset_find("sigv4.js")->content_type,
                        "text/javascript; charset=utf-8");
    assert_string_equal(cm_web_asset_find("style.css")->content_type, "text/css; charset=utf-8");
    assert_string_equal(cm_web_asset_find("favicon.svg")->content_type, "image/svg+xml");
}

static void test_find_is_exact(void **state)
{
    (void)state;
    assert_null(cm_web_asset_find(NULL));
    assert_null(cm_web_asset_find(""));
    assert_null(cm_web_asset_find("INDEX.HTML"));
    assert_null(cm_web_asset_find("/index.html"));
    assert_null(cm_web_asset_find("index.htm"));
    assert_null(cm_web_asset_find("index.html/"));
    assert_null(cm_web_asset_find("../web/index.html"));
    assert_string_equal(cm_web_asset_find("index.html")->path, "index.html");
}

static void test_etag(void **state)
{
    char a[CM_WEB_ETAG_LEN], b[CM_WEB_ETAG_LEN], c[CM_WEB_ETAG_LEN];
    struct cm_web_asset empty = {"e", "text/plain", (const unsigned char *)"", 0};
    struct cm_web_asset one = {"o", "text/plain", (const unsigned char *)"a", 1};
    (void)state;

    cm_web_asset_etag(cm_web_asset_find("app.js"), a);
    cm_web_asset_etag(cm_web_asset_find("app.js"), b);
    cm_web_asset_etag(cm_web_asset_find("index.html"), c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), CM_WEB_ETAG_LEN - 1);
    assert_int_equal(a[0], '"');
    assert_int_equal(a[17], '"');
    /* FNV-1a 64: the empty input is the offset basis; "a" is af63dc4c8601ec8c */
    cm_web_asset_etag(&empty, a);
    assert_string_equal(a, "\"cbf29ce484222325\"");
    cm_web_asset_etag(&one, a);
    assert_string_equal(a, "\"af63dc4c8601ec8c\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_file_of_web),
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_find_is_exact),
        cmocka_unit_test(test_etag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
