/*
 * The keeper of a watched SQS queue's messages (follow_sqs_impl.h): a thread that hides
 * again, every KEEP_TICK_MS, the messages that waited half their visibility timeout, also
 * while the follow's thread scans their batch.
 */
#include "core/follow_sqs_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "core/clock.h"

static void *keeper_main(void *ud);

int cm_follow_sqs_keeper_start(struct cm_follow_sqs *fs)
{
    if (cm_clock_wait_init(&fs->mu, &fs->cv) != 0) {
        return CM_ENOMEM;
    }
    if (!fs->o.no_keeper) {
        if (pthread_create(&fs->keeper, NULL, keeper_main, fs) != 0) {
            pthread_cond_destroy(&fs->cv);
            pthread_mutex_destroy(&fs->mu);
            return CM_ENOMEM;
        }
        fs->keeping = true;
    }
    return 0;
}

void cm_follow_sqs_keeper_stop(struct cm_follow_sqs *fs)
{
    if (fs->keeping) {
        pthread_mutex_lock(&fs->mu);
        fs->stop = true;
        pthread_cond_signal(&fs->cv);
        pthread_mutex_unlock(&fs->mu);
        pthread_join(fs->keeper, NULL);
    }
    pthread_cond_destroy(&fs->cv);
    pthread_mutex_destroy(&fs->mu);
    for (size_t i = 0; i < fs->nkc; i++) {
        cm_sqs_close(fs->kc[i]);
    }
    cm_free(fs->kc);
}

/*
 * The keeper's client for queue qi (opened at its first use, as the follow's is: the same
 * endpoint and region), or NULL (said). The keeper thread only.
 */
static struct cm_sqs *keeper_client(struct cm_follow_sqs *fs, size_t qi, const char *ep,
                                    const char *region)
{
    char err[600] = "";

    if (qi >= fs->nkc) {
        struct cm_sqs **kc = cm_realloc(fs->kc, (qi + 1) * sizeof(*kc));

        if (kc == NULL) {
            return NULL;
        }
        for (size_t i = fs->nkc; i <= qi; i++) {
            kc[i] = NULL;
        }
        fs->kc = kc;
        fs->nkc = qi + 1;
    }
    if (fs->kc[qi] == NULL &&
        cm_sqs_open_at(&fs->kc[qi], fs->o.s3, ep, region, err, sizeof(err)) != 0) {
        fs->kc[qi] = NULL;
        if (!fs->o.quiet) {
            fprintf(stderr, "coalmine follow: %s\n", err);
        }
    }
    return fs->kc[qi];
}

/*
 * Hides again, for their visibility timeout from now, the messages of queue qi (SIZE_MAX:
 * of every queue) that waited half of it: with the follow's clients (keeper false, the
 * follow's thread) or the keeper's. A message is marked hidden at now_ms when taken, so the
 * other thread does not send it too.
 */
void cm_follow_sqs_hide_due(struct cm_follow_sqs *fs, size_t only, int64_t now_ms, bool keeper)
{
    for (size_t qi = 0;; qi++) {
        char *h[CM_SQS_MAX_BATCH], *url = NULL, ep[1100] = "", region[64] = "";
        size_t n = 0;
        unsigned vis = 0;
        int64_t half;
        bool last;

        pthread_mutex_lock(&fs->mu);
        last = qi >= fs->nq;
        if (!last && (only == SIZE_MAX || only == qi)) {
            struct queue *q = &fs->qs[qi];

            vis = q->loc.visibility_s;
            half = (int64_t)vis * 500;
            for (size_t i = 0; i < fs->nm && n < CM_SQS_MAX_BATCH; i++) {
                struct msg *m = &fs->m[i];

                if (m->q == qi && !m->release && now_ms - m->hidden_ms >= half &&
                    (h[n] = cm_strndup(m->handle, strlen(m->handle))) != NULL) {
                    m->hidden_ms = now_ms;
                    n++;
                }
            }
            if (n > 0) {
                url = cm_strndup(q->queue_url, strlen(q->queue_url));
                if (q->loc.queue_url[0] == '\0' || fs->custom) {
                    snprintf(ep, sizeof(ep), "%s", cm_sqs_endpoint(fs->c));
                } else {
                    snprintf(ep, sizeof(ep), "%s", q->loc.endpoint);
                }
                snprintf(region, sizeof(region), "%s", q->loc.region);
            }
        }
        pthread_mutex_unlock(&fs->mu);
        if (last) {
            return;
        }
        if (n > 0) {
            struct cm_sqs *c = keeper ? keeper_client(fs, qi, ep, region) : fs->qs[qi].c;
            unsigned failed = 0;
            char err[600] = "out of memory";
            bool bad = c == NULL || url == NULL ||
                       cm_sqs_visibility(c, url, (const char *const *)h, n, vis, &failed, err,
                                         sizeof(err)) != 0;

            if (keeper) {
                pthread_mutex_lock(&fs->mu);
                fs->k_errors += bad;
                fs->k_attempts = 0;
                for (size_t i = 0; i < fs->nkc; i++) {
                    fs->k_attempts += fs->kc[i] != NULL ? cm_sqs_attempts(fs->kc[i]) : 0;
                }
                pthread_mutex_unlock(&fs->mu);
            } else {
                fs->st.errors += bad;
            }
            if ((bad || failed != 0) && !fs->o.quiet) {
                fprintf(stderr,
                        "coalmine follow: %s: messages not hidden again: %s (one may be "
                        "delivered again while its objects are read: they are left out as "
                        "read)\n",
                        url != NULL ? url : "a queue", err);
            }
            for (size_t i = 0; i < n; i++) {
                cm_free(h[i]);
            }
            cm_free(url);
            if (n == CM_SQS_MAX_BATCH) {
                qi--; /* more of this queue may be due */
            }
        }
    }
}

int cm_follow_sqs_keep(struct cm_follow_sqs *fs, int64_t now_ms)
{
    cm_follow_sqs_hide_due(fs, SIZE_MAX, now_ms, true);
    return 0;
}

/* The keeper thread: every KEEP_TICK_MS, the messages due hidden again, until stopped. */
static void *keeper_main(void *ud)
{
    struct cm_follow_sqs *fs = ud;

    pthread_mutex_lock(&fs->mu);
    while (!fs->stop) {
        struct timespec until;

        pthread_mutex_unlock(&fs->mu);
        (void)cm_follow_sqs_keep(fs, cm_clock_now_ms());
        until = cm_clock_deadline(KEEP_TICK_MS);
        pthread_mutex_lock(&fs->mu);
        while (!fs->stop && pthread_cond_timedwait(&fs->cv, &fs->mu, &until) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&fs->mu);
    return NULL;
}
