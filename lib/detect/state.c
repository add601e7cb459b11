/*
 * struct cm_state: a cm_map whose values are a node header followed by the
 * caller's value. Nodes form an intrusive doubly linked recency list (head:
 * least recently touched). Map values never move (see base/map.h), so the
 * list links are plain pointers that survive table growth.
 *
 * Exact expiry with out-of-order touches. Let newest be the largest now_ms
 * ever touched, and for each live entry Y let lag(Y) = newest - last_seen(Y)
 * at Y's last touch. For X before Y on the list, X was last touched before Y,
 * so last_seen(X) <= newest then <= last_seen(Y) + lag(Y). With slack >= the
 * largest lag among live entries, once the scan meets an entry last seen at
 * or after cut + slack, every later entry is at or after cut: the scan can
 * stop. Lags are kept as a count per power-of-two class, and per class the
 * largest lag it took since it was last empty, so slack is O(1) to read, is
 * the largest lag itself rather than the next power of two (a scan of a table
 * whose entries lag by up to 10 minutes stops 10 minutes past the cut, not
 * 17.5), and falls back when the late entries leave.
 */
#include "detect/state.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/map.h"
#include "detect/ckpt.h"

#define STATE_MAX_KEY 65536 /* longest key a checkpoint may hold (detector keys are ids) */
#define NCLASS        65    /* lag classes: 0 for no lag, c for lag in [2^(c-1), 2^c) */

struct node {
    struct node *prev, *next;
    int64_t last_seen;
    uint8_t lag_class;
};

/* The caller's value follows the node header at a 16-byte boundary. */
#define NODE_HDR ((sizeof(struct node) + 15) & ~(size_t)15)

struct cm_state {
    struct cm_map *map;
    struct node *head, *tail;
    int64_t ttl_ms;
    size_t val_size;
    int64_t newest; /* largest now_ms touched; INT64_MIN before the first */
    cm_state_cb on_evict;
    void *evict_ud;
    uint64_t lag_mask;           /* bit c set when class c (1..63) has entries */
    uint64_t lag_count[NCLASS];  /* live entries per lag class */
    uint64_t lag_max[NCLASS];    /* the largest lag of each since it was last empty */
    struct cm_state_stats stats; /* entries and bytes kept current */
};

static void *user_val(struct node *n)
{
    return (unsigned char *)n + NODE_HDR;
}

static void refresh(struct cm_state *s)
{
    s->stats.entries = cm_map_count(s->map);
    s->stats.bytes = sizeof(*s) + cm_map_bytes(s->map);
    if (s->stats.entries > s->stats.peak_entries) {
        s->stats.peak_entries = s->stats.entries;
    }
    if (s->stats.bytes > s->stats.peak_bytes) {
        s->stats.peak_bytes = s->stats.bytes;
    }
}

int cm_state_create(struct cm_state **out, const struct cm_state_opts *o)
{
    struct cm_state *s;
    int rc;

    *out = NULL;
    if (o == NULL || o->ttl_ms < 0 || o->val_size > CM_MAP_MAX_VAL - NODE_HDR) {
        return CM_EINVAL;
    }
    s = cm_calloc(1, sizeof(*s));
    if (s == NULL) {
        return CM_ENOMEM;
    }
    rc = cm_map_create(&s->map, NODE_HDR + o->val_size, o->max_entries, o->seed);
    if (rc != 0) {
        cm_free(s);
        return rc;
    }
    s->ttl_ms = o->ttl_ms;
    s->val_size = o->val_size;
    s->newest = INT64_MIN;
    s->on_evict = o->on_evict;
    s->evict_ud = o->evict_ud;
    refresh(s);
    *out = s;
    return 0;
}

void cm_state_destroy(struct cm_state *s)
{
    if (s == NULL) {
        return;
    }
    cm_map_destroy(s->map);
    cm_free(s);
}

void cm_state_on_evict(struct cm_state *s, cm_state_cb cb, void *ud)
{
    s->on_evict = cb;
    s->evict_ud = ud;
}

static unsigned lag_class(uint64_t lag)
{
    return lag == 0 ? 0 : 64 - (unsigned)__builtin_clzll(lag);
}

