/*
 * coalmine intel update: fetches the feeds (the bundle's enabled feeds and
 * the user's, or those named) with intel/feed_update.h, saves the registry
 * after each one and prints per feed updated, unchanged or failed with the
 * reason. Exits 1 when any feed failed. libcurl is initialised here, once
 * per run.
 *
 * Also the row printer every `coalmine intel` subcommand prints with: rows
 * of columns as a table or as one JSON document (cli/intel_cli.h).
 */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/json.h"
#include "cli/cmd.h"
#include "cli/intel_cli.h"
#include "intel/feed_update.h"
#include "intel/intel_config.h"

/* ---- update ---- */

/* Whether update runs feed e: named, or (no names) enabled. */
static bool wanted(const struct cm_intel_entry *e, int argc, char **argv)
{
    if (e->url == NULL) {
        return false;
    }
    for (int k = optind; k < argc; k++) {
        if (strcmp(argv[k], e->name) == 0) {
            return true;
        }
    }
    return optind == argc && e->enabled;
}

static const struct cm_intel_col update_cols[] = {
    {"name", NULL, 0, false},   {"result", NULL, 0, false}, {"status", NULL, 0, true},
    {"bytes", NULL, 0, true},   {"entries", NULL, 0, true}, {"bad", NULL, 0, true},
    {"seconds", NULL, 0, true}, {"reason", NULL, 0, false}};

int cm_intel_update(int argc, char **argv)
{
    static const char help[] =
        "usage: coalmine intel update [--intel-dir DIR] [--max-bytes N] [--connect-timeout S]\n"
        "                             [--max-time S] [NAME...]\n\n"
        "Fetches the feeds (the bundle's enabled feeds and the user's, or those named) with\n"
        "conditional requests. A new body is checked by loading it and replaces the last\n"
        "good copy atomically; on any failure the last good copy stays. Prints per feed:\n"
        "updated, unchanged or failed with the reason. Exits 1 when any feed failed.\n\n"
        "      --max-bytes N          size cap of a body (default 64 MiB)\n"
        "      --connect-timeout S    connect timeout in seconds (default 30)\n"
        "      --max-time S           time cap of one feed in seconds (default 600)\n";
    struct cm_intel_config c;
    struct cm_intel_cli_opts o;
    struct cm_intel_out out;
    char err[1024] = "";
    size_t nfeeds = 0, nfail = 0;
    int rc;

    if ((rc = cm_intel_cli_parse(argc, argv, &o, CM_INTEL_ALLOW_UPDATE, 0, 1 << 20, help)) != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    /* The names are checked before the lock, which creates the directory (an unknown
     * name changes nothing and leaves none behind), and again after it: the lock
     * reloads the registry. */
    if ((rc = cm_intel_cli_open(&c, &o, false)) == 0) {
        for (int pass = 0; pass < 2 && rc == 0; pass++) {
            for (int i = optind; i < argc && rc == 0; i++) {
                struct cm_intel_entry *e = cm_intel_config_find(&c, argv[i]);
                if (e == NULL || e->url == NULL) {
                    fprintf(stderr, CM_INTEL_CMD " update: %s: %s\n", argv[i],
                            e ? "not a feed" : "no such list");
                    rc = CM_EXIT_ERROR;
                }
            }
            if (rc == 0 && pass == 0) {
                rc = cm_intel_cli_lock(&c);
            }
        }
    }
    if (rc == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, CM_INTEL_CMD " update: libcurl could not be initialised\n");
        rc = CM_EXIT_ERROR;
    }
    if (rc != 0) {
        cm_intel_config_free(&c);
        return rc;
    }
    cm_intel_out_begin(&out, o.json, update_cols, sizeof(update_cols) / sizeof(update_cols[0]));
    cm_intel_out_rows(&out, "feeds");
    for (size_t i = 0; i < c.n; i++) {
        struct cm_intel_entry *e = &c.v[i];
        struct cm_feed_outcome r;
        char st[24], by[24], en[24], bad[24], sec[32];

        if (!wanted(e, argc, argv)) {
            continue;
        }
        nfeeds++;
        cm_feed_update(&c, e, &o.feed, &r);
        nfail += r.result == CM_FEED_FAILED;
        if (cm_intel_config_save(&c, err, sizeof(err)) != 0) {
            fprintf(stderr, CM_INTEL_CMD " update: %s\n", err);
            nfail++;
        }
        snprintf(sec, sizeof(sec), "%.3f", r.seconds);
        const char *v[] = {
            e->name,
            cm_feed_result_name(r.result),
            cm_intel_out_num((uint64_t)r.status, st),
            cm_intel_out_num(r.bytes, by),
            cm_intel_out_num(r.result == CM_FEED_UPDATED ? r.entries : e->st.entries, en),
            cm_intel_out_num(r.bad, bad),
            sec,
            r.result == CM_FEED_FAILED ? r.reason : NULL};
        if (o.json) {
            cm_intel_out_row(&out, v);
        } else if (r.result == CM_FEED_UPDATED) {
            printf("%s: updated (%s entries, %s bytes, %.1f s)\n", e->name, en, by, r.seconds);
        } else if (r.result == CM_FEED_UNCHANGED) {
            printf("%s: unchanged\n", e->name);
        } else {
            printf("%s: failed: %s (%s)\n", e->name, r.reason,
                   access(e->path, F_OK) == 0 ? "the last good copy is kept" : "no copy yet");
        }
        fflush(stdout);
    }
    cm_intel_out_end(&out, true);
    if (!o.json && nfeeds == 0) {
        printf("no feeds to update\n");
    }
    curl_global_cleanup();
    cm_intel_config_free(&c);
    return nfail ? CM_EXIT_ERROR : CM_EXIT_OK;
}

