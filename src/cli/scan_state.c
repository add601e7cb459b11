/*
 * --state and --final of `coalmine scan` (scan_state.h).
 */
#include "cli/scan_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"
#include "core/clock.h"

int cm_scan_state_option(struct cm_scan_state *ss, int opt, const char *arg)
{
    if (opt == CM_SCAN_OPT_STATE) {
        ss->path = arg;
    } else if (opt == CM_SCAN_OPT_REREAD) {
        ss->reread = true;
    } else {
        ss->final = true;
    }
    return 0;
}

static int load(void *ud, unsigned shard, struct cm_engine *e)
{
    return cm_statefile_load_engine(ud, shard, e);
}

static int save(void *ud, unsigned shard, const struct cm_engine *e)
{
    return cm_statefile_save_engine(ud, shard, e);
}

int cm_scan_state_open(struct cm_scan_state *ss, struct cm_scan_opts *o, bool quiet, char *err,
                       size_t errlen)
{
    int rc;

    if (ss->path == NULL) {
        return 0;
    }
    cm_statefile_init(&ss->sf, ss->path);
    ss->opened = true;
    /* A scan that will write the file locks it before it reads it (--final only reads). */
    if (!ss->final && (rc = cm_statefile_lock(&ss->sf)) != 0) {
        snprintf(err, errlen, "--state %s", ss->sf.err);
        return rc;
    }
    rc = cm_statefile_read(&ss->sf);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        snprintf(err, errlen, "--state %s (move the file away to start afresh)", ss->sf.err);
        return rc;
    }
    ss->loaded = rc == 0;
    if (ss->loaded) {
        if (ss->sf.seed != o->seed) {
            snprintf(err, errlen, "--state %s: made with another shard seed", ss->path);
            return CM_EINVAL;
        }
        if (!quiet && o->threads != 0 && o->threads != ss->sf.nshards) {
            fprintf(stderr,
                    "coalmine scan: --state %s holds %u shards: scanning with %u threads, "
                    "not %u\n",
                    ss->path, ss->sf.nshards, ss->sf.nshards, o->threads);
        }
        o->threads = ss->sf.nshards;
    }
    o->threads = cm_scan_threads(o);
    if (!ss->final && (rc = cm_statefile_begin_save(&ss->sf, o->threads, o->seed)) != 0) {
        snprintf(err, errlen, "%s", ss->sf.err);
        return rc;
    }
    ss->hooks.load = ss->loaded ? load : NULL;
    ss->hooks.save = ss->final ? NULL : save;
    ss->hooks.ud = &ss->sf;
    o->state = &ss->hooks;
    /* None remembered (a new file, version 1): no file is opened twice to ask. */
    o->files_seen = ss->loaded && !ss->reread && ss->sf.files.n > 0 ? &ss->sf.files : NULL;
    o->file_ids = !ss->final;
    return 0;
}

static const char *input_path(const void *ud, uint32_t id)
{
    const struct cm_scan_stats *st = ud;

    return id < st->ninputs ? st->inputs[id].path : NULL;
}

/*
 * Renews the longest grown-file entry of the file of base name name[0, namelen) and size
 * bytes, unchanged since (left out as read).
 */
static int renew_grown(struct cm_fileseen *files, const char *name, size_t namelen, uint64_t size,
                       uint32_t today)
{
    uint64_t h = cm_filegrow_name(name, namelen);
    const struct cm_filegrow_ent *e;
    struct cm_file_id id;

    if (cm_filegrow_find(&files->grown, h, size + 1, &e) == 0) {
        return 0;
    }
    id.a = e->id_a;
    id.b = e->id_b;
    return cm_filegrow_add(&files->grown, h, e->len, e->lines, &id, today);
}

/* Notes the plain logs' resume points the scan found, forgetting those it resumed past. */
static int note_grown(struct cm_scan_state *ss, const struct cm_scan_stats *st, uint32_t today)
{
    for (size_t i = 0; i < st->ngrown; i++) {
        const struct cm_scan_grown *g = &st->grown[i];
        const char *name = cm_file_id_base(st->inputs[g->input].path);
        uint64_t h = cm_filegrow_name(name, strlen(name));

        ss->nresumed += g->resumed_from > 0;
        if (g->resumed_from > 0 && g->len > g->resumed_from) {
            cm_filegrow_use(&ss->sf.files.grown, h, g->resumed_from, &g->resumed);
        }
        if (cm_filegrow_add(&ss->sf.files.grown, h, g->len, g->lines, &g->id, today) != 0) {
            return CM_ENOMEM;
        }
    }
    return 0;
}

/*
 * The identities of the files this scan read whole or left out as read before, seen
 * today, merged into the file's; then the old ones forgotten (fileseen.h).
 */
static int note_files(struct cm_scan_state *ss, const struct cm_scan_stats *st)
{
    uint32_t today = cm_scan_state_today();

    ss->nread = ss->nresumed = 0;
    for (size_t i = 0; i < st->ninputs; i++) {
        const char *base;

        if (st->inputs[i].id_state == CM_SCAN_ID_NONE) {
            continue;
        }
        base = cm_file_id_base(st->inputs[i].path);
        ss->nread += st->inputs[i].id_state == CM_SCAN_ID_READ;
        if (cm_fileseen_add(&ss->sf.files, &st->inputs[i].id, today) != 0 ||
            (st->inputs[i].id_state == CM_SCAN_ID_BEFORE &&
             renew_grown(&ss->sf.files, base, strlen(base), st->inputs[i].size, today) != 0)) {
            return CM_ENOMEM;
        }
    }
    if (note_grown(ss, st, today) != 0) {
        return CM_ENOMEM;
    }
    ss->nread -= ss->nresumed < ss->nread ? ss->nresumed : ss->nread;
    return cm_fileseen_settle(&ss->sf.files, today, &ss->forgot);
}