static void lag_add(struct cm_state *s, struct node *n)
{
    uint64_t lag = (uint64_t)s->newest - (uint64_t)n->last_seen;

    n->lag_class = (uint8_t)lag_class(lag);
    if (s->lag_count[n->lag_class]++ == 0 && n->lag_class > 0 && n->lag_class < 64) {
        s->lag_mask |= (uint64_t)1 << n->lag_class;
    }
    if (lag > s->lag_max[n->lag_class]) {
        s->lag_max[n->lag_class] = lag;
    }
}

static void lag_remove(struct cm_state *s, const struct node *n)
{
    if (--s->lag_count[n->lag_class] == 0) {
        s->lag_max[n->lag_class] = 0;
        if (n->lag_class > 0 && n->lag_class < 64) {
            s->lag_mask &= ~((uint64_t)1 << n->lag_class);
        }
    }
}

/* An upper bound on the lag of every live entry. */
static uint64_t slack(const struct cm_state *s)
{
    if (s->lag_count[64] != 0) {
        return UINT64_MAX;
    }
    if (s->lag_mask == 0) {
        return 0;
    }
    /* the top class's largest lag: every lag of a lower class is below 2^(c-1) */
    return s->lag_max[63 - __builtin_clzll(s->lag_mask)];
}

static void unlink_node(struct cm_state *s, struct node *n)
{
    if (n->prev != NULL) {
        n->prev->next = n->next;
    } else {
        s->head = n->next;
    }
    if (n->next != NULL) {
        n->next->prev = n->prev;
    } else {
        s->tail = n->prev;
    }
    n->prev = n->next = NULL;
}

static void append_node(struct cm_state *s, struct node *n)
{
    n->prev = s->tail;
    n->next = NULL;
    if (s->tail != NULL) {
        s->tail->next = n;
    } else {
        s->head = n;
    }
    s->tail = n;
}

/* Unlinks n, calls cb on it when set, and frees it. */
static void remove_node(struct cm_state *s, struct node *n, cm_state_cb cb, void *ud)
{
    struct cm_str key;

    unlink_node(s, n);
    lag_remove(s, n);
    if (cb != NULL) {
        key = cm_map_key_of(s->map, n);
        cb(ud, key.p, key.len, user_val(n));
    }
    cm_map_del_val(s->map, n);
}

/* Inserts key, evicting the least recently touched entry when the table is full. */
static int put_evicting(struct cm_state *s, const void *key, size_t klen, void **v, bool *cr)
{
    int rc = cm_map_put(s->map, key, klen, v, cr);

    if (rc == CM_EFULL && s->head != NULL) {
        remove_node(s, s->head, s->on_evict, s->evict_ud);
        s->stats.evicted++;
        refresh(s);
        rc = cm_map_put(s->map, key, klen, v, cr);
    }
    return rc;
}

bool cm_state_evict_oldest(struct cm_state *s)
{
    if (s->head == NULL) {
        return false;
    }
    remove_node(s, s->head, s->on_evict, s->evict_ud);
    s->stats.evicted++;
    refresh(s);
    return true;
}

/* Node n, new (cr) or found, becomes the youngest, last seen at now_ms at least. */
static inline void *touch_node(struct cm_state *s, struct node *n, bool cr, int64_t now_ms)
{
    if (cr) {
        n->last_seen = now_ms;
        s->stats.inserts++;
    } else {
        lag_remove(s, n);
        if (n != s->tail) {
            unlink_node(s, n);
        }
        if (now_ms > n->last_seen) {
            n->last_seen = now_ms;
        }
    }
    if (now_ms > s->newest) {
        s->newest = now_ms;
    }
    lag_add(s, n);
    if (n != s->tail) {
        append_node(s, n);
    }
    if (cr) {
        refresh(s);
    }
    return user_val(n);
}

void *cm_state_touch(struct cm_state *s, const void *key, size_t klen, int64_t now_ms,
                     bool *created)
{
    void *v;
    bool cr;

    if (put_evicting(s, key, klen, &v, &cr) != 0) {
        return NULL;
    }
    if (created != NULL) {
        *created = cr;
    }
    return touch_node(s, v, cr, now_ms);
}

void *cm_state_touch_found(struct cm_state *s, const void *key, size_t klen, int64_t now_ms)
{
    void *v = cm_map_get(s->map, key, klen);

    return v == NULL ? NULL : touch_node(s, v, false, now_ms);
}

