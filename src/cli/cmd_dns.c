/*
 * coalmine dns: the DNS models outside a scan (issue #7). One subcommand:
 *
 *   coalmine dns score [--model FILE] [--psl FILE] [--explain] [--max-bad N] < names
 *
 * reads domain names on standard input, one a line, and prints for each
 * "name<TAB>dga<TAB>reputation" on standard output: the DGA model's score
 * (detect/dga.h: the built-in model, or FILE) and the stateless reputation
 * score (detect/dns_reputation.h: providers, TLDs, DGA, crypto words; no
 * environment history, no intel), both in [0, 1] with four decimals,
 * higher is worse; with --explain, also the finding type a scan would give
 * the name were its domain new to the environment (cm_dns_rep_type) and the
 * reasons. --format json prints the same as one JSON object a name.
 * docs/detectors/dns-reputation.md describes the scores.
 *
 * Input: a trailing dot and a CR before the newline are fine; spaces and
 * tabs around the name are trimmed. A bad line (empty, longer than 255
 * bytes, a byte outside printable ASCII, an empty label) is reported on
 * stderr with its line number and reason (the first --max-bad of them,
 * default 20) and skipped; the count of bad lines ends the report.
 *
 * Speed: stdin is read in 1 MiB blocks and lines are scored in place (no
 * allocation per line), output goes through a 1 MiB buffer and the scores
 * are formatted by hand; names are split with the Public Suffix List as a
 * hash set (base/psl.h, loaded from --psl or the publicsuffix package's
 * file; libpsl without it). The cost is the DGA model and the look-ups.
 *
 * Exit status: 0 when the input was read to its end (bad lines are counted
 * and reported, not fatal), 1 on a read or write error, a bad model file
 * (named with its line and reason) or an unreadable --psl file, 2 on usage
 * errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/domain.h"
#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "detect/dga.h"
#include "detect/dns_reputation.h"
#include "intel/dga_load.h"
#include "intel/psl_load.h"

#define CMD            "coalmine dns score"
#define BLOCK          (1u << 20) /* stdin read size */
#define OUT_BLOCK      (1u << 20) /* output buffer */
#define LINE_MAX_BYTES 4096       /* a longer line is reported without being kept */
#define EXPLAIN_MAX    512        /* --explain's columns at most */

static int dns_score(int argc, char **argv);

static const struct cm_cmd subcommands[] = {
    {"score", "score domain names read on stdin: DGA and reputation", dns_score},
};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine dns <subcommand> [options]\n\nsubcommands:\n");
    cm_cli_subcommand_list(f, subcommands, NSUB, 7);
    fprintf(f, "\nRun 'coalmine dns <subcommand> --help' for its options. See\n"
               "docs/detectors/dns-reputation.md.\n");
}

static int run(int argc, char **argv)
{
    return cm_cli_subcommand("dns", subcommands, NSUB, usage, argc, argv);
}

const struct cm_cmd cm_cmd_dns = {
    .name = "dns",
    .summary = "the DNS models outside a scan: score names (DGA, reputation)",
    .run = run,
};

/* ---- dns score ---- */

static const char score_help[] =
    "usage: coalmine dns score [--model FILE] [--psl FILE] [--explain] [--max-bad N]\n"
    "                          [--format tsv|json] < NAMES\n"
    "\n"
    "Reads domain names on standard input, one a line, and prints\n"
    "name<TAB>dga<TAB>reputation for each: the DGA model's score and the\n"
    "stateless domain reputation (abused providers and TLDs, the DGA score,\n"
    "crypto-mining words; no history of an environment, no threat lists), both\n"
    "in [0, 1], higher is worse. Bad lines (empty, too long, spaces or bytes\n"
    "outside printable ASCII, empty labels) are reported on stderr with their\n"
    "line number and skipped.\n"
    "\n"
    "  -m, --model FILE   the DGA model to use (data/dga/README.md gives the\n"
    "                     format; default: the built-in model)\n"
    "  -e, --explain      two more columns: the finding type a scan would give\n"
    "                     the name if its domain were new to the environment,\n"
    "                     resolved, and asked by one instance (\"-\": none), and\n"
    "                     the reasons\n"
    "                     (provider, abused TLD, dga, crypto word; \"-\": none)\n"
    "      --psl FILE     the Public Suffix List to split names with (default\n"
    "                     " CM_PSL_DEFAULT_PATH ",\n"
    "                     else libpsl's built-in list: the same answers, slower)\n"
    "      --max-bad N    bad lines reported one by one (default 20; all are\n"
    "                     counted)\n"
    "  -f, --format FMT   tsv (default: the columns above) or json: one object a\n"
    "                     name, {\"name\",\"dga\",\"reputation\"}, with --explain\n"
    "                     also \"type\" (null: none) and \"reasons\" (an array)\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 when the input was read to its end (bad lines are not\n"
    "fatal), 1 on a read or write error, a bad model file or an unreadable\n"
    "--psl file, 2 on usage errors.\n";

