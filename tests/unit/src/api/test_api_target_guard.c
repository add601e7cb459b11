/*
 * The guard on targets put through the API (src/api/api_target_guard.c), as an
 * attacker holding API credentials tries it: exec and file targets refused when
 * api.targets allows none; programs outside exec_allow, relative programs, a link
 * pointing out of an allowed directory, the loader's variables in env; files
 * outside file_dirs, "..", a relative path, a symbolic link inside an allowed
 * directory, a directory or FIFO; webhooks to instance metadata in its spellings
 * (169.254.169.254, decimal, hex, IPv6 forms, userinfo tricks) and outside
 * webhook_allow (a prefix that is no path boundary, another port or scheme); Kafka
 * brokers on link-local addresses, outside kafka_allow, and librdkafka properties
 * that run commands or load code. What the operator allows passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api_target_guard.h"

static char dir[64], allowed[128], outside[128];

static int setup(void **state)
{
    char p[256];
    (void)state;

    snprintf(dir, sizeof(dir), "/tmp/cm_guard_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(allowed, sizeof(allowed), "%s/allowed", dir);
    snprintf(outside, sizeof(outside), "%s/outside", dir);
    if (mkdir(allowed, 0700) != 0 || mkdir(outside, 0700) != 0) {
        return -1;
    }
    snprintf(p, sizeof(p), "%s/sub", allowed);
    if (mkdir(p, 0700) != 0) {
        return -1;
    }
    /* allowed/prog (a program), allowed/evil -> /bin/sh, allowed/link.jsonl -> outside/x,
     * allowed/fifo, outside/prog */
    snprintf(p, sizeof(p), "%s/prog", allowed);
    FILE *f = fopen(p, "w");
    if (f == NULL) {
        return -1;
    }
    fclose(f);
    chmod(p, 0700);
    snprintf(p, sizeof(p), "%s/prog", outside);
    if ((f = fopen(p, "w")) == NULL) {
        return -1;
    }
    fclose(f);
    snprintf(p, sizeof(p), "%s/evil", allowed);
    if (symlink("/bin/sh", p) != 0) {
        return -1;
    }
    snprintf(p, sizeof(p), "%s/link.jsonl", allowed);
    char t[256];
    snprintf(t, sizeof(t), "%s/x", outside);
    if (symlink(t, p) != 0) {
        return -1;
    }
    snprintf(p, sizeof(p), "%s/fifo", allowed);
    return mkfifo(p, 0600);
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The guard on the spec of kind whose one member (argv, path, url, brokers) is arg. */
static int guard(const struct cm_api_target_policy *p, const char *kind, const char *arg, char *why,
                 size_t whylen)
{
    char spec[1024];

    if (strcmp(kind, "exec") == 0) {
        snprintf(spec, sizeof(spec), "{\"argv\":[\"%s\"]}", arg);
    } else if (strcmp(kind, "file") == 0) {
        snprintf(spec, sizeof(spec), "{\"path\":\"%s\"}", arg);
    } else if (strcmp(kind, "webhook") == 0) {
        snprintf(spec, sizeof(spec), "{\"url\":\"%s\"}", arg);
    } else {
        snprintf(spec, sizeof(spec), "{\"brokers\":\"%s\",\"topic\":\"t\"}", arg);
    }
    why[0] = '\0';
    return cm_api_target_guard(p, kind, spec, why, whylen);
}

