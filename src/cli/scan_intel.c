/*
 * Intel options and loading for `coalmine scan`. See scan_intel.h.
 */
#include "cli/scan_intel.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "core/clock.h"
#include "intel/intel_config.h"
#include "store/store.h"

int cm_scan_intel_option(struct cm_scan_intel *si, int code, const char *arg, char *err,
                         size_t errlen)
{
    struct cm_intel_source src;
    int rc;

    switch (code) {
    case CM_SCAN_OPT_INTEL_DIR:
        si->intel_dir = arg;
        return 0;
    case CM_SCAN_OPT_NO_DEFAULT_INTEL:
        si->no_default = true;
        return 0;
    case CM_SCAN_OPT_GEOIP:
        if (si->ngeoip == CM_GEOIP_MAX_DBS) {
            snprintf(err, errlen, "at most %d --geoip files", CM_GEOIP_MAX_DBS);
            return CM_EINVAL;
        }
        si->geoip[si->ngeoip++] = arg;
        return 0;
    case CM_SCAN_OPT_THREAT_LIST:
    case CM_SCAN_OPT_TRUSTED_LIST:
    case CM_SCAN_OPT_INTEL_LIST:
        break;
    default:
        snprintf(err, errlen, "unknown intel option");
        return CM_EINVAL;
    }
    rc = cm_intel_source_parse(
        arg, code == CM_SCAN_OPT_TRUSTED_LIST ? CM_INTEL_KIND_TRUSTED : CM_INTEL_KIND_THREAT,
        code == CM_SCAN_OPT_INTEL_LIST, &src, err, errlen);
    if (rc != 0) {
        return rc;
    }
    if (cm_grow((void **)&si->srcs, &si->cap, si->n + 1, sizeof(*si->srcs), 4) != 0) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    si->srcs[si->n++] = src;
    return 0;
}

static void on_bad(void *ud, const struct cm_intel_source *src, uint32_t line, const char *reason)
{
    struct cm_scan_intel *si = ud;

    if (si->cur != src) {
        si->cur = src;
        si->shown = 0;
    }
    if (si->shown++ < CM_SCAN_INTEL_SHOW_BAD) {
        fprintf(stderr, "coalmine scan: %s:%u: %s (list %s; record skipped)\n", src->path,
                (unsigned)line, reason, src->name);
    }
}

/* One line in all, then one per list given on the command line or with records skipped. */
static void report(const struct cm_scan_intel *si, const struct cm_intel_source_report *r, size_t n,
                   double ms)
{
    uint64_t nets = 0, names = 0;

    for (size_t i = 0; i < n; i++) {
        nets += r[i].st.ip_entries;
        names += r[i].st.dom_entries;
    }
    fprintf(stderr, "  intel:    %zu lists (%llu networks, %llu names) in %.0f ms, %zu bytes\n", n,
            (unsigned long long)nets, (unsigned long long)names, ms,
            cm_intel_snapshot_bytes(si->snap));
    for (size_t i = 0; i < n; i++) {
        if (i < si->ndefault && r[i].st.bad == 0 && r[i].st.skipped == 0) {
            continue;
        }
        fprintf(stderr, "            %s (%s, %s): %llu networks, %llu names", r[i].name,
                r[i].format, cm_intel_kind_name(si->srcs[i].kind),
                (unsigned long long)r[i].st.ip_entries, (unsigned long long)r[i].st.dom_entries);
        if (r[i].st.bad) {
            fprintf(stderr, ", %llu bad %s skipped", (unsigned long long)r[i].st.bad,
                    r[i].st.bad == 1 ? "record" : "records");
        }
        if (r[i].st.skipped) {
            fprintf(stderr, ", %llu shared-host URLs not taken",
                    (unsigned long long)r[i].st.skipped);
        }
        fputc('\n', stderr);
    }
}

/* Puts the default sources (bundle, fetched feeds, registry) before the command line's. */
static int add_defaults(struct cm_scan_intel *si, struct cm_intel_config *cfg, char *err,
                        size_t errlen)
{
    struct cm_intel_source *def = NULL;
    size_t ndef = 0;
    int rc;

    if ((rc = cm_intel_config_init(cfg, si->intel_dir, err, errlen)) != 0 ||
        (rc = cm_intel_config_sources(cfg, &def, &ndef, err, errlen)) != 0) {
        return rc;
    }
    if (ndef == 0) {
        return 0;
    }
    if (cm_grow((void **)&si->srcs, &si->cap, si->n + ndef, sizeof(*si->srcs), 4) != 0) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    memmove(si->srcs + ndef, si->srcs, si->n * sizeof(*si->srcs));
    memcpy(si->srcs, def, ndef * sizeof(*si->srcs));
    si->n += ndef;
    si->ndefault = ndef;
    return 0;
}