uint32_t cm_scan_state_today(void)
{
    return (uint32_t)(cm_clock_now_ms() / (86400 * 1000LL));
}

int cm_scan_state_renew(struct cm_scan_state *ss, const char *path, size_t pathlen, uint64_t size,
                        const struct cm_file_id *id, uint32_t day)
{
    const char *base = cm_file_id_basen(path, pathlen);

    if (cm_fileseen_add(&ss->sf.files, id, day) != 0 ||
        renew_grown(&ss->sf.files, base, pathlen - (size_t)(base - path), size, day) != 0) {
        return CM_ENOMEM;
    }
    return 0;
}

int cm_scan_state_write(struct cm_scan_state *ss, const struct cm_scan_stats *st, bool quiet,
                        char *err, size_t errlen)
{
    if (ss->path == NULL) {
        return 0;
    }
    if (!ss->final) {
        if (note_files(ss, st) != 0) {
            snprintf(err, errlen, "--state %s: out of memory", ss->path);
            return CM_ENOMEM;
        }
        if (cm_statefile_write(&ss->sf, input_path, st) != 0) {
            snprintf(err, errlen, "--state %s", ss->sf.err);
            return CM_EIO;
        }
    }
    if (quiet) {
        return 0;
    }
    fprintf(stderr, "  carried:  %s", ss->path);
    if (ss->loaded) {
        char when[40] = "";
        cm_time_format_iso_s(ss->sf.saved_ms, when, sizeof(when));
        fprintf(stderr, " (read: %u shards, saved %s)", ss->sf.nshards, when);
    } else {
        fprintf(stderr, " (new)");
    }
    if (ss->final) {
        fprintf(stderr, "; --final: every window closed, the file left as it was\n");
    } else {
        fprintf(stderr, "; written %" PRIu64 " bytes, open windows carried over\n", ss->sf.written);
    }
    if (!ss->final) {
        fprintf(stderr, "            files: %zu remembered as read (%zu read whole now",
                ss->sf.files.n, ss->nread);
        if (ss->nresumed > 0) {
            fprintf(stderr, ", %zu grown since an earlier scan read from where it stopped",
                    ss->nresumed);
        }
        if (ss->forgot.aged + ss->forgot.capped) {
            fprintf(stderr, "; %zu forgotten: %zu not given for %u days, %zu past %zu",
                    ss->forgot.aged + ss->forgot.capped, ss->forgot.aged, ss->sf.files.max_days,
                    ss->forgot.capped, ss->sf.files.max_n);
        }
        fprintf(stderr, ")%s\n", ss->reread ? ", --reread: read again if remembered" : "");
    }
    if (ss->sf.stale > 0) {
        fprintf(stderr,
                "            removed %u temporary file%s left beside it by a scan killed while "
                "writing it\n",
                ss->sf.stale, ss->sf.stale == 1 ? "" : "s");
    }
    if (ss->loaded && ss->sf.files_reset) {
        fprintf(stderr,
                "            files read by earlier scans: none in the file (state file "
                "version %u): every file given was read\n",
                ss->sf.version);
    }
    if (ss->loaded && ss->sf.dropped[0]) {
        fprintf(stderr,
                "            started afresh (state of another version or other settings): %s\n",
                ss->sf.dropped);
    }
    return 0;
}

int cm_scan_state_memory(struct cm_scan_state *ss, struct cm_scan_opts *o, char *err, size_t errlen)
{
    int rc;

    cm_statefile_init(&ss->sf, "(the state in memory)");
    ss->opened = true;
    ss->memory = true;
    o->threads = cm_scan_threads(o);
    if ((rc = cm_statefile_begin_save(&ss->sf, o->threads, o->seed)) != 0) {
        snprintf(err, errlen, "%s", ss->sf.err);
        return rc;
    }
    ss->hooks.load = NULL;
    ss->hooks.save = save;
    ss->hooks.ud = &ss->sf;
    o->state = &ss->hooks;
    o->files_seen = NULL;
    o->file_ids = true;
    return 0;
}

int cm_scan_state_carry(struct cm_scan_state *ss, const struct cm_scan_stats *st, bool write,
                        struct cm_scan_opts *o, char *err, size_t errlen)
{
    const char *name = ss->path != NULL ? ss->path : "the state in memory";

    if (note_files(ss, st) != 0) {
        snprintf(err, errlen, "--state %s: out of memory", name);
        return CM_ENOMEM;
    }
    if (write && ss->path != NULL && cm_statefile_write(&ss->sf, input_path, st) != 0) {
        snprintf(err, errlen, "--state %s", ss->sf.err);
        return CM_EIO;
    }
    if (cm_statefile_carry(&ss->sf, input_path, st) != 0) {
        snprintf(err, errlen, "%s", ss->sf.err);
        return CM_ENOMEM;
    }
    ss->loaded = true;
    ss->hooks.load = load;
    ss->hooks.save = save;
    ss->hooks.ud = &ss->sf;
    o->state = &ss->hooks;
    o->files_seen = !ss->reread && ss->sf.files.n > 0 ? &ss->sf.files : NULL;
    return 0;
}

const char *cm_scan_state_name(const struct cm_scan_state *ss, uint32_t file_id, size_t *len)
{
    return (ss->path || ss->memory) && ss->loaded ? cm_statefile_name(&ss->sf, file_id, len) : NULL;
}

void cm_scan_state_close(struct cm_scan_state *ss)
{
    if (ss->opened) { /* a zeroed sf's lock_fd would be 0: standard input */
        cm_statefile_free(&ss->sf);
    }
}
