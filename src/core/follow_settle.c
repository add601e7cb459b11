/*
 * When a watched file is ready to read, which names are never read, and in what order
 * the ready ones go (follow.h): pure functions, no clock and no file system.
 */
#include <stdlib.h>
#include <string.h>

#include "core/follow.h"

bool cm_follow_observe(struct cm_follow_track *t, uint64_t size, int64_t mtime_ns, int64_t now_ms,
                       int64_t settle_ms, int64_t retry_ms)
{
    bool same = t->state != CM_FOLLOW_NEW && t->size == size && t->mtime_ns == mtime_ns;
    int64_t mtime_ms = mtime_ns / 1000000, age_ms;

    if (!same) {
        /* New, or changed since the last poll (written to, or replaced after it was read):
         * wait for a poll that finds it as it is now. */
        t->size = size;
        t->mtime_ns = mtime_ns;
        t->state = CM_FOLLOW_PENDING;
        t->since_ms = now_ms;
        return false;
    }
    /*
     * Its age: from its mtime, or from the poll that first found it as it is when that is
     * earlier. An mtime ahead of the clock (the writer's clock ahead, ours set back) would
     * otherwise keep a complete file unread, unsaid, until the clock caught up; a clock
     * set back since that poll counts from now, so it delays a file by the settle at most.
     */
    if (t->since_ms > now_ms) {
        t->since_ms = now_ms;
    }
    age_ms = now_ms - (mtime_ms < t->since_ms ? mtime_ms : t->since_ms);
    switch (t->state) {
    case CM_FOLLOW_PENDING:
        return age_ms >= settle_ms;
    case CM_FOLLOW_DEFERRED:
        return age_ms >= retry_ms;
    default: /* CM_FOLLOW_READ */
        return false;
    }
}

bool cm_follow_observe_object(struct cm_follow_track *t, uint64_t size, int64_t tag_hash,
                              int64_t now_ms)
{
    bool same = t->state != CM_FOLLOW_NEW && t->size == size && t->mtime_ns == tag_hash;

    if (!same) {
        t->size = size;
        t->mtime_ns = tag_hash;
        t->state = CM_FOLLOW_PENDING;
        t->fails = 0;
        t->retry_at_ms = 0;
        return true;
    }
    switch (t->state) {
    case CM_FOLLOW_PENDING:
        return true; /* ready, and held back at the poll before */
    case CM_FOLLOW_DEFERRED:
        return now_ms >= t->retry_at_ms;
    default: /* CM_FOLLOW_READ */
        return false;
    }
}

int64_t cm_follow_retry_at(int64_t now_ms, uint32_t fails, int64_t poll_ms, int64_t max_ms)
{
    int64_t wait = poll_ms > 0 ? poll_ms : 1;

    for (uint32_t i = 1; i < fails && wait < max_ms; i++) {
        wait *= 2;
    }
    return now_ms + (wait < max_ms ? wait : max_ms);
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool cm_follow_temp_name(const char *base)
{
    static const char *const suffix[] = {".tmp",        ".temp", ".part", ".partial",
                                         ".crdownload", ".swp",  "~"};
    size_t n = strlen(base);

    if (n == 0 || base[0] == '.') {
        return true;
    }
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        if (ends_with(base, n, suffix[i])) {
            return true;
        }
    }
    /* aws s3's download in progress: NAME.XXXXXXXX, 8 hex digits, NAME not empty. */
    if (n > 9 && base[n - 9] == '.') {
        for (size_t i = n - 8; i < n; i++) {
            if (!is_hex(base[i])) {
                return false;
            }
        }
        return true;
    }
    return false;
}

static int file_cmp(const void *a, const void *b)
{
    const struct cm_follow_file *x = a, *y = b;

    if (x->key_ms != y->key_ms) {
        return x->key_ms < y->key_ms ? -1 : 1;
    }
    return strcmp(x->path, y->path);
}

void cm_follow_sort(struct cm_follow_file *files, size_t n)
{
    if (n > 1) {
        qsort(files, n, sizeof(*files), file_cmp);
    }
}
