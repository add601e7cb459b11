/*
 * coalmine findings get: stored findings by id (GetFindings), and with
 * --evidence the raw source records behind each one, read back from the
 * scanned files (decoded when gzip, since evidence offsets are in the decoded
 * input). A missing or changed evidence file is a warning, not an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "cli/findings_out.h"
#include "finding/serialize.h"
#include "source/decode.h"
#include "source/parquet.h"
#include "source/source_file.h"
#include "store/store.h"

#define EVIDENCE_MAX_DECODED (4ULL << 30) /* bytes of one decoded evidence file */

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine findings get --db FILE [--evidence]\n"
               "                             [--format json|table|eventbridge|ocsf|api|cli] ID...\n"
               "\n"
               "Prints the stored findings with these ids, like GetFindings.\n"
               "\n"
               "  -d, --db FILE     the store (must exist)\n"
               "  -e, --evidence    after each finding, the raw source records it cites: in\n"
               "                    json forms one line {findingId, path, line, offset, length,\n"
               "                    record} each; in the table a header line and the record\n"
               "  -f, --format FMT  json (default: GuardDuty API form, one per line), table,\n"
               "                    eventbridge, ocsf, api (the GetFindings response\n"
               "                    {\"findings\":[...]}) or cli (what `aws guardduty\n"
               "                    get-findings` prints: {\"Findings\":[...]}, the model's\n"
               "                    PascalCase member names); api and cli not with --evidence\n"
               "  -h, --help        this help\n"
               "\n"
               "An unknown id is an error (exit 1) and nothing is printed.\n");
}

/* The evidence printer: the last file read is kept, decoded, for the next record. */
struct evidence {
    struct cm_store *st; /* the sizes the scans recorded */
    FILE *out;
    enum cm_list_format fmt;
    const char *id;
    unsigned idx;
    struct cm_decoder dec;
    bool have_dec;
    char *path; /* the file in data (or that failed: why) */
    char why[160];
    struct cm_buf raw, data, pq;
    const char *p;
    size_t len;
    uint64_t size; /* the file's size on disk now */
};

static void evidence_init(struct evidence *e, struct cm_store *st, FILE *out,
                          enum cm_list_format fmt)
{
    memset(e, 0, sizeof(*e));
    e->st = st;
    e->out = out;
    e->fmt = fmt;
    cm_buf_init(&e->raw, 0);
    cm_buf_init(&e->data, (size_t)EVIDENCE_MAX_DECODED);
    cm_buf_init(&e->pq, (size_t)EVIDENCE_MAX_DECODED);
}

static void evidence_finish(struct evidence *e)
{
    if (e->have_dec) {
        cm_decoder_finish(&e->dec);
    }
    cm_buf_finish(&e->raw);
    cm_buf_finish(&e->data);
    cm_buf_finish(&e->pq);
    free(e->path);
}

/* A Parquet file is read as the scan read it: as its rows in the flow log text format. */
static void parquet_text(struct evidence *e)
{
    uint64_t off;
    int rc;

    if (!cm_parquet_sniff(e->p, e->len)) {
        return;
    }
    rc = e->have_dec ? cm_parquet_to_text(e->p, e->len, &e->pq, e->dec.d, NULL, NULL, NULL, e->why,
                                          sizeof(e->why), &off)
                     : CM_ENOMEM;
    e->p = rc == 0 ? e->pq.p : NULL;
    e->len = rc == 0 ? e->pq.len : 0;
    if (rc != 0 && rc != CM_EFORMAT) {
        snprintf(e->why, sizeof(e->why), "Parquet: %s", cm_strerror(rc));
    }
}

/* Reads and decodes path into e->p/e->len, or sets e->why. */
static void evidence_load(struct evidence *e, const char *path)
{
    struct cm_decode_error de;
    struct stat sb;
    int fd, rc;

    if (e->path && strcmp(e->path, path) == 0) {
        return;
    }
    free(e->path);
    e->path = strdup(path);
    e->why[0] = '\0';
    e->p = NULL;
    e->len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(e->why, sizeof(e->why), "%s", strerror(errno));
        return;
    }
    rc = fstat(fd, &sb) == 0 ? cm_read_fd(fd, &e->raw, (size_t)sb.st_size) : CM_EIO;
    e->size = rc == 0 ? (uint64_t)sb.st_size : 0;
    if (rc != 0) {
        snprintf(e->why, sizeof(e->why), "%s", rc == CM_EIO ? strerror(errno) : cm_strerror(rc));
    }
    close(fd);
    if (rc != 0) {
        return;
    }
    if (!e->have_dec && cm_decoder_init(&e->dec) == 0) {
        e->have_dec = true;
    }
    if (!cm_is_compressed(e->raw.p, e->raw.len)) {
        e->p = e->raw.p;
        e->len = e->raw.len;
        parquet_text(e);
        return;
    }
    rc = e->have_dec ? cm_decode(&e->dec, e->raw.p, e->raw.len, &e->data, &de) : CM_ENOMEM;
    if (rc == 0) {
        rc = cm_decode_nested(&e->dec, &e->data, &e->raw, &de); /* as the scan read it */
    }
    if (rc != 0 && rc != CM_ETRUNC && rc != CM_EINVAL) {
        snprintf(e->why, sizeof(e->why), "%s: %s", e->dec.outer, cm_strerror(rc));
        return;
    }
    /* A damaged stream keeps what came before the damage: earlier records are still there. */
    e->p = e->data.p;
    e->len = e->data.len;
    parquet_text(e);
}

