/*
 * The targets (src/bus/target*.c): each kind's check() (canonical forms with
 * defaults, and the member each refusal names), and delivery for real:
 * exec runs /bin/sh scripts written to a temp directory (stdin, environment,
 * exit status and stderr, timeout with SIGTERM then SIGKILL, the program
 * killed with the daemon, a program that
 * does not read its stdin, programs that cannot run, descriptors, PATH,
 * threads), file appends lines, and webhook POSTs to a small HTTP/1.1 server
 * on 127.0.0.1 run in a thread of this test (no proxy: the proxy variables
 * are unset in main).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "bus/target.h"
#include "coalmine/version.h"

#define EVENT "{\"version\":\"0\",\"id\":\"ev-1\",\"detail\":{\"x\":\"\xc3\xbc \\\"q\\\"\"}}"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cm_target_XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const struct cm_target_ctx ctx1 = {
    "rule-1", "target-1", "finding-1", "Recon:EC2/PortProbeUnprotectedPort", 5.5, 2, 0,
    false,    NULL,       NULL,
};

/* ---- helpers ---- */

/* Reads the whole file at path (NUL-terminated; *len its size); NULL if it cannot. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t n = 0, cap = 0, r;

    if (f == NULL) {
        return NULL;
    }
    do {
        if (cap - n < 65536) {
            cap = cap * 2 + 65536;
            p = realloc(p, cap + 1);
            assert_non_null(p);
        }
        r = fread(p + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    p[n] = '\0';
    if (len) {
        *len = n;
    }
    return p;
}

static void assert_file(const char *path, const char *want, size_t wantlen)
{
    size_t n;
    char *got = slurp(path, &n);

    assert_non_null(got);
    assert_int_equal(n, wantlen);
    assert_memory_equal(got, want, wantlen);
    free(got);
}

/* Writes a /bin/sh script called name into dir (mode 0755); its path goes to out. */
static void script(char *out, size_t outlen, const char *name, const char *body)
{
    FILE *f;

    snprintf(out, outlen, "%s/%s", dir, name);
    f = fopen(out, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(out, 0755), 0);
}

static int deliver(const char *kind, const char *spec, const char *ev, size_t evlen,
                   const struct cm_target_ctx *ctx, char *err, size_t errlen)
{
    const struct cm_target_kind *k = cm_target_kind(kind);

    assert_non_null(k);
    err[0] = '\0';
    return k->deliver(spec, strlen(spec), ev, evlen, ctx, err, errlen);
}

