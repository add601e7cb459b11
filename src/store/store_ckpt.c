/*
 * WAL checkpoints off the writer's thread (see store_impl.h and
 * docs/internals/store.md, "Checkpoints").
 *
 * In WAL mode a commit appends the changed pages to the -wal file, and a
 * checkpoint copies them into the database file, with an fsync of each
 * file (synchronous=NORMAL syncs nothing else). SQLite runs checkpoints in
 * the committing thread; with a batch of new findings writing ~2.5 KB per
 * finding, the copy and the two fsyncs were a fifth of the writer's time
 * and most of its waiting. Here a thread with its own connection runs them:
 * the writer's connection has no automatic checkpoint, and its WAL hook
 * (called after each commit with the WAL's size in pages) wakes the thread
 * when the WAL holds CKPT_FRAMES pages. If the thread falls behind and the
 * WAL reaches CKPT_HARD pages, the writer waits for it and checkpoints
 * itself, so the WAL stays bounded.
 *
 * A checkpoint is safe at any moment (SQLite's own protocol: the WAL keeps
 * every page until the database file has it and is synced), so a kill -9
 * of the process in the middle of one loses nothing committed.
 */
#include "store/store_impl.h"

#include <pthread.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define CKPT_FRAMES 4096  /* pages in the WAL that wake the thread (64 MiB) */
#define CKPT_HARD   32768 /* pages at which the writer checkpoints itself (512 MiB) */

struct cm_store_ckpt {
    sqlite3 *db; /* the thread's connection */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t wake; /* pending or stop */
    pthread_cond_t idle; /* a checkpoint finished */
    bool pending, busy, stop;
};

static void *run(void *arg)
{
    struct cm_store_ckpt *c = arg;

    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->pending && !c->stop) {
            pthread_cond_wait(&c->wake, &c->mu);
        }
        if (c->stop) {
            break;
        }
        c->pending = false;
        c->busy = true;
        pthread_mutex_unlock(&c->mu);
        /* PASSIVE: copies what it can without waiting for the writer or readers. */
        (void)sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&c->mu);
        c->busy = false;
        pthread_cond_broadcast(&c->idle);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* The writer's WAL hook: after each commit, with the WAL's size in pages. */
static int on_commit(void *ud, sqlite3 *db, const char *name, int pages)
{
    struct cm_store_ckpt *c = ud;

    if (pages >= CKPT_HARD) {
        pthread_mutex_lock(&c->mu);
        while (c->busy) {
            pthread_cond_wait(&c->idle, &c->mu);
        }
        pthread_mutex_unlock(&c->mu);
        (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    } else if (pages >= CKPT_FRAMES) {
        pthread_mutex_lock(&c->mu);
        c->pending = true;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->mu);
    }
    return SQLITE_OK;
}

int cm_store_ckpt_start(struct cm_store_ckpt **out, sqlite3 *writer, const char *path)
{
    struct cm_store_ckpt *c = cm_calloc(1, sizeof(*c));
    int rc = CM_EIO;

    *out = NULL;
    if (path == NULL || *path == '\0') {
        cm_free(c);
        return CM_EIO; /* a temporary database: nobody else can open it */
    }
    if (c == NULL) {
        return CM_ENOMEM;
    }
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
        goto fail_db;
    }
    sqlite3_busy_timeout(c->db, 5000);
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        goto fail_db;
    }
    if (pthread_cond_init(&c->wake, NULL) != 0) {
        goto fail_mu;
    }
    if (pthread_cond_init(&c->idle, NULL) != 0) {
        goto fail_wake;
    }
    if (pthread_create(&c->th, NULL, run, c) != 0) {
        goto fail_idle;
    }
    /* Replaces the automatic checkpoint (which is itself a WAL hook). */
    sqlite3_wal_hook(writer, on_commit, c);
    *out = c;
    return CM_OK;
fail_idle:
    pthread_cond_destroy(&c->idle);
fail_wake:
    pthread_cond_destroy(&c->wake);
fail_mu:
    pthread_mutex_destroy(&c->mu);
fail_db:
    sqlite3_close(c->db);
    cm_free(c);
    return rc;
}

void cm_store_ckpt_stop(struct cm_store_ckpt *c, sqlite3 *writer)
{
    if (c == NULL) {
        return;
    }
    /* Back to SQLite's automatic checkpoint (1000 pages) for whatever the writer does next. */
    sqlite3_wal_autocheckpoint(writer, 1000);
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->th, NULL);
    pthread_cond_destroy(&c->idle);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->mu);
    sqlite3_close(c->db);
    cm_free(c);
}