static void warn(const struct evidence *e, const char *path, const char *why)
{
    fprintf(stderr, "coalmine findings: warning: finding %s evidence %u: %s%s%s\n", e->id, e->idx,
            path ? path : "", path ? ": " : "", why);
}

static int print_json(struct evidence *e, const char *path, uint64_t offset, uint32_t line,
                      uint32_t length)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "findingId");
    cm_jw_str(&jw, e->id);
    cm_jw_key(&jw, "path");
    cm_jw_str(&jw, path);
    cm_jw_key(&jw, "line");
    cm_jw_u64(&jw, line);
    cm_jw_key(&jw, "offset");
    cm_jw_u64(&jw, offset);
    cm_jw_key(&jw, "length");
    cm_jw_u64(&jw, length);
    cm_jw_key(&jw, "record");
    cm_jw_strn(&jw, e->p + offset, length);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    if (rc == 0) {
        fprintf(e->out, "%s\n", b.p);
    }
    cm_buf_finish(&b);
    return rc;
}

static int one_record(void *ud, const char *path, uint64_t offset, uint32_t line, uint32_t length)
{
    struct evidence *e = ud;
    uint64_t then;

    e->idx++;
    if (path == NULL || path[0] == '\0') {
        warn(e, NULL, "no file recorded");
        return CM_OK;
    }
    /* A scan records files by absolute path; these two are no file to open. */
    if (strncmp(path, "s3://", 5) == 0) {
        char why[1400]; /* the message and an S3 URL: a 63-byte bucket, a 1,024-byte key */
        size_t n = strlen(path);
        bool zst = n > 4 && strcmp(path + n - 4, ".zst") == 0;

        snprintf(why, sizeof(why),
                 "an S3 object, not fetched here: its record is line %u (byte %llu of the "
                 "decompressed object; aws s3 cp %s - | %s -dcf)",
                 line, (unsigned long long)offset, path, zst ? "zstd" : "gzip");
        warn(e, path, why);
        return CM_OK;
    }
    if (strcmp(path, "(stdin)") == 0) {
        warn(e, path, "read from standard input by the scan: there is no file to read it from");
        return CM_OK;
    }
    evidence_load(e, path);
    if (e->p == NULL) {
        warn(e, path, e->why);
        return CM_OK;
    }
    if (offset > e->len || length > e->len - offset) {
        warn(e, path, "the record is past the end of the file (changed since the scan?)");
        return CM_OK;
    }
    /* A file rewritten since (same name, other bytes) still has bytes at the offset, but
     * not the record the finding cites: said when its size is not the one the scan read. */
    if (cm_store_input_size(e->st, path, &then) == 0 && then != e->size) {
        char why[128];
        snprintf(why, sizeof(why),
                 "the file is %llu bytes, %llu when it was scanned: changed since, the record "
                 "below may not be the one cited",
                 (unsigned long long)e->size, (unsigned long long)then);
        warn(e, path, why);
    }
    if (e->fmt != CM_LIST_TABLE) {
        return print_json(e, path, offset, line, length);
    }
    fprintf(e->out, "  evidence %u: %s", e->idx, path);
    if (line) {
        fprintf(e->out, " line %u", line);
    }
    fprintf(e->out, " (offset %llu, %u bytes)\n", (unsigned long long)offset, length);
    fwrite(e->p + offset, 1, length, e->out);
    if (length == 0 || e->p[offset + length - 1] != '\n') {
        fputc('\n', e->out);
    }
    return CM_OK;
}

/* The GetFindings response: the wire form, or the aws CLI's (cli). */
static int print_api(struct cm_finding *fs, size_t n, bool cli)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, cli ? "Findings" : "findings");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < n && jw.err == 0; i++) {
        int e =
            cli ? cm_finding_write_cli(&jw, &fs[i]) : cm_finding_write(&jw, &fs[i], CM_FORM_API);
        if (e != 0) {
            jw.err = e;
        }
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    if (rc == 0) {
        printf("%s\n", b.p);
    }
    cm_buf_finish(&b);
    return rc;
}