struct scorer {
    const struct cm_dga_model *model;
    const struct cm_psl *psl;           /* the Public Suffix List set, or NULL: libpsl */
    const struct cm_dns_tables *tables; /* the reputation tables' index */
    bool explain;                       /* --explain: the would-be type and the reasons too */
    bool json;                          /* --format json: one JSON object a name */
    uint64_t line;                      /* lines read so far */
    uint64_t scored;                    /* lines printed */
    uint64_t bad;                       /* lines skipped */
    uint64_t max_bad;                   /* bad lines reported one by one */
    char *out;                          /* output buffer */
    size_t out_len;
    int err; /* first write error (errno), 0 */
};

static void flush_out(struct scorer *s)
{
    size_t off = 0;

    while (off < s->out_len && s->err == 0) {
        ssize_t n = write(STDOUT_FILENO, s->out + off, s->out_len - off);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            s->err = errno;
            break;
        }
        off += (size_t)n;
    }
    s->out_len = 0;
}

/* Counts the current line as bad and reports it while under --max-bad. */
static void bad_line(struct scorer *s, const char *reason)
{
    s->bad++;
    if (s->bad <= s->max_bad) {
        fprintf(stderr, CMD ": line %llu: %s\n", (unsigned long long)s->line, reason);
    }
}

/* "00" to "99": two digits a copy. */
static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                            "25262728293031323334353637383940414243444546474849"
                            "50515253545556575859606162636465666768697071727374"
                            "75767778798081828384858687888990919293949596979899";

/* Appends x in [0, 1] as "d.dddd". */
static char *put_score(char *p, double x)
{
    unsigned v;

    if (!(x > 0.0)) {
        x = 0.0; /* and NaN */
    }
    v = x >= 1.0 ? 10000u : (unsigned)(x * 10000.0 + 0.5);
    if (v >= 10000u) {
        memcpy(p, "1.0000", 6);
        return p + 6;
    }
    p[0] = '0';
    p[1] = '.';
    memcpy(p + 2, pairs + 2 * (v / 100), 2);
    memcpy(p + 4, pairs + 2 * (v % 100), 2);
    return p + 6;
}

/* Appends n bytes of p. */
static char *put_n(char *o, const char *p, size_t n)
{
    memcpy(o, p, n);
    return o + n;
}

static char *put_s(char *o, const char *p)
{
    return put_n(o, p, strlen(p));
}

/*
 * Appends n bytes of p as a JSON string. They are printable ASCII (names and
 * reasons are checked before), so only '"' and '\\' need escaping: at most
 * 2n + 2 bytes.
 */
static char *put_json_str(char *o, const char *p, size_t n)
{
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') {
            *o++ = '\\';
        }
        *o++ = p[i];
    }
    *o++ = '"';
    return o;
}

/*
 * Appends --explain's two columns (tab, type, tab, reasons; "-" for none, as
 * explain() writes them at ex..end) as the JSON members "type" (a string or
 * null) and "reasons" (an array of strings).
 */
static char *put_json_explain(char *o, const char *ex, const char *end)
{
    const char *type = ex + 1, *tab = memchr(type, '\t', (size_t)(end - type));
    const char *r = tab + 1;

    o = put_s(o, ",\"type\":");
    o = tab - type == 1 && type[0] == '-' ? put_s(o, "null")
                                          : put_json_str(o, type, (size_t)(tab - type));
    o = put_s(o, ",\"reasons\":[");
    if (!(end - r == 1 && r[0] == '-')) {
        while (r < end) {
            const char *comma = memchr(r, ',', (size_t)(end - r));
            const char *stop = comma != NULL ? comma : end;

            o = put_json_str(o, r, (size_t)(stop - r));
            r = stop + (comma != NULL);
            if (comma != NULL) {
                *o++ = ',';
            }
        }
    }
    *o++ = ']';
    return o;
}

/*
 * Appends --explain's columns: the type the scan would give the name if its
 * site were new to the environment and asked by one instance ("-": none),
 * and the reasons, comma-separated ("-": none). At most EXPLAIN_MAX bytes.
 */