/* An exec spec running path with dir as $1 (and arg as $2 when not NULL). */
static void exec_spec(char *out, size_t outlen, const char *path, const char *arg, int timeout)
{
    snprintf(out, outlen, "{\"argv\":[\"%s\",\"%s\"%s%s%s],\"timeout_seconds\":%d}", path, dir,
             arg ? ",\"" : "", arg ? arg : "", arg ? "\"" : "", timeout);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* No child of ours is left, reaped or not. */
static void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* ---- check() ---- */

static void check_ok(const char *kind, const char *spec, const char *want)
{
    struct cm_buf canon;
    char err[512] = "";
    int rc;

    cm_buf_init(&canon, 0);
    assert_int_equal(cm_buf_puts(&canon, ">"), 0);
    rc = cm_target_kind(kind)->check(spec, strlen(spec), &canon, err, sizeof(err));
    if (rc != 0) {
        fail_msg("%s %s: %s", kind, spec, err);
    }
    assert_string_equal(canon.p + 1, want);
    assert_int_equal(cm_target_kind(kind)->check(spec, strlen(spec), NULL, err, sizeof(err)), 0);
    cm_buf_finish(&canon);
}

static void check_bad(const char *kind, const char *spec, const char *want)
{
    struct cm_buf canon;
    char err[512] = "";
    int rc;

    cm_buf_init(&canon, 0);
    assert_int_equal(cm_buf_puts(&canon, "keep"), 0);
    rc = cm_target_kind(kind)->check(spec, strlen(spec), &canon, err, sizeof(err));
    if (rc != CM_EINVAL || strstr(err, want) == NULL) {
        fail_msg("%s %s: got %d \"%s\", want CM_EINVAL \"%s\"", kind, spec, rc, err, want);
    }
    assert_string_equal(canon.p, "keep");
    cm_buf_finish(&canon);
}

static void test_kinds(void **state)
{
    const char *names[] = {"exec", "file", "webhook", "kafka"};
    size_t i;

    (void)state;
    for (i = 0; cm_target_kind_at(i) != NULL; i++) {
        const struct cm_target_kind *k = cm_target_kind_at(i);

        assert_true(i < 4);
        assert_string_equal(k->name, names[i]);
        assert_ptr_equal(cm_target_kind(names[i]), k);
        assert_non_null(k->summary);
        assert_non_null(k->check);
        assert_non_null(k->deliver);
    }
    assert_int_equal(i, 4);
    assert_null(cm_target_kind("lambda"));
    assert_null(cm_target_kind(""));
}

static void test_check_exec(void **state)
{
    (void)state;
    check_ok("exec", "{\"argv\":[\"/bin/true\"]}",
             "{\"argv\":[\"/bin/true\"],\"timeout_seconds\":30,\"env\":{}}");
    check_ok("exec",
             " { \"env\": {\"B\":\"2\", \"A\":\"1\"}, \"timeout_seconds\": 5,\n"
             "   \"argv\": [\"sh\", \"-c\", \"x\\u0041\", \"\"] } ",
             "{\"argv\":[\"sh\",\"-c\",\"xA\",\"\"],\"timeout_seconds\":5,"
             "\"env\":{\"A\":\"1\",\"B\":\"2\"}}");
    check_ok("exec", "{\"argv\":[\"/x\"],\"timeout_seconds\":null,\"env\":null}",
             "{\"argv\":[\"/x\"],\"timeout_seconds\":30,\"env\":{}}");
    check_ok("exec", "{\"argv\":[\"/x\"],\"timeout_seconds\":3600}",
             "{\"argv\":[\"/x\"],\"timeout_seconds\":3600,\"env\":{}}");

    check_bad("exec", "{}", "argv: missing");
    check_bad("exec", "{\"argv\":[]}", "argv: must not be empty");
    check_bad("exec", "{\"argv\":\"/bin/true\"}", "argv: must be an array of strings");
    check_bad("exec", "{\"argv\":[\"bin/x\"]}", "argv[0]: \"bin/x\" is a relative path");
    check_bad("exec", "{\"argv\":[\"./x\"]}", "argv[0]: \"./x\" is a relative path");
    check_bad("exec", "{\"argv\":[\"\"]}", "argv[0]: must not be empty");
    check_bad("exec", "{\"argv\":[\"/x\",3]}", "argv[1]: must be a string");
    check_bad("exec", "{\"argv\":[\"/x\\u0000y\"]}", "argv[0]: must not contain a NUL");
    check_bad("exec", "{\"argv\":[\"/x\\ny\"]}", "argv[0]: must not contain control");
    check_bad("exec", "{\"argv\":[\"/x\"],\"timeout_seconds\":0}",
              "timeout_seconds: must be an integer from 1 to 3600 (got 0)");
    check_bad("exec", "{\"argv\":[\"/x\"],\"timeout_seconds\":3601}", "timeout_seconds:");
    check_bad("exec", "{\"argv\":[\"/x\"],\"timeout_seconds\":1.5}", "timeout_seconds:");
    check_bad("exec", "{\"argv\":[\"/x\"],\"timeout_seconds\":\"30\"}",
              "timeout_seconds: must be an integer from 1 to 3600 (got a non-number)");
    check_bad("exec", "{\"argv\":[\"/x\"],\"env\":{\"A\":1}}", "env.A: must be a string");
    check_bad("exec", "{\"argv\":[\"/x\"],\"env\":[\"A=1\"]}", "env: must be an object");
    check_bad("exec", "{\"argv\":[\"/x\"],\"env\":{\"1A\":\"x\"}}", "env.1A: a name is");
    check_bad("exec", "{\"argv\":[\"/x\"],\"env\":{\"A=B\":\"x\"}}", "env.A=B: a name is");
    check_bad("exec", "{\"argv\":[\"/x\"],\"env\":{\"A\":\"1\",\"A\":\"2\"}}",
              "env.A: given twice");
    check_bad("exec", "{\"argv\":[\"/x\"],\"env\":{\"COALMINE_RULE\":\"x\"}}",
              "env.COALMINE_RULE: set by coalmine");
    check_bad("exec", "{\"argv\":[\"/x\"],\"argz\":1}", "argz: unknown member");
    check_bad("exec", "{\"argv\":[\"/x\"],\"argv\":[\"/y\"]}", "argv: given twice");
    check_bad("exec", "[\"/bin/true\"]", "spec: must be a JSON object");
    check_bad("exec", "{\"argv\":", "spec: not valid JSON");
}

static void test_check_file(void **state)
{
    (void)state;
    check_ok("file", "{\"path\":\"out.jsonl\"}", "{\"path\":\"out.jsonl\",\"fsync\":true}");
    check_ok("file", "{\"fsync\":false,\"path\":\"/var/x.jsonl\"}",
             "{\"path\":\"/var/x.jsonl\",\"fsync\":false}");

    check_bad("file", "{}", "path: missing");
    check_bad("file", "{\"fsync\":true}", "path: missing");
    check_bad("file", "{\"path\":\"\"}", "path: must not be empty");
    check_bad("file", "{\"path\":7}", "path: must be a string");
    check_bad("file", "{\"path\":\"a\\nb\"}", "path: must not contain control");
    check_bad("file", "{\"path\":\"/x\",\"fsync\":\"yes\"}", "fsync: must be true or false");
    check_bad("file", "{\"path\":\"/x\",\"mode\":\"0600\"}", "mode: unknown member");
}

static void test_check_webhook(void **state)
{
    (void)state;
    check_ok("webhook", "{\"url\":\"https://hooks.example/x\"}",
             "{\"url\":\"https://hooks.example/x\",\"headers\":{},\"timeout_seconds\":10}");
    check_ok("webhook",
             "{\"timeout_seconds\":300,\"headers\":{\"b-h\":\"2\",\"A-H\":\"v\\tw\"},"
             "\"url\":\"http://127.0.0.1:8080/p?q=1\"}",
             "{\"url\":\"http://127.0.0.1:8080/p?q=1\",\"headers\":{\"A-H\":\"v\\tw\","
             "\"b-h\":\"2\"},\"timeout_seconds\":300}");

    check_bad("webhook", "{}", "url: missing");
    check_bad("webhook", "{\"url\":\"ftp://h/x\"}", "url: must start with http:// or https://");
    check_bad("webhook", "{\"url\":\"HTTP://h/x\"}", "url: must start with http://");
    check_bad("webhook", "{\"url\":\"http:///x\"}", "url: no host");
    check_bad("webhook", "{\"url\":\"http://h/a b\"}", "url: byte 11 is a space");
    check_bad("webhook", "{\"url\":\"http://h/\\r\\nX: y\"}", "url: byte 10 is a control");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"X-A\":\"v\\r\\nX-B: y\"}}",
              "headers.X-A: the value holds a CR or LF");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"X-A\\r\\nX-B\":\"v\"}}",
              "headers.X-A??X-B: the name may only hold");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"X A\":\"v\"}}",
              "headers.X A: the name may only hold");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"X-A\":1}}",
              "headers.X-A: must be a string");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"X-A\":\"\"}}",
              "headers.X-A: the value is empty");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"content-type\":\"text/x\"}}",
              "headers.content-type: set by coalmine");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"X-Coalmine-Rule\":\"r\"}}",
              "headers.X-Coalmine-Rule: the X-Coalmine- headers");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"headers\":{\"X-A\":\"1\",\"x-a\":\"2\"}}",
              "headers.x-a: given twice");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"timeout_seconds\":301}",
              "timeout_seconds: must be an integer from 1 to 300");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"timeout_seconds\":0}", "timeout_seconds:");
    check_bad("webhook", "{\"url\":\"http://h/x\",\"method\":\"PUT\"}", "method: unknown member");
}

/* ---- exec ---- */

