/*
 * The coalmine.yaml loader (src/core/config.c and config_walk.c): a full
 * file and each section, the relative-path rule, every kind of error with
 * its line:col and key path (unknown key, wrong type, bad canary key,
 * negative, zero, too large and overflowing numbers, aliases, anchors, tags,
 * a second document, tab indentation, syntax errors, invalid UTF-8,
 * duplicate keys and list names, caps), empty input, files (not found, a
 * directory, too large, relative paths against the file's directory), the
 * shipped example, and allocation failure at every step.
 *
 * For the allocation-failure test this file defines CM_ALLOC_TORTURE and
 * compiles alloc.c, config.c, config_load.c, config_path.c and config_walk.c into itself (see
 * test_alloc_torture.c); the code under test comes before cmocka.h.
 */
#define CM_ALLOC_TORTURE 1
#include "base/alloc.c"
#include "core/config.c"
#include "core/config_load.c"
#include "core/config_path.c"
#include "core/config_walk.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "core/config.h"
#include "intel/intel_load.h"

#define BASE "/etc/coalmine"

static int parse_in(struct cm_config *c, const char *yaml, const char *base, char *err,
                    size_t errlen)
{
    return cm_config_parse(c, yaml, strlen(yaml), base, err, errlen);
}

/* Parses yaml expecting success; the config is the caller's to finish. */
static void parse_ok(struct cm_config *c, const char *yaml)
{
    char err[512] = "";
    int rc;

    cm_config_init(c);
    rc = parse_in(c, yaml, BASE, err, sizeof(err));
    if (rc != 0) {
        fail_msg("parse failed (%d): %s\n--- input:\n%s", rc, err, yaml);
    }
}

/* Parses yaml expecting CM_EINVAL with an error that starts with want. */
static void parse_bad(const char *yaml, const char *want)
{
    struct cm_config c;
    char err[512] = "";
    int rc;

    cm_config_init(&c);
    rc = parse_in(&c, yaml, BASE, err, sizeof(err));
    if (rc != CM_EINVAL || strncmp(err, want, strlen(want)) != 0) {
        fail_msg("rc %d, error\n  \"%s\"\nwanted one starting\n  \"%s\"\n--- input:\n%s", rc, err,
                 want, yaml);
    }
    /* Nothing is taken from a bad file. */
    assert_int_equal(c.intel.threat_lists.n, 0);
    assert_null(c.intel.dir);
    assert_true(c.intel.use_default);
    cm_config_finish(&c);
}

/* Like parse_bad, but the error must contain want somewhere. */
static void parse_bad_has(const char *yaml, const char *want)
{
    struct cm_config c;
    char err[512] = "";
    int rc;

    cm_config_init(&c);
    rc = parse_in(&c, yaml, BASE, err, sizeof(err));
    if (rc != CM_EINVAL || strstr(err, want) == NULL) {
        fail_msg("rc %d, error\n  \"%s\"\nwanted one containing\n  \"%s\"", rc, err, want);
    }
    cm_config_finish(&c);
}

static void assert_defaults(const struct cm_config *c)
{
    assert_int_equal(c->intel.threat_lists.n, 0);
    assert_int_equal(c->intel.trusted_lists.n, 0);
    assert_int_equal(c->intel.lists.n, 0);
    assert_int_equal(c->intel.geoip.n, 0);
    assert_null(c->intel.dir);
    assert_null(c->intel.aws_ranges);
    assert_true(c->intel.use_default);
    assert_int_equal(c->canaries.keys.n, 0);
    assert_int_equal(c->detectors.console_login.min_distance_km, 0);
    assert_int_equal(c->detectors.console_login.max_speed_kmh, 0);
    assert_int_equal(c->detectors.console_login.window_hours, 0);
    assert_int_equal(c->detectors.credential_exfiltration.expected_after_days, 0);
    assert_null(c->store.db);
    assert_int_equal(c->store.retention_days, -1);
    assert_null(c->store.finding_publishing_frequency);
    assert_null(c->api.listen);
    assert_null(c->api.account);
    assert_null(c->api.region);
    assert_int_equal(c->api.ncredentials, 0);
}