static void test_exec(void **state)
{
    char *progs[1] = {allowed};
    struct cm_api_target_policy none = {0};
    struct cm_api_target_policy p = {progs, 1, NULL, 0, NULL, 0, NULL, 0, NULL};
    char prog[256], why[512];
    (void)state;

    snprintf(prog, sizeof(prog), "%s/prog", allowed);
    /* Nothing allowed: refused, naming the key that would allow it. */
    assert_int_equal(guard(NULL, "exec", prog, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "api.targets.exec_allow"));
    assert_int_equal(guard(&none, "exec", "/bin/sh", why, sizeof(why)), -1);
    /* Allowed: a program in the directory, with arguments and a harmless env. */
    char spec[512];
    snprintf(spec, sizeof(spec), "{\"argv\":[\"%s\",\"-x\"],\"env\":{\"REGION\":\"x\"}}", prog);
    assert_int_equal(cm_api_target_guard(&p, "exec", spec, why, sizeof(why)), 0);
    /* Around it: another directory, "..", a link out of the directory, a bare name. */
    snprintf(prog, sizeof(prog), "%s/prog", outside);
    assert_int_equal(guard(&p, "exec", prog, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "not in api.targets.exec_allow"));
    snprintf(prog, sizeof(prog), "%s/../outside/prog", allowed);
    assert_int_equal(guard(&p, "exec", prog, why, sizeof(why)), -1);
    snprintf(prog, sizeof(prog), "%s/evil", allowed);
    assert_int_equal(guard(&p, "exec", prog, why, sizeof(why)), -1);
    assert_int_equal(guard(&p, "exec", "sh", why, sizeof(why)), -1);
    assert_non_null(strstr(why, "absolute path"));
    snprintf(prog, sizeof(prog), "%s/none", allowed);
    assert_int_equal(guard(&p, "exec", prog, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "no such program"));
    /* A directory is no program, even an allowed one. */
    assert_int_equal(guard(&p, "exec", allowed, why, sizeof(why)), -1);
    /* The loader's and interpreters' variables. */
    snprintf(prog, sizeof(prog), "%s/prog", allowed);
    static const char *const envs[] = {"LD_PRELOAD", "LD_LIBRARY_PATH", "PATH",      "BASH_ENV",
                                       "PYTHONPATH", "NODE_OPTIONS",    "GCONV_PATH"};
    for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
        snprintf(spec, sizeof(spec), "{\"argv\":[\"%s\"],\"env\":{\"A\":\"1\",\"%s\":\"/tmp/x\"}}",
                 prog, envs[i]);
        assert_int_equal(cm_api_target_guard(&p, "exec", spec, why, sizeof(why)), -1);
        assert_non_null(strstr(why, envs[i]));
    }
}

/* The delivery-time checks' opt-outs are the CLI's: an API spec setting them is refused. */
static void test_opt_outs(void **state)
{
    char *dirs[1] = {allowed};
    struct cm_api_target_policy p = {NULL, 0, dirs, 1, NULL, 0, NULL, 0, NULL};
    char spec[512], why[512];
    (void)state;

    assert_int_equal(cm_api_target_guard(NULL, "webhook",
                                         "{\"url\":\"http://127.0.0.1:1/\",\"timeout_seconds\":5,"
                                         "\"allow_link_local\":true}",
                                         why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "allow_link_local"));
    assert_int_equal(cm_api_target_guard(NULL, "kafka",
                                         "{\"brokers\":\"127.0.0.1:9092\",\"topic\":\"t\","
                                         "\"allow_link_local\":true}",
                                         why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "allow_link_local"));
    snprintf(spec, sizeof(spec), "{\"path\":\"%s/x.jsonl\",\"follow_symlinks\":true}", allowed);
    assert_int_equal(cm_api_target_guard(&p, "file", spec, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "follow_symlinks"));
    snprintf(spec, sizeof(spec), "{\"path\":\"%s/x.jsonl\",\"follow_symlinks\":false}", allowed);
    assert_int_equal(cm_api_target_guard(&p, "file", spec, why, sizeof(why)), 0);
}

