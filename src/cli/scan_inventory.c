/*
 * The instance map of `coalmine scan` (see scan_inventory.h).
 */
#include "cli/scan_inventory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "source/decode.h"
#include "source/source_file.h"

#define INVENTORY_SEED 0x696e76656e746f72ULL

int cm_scan_inventory_option(struct cm_scan_inventory *si, const char *path, char *err,
                             size_t errlen)
{
    char *copy;

    if (cm_grow((void **)&si->paths, &si->cap, si->n + 1, sizeof(*si->paths), 4) != 0 ||
        (copy = cm_strndup(path, strlen(path))) == NULL) {
        snprintf(err, errlen, "--inventory %s: %s", path, cm_strerror(CM_ENOMEM));
        return CM_ENOMEM;
    }
    si->paths[si->n++] = copy;
    return 0;
}

static void lock(void *ud)
{
    pthread_mutex_lock(ud);
}

static void unlock(void *ud)
{
    pthread_mutex_unlock(ud);
}

struct bad_file {
    const char *path;
    size_t n;
    bool quiet;
};

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct bad_file *b = ud;

    if (!b->quiet && b->n < CM_SCAN_INVENTORY_SHOW_BAD) {
        fprintf(stderr, "  %s:%u: %s (entry skipped)\n", b->path, line, reason);
    }
    b->n++;
}

/* Reads path whole (inflating gzip) into raw / plain. */
static int read_file(const char *path, struct cm_buf *raw, struct cm_buf *plain, const char **data,
                     size_t *len, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0) {
        snprintf(err, errlen, "--inventory %s: %s", path, strerror(errno));
        return CM_EIO;
    }
    if (fstat(fd, &st) != 0) {
        st.st_size = 0;
    } else if (S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "--inventory %s: is a directory", path);
        return CM_EIO;
    }
    rc = cm_read_fd(fd, raw, (size_t)st.st_size);
    close(fd);
    if (rc != 0) {
        snprintf(err, errlen, "--inventory %s: %s", path, cm_strerror(rc));
        return rc == CM_ENOMEM ? rc : CM_EIO;
    }
    *data = raw->p;
    *len = raw->len;
    if (cm_is_compressed(raw->p, raw->len)) {
        struct cm_decoder dec;
        struct cm_decode_error de;

        if ((rc = cm_decoder_init(&dec)) != 0) {
            snprintf(err, errlen, "--inventory %s: %s", path, cm_strerror(rc));
            return rc;
        }
        rc = cm_decode(&dec, raw->p, raw->len, plain, &de);
        cm_decoder_finish(&dec);
        if (rc != 0) {
            snprintf(err, errlen, "--inventory %s: %s: %s", path, dec.outer,
                     rc == CM_E2BIG ? "too large decoded" : de.msg);
            return rc == CM_ENOMEM ? rc : CM_EINVAL;
        }
        *data = plain->p;
        *len = plain->len;
    }
    return 0;
}

static int load(struct cm_scan_inventory *si, const char *path, bool quiet, char *err,
                size_t errlen)
{
    struct bad_file bad = {path, 0, quiet};
    struct cm_inventory_report rep = {on_bad, &bad};
    struct cm_inventory_stats before, after;
    struct cm_buf raw, plain;
    struct cm_diag diag;
    const char *data;
    size_t len;
    int rc;

    cm_buf_init(&raw, 0);
    cm_buf_init(&plain, 0);
    cm_inventory_stats(si->inv, &before);
    rc = read_file(path, &raw, &plain, &data, &len, err, errlen);
    if (rc == 0) {
        rc = cm_inventory_add_describe(si->inv, data, len, &rep, &diag);
        if ((rc == CM_EINVAL || rc == CM_E2BIG) && diag.line > 0) {
            snprintf(err, errlen,
                     "--inventory %s:%zu: not describe-instances or describe-network-interfaces "
                     "output: %s",
                     path, diag.line, diag.msg);
        } else if (rc == CM_EINVAL || rc == CM_E2BIG) {
            snprintf(err, errlen, "--inventory %s: %s", path, diag.msg);
        } else if (rc != 0) {
            snprintf(err, errlen, "--inventory %s: %s", path, cm_strerror(rc));
        }
    }
    cm_buf_finish(&raw);
    cm_buf_finish(&plain);
    if (rc == 0 && !quiet) {
        cm_inventory_stats(si->inv, &after);
        if (after.loaded_nics > before.loaded_nics) {
            fprintf(stderr, "  inventory: %llu network interfaces from %s",
                    (unsigned long long)(after.loaded_nics - before.loaded_nics), path);
        } else {
            fprintf(stderr, "  inventory: %llu instances from %s",
                    (unsigned long long)(after.loaded - before.loaded), path);
        }
        if (bad.n) {
            fprintf(stderr, " (%zu entries skipped)", bad.n);
        }
        fprintf(stderr, "\n");
    }
    return rc;
}