/* api: what `coalmine serve` reads; every value checked, secrets never quoted. */
static void test_api_section(void **state)
{
    struct cm_config c;
    (void)state;

    parse_ok(&c, "api:\n"
                 "  listen: \"[::1]:0\"\n"
                 "  account: \"111122223333\"\n"
                 "  region: eu-west-1\n"
                 "  credentials:\n"
                 "    - access_key_id: AKIAIOSFODNN7EXAMPLE\n"
                 "      secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
                 "    - {access_key_id: AKIAI44QH8DHBEXAMPLE, secret_access_key: s3cr3t}\n");
    assert_string_equal(c.api.listen, "[::1]:0");
    assert_string_equal(c.api.account, "111122223333");
    assert_string_equal(c.api.region, "eu-west-1");
    assert_int_equal(c.api.ncredentials, 2);
    assert_string_equal(c.api.credentials[0].access_key_id, "AKIAIOSFODNN7EXAMPLE");
    assert_string_equal(c.api.credentials[0].secret_access_key,
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assert_string_equal(c.api.credentials[1].secret_access_key, "s3cr3t");
    cm_config_finish(&c);
    assert_int_equal(c.api.ncredentials, 0);
    assert_null(c.api.credentials);

    parse_bad("api: {account: 12345}\n", "1:16: api.account: \"12345\": an account id is 12");
    parse_bad("api: {region: US_EAST}\n", "1:15: api.region: \"US_EAST\": not a region name");
    parse_bad("api: {listen: 8787}\n", "1:15: api.listen: \"8787\": wants ADDR:PORT");
    parse_bad("api: {port: 1}\n",
              "1:7: api: unknown key \"port\" (known here: listen, account, region, credentials, "
              "targets)");
    parse_bad("api:\n  credentials:\n    - {access_key_id: AKIAIOSFODNN7EXAMPLE}\n",
              "3:7: api.credentials[0]: a credential needs both access_key_id and "
              "secret_access_key");
    parse_bad("api:\n  credentials:\n    - {access_key_id: short, secret_access_key: x}\n",
              "3:23: api.credentials[0].access_key_id: an access key id is 16 to 128");
    parse_bad("api:\n  credentials:\n    - {access_key_id: AKIAIOSFODNN7EXAMPLE, secret: x}\n",
              "3:45: api.credentials[0]: unknown key (known here: access_key_id, "
              "secret_access_key)");
    /* api.targets: what a target put through the API may be. */
    parse_ok(&c, "api:\n"
                 "  targets:\n"
                 "    exec_allow: [/usr/local/lib/coalmine/hooks, /usr/bin/logger]\n"
                 "    file_dirs: [/var/lib/coalmine/events]\n"
                 "    webhook_allow: [\"https://hooks.example.com/coalmine\"]\n"
                 "    kafka_allow: [\"kafka-1:9092\", \"[::1]:9092\"]\n");
    assert_int_equal(c.api.targets.exec_allow.n, 2);
    assert_string_equal(c.api.targets.exec_allow.v[1], "/usr/bin/logger");
    assert_string_equal(c.api.targets.file_dirs.v[0], "/var/lib/coalmine/events");
    assert_string_equal(c.api.targets.webhook_allow.v[0], "https://hooks.example.com/coalmine");
    assert_int_equal(c.api.targets.kafka_allow.n, 2);
    cm_config_finish(&c);
    assert_int_equal(c.api.targets.exec_allow.n, 0);
    parse_bad("api:\n  targets:\n    webhook_allow: [ftp://x]\n",
              "3:21: api.targets.webhook_allow[0]: \"ftp://x\": a webhook URL prefix is");
    parse_bad("api:\n  targets:\n    kafka_allow: [\"a,b:1\"]\n",
              "3:19: api.targets.kafka_allow[0]: \"a,b:1\": a Kafka broker is HOST:PORT");
    parse_bad("api:\n  targets:\n    kafka_allow: [kafka]\n",
              "3:19: api.targets.kafka_allow[0]: \"kafka\": a Kafka broker is HOST:PORT");
    parse_bad("api:\n  targets:\n    exec: [/bin/sh]\n",
              "3:5: api.targets: unknown key \"exec\" (known here: exec_allow, file_dirs, "
              "webhook_allow, kafka_allow)");
    parse_bad("api: {credentials: AKIA}\n", "1:20: api.credentials: expected a list of "
                                            "credentials");
    /* A bad secret is reported without quoting it. */
    parse_bad_has("api:\n  credentials:\n    - {access_key_id: AKIAIOSFODNN7EXAMPLE, "
                  "secret_access_key: \"has space\"}\n",
                  "a secret access key is 1 to 128 characters without spaces");
    {
        char err[512] = "";
        const char *y = "api:\n  credentials:\n    - {access_key_id: AKIAIOSFODNN7EXAMPLE, "
                        "secret_access_key: \"has space\"}\n";
        cm_config_init(&c);
        assert_int_equal(cm_config_parse(&c, y, strlen(y), NULL, err, sizeof(err)), CM_EINVAL);
        assert_null(strstr(err, "has space"));
        cm_config_finish(&c);
    }
}

/* secrets: names to a file or a variable, and the URLs each may be sent to. */
static void test_secrets(void **state)
{
    struct cm_config c;

    (void)state;
    parse_ok(&c, "secrets:\n"
                 "  slack:\n"
                 "    file: secrets/slack-token\n"
                 "    urls: [\"https://hooks.slack.com/services/\"]\n"
                 "  pager.v2:\n"
                 "    env: PAGER_TOKEN\n"
                 "    urls:\n"
                 "      - https://events.pager.example/v2\n"
                 "      - http://127.0.0.1:8080/\n");
    assert_int_equal(c.nsecrets, 2);
    assert_string_equal(c.secrets[0].name, "slack");
    assert_string_equal(c.secrets[0].file, BASE "/secrets/slack-token");
    assert_null(c.secrets[0].env);
    assert_int_equal(c.secrets[0].urls.n, 1);
    assert_int_equal(c.secrets[0].line, 2);
    assert_string_equal(c.secrets[1].name, "pager.v2");
    assert_string_equal(c.secrets[1].env, "PAGER_TOKEN");
    assert_null(c.secrets[1].file);
    assert_string_equal(c.secrets[1].urls.v[1], "http://127.0.0.1:8080/");
    cm_config_finish(&c);
    assert_int_equal(c.nsecrets, 0);
    assert_null(c.secrets);
    parse_ok(&c, "secrets:\n");
    assert_int_equal(c.nsecrets, 0);
    cm_config_finish(&c);

    parse_bad("secrets: [a]\n", "1:10: secrets: expected a mapping of secret names");
    parse_bad("secrets:\n  \"a b\":\n    env: X\n    urls: [https://h/]\n",
              "2:3: secrets: \"a b\": a secret's name is 1 to 64");
    parse_bad("secrets:\n  a:\n    file: x\n    env: Y\n    urls: [https://h/]\n",
              "4:5: secrets.a: give file or env, not both");
    parse_bad("secrets:\n  a:\n    urls: [https://h/]\n",
              "3:5: secrets.a: needs file or env: where the value is read from");
    parse_bad("secrets:\n  a:\n    env: Y\n", "3:5: secrets.a: needs urls: where the secret");
    parse_bad("secrets:\n  a:\n    env: Y\n    urls: []\n",
              "4:11: secrets.a.urls: needs at least one URL");
    parse_bad("secrets:\n  a:\n    env: Y\n    urls: https://h/\n",
              "4:11: secrets.a.urls: expected a list of URLs");
    parse_bad("secrets:\n  a:\n    env: Y\n    urls: [ftp://h/]\n",
              "4:12: secrets.a.urls[0]: \"ftp://h/\": a webhook URL prefix is");
    parse_bad("secrets:\n  a:\n    env: 1X\n    urls: [https://h/]\n",
              "3:10: secrets.a.env: \"1X\": an environment variable's name");
    parse_bad("secrets:\n  a:\n    env: Y\n    value: v\n    urls: [https://h/]\n",
              "4:5: secrets.a: unknown key (known here: file, env, urls)");
    parse_bad("secrets:\n  a:\n    env: Y\n    env: Z\n    urls: [https://h/]\n",
              "4:5: secrets.a: key env is given twice");
    parse_bad("secrets:\n  a: {env: Y, urls: [https://h/]}\n  a: {env: Z, urls: [https://h/]}\n",
              "3:3: secrets: secret a is given twice (first at line 2)");
    parse_bad("secrets:\n  a: tok\n", "2:6: secrets.a: expected a mapping");
}

static const char full_yaml[] =
    "# every key\n"
    "intel:\n"
    "  threat_lists:\n"
    "    - lists/bad-ips.txt\n"
    "    - partner=STIX:/srv/intel/partner.xml\n"
    "  trusted_lists: [office=office.txt]\n"
    "  lists:\n"
    "    - tor_exit=tor-exits.txt\n"
    "    - \"cnc:feodo=TXT:feeds/feodo.txt\"\n"
    "  dir: intel\n"
    "  default: false\n"
    "  geoip: [GeoLite2-City.mmdb, /usr/share/GeoIP/GeoLite2-ASN.mmdb]\n"
    "  aws_ranges: ip-ranges.json\n"
    "canaries:\n"
    "  keys:\n"
    "    - AKIAIOSFODNN7EXAMPLE\n"
    "    - 'ASIAY34FZKBOKMUTVV7A'\n"
    "detectors:\n"
    "  console_login:\n"
    "    min_distance_km: 800\n"
    "    max_speed_kmh: 900\n"
    "    window_hours: 12\n"
    "  credential_exfiltration:\n"
    "    expected_after_days: 3\n"
    "  api_anomaly: {learning_hours: 48, discovery_burst: 3, discovery_window_minutes: 30}\n"
    "store:\n"
    "  db: var/findings.db\n"
    "  retention_days: 90\n";

/* serve: what coalmine serve watches, relative paths resolved, ranges checked. */
static void test_serve_section(void **state)
{
    struct cm_config c;
    char err[512];
    (void)state;

    cm_config_init(&c);
    assert_int_equal(c.serve.settle, -1);
    assert_int_equal(c.serve.poll_interval, 0);
    assert_null(c.serve.state);
    cm_config_finish(&c);
    parse_ok(&c, "serve:\n"
                 "  watch: [logs/cloudtrail, /var/log/flows, s3://trail/AWSLogs/, sqs://1/q,\n"
                 "          'https://sqs.us-east-1.amazonaws.com/1/q/AWSLogs/?visibility=60']\n"
                 "  poll_interval: 30\n"
                 "  settle: 0\n"
                 "  checkpoint_interval: 600\n"
                 "  canary_interval: 60\n"
                 "  bus_interval: 2\n"
                 "  state: var/engine.state\n");
    assert_int_equal(c.serve.watch.n, 5);
    assert_string_equal(c.serve.watch.v[0], BASE "/logs/cloudtrail");
    assert_string_equal(c.serve.watch.v[1], "/var/log/flows");
    assert_string_equal(c.serve.watch.v[2], "s3://trail/AWSLogs/"); /* not resolved */
    assert_string_equal(c.serve.watch.v[3], "sqs://1/q");
    assert_string_equal(c.serve.watch.v[4], /* a queue's URL: not resolved either */
                        "https://sqs.us-east-1.amazonaws.com/1/q/AWSLogs/?visibility=60");
    assert_int_equal(c.serve.poll_interval, 30);
    assert_int_equal(c.serve.settle, 0);
    assert_int_equal(c.serve.checkpoint_interval, 600);
    assert_int_equal(c.serve.canary_interval, 60);
    assert_int_equal(c.serve.bus_interval, 2);
    assert_string_equal(c.serve.state, BASE "/var/engine.state");
    cm_config_finish(&c);
    assert_int_equal(c.serve.watch.n, 0);
    assert_int_equal(c.serve.settle, -1);

    static const char *const bad[] = {
        "serve:\n  poll_interval: 0\n",
        "serve:\n  poll_interval: 86401\n",
        "serve:\n  settle: -1\n",
        "serve:\n  canary_interval: 0\n",
        "serve:\n  watch: logs\n",
        "serve:\n  listen: 1\n",
        "serve:\n  watch: ['https:///srv/b']\n", /* a URL with no host */
        "serve:\n  watch: [s3://a/logs]\n",      /* no bucket is 1 byte long */
        "serve:\n  watch: ['sqs://111122223333']\n",
        "serve:\n  state: s3://trail/engine.state\n", /* state is a local file */
        "serve:\n  state: [a, b]\n",
        "serve:\n  bus_interval: fast\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cm_config_init(&c);
        err[0] = '\0';
        assert_int_equal(parse_in(&c, bad[i], BASE, err, sizeof(err)), CM_EINVAL);
        assert_true(strncmp(err, "2:", 2) == 0); /* the line of the bad key */
        cm_config_finish(&c);
    }
}

/*
 * A location (s3://, sqs://, a URL) is read only by serve.watch: where a local file is meant it
 * is refused with the reason, not resolved into a file name under the config's directory.
 */
static void test_locations_only_in_watch(void **state)
{
    static const char *const bad[] = {
        "intel:\n  threat_lists:\n    - s3://lists/bad-ips.txt\n",
        "intel:\n  trusted_lists: ['office=https://example.com/office.txt']\n",
        "intel:\n  lists: ['tor_exit=TXT:sqs://111122223333/q']\n",
        "intel:\n  geoip: [s3://geo/GeoLite2-City.mmdb]\n",
        "intel:\n  aws_ranges: https://ip-ranges.amazonaws.com/ip-ranges.json\n",
        "store:\n  db: s3://db/findings.db\n",
    };
    struct cm_config c;
    char err[512];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cm_config_init(&c);
        err[0] = '\0';
        assert_int_equal(parse_in(&c, bad[i], BASE, err, sizeof(err)), CM_EINVAL);
        assert_non_null(strstr(err, "is a location, not a file: only serve.watch reads"));
        assert_true(strncmp(err, "2:", 2) == 0 || strncmp(err, "3:", 2) == 0);
        cm_config_finish(&c);
    }
    /* A relative path that merely holds "s3:" further on is a path. */
    parse_ok(&c, "intel:\n  threat_lists: [lists/s3://x.txt]\n");
    assert_string_equal(c.intel.threat_lists.v[0], BASE "/lists/s3://x.txt");
    cm_config_finish(&c);
    /* The watch location's own reason, with its line. */
    cm_config_init(&c);
    assert_int_equal(parse_in(&c, "serve:\n  watch: [s3://a/logs]\n", BASE, err, sizeof(err)),
                     CM_EINVAL);
    assert_non_null(strstr(err, "a bucket name is 3 to 63 characters long"));
    assert_true(strncmp(err, "2:", 2) == 0);
    cm_config_finish(&c);
}