static void test_exec_stdin_env(void **state)
{
    char path[512], spec[1024], err[512] = "", out[600];
    struct cm_target_ctx bare = {"rule-2", "target-2", NULL, NULL, -1, 1, 0, false, NULL, NULL};
    const char *want = "rule-1\ntarget-1\nfinding-1\nRecon:EC2/PortProbeUnprotectedPort\n5.5\n2\n"
                       "s p e c\nparent\nspec\n2\n2:two words\n";

    (void)state;
    script(path, sizeof(path), "hook.sh",
           "cat > \"$1/stdin.out\"\n"
           "{ printf '%s\\n' \"$COALMINE_RULE\" \"$COALMINE_TARGET_ID\" \"$COALMINE_FINDING_ID\" "
           "\"$COALMINE_FINDING_TYPE\" \"$COALMINE_SEVERITY\" \"$COALMINE_ATTEMPT\" \"$CM_T_SPEC\" "
           "\"$CM_T_PARENT\" \"$CM_T_OVERRIDE\"\n"
           "  tr '\\0' '\\n' < /proc/$$/environ | grep -c '^CM_T_OVERRIDE=\\|^COALMINE_RULE='\n"
           "  echo \"$#:$2\"; } > \"$1/env.out\"");
    snprintf(spec, sizeof(spec),
             "{\"argv\":[\"%s\",\"%s\",\"two words\"],\"env\":{\"CM_T_SPEC\":\"s p e c\","
             "\"CM_T_OVERRIDE\":\"spec\"}}",
             path, dir);
    setenv("CM_T_PARENT", "parent", 1);
    setenv("CM_T_OVERRIDE", "parent", 1);
    setenv("COALMINE_RULE", "stale", 1);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%s/stdin.out", dir);
    assert_file(out, EVENT, strlen(EVENT));
    snprintf(out, sizeof(out), "%s/env.out", dir);
    assert_file(out, want, strlen(want));

    /* Unknown finding id, type and severity are empty; an empty event is an empty stdin. */
    assert_int_equal(deliver("exec", spec, "", 0, &bare, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%s/stdin.out", dir);
    assert_file(out, "", 0);
    snprintf(out, sizeof(out), "%s/env.out", dir);
    want = "rule-2\ntarget-2\n\n\n\n1\ns p e c\nparent\nspec\n2\n2:two words\n";
    assert_file(out, want, strlen(want));
    unsetenv("CM_T_PARENT");
    unsetenv("CM_T_OVERRIDE");
    unsetenv("COALMINE_RULE");
    assert_no_children();
}

static void test_exec_exit_status(void **state)
{
    char path[512], spec[1024], err[512], want[1024];

    (void)state;
    script(path, sizeof(path), "fail.sh",
           "cat >/dev/null; echo first >&2; echo 'no such instance' >&2; exit 3");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "exec %s: exit 3: no such instance", path);
    assert_string_equal(err, want);

    /* 100 KiB of stderr (more than a pipe holds) and then the reason. */
    script(path, sizeof(path), "noisy.sh",
           "i=0; while [ $i -lt 1500 ]; do echo \"noise line $i padding padding padding "
           "padding padding padding\" >&2; i=$((i+1)); done\n"
           "printf 'the real reason\\r\\n\\n' >&2; exit 1");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "exec %s: exit 1: the real reason", path);
    assert_string_equal(err, want);

    /* Silent failure; death by a signal. */
    script(path, sizeof(path), "quiet.sh", "exit 7");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "exec %s: exit 7", path);
    assert_string_equal(err, want);
    script(path, sizeof(path), "killed.sh", "echo dying >&2; kill -9 $$");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "exec %s: killed by signal 9: dying", path);
    assert_string_equal(err, want);
    assert_no_children();
}

static void test_exec_timeout(void **state)
{
    char path[512], spec[1024], err[512], want[1024];
    struct timespec t0;
    double took;

    (void)state;
    script(path, sizeof(path), "slow.sh", "sleep 60");
    exec_spec(spec, sizeof(spec), path, NULL, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    took = seconds_since(&t0);
    snprintf(want, sizeof(want), "exec %s: killed after 1 s (timeout)", path);
    assert_string_equal(err, want);
    /* Not before the timeout; the upper bound is a hang guard (the program sleeps 60 s), not
     * a speed test: a loaded machine may take seconds more. */
    assert_true(took >= 0.9 && took < 30.0);
    assert_no_children();
}

/* A group that ignores SIGTERM gets SIGKILL after the grace, grandchildren too. */
static void test_exec_timeout_kill(void **state)
{
    char path[512], spec[1024], err[512], want[1024], pidfile[600], statpath[64], *text;
    struct timespec t0;
    long pid;
    double took;
    int tries;

    (void)state;
    script(path, sizeof(path), "stubborn.sh",
           "trap '' TERM\nsleep 60 &\necho $! > \"$1/sleep.pid\"\nwait");
    exec_spec(spec, sizeof(spec), path, NULL, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    took = seconds_since(&t0);
    snprintf(want, sizeof(want), "exec %s: killed after 1 s (timeout)", path);
    assert_string_equal(err, want);
    assert_true(took >= 2.9 && took < 30.0); /* the grace was given; a hang guard above */
    assert_no_children();

    snprintf(pidfile, sizeof(pidfile), "%s/sleep.pid", dir);
    assert_non_null(text = slurp(pidfile, NULL));
    pid = strtol(text, NULL, 10);
    free(text);
    assert_true(pid > 1);
    snprintf(statpath, sizeof(statpath), "/proc/%ld/stat", pid);
    for (tries = 0; tries < 100; tries++) {
        char *st = slurp(statpath, NULL);
        char *rp = st ? strrchr(st, ')') : NULL;
        int gone = st == NULL || (rp && (rp[2] == 'Z' || rp[2] == 'X'));

        free(st);
        if (gone) {
            break;
        }
        usleep(20000);
    }
    assert_true(tries < 100); /* the background sleep died with its group */
}

/* Whether process pid is gone (or a zombie): /proc/PID/stat's state after the ')'. */
static int process_gone(long pid)
{
    char statpath[64], *st, *rp;
    int gone;

    snprintf(statpath, sizeof(statpath), "/proc/%ld/stat", pid);
    st = slurp(statpath, NULL);
    rp = st ? strrchr(st, ')') : NULL;
    gone = st == NULL || (rp && (rp[2] == 'Z' || rp[2] == 'X'));
    free(st);
    return gone;
}

/*
 * The daemon killed with SIGKILL while its program runs (kill -9, a crash): the program is
 * killed too (PR_SET_PDEATHSIG), not left running beside the retry a restarted daemon makes.
 */
static void test_exec_daemon_killed(void **state)
{
    char path[512], spec[1024], pidfile[600], *text = NULL;
    long pid = 0;
    pid_t daemon;
    int status, tries;

    (void)state;
    script(path, sizeof(path), "long.sh",
           "echo $$ > \"$1/long.pid.tmp\"\n"
           "mv \"$1/long.pid.tmp\" \"$1/long.pid\"\nexec sleep 60");
    exec_spec(spec, sizeof(spec), path, NULL, 120);
    snprintf(pidfile, sizeof(pidfile), "%s/long.pid", dir);
    daemon = fork();
    assert_true(daemon >= 0);
    if (daemon == 0) {
        char err[512];

        (void)deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err));
        _exit(0);
    }
    for (tries = 0; tries < 3000 && (text = slurp(pidfile, NULL)) == NULL; tries++) {
        usleep(10000); /* the program has started and said its pid */
    }
    assert_non_null(text);
    pid = strtol(text, NULL, 10);
    free(text);
    assert_true(pid > 1);
    assert_false(process_gone(pid));
    assert_int_equal(kill(daemon, SIGKILL), 0);
    assert_int_equal(waitpid(daemon, &status, 0), daemon);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    for (tries = 0; tries < 1500 && !process_gone(pid); tries++) {
        usleep(20000);
    }
    if (!process_gone(pid)) {
        (void)kill((pid_t)pid, SIGKILL);
        fail_msg("the program (pid %ld) outlived the daemon killed with SIGKILL", pid);
    }
    assert_no_children();
}

