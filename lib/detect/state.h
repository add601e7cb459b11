/*
 * Keyed detector state with a TTL and a memcap, in event time (DESIGN.md §4:
 * "State lives in keyed tables with a TTL and a memcap; full tables evict and
 * count it").
 *
 * A struct cm_state maps an entity key (usually cm_event_entity_key()) to a
 * value of val_size zeroed bytes that the detector owns the layout of. Every
 * entry remembers when it was last seen, in event time, and sits on a recency
 * list ordered by when it was last touched. cm_state_expire(), called from a
 * detector's on_tick(watermark), drops every entry idle for longer than the
 * TTL; a touch of a new key when the table holds max_entries evicts the least
 * recently touched entry first. Both can hand the entry to a callback so the
 * detector can flush what it knew.
 *
 * Out-of-order events: a touch sets last seen to max(last seen, now_ms), so a
 * late event never makes an entry look older, and moves the entry to the
 * young end of the list. The list is then in touch order, which is last-seen
 * order whenever events come in order. Expiry stays exact anyway: the state
 * tracks how far behind the newest time any live entry was touched (in powers
 * of two) and keeps scanning past young entries for that much; see
 * docs/internals/state.md. Eviction takes the least recently touched entry.
 *
 * Pointers: a value pointer stays valid until its entry is expired, evicted
 * (any touch of a new key may evict when the table is full), deleted, or the
 * state destroyed; table growth never moves values. Callbacks must not call
 * back into the same state. A state is used by one thread.
 */
#ifndef CM_DETECT_STATE_H
#define CM_DETECT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called with an entry about to be removed; key and val die after it returns. */
typedef void (*cm_state_cb)(void *ud, const void *key, size_t klen, void *val);

struct cm_state_opts {
    size_t val_size;      /* bytes of each value, zeroed on insert (<= 1 MiB) */
    size_t max_entries;   /* the memcap in entries; 0: no cap */
    int64_t ttl_ms;       /* idle time after which an entry expires, >= 0 */
    uint64_t seed;        /* hash seed (from the caller: lib/ reads no randomness) */
    cm_state_cb on_evict; /* optional: called for each entry evicted when full */
    void *evict_ud;
};

struct cm_state_stats {
    uint64_t entries;      /* live now */
    uint64_t inserts;      /* entries ever created */
    uint64_t expired;      /* removed by cm_state_expire() */
    uint64_t evicted;      /* removed to make room when full */
    uint64_t bytes;        /* memory held now (estimate including allocator overhead) */
    uint64_t peak_entries; /* most entries live at once */
    uint64_t peak_bytes;   /* most memory held at once */
};

struct cm_state;

/* Makes a state. Returns 0, CM_EINVAL (bad options) or CM_ENOMEM. */
int cm_state_create(struct cm_state **out, const struct cm_state_opts *o);

/* Frees every entry without callbacks (expire with INT64_MAX first to flush); NULL ok. */
void cm_state_destroy(struct cm_state *s);

/* Sets or clears the eviction callback. */
void cm_state_on_evict(struct cm_state *s, cm_state_cb cb, void *ud);

/*
 * Finds or creates the entry for key, sets its last seen to
 * max(last seen, now_ms) and moves it to the young end. When the key is new
 * and the table is full, the least recently touched entry is evicted first
 * (counted; the eviction callback sees it). Sets *created when not NULL.
 * Returns the value, or NULL on CM_ENOMEM (or a key of 4 GiB or more); the
 * state is then unchanged except that an entry may have been evicted.
 */
void *cm_state_touch(struct cm_state *s, const void *key, size_t klen, int64_t now_ms,
                     bool *created);

/*
 * Touches key's entry as cm_state_touch does when it is there, and returns its value; NULL
 * when it is not (nothing is made or evicted). One look-up where cm_state_get, then
 * cm_state_touch, take two.
 */
void *cm_state_touch_found(struct cm_state *s, const void *key, size_t klen, int64_t now_ms);