static void test_full_file(void **state)
{
    struct cm_config c;

    (void)state;
    parse_ok(&c, full_yaml);
    assert_int_equal(c.intel.threat_lists.n, 2);
    assert_string_equal(c.intel.threat_lists.v[0], BASE "/lists/bad-ips.txt");
    assert_string_equal(c.intel.threat_lists.v[1], "partner=STIX:/srv/intel/partner.xml");
    assert_int_equal(c.intel.trusted_lists.n, 1);
    assert_string_equal(c.intel.trusted_lists.v[0], "office=" BASE "/office.txt");
    assert_int_equal(c.intel.lists.n, 2);
    assert_string_equal(c.intel.lists.v[0], "tor_exit=" BASE "/tor-exits.txt");
    assert_string_equal(c.intel.lists.v[1], "cnc:feodo=TXT:" BASE "/feeds/feodo.txt");
    assert_string_equal(c.intel.dir, BASE "/intel");
    assert_false(c.intel.use_default);
    assert_int_equal(c.intel.geoip.n, 2);
    assert_string_equal(c.intel.geoip.v[0], BASE "/GeoLite2-City.mmdb");
    assert_string_equal(c.intel.geoip.v[1], "/usr/share/GeoIP/GeoLite2-ASN.mmdb");
    assert_string_equal(c.intel.aws_ranges, BASE "/ip-ranges.json");
    assert_int_equal(c.canaries.keys.n, 2);
    assert_string_equal(c.canaries.keys.v[0], "AKIAIOSFODNN7EXAMPLE");
    assert_string_equal(c.canaries.keys.v[1], "ASIAY34FZKBOKMUTVV7A");
    assert_int_equal(c.detectors.console_login.min_distance_km, 800);
    assert_int_equal(c.detectors.console_login.max_speed_kmh, 900);
    assert_int_equal(c.detectors.console_login.window_hours, 12);
    assert_int_equal(c.detectors.credential_exfiltration.expected_after_days, 3);
    assert_int_equal(c.detectors.api_anomaly.learning_hours, 48);
    assert_int_equal(c.detectors.api_anomaly.discovery_burst, 3);
    assert_int_equal(c.detectors.api_anomaly.discovery_window_minutes, 30);
    assert_string_equal(c.store.db, BASE "/var/findings.db");
    assert_int_equal(c.store.retention_days, 90);
    cm_config_finish(&c);
    assert_defaults(&c);
    cm_config_finish(&c); /* idempotent */
}

/* Empty input, comments only, an empty document and a null root all mean the defaults. */
static void test_empty_is_defaults(void **state)
{
    static const char *const inputs[] = {
        "", "\n\n", "# nothing configured yet\n", "---\n", "--- ~\n", "null\n", "---\n...\n",
    };
    struct cm_config c;

    (void)state;
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        parse_ok(&c, inputs[i]);
        assert_defaults(&c);
        cm_config_finish(&c);
    }
    /* NULL with length 0 too. */
    cm_config_init(&c);
    assert_int_equal(cm_config_parse(&c, NULL, 0, NULL, NULL, 0), 0);
    assert_defaults(&c);
}

/* Sections and lists may be null or empty. */
static void test_null_sections(void **state)
{
    struct cm_config c;

    (void)state;
    parse_ok(&c, "intel:\ncanaries:\n  keys:\ndetectors: ~\nstore: {}\n");
    assert_defaults(&c);
    cm_config_finish(&c);
    parse_ok(&c, "intel: {threat_lists: [], geoip: null}\n");
    assert_defaults(&c);
    cm_config_finish(&c);
}

static void test_intel_section(void **state)
{
    struct cm_config c;
    struct cm_intel_source src;
    char err[256];

    (void)state;
    parse_ok(&c, "intel:\n"
                 "  threat_lists: [\"TXT:a b.txt\", mine=hosts.txt, /abs/c.csv]\n"
                 "  default: true\n"
                 "  lists: [unknown:misc=misc.txt]\n");
    assert_int_equal(c.intel.threat_lists.n, 3);
    assert_string_equal(c.intel.threat_lists.v[0], "TXT:" BASE "/a b.txt");
    assert_string_equal(c.intel.threat_lists.v[1], "mine=" BASE "/hosts.txt");
    assert_string_equal(c.intel.threat_lists.v[2], "/abs/c.csv");
    assert_true(c.intel.use_default);
    /* What the command line would make of each string: the same list, resolved. */
    assert_int_equal(cm_intel_source_parse(c.intel.threat_lists.v[0], CM_INTEL_KIND_THREAT, false,
                                           &src, err, sizeof(err)),
                     0);
    assert_string_equal(src.name, "a b");
    assert_string_equal(src.format->name, "TXT");
    assert_string_equal(src.path, BASE "/a b.txt");
    assert_int_equal(cm_intel_source_parse(c.intel.lists.v[0], CM_INTEL_KIND_THREAT, true, &src,
                                           err, sizeof(err)),
                     0);
    assert_int_equal(src.category, CM_CAT_UNKNOWN);
    assert_string_equal(src.name, "misc");
    assert_string_equal(src.path, BASE "/misc.txt");
    cm_config_finish(&c);
}