static void test_exec_unread_stdin(void **state)
{
    char path[512], spec[1024], err[512] = "", out[600];
    size_t big = 1 << 20;
    char *ev = malloc(big);
    sigset_t mask, pend;

    (void)state;
    assert_non_null(ev);
    memset(ev, 'a', big);
    ev[0] = '"';
    ev[big - 1] = '"';

    script(path, sizeof(path), "ignore.sh", "exit 0");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, ev, big, &ctx1, err, sizeof(err)), 0);

    /* It closes stdin at once: our writes fail with EPIPE, the result is its status. */
    script(path, sizeof(path), "closer.sh", "exec 0<&-; sleep 0.2; exit 0");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, ev, big, &ctx1, err, sizeof(err)), 0);
    script(path, sizeof(path), "closer4.sh", "exec 0<&-; sleep 0.2; exit 4");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, ev, big, &ctx1, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, ": exit 4"));

    /* No SIGPIPE left pending, and the signal mask is as it was. */
    assert_int_equal(sigpending(&pend), 0);
    assert_int_equal(sigismember(&pend, SIGPIPE), 0);
    assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &mask), 0);
    assert_int_equal(sigismember(&mask, SIGPIPE), 0);

    /* All of a big event arrives. */
    script(path, sizeof(path), "reader.sh", "cat > \"$1/big.out\"");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, ev, big, &ctx1, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%s/big.out", dir);
    assert_file(out, ev, big);
    free(ev);
    assert_no_children();
}