static int print_all(struct cm_store *st, struct cm_finding *fs, size_t n, enum cm_list_format fmt,
                     bool with_evidence)
{
    struct cm_printer pr;
    struct evidence ev;
    int rc = CM_OK;

    if (fmt == CM_LIST_API || fmt == CM_LIST_CLI) {
        return print_api(fs, n, fmt == CM_LIST_CLI);
    }
    cm_printer_init(&pr, stdout, fmt);
    evidence_init(&ev, st, stdout, fmt);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = cm_printer_add(&pr, &fs[i]);
        if (rc == 0 && with_evidence) {
            ev.id = fs[i].id;
            ev.idx = 0;
            rc = cm_store_evidence(st, fs[i].id, one_record, &ev);
        }
    }
    evidence_finish(&ev);
    if (cm_printer_end(&pr, NULL) != 0 && rc == 0) {
        rc = CM_ENOMEM;
    }
    return rc;
}

/*
 * Moves the first of each distinct id to the front, in the order given, and returns how many
 * there are: GetFindings returns a finding once however often its id is asked for.
 */
static size_t distinct_ids(char **ids, size_t n)
{
    size_t kept = 0;

    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        while (k < kept && strcmp(ids[k], ids[i]) != 0) {
            k++;
        }
        if (k == kept) {
            ids[kept++] = ids[i];
        }
    }
    return kept;
}

/*
 * Reads every id before anything is printed (an unknown one prints nothing), then prints
 * each finding once.
 */
static int get_all(const char *db, const char *const *ids, size_t n, enum cm_list_format fmt,
                   bool with_evidence)
{
    struct cm_finding *fs = NULL;
    struct cm_store *st = NULL;
    size_t loaded = 0;
    int rc, status = CM_EXIT_ERROR;

    if (cm_cli_open_store("findings", db, 0, &st) != 0) {
        return CM_EXIT_ERROR;
    }
    fs = cm_calloc(n, sizeof(*fs));
    if (fs == NULL) {
        fprintf(stderr, "coalmine findings: get: %s\n", cm_strerror(CM_ENOMEM));
        goto done;
    }
    for (; loaded < n; loaded++) {
        cm_finding_init(&fs[loaded]);
        rc = cm_store_get_finding(st, ids[loaded], &fs[loaded]);
        if (rc != 0) {
            fprintf(stderr, "coalmine findings: %s: %s\n", ids[loaded],
                    rc == CM_ENOTFOUND ? "no such finding" : cm_strerror(rc));
            loaded++;
            goto done;
        }
    }
    rc = print_all(st, fs, n, fmt, with_evidence);
    if (rc != 0) {
        fprintf(stderr, "coalmine findings: get: %s: %s\n", db, cm_strerror(rc));
        goto done;
    }
    status = CM_EXIT_OK;
done:
    for (size_t i = 0; i < loaded; i++) {
        cm_finding_finish(&fs[i]);
    }
    cm_free(fs);
    cm_store_close(st);
    fflush(stdout);
    return status;
}

int cm_findings_get(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"evidence", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const unsigned formats = CM_LIST_MASK(CM_LIST_JSON) | CM_LIST_MASK(CM_LIST_TABLE) |
                             CM_LIST_MASK(CM_LIST_EVENTBRIDGE) | CM_LIST_MASK(CM_LIST_OCSF) |
                             CM_LIST_MASK(CM_LIST_API) | CM_LIST_MASK(CM_LIST_CLI);
    enum cm_list_format fmt = CM_LIST_JSON;
    const char *db = NULL;
    bool with_evidence = false;
    int c;

    optind = 1;
    while ((c = cm_cli_getopt("findings", argc, argv, "d:f:eh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (cm_list_format_parse("findings", optarg, formats, &fmt) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case 'e':
            with_evidence = true;
            break;
        case 'h':
            usage(stdout);
            return CM_EXIT_OK;
        default:
            usage(stderr);
            return CM_EXIT_USAGE;
        }
    }
    if (db == NULL) {
        return cm_cli_no_args("findings", "get", db, argc, argv);
    }
    if (optind >= argc) {
        fprintf(stderr, "coalmine findings: get: no finding ID given\n");
        return CM_EXIT_USAGE;
    }
    if (with_evidence && (fmt == CM_LIST_API || fmt == CM_LIST_CLI)) {
        fprintf(stderr, "coalmine findings: get: --evidence does not go with --format %s\n",
                fmt == CM_LIST_CLI ? "cli" : "api");
        return CM_EXIT_USAGE;
    }
    return get_all(db, (const char *const *)(argv + optind),
                   distinct_ids(argv + optind, (size_t)(argc - optind)), fmt, with_evidence);
}