/* Relative paths follow base_dir; absolute ones and a missing base leave them alone. */
static void test_relative_paths(void **state)
{
    struct cm_config c;
    char err[256];
    const char *yaml = "intel: {dir: d, threat_lists: [x.txt]}\nstore: {db: /abs/f.db}\n";

    (void)state;
    cm_config_init(&c);
    assert_int_equal(parse_in(&c, yaml, NULL, err, sizeof(err)), 0);
    assert_string_equal(c.intel.dir, "d");
    assert_string_equal(c.intel.threat_lists.v[0], "x.txt");
    assert_string_equal(c.store.db, "/abs/f.db");
    assert_int_equal(parse_in(&c, yaml, "", err, sizeof(err)), 0);
    assert_string_equal(c.intel.dir, "d");
    assert_int_equal(parse_in(&c, yaml, "/", err, sizeof(err)), 0);
    assert_string_equal(c.intel.dir, "/d");
    assert_string_equal(c.intel.threat_lists.v[0], "/x.txt");
    assert_int_equal(parse_in(&c, yaml, "conf/", err, sizeof(err)), 0);
    assert_string_equal(c.intel.dir, "conf/d");
    assert_int_equal(parse_in(&c, yaml, "../etc", err, sizeof(err)), 0);
    assert_string_equal(c.intel.dir, "../etc/d");
    assert_string_equal(c.intel.threat_lists.v[0], "../etc/x.txt");
    cm_config_finish(&c);
}

/* A directory with '=' in it would read as NAME=: the name is written out in front. */
static void test_base_dir_with_equals(void **state)
{
    struct cm_config c;
    struct cm_intel_source src;
    char err[256];

    (void)state;
    cm_config_init(&c);
    assert_int_equal(parse_in(&c, "intel: {threat_lists: [bad.txt], trusted_lists: [n=ok.txt]}",
                              "/srv/env=prod", err, sizeof(err)),
                     0);
    assert_string_equal(c.intel.threat_lists.v[0], "bad=/srv/env=prod/bad.txt");
    assert_string_equal(c.intel.trusted_lists.v[0], "n=/srv/env=prod/ok.txt");
    assert_int_equal(cm_intel_source_parse(c.intel.threat_lists.v[0], CM_INTEL_KIND_THREAT, false,
                                           &src, err, sizeof(err)),
                     0);
    assert_string_equal(src.name, "bad");
    assert_string_equal(src.path, "/srv/env=prod/bad.txt");
    cm_config_finish(&c);
}

static void test_canaries(void **state)
{
    struct cm_config c;
    char big[200];

    (void)state;
    parse_ok(&c,
             "canaries:\n  keys: [AKIA0000000000000000, ASIA1234567890ABCDEF, ABIA0123456789AB]\n");
    assert_int_equal(c.canaries.keys.n, 3);
    assert_string_equal(c.canaries.keys.v[2], "ABIA0123456789AB");
    cm_config_finish(&c);
    /* 128 characters is the longest access key id. */
    memset(big, 'A', sizeof(big));
    memcpy(big, "canaries: {keys: [AKIA", 22);
    memcpy(big + 22 + 124, "]}", 3);
    parse_ok(&c, big);
    assert_int_equal(strlen(c.canaries.keys.v[0]), 128);
    cm_config_finish(&c);
    big[22 + 124] = 'A';
    memcpy(big + 22 + 125, "]}", 3);
    parse_bad(big, "1:19: canaries.keys[0]: not an access key id: \"AKIAAAAAAAAA");
}

static void test_canary_bad_shape(void **state)
{
    (void)state;
    parse_bad("canaries:\n  keys:\n    - AKIAIOSFODNN7EXAMPLE\n    - xyz\n",
              "4:7: canaries.keys[1]: not an access key id: \"xyz\" (shorter than 16 characters)");
    parse_bad("canaries: {keys: [akiaiosfodnn7example]}",
              "1:19: canaries.keys[0]: not an access key id: \"akiaiosfodnn7example\" (access key "
              "ids are upper case)");
    parse_bad("canaries: {keys: [AKIA-IOSFODNN7EXAMPLE]}",
              "1:19: canaries.keys[0]: not an access key id: \"AKIA-IOSFODNN7EXAMPLE\" (only A-Z");
    parse_bad("canaries: {keys: [ZZZZIOSFODNN7EXAMPLE]}",
              "1:19: canaries.keys[0]: not an access key id: \"ZZZZIOSFODNN7EXAMPLE\" (no IAM "
              "prefix");
    parse_bad("canaries: {keys: [\"AKIAIOSFODNN7EXAM\\tLE\"]}",
              "1:19: canaries.keys[0]: not an access key id: \"AKIAIOSFODNN7EXAM\\x09LE\"");
    parse_bad("canaries: {keys: [AKIAIOSFODNN7EXAMPLE, AKIAIOSFODNN7EXAMPLE]}",
              "1:41: canaries.keys[1]: \"AKIAIOSFODNN7EXAMPLE\" is already listed as item 0");
    parse_bad("canaries: {keys: [12345678901234567]}", "1:19: canaries.keys[0]: not an access");
    parse_bad("canaries: {keys: [true]}",
              "1:19: canaries.keys[0]: expected an access key id, got a boolean");
}

/* detectors.custom_rules.modes: "[ACCOUNT:]RULE=MODE" strings, each checked when read. */
static void test_custom_rules(void **state)
{
    struct cm_config c;

    (void)state;
    parse_ok(&c, "detectors:\n  custom_rules:\n    modes:\n      - \"*=DRY_RUN\"\n"
                 "      - 111122223333:VPCFlowLogsDeleted=off\n");
    assert_int_equal(c.detectors.custom_rules.modes.n, 2);
    assert_string_equal(c.detectors.custom_rules.modes.v[0], "*=DRY_RUN");
    assert_string_equal(c.detectors.custom_rules.modes.v[1], "111122223333:VPCFlowLogsDeleted=off");
    cm_config_finish(&c);
    parse_ok(&c, "detectors: {custom_rules: {modes: []}}");
    assert_int_equal(c.detectors.custom_rules.modes.n, 0);
    cm_config_finish(&c);
    parse_bad("detectors: {custom_rules: {modes: [\"VPCFlowLogsDeleted=ON\"]}}",
              "1:36: detectors.custom_rules.modes[0]: \"VPCFlowLogsDeleted=ON\": the mode is not "
              "LIVE, DRY_RUN or OFF");
    parse_bad("detectors: {custom_rules: {modes: [\"*=LIVE\", \"1:*=LIVE\"]}}",
              "1:46: detectors.custom_rules.modes[1]: \"1:*=LIVE\": the account is not 12 digits");
    parse_bad("detectors: {custom_rules: {modes: [Nope=LIVE]}}",
              "1:36: detectors.custom_rules.modes[0]: \"Nope=LIVE\": no such rule");
    parse_bad("detectors: {custom_rules: {modes: \"*=LIVE\"}}",
              "1:35: detectors.custom_rules.modes: expected a list of strings");
    parse_bad("detectors: {custom_rules: {mode: []}}",
              "1:28: detectors.custom_rules: unknown key \"mode\" (known here: modes)");
}