struct store_lists {
    struct cm_scan_intel *si;
    size_t from; /* the defaults before the store's lists */
    char *err;
    size_t errlen;
};

/* One ACTIVE API list of the store: a source with its bytes in memory. */
static int add_store_list(void *ud, const struct cm_store_set *s)
{
    struct store_lists *l = ud;
    struct cm_scan_intel *si = l->si;
    struct cm_intel_source *src;
    bool trusted = s->kind == CM_SET_IP || s->kind == CM_SET_TRUSTED_ENTITY;
    void *copy;

    for (size_t i = 0; i < l->from; i++) {
        if (strcmp(si->srcs[i].name, s->name) == 0) {
            snprintf(l->err, l->errlen,
                     "%s: the %s %s (id %s) has the name of a list already loaded (the bundle or "
                     "`coalmine intel list` has a list of that name): rename it "
                     "(Update%s with a new name)",
                     si->store_path, cm_store_set_kind_name(s->kind), s->name, s->id,
                     cm_store_set_kind_name(s->kind));
            return CM_EEXIST;
        }
    }
    if (cm_grow((void **)&si->srcs, &si->cap, si->n + 1, sizeof(*si->srcs), 4) != 0 ||
        cm_grow((void **)&si->store_bytes, &si->store_cap, si->nstore + 1, sizeof(*si->store_bytes),
                4) != 0 ||
        (copy = cm_malloc(s->content_len ? s->content_len : 1)) == NULL) {
        snprintf(l->err, l->errlen, "out of memory");
        return CM_ENOMEM;
    }
    memcpy(copy, s->content, s->content_len);
    si->store_bytes[si->nstore++] = copy;
    src = &si->srcs[si->n++];
    memset(src, 0, sizeof(*src));
    snprintf(src->name, sizeof(src->name), "%s", s->name);
    src->path = si->store_path;
    src->format = cm_intel_format_find(cm_str_cstr(s->format));
    src->kind = trusted ? CM_INTEL_KIND_TRUSTED : CM_INTEL_KIND_THREAT;
    src->category = trusted ? CM_CAT_UNKNOWN : CM_CAT_CUSTOM;
    src->data = copy;
    src->data_len = s->content_len;
    return 0;
}

/*
 * The store's ACTIVE API lists, after the other defaults (before the command line's): a
 * store not created yet has none.
 */
static int add_store_lists(struct cm_scan_intel *si, char *err, size_t errlen)
{
    struct store_lists l = {si, 0, err, errlen};
    struct cm_intel_source *cmdline = NULL;
    struct cm_store *st = NULL;
    size_t ncmd = si->n - si->ndefault;
    int rc;

    rc = cm_store_open(&st, si->store_path, 0, err, errlen);
    if (rc == CM_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    /* Set the command line's sources aside, append the store's, put them back after. */
    if (ncmd > 0) {
        if ((cmdline = cm_malloc(ncmd * sizeof(*cmdline))) == NULL) {
            cm_store_close(st);
            snprintf(err, errlen, "out of memory");
            return CM_ENOMEM;
        }
        memcpy(cmdline, si->srcs + si->ndefault, ncmd * sizeof(*cmdline));
        si->n = si->ndefault;
    }
    l.from = si->ndefault;
    rc = cm_store_sets_active(st, add_store_list, &l, err, errlen);
    cm_store_close(st);
    si->ndefault = si->n;
    if (ncmd > 0) {
        if (rc == 0 &&
            cm_grow((void **)&si->srcs, &si->cap, si->n + ncmd, sizeof(*si->srcs), 4) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = CM_ENOMEM;
        }
        if (rc == 0) {
            memcpy(si->srcs + si->n, cmdline, ncmd * sizeof(*cmdline));
            si->n += ncmd;
        }
        cm_free(cmdline);
    }
    return rc;
}

/*
 * Two sources of one name: said here, with where the first came from, before the loader
 * would refuse the second with its path alone. A name the defaults hold is the bundle's or
 * the intel directory's; one the command line or the config gave twice is the user's own
 * repeat (the same file given twice, or the config's list given again as an option).
 */
static int check_names(const struct cm_scan_intel *si, char *err, size_t errlen)
{
    for (size_t i = si->ndefault; i < si->n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(si->srcs[i].name, si->srcs[j].name) != 0) {
                continue;
            }
            if (j < si->ndefault) {
                snprintf(err, errlen,
                         "%s: a list named %s is already loaded (the bundle or `coalmine intel "
                         "list` has a list of that name: name yours with NAME=FILE)",
                         si->srcs[i].path, si->srcs[i].name);
            } else {
                snprintf(err, errlen,
                         "%s: a list named %s is given twice (also %s): give it once, or name "
                         "each with NAME=FILE",
                         si->srcs[i].path, si->srcs[i].name, si->srcs[j].path);
            }
            return CM_EEXIST;
        }
    }
    return 0;
}

