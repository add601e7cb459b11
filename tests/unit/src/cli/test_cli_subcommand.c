/*
 * The helpers every command group shares (src/cli/cli_input.c,
 * findings_print.c): cm_cli_subcommand() runs the named subcommand with argv
 * shifted, prints the usage to stdout for --help / -h / help and to stderr
 * (exit 2) for none or an unknown one; cm_cli_subcommand_list() prints the
 * "  NAME SUMMARY" lines padded to the width asked; --format table|json.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/findings_cli.h"

static int ran_argc;
static char ran_argv0[16];
static FILE *usage_to;
static int usage_calls;

static int run_put(int argc, char **argv)
{
    ran_argc = argc;
    snprintf(ran_argv0, sizeof(ran_argv0), "%s", argv[0]);
    return 7;
}

static int run_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static const struct cm_cmd subs[] = {
    {"put", "create or replace one", run_put},
    {"deliveries", "list the deliveries", run_list},
};

static void usage(FILE *f)
{
    usage_to = f;
    usage_calls++;
}

static int dispatch(int argc, const char *a1, const char *a2)
{
    char w0[16] = "group", w1[16] = "", w2[16] = "";
    char *argv[] = {w0, w1, w2, NULL};

    snprintf(w1, sizeof(w1), "%s", a1 ? a1 : "");
    snprintf(w2, sizeof(w2), "%s", a2 ? a2 : "");
    ran_argc = 0;
    ran_argv0[0] = '\0';
    usage_to = NULL;
    usage_calls = 0;
    return cm_cli_subcommand("group", subs, 2, usage, argc, argv);
}

static void test_dispatch(void **state)
{
    (void)state;
    /* The subcommand runs with argv[0] its own name; its status is returned. */
    assert_int_equal(dispatch(3, "put", "--db"), 7);
    assert_int_equal(ran_argc, 2);
    assert_string_equal(ran_argv0, "put");
    assert_int_equal(usage_calls, 0);
    /* Help on stdout, exit 0. */
    for (int i = 0; i < 3; i++) {
        const char *h[] = {"--help", "-h", "help"};
        assert_int_equal(dispatch(2, h[i], NULL), 0);
        assert_ptr_equal(usage_to, stdout);
        assert_int_equal(ran_argc, 0);
    }
    /* No subcommand, or an unknown one: usage on stderr, exit 2. */
    assert_int_equal(dispatch(1, NULL, NULL), 2);
    assert_ptr_equal(usage_to, stderr);
    assert_int_equal(dispatch(2, "pu", NULL), 2);
    assert_ptr_equal(usage_to, stderr);
    assert_int_equal(usage_calls, 1);
    assert_int_equal(ran_argc, 0);
}

static void test_list(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    cm_cli_subcommand_list(f, subs, 2, 10);
    cm_cli_subcommand_list(f, subs, 1, 4);
    /* A name longer than the width is not cut. */
    cm_cli_subcommand_list(f, subs + 1, 1, 3);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(text, "  put        create or replace one\n"
                              "  deliveries list the deliveries\n"
                              "  put  create or replace one\n"
                              "  deliveries list the deliveries\n");
    free(text);
}

static void test_table_or_json(void **state)
{
    bool json = false;

    (void)state;
    assert_int_equal(cm_list_format_table_or_json("rules", "json", &json), 0);
    assert_true(json);
    assert_int_equal(cm_list_format_table_or_json("rules", "table", &json), 0);
    assert_false(json);
    /* Another list format is refused, *json left as it was. */
    json = true;
    assert_int_equal(cm_list_format_table_or_json("rules", "ids", &json), 2);
    assert_int_equal(cm_list_format_table_or_json("rules", "JSON", &json), 2);
    assert_true(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_table_or_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