/* The built-in table with the CloudTrail feed appended, unless it is already there. */
static int make_table(struct cm_scan_inventory *si, struct cm_scan_opts *o)
{
    const struct cm_detector *const *base = o->detectors ? o->detectors : cm_detectors();
    size_t n = 0;

    for (; base[n] != NULL; n++) {
        if (base[n] == &cm_detector_inventory_ct) {
            return 0;
        }
    }
    si->table = cm_calloc(n + 2, sizeof(*si->table));
    if (si->table == NULL) {
        return CM_ENOMEM;
    }
    memcpy(si->table, base, n * sizeof(*si->table));
    si->table[n] = &cm_detector_inventory_ct;
    o->detectors = si->table;
    return 0;
}

int cm_scan_inventory_open(struct cm_scan_inventory *si, struct cm_detect_config *cfg,
                           struct cm_scan_opts *o, bool quiet, char *err, size_t errlen)
{
    struct cm_inventory_lock lk = {lock, unlock, &si->mu};
    int rc = cm_inventory_create(&si->inv, NULL, INVENTORY_SEED);

    if (rc == 0 && pthread_mutex_init(&si->mu, NULL) != 0) {
        rc = CM_ENOMEM;
    } else if (rc == 0) {
        si->have_mu = true;
        cm_inventory_set_lock(si->inv, &lk);
    }
    rc = rc ? rc : make_table(si, o);
    if (rc != 0) {
        snprintf(err, errlen, "inventory: %s", cm_strerror(rc));
        return rc;
    }
    for (size_t i = 0; i < si->n; i++) {
        if ((rc = load(si, si->paths[i], quiet, err, errlen)) != 0) {
            return rc;
        }
    }
    cfg->inventory = si->inv;
    return 0;
}

int cm_scan_inventory_enrich(struct cm_scan_inventory *si, struct cm_agg *agg, size_t *order,
                             size_t *nkept)
{
    size_t n = cm_agg_stats(agg)->findings, k = 0;

    for (size_t i = 0; si->inv != NULL && i < n; i++) {
        struct cm_finding *f = cm_agg_at(agg, i);
        int rc = cm_inventory_enrich(si->inv, f);

        if (rc == CM_ENOMEM) {
            return rc;
        }
        if (f->resource_type == CM_RES_INSTANCE &&
            (si->n == 0 || cm_inventory_service(si->inv, f) == NULL)) {
            si->enriched += rc == 0;
            si->unknown += rc != 0;
        }
    }
    if (si->inv == NULL || si->n == 0) {
        return 0; /* without --inventory findings stay as they were, whatever CloudTrail said */
    }
    for (size_t i = 0; i < *nkept; i++) {
        if (cm_inventory_service(si->inv, cm_agg_at(agg, order[i])) != NULL) {
            si->services++;
            continue;
        }
        order[k++] = order[i];
    }
    *nkept = k;
    return 0;
}

void cm_scan_inventory_summary(const struct cm_scan_inventory *si)
{
    struct cm_inventory_stats st;

    if (si->inv == NULL) {
        return;
    }
    cm_inventory_stats(si->inv, &st);
    if (si->n == 0 && st.observed == 0 && si->enriched == 0) {
        return;
    }
    fprintf(stderr,
            "  instances: %zu known (%llu from inventory files, %llu EC2 calls in CloudTrail), "
            "%zu interfaces, %.1f MB; %llu instance findings named, %llu unknown\n",
            st.instances, (unsigned long long)st.loaded, (unsigned long long)st.observed, st.nics,
            (double)st.bytes / 1e6, (unsigned long long)si->enriched,
            (unsigned long long)si->unknown);
    if (si->services) {
        fprintf(stderr,
                "  instances: %llu findings dropped: about a NAT gateway's, load balancer's or "
                "other service's interface, not an instance\n",
                (unsigned long long)si->services);
    }
    if (st.full) {
        fprintf(stderr, "  instances: %llu not kept (the map is full)\n",
                (unsigned long long)st.full);
    }
}

void cm_scan_inventory_close(struct cm_scan_inventory *si)
{
    for (size_t i = 0; i < si->n; i++) {
        cm_free(si->paths[i]);
    }
    cm_free(si->paths);
    cm_free(si->table);
    cm_inventory_destroy(si->inv);
    if (si->have_mu) {
        pthread_mutex_destroy(&si->mu);
    }
    memset(si, 0, sizeof(*si));
}
