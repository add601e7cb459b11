/*
 * coalmine intel: the threat and trusted lists that apply by default (the
 * bundle's built-in lists, its feeds' last good copies, the user's lists),
 * as intel/intel_config.h keeps them: list, add, remove, check VALUE,
 * update (feeds over HTTP(S) with libcurl, intel/feed_update.h) and stats.
 * See docs/intel.md. This file holds the subcommand table, the options and
 * every subcommand but update, which is in cmd_intel_update.c with the row
 * printer (cli/intel_cli.h).
 *
 * Exit status: 0 success (check: whatever the verdict), 1 error (update: any
 * feed failed), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/ip.h"
#include "base/json.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "cli/intel_cli.h"
#include "core/clock.h"
#include "intel/domainset.h"
#include "intel/intel_load.h"

#define MAX_BAD_SHOW 20

static int intel_list(int argc, char **argv);
static int intel_add(int argc, char **argv);
static int intel_remove(int argc, char **argv);
static int intel_check(int argc, char **argv);
static int intel_stats(int argc, char **argv);

static const struct cm_cmd subcommands[] = {
    {"list", "every list: name, kind, category, format, source, entries, last update", intel_list},
    {"add", "add a threat or trusted list from a file or a URL", intel_add},
    {"remove", "remove a list added with 'add'", intel_remove},
    {"check", "which lists hold an IP address or a domain, and the verdict", intel_check},
    {"update", "fetch the feeds (the bundle's and the user's); keep the last good copy",
     cm_intel_update},
    {"stats", "lists, entries per list and kind, snapshot memory and load time", intel_stats}};

#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: coalmine intel <subcommand> [--intel-dir DIR] [options]\n\nsubcommands:\n");
    cm_cli_subcommand_list(f, subcommands, NSUB, 7);
    fprintf(f, "\nThe lists that apply by default are the bundle's built-in lists, the last good\n"
               "copies of its feeds (after 'coalmine intel update') and the lists added with\n"
               "'add'. The state lives in --intel-dir DIR, else $COALMINE_INTEL_DIR, else\n"
               "$XDG_DATA_HOME/coalmine/intel, else ~/.local/share/coalmine/intel; the bundle\n"
               "in $COALMINE_SHARE, else next to the program. Run 'coalmine intel <subcommand>\n"
               "--help' for its options. See docs/intel.md.\n");
}

static int run(int argc, char **argv)
{
    return cm_cli_subcommand("intel", subcommands, NSUB, usage, argc, argv);
}

const struct cm_cmd cm_cmd_intel = {
    .name = "intel",
    .summary = "threat and trusted lists: list, add, remove, check, update feeds, stats",
    .run = run,
};

/* ---- options ---- */

enum {
    O_URL = 0x200,
    O_KIND,
    O_CATEGORY,
    O_LIST_FORMAT,
    O_ALLOW_BAD,
    O_MAX_BYTES,
    O_CONNECT_TIMEOUT,
    O_MAX_TIME,
};

static const char common_help[] =
    "      --intel-dir DIR        the intel directory (state; see 'coalmine intel --help')\n"
    "  -f, --format table|json    output form (default table)\n"
    "  -h, --help                 this help\n";

/* opt: the long option's name, without its dashes. */
static int parse_num(const char *opt, const char *arg, unsigned long long max,
                     unsigned long long *out)
{
    if (cm_cli_parse_count(arg, max, out) != 0 || *out == 0) {
        fprintf(stderr, CM_INTEL_CMD ": --%s '%s': wants a number from 1 to %llu\n", opt, arg, max);
        return CM_EXIT_USAGE;
    }
    return 0;
}