static void test_exec_cannot_run(void **state)
{
    char path[512], spec[1024], err[512], want[1024];
    FILE *f;

    (void)state;
    assert_int_equal(deliver("exec", "{\"argv\":[\"/nonexistent/coalmine-test-prog\"]}", EVENT,
                             strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EIO);
    assert_string_equal(err, "exec /nonexistent/coalmine-test-prog: cannot run: No such file "
                             "or directory");
    assert_int_equal(deliver("exec", "{\"argv\":[\"coalmine-no-such-program\"]}", EVENT,
                             strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EIO);
    assert_string_equal(err, "exec coalmine-no-such-program: not found in PATH");

    snprintf(path, sizeof(path), "%s/not-executable", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("#!/bin/sh\nexit 0\n", f);
    fclose(f);
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "exec %s: cannot run: Permission denied", path);
    assert_string_equal(err, want);

    /* No #! line: no shell runs it for us. */
    snprintf(path, sizeof(path), "%s/no-shebang", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("exit 0\n", f);
    fclose(f);
    assert_int_equal(chmod(path, 0755), 0);
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "exec %s: cannot run: Exec format error", path);
    assert_string_equal(err, want);

    /* A spec that check() refuses is refused at delivery too. */
    assert_int_equal(
        deliver("exec", "{\"argv\":[]}", EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, "exec: bad spec: argv: must not be empty (argv[0] is the program)");
    assert_no_children();
}

static void test_exec_fds(void **state)
{
    char path[512], spec[1024], err[512] = "", out[600];
    int fd, hi;

    (void)state;
    fd = open("/dev/null", O_RDONLY); /* not close-on-exec, on purpose */
    assert_true(fd >= 0);
    hi = dup2(fd, 100);
    assert_int_equal(hi, 100);
    script(path, sizeof(path), "fds.sh",
           "ls /proc/self/fd > \"$1/fds.out\"\n"
           "i=$(readlink /proc/$$/fd/0); o=$(readlink /proc/$$/fd/1); e=$(readlink /proc/$$/fd/2)\n"
           "printf '%s\\n' \"${i%%:*}\" \"$o\" \"${e%%:*}\" > \"$1/std.out\"");
    exec_spec(spec, sizeof(spec), path, NULL, 30);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    close(fd);
    close(hi);
    /* ls itself: 0, 1 (the redirect), 2 and the directory it lists. */
    snprintf(out, sizeof(out), "%s/fds.out", dir);
    assert_file(out, "0\n1\n2\n3\n", 8);
    /* The shell's own: stdin and stderr pipes, stdout /dev/null. */
    snprintf(out, sizeof(out), "%s/std.out", dir);
    assert_file(out, "pipe\n/dev/null\npipe\n", 20);
    assert_no_children();
}

static void test_exec_path_lookup(void **state)
{
    char path[512], spec[1024], err[512] = "", out[600];

    (void)state;
    /* A bare name is looked up in our PATH... */
    snprintf(out, sizeof(out), "%s/sh.out", dir);
    snprintf(spec, sizeof(spec), "{\"argv\":[\"sh\",\"-c\",\"cat > \\\"$0\\\"\",\"%s\"]}", out);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    assert_file(out, EVENT, strlen(EVENT));

    /* ...or in the spec's when it sets one. */
    script(path, sizeof(path), "cm-test-hook", "cat > \"$1/hook.out\"");
    snprintf(spec, sizeof(spec),
             "{\"argv\":[\"cm-test-hook\",\"%s\"],\"env\":{\"PATH\":\"relative:%s:/bin\"}}", dir,
             dir);
    assert_int_equal(deliver("exec", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%s/hook.out", dir);
    assert_file(out, EVENT, strlen(EVENT));
    assert_no_children();
}

#define THREADS 4
#define PER     3

struct worker {
    char spec[1024];
    int n;
    int rc[PER];
};

static void *work(void *p)
{
    struct worker *w = p;
    struct cm_target_ctx c = ctx1;
    char err[512];

    for (unsigned i = 0; i < PER; i++) {
        c.attempt = (unsigned)w->n * 10 + i;
        w->rc[i] = cm_target_kind("exec")->deliver(w->spec, strlen(w->spec), EVENT, strlen(EVENT),
                                                   &c, err, sizeof(err));
    }
    return NULL;
}

static void test_exec_threads(void **state)
{
    struct worker w[THREADS];
    pthread_t th[THREADS];
    char path[512], out[600];

    (void)state;
    script(path, sizeof(path), "each.sh", "cat > \"$1/t.$COALMINE_ATTEMPT\"");
    for (int i = 0; i < THREADS; i++) {
        exec_spec(w[i].spec, sizeof(w[i].spec), path, NULL, 30);
        w[i].n = i;
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        for (int j = 0; j < PER; j++) {
            assert_int_equal(w[i].rc[j], 0);
            snprintf(out, sizeof(out), "%s/t.%d", dir, i * 10 + j);
            assert_file(out, EVENT, strlen(EVENT));
        }
    }
    assert_no_children();
}

/* ---- file ---- */

static void test_file(void **state)
{
    char spec[1024], err[512] = "", path[600], want[1024];
    struct stat st;
    mode_t old = umask(022);

    (void)state;
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\"}", path);
    assert_int_equal(deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", path);
    assert_int_equal(deliver("file", spec, "{\"id\":2}", 8, &ctx1, err, sizeof(err)), 0);
    snprintf(want, sizeof(want), "%s\n{\"id\":2}\n", EVENT);
    assert_file(path, want, strlen(want));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    umask(old);

    /* Only whole lines: an event with a newline in it is refused. */
    assert_int_equal(deliver("file", spec, "{}\n{}", 5, &ctx1, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "newline"));
    assert_file(path, want, strlen(want));

    snprintf(path, sizeof(path), "%s/no/such/dir/events.jsonl", dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\"}", path);
    assert_int_equal(deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "file %s: cannot open: No such file or directory", path);
    assert_string_equal(err, want);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\"}", dir);
    assert_int_equal(deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "file %s: cannot open: Is a directory", dir);
    assert_string_equal(err, want);
    assert_int_equal(deliver("file", "{\"path\":1}", EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(err, "file: bad spec: path: must be a string");
}

/*
 * A file, or a directory on its path, swapped for a symbolic link after the target was
 * put: refused, nothing written through the link; "follow_symlinks": true follows it.
 */
static void test_file_links(void **state)
{
    char spec[1024], err[512] = "", path[900], victim[300], sub[300], real[300];
    (void)state;

    snprintf(victim, sizeof(victim), "%s/victim", dir);
    FILE *v = fopen(victim, "w");
    assert_non_null(v);
    fputs("keep\n", v);
    fclose(v);
    snprintf(path, sizeof(path), "%s/swapped.jsonl", dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\"}", path);
    assert_int_equal(deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(symlink(victim, path), 0);
    assert_int_equal(deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "is a symbolic link"));
    assert_non_null(strstr(err, "follow_symlinks"));
    assert_file(victim, "keep\n", 5);

    /* A directory on the path swapped for a link. */
    snprintf(real, sizeof(real), "%s/realdir", dir);
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, sub), 0);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s/x.jsonl\"}", sub);
    assert_int_equal(deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), CM_EIO);
    snprintf(path, sizeof(path), "cannot open its directory %s: a symbolic link", sub);
    assert_non_null(strstr(err, path));
    snprintf(path, sizeof(path), "%s/x.jsonl", real);
    assert_int_equal(access(path, F_OK), -1);

    /* The CLI's opt-out follows both. */
    snprintf(spec, sizeof(spec), "{\"path\":\"%s/x.jsonl\",\"follow_symlinks\":true}", sub);
    assert_int_equal(deliver("file", spec, "{}", 2, &ctx1, err, sizeof(err)), 0);
    assert_file(path, "{}\n", 3);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s/swapped.jsonl\",\"follow_symlinks\":true}", dir);
    assert_int_equal(deliver("file", spec, "{}", 2, &ctx1, err, sizeof(err)), 0);
    assert_file(victim, "keep\n{}\n", 8);
    /* A directory name too long is that, not a shorter name. */
    {
        char longdir[400];
        memset(longdir, 'a', 300);
        longdir[300] = '\0';
        snprintf(spec, sizeof(spec), "{\"path\":\"%s/%s/x.jsonl\"}", dir, longdir);
        assert_int_equal(deliver("file", spec, "{}", 2, &ctx1, err, sizeof(err)), CM_EIO);
        assert_non_null(strstr(err, "File name too long"));
    }
    /* Relative paths and "." still work. */
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(
        deliver("file", "{\"path\":\"./realdir/./y.jsonl\"}", "{}", 2, &ctx1, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/y.jsonl", real);
    assert_file(path, "{}\n", 3);
    assert_int_equal(chdir("/"), 0);
}

/* A webhook whose address is instance metadata is refused before a connection is made. */
static void test_webhook_metadata(void **state)
{
    char err[512] = "";
    (void)state;

    assert_int_equal(deliver("webhook", "{\"url\":\"http://169.254.169.254:80/latest/\"}", EVENT,
                             strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EIO);
    assert_non_null(strstr(err, "webhook http://169.254.169.254:80/latest/: connection to "
                                "169.254.169.254 refused"));
    assert_non_null(strstr(err, "link-local or instance metadata"));
}

/* ---- input, input_path, input_transformer (target_input.c) ---- */

/* cm_target_check: the kind's canonical form with the input member after it. */
static void input_check(const char *kind, const char *spec, int want_rc, const char *want)
{
    struct cm_buf canon;
    char err[512] = "";
    int rc;

    cm_buf_init(&canon, 0);
    assert_int_equal(cm_buf_puts(&canon, ">"), 0);
    rc = cm_target_check(cm_target_kind(kind), spec, strlen(spec), &canon, err, sizeof(err));
    if (rc != want_rc || strstr(rc == 0 ? canon.p + 1 : err, want) == NULL) {
        fail_msg("%s %s: got %d \"%s\" / \"%s\", want %d \"%s\"", kind, spec, rc, canon.p, err,
                 want_rc, want);
    }
    if (rc != 0) {
        assert_string_equal(canon.p, ">");
    }
    cm_buf_finish(&canon);
}

static void test_input_check(void **state)
{
    (void)state;
    input_check("file", "{\"path\":\"/x\",\"input\":\"{ \\\"a\\\": 1 }\"}", 0,
                "{\"path\":\"/x\",\"fsync\":true,\"input\":\"{ \\\"a\\\": 1 }\"}");
    input_check("exec", "{\"input_path\":\"$.detail\",\"argv\":[\"/bin/true\"]}", 0,
                "{\"argv\":[\"/bin/true\"],\"timeout_seconds\":30,\"env\":{},"
                "\"input_path\":\"$.detail\"}");
    input_check("webhook",
                "{\"url\":\"http://h/\",\"input_transformer\":{\"input_template\":\"<t>!\","
                "\"input_paths_map\":{\"t\":\"$.detail.type\",\"a\":\"$.id\"}}}",
                0,
                "\"input_transformer\":{\"input_paths_map\":{\"a\":\"$.id\",\"t\":"
                "\"$.detail.type\"},\"input_template\":\"<t>!\"}}");
    input_check("kafka", "{\"brokers\":\"a:1\",\"topic\":\"t\",\"input_path\":null}", 0,
                "\"topic\":\"t\"");
    /* A canonical form checks again to itself. */
    input_check("file",
                "{\"path\":\"/x\",\"fsync\":true,\"input_transformer\":{\"input_paths_map\":{},"
                "\"input_template\":\"x\"}}",
                0,
                "{\"path\":\"/x\",\"fsync\":true,\"input_transformer\":{\"input_paths_map\":{},"
                "\"input_template\":\"x\"}}");
    input_check("file", "{\"path\":\"/x\",\"input\":\"{}\",\"input_path\":\"$\"}", CM_EINVAL,
                "input, input_path and input_transformer: give at most one");
    input_check("file", "{\"path\":\"/x\",\"input\":\"{\"}", CM_EINVAL, "input: not JSON: byte 1");
    input_check("file", "{\"path\":\"/x\",\"input\":{}}", CM_EINVAL,
                "input: must be a string of JSON text");
    input_check("file", "{\"path\":\"/x\",\"input_path\":\"$.a[\"}", CM_EINVAL,
                "input_path: byte 3: expected [index]");
    input_check("file", "{\"path\":\"/x\",\"input_transformer\":{\"input_template\":\"a\\nb\"}}",
                CM_EINVAL, "holds a line break, and a file target writes each event as one line");
    input_check("exec",
                "{\"argv\":[\"/bin/true\"],\"input_transformer\":{\"input_template\":\"a\\nb\"}}",
                0, "\"input_template\":\"a\\nb\"");
    input_check("webhook", "{\"url\":\"http://h/\",\"input_transformer\":{\"template\":\"x\"}}",
                CM_EINVAL, "input_transformer.template: unknown or repeated member");
    input_check("webhook",
                "{\"url\":\"http://h/\",\"input_transformer\":{\"input_template\":\"x\","
                "\"input_paths_map\":{\"a\":\"$.x\",\"a\":\"$.y\"}}}",
                CM_EINVAL, "input_transformer.input_paths_map.a: given twice");
    input_check("webhook", "{\"url\":\"http://h/\",\"input\":\"1\",\"input\":\"2\"}", CM_EINVAL,
                "input: given twice");
    /* The kind's own refusals still come through, and name the input members too. */
    input_check("file", "{\"path\":\"/x\",\"inputs\":\"{}\"}", CM_EINVAL,
                "inputs: unknown member (this kind takes path, fsync, follow_symlinks, input, "
                "input_path, input_transformer)");
    input_check("file", "[]", CM_EINVAL, "spec: must be a JSON object");
}

/* Delivery: each kind gets the transformed event; the stored spec keeps the rest. */
static void test_input_deliver(void **state)
{
    char spec[2048], err[512] = "", path[600], sh[600], want[1024];
    struct cm_target_ctx c = ctx1;

    (void)state;
    c.ingestion_ms = 1447277394000LL;
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    snprintf(spec, sizeof(spec),
             "{\"path\":\"%s\",\"input_transformer\":{\"input_paths_map\":{\"x\":\"$.detail.x\","
             "\"id\":\"$.id\"},\"input_template\":\"{\\n \\\"text\\\": \\\"<id>: <x>\\\", "
             "\\\"x\\\": <x>, \\\"rule\\\": <aws.events.rule-name>, \\\"at\\\": "
             "<aws.events.event.ingestion-time>}\"}}",
             path);
    assert_int_equal(cm_target_deliver(cm_target_kind("file"), spec, strlen(spec), EVENT,
                                       strlen(EVENT), &c, err, sizeof(err)),
                     0);
    snprintf(want, sizeof(want),
             "{\"text\":\"ev-1: \xc3\xbc \\\"q\\\"\",\"x\":\"\xc3\xbc \\\"q\\\"\",\"rule\":"
             "\"rule-1\",\"at\":\"2015-11-11T21:29:54.000Z\"}\n");
    assert_file(path, want, strlen(want));

    /* exec: input_path on stdin. */
    script(sh, sizeof(sh), "in.sh", "cat > \"$1/stdin.out\"");
    snprintf(spec, sizeof(spec), "{\"argv\":[\"%s\",\"%s\"],\"input_path\":\"$.detail\"}", sh, dir);
    assert_int_equal(cm_target_deliver(cm_target_kind("exec"), spec, strlen(spec), EVENT,
                                       strlen(EVENT), &c, err, sizeof(err)),
                     0);
    snprintf(path, sizeof(path), "%s/stdin.out", dir);
    assert_file(path, "{\"x\":\"\xc3\xbc \\\"q\\\"\"}", strlen("{\"x\":\"\xc3\xbc \\\"q\\\"\"}"));

    /* exec: constant input, whatever the event. */
    snprintf(spec, sizeof(spec), "{\"argv\":[\"%s\",\"%s\"],\"input\":\"[1, 2]\"}", sh, dir);
    assert_int_equal(cm_target_deliver(cm_target_kind("exec"), spec, strlen(spec), "{}", 2, NULL,
                                       err, sizeof(err)),
                     0);
    assert_file(path, "[1,2]", 5);

    /* A bad stored spec fails the delivery with the kind's name. */
    snprintf(spec, sizeof(spec), "{\"argv\":[\"%s\"],\"input_path\":\"x\"}", sh);
    assert_int_equal(cm_target_deliver(cm_target_kind("exec"), spec, strlen(spec), "{}", 2, NULL,
                                       err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(err, "exec: bad spec: input_path: byte 0: must start with $");
}

/*
 * A write that stops part-way (a full disk; here the file size limit, with
 * SIGXFSZ ignored, in a child process) leaves no part of the line behind:
 * before, the part stayed and the retry's line was appended to it, so the
 * file held one line that was no JSON.
 */
static void test_file_partial_write(void **state)
{
    char spec[1024], err[512] = "", path[600], want[1024], errpath[700];
    struct rlimit rl;
    pid_t pid;
    int status = 0;
    FILE *fp;

    (void)state;
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    snprintf(errpath, sizeof(errpath), "%s/err.txt", dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\"}", path);
    assert_int_equal(deliver("file", spec, "{\"id\":1}", 8, &ctx1, err, sizeof(err)), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rl.rlim_cur = 9 + 20; /* the first line and 20 bytes of the next */
        rl.rlim_max = RLIM_INFINITY;
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
            _exit(2);
        }
        status = deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err));
        rl.rlim_cur = RLIM_INFINITY;
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
            _exit(3);
        }
        if ((fp = fopen(errpath, "w")) != NULL) {
            fputs(err, fp);
            fclose(fp);
        }
        _exit(status == CM_EIO ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    snprintf(want, sizeof(want), "file %s: write: File too large", path);
    assert_file(errpath, want, strlen(want));
    assert_file(path, "{\"id\":1}\n", 9);
    /* The retry appends one whole line. */
    assert_int_equal(deliver("file", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    snprintf(want, sizeof(want), "{\"id\":1}\n%s\n", EVENT);
    assert_file(path, want, strlen(want));
}

/* ---- webhook ---- */

struct srv {
    int lfd;
    int port;
    pthread_t th;
    /* the answer */
    int status;
    const char *body;
    const char *extra; /* more header lines, each ending in \r\n */
    int hang;          /* read the request, answer nothing */
    /* the request, as received */
    char req[65536];
    size_t len, head_len;
    int served, sent;
};

/* The value of header name in the recorded request, in out; 0 if absent. */
static int header(const struct srv *s, const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name);
    const char *p = strstr(s->req, "\r\n");

    while (p != NULL && (size_t)(p - s->req) + 2 < s->head_len) {
        const char *line = p + 2, *end = strstr(line, "\r\n");

        if (end == NULL) {
            break;
        }
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;

            while (*v == ' ') {
                v++;
            }
            snprintf(out, outlen, "%.*s", (int)(end - v), v);
            return 1;
        }
        p = end;
    }
    return 0;
}

static void *serve(void *p)
{
    struct srv *s = p;
    struct pollfd pf = {s->lfd, POLLIN, 0};
    struct timeval tv = {10, 0};
    char reply[1024], *eoh;
    size_t want = 0;
    int c;

    if (poll(&pf, 1, 10000) != 1 || (c = accept(s->lfd, NULL, NULL)) < 0) {
        return NULL;
    }
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (s->len < sizeof(s->req) - 1) {
        ssize_t r = recv(c, s->req + s->len, sizeof(s->req) - 1 - s->len, 0);

        if (r <= 0) {
            break;
        }
        s->len += (size_t)r;
        s->req[s->len] = '\0';
        if (s->head_len == 0 && (eoh = strstr(s->req, "\r\n\r\n")) != NULL) {
            char cl[32];

            s->head_len = (size_t)(eoh - s->req) + 4;
            want = header(s, "Content-Length", cl, sizeof(cl)) ? (size_t)strtoul(cl, NULL, 10) : 0;
        }
        if (s->head_len != 0 && s->len >= s->head_len + want) {
            break;
        }
    }
    s->served = 1;
    if (s->hang) {
        char sink[256];

        while (recv(c, sink, sizeof(sink), 0) > 0) {
        }
    } else {
        int n = snprintf(reply, sizeof(reply),
                         "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
                         s->status, strlen(s->body), s->extra, s->body);
        s->sent = send(c, reply, (size_t)n, MSG_NOSIGNAL) == n; /* no cmocka asserts here */
    }
    close(c);
    return NULL;
}

static void srv_start(struct srv *s, int status, const char *body, const char *extra, int hang)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);

    memset(s, 0, sizeof(*s));
    s->status = status;
    s->body = body;
    s->extra = extra;
    s->hang = hang;
    assert_true((s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 4), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void srv_stop(struct srv *s)
{
    assert_int_equal(pthread_join(s->th, NULL), 0);
    close(s->lfd);
    assert_true(s->served);
    assert_true(s->hang || s->sent);
}

static void test_webhook_ok(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));
    char spec[1024], err[512] = "", v[256], line[256];
    struct cm_target_ctx bare = {"rule-2", "target-2", NULL, NULL, -1, 1, 0, false, NULL, NULL};

    (void)state;
    srv_start(s, 200, "ok", "", 0);
    snprintf(spec, sizeof(spec),
             "{\"url\":\"http://127.0.0.1:%d/hook/in?x=1\",\"headers\":{\"Authorization\":"
             "\"Bearer tok\"},\"timeout_seconds\":5}",
             s->port);
    assert_int_equal(deliver("webhook", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)), 0);
    srv_stop(s);
    assert_true(s->served);
    snprintf(line, sizeof(line), "POST /hook/in?x=1 HTTP/1.1\r\n");
    assert_int_equal(strncmp(s->req, line, strlen(line)), 0);
    assert_true(header(s, "Content-Type", v, sizeof(v)));
    assert_string_equal(v, "application/json");
    assert_true(header(s, "User-Agent", v, sizeof(v)));
    assert_string_equal(v, "coalmine/" COALMINE_VERSION);
    assert_true(header(s, "X-Coalmine-Rule", v, sizeof(v)));
    assert_string_equal(v, "rule-1");
    assert_true(header(s, "X-Coalmine-Target", v, sizeof(v)));
    assert_string_equal(v, "target-1");
    assert_true(header(s, "X-Coalmine-Finding-Id", v, sizeof(v)));
    assert_string_equal(v, "finding-1");
    assert_true(header(s, "X-Coalmine-Attempt", v, sizeof(v)));
    assert_string_equal(v, "2");
    assert_true(header(s, "Authorization", v, sizeof(v)));
    assert_string_equal(v, "Bearer tok");
    assert_false(header(s, "Expect", v, sizeof(v)));
    assert_int_equal(s->len - s->head_len, strlen(EVENT));
    assert_memory_equal(s->req + s->head_len, EVENT, strlen(EVENT));

    /* 204 is success too; no finding id, no header for it. */
    srv_start(s, 204, "", "", 0);
    snprintf(spec, sizeof(spec), "{\"url\":\"http://127.0.0.1:%d/\"}", s->port);
    assert_int_equal(deliver("webhook", spec, "{}", 2, &bare, err, sizeof(err)), 0);
    srv_stop(s);
    assert_false(header(s, "X-Coalmine-Finding-Id", v, sizeof(v)));
    assert_true(header(s, "X-Coalmine-Rule", v, sizeof(v)));
    assert_string_equal(v, "rule-2");
    assert_memory_equal(s->req + s->head_len, "{}", 2);

    /* A text input_template goes as text/plain, transformed. */
    srv_start(s, 200, "", "", 0);
    snprintf(spec, sizeof(spec),
             "{\"url\":\"http://127.0.0.1:%d/\",\"input_transformer\":{\"input_paths_map\":"
             "{\"id\":\"$.id\"},\"input_template\":\"Finding <id> (<aws.events.rule-name>)\"}}",
             s->port);
    assert_int_equal(cm_target_deliver(cm_target_kind("webhook"), spec, strlen(spec), EVENT,
                                       strlen(EVENT), &ctx1, err, sizeof(err)),
                     0);
    srv_stop(s);
    assert_true(header(s, "Content-Type", v, sizeof(v)));
    assert_string_equal(v, "text/plain; charset=utf-8");
    assert_int_equal(s->len - s->head_len, strlen("Finding ev-1 (rule-1)"));
    assert_memory_equal(s->req + s->head_len, "Finding ev-1 (rule-1)", s->len - s->head_len);
    free(s);
}

static void test_webhook_refused(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));
    char spec[1024], err[512] = "", want[512];

    (void)state;
    srv_start(s, 500, "upstream down\r\nmore detail", "", 0);
    snprintf(spec, sizeof(spec), "{\"url\":\"http://127.0.0.1:%d/x\"}", s->port);
    assert_int_equal(deliver("webhook", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EIO);
    srv_stop(s);
    snprintf(want, sizeof(want), "webhook http://127.0.0.1:%d/x: HTTP 500: upstream down", s->port);
    assert_string_equal(err, want);

    srv_start(s, 404, "", "", 0);
    snprintf(spec, sizeof(spec), "{\"url\":\"http://127.0.0.1:%d/x\"}", s->port);
    assert_int_equal(deliver("webhook", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EIO);
    srv_stop(s);
    snprintf(want, sizeof(want), "webhook http://127.0.0.1:%d/x: HTTP 404", s->port);
    assert_string_equal(err, want);

    /*
     * A status that says the endpoint takes nothing now is CM_EUNAVAIL (the bus sends it
     * no more in that run); before, 429 and 503 were CM_EIO like 500, and a rate-limited
     * endpoint got every owed event in every run.
     */
    {
        static const int unavailable[] = {429, 502, 503, 504};
        for (size_t i = 0; i < sizeof(unavailable) / sizeof(unavailable[0]); i++) {
            srv_start(s, unavailable[i], "slow down", "Retry-After: 30\r\n", 0);
            snprintf(spec, sizeof(spec), "{\"url\":\"http://127.0.0.1:%d/x\"}", s->port);
            assert_int_equal(
                deliver("webhook", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                CM_EUNAVAIL);
            srv_stop(s);
            /* Retry-After is read on a 429 or 503 (below) and said. */
            snprintf(want, sizeof(want), "webhook http://127.0.0.1:%d/x: HTTP %d: slow down%s",
                     s->port, unavailable[i],
                     unavailable[i] == 429 || unavailable[i] == 503 ? " (Retry-After: 30 s)" : "");
            assert_string_equal(err, want);
        }
    }

    /*
     * Retry-After on a 429 or 503 (seconds or an HTTP date) is what the target asked: the
     * bus waits that long (cm_target_ctx.retry_after_ms), at most a day; another status's,
     * or none, is 0. Before, it was not read: a rate-limited webhook was tried again at
     * the backoff, 30 s, whatever it asked.
     */
    {
        static const struct {
            int status;
            const char *extra;
            int64_t want;
        } ra[] = {
            {429, "Retry-After: 120\r\n", 120000},
            {503, "Retry-After: 7\r\n", 7000},
            {503, "Retry-After: Fri, 31 Dec 2100 23:59:59 GMT\r\n", CM_TARGET_RETRY_AFTER_MAX},
            {429, "", 0},
            {502, "Retry-After: 60\r\n", 0},
        };
        for (size_t i = 0; i < sizeof(ra) / sizeof(ra[0]); i++) {
            struct cm_target_ctx c = ctx1;
            int64_t asked = -1;
            c.retry_after_ms = &asked;
            srv_start(s, ra[i].status, "busy", ra[i].extra, 0);
            snprintf(spec, sizeof(spec), "{\"url\":\"http://127.0.0.1:%d/x\"}", s->port);
            assert_int_equal(deliver("webhook", spec, EVENT, strlen(EVENT), &c, err, sizeof(err)),
                             CM_EUNAVAIL);
            srv_stop(s);
            if (asked != ra[i].want) {
                fail_msg("HTTP %d %s: asked %lld ms, want %lld", ra[i].status, ra[i].extra,
                         (long long)asked, (long long)ra[i].want);
            }
            assert_true((strstr(err, "Retry-After") != NULL) == (ra[i].want > 0));
        }
    }

    /* A redirect is not followed (the server answers one request only). */
    srv_start(s, 302, "", "Location: http://127.0.0.1:1/elsewhere\r\n", 0);
    snprintf(spec, sizeof(spec), "{\"url\":\"http://127.0.0.1:%d/x\"}", s->port);
    assert_int_equal(deliver("webhook", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EIO);
    srv_stop(s);
    snprintf(want, sizeof(want),
             "webhook http://127.0.0.1:%d/x: HTTP 302: redirect to http://127.0.0.1:1/elsewhere "
             "(not followed)",
             s->port);
    assert_string_equal(err, want);
    free(s);
}

static void test_webhook_timeout(void **state)
{
    struct srv *s = calloc(1, sizeof(*s));
    char spec[1024], err[512] = "", want[512];
    struct timespec t0;
    double took;

    (void)state;
    srv_start(s, 200, "", "", 1);
    snprintf(spec, sizeof(spec), "{\"url\":\"http://127.0.0.1:%d/slow\",\"timeout_seconds\":1}",
             s->port);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(deliver("webhook", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EUNAVAIL);
    took = seconds_since(&t0);
    srv_stop(s);
    assert_true(s->served);
    snprintf(want, sizeof(want), "webhook http://127.0.0.1:%d/slow: ", s->port);
    assert_int_equal(strncmp(err, want, strlen(want)), 0);
    assert_non_null(strstr(err, "timed out"));
    assert_true(took >= 0.9 && took < 30.0); /* the server never answers: a hang guard */
    free(s);
}

static void test_webhook_unreachable(void **state)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    char spec[1024], err[512] = "", want[512];
    int fd, port;

    (void)state;
    /* A port that was free a moment ago and has no listener. */
    assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    port = ntohs(a.sin_port);
    close(fd);

    snprintf(spec, sizeof(spec), "{\"url\":\"http://user:secret@127.0.0.1:%d/x\"}", port);
    assert_int_equal(deliver("webhook", spec, EVENT, strlen(EVENT), &ctx1, err, sizeof(err)),
                     CM_EUNAVAIL);
    snprintf(want, sizeof(want), "webhook http://127.0.0.1:%d/x: ", port);
    assert_int_equal(strncmp(err, want, strlen(want)), 0);
    assert_non_null(strstr(err, "onnect"));
    assert_null(strstr(err, "secret"));
}

int main(void)
{
    static const char *const proxies[] = {
        "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
        "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY",
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_check_exec),
        cmocka_unit_test(test_check_file),
        cmocka_unit_test(test_check_webhook),
        cmocka_unit_test_setup_teardown(test_exec_stdin_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_exit_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_timeout_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_daemon_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_unread_stdin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_cannot_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_fds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_path_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_links, setup, teardown),
        cmocka_unit_test(test_webhook_metadata),
        cmocka_unit_test_setup_teardown(test_file_partial_write, setup, teardown),
        cmocka_unit_test(test_input_check),
        cmocka_unit_test_setup_teardown(test_input_deliver, setup, teardown),
        cmocka_unit_test(test_webhook_ok),
        cmocka_unit_test(test_webhook_refused),
        cmocka_unit_test(test_webhook_timeout),
        cmocka_unit_test(test_webhook_unreachable),
    };
    int rc;

    for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
        unsetenv(proxies[i]);
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
