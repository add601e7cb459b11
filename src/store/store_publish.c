/*
 * The publishing frequency (see store.h and docs/internals/bus.md,
 * "Publishing frequency"): the setting, and the release of held updates
 * into the outbox once their interval has ended.
 *
 * store_findings.c holds an update (a stored finding with new events) in
 * outbox_held instead of the outbox, and store_update.c holds a finding
 * unarchived by hand; a finding keeps one held row, with the time of its
 * first held change, however often it changes before the release. The
 * release makes one outbox row per finding, and the bus makes its event
 * from the finding as stored then: one event, with the latest state.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "core/clock.h"

static const char *const freq_names[] = {"FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"};
static const int64_t freq_ms[] = {900000, 3600000, 21600000};

#define NFREQ (sizeof(freq_names) / sizeof(freq_names[0]))

const char *cm_publish_freq_name(enum cm_publish_freq f)
{
    return (unsigned)f < NFREQ ? freq_names[f] : "?";
}

int cm_publish_freq_parse(const char *name, enum cm_publish_freq *out)
{
    for (size_t i = 0; name != NULL && i < NFREQ; i++) {
        if (strcmp(name, freq_names[i]) == 0) {
            *out = (enum cm_publish_freq)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

int64_t cm_publish_freq_ms(enum cm_publish_freq f)
{
    return freq_ms[(unsigned)f < NFREQ ? f : CM_PUBLISH_SIX_HOURS];
}

int cm_store_set_publish_freq(struct cm_store *st, enum cm_publish_freq f, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO;

    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO settings(key, value)"
                           " VALUES ('finding_publishing_frequency', ?)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, cm_publish_freq_name(f), -1, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    if (rc != 0) {
        rc = cm_store_db_fail(db, "setting the publishing frequency", err, errlen);
    }
    sqlite3_finalize(q);
    return rc;
}

/* The setting as db has it; an absent or unknown value is the default. */
static int read_freq(sqlite3 *db, enum cm_publish_freq *f)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    *f = CM_PUBLISH_SIX_HOURS;
    if (sqlite3_prepare_v2(db,
                           "SELECT value FROM settings WHERE key = 'finding_publishing_frequency'",
                           -1, &q, NULL) == SQLITE_OK) {
        step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            (void)cm_publish_freq_parse((const char *)sqlite3_column_text(q, 0), f);
            rc = CM_OK;
        } else if (step == SQLITE_DONE) {
            rc = CM_OK;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_publish_freq(struct cm_store *st, enum cm_publish_freq *f)
{
    return read_freq(cm_store_db(st), f);
}

int64_t cm_store_held_count(struct cm_store *st)
{
    return cm_store_int(cm_store_db(st), "SELECT count(*) FROM outbox_held", NULL);
}

struct release {
    int64_t now_ms;
    int64_t released, held;
    bool all; /* every held update, whatever its interval */
};

/*
 * Runs sql with the integers a and b bound to ?1 and ?2 (those it has); *n gets the rows
 * changed, or the first column of a query.
 */
static int run2(sqlite3 *db, const char *sql, int64_t a, int64_t b, int64_t *n)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        int np = sqlite3_bind_parameter_count(q);
        if (np >= 1) {
            sqlite3_bind_int64(q, 1, a);
        }
        if (np >= 2) {
            sqlite3_bind_int64(q, 2, b);
        }
        step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            *n = sqlite3_column_int64(q, 0);
            rc = CM_OK;
        } else if (step == SQLITE_DONE) {
            *n = (int64_t)sqlite3_changes(db);
            rc = CM_OK;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

static int release_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    struct release *x = (struct release *)(uintptr_t)arg;
    enum cm_publish_freq f;
    int64_t every, start, dropped = 0;

    if (read_freq(db, &f) != 0) {
        return cm_store_db_fail(db, "reading the publishing frequency", err, errlen);
    }
    every = cm_publish_freq_ms(f);
    /* The start of the interval now is in: what was held before it is due. */
    start = x->all ? INT64_MAX : x->now_ms - (x->now_ms % every + every) % every;
    /*
     * Held after now: the wall clock was set back since (an NTP step on a machine that
     * started with its clock ahead). Counted from then, the update would wait the step
     * on top of its interval (set back a day, a day more; before 2026-12-05): it is held
     * from now instead, and goes out at the end of the current interval.
     */
    if (run2(db, "UPDATE outbox_held SET since_ms = ?1 WHERE since_ms > ?1", cm_clock_now_ms(), 0,
             &dropped) != 0) {
        return cm_store_db_fail(db, "releasing held updates", err, errlen);
    }
    /*
     * Archived since it was held (by hand, or a later update a suppression rule matched):
     * GuardDuty sends no archived finding. Unarchiving it holds it again.
     */
    if (run2(db,
             "DELETE FROM outbox_held WHERE fid IN"
             " (SELECT h.fid FROM outbox_held h JOIN findings f ON f.seq = h.fid"
             " WHERE f.archived)",
             0, 0, &dropped) != 0 ||
        run2(db,
             "INSERT INTO outbox(fid, created_ms) SELECT fid, ?2 FROM outbox_held"
             " WHERE since_ms < ?1 ORDER BY since_ms, fid",
             start, x->now_ms, &x->released) != 0 ||
        run2(db, "DELETE FROM outbox_held WHERE since_ms < ?1", start, 0, &dropped) != 0 ||
        run2(db, "SELECT count(*) FROM outbox_held", 0, 0, &x->held) != 0) {
        return cm_store_db_fail(db, "releasing held updates", err, errlen);
    }
    return CM_OK;
}

int cm_store_outbox_release(struct cm_store *st, int64_t now_ms, int64_t *released, int64_t *held,
                            char *err, size_t errlen)
{
    return cm_store_outbox_release_ex(st, now_ms, false, released, held, err, errlen);
}

int cm_store_outbox_release_ex(struct cm_store *st, int64_t now_ms, bool all, int64_t *released,
                               int64_t *held, char *err, size_t errlen)
{
    struct release x = {now_ms, 0, 0, all};
    int64_t n = cm_store_held_count(st);
    int rc = CM_OK;

    if (n < 0) {
        return cm_store_db_fail(cm_store_db(st), "reading held updates", err, errlen);
    }
    /* Nothing held (the common case, and every store with no rule): no write transaction. */
    if (n > 0) {
        rc = cm_store_txn(cm_store_db(st), release_body, &x, "releasing held updates", err, errlen);
    }
    if (released) {
        *released = rc == 0 ? x.released : 0;
    }
    if (held) {
        *held = rc == 0 ? x.held : 0;
    }
    return rc;
}