int cm_intel_cli_parse(int argc, char **argv, struct cm_intel_cli_opts *o, unsigned allow, int nmin,
                       int nmax, const char *help)
{
    static const struct option longopts[] = {
        {"intel-dir", required_argument, NULL, 'D'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {"url", required_argument, NULL, O_URL},
        {"kind", required_argument, NULL, O_KIND},
        {"category", required_argument, NULL, O_CATEGORY},
        {"list-format", required_argument, NULL, O_LIST_FORMAT},
        {"allow-bad", no_argument, NULL, O_ALLOW_BAD},
        {"max-bytes", required_argument, NULL, O_MAX_BYTES},
        {"connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT},
        {"max-time", required_argument, NULL, O_MAX_TIME},
        {NULL, 0, NULL, 0}};
    unsigned long long v;
    int c, idx = 0;

    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((c = cm_cli_getopt("intel", argc, argv, "f:h", longopts, &idx)) != -1) {
        unsigned need = c >= O_URL && c <= O_ALLOW_BAD ? CM_INTEL_ALLOW_ADD
                        : c >= O_MAX_BYTES             ? CM_INTEL_ALLOW_UPDATE
                                                       : 0;
        if (need && !(allow & need)) {
            fprintf(stderr, CM_INTEL_CMD " %s: --%s does not apply here\n", argv[0],
                    longopts[idx].name);
            return CM_EXIT_USAGE;
        }
        switch (c) {
        case 'D':
            o->intel_dir = optarg;
            break;
        case 'f':
            if (cm_list_format_table_or_json("intel", optarg, &o->json) != 0) {
                return CM_EXIT_USAGE;
            }
            break;
        case 'h':
            fprintf(stdout, "%s%s", help, common_help);
            return 1;
        case O_URL:
            o->add.url = optarg;
            break;
        case O_KIND:
            o->kind = optarg;
            if (strcmp(optarg, "threat") != 0 && strcmp(optarg, "trusted") != 0) {
                fprintf(stderr, CM_INTEL_CMD " add: --kind is threat or trusted, not '%s'\n",
                        optarg);
                return CM_EXIT_USAGE;
            }
            o->add.kind =
                strcmp(optarg, "trusted") == 0 ? CM_INTEL_KIND_TRUSTED : CM_INTEL_KIND_THREAT;
            break;
        case O_CATEGORY:
            if (cm_intel_category_parse(cm_str_cstr(optarg), &o->add.category) != 0) {
                fprintf(stderr,
                        CM_INTEL_CMD " add: unknown --category '%s' (custom, cnc, mining, "
                                     "tor_exit, tor_relay, scanner, ...)\n",
                        optarg);
                return CM_EXIT_USAGE;
            }
            o->add.has_category = true;
            break;
        case O_LIST_FORMAT:
            if ((o->add.format = cm_intel_format_find(cm_str_cstr(optarg))) == NULL) {
                fprintf(stderr, CM_INTEL_CMD " add: unknown --list-format '%s' (", optarg);
                for (const struct cm_intel_format *const *f = cm_intel_formats(); *f; f++) {
                    fprintf(stderr, "%s%s", f == cm_intel_formats() ? "" : ", ", (*f)->name);
                }
                fprintf(stderr, ")\n");
                return CM_EXIT_USAGE;
            }
            break;
        case O_ALLOW_BAD:
            o->add.allow_bad = true;
            break;
        case O_MAX_BYTES:
            if (parse_num("max-bytes", optarg, 1ULL << 40, &v) != 0) {
                return CM_EXIT_USAGE;
            }
            o->feed.max_bytes = v;
            break;
        case O_CONNECT_TIMEOUT:
        case O_MAX_TIME:
            if (parse_num(longopts[idx].name, optarg, 86400, &v) != 0) {
                return CM_EXIT_USAGE;
            }
            *(c == O_MAX_TIME ? &o->feed.max_time : &o->feed.connect_timeout) = (long)v;
            break;
        default:
            fprintf(stderr, "%s%s", help, common_help);
            return CM_EXIT_USAGE;
        }
    }
    if (argc - optind < nmin || argc - optind > nmax) {
        if (argc - optind > nmax) {
            fprintf(stderr, CM_INTEL_CMD " %s: unexpected argument '%s'\n", argv[0],
                    argv[optind + nmax]);
        } else {
            fprintf(stderr, CM_INTEL_CMD " %s: missing argument\n", argv[0]);
        }
        fprintf(stderr, "%s%s", help, common_help);
        return CM_EXIT_USAGE;
    }
    return 0;
}

int cm_intel_cli_open(struct cm_intel_config *c, const struct cm_intel_cli_opts *o, bool lock)
{
    char err[1024] = "";
    int rc = cm_intel_config_init(c, o->intel_dir, err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, CM_INTEL_CMD ": %s\n", err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    return lock ? cm_intel_cli_lock(c) : CM_EXIT_OK;
}

int cm_intel_cli_lock(struct cm_intel_config *c)
{
    char err[1024] = "";
    int rc = cm_intel_config_lock(c, err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, CM_INTEL_CMD ": %s\n", err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

/* ---- list ---- */

/* "YYYY-MM-DDTHH:MM:SSZ", or NULL for 0. */
static const char *when(int64_t t, char *buf, size_t len)
{
    if (t <= 0) {
        return NULL;
    }
    cm_time_format_iso_s(t * 1000, buf, len);
    return buf;
}

/* ---- bad records ---- */

/* Reports bad records: the first MAX_BAD_SHOW of a list one by one, then how many in all. */
struct badlog {
    const char *list; /* the list being reported */
    char path[1024];
    uint64_t n;
};

static void bad_flush(struct badlog *b)
{
    if (b->n > MAX_BAD_SHOW) {
        fprintf(stderr, CM_INTEL_CMD ": %s: %llu bad records in all\n", b->path,
                (unsigned long long)b->n);
    }
    b->n = 0;
    b->list = NULL;
}

static void on_bad(void *ud, const struct cm_intel_source *src, uint32_t line, const char *reason)
{
    struct badlog *b = ud;

    if (b->list == NULL || strcmp(b->list, src->name) != 0) {
        bad_flush(b);
        b->list = src->name;
        snprintf(b->path, sizeof(b->path), "%s", src->path);
    }
    if (b->n++ < MAX_BAD_SHOW) {
        fprintf(stderr, CM_INTEL_CMD ": %s:%u: %s\n", src->path, line, reason);
    }
}

/*
 * Loads every list that applies (threat_only: the threat lists) into *snap;
 * reps (n of them) and srcs when not NULL. Bad records are not repeated here:
 * they were reported when the list was added or fetched ('stats' counts them).
 */
static int load_all(struct cm_intel_config *c, bool threat_only, struct cm_intel_snapshot **snap,
                    struct cm_intel_source_report **reps, struct cm_intel_source **srcs, size_t *n)
{
    struct cm_intel_source *s;
    char err[1024] = "";
    size_t k = 0;
    int rc;

    if ((rc = cm_intel_config_sources(c, &s, n, err, sizeof(err))) == 0 && threat_only) {
        for (size_t i = 0; i < *n; i++) {
            if (s[i].kind == CM_INTEL_KIND_THREAT) {
                s[k++] = s[i];
            }
        }
        *n = k;
    }
    if (rc == 0 && reps && (*reps = cm_calloc(*n ? *n : 1, sizeof(**reps))) == NULL) {
        rc = CM_ENOMEM;
    }
    if (rc == 0) {
        rc = cm_intel_open(s, *n, cm_intel_seed(), NULL, NULL, reps ? *reps : NULL, snap, err,
                           sizeof(err));
    }
    if (rc != 0) {
        fprintf(stderr, CM_INTEL_CMD ": %s\n", err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    if (srcs != NULL) {
        *srcs = s;
    }
    return CM_EXIT_OK;
}

static const struct cm_intel_col list_cols[] = {{"name", "NAME", 32, false},
                                                {"kind", "KIND", 7, false},
                                                {"category", "CATEGORY", 18, false},
                                                {"format", "FORMAT", 18, false},
                                                {"entries", "ENTRIES", 8, true},
                                                {"updated", "UPDATED", 20, false},
                                                {"source", "SOURCE", 0, false},
                                                {"origin", NULL, 0, false},
                                                {"path", NULL, 0, false},
                                                {"licence", NULL, 0, false},
                                                {"description", NULL, 0, false},
                                                {"enabled", NULL, 0, true},
                                                {"lastChecked", NULL, 0, false},
                                                {"lastFailure", NULL, 0, false},
                                                {"failure", NULL, 0, false},
                                                {"detectedFormat", NULL, 0, false}};

static int intel_list(int argc, char **argv)
{
    static const char help[] =
        "usage: coalmine intel list [--intel-dir DIR] [--format table|json]\n\n"
        "Lists every list: the bundle's built-in lists and feeds, and the lists added with\n"
        "'add', with kind, category, format, entries, last update and source (file or URL).\n"
        "A feed applies once 'coalmine intel update' has fetched it.\n\n";
    struct cm_intel_config c;
    struct cm_intel_out o;
    struct cm_intel_cli_opts op;
    int rc;

    if ((rc = cm_intel_cli_parse(argc, argv, &op, 0, 0, 0, help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = cm_intel_cli_open(&c, &op, false)) != 0) {
        cm_intel_config_free(&c);
        return rc;
    }
    cm_intel_out_begin(&o, op.json, list_cols, sizeof(list_cols) / sizeof(list_cols[0]));
    if (o.json) {
        cm_intel_out_str(&o, "bundle", c.bundle);
        cm_intel_out_str(&o, "share", c.share_dir);
        cm_intel_out_str(&o, "intelDir", c.data_dir);
    }
    cm_intel_out_rows(&o, "lists");
    for (size_t i = 0; i < c.n; i++) {
        struct cm_intel_entry *e = &c.v[i];
        struct cm_intel_source_report r;
        char t1[32], t2[32], t3[32], cnt[24], err[512], autofmt[32] = "auto";
        const char *detected = NULL; /* the format a sniffed list is read with */
        bool has = e->origin == CM_INTEL_USER_FILE || e->st.changed > 0;
        const char *upd =
            when(e->origin == CM_INTEL_USER_FILE ? e->added : e->st.changed, t1, sizeof(t1));

        if (e->origin == CM_INTEL_BUILTIN) { /* small: count by loading */
            has = cm_intel_check_file(e, e->path, NULL, NULL, &r, err, sizeof(err)) == 0;
            e->st.entries = has ? r.st.ip_entries + r.st.dom_entries : 0;
            upd = o.json ? NULL : c.bundle[0] ? c.bundle : "bundle";
        }
        if (e->format == NULL) {
            const struct cm_intel_format *sniffed;

            if (e->origin == CM_INTEL_BUILTIN) {
                detected = has ? r.format : NULL;
            } else if (cm_intel_sniff_file(e->path, &sniffed, err, sizeof(err)) == 0) {
                detected = sniffed->name; /* a feed not fetched yet has no file: none */
            }
        }
        if (detected != NULL) {
            snprintf(autofmt, sizeof(autofmt), "auto (%s)", detected);
        }
        const char *fmt = e->format ? e->format->name : o.json ? NULL : autofmt;
        const char *src = e->url ? e->url : e->origin_path ? e->origin_path : e->path;
        const char *v[] = {e->name,
                           cm_intel_kind_name(e->kind),
                           e->kind == CM_INTEL_KIND_TRUSTED ? NULL
                                                            : cm_intel_category_name(e->category),
                           fmt,
                           has ? cm_intel_out_num(e->st.entries, cnt) : NULL,
                           upd || o.json ? upd : "never",
                           src,
                           cm_intel_origin_name(e->origin),
                           e->path,
                           e->licence,
                           e->description,
                           e->enabled ? "true" : "false",
                           when(e->st.checked, t2, sizeof(t2)),
                           when(e->st.failed, t3, sizeof(t3)),
                           e->st.failure,
                           e->format ? e->format->name : detected};
        cm_intel_out_row(&o, v);
        if (!o.json && e->origin == CM_INTEL_FEED && !e->enabled) {
            printf("  (disabled in the manifest)\n");
        }
        if (!o.json && e->st.failure != NULL) {
            printf("  last update failed %s: %s\n", v[13] ? v[13] : "?", e->st.failure);
        }
    }
    rc = cm_intel_out_end(&o, true);
    cm_intel_config_free(&c);
    return rc;
}

/* ---- add, remove ---- */

static int intel_add(int argc, char **argv)
{
    static const char help[] =
        "usage: coalmine intel add NAME FILE --kind threat|trusted [--category CAT]\n"
        "                          [--list-format FMT] [--allow-bad]\n"
        "       coalmine intel add NAME --url URL --kind threat|trusted [--category CAT]\n"
        "                          [--list-format FMT]\n\n"
        "Adds a list. A FILE is checked by loading it and copied into the intel directory\n"
        "(later changes to FILE do not apply until it is added again); a file its reader\n"
        "rejects, with no indicators, or with bad records is refused. A URL (http, https\n"
        "or file) is a feed, fetched by 'coalmine intel update'.\n\n"
        "      --kind threat|trusted  threat lists make findings; trusted lists suppress them\n"
        "      --category CAT         custom (default for threat lists: 'Customer Threat\n"
        "                             Intel', .Custom findings), or a managed class: cnc,\n"
        "                             mining, tor_exit, tor_relay, scanner, drop_point,\n"
        "                             sinkhole, phishing, drive_by, dga, malicious_ip,\n"
        "                             malicious_domain, abused_domain, bitcoin_domain,\n"
        "                             suspicious_domain\n"
        "      --list-format FMT      TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT, FIRE_EYE,\n"
        "                             STIX2, MISP, MISP_CSV, HOSTS, ZEEK (default: sniffed)\n"
        "      --allow-bad            add FILE without its bad records\n";
    struct cm_intel_source_report rep;
    struct badlog bl = {NULL, "", 0};
    struct cm_intel_config c;
    struct cm_intel_cli_opts o;
    struct cm_intel_out out;
    char err[1024] = "";
    uint64_t n;
    int rc;

    if ((rc = cm_intel_cli_parse(argc, argv, &o, CM_INTEL_ALLOW_ADD, 1, 2, help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    o.add.name = argv[optind];
    o.add.file = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (o.kind == NULL || (o.add.file == NULL) == (o.add.url == NULL)) {
        fprintf(stderr, CM_INTEL_CMD " add: %s\n",
                o.kind == NULL ? "--kind threat|trusted is required"
                               : "give either a FILE or --url URL");
        return CM_EXIT_USAGE;
    }
    /* A FILE that cannot be read is refused before the lock creates the intel directory:
     * a mistyped path leaves nothing behind (the file is read again, whole, under it). */
    if (o.add.file != NULL) {
        int fd = open(o.add.file, O_RDONLY | O_CLOEXEC);

        if (fd < 0) {
            fprintf(stderr, CM_INTEL_CMD " add: %s: %s\n", o.add.file, strerror(errno));
            return CM_EXIT_ERROR;
        }
        close(fd);
    }
    if ((rc = cm_intel_cli_open(&c, &o, true)) == 0) {
        memset(&rep, 0, sizeof(rep));
        rc = cm_intel_config_add(&c, &o.add, on_bad, &bl, &rep, err, sizeof(err));
        bad_flush(&bl);
        n = rep.st.ip_entries + rep.st.dom_entries;
        if (rc != 0) {
            fprintf(stderr, CM_INTEL_CMD " add: %s\n", err[0] ? err : cm_strerror(rc));
            rc = rc == CM_EINVAL && !cm_intel_name_ok(o.add.name) ? CM_EXIT_USAGE : CM_EXIT_ERROR;
        } else if (o.json) {
            cm_intel_out_begin(&out, true, NULL, 0);
            cm_intel_out_str(&out, "name", o.add.name);
            cm_intel_out_str(&out, "kind", cm_intel_kind_name(o.add.kind));
            cm_intel_out_u64(&out, "entries", n);
            cm_intel_out_u64(&out, "bad", rep.st.bad);
            rc = cm_intel_out_end(&out, false);
        } else if (o.add.file) {
            printf("added %s list %s: %llu entries (%llu addresses and networks, %llu names), "
                   "format %s\n",
                   cm_intel_kind_name(o.add.kind), o.add.name, (unsigned long long)n,
                   (unsigned long long)rep.st.ip_entries, (unsigned long long)rep.st.dom_entries,
                   rep.format ? rep.format : "?");
        } else {
            printf("added %s feed %s: run 'coalmine intel update %s' to fetch it\n",
                   cm_intel_kind_name(o.add.kind), o.add.name, o.add.name);
        }
    }
    cm_intel_config_free(&c);
    return rc;
}

static int intel_remove(int argc, char **argv)
{
    static const char help[] =
        "usage: coalmine intel remove [--intel-dir DIR] [--format table|json] NAME\n\n"
        "Removes a list added with 'add', and its copy.\n\n";
    struct cm_intel_config c;
    struct cm_intel_cli_opts o;
    struct cm_intel_out out;
    char err[1024] = "";
    int rc;

    if ((rc = cm_intel_cli_parse(argc, argv, &o, 0, 1, 1, help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    /* An unknown name is refused before the lock, which creates the directory: a
     * remove that changes nothing leaves no intel directory behind (a mistyped
     * --intel-dir made one, with its .lock). The lock reloads the registry. */
    if ((rc = cm_intel_cli_open(&c, &o, false)) == 0 &&
        cm_intel_config_find(&c, argv[optind]) == NULL) {
        fprintf(stderr, CM_INTEL_CMD " remove: %s: no such list\n", argv[optind]);
        rc = CM_EXIT_ERROR;
    }
    if (rc == 0 && (rc = cm_intel_cli_lock(&c)) == 0) {
        if ((rc = cm_intel_config_remove(&c, argv[optind], err, sizeof(err))) != 0) {
            fprintf(stderr, CM_INTEL_CMD " remove: %s\n", err);
            rc = CM_EXIT_ERROR;
        } else if (o.json) {
            cm_intel_out_begin(&out, true, NULL, 0);
            cm_intel_out_str(&out, "name", argv[optind]);
            cm_intel_out_str(&out, "result", "removed");
            rc = cm_intel_out_end(&out, false);
        } else {
            printf("removed %s\n", argv[optind]);
        }
    }
    cm_intel_config_free(&c);
    return rc;
}

/* ---- check ---- */

static const struct cm_intel_col check_cols[] = {
    {"list", "LIST", 32, false},         {"kind", "KIND", 7, false},
    {"category", "CATEGORY", 18, false}, {"threatName", "THREAT NAME", 24, false},
    {"source", NULL, 0, false},          {"match", "MATCH", 0, false}};

/* One row per indicator of m. */
static void print_match(struct cm_intel_out *o, const struct cm_intel_snapshot *s,
                        const struct cm_intel_match *m, bool is_ip)
{
    char what[300], list[CM_INTEL_NAME_MAX + 1], threat[CM_INTEL_STR_MAX + 1], src[1024];

    if (is_ip) {
        size_t k = cm_ip_format(&m->net, what, sizeof(what));
        snprintf(what + k, sizeof(what) - k, "/%u", m->prefix);
    } else {
        bool sub = m->rules == (1u << CM_DOMAIN_SUBDOMAINS);
        snprintf(what, sizeof(what), "%s%.*s", sub ? "*." : "", (int)m->domain.len, m->domain.p);
    }
    for (size_t i = 0; i < m->nids; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m->ids[i]);
        const struct cm_intel_list *l = cm_intel_snapshot_list(s, ind->list);

        snprintf(list, sizeof(list), "%.*s", (int)l->name.len, l->name.p);
        snprintf(threat, sizeof(threat), "%.*s", (int)ind->threat_name.len, ind->threat_name.p);
        snprintf(src, sizeof(src), "%.*s", (int)l->source.len, l->source.p);
        bool trusted = l->kind == CM_INTEL_KIND_TRUSTED; /* no class: it only suppresses */
        const char *v[] = {list,
                           cm_intel_kind_name(l->kind),
                           trusted ? NULL : cm_intel_category_name(ind->category),
                           threat,
                           src,
                           what};
        cm_intel_out_row(o, v);
    }
}

/* Checks value in s: an address, a domain, or a URL's host. Returns -1 when it is none. */
static int check_value(const struct cm_intel_snapshot *s, struct cm_str v, bool *is_ip,
                       struct cm_intel_match *m)
{
    char norm[CM_DOMAIN_MAX + 1];
    struct cm_ip ip;
    size_t n;

    if (cm_str_find(v, CM_STR_LIT("://")) != (size_t)-1 && !cm_url_host(v, &v)) {
        return -1;
    }
    if ((*is_ip = cm_ip_parse(v, &ip) == 0)) {
        return (int)cm_intel_check_ip(s, &ip, m);
    }
    if (cm_domain_normalize(v, norm, &n) != 0) {
        return -1;
    }
    return (int)cm_intel_check_domain(s, cm_str_make(norm, n), m);
}

static int intel_check(int argc, char **argv)
{
    static const char help[] =
        "usage: coalmine intel check [--intel-dir DIR] [--format table|json] VALUE\n\n"
        "Checks an IP address, a domain name (or a URL's host) against every list that\n"
        "applies: prints the matching lists (kind, category, threat name, the listed\n"
        "network or name) and the verdict: THREAT, TRUSTED (a trusted list has it: no\n"
        "finding, even when threat lists have it too) or NONE. Exits 0 for any verdict.\n\n";
    static const char *const verdicts[] = {"NONE", "THREAT", "TRUSTED"};
    struct cm_intel_snapshot *s = NULL, *t = NULL;
    struct cm_intel_match m, tm;
    struct cm_intel_config c;
    struct cm_intel_cli_opts o;
    struct cm_intel_out out;
    bool is_ip = false;
    size_t n;
    int rc, v = 0;

    if ((rc = cm_intel_cli_parse(argc, argv, &o, 0, 1, 1, help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    memset(&tm, 0, sizeof(tm));
    if ((rc = cm_intel_cli_open(&c, &o, false)) == 0) {
        rc = load_all(&c, false, &s, NULL, NULL, &n);
    }
    if (rc == 0 && (v = check_value(s, cm_str_cstr(argv[optind]), &is_ip, &m)) < 0) {
        fprintf(stderr, CM_INTEL_CMD " check: '%s' is not an IP address, a domain name or a URL\n",
                argv[optind]);
        rc = CM_EXIT_USAGE;
    }
    /* Trusted wins; show the threat lists it overrides too. */
    if (rc == 0 && v == CM_INTEL_TRUSTED && (rc = load_all(&c, true, &t, NULL, NULL, &n)) == 0) {
        check_value(t, cm_str_cstr(argv[optind]), &is_ip, &tm);
    }
    if (rc == 0) {
        cm_intel_out_begin(&out, o.json, check_cols, sizeof(check_cols) / sizeof(check_cols[0]));
        if (o.json) {
            cm_intel_out_str(&out, "value", argv[optind]);
            cm_intel_out_str(&out, "type", is_ip ? "ip" : "domain");
            cm_intel_out_str(&out, "verdict", verdicts[v]);
        } else {
            printf("%s: %s\n", argv[optind], verdicts[v]);
        }
        if (o.json || v != CM_INTEL_NONE) {
            cm_intel_out_rows(&out, "matches");
        }
        if (v != CM_INTEL_NONE) {
            print_match(&out, s, &m, is_ip);
        }
        if (t != NULL && tm.verdict == CM_INTEL_THREAT) {
            print_match(&out, t, &tm, is_ip);
        }
        rc = cm_intel_out_end(&out, true);
    }
    cm_intel_snapshot_unref(s);
    cm_intel_snapshot_unref(t);
    cm_intel_config_free(&c);
    return rc;
}

/* ---- stats ---- */

static const struct cm_intel_col stats_cols[] = {{"name", "LIST", 32, false},
                                                 {"kind", "KIND", 7, false},
                                                 {"category", "CATEGORY", 18, false},
                                                 {"format", "FORMAT", 11, false},
                                                 {"ipEntries", "IPS", 10, true},
                                                 {"domainEntries", "DOMAINS", 10, true},
                                                 {"bad", "BAD", 8, true},
                                                 {"skipped", "SKIPPED", 8, true},
                                                 {"shared", "SHARED", 0, true}};

static int intel_stats(int argc, char **argv)
{
    static const char help[] =
        "usage: coalmine intel stats [--intel-dir DIR] [--format table|json]\n\n"
        "Loads every list that applies and prints the number of lists, entries per list\n"
        "and per kind (addresses and networks, names), the snapshot's memory and the\n"
        "load time.\n\n";
    struct cm_intel_source_report *reps = NULL;
    struct cm_intel_snapshot *s = NULL;
    struct cm_intel_source *srcs = NULL;
    struct cm_intel_config c;
    uint64_t tot[2][2] = {{0, 0}, {0, 0}};
    size_t n = 0, nk[2] = {0, 0}, bytes;
    struct cm_intel_cli_opts o;
    struct cm_intel_out out;
    double t0, secs;
    int rc;

    if ((rc = cm_intel_cli_parse(argc, argv, &o, 0, 0, 0, help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    t0 = cm_clock_mono_s();
    if ((rc = cm_intel_cli_open(&c, &o, false)) == 0) {
        rc = load_all(&c, false, &s, &reps, &srcs, &n);
    }
    secs = cm_clock_mono_s() - t0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        nk[srcs[i].kind]++;
        tot[srcs[i].kind][0] += reps[i].st.ip_entries;
        tot[srcs[i].kind][1] += reps[i].st.dom_entries;
    }
    if (rc == 0) {
        bytes = cm_intel_snapshot_bytes(s);
        cm_intel_out_begin(&out, o.json, stats_cols, sizeof(stats_cols) / sizeof(stats_cols[0]));
        if (o.json) {
            cm_intel_out_u64(&out, "lists", n);
            for (int k = 0; k < 2; k++) {
                cm_jw_key(&out.jw, k ? "trusted" : "threat");
                cm_jw_obj_begin(&out.jw);
                cm_intel_out_u64(&out, "lists", nk[k]);
                cm_intel_out_u64(&out, "ipEntries", tot[k][0]);
                cm_intel_out_u64(&out, "domainEntries", tot[k][1]);
                cm_jw_obj_end(&out.jw);
            }
            cm_intel_out_u64(&out, "indicators", cm_intel_snapshot_nindicators(s));
            cm_intel_out_u64(&out, "bytes", bytes);
            cm_jw_key(&out.jw, "loadSeconds");
            cm_jw_f64(&out.jw, secs);
        } else {
            printf("lists:      %zu (%zu threat, %zu trusted)\n", n, nk[0], nk[1]);
            for (int k = 0; k < 2; k++) {
                printf("%-11s %llu addresses and networks, %llu names\n",
                       k ? "trusted:" : "threat:", (unsigned long long)tot[k][0],
                       (unsigned long long)tot[k][1]);
            }
            printf("indicators: %zu\nmemory:     %zu bytes (%.1f MiB)\nload time:  %.3f s\n\n",
                   cm_intel_snapshot_nindicators(s), bytes, (double)bytes / 1048576.0, secs);
        }
        cm_intel_out_rows(&out, "perList");
        for (size_t i = 0; i < n; i++) {
            const struct cm_intel_load_stats *st = &reps[i].st;
            char a[24], b[24], d[24], e[24], f[24];
            const char *v[] = {srcs[i].name,
                               cm_intel_kind_name(srcs[i].kind),
                               srcs[i].kind == CM_INTEL_KIND_TRUSTED
                                   ? NULL
                                   : cm_intel_category_name(srcs[i].category),
                               reps[i].format,
                               cm_intel_out_num(st->ip_entries, a),
                               cm_intel_out_num(st->dom_entries, b),
                               cm_intel_out_num(st->bad, d),
                               cm_intel_out_num(st->skipped, e),
                               cm_intel_out_num(st->shared, f)};
            cm_intel_out_row(&out, v);
        }
        rc = cm_intel_out_end(&out, true);
    }
    cm_free(reps);
    cm_intel_snapshot_unref(s);
    cm_intel_config_free(&c);
    return rc;
}
