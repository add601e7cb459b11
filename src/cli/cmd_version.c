/*
 * coalmine version: the program version and the versions of the libraries it
 * runs with (each library's own answer at run time, so a shared library
 * upgraded under the binary shows its new version), as text or, with
 * --format json, one object.
 */
#include <curl/curl.h>
#include <errno.h>
#include <expat.h>
#include <getopt.h>
#include <libdeflate.h>
#include <librdkafka/rdkafka.h>
#include <libpsl.h>
#include <maxminddb.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>
#include <zlib.h>
#include <zstd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "coalmine/version.h"

struct lib {
    const char *name;
    const char *version;
};

/* Fills v with every linked library and its version; returns how many. */
static size_t libraries(struct lib *v)
{
    const char *expat = XML_ExpatVersion(); /* "expat_2.5.0" */
    size_t n = 0;

    v[n++] = (struct lib){"libdeflate", LIBDEFLATE_VERSION_STRING};
    v[n++] = (struct lib){"zlib", zlibVersion()};
    v[n++] = (struct lib){"libzstd", ZSTD_versionString()};
    v[n++] = (struct lib){"sqlite", sqlite3_libversion()};
    v[n++] = (struct lib){"expat", strncmp(expat, "expat_", 6) == 0 ? expat + 6 : expat};
    v[n++] = (struct lib){"libcurl", curl_version_info(CURLVERSION_NOW)->version};
    v[n++] = (struct lib){"libmaxminddb", MMDB_lib_version()};
    v[n++] = (struct lib){"libyaml", yaml_get_version_string()};
    v[n++] = (struct lib){"libpsl", psl_get_version()};
    v[n++] = (struct lib){"librdkafka", rd_kafka_version_str()};
    return n;
}

static const char help[] =
    "usage: coalmine version [--format text|json]\n\n"
    "Prints the version of coalmine and of the libraries it runs with, one a\n"
    "line, or with --format json one object: {\"coalmine\":VERSION,\n"
    "\"libraries\":{NAME:VERSION,...}}.\n";

/* The JSON form: {"coalmine":VERSION,"libraries":{NAME:VERSION,...}}. Returns 0 or CM_E*. */
static int print_json(const struct lib *v, size_t n)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "coalmine");
    cm_jw_str(&jw, COALMINE_VERSION);
    cm_jw_key(&jw, "libraries");
    cm_jw_obj_begin(&jw);
    for (size_t i = 0; i < n; i++) {
        cm_jw_key(&jw, v[i].name);
        cm_jw_str(&jw, v[i].version);
    }
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    if ((rc = cm_jw_finish(&jw)) == 0) {
        printf("%s\n", b.p);
    }
    cm_buf_finish(&b);
    return rc;
}

static int run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lib v[16];
    size_t n;
    int c, json = 0;

    optind = 1;
    while ((c = cm_cli_getopt(NULL, argc, argv, "f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
                fprintf(stderr, "coalmine version: unknown --format '%s' (text, json)\n", optarg);
                return CM_EXIT_USAGE;
            }
            json = strcmp(optarg, "json") == 0;
            break;
        case 'h':
            fputs(help, stdout);
            return CM_EXIT_OK;
        default:
            fputs(help, stderr);
            return CM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine version: unexpected argument '%s'\n", argv[optind]);
        return CM_EXIT_USAGE;
    }
    n = libraries(v);
    if (json) {
        int rc = print_json(v, n);

        if (rc != 0) {
            fprintf(stderr, "coalmine version: %s\n", cm_strerror(rc));
            return CM_EXIT_ERROR;
        }
    } else {
        printf("coalmine %s\n", COALMINE_VERSION);
        for (size_t i = 0; i < n; i++) {
            printf("%s %s\n", v[i].name, v[i].version);
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "coalmine version: writing standard output: %s\n", strerror(errno));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

const struct cm_cmd cm_cmd_version = {
    .name = "version",
    .summary = "print the version",
    .run = run,
};