static char *explain(char *o, const struct cm_domain *d, const struct cm_dns_rep *rep)
{
    static const struct cm_dns_rep_context alone = {false, false, false, 1};
    const char *type = cm_dns_rep_type(rep, NULL, &alone, NULL);
    char *start;

    *o++ = '\t';
    o = put_s(o, type != NULL ? type : "-");
    *o++ = '\t';
    start = o;
    if (rep->provider_entry != NULL) {
        o = put_s(o,
                  cm_dns_provider_class_name((enum cm_dns_provider_class)rep->provider_entry->cls));
        *o++ = ':';
        o = put_s(o, rep->provider_entry->suffix);
    }
    if (rep->reasons & CM_DNSR_TLD) {
        size_t t = d->len;

        while (t > 0 && d->name[t - 1] != '.') {
            t--;
        }
        o = put_s(o, o > start ? ",abused-tld:" : "abused-tld:");
        o = put_n(o, d->name + t, d->len - t);
    }
    if (rep->reasons & CM_DNSR_DGA) {
        o = put_s(o, o > start ? ",dga" : "dga");
    }
    if (rep->crypto_word != NULL) {
        o = put_s(o, o > start ? ",crypto:" : "crypto:");
        o = put_s(o, rep->crypto_word);
    }
    if (o == start) {
        *o++ = '-';
    }
    return o;
}

/* Scores one line (without its newline); reports it when bad. */
static void score_line(struct scorer *s, const char *p, size_t n)
{
    struct cm_domain d;
    struct cm_dns_rep rep;
    char why[64];
    double dga;
    char *o;

    s->line++;
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    while (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        n--;
    }
    if (n == 0) {
        bad_line(s, "empty line");
        return;
    }
    if (n > LINE_MAX_BYTES) {
        bad_line(s, "line too long (more than 4096 bytes)");
        return;
    }
    if (n > CM_DOMAIN_MAX + 1 || (n == CM_DOMAIN_MAX + 1 && p[n - 1] != '.')) {
        snprintf(why, sizeof(why), "name too long (%zu bytes; at most 255)", n);
        bad_line(s, why);
        return;
    }
    if (cm_domain_parse_psl(s->psl, cm_str_make(p, n), &d) != 0) {
        /* It refuses spaces, bytes outside printable ASCII and empty labels: which was it? */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];

            if (c <= 0x20 || c >= 0x7f) {
                /* A space is printable: say what it is rather than what it is not. */
                snprintf(why, sizeof(why), "byte 0x%02x at column %zu is %s", c, i + 1,
                         c == 0x20 ? "a space (names have none)" : "not printable ASCII");
                bad_line(s, why);
                return;
            }
        }
        bad_line(s, "not a domain name (an empty label)");
        return;
    }
    cm_dns_rep_score_with(s->tables, s->model, &d, &rep);
    /* The model's score of the label a registrant chose (the reputation's), else of the name. */
    dga = rep.dga_applies ? rep.dga : cm_dga_score(s->model, &d);
    /* JSON: the name and the reasons escaped (twice their size at most), the keys. */
    if (s->out_len + 2 * n + 2 * EXPLAIN_MAX + 96 > OUT_BLOCK) {
        flush_out(s);
    }
    o = s->out + s->out_len;
    if (s->json) {
        o = put_s(o, "{\"name\":");
        o = put_json_str(o, p, n);
        o = put_s(o, ",\"dga\":");
        o = put_score(o, dga);
        o = put_s(o, ",\"reputation\":");
        o = put_score(o, rep.score);
        if (s->explain) {
            char ex[EXPLAIN_MAX];
            o = put_json_explain(o, ex, explain(ex, &d, &rep));
        }
        *o++ = '}';
    } else {
        memcpy(o, p, n);
        o += n;
        *o++ = '\t';
        o = put_score(o, dga);
        *o++ = '\t';
        o = put_score(o, rep.score);
        if (s->explain) {
            o = explain(o, &d, &rep);
        }
    }
    *o++ = '\n';
    s->out_len = (size_t)(o - s->out);
    s->scored++;
}

/*
 * Reads stdin to its end, scoring each line. Lines longer than
 * LINE_MAX_BYTES are reported and skipped without being kept.
 */