static void test_canary_checks(void **state)
{
    struct cm_config c;

    (void)state;
    parse_ok(&c, "canaries:\n"
                 "  keys: [AKIA0000000000000000]\n"
                 "  checks:\n"
                 "    - name: trail-alive\n"
                 "      kind: freshness\n"
                 "      schedule: rate(5 minutes)\n"
                 "      params: {source: cloudtrail, max_age_minutes: 60, region: '1', x: -1.5,"
                 " y: true, z: 0x1}\n"
                 "    - name: scans\n"
                 "      check: scan-health\n"
                 "      schedule: \"cron(0 8 ? * MON-FRI *)\"\n"
                 "      params: '{\"max_silence_minutes\": 90}'\n"
                 "      state: DISABLED\n"
                 "      on_change: true\n"
                 "    - {name: p, kind: pipeline, schedule: 'at(2026-03-01T09:00:00)'}\n");
    assert_int_equal(c.canaries.keys.n, 1);
    assert_int_equal(c.canaries.nchecks, 3);
    assert_string_equal(c.canaries.checks[0].name, "trail-alive");
    assert_string_equal(c.canaries.checks[0].kind, "freshness");
    assert_string_equal(c.canaries.checks[0].schedule, "rate(5 minutes)");
    /* Plain numbers are numbers, quoted ones and anything else strings. */
    assert_string_equal(c.canaries.checks[0].params,
                        "{\"source\":\"cloudtrail\",\"max_age_minutes\":60,\"region\":\"1\","
                        "\"x\":-1.5,\"y\":true,\"z\":\"0x1\"}");
    assert_true(c.canaries.checks[0].enabled);
    assert_false(c.canaries.checks[0].on_change);
    assert_int_equal(c.canaries.checks[0].line, 4);
    assert_int_equal(c.canaries.checks[0].params_line, 7);
    assert_int_equal(c.canaries.checks[0].params_col, 15);
    assert_string_equal(c.canaries.checks[1].kind, "scan-health");
    assert_string_equal(c.canaries.checks[1].params, "{\"max_silence_minutes\": 90}");
    assert_false(c.canaries.checks[1].enabled);
    assert_true(c.canaries.checks[1].on_change);
    assert_string_equal(c.canaries.checks[2].params, "{}");
    cm_config_finish(&c);
    parse_ok(&c, "canaries: {checks: }\n");
    assert_int_equal(c.canaries.nchecks, 0);
    cm_config_finish(&c);

    parse_bad("canaries:\n  checks:\n    - name: a\n      kind: freshness\n"
              "      schedul: rate(5 minutes)\n",
              "5:7: canaries.checks[0]: unknown key \"schedul\" (known here: name, kind, "
              "schedule, params, state, on_change)");
    parse_bad("canaries:\n  checks:\n    - name: a\n      kind: fresh\n",
              "4:13: canaries.checks[0].kind: expected one of freshness, pipeline, scan-health, "
              "got \"fresh\"");
    parse_bad("canaries:\n  checks:\n    - name: a\n      kind: pipeline\n",
              "3:7: canaries.checks[0]: a check needs name, kind and schedule (schedule is "
              "missing)");
    parse_bad("canaries: {checks: [{name: a, kind: pipeline, schedule: 'cron(0 0 * * * *)'}]}",
              "1:57: canaries.checks[0].schedule: at byte 13: cron: exactly one of");
    parse_bad("canaries: {checks: [{name: 'a b', kind: pipeline, schedule: rate(1 hour)}]}",
              "1:28: canaries.checks[0].name: \"a b\": a check's name is 1 to 64");
    parse_bad("canaries: {checks: [{name: a, kind: pipeline, schedule: rate(1 hour),"
              " params: {x: [1]}}]}",
              "1:83: canaries.checks[0].params.x: expected a number or a string, got a list");
    parse_bad("canaries: {checks: [{name: a, kind: pipeline, schedule: rate(1 hour),"
              " params: '[1]'}]}",
              "1:79: canaries.checks[0].params: expected a mapping of parameters or a JSON object");
    parse_bad("canaries: {checks: [{name: a, kind: pipeline, schedule: rate(1 hour),"
              " state: ON}]}",
              "1:78: canaries.checks[0].state: expected one of ENABLED, DISABLED, got \"ON\"");
    parse_bad("canaries: {checks: [{name: a, kind: pipeline, schedule: rate(1 hour),"
              " on_change: 1}]}",
              "1:82: canaries.checks[0].on_change: expected true or false");
    parse_bad("canaries: {checks: [{name: a, name: b}]}",
              "1:31: canaries.checks[0]: key name is given twice");
    parse_bad("canaries:\n  checks:\n    - {name: a, kind: pipeline, schedule: rate(1 hour)}\n"
              "    - {name: a, kind: freshness, schedule: rate(1 hour)}\n",
              "4:7: canaries.checks[1]: a second check named a (the first at line 3)");
    parse_bad("canaries: {checks: [a]}", "1:21: canaries.checks[0]: expected a mapping");
    parse_bad("canaries: {checks: a}", "1:20: canaries.checks: expected a list of checks");
}

static void test_check_access_key(void **state)
{
    (void)state;
    assert_null(cm_config_check_access_key(CM_STR_LIT("AKIAIOSFODNN7EXAMPLE")));
    assert_null(cm_config_check_access_key(CM_STR_LIT("AROA0123456789ABCDEF")));
    assert_non_null(cm_config_check_access_key(CM_STR_LIT("AKIA0123456789A")));
    assert_non_null(cm_config_check_access_key(CM_STR_LIT("")));
    assert_non_null(cm_config_check_access_key(CM_STR_LIT("AKIA01234567890 ")));
    assert_non_null(cm_config_check_access_key(CM_STR_LIT("AKIB0123456789ABCDEF")));
}

static void test_detectors_and_store(void **state)
{
    struct cm_config c;

    (void)state;
    parse_ok(&c, "detectors:\n  console_login: {min_distance_km: 1, max_speed_kmh: 1000000}\n"
                 "store: {retention_days: 0}\n");
    assert_int_equal(c.detectors.console_login.min_distance_km, 1);
    assert_int_equal(c.detectors.console_login.max_speed_kmh, 1000000);
    assert_int_equal(c.detectors.console_login.window_hours, 0); /* not set */
    assert_int_equal(c.detectors.credential_exfiltration.expected_after_days, 0);
    assert_int_equal(c.store.retention_days, 0); /* 0 keeps findings: set, not "unset" */
    assert_null(c.store.db);
    cm_config_finish(&c);
    parse_ok(&c, "detectors:\n  vpcflow:\n    learning_hours: 48\n    brute_force_attempts: 30\n"
                 "    brute_force_private_remotes: true\n    portscan_ports: 100\n"
                 "    max_instances: 100000\n");
    assert_int_equal(c.detectors.vpcflow.learning_hours, 48);
    assert_int_equal(c.detectors.vpcflow.brute_force_attempts, 30);
    assert_true(c.detectors.vpcflow.brute_force_private_remotes);
    assert_int_equal(c.detectors.vpcflow.portscan_ports, 100);
    assert_int_equal(c.detectors.vpcflow.max_instances, 100000);
    assert_int_equal(c.detectors.vpcflow.spambot_hosts, 0); /* not set */
    cm_config_finish(&c);
    parse_bad("detectors:\n  vpcflow:\n    portscan_ports: 101\n",
              "3:21: detectors.vpcflow.portscan_ports: must be at most 100, not 101");
    parse_bad("detectors:\n  vpcflow:\n    max_pairs: 10\n",
              "3:16: detectors.vpcflow.max_pairs: must be at least 1024, not 10");
    parse_bad("detectors:\n  vpcflow:\n    spam_hosts: 3\n",
              "3:5: detectors.vpcflow: unknown key \"spam_hosts\"");
    parse_bad("detectors:\n  vpcflow:\n    brute_force_private_remotes: 1\n",
              "3:34: detectors.vpcflow.brute_force_private_remotes:");
    parse_ok(&c, "detectors:\n  dns:\n    dga_model: m/model.txt\n    dga_burst: 12\n"
                 "    dga_nxdomain_min_score_percent: 70\n"
                 "    tunnel_allow: [Corp.Example., x.internal]\n    rebind_allowed: []\n"
                 "    tunnel_spread_domains: 5\n");
    assert_string_equal(c.detectors.dns.dga_model, BASE "/m/model.txt");
    assert_int_equal(c.detectors.dns.dga_burst, 12);
    assert_int_equal(c.detectors.dns.dga_nxdomain_min_score_percent, 70);
    assert_int_equal(c.detectors.dns.tunnel_spread_domains, 5);
    assert_int_equal(c.detectors.dns.tunnel_allow.n, 2);
    assert_string_equal(c.detectors.dns.tunnel_allow.v[0], "corp.example");
    assert_string_equal(c.detectors.dns.tunnel_allow.v[1], "x.internal");
    assert_int_equal(c.detectors.dns.rebind_allowed.n, 0);
    cm_config_finish(&c);
    parse_bad("detectors:\n  dns:\n    dga_nxdomain_min_score_percent: 40\n",
              "3:37: detectors.dns.dga_nxdomain_min_score_percent: must be at least 50, not 40");
    parse_bad("detectors:\n  dns:\n    dga_burst: 65\n",
              "3:16: detectors.dns.dga_burst: must be at most 64, not 65");
    parse_bad("detectors:\n  dns:\n    tunnel_spread_domains: 1\n",
              "3:28: detectors.dns.tunnel_spread_domains: must be at least 2, not 1");
    parse_bad("detectors:\n  dns:\n    tunnel_allow: [a..b]\n",
              "3:20: detectors.dns.tunnel_allow[0]: not a domain name: \"a..b\"");
    parse_ok(&c, "store:\n  retention_days: 36500\n  db: \"my db.sqlite\"\n");
    assert_int_equal(c.store.retention_days, 36500);
    assert_string_equal(c.store.db, BASE "/my db.sqlite");
    assert_null(c.store.finding_publishing_frequency);
    cm_config_finish(&c);
    /* GuardDuty's findingPublishingFrequency values, exactly. */
    parse_ok(&c, "store: {finding_publishing_frequency: FIFTEEN_MINUTES}\n");
    assert_string_equal(c.store.finding_publishing_frequency, "FIFTEEN_MINUTES");
    cm_config_finish(&c);
    parse_ok(&c, "store: {finding_publishing_frequency: \"ONE_HOUR\"}\n");
    assert_string_equal(c.store.finding_publishing_frequency, "ONE_HOUR");
    cm_config_finish(&c);
    parse_bad("store: {finding_publishing_frequency: one_hour}\n",
              "1:39: store.finding_publishing_frequency: expected one of FIFTEEN_MINUTES, "
              "ONE_HOUR, SIX_HOURS, got \"one_hour\"");
    parse_bad("store: {finding_publishing_frequency: 15}\n",
              "1:39: store.finding_publishing_frequency: expected one of FIFTEEN_MINUTES, "
              "ONE_HOUR, SIX_HOURS, got \"15\"");
}

