/*
 * coalmine findings export: every selected finding, one JSON document per
 * line, read from the store a page at a time, to stdout or to a file that
 * appears whole or not at all (written next to it, then renamed).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "store/store.h"

#define PAGE 1000

static void usage(FILE *f)
{
    fprintf(f,
            "usage: coalmine findings export --db FILE [selection] [--sort ATTR[:asc|:desc]]\n"
            "                                [--format json|eventbridge|ocsf] [--output FILE]\n"
            "\n"
            "Writes every selected finding (default: the current ones), one per line.\n"
            "\n"
            "  -d, --db FILE         the store (must exist)\n"
            "%s%s"
            "  -f, --format FMT      json (default: GuardDuty API form), eventbridge or ocsf\n"
            "  -o, --output FILE     write to FILE (replaced only when the export succeeds)\n"
            "                        instead of stdout ('-': stdout)\n"
            "  -h, --help            this help\n",
            cm_fsel_help, cm_fsort_help);
}

static int export_row(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    (void)doc;
    (void)len;
    return cm_printer_add(ud, f);
}

/* Pages through the query into out. Returns 0 or CM_EXIT_ERROR (reported). */
static int export_all(struct cm_store *st, struct cm_store_query *q, const char *db, FILE *out,
                      enum cm_list_format fmt, size_t *n)
{
    struct cm_printer pr;
    char token[CM_STORE_TOKEN_MAX] = "", next[CM_STORE_TOKEN_MAX] = "", err[512] = "";
    int rc;

    cm_printer_init(&pr, out, fmt);
    q->limit = PAGE;
    q->next_token = token;
    do {
        rc = cm_store_query(st, q, export_row, &pr, next, err, sizeof(err));
        memcpy(token, next, sizeof(token));
    } while (rc == 0 && token[0]);
    *n = pr.n;
    cm_printer_end(&pr, NULL);
    if (rc != 0) {
        fprintf(stderr, "coalmine findings: %s: %s\n", db, err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

static int export_to(struct cm_store *st, struct cm_store_query *q, const char *db,
                     const char *path, enum cm_list_format fmt)
{
    char tmp[4096];
    FILE *out = stdout;
    size_t n = 0;
    int status;

    if (path) {
        if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
            fprintf(stderr, "coalmine findings: %s: path too long\n", path);
            return CM_EXIT_ERROR;
        }
        out = fopen(tmp, "w");
        if (out == NULL) {
            fprintf(stderr, "coalmine findings: --output %s: %s\n", path, strerror(errno));
            return CM_EXIT_ERROR;
        }
    }
    status = export_all(st, q, db, out, fmt, &n);
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "coalmine findings: %s%s: %s\n", path ? "--output " : "",
                path ? path : "stdout", strerror(errno));
        status = CM_EXIT_ERROR;
    }
    if (path) {
        if (status == 0 && fsync(fileno(out)) != 0) {
            fprintf(stderr, "coalmine findings: --output %s: %s\n", path, strerror(errno));
            status = CM_EXIT_ERROR;
        }
        if (fclose(out) != 0 && status == 0) {
            fprintf(stderr, "coalmine findings: --output %s: %s\n", path, strerror(errno));
            status = CM_EXIT_ERROR;
        }
        if (status == 0 && rename(tmp, path) != 0) {
            fprintf(stderr, "coalmine findings: --output %s: %s\n", path, strerror(errno));
            status = CM_EXIT_ERROR;
        }
        if (status != 0) {
            unlink(tmp);
        }
    }
    if (status == 0) {
        fprintf(stderr, "exported %zu finding%s%s%s\n", n, n == 1 ? "" : "s", path ? " to " : "",
                path ? path : "");
    }
    return status;
}

int cm_findings_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        CM_FSEL_LONGOPTS,
        CM_FSORT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    const unsigned formats =
        CM_LIST_MASK(CM_LIST_JSON) | CM_LIST_MASK(CM_LIST_EVENTBRIDGE) | CM_LIST_MASK(CM_LIST_OCSF);
    enum cm_list_format fmt = CM_LIST_JSON;
    struct cm_fsel sel;
    struct cm_store *st = NULL;
    struct cm_store_query q;
    const char *db = NULL, *output = NULL;
    int c, rc, status = CM_EXIT_USAGE;

    cm_fsel_init(&sel, "findings");
    optind = 1;
    while ((c = cm_cli_getopt("findings", argc, argv, "d:f:o:h", longopts, NULL)) != -1) {
        if ((rc = cm_fsel_option(&sel, c, optarg)) != 0) {
            if (rc != 1) {
                goto done;
            }
            continue;
        }
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (cm_list_format_parse("findings", optarg, formats, &fmt) != 0) {
                goto done;
            }
            break;
        case 'o':
            output = strcmp(optarg, "-") == 0 ? NULL : optarg; /* '-': stdout, as scan --stats */
            break;
        case 'h':
            usage(stdout);
            status = CM_EXIT_OK;
            goto done;
        default:
            usage(stderr);
            goto done;
        }
    }
    if ((status = cm_cli_no_args("findings", "export", db, argc, argv)) != 0) {
        goto done;
    }
    status = CM_EXIT_ERROR;
    if (cm_fsel_compile(&sel) != 0 || cm_cli_open_store("findings", db, 0, &st) != 0) {
        goto done;
    }
    cm_fsel_query(&sel, &q);
    status = export_to(st, &q, db, output, fmt);
done:
    cm_store_close(st);
    cm_fsel_finish(&sel);
    return status;
}