void *cm_state_touch_val(struct cm_state *s, void *val, int64_t now_ms)
{
    return touch_node(s, (struct node *)((unsigned char *)val - NODE_HDR), false, now_ms);
}

void *cm_state_move(struct cm_state *to, struct cm_state *from, const void *key, size_t klen,
                    int64_t now_ms)
{
    void *old, *v;

    if (to == from) {
        return cm_state_touch(to, key, klen, now_ms, NULL);
    }
    if (to->val_size != from->val_size) {
        return NULL;
    }
    old = cm_state_get(from, key, klen);
    if ((v = cm_state_touch(to, key, klen, now_ms, NULL)) == NULL) {
        return NULL;
    }
    if (old != NULL) {
        memcpy(v, old, to->val_size);
        (void)cm_state_del(from, key, klen);
    }
    return v;
}

void *cm_state_move_found(struct cm_state *to, struct cm_state *from, const void *key, size_t klen,
                          int64_t now_ms)
{
    void *old, *v;

    if (to == from) {
        return cm_state_touch_found(to, key, klen, now_ms);
    }
    if (to->val_size != from->val_size ||
        (v = cm_state_touch_found(to, key, klen, now_ms)) == NULL) {
        return NULL;
    }
    /* A touch of a key `to` holds evicts nothing: from's entry is as it was. */
    if ((old = cm_state_get(from, key, klen)) != NULL) {
        memcpy(v, old, to->val_size);
        (void)cm_state_del(from, key, klen);
    }
    return v;
}

void *cm_state_get(const struct cm_state *s, const void *key, size_t klen)
{
    void *v = cm_map_get(s->map, key, klen);

    return v == NULL ? NULL : user_val(v);
}

int cm_state_del(struct cm_state *s, const void *key, size_t klen)
{
    void *v = cm_map_get(s->map, key, klen);

    if (v == NULL) {
        return CM_ENOTFOUND;
    }
    remove_node(s, v, NULL, NULL);
    refresh(s);
    return 0;
}

int64_t cm_state_last_seen(const void *val)
{
    return ((const struct node *)((const unsigned char *)val - NODE_HDR))->last_seen;
}

size_t cm_state_expire(struct cm_state *s, int64_t watermark_ms, cm_state_cb cb, void *ud)
{
    bool all = watermark_ms == INT64_MAX;
    int64_t cut = INT64_MIN;
    struct node *n = s->head, *next;
    size_t removed = 0;

    if (!all && watermark_ms >= INT64_MIN + s->ttl_ms) {
        cut = watermark_ms - s->ttl_ms;
    }
    for (; n != NULL; n = next) {
        next = n->next;
        if (all || n->last_seen < cut) {
            remove_node(s, n, cb, ud);
            removed++;
        } else if ((uint64_t)n->last_seen - (uint64_t)cut >= slack(s)) {
            break;
        }
    }
    s->stats.expired += removed;
    refresh(s);
    return removed;
}

const struct cm_state_stats *cm_state_stats(const struct cm_state *s)
{
    return &s->stats;
}

void cm_state_stats_add(struct cm_state_stats *sum, const struct cm_state *s)
{
    if (s != NULL) {
        cm_state_stats_sum(sum, &s->stats);
    }
}

void cm_state_stats_sum(struct cm_state_stats *sum, const struct cm_state_stats *st)
{
    sum->entries += st->entries;
    sum->inserts += st->inserts;
    sum->expired += st->expired;
    sum->evicted += st->evicted;
    sum->bytes += st->bytes;
    sum->peak_entries += st->peak_entries;
    sum->peak_bytes += st->peak_bytes;
}

/*
 * Checkpoints. A table is written as: u32 value size, u64 entries, i64
 * newest, then each entry from the least recently touched on: u32 key
 * length, the key, i64 last seen, u8 lag class, the value's bytes. Loading
 * touches the keys in that order, so the recency list and the lag classes
 * (hence expiry and eviction) are what they were.
 */
struct ref_fix {
    struct cm_ckpt_w *w;
    struct cm_ckpt_r *r;
};