static int score_stdin(struct scorer *s)
{
    char *buf = cm_malloc(BLOCK + LINE_MAX_BYTES);
    size_t have = 0;       /* bytes of the current partial line at buf[0] */
    bool skipping = false; /* inside a line that is too long */
    int rc = CM_EXIT_OK;

    if (buf == NULL) {
        fprintf(stderr, CMD ": out of memory\n");
        return CM_EXIT_ERROR;
    }
    for (;;) {
        ssize_t got = read(STDIN_FILENO, buf + have, BLOCK);
        size_t end, start = 0;

        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, CMD ": reading standard input: %s\n", strerror(errno));
            rc = CM_EXIT_ERROR;
            break;
        }
        end = have + (size_t)got;
        if (got == 0) {
            if (have > 0 && !skipping) {
                score_line(s, buf, have); /* the last line, without a newline */
            }
            break;
        }
        for (;;) {
            char *nl = memchr(buf + start, '\n', end - start);

            if (nl == NULL) {
                break;
            }
            if (skipping) {
                skipping = false;
            } else {
                score_line(s, buf + start, (size_t)(nl - (buf + start)));
            }
            start = (size_t)(nl - buf) + 1;
        }
        have = end - start;
        if (!skipping && have > LINE_MAX_BYTES) {
            s->line++;
            bad_line(s, "line too long (more than 4096 bytes)");
            skipping = true;
        }
        if (skipping) {
            have = 0;
        } else if (have > 0 && start > 0) {
            memmove(buf, buf + start, have);
        }
    }
    cm_free(buf);
    return rc;
}

static int load_model(const char *path, struct cm_dga_model **out)
{
    char err[512];

    if (cm_dga_model_load(path, out, err, sizeof(err)) != 0) {
        fprintf(stderr, CMD ": --model %s\n", err);
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

enum { O_MAX_BAD = 0x300, O_PSL };

static int dns_score(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"max-bad", required_argument, NULL, O_MAX_BAD},
        {"explain", no_argument, NULL, 'e'},
        {"psl", required_argument, NULL, O_PSL},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cm_dga_model *model = NULL;
    struct cm_psl *psl = NULL;
    struct cm_dns_tables *tables = NULL;
    const char *model_path = NULL, *psl_path = NULL;
    char err[256];
    struct scorer s;
    unsigned long long v;
    int c, rc;

    memset(&s, 0, sizeof(s));
    s.max_bad = 20;
    optind = 1;
    while ((c = cm_cli_getopt("dns", argc, argv, "m:ef:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            model_path = optarg;
            break;
        case O_MAX_BAD:
            if (cm_str_to_u64(cm_str_cstr(optarg), 1ULL << 40, &v) != 0) {
                fprintf(stderr, CMD ": --max-bad wants a number, not '%s'\n", optarg);
                return CM_EXIT_USAGE;
            }
            s.max_bad = v;
            break;
        case 'e':
            s.explain = true;
            break;
        case O_PSL:
            psl_path = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "tsv") != 0 && strcmp(optarg, "json") != 0) {
                fprintf(stderr, CMD ": unknown --format '%s' (tsv, json)\n", optarg);
                return CM_EXIT_USAGE;
            }
            s.json = strcmp(optarg, "json") == 0;
            break;
        case 'h':
            fputs(score_help, stdout);
            return CM_EXIT_OK;
        default:
            fputs(score_help, stderr);
            return CM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, CMD ": unexpected argument '%s' (names are read on stdin)\n", argv[optind]);
        return CM_EXIT_USAGE;
    }
    if (model_path != NULL && (rc = load_model(model_path, &model)) != CM_EXIT_OK) {
        return rc;
    }
    /* The list as a hash set (tens of ns a name); without the default file, libpsl. */
    if (cm_psl_load(psl_path, &psl, err, sizeof(err)) != 0) {
        fprintf(stderr, CMD ": --psl %s\n", err);
        cm_dga_model_free(model);
        return CM_EXIT_ERROR;
    }
    s.psl = psl;
    s.model = model != NULL ? model : cm_dga_model_builtin();
    if ((s.out = cm_malloc(OUT_BLOCK)) == NULL || cm_dns_tables_create(&tables) != 0) {
        fprintf(stderr, CMD ": out of memory\n");
        cm_free(s.out);
        cm_dga_model_free(model);
        cm_psl_free(psl);
        return CM_EXIT_ERROR;
    }
    s.tables = tables;
    rc = score_stdin(&s);
    flush_out(&s);
    if (s.err != 0) {
        fprintf(stderr, CMD ": writing standard output: %s\n", strerror(s.err));
        rc = CM_EXIT_ERROR;
    }
    if (s.bad > 0) {
        fprintf(stderr, CMD ": %llu bad line(s) skipped of %llu\n", (unsigned long long)s.bad,
                (unsigned long long)s.line);
    }
    cm_free(s.out);
    cm_dns_tables_destroy(tables);
    cm_dga_model_free(model);
    cm_psl_free(psl);
    return rc;
}