/* ---- output ---- */

void cm_intel_out_begin(struct cm_intel_out *o, bool json, const struct cm_intel_col *cols,
                        size_t ncols)
{
    o->json = json;
    o->cols = cols;
    o->ncols = ncols;
    cm_buf_init(&o->b, 0);
    cm_jw_init(&o->jw, &o->b);
    if (json) {
        cm_jw_obj_begin(&o->jw);
    }
}

void cm_intel_out_str(struct cm_intel_out *o, const char *k, const char *v)
{
    cm_jw_key(&o->jw, k);
    if (v != NULL) {
        cm_jw_str(&o->jw, v);
    } else {
        cm_jw_null(&o->jw);
    }
}

void cm_intel_out_u64(struct cm_intel_out *o, const char *k, uint64_t v)
{
    cm_jw_key(&o->jw, k);
    cm_jw_u64(&o->jw, v);
}

void cm_intel_out_rows(struct cm_intel_out *o, const char *rows)
{
    if (o->json) {
        cm_jw_key(&o->jw, rows);
        cm_jw_arr_begin(&o->jw);
        return;
    }
    for (size_t i = 0; i < o->ncols; i++) {
        if (o->cols[i].head != NULL) {
            printf(o->cols[i].width ? "%-*s " : "%*s\n", o->cols[i].width, o->cols[i].head);
        }
    }
}

void cm_intel_out_row(struct cm_intel_out *o, const char *const *v)
{
    if (o->json) {
        cm_jw_obj_begin(&o->jw);
        for (size_t i = 0; i < o->ncols; i++) {
            if (o->cols[i].raw && v[i] != NULL) {
                cm_jw_key(&o->jw, o->cols[i].key);
                cm_jw_raw(&o->jw, v[i], strlen(v[i]));
            } else {
                cm_intel_out_str(o, o->cols[i].key, v[i]);
            }
        }
        cm_jw_obj_end(&o->jw);
        return;
    }
    for (size_t i = 0; i < o->ncols; i++) {
        if (o->cols[i].head != NULL) {
            printf(o->cols[i].width ? "%-*s " : "%*s\n", o->cols[i].width, v[i] ? v[i] : "-");
        }
    }
}

int cm_intel_out_end(struct cm_intel_out *o, bool rows)
{
    int rc = 0;

    if (o->json) {
        if (rows) {
            cm_jw_arr_end(&o->jw);
        }
        cm_jw_obj_end(&o->jw);
        if ((rc = cm_jw_finish(&o->jw)) == 0) {
            printf("%s\n", o->b.p);
        } else {
            fprintf(stderr, CM_INTEL_CMD ": %s\n", cm_strerror(rc));
        }
    }
    cm_buf_finish(&o->b);
    return rc == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
}

const char *cm_intel_out_num(uint64_t v, char *buf)
{
    snprintf(buf, 24, "%llu", (unsigned long long)v);
    return buf;
}