static void fix_out(void *ud, struct cm_src_ref *ref)
{
    cm_ckpt_put_ref(((struct ref_fix *)ud)->w, ref);
}

static void fix_in(void *ud, struct cm_src_ref *ref)
{
    cm_ckpt_fix_ref(((struct ref_fix *)ud)->r, ref);
}

int cm_state_save(const struct cm_state *s, struct cm_ckpt_w *w, const struct cm_state_codec *c)
{
    unsigned char *copy = NULL;
    struct ref_fix fx = {.w = w};

    if (c != NULL && c->refs != NULL && s->val_size > 0 &&
        (copy = cm_malloc(s->val_size)) == NULL) {
        cm_ckpt_w_fail(w, CM_ENOMEM);
        return w->err;
    }
    cm_ckpt_put_u32(w, (uint32_t)s->val_size);
    cm_ckpt_put_u64(w, cm_map_count(s->map));
    cm_ckpt_put_i64(w, s->newest);
    for (const struct node *n = s->head; n != NULL && w->err == 0; n = n->next) {
        struct cm_str key = cm_map_key_of(s->map, n);
        const void *val = (const unsigned char *)n + NODE_HDR;

        cm_ckpt_put_str(w, key.p, key.len);
        cm_ckpt_put_i64(w, n->last_seen);
        cm_ckpt_put_u8(w, n->lag_class);
        if (copy != NULL) {
            memcpy(copy, val, s->val_size);
            c->refs(copy, fix_out, &fx);
            val = copy;
        }
        cm_ckpt_put_bytes(w, val, s->val_size);
    }
    cm_free(copy);
    return w->err;
}

int cm_state_load(struct cm_state *s, struct cm_ckpt_r *r, const struct cm_state_codec *c)
{
    struct ref_fix fx = {.r = r};
    uint32_t vsize = cm_ckpt_get_u32(r);
    uint64_t count = cm_ckpt_get_u64(r);
    int64_t newest = cm_ckpt_get_i64(r);

    if (r->err != 0) {
        return r->err;
    }
    if (!cm_ckpt_time_ok(newest)) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "a table's newest time is out of range");
    }
    if (vsize != s->val_size) {
        return cm_ckpt_r_fail(r, CM_EFORMAT, "a table's values have another size in this build");
    }
    if (cm_map_count(s->map) != 0) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "the table to load into is not empty");
    }
    if (count > (r->len - r->off) / (4 + 8 + 1 + (uint64_t)vsize)) {
        return cm_ckpt_r_fail(r, CM_ETRUNC,
                              "a table holds more entries than the file has room for");
    }
    for (uint64_t i = 0; i < count && r->err == 0; i++) {
        struct cm_str key = cm_ckpt_get_str(r, STATE_MAX_KEY);
        int64_t last = cm_ckpt_get_i64(r);
        uint8_t lc = cm_ckpt_get_u8(r);
        const void *bytes = cm_ckpt_take(r, vsize);
        struct node *n;
        void *val;
        bool created;

        if (r->err != 0) {
            break;
        }
        if (lc >= NCLASS || last > newest || !cm_ckpt_time_set(last)) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "a table entry has a bad time or lag");
        }
        val = cm_state_touch(s, key.p, key.len, last, &created);
        if (val == NULL) {
            return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
        }
        if (!created) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "a table lists one key twice");
        }
        n = (struct node *)((unsigned char *)val - NODE_HDR);
        lag_remove(s, n);
        n->lag_class = lc;
        if (s->lag_count[lc]++ == 0 && lc > 0 && lc < 64) {
            s->lag_mask |= (uint64_t)1 << lc;
        }
        /* the entry's own lag was not kept: its class's largest, to be safe */
        if (lc > 0 && lc < 64 && s->lag_max[lc] < ((uint64_t)1 << lc) - 1) {
            s->lag_max[lc] = ((uint64_t)1 << lc) - 1;
        }
        memcpy(val, bytes, vsize);
        if (c != NULL && c->refs != NULL) {
            c->refs(val, fix_in, &fx);
        }
        if (r->err == 0 && c != NULL && c->check != NULL && !c->check(c->ud, key.p, key.len, val)) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "a table entry holds values no detector makes");
        }
    }
    if (r->err == 0 && newest > s->newest) {
        s->newest = newest;
    }
    return r->err;
}