static void test_file(void **state)
{
    char *dirs[1] = {allowed};
    struct cm_api_target_policy p = {NULL, 0, dirs, 1, NULL, 0, NULL, 0, NULL};
    char path[256], why[512];
    (void)state;

    snprintf(path, sizeof(path), "%s/out.jsonl", allowed);
    assert_int_equal(guard(NULL, "file", path, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "api.targets.file_dirs"));
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), 0);
    snprintf(path, sizeof(path), "%s/sub/deeper.jsonl", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), 0);
    /* Outside: another directory, "..", a home file, a relative path, no file name. */
    snprintf(path, sizeof(path), "%s/out.jsonl", outside);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "not under api.targets.file_dirs"));
    snprintf(path, sizeof(path), "%s/../outside/out.jsonl", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    snprintf(path, sizeof(path), "%s/sub/../../outside/x", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    assert_int_equal(guard(&p, "file", "/root/.bashrc", why, sizeof(why)), -1);
    assert_int_equal(guard(&p, "file", "out.jsonl", why, sizeof(why)), -1);
    assert_non_null(strstr(why, "absolute"));
    snprintf(path, sizeof(path), "%s/..", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    snprintf(path, sizeof(path), "%s/", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    /* In the directory, but a link out of it, a FIFO, a directory. */
    snprintf(path, sizeof(path), "%s/link.jsonl", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "symbolic link"));
    snprintf(path, sizeof(path), "%s/fifo", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    snprintf(path, sizeof(path), "%s/sub", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
    /* A directory that does not exist. */
    snprintf(path, sizeof(path), "%s/nope/x", allowed);
    assert_int_equal(guard(&p, "file", path, why, sizeof(why)), -1);
}

static void test_webhook(void **state)
{
    static const char *const metadata[] = {
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254:80/latest/api/token",
        "http://2852039166/latest/",           /* decimal */
        "http://0xa9fea9fe/latest/",           /* hex */
        "http://0251.0376.0251.0376/",         /* octal */
        "http://169.254.1.1/",                 /* any link-local */
        "http://[fd00:ec2::254]/latest/",      /* IMDS over IPv6 */
        "http://[::ffff:169.254.169.254]/",    /* IPv4-mapped */
        "http://[fe80::1]/",                   /* IPv6 link-local */
        "http://user@169.254.169.254/",        /* userinfo */
        "http://example.com@169.254.169.254/", /* userinfo that looks like a host */
        "HTTP://169.254.169.254/",             /* scheme case */
    };
    char *allow[2] = {"https://hooks.example.test/coalmine", "http://127.0.0.1:9000"};
    struct cm_api_target_policy p = {NULL, 0, NULL, 0, allow, 2, NULL, 0, NULL};
    char why[512];
    (void)state;

    for (size_t i = 0; i < sizeof(metadata) / sizeof(metadata[0]); i++) {
        int rc = guard(NULL, "webhook", metadata[i], why, sizeof(why));
        if (rc != -1) {
            fail_msg("%s was not refused", metadata[i]);
        }
        assert_non_null(strstr(why, "link-local"));
    }
    /* Loopback and ordinary addresses pass without an allow list. */
    assert_int_equal(guard(NULL, "webhook", "http://127.0.0.1:8080/x", why, sizeof(why)), 0);
    assert_int_equal(guard(NULL, "webhook", "http://[::1]:8080/x", why, sizeof(why)), 0);
    /* A name is not looked up at put time (the connection is checked): it passes here. */
    assert_int_equal(guard(NULL, "webhook", "http://no-such-host.invalid/", why, sizeof(why)), 0);
    /* With webhook_allow: its origins and paths under its path only. */
    assert_int_equal(guard(&p, "webhook", "http://127.0.0.1:9000/any/path", why, sizeof(why)), 0);
    static const char *const elsewhere[] = {
        "http://127.0.0.1:9001/",                        /* another port */
        "https://127.0.0.1:9000/",                       /* another scheme */
        "http://127.0.0.1/",                             /* the default port */
        "https://hooks.example.test/coalmine-evil",      /* no path boundary */
        "https://hooks.example.test/other",              /* another path */
        "https://hooks.example.test.evil.test/coalmine", /* a longer host */
        "https://hooks.example.test@127.0.0.1:9001/",    /* userinfo */
        "http://169.254.169.254/",
    };
    for (size_t i = 0; i < sizeof(elsewhere) / sizeof(elsewhere[0]); i++) {
        if (guard(&p, "webhook", elsewhere[i], why, sizeof(why)) != -1) {
            fail_msg("%s was not refused", elsewhere[i]);
        }
    }
    assert_int_equal(guard(&p, "webhook", "http://127.0.0.2:9000/", why, sizeof(why)), -1);
    assert_non_null(strstr(why, "api.targets.webhook_allow"));
}

/* A header that refers to a secret: the secret defined, the URL under its urls. */
static void test_webhook_secrets(void **state)
{
    char *urls[1] = {"https://hooks.example.test/in"};
    struct cm_target_secret defs[1] = {{"tok", NULL, "TOK", urls, 1}};
    struct cm_target_secrets set = {defs, 1};
    struct cm_api_target_policy p = {NULL, 0, NULL, 0, NULL, 0, NULL, 0, &set};
    const char *ok = "{\"url\":\"https://hooks.example.test/in/x\",\"headers\":{\"A\":{"
                     "\"secret\":\"tok\"}}}";
    const char *away = "{\"url\":\"https://hooks.example.test/out\",\"headers\":{\"A\":{"
                       "\"secret\":\"tok\"}}}";
    const char *undef = "{\"url\":\"https://hooks.example.test/in\",\"headers\":{\"A\":{"
                        "\"secret\":\"other\"}}}";
    char why[512];
    (void)state;

    assert_int_equal(cm_api_target_guard(&p, "webhook", ok, why, sizeof(why)), 0);
    assert_int_equal(cm_api_target_guard(&p, "webhook", away, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "secret tok may not be sent to"));
    assert_non_null(strstr(why, "secrets.tok.urls"));
    assert_int_equal(cm_api_target_guard(&p, "webhook", undef, why, sizeof(why)), -1);
    assert_string_equal(why, "secret other is not defined in coalmine.yaml");
    /* No policy, or no secrets in it: a reference names nothing defined. */
    assert_int_equal(cm_api_target_guard(NULL, "webhook", ok, why, sizeof(why)), -1);
    assert_string_equal(why, "secret tok is not defined in coalmine.yaml");
    p.secrets = NULL;
    assert_int_equal(cm_api_target_guard(&p, "webhook", ok, why, sizeof(why)), -1);
}

static void test_kafka(void **state)
{
    char *allow[1] = {"127.0.0.1:9092"};
    struct cm_api_target_policy p = {NULL, 0, NULL, 0, NULL, 0, allow, 1, NULL};
    char why[512];
    (void)state;

    assert_int_equal(guard(NULL, "kafka", "127.0.0.1:9092", why, sizeof(why)), 0);
    assert_int_equal(guard(NULL, "kafka", "127.0.0.1:9092,169.254.169.254:80", why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "link-local"));
    assert_int_equal(guard(NULL, "kafka", "[fe80::1]:9092", why, sizeof(why)), -1);
    assert_int_equal(guard(&p, "kafka", "127.0.0.1:9092", why, sizeof(why)), 0);
    assert_int_equal(guard(&p, "kafka", "127.0.0.1:9092,127.0.0.1:9093", why, sizeof(why)), -1);
    assert_non_null(strstr(why, "api.targets.kafka_allow"));
    /* Properties that run a shell command, load code, or read files of the caller's choice. */
    static const char *const props[] = {"sasl.kerberos.kinit.cmd", "ssl.engine.location",
                                        "ssl.key.location",        "ssl.providers",
                                        "plugin.library.paths",    "sasl.kerberos.keytab",
                                        "SASL.KERBEROS.KINIT.CMD"};
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        char spec[512];
        snprintf(spec, sizeof(spec),
                 "{\"brokers\":\"127.0.0.1:9092\",\"topic\":\"t\",\"properties\":"
                 "{\"linger.ms\":\"5\",\"%s\":\"touch /tmp/pwned\"}}",
                 props[i]);
        assert_int_equal(cm_api_target_guard(NULL, "kafka", spec, why, sizeof(why)), -1);
        assert_non_null(strstr(why, props[i]));
    }
    assert_int_equal(cm_api_target_guard(NULL, "kafka",
                                         "{\"brokers\":\"127.0.0.1:9092\",\"topic\":\"t\","
                                         "\"properties\":{\"linger.ms\":\"5\"}}",
                                         why, sizeof(why)),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec),    cmocka_unit_test(test_file),
        cmocka_unit_test(test_webhook), cmocka_unit_test(test_webhook_secrets),
        cmocka_unit_test(test_kafka),   cmocka_unit_test(test_opt_outs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