static void test_unknown_key(void **state)
{
    (void)state;
    parse_bad("intel:\n  thread_lists: [a.txt]\n",
              "2:3: intel: unknown key \"thread_lists\" (known here: threat_lists, trusted_lists, "
              "lists, dir, default, geoip, aws_ranges)");
    parse_bad("store: {db: x}\nserver: {port: 1}\n",
              "2:1: unknown key \"server\" (known here: intel, canaries, detectors, store, api, "
              "serve, inventory, secrets)");
    parse_bad("detectors:\n  console_login:\n    min_distance: 5\n",
              "3:5: detectors.console_login: unknown key \"min_distance\"");
    /* Keys are case-sensitive. */
    parse_bad("Intel: {}\n", "1:1: unknown key \"Intel\"");
    /* A YAML merge key is just an unknown key. */
    parse_bad("intel:\n  <<: {dir: x}\n", "2:3: intel: unknown key \"<<\"");
}

static void test_wrong_type(void **state)
{
    (void)state;
    parse_bad("intel: [a, b]\n", "1:8: intel: expected a mapping (a section of keys), got a list");
    parse_bad("intel: yes\n", "1:8: intel: expected a mapping (a section of keys), got a string");
    parse_bad("intel:\n  threat_lists: bad.txt\n",
              "2:17: intel.threat_lists: expected a list of list files (- ITEM lines or [ITEM, "
              "...]), got a string");
    parse_bad("intel:\n  geoip: {a: b}\n",
              "2:10: intel.geoip: expected a list of paths (- ITEM lines or [ITEM, ...]), got a "
              "mapping");
    parse_bad("intel:\n  threat_lists:\n    - [a.txt]\n",
              "3:7: intel.threat_lists[0]: expected a list file, got a list");
    parse_bad("intel: {dir: [a]}\n", "1:14: intel.dir: expected a path, got a list");
    parse_bad("intel: {dir: }\n", "1:14: intel.dir: expected a path, got nothing (null)");
    parse_bad("intel: {dir: ''}\n", "1:14: intel.dir: expected a path, got an empty string");
    parse_bad("intel: {aws_ranges: false}\n",
              "1:21: intel.aws_ranges: expected a path, got a boolean");
    parse_bad("intel: {default: yes}\n",
              "1:18: intel.default: expected true or false, got a string");
    parse_bad("intel: {default: 'true'}\n",
              "1:18: intel.default: expected true or false, got a quoted string");
    parse_bad("intel: {default: 1}\n",
              "1:18: intel.default: expected true or false, got an integer");
    parse_bad("store: {retention_days: ten}\n",
              "1:25: store.retention_days: expected an integer, got a string \"ten\"");
    parse_bad("store: {retention_days: \"10\"}\n",
              "1:25: store.retention_days: expected an integer, got a quoted string \"10\"");
    parse_bad("store: {retention_days: 1.5}\n",
              "1:25: store.retention_days: expected an integer, got a string \"1.5\"");
    parse_bad("store: {retention_days: 0x10}\n", "1:25: store.retention_days: expected an integer");
    parse_bad("store: {retention_days: }\n",
              "1:25: store.retention_days: expected an integer, got nothing (null)");
    parse_bad("store: {retention_days: [1]}\n",
              "1:25: store.retention_days: expected an integer, got a list");
    parse_bad("- intel\n", "1:1: the top level must be a mapping of sections (intel, canaries, "
                           "detectors, store, api, serve, inventory, secrets), not a list");
    parse_bad("hello\n", "1:1: the top level must be a mapping of sections");
    parse_bad("? [a, b]\n: c\n", "1:3: a key must be a name, not a list");
}

static void test_numbers_out_of_range(void **state)
{
    (void)state;
    parse_bad("detectors:\n  console_login:\n    min_distance_km: -500\n",
              "3:22: detectors.console_login.min_distance_km: must be greater than 0, not -500");
    parse_bad("detectors: {console_login: {window_hours: 0}}\n",
              "1:43: detectors.console_login.window_hours: must be greater than 0, not 0");
    parse_bad("detectors: {api_anomaly: {discovery_burst: 9}}\n",
              "1:44: detectors.api_anomaly.discovery_burst: must be at most 8, not 9");
    parse_bad("detectors: {credential_exfiltration: {expected_after_days: 0}}\n",
              "1:60: detectors.credential_exfiltration.expected_after_days: must be greater than "
              "0, not 0");
    parse_bad("store: {retention_days: -1}\n",
              "1:25: store.retention_days: must be 0 or more, not -1");
    parse_bad("store: {retention_days: 36501}\n",
              "1:25: store.retention_days: must be at most 36500, not 36501");
    parse_bad("detectors: {console_login: {min_distance_km: 20001}}\n",
              "1:46: detectors.console_login.min_distance_km: must be at most 20000, not 20001");
    /* Past what any integer type holds: no wrap-around. */
    parse_bad("store: {retention_days: 99999999999999999999}\n",
              "1:25: store.retention_days: \"99999999999999999999\" is out of range (0 to "
              "36500)");
    parse_bad("store: {retention_days: -9223372036854775809}\n",
              "1:25: store.retention_days: \"-9223372036854775809\" is out of range");
    parse_bad("store: {retention_days: 4294967297}\n",
              "1:25: store.retention_days: must be at most 36500, not 4294967297");
    parse_bad("store: {retention_days: 010}\n",
              "1:25: store.retention_days: \"010\": leading zeros are ambiguous");
    parse_bad("store: {retention_days: -}\n", "1:25: store.retention_days: expected an integer");
}

