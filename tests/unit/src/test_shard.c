/*
 * Unit tests for src/core/shard.h: three shards over one mutex-guarded sink
 * each see exactly their own events, in push order; a batch goes back to
 * the pool only when every shard has released it; stop flushes the engine
 * (on_tick with an infinite watermark) and reports the first detector
 * error; pushing NULL is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "core/batch.h"
#include "core/shard.h"
#include "detect/detect.h"

#define NSHARDS 3
#define MAXLOG  4096

/* What one shard's detector saw; written by the shard thread, read after stop. */
struct shard_log {
    int64_t t[MAXLOG];
    size_t n;
    int ticks;
    int64_t last_tick;
    int64_t fail_time; /* on_event fails at this time (0: never) */
    int tick_rc;       /* what on_tick returns */
    int fails;         /* on_event calls that returned an error */
};

/* Reached through opts->config->ext (a const pointer to a mutable log). */
struct log_cfg {
    struct shard_log *log;
};

/* The shared sink: shards emit from their threads, so it locks. */
struct tsink {
    pthread_mutex_t mu;
    size_t n;
    int64_t sum;
};

static int tsink_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    struct tsink *s = sink->ud;

    pthread_mutex_lock(&s->mu);
    s->n++;
    s->sum += d->time_ms;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static int r_init(void **state, const struct cm_detect_opts *o)
{
    const struct log_cfg *cfg = o->config ? o->config->ext : NULL;

    if (cfg == NULL) {
        return CM_EINVAL;
    }
    *state = cfg->log;
    return 0;
}

static int r_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct shard_log *l = state;
    struct cm_detection d;

    if (l->fail_time && ev->time_ms >= l->fail_time) {
        /* The first failure is CM_ERANGE; any later call would say CM_EIO. */
        return l->fails++ ? CM_EIO : CM_ERANGE;
    }
    if (l->n < MAXLOG) {
        l->t[l->n] = ev->time_ms;
    }
    l->n++;
    memset(&d, 0, sizeof(d));
    d.type = "Test:Shard/Seen";
    d.time_ms = ev->time_ms;
    d.account = ev->account;
    d.count = 1;
    d.event = ev;
    return cm_sink_emit(sink, &d);
}

static int r_tick(void *state, int64_t wm, struct cm_sink *sink)
{
    struct shard_log *l = state;

    (void)sink;
    l->ticks++;
    l->last_tick = wm;
    return l->tick_rc;
}

static const char *const r_types[] = {"Test:Shard/Seen", NULL};

static const struct cm_detector det_record = {
    .name = "record",
    .types = r_types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = r_init,
    .on_event = r_event,
    .on_tick = r_tick,
};

static const struct cm_detector *const table[] = {&det_record, NULL};

struct fixture {
    struct cm_batch_pool pool;
    struct cm_filebuf *fb;
    struct tsink sink_state;
    struct cm_sink sink;
    struct shard_log *logs; /* NSHARDS */
    struct log_cfg cfg[NSHARDS];
    struct cm_detect_config dcfg[NSHARDS];
    struct cm_detect_opts opts[NSHARDS];
    struct cm_shard sh[NSHARDS];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char *text = malloc(64);

