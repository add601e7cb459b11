/*
 * The shard seed of a scan that keeps none (no --state, no follow). CloudTrail is
 * sharded by account, since its detectors keep account-wide state; with few accounts
 * the hash can put them all on one worker (the bench's two accounts did at two
 * threads: one core analysed every record while the other waited). The accounts are
 * known before anything is read, from the inputs' object keys, and how much each
 * holds from the files' sizes: of SPREAD_TRIES seeds, the one whose busiest worker
 * has the fewest CloudTrail bytes is taken, the given seed when none does better.
 * Which shard an entity lands on changes no finding: each entity's events still meet
 * in one shard.
 */
#include <string.h>

#include "event/event.h"
#include "source/input.h"
#include "core/scan_impl.h"

#define SPREAD_TRIES    256
#define SPREAD_ACCOUNTS 64 /* more accounts than this: the hash spreads them well enough */
#define SPREAD_WORKERS  256

struct account {
    struct cm_str id;
    uint64_t bytes;
};

/* The busiest worker's bytes with seed. */
static uint64_t busiest(const struct account *a, size_t n, unsigned workers, uint64_t seed)
{
    uint64_t load[SPREAD_WORKERS] = {0}, most = 0;
    struct cm_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_CLOUDTRAIL;
    for (size_t i = 0; i < n; i++) {
        unsigned w;

        ev.account = a[i].id;
        w = (unsigned)(cm_event_entity_hash(&ev, seed) % workers);
        load[w] += a[i].bytes;
        most = load[w] > most ? load[w] : most;
    }
    return most;
}

uint64_t cm_scan_spread_seed(const struct cm_inputs *in, unsigned workers, uint64_t seed)
{
    struct account a[SPREAD_ACCOUNTS];
    uint64_t best, best_seed = seed;
    size_t n = 0;

    if (workers < 2 || workers > SPREAD_WORKERS) {
        return seed;
    }
    for (size_t i = 0; i < in->n; i++) {
        const struct cm_input *v = &in->v[i];
        struct cm_str id;
        size_t k = 0;

        if (v->is_stdin || v->other != NULL || v->skip_as != NULL || v->path == NULL ||
            strstr(v->path, "/CloudTrail/") == NULL) {
            continue;
        }
        id = cm_input_key_account(v->path);
        if (id.len == 0) {
            continue;
        }
        while (k < n && !(a[k].id.len == id.len && memcmp(a[k].id.p, id.p, id.len) == 0)) {
            k++;
        }
        if (k == n) {
            if (n == SPREAD_ACCOUNTS) {
                return seed;
            }
            a[n].id = id;
            a[n++].bytes = 0;
        }
        a[k].bytes += v->size;
    }
    if (n < 2) {
        return seed;
    }
    best = busiest(a, n, workers, seed);
    for (uint64_t s = 1; s <= SPREAD_TRIES; s++) {
        uint64_t cand = seed + s, load = busiest(a, n, workers, cand);

        if (load < best) {
            best = load;
            best_seed = cand;
        }
    }
    return best_seed;
}