/*
 * Touches the entry whose value is val (one cm_state_get returned, nothing made or
 * evicted since) as cm_state_touch does, and returns val: for a caller that looks a key up
 * without a touch, decides, and only then counts the look as one, in one look-up.
 */
void *cm_state_touch_val(struct cm_state *s, void *val, int64_t now_ms);

/*
 * Evicts the least recently touched entry as a full table does (counted as
 * evicted; the eviction callback sees it), for a caller that bounds several
 * tables together. Returns false when s is empty.
 */
bool cm_state_evict_oldest(struct cm_state *s);

/*
 * Moves key's entry from `from` into `to`, two tables of one value size (a
 * detector keeping the entries an attacker can mint apart from those it
 * learned or proved): the entry in `to` is touched at now_ms, gets from's
 * value, and from's entry is deleted. When from has no entry, to's is just
 * touched (zeroed when new). Returns the value in `to`, or NULL on CM_ENOMEM
 * (or different value sizes); from is then unchanged.
 */
void *cm_state_move(struct cm_state *to, struct cm_state *from, const void *key, size_t klen,
                    int64_t now_ms);

/*
 * cm_state_move for a key `to` holds already, in one look-up of `to` where
 * cm_state_get, then cm_state_move, take two; NULL, and nothing done, when `to`
 * does not hold it (or the value sizes differ).
 */
void *cm_state_move_found(struct cm_state *to, struct cm_state *from, const void *key, size_t klen,
                          int64_t now_ms);

/* Returns the value of key or NULL; does not count as a touch. */
void *cm_state_get(const struct cm_state *s, const void *key, size_t klen);

/* Removes key without a callback. Returns 0 or CM_ENOTFOUND. */
int cm_state_del(struct cm_state *s, const void *key, size_t klen);

/* Last-seen event time of the entry whose value is val. */
int64_t cm_state_last_seen(const void *val);

/*
 * Removes every entry last seen before watermark_ms - ttl_ms (all of them
 * when watermark_ms is INT64_MAX: end of input), calling cb(ud, key, klen,
 * val) first when cb is not NULL. Entries go in recency-list order: oldest
 * first when events came in order. Returns how many were removed. Cost is
 * proportional to the entries removed plus those touched out of order near
 * the cut.
 */
size_t cm_state_expire(struct cm_state *s, int64_t watermark_ms, cm_state_cb cb, void *ud);

/*
 * Adds s's counters to *sum (peaks add up too: the sum of the tables'
 * peaks bounds the peak of their sum). s may be NULL.
 */
void cm_state_stats_add(struct cm_state_stats *sum, const struct cm_state *s);
/* Adds counters already gathered (a detector's, a shard's) to sum. */
void cm_state_stats_sum(struct cm_state_stats *sum, const struct cm_state_stats *st);

/* Counters; the pointer stays valid for the life of the state. */
const struct cm_state_stats *cm_state_stats(const struct cm_state *s);

/*
 * Checkpoints (detect/ckpt.h). A codec says what a detector's values hold
 * beyond plain numbers; NULL means nothing.
 */
struct cm_ckpt_w;
struct cm_ckpt_r;
struct cm_src_ref;
struct cm_state_codec {
    /*
     * True when a value read back from a file is one the detector could have
     * made (counts within their arrays, indexes in range, known enum values):
     * a file is input, and a value that fails is refused. NULL: any bytes.
     */
    bool (*check)(const void *ud, const void *key, size_t klen, const void *val);
    const void *ud;
    /* Calls fn on every evidence reference in val (renumbered across runs); NULL: none. */
    void (*refs)(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud);
};

/* Writes every entry, its last-seen time and place on the recency list. Returns w's error. */
int cm_state_save(const struct cm_state *s, struct cm_ckpt_w *w, const struct cm_state_codec *c);
/*
 * Reads what cm_state_save wrote into s, which must be empty and have the
 * same value size (else CM_EFORMAT: the build's layout changed). A table
 * fuller than max_entries evicts as touches do. Returns r's error.
 */
int cm_state_load(struct cm_state *s, struct cm_ckpt_r *r, const struct cm_state_codec *c);

#endif