    if (f == NULL || text == NULL) {
        free(f);
        free(text);
        return -1;
    }
    memcpy(text, "stand-in for a decoded input", 29);
    f->fb = cm_filebuf_create(text, 28, 0);
    f->logs = calloc(NSHARDS, sizeof(*f->logs));
    if (f->fb == NULL || f->logs == NULL) {
        return -1;
    }
    cm_batch_pool_init(&f->pool, 32, 64, 0);
    pthread_mutex_init(&f->sink_state.mu, NULL);
    f->sink.emit = tsink_emit;
    f->sink.ud = &f->sink_state;
    for (int i = 0; i < NSHARDS; i++) {
        f->cfg[i].log = &f->logs[i];
        f->opts[i].tick_ms = 1000000; /* no regular tick: event times stay below it */
        f->dcfg[i].ext = &f->cfg[i];
        f->opts[i].config = &f->dcfg[i];
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    cm_batch_pool_finish(&f->pool);
    cm_filebuf_release(f->fb);
    pthread_mutex_destroy(&f->sink_state.mu);
    free(f->logs);
    free(f);
    return 0;
}

static void start_all(struct fixture *f)
{
    for (unsigned i = 0; i < NSHARDS; i++) {
        assert_int_equal(cm_shard_start(&f->sh[i], i, table, &f->opts[i], &f->sink, &f->pool, NULL),
                         0);
    }
}

/* Pool size, read under its lock (shards put batches back from their threads). */
static size_t pool_count(struct cm_batch_pool *pool)
{
    size_t n;

    pthread_mutex_lock(&pool->mu);
    n = pool->n;
    pthread_mutex_unlock(&pool->mu);
    return n;
}

/* Waits up to about 5 s for the pool to hold want batches. */
static int wait_pool(struct cm_batch_pool *pool, size_t want)
{
    struct timespec ts = {0, 1000000};

    for (int i = 0; i < 5000; i++) {
        if (pool_count(pool) == want) {
            return 1;
        }
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Event k: time 1000 + k, shard spread unevenly (runs and jumps). */
static int64_t ev_time(int k)
{
    return 1000 + k;
}

static uint16_t ev_shard(int k)
{
    return (uint16_t)((k / 3 + k * k) % NSHARDS);
}

/* A batch of n events numbered from k0, refs set for all shards. */
static struct cm_batch *make_batch(struct fixture *f, int k0, uint32_t n)
{
    struct cm_batch *b = cm_batch_get(&f->pool, f->fb);

    assert_non_null(b);
    assert_true(n <= b->cap);
    for (uint32_t i = 0; i < n; i++) {
        memset(&b->ev[i], 0, sizeof(b->ev[i]));
        b->ev[i].kind = CM_EV_FLOW;
        b->ev[i].time_ms = ev_time(k0 + (int)i);
        b->ev[i].account = CM_STR_LIT("111122223333");
        b->shard[i] = ev_shard(k0 + (int)i);
    }
    b->n = n;
    atomic_store(&b->refs, NSHARDS);
    return b;
}

#define NBATCH 20
#define PER    25

static void test_order_and_release(void **state)
{
    struct fixture *f = *state;
    struct cm_batch *b[NBATCH];
    int64_t sum = 0;
    size_t want[NSHARDS] = {0};
    int k = 0;

    start_all(f);
    /* All batches first, so none is a reused one and the pool count is exact. */
    for (int i = 0; i < NBATCH; i++) {
        uint32_t n = (uint32_t)(i % 5 == 4 ? 0 : PER - i % 3); /* some empty batches */
        b[i] = make_batch(f, k, n);
        for (uint32_t j = 0; j < n; j++) {
            sum += ev_time(k + (int)j);
            want[ev_shard(k + (int)j)]++;
        }
        k += (int)n;
    }
    assert_int_equal(atomic_load(&f->fb->refs), 1 + NBATCH);
    for (int i = 0; i < NBATCH; i++) {
        for (int s = 0; s < NSHARDS; s++) {
            assert_int_equal(cm_shard_push(&f->sh[s], b[i]), 0);
        }
    }
    /* Every batch comes back once all three released it, before any stop. */
    assert_true(wait_pool(&f->pool, NBATCH));
    assert_int_equal(atomic_load(&f->fb->refs), 1);
    for (int s = 0; s < NSHARDS; s++) {
        assert_int_equal(cm_shard_stop(&f->sh[s]), 0);
    }
    /* Stopping twice is harmless. */
    assert_int_equal(cm_shard_stop(&f->sh[0]), 0);

    for (int s = 0; s < NSHARDS; s++) {
        const struct shard_log *l = &f->logs[s];
        size_t at = 0;

        assert_int_equal(l->n, want[s]);
        assert_true(l->n > 0);
        for (int e = 0; e < k; e++) {
            if (ev_shard(e) == s) {
                assert_true(l->t[at] == ev_time(e)); /* its own events, in push order */
                at++;
            }
        }
        assert_int_equal(at, l->n);
        /* The flush at stop: one tick, with the infinite watermark. */
        assert_int_equal(l->ticks, 1);
        assert_true(l->last_tick == INT64_MAX);
    }
    assert_int_equal(f->sink_state.n, (size_t)k);
    assert_true(f->sink_state.sum == sum);
    assert_int_equal(f->pool.n, NBATCH);
}

static void test_release_waits_for_all(void **state)
{
    struct fixture *f = *state;
    struct cm_batch *b;

    start_all(f);
    b = make_batch(f, 0, 10);
    assert_int_equal(cm_shard_push(&f->sh[0], b), 0);
    assert_int_equal(cm_shard_push(&f->sh[1], b), 0);
    /* Joining the two makes sure they are done with it. */
    assert_int_equal(cm_shard_stop(&f->sh[0]), 0);
    assert_int_equal(cm_shard_stop(&f->sh[1]), 0);
    assert_int_equal(f->pool.n, 0);
    assert_int_equal(atomic_load(&b->refs), 1);
    assert_int_equal(atomic_load(&f->fb->refs), 2);
    assert_int_equal(f->logs[2].n, 0);

    assert_int_equal(cm_shard_push(&f->sh[2], b), 0);
    assert_int_equal(cm_shard_stop(&f->sh[2]), 0);
    assert_int_equal(f->pool.n, 1);
    assert_int_equal(atomic_load(&f->fb->refs), 1);
    assert_int_equal(f->logs[0].n + f->logs[1].n + f->logs[2].n, 10);
    for (int s = 0; s < NSHARDS; s++) {
        size_t want = 0;
        for (int e = 0; e < 10; e++) {
            want += ev_shard(e) == s;
        }
        assert_int_equal(f->logs[s].n, want);
        assert_int_equal(f->logs[s].ticks, 1);
        assert_true(f->logs[s].last_tick == INT64_MAX);
    }
}

static void test_first_error(void **state)
{
    struct fixture *f = *state;
    struct cm_batch *b[4];
    int k = 0;
    size_t seen_before = 0;

    /* Shard 1 fails at its first event at or after time 1040; its flush would fail too. */
    f->logs[1].fail_time = ev_time(40);
    f->logs[1].tick_rc = CM_EFULL;
    /* Shard 2 only fails in its flush. */
    f->logs[2].tick_rc = CM_EFULL;
    start_all(f);
    for (int i = 0; i < 4; i++) {
        b[i] = make_batch(f, k, 20);
        k += 20;
    }
    for (int i = 0; i < 4; i++) {
        for (int s = 0; s < NSHARDS; s++) {
            assert_int_equal(cm_shard_push(&f->sh[s], b[i]), 0);
        }
    }
    for (int e = 0; e < 40; e++) {
        seen_before += ev_shard(e) == 1;
    }
    assert_int_equal(cm_shard_stop(&f->sh[0]), 0);
    assert_int_equal(cm_shard_stop(&f->sh[1]), CM_ERANGE);
    assert_int_equal(cm_shard_stop(&f->sh[2]), CM_EFULL);
    /* After its error shard 1 saw nothing more and did not flush... */
    assert_int_equal(f->logs[1].n, seen_before);
    assert_int_equal(f->logs[1].fails, 1);
    assert_int_equal(f->logs[1].ticks, 0);
    /* ...yet it released every batch, so all came back. */
    assert_int_equal(f->pool.n, 4);
    assert_int_equal(atomic_load(&f->fb->refs), 1);
    assert_int_equal(f->logs[0].ticks, 1);
    assert_int_equal(f->logs[2].ticks, 1);
    assert_true(f->logs[2].last_tick == INT64_MAX);
    /* The error stays: a second stop returns it again. */
    assert_int_equal(cm_shard_stop(&f->sh[1]), CM_ERANGE);
}

static void test_push_null(void **state)
{
    struct fixture *f = *state;
    struct cm_batch *b;

    start_all(f);
    for (int s = 0; s < NSHARDS; s++) {
        assert_int_equal(cm_shard_push(&f->sh[s], NULL), CM_EINVAL);
    }
    /* The refused NULL did not end the input: a batch still goes through. */
    b = make_batch(f, 0, 10);
    for (int s = 0; s < NSHARDS; s++) {
        assert_int_equal(cm_shard_push(&f->sh[s], b), 0);
        assert_int_equal(cm_shard_push(&f->sh[s], NULL), CM_EINVAL);
    }
    for (int s = 0; s < NSHARDS; s++) {
        size_t want = 0;

        assert_int_equal(cm_shard_stop(&f->sh[s]), 0);
        for (int e = 0; e < 10; e++) {
            want += ev_shard(e) == s;
        }
        assert_int_equal(f->logs[s].n, want);
        assert_int_equal(f->logs[s].ticks, 1);
        assert_true(f->logs[s].last_tick == INT64_MAX);
    }
    assert_int_equal(f->pool.n, 1);
}

static void test_start_error(void **state)
{
    struct fixture *f = *state;
    struct cm_detect_opts bad = {0};

    /* The detector's init refuses a missing config: start fails and leaves nothing. */
    assert_int_equal(cm_shard_start(&f->sh[0], 0, table, &bad, &f->sink, &f->pool, NULL),
                     CM_EINVAL);
    assert_int_equal(f->sh[0].running, 0);
    assert_null(f->sh[0].engine);
    assert_null(f->sh[0].endq);
    assert_int_equal(cm_shard_stop(&f->sh[0]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_waits_for_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_error, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