static void test_aliases_anchors_tags(void **state)
{
    (void)state;
    parse_bad("intel:\n  dir: &d /srv/intel\nstore:\n  db: *d\n",
              "2:8: intel.dir: anchor &\"d\": anchors and aliases are not supported");
    parse_bad("store:\n  db: *d\n",
              "2:7: store.db: alias *\"d\": anchors and aliases are not supported");
    parse_bad("intel: &i {dir: x}\n", "1:8: intel: anchor &\"i\": anchors and aliases");
    parse_bad("intel:\n  dir: !!str /srv\n",
              "2:8: intel.dir: tag \"tag:yaml.org,2002:str\": tags are not supported");
    parse_bad("store: !custom {db: x}\n", "1:8: store: tag \"!custom\": tags are not supported");
    parse_bad("%TAG !e! tag:example.com,2000:\n---\nstore: {}\n",
              "1:1: %TAG directives are not supported");
    /* A %YAML directive is harmless. */
    {
        struct cm_config c;

        parse_ok(&c, "%YAML 1.1\n---\nstore: {retention_days: 5}\n");
        assert_int_equal(c.store.retention_days, 5);
        cm_config_finish(&c);
    }
}

static void test_second_document(void **state)
{
    (void)state;
    parse_bad("store: {db: a.db}\n---\nstore: {db: b.db}\n",
              "2:1: a second YAML document: the config is one document");
    parse_bad("store: {db: a.db}\n...\n---\n", "3:1: a second YAML document");
}

static void test_tab_indentation(void **state)
{
    (void)state;
    parse_bad("intel:\n\tdir: x\n", "2:1: YAML syntax error: found character that cannot start "
                                    "any token (while scanning for the next token); the line is "
                                    "indented with a tab: YAML indents with spaces only");
    parse_bad_has("store:\n  db: a\n \tretention_days: 3\n", "indented with a tab");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    parse_bad("intel:\n  threat_lists: [a.txt, b.txt\nstore: {}\n", "3:6: YAML syntax error:");
    parse_bad("intel:\n  dir: x\n   geoip: [a]\n", "3:9: YAML syntax error: mapping values are "
                                                   "not allowed in this context");
    parse_bad("store: {db: \"unterminated}\n", "2:1: YAML syntax error: found unexpected end of "
                                               "stream (while scanning a quoted scalar)");
    parse_bad_has("intel:\n  dir: x\n  - y\n", "3:3: YAML syntax error");
}

static void test_not_utf8(void **state)
{
    (void)state;
    parse_bad("store:\n  db: caf\xe9.db\n",
              "2:11: not UTF-8 text: invalid trailing UTF-8 octet (byte 0x2e)");
    /* Columns count characters: "é" is one. */
    parse_bad("store:\n  db: \xc3\xa9"
              "caf\xe9.db\n",
              "2:12: not UTF-8 text: invalid trailing UTF-8 octet (byte 0x2e)");
    parse_bad("store: {db: \"a\\0b\"}\n", "1:13: store.db: contains a NUL character");
    {
        static const char nul[] = "store: {db: a}\n\0\n";
        struct cm_config c;
        char err[256];

        cm_config_init(&c);
        assert_int_equal(cm_config_parse(&c, nul, sizeof(nul) - 1, NULL, err, sizeof(err)),
                         CM_EINVAL);
        assert_non_null(strstr(err, "2:1: not UTF-8 text: control characters are not allowed"));
    }
}

static void test_duplicates(void **state)
{
    (void)state;
    parse_bad("store: {db: a}\nintel: {}\nstore: {db: b}\n",
              "3:1: key \"store\" is given twice (first at 1:1)");
    parse_bad("intel:\n  dir: a\n  dir: b\n",
              "3:3: intel: key \"dir\" is given twice (first at 2:3)");
    parse_bad("intel:\n  threat_lists: [a/bad.txt]\n  trusted_lists: [b/bad.csv]\n",
              "3:19: intel.trusted_lists[0]: list name \"bad\" is already taken by "
              "intel.threat_lists[0] at 2:18 (name one of them with NAME=FILE)");
    parse_bad("intel: {lists: [cnc:x=a.txt, mining:x=b.txt]}\n",
              "1:30: intel.lists[1]: list name \"x\" is already taken by intel.lists[0] at 1:17");
}

static void test_bad_list_specs(void **state)
{
    (void)state;
    parse_bad("intel: {lists: [bogus=/x.txt]}\n",
              "1:17: intel.lists[0]: 'bogus': not an intel category");
    parse_bad("intel: {lists: [x.txt]}\n",
              "1:17: intel.lists[0]: 'x.txt': expected CATEGORY[:NAME]=FILE");
    parse_bad("intel: {threat_lists: [\"n=TXT:\"]}\n",
              "1:24: intel.threat_lists[0]: 'n=TXT:': no file named");
    parse_bad("intel: {threat_lists: [dir/]}\n",
              "1:24: intel.threat_lists[0]: the file name is empty");
    parse_bad("intel: {threat_lists: [\"\"]}\n",
              "1:24: intel.threat_lists[0]: expected a list file, got an empty string");
}

