/*
 * Claim tokens and whether their run is gone (src/bus/claim.c): a token of this
 * process made now is not gone; one of a process that ended is; one with this
 * process's id made before this process started is (a restart that got the same pid);
 * a token of another form is never taken for gone.
 */
#include "bus/claim.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_own_token_lives(void **state)
{
    char tok[CM_BUS_CLAIM_TOKEN_MAX];

    (void)state;
    cm_bus_claim_token(tok, sizeof(tok));
    assert_true(strlen(tok) > 10);
    assert_false(cm_bus_claim_gone(tok));
}

static void test_token_of_an_ended_process_is_gone(void **state)
{
    char tok[CM_BUS_CLAIM_TOKEN_MAX];
    int fds[2], status;
    pid_t pid;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char t[CM_BUS_CLAIM_TOKEN_MAX];

        cm_bus_claim_token(t, sizeof(t));
        _exit(write(fds[1], t, sizeof(t)) == (ssize_t)sizeof(t) ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], tok, sizeof(tok)), (ssize_t)sizeof(tok));
    close(fds[0]);
    /* Alive or a zombie, it is not gone yet; reaped, it is. */
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(cm_bus_claim_gone(tok));
}

static void test_same_pid_started_later_is_gone(void **state)
{
    char tok[CM_BUS_CLAIM_TOKEN_MAX];
    struct timespec ts;

    (void)state;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* This pid, a claim made a day ago: this process did not make it (it started since,
     * as a service restarted as PID 1 in a container does). */
    snprintf(tok, sizeof(tok), "%ld.%lld.%09ld.%lx", (long)getpid(), (long long)ts.tv_sec - 86400,
             0L, 0x1UL);
    assert_true(cm_bus_claim_gone(tok));
    /* A second ago, by a run of this process: lives. */
    snprintf(tok, sizeof(tok), "%ld.%lld.%09ld.%lx", (long)getpid(), (long long)ts.tv_sec,
             ts.tv_nsec, 0x1UL);
    assert_false(cm_bus_claim_gone(tok));
}

static void test_other_forms_are_not_gone(void **state)
{
    /* Blanks and signs too (strtol would take them): " 1.1.1.1" is not a token. */
    static const char *const bad[] = {"",         "run-a",    "x.1.2.3",
                                      "0.1.2.3",  "-5.1.2.3", "12",
                                      "12.",      "12.34",    "12.34.5000000000.1",
                                      " 1.1.1.1", "+1.1.1.1", "1. 1.1.1",
                                      "1.+1.1.1", "1.1.-1.1", "1.1. 1.1"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(cm_bus_claim_gone(bad[i]));
    }
    assert_false(cm_bus_claim_gone(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_token_lives),
        cmocka_unit_test(test_token_of_an_ended_process_is_gone),
        cmocka_unit_test(test_same_pid_started_later_is_gone),
        cmocka_unit_test(test_other_forms_are_not_gone),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