int cm_scan_intel_open(struct cm_scan_intel *si, bool quiet, char *err, size_t errlen)
{
    struct cm_intel_source_report *reports = NULL;
    struct cm_intel_config cfg;
    int64_t t0 = cm_clock_now_ms();
    int rc = 0;

    memset(&cfg, 0, sizeof(cfg));
    cfg.lock_fd = -1; /* no lock taken: freeing it must not close standard input (fd 0) */
    if (si->ngeoip > 0 && (rc = cm_geoip_open(&si->geo, si->geoip, si->ngeoip, err, errlen)) != 0) {
        if (rc != CM_ENOMEM) {
            /* "PATH: reason" named by its option, as --aws-ranges and --inventory are. */
            char why[512];

            snprintf(why, sizeof(why), "%s", err);
            snprintf(err, errlen, "--geoip %s", why);
        }
        goto out;
    }
    if (!si->no_default && (rc = add_defaults(si, &cfg, err, errlen)) != 0) {
        goto out;
    }
    if (!si->no_default && si->store_path != NULL && (rc = add_store_lists(si, err, errlen)) != 0) {
        goto out;
    }
    if (si->n == 0) {
        goto out;
    }
    reports = cm_calloc(si->n, sizeof(*reports));
    if (reports == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = CM_ENOMEM;
        goto out;
    }
    if ((rc = check_names(si, err, errlen)) != 0) {
        goto out;
    }
    rc = cm_intel_open(si->srcs, si->n, cm_intel_seed(), quiet ? NULL : on_bad, si, reports,
                       &si->snap, err, errlen);
    if (rc == CM_EEXIST) {
        size_t len = strlen(err);
        snprintf(err + len, errlen - len,
                 " (the bundle or `coalmine intel list` has a list of that name: name yours "
                 "with NAME=FILE)");
    }
    if (rc == 0 && !quiet) {
        report(si, reports, si->n, (double)(cm_clock_now_ms() - t0));
    }
out:
    /* The default sources point into cfg; nothing uses them once the snapshot is built. */
    cm_free(reports);
    cm_intel_config_free(&cfg);
    return rc;
}

int cm_scan_intel_reload(struct cm_scan_intel *si, struct cm_intel_snapshot **old, char *err,
                         size_t errlen)
{
    struct cm_scan_intel n;
    size_t ncmd = si->n - si->ndefault;
    int rc;

    memset(&n, 0, sizeof(n));
    n.intel_dir = si->intel_dir;
    n.no_default = si->no_default;
    n.store_path = si->store_path;
    /* The command line's sources are whole (the defaults' point into a freed config). */
    if (ncmd > 0) {
        if ((n.srcs = cm_malloc(ncmd * sizeof(*n.srcs))) == NULL) {
            snprintf(err, errlen, "out of memory");
            return CM_ENOMEM;
        }
        memcpy(n.srcs, si->srcs + si->ndefault, ncmd * sizeof(*n.srcs));
        n.n = n.cap = ncmd;
    }
    if ((rc = cm_scan_intel_open(&n, true, err, errlen)) != 0) {
        cm_scan_intel_close(&n);
        return rc;
    }
    *old = si->snap;
    si->snap = n.snap;
    n.snap = NULL;
    /* The new sources (and the store's bytes they point at) replace the old ones. */
    for (size_t i = 0; i < si->nstore; i++) {
        cm_free(si->store_bytes[i]);
    }
    cm_free(si->store_bytes);
    cm_free(si->srcs);
    si->srcs = n.srcs;
    si->n = n.n;
    si->cap = n.cap;
    si->ndefault = n.ndefault;
    si->store_bytes = n.store_bytes;
    si->nstore = n.nstore;
    si->store_cap = n.store_cap;
    return 0;
}

void cm_scan_intel_close(struct cm_scan_intel *si)
{
    cm_geoip_close(si->geo);
    si->geo = NULL;
    cm_intel_snapshot_unref(si->snap);
    si->snap = NULL;
    cm_free(si->srcs);
    si->srcs = NULL;
    for (size_t i = 0; i < si->nstore; i++) {
        cm_free(si->store_bytes[i]);
    }
    cm_free(si->store_bytes);
    si->store_bytes = NULL;
    si->nstore = si->store_cap = 0;
    si->n = si->cap = 0;
}