static void test_caps(void **state)
{
    struct cm_config c;
    char err[256];
    char *big;
    size_t n = CM_CONFIG_MAX_BYTES + 1;

    (void)state;
    parse_bad("intel:\n  geoip: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n",
              "2:66: intel.geoip: more than 16 entries");
    /* Over 1 MiB: refused before libyaml sees it. */
    big = malloc(n);
    assert_non_null(big);
    memset(big, '#', n);
    cm_config_init(&c);
    assert_int_equal(cm_config_parse(&c, big, n, NULL, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, "larger than 1048576 bytes (1 MiB)");
    /* Exactly 1 MiB of comment is fine. */
    big[n - 2] = '\n';
    assert_int_equal(cm_config_parse(&c, big, n - 1, NULL, err, sizeof(err)), 0);
    free(big);
    /* A path that is too long once resolved. */
    big = malloc(CM_CONFIG_MAX_PATH + 64);
    assert_non_null(big);
    memcpy(big, "store: {db: ", 12);
    memset(big + 12, 'a', CM_CONFIG_MAX_PATH - 4);
    memcpy(big + 12 + CM_CONFIG_MAX_PATH - 4, "}\n", 3);
    assert_int_equal(parse_in(&c, big, NULL, err, sizeof(err)), 0);
    assert_int_equal(strlen(c.store.db), CM_CONFIG_MAX_PATH - 4);
    assert_int_equal(parse_in(&c, big, BASE, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, "1:13: store.db: the path is longer than 4096 bytes once resolved "
                             "against the config's directory");
    free(big);
    cm_config_finish(&c);
}

/* Deep nesting is refused at the first node past the schema, quickly and without recursion. */
static void test_deep_nesting(void **state)
{
    size_t depth = 200000, n = 0;
    char *s = malloc(2 * depth + 64);
    struct cm_config c;
    char err[256];

    (void)state;
    assert_non_null(s);
    n += (size_t)sprintf(s, "intel: {geoip: ");
    for (size_t i = 0; i < depth; i++) {
        s[n++] = '[';
    }
    for (size_t i = 0; i < depth; i++) {
        s[n++] = ']';
    }
    s[n++] = '}';
    cm_config_init(&c);
    assert_int_equal(cm_config_parse(&c, s, n, NULL, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, "1:17: intel.geoip[0]: expected a path, got a list");
    /* Nested mappings where a value belongs. */
    n = (size_t)sprintf(s, "store:\n  db:\n    a:\n      b:\n        c: 1\n");
    assert_int_equal(cm_config_parse(&c, s, n, NULL, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, "3:5: store.db: expected a path, got a mapping");
    free(s);
}

/* A failed parse leaves the config as it was. */
static void test_error_keeps_config(void **state)
{
    struct cm_config c;
    char err[256];

    (void)state;
    parse_ok(&c, "store: {db: first.db}\ncanaries: {keys: [AKIAIOSFODNN7EXAMPLE]}\n");
    assert_int_equal(parse_in(&c, "store: {db: second.db}\nbogus: 1\n", BASE, err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(c.store.db, BASE "/first.db");
    assert_int_equal(c.canaries.keys.n, 1);
    /* A good parse replaces everything: lists do not accumulate. */
    assert_int_equal(parse_in(&c, "store: {retention_days: 7}\n", BASE, err, sizeof(err)), 0);
    assert_null(c.store.db);
    assert_int_equal(c.canaries.keys.n, 0);
    assert_int_equal(c.store.retention_days, 7);
    cm_config_finish(&c);
}

/* A tiny err buffer is never overrun, and errlen 0 is allowed. */
static void test_small_err_buffer(void **state)
{
    struct cm_config c;
    char err[8];

    (void)state;
    cm_config_init(&c);
    memset(err, 'x', sizeof(err));
    assert_int_equal(parse_in(&c, "bogus: 1\n", NULL, err, 5), CM_EINVAL);
    assert_string_equal(err, "1:1:");
    assert_int_equal(err[5], 'x');
    assert_int_equal(parse_in(&c, "bogus: 1\n", NULL, NULL, 0), CM_EINVAL);
}

static char tmpdir[256];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cm_config_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A file: relative paths resolve against its directory; errors start with its path. */
static void test_load_file(void **state)
{
    struct cm_config c;
    char path[300], want[400], err[512];
    static const char yaml[] = "intel:\n  threat_lists: [lists/bad.txt]\n  geoip: [../geo.mmdb]\n"
                               "store:\n  db: findings.db\n";

    (void)state;
    snprintf(path, sizeof(path), "%s/coalmine.yaml", tmpdir);
    write_file(path, yaml, sizeof(yaml) - 1);
    cm_config_init(&c);
    assert_int_equal(cm_config_load(&c, path, err, sizeof(err)), 0);
    snprintf(want, sizeof(want), "%s/lists/bad.txt", tmpdir);
    assert_string_equal(c.intel.threat_lists.v[0], want);
    snprintf(want, sizeof(want), "%s/../geo.mmdb", tmpdir);
    assert_string_equal(c.intel.geoip.v[0], want);
    snprintf(want, sizeof(want), "%s/findings.db", tmpdir);
    assert_string_equal(c.store.db, want);

    write_file(path, "store:\n  retention_days: -3\n", 28);
    assert_int_equal(cm_config_load(&c, path, err, sizeof(err)), CM_EINVAL);
    snprintf(want, sizeof(want), "%s:2:19: store.retention_days: must be 0 or more, not -3", path);
    assert_string_equal(err, want);
    assert_string_equal(c.store.db + strlen(c.store.db) - 11, "findings.db"); /* unchanged */
    cm_config_finish(&c);
}

/* A file in the working directory: its paths stay relative (to the same directory). */
static void test_load_bare_name(void **state)
{
    struct cm_config c;
    char cwd[512], err[512];

    (void)state;
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(tmpdir), 0);
    write_file("bare.yaml", "store: {db: f.db}\n", 18);
    cm_config_init(&c);
    assert_int_equal(cm_config_load(&c, "bare.yaml", err, sizeof(err)), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(c.store.db, "f.db");
    cm_config_finish(&c);
}

static void test_load_errors(void **state)
{
    struct cm_config c;
    char path[300], want[400], err[512];
    char *big;

    (void)state;
    cm_config_init(&c);
    snprintf(path, sizeof(path), "%s/absent.yaml", tmpdir);
    assert_int_equal(cm_config_load(&c, path, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    assert_string_equal(err, want);

    assert_int_equal(cm_config_load(&c, tmpdir, err, sizeof(err)), CM_EIO);
    snprintf(want, sizeof(want), "%s: is a directory", tmpdir);
    assert_string_equal(err, want);

    big = malloc(CM_CONFIG_MAX_BYTES + 1);
    assert_non_null(big);
    memset(big, '\n', CM_CONFIG_MAX_BYTES + 1);
    snprintf(path, sizeof(path), "%s/big.yaml", tmpdir);
    write_file(path, big, CM_CONFIG_MAX_BYTES + 1);
    assert_int_equal(cm_config_load(&c, path, err, sizeof(err)), CM_EINVAL);
    snprintf(want, sizeof(want), "%s: larger than 1048576 bytes (1 MiB)", path);
    assert_string_equal(err, want);
    write_file(path, big, CM_CONFIG_MAX_BYTES);
    assert_int_equal(cm_config_load(&c, path, err, sizeof(err)), 0);
    free(big);

    /* Syntax errors in a file name the file too. */
    snprintf(path, sizeof(path), "%s/tab.yaml", tmpdir);
    write_file(path, "intel:\n\tdir: x\n", 14);
    assert_int_equal(cm_config_load(&c, path, err, sizeof(err)), CM_EINVAL);
    snprintf(want, sizeof(want), "%s:2:1: YAML syntax error", path);
    assert_int_equal(strncmp(err, want, strlen(want)), 0);
    cm_config_finish(&c);
}

/* The shipped example loads cleanly and says what docs/config.md says it does. */
static void test_example_file(void **state)
{
    struct cm_config c;
    char err[512];
    const char *path = "share/coalmine/coalmine.example.yaml";

    (void)state;
    if (access(path, R_OK) != 0) {
        skip(); /* run from the repository root, as scripts/run-tests does */
    }
    cm_config_init(&c);
    if (cm_config_load(&c, path, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    assert_true(c.intel.threat_lists.n >= 1);
    assert_true(c.canaries.keys.n >= 1);
    assert_string_equal(c.canaries.keys.v[0], "AKIAIOSFODNN7EXAMPLE");
    assert_int_equal(c.detectors.console_login.min_distance_km, 500);
    assert_int_equal(c.detectors.console_login.max_speed_kmh, 1000);
    assert_int_equal(c.detectors.console_login.window_hours, 24);
    assert_int_equal(c.detectors.credential_exfiltration.expected_after_days, 7);
    assert_int_equal(c.detectors.api_anomaly.learning_hours, 24);
    assert_int_equal(c.detectors.api_anomaly.discovery_burst, 5);
    assert_int_equal(c.detectors.api_anomaly.discovery_window_minutes, 10);
    assert_true(c.intel.use_default);
    assert_non_null(c.store.db);
    assert_int_equal(strncmp(c.store.db, "share/coalmine/", 15), 0);
    cm_config_finish(&c);
}

/* Every allocation fails in turn: CM_ENOMEM, the config untouched, nothing leaked (ASan). */
static void test_alloc_failures(void **state)
{
    struct cm_config c;
    char err[512];
    long total;
    int rc;

    (void)state;
    cm_config_init(&c);
    cm_alloc_fail_after(1L << 40);
    assert_int_equal(parse_in(&c, full_yaml, BASE, err, sizeof(err)), 0);
    total = (1L << 40) - fail_countdown;
    cm_alloc_fail_after(-1);
    cm_config_finish(&c);
    assert_true(total > 10);
    for (long n = 0; n < total; n++) {
        cm_config_init(&c);
        cm_alloc_fail_after(n);
        rc = parse_in(&c, full_yaml, BASE, err, sizeof(err));
        cm_alloc_fail_after(-1);
        assert_int_equal(rc, CM_ENOMEM);
        assert_string_equal(err, "out of memory");
        assert_defaults(&c);
        cm_config_finish(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_empty_is_defaults),
        cmocka_unit_test(test_null_sections),
        cmocka_unit_test(test_intel_section),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_base_dir_with_equals),
        cmocka_unit_test(test_canaries),
        cmocka_unit_test(test_canary_bad_shape),
        cmocka_unit_test(test_custom_rules),
        cmocka_unit_test(test_canary_checks),
        cmocka_unit_test(test_check_access_key),
        cmocka_unit_test(test_detectors_and_store),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_numbers_out_of_range),
        cmocka_unit_test(test_aliases_anchors_tags),
        cmocka_unit_test(test_second_document),
        cmocka_unit_test(test_tab_indentation),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_not_utf8),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_bad_list_specs),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_error_keeps_config),
        cmocka_unit_test(test_small_err_buffer),
        cmocka_unit_test_setup_teardown(test_load_file, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_load_bare_name, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_load_errors, setup_tmp, teardown_tmp),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_api_section),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test(test_serve_section),
        cmocka_unit_test(test_locations_only_in_watch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
