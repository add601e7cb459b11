/*
 * libFuzzer target for the watcher's rules (src/core/follow_settle.c), whose input is what
 * a directory listing holds: any name a writer chose, and sizes and mtimes.
 *
 * The input is split at NUL bytes into names (each copied into an exact-size heap buffer,
 * so over-reads are caught). Each name is asked cm_follow_temp_name, which must agree with
 * a plain restatement of the rule; the names, with key times taken from their bytes, are
 * sorted with cm_follow_sort, which must leave them in (key, path) order. The bytes are
 * also read as a sequence of (size, mtime, now) looks at one file: cm_follow_observe must
 * never hand a file over at its first look, nor one whose size or mtime just changed, nor
 * one read as it is, nor one younger than the settle (its age counted from its mtime, or
 * from the look that first found it as it is when earlier). Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/follow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NAMES 64

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static int hexc(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The rule, restated. */
static int temp_rule(const char *s, size_t n)
{
    static const char *const suf[] = {".tmp",        ".temp", ".part", ".partial",
                                      ".crdownload", ".swp",  "~"};
    int hex = n > 9 && s[n - 9] == '.';

    if (n == 0 || s[0] == '.') {
        return 1;
    }
    for (size_t i = 0; i < sizeof(suf) / sizeof(suf[0]); i++) {
        size_t k = strlen(suf[i]);
        if (n >= k && memcmp(s + n - k, suf[i], k) == 0) {
            return 1;
        }
    }
    for (size_t i = n > 8 ? n - 8 : 0; hex && i < n; i++) {
        hex = hexc(s[i]);
    }
    return hex;
}

static uint64_t take(const uint8_t **p, size_t *left, size_t k)
{
    uint64_t v = 0;

    for (size_t i = 0; i<k && * left> 0; i++, (*p)++, (*left)--) {
        v = v << 8 | **p;
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_follow_file files[MAX_NAMES];
    char *names[MAX_NAMES];
    size_t nn = 0, at = 0;
    struct cm_follow_track t = {0};
    const uint8_t *p = data;
    size_t left = size;

    while (at <= size && nn < MAX_NAMES) {
        const uint8_t *z = memchr(data + at, 0, size - at);
        size_t len = z != NULL ? (size_t)(z - (data + at)) : size - at;
        char *s = malloc(len + 1);

        if (s == NULL) {
            break;
        }
        memcpy(s, data + at, len);
        s[len] = '\0';
        /* Names hold no NUL: the rule sees the bytes up to the first one. */
        check(cm_follow_temp_name(s) == (temp_rule(s, strlen(s)) != 0));
        names[nn] = s;
        files[nn].path = s;
        files[nn].size = len;
        files[nn].mtime_ns = 0;
        files[nn].key_ms = len > 0 && (unsigned char)s[0] < 32 ? INT64_MIN : (int64_t)(len % 5);
        nn++;
        at += len + 1;
    }
    cm_follow_sort(files, nn);
    for (size_t i = 1; i < nn; i++) {
        check(files[i - 1].key_ms < files[i].key_ms ||
              (files[i - 1].key_ms == files[i].key_ms &&
               strcmp(files[i - 1].path, files[i].path) <= 0));
    }
    for (size_t i = 0; i < nn; i++) {
        free(names[i]);
    }

    /* Looks at one file: 2 bytes of size, 2 of mtime (s), 2 of now (s), 1 of what the
     * caller said of it when it was handed over. */
    for (int first = 1; left > 0; first = 0) {
        uint64_t sz = take(&p, &left, 2);
        int64_t mt = (int64_t)take(&p, &left, 2) * 1000000000LL;
        int64_t now = (int64_t)take(&p, &left, 2) * 1000;
        uint64_t verdict = take(&p, &left, 1);
        struct cm_follow_track before = t;
        bool go = cm_follow_observe(&t, sz, mt, now, 5000, 60000);

        check(t.size == sz && t.mtime_ns == mt);
        if (first || before.size != sz || before.mtime_ns != mt) {
            check(!go && t.state == CM_FOLLOW_PENDING);
        }
        if (before.state == CM_FOLLOW_READ && before.size == sz && before.mtime_ns == mt) {
            check(!go);
        }
        if (go) {
            /* Its age, from its mtime or from the look that first found it as it is when
             * that is earlier (an mtime ahead of the clock), is the settle or more; and
             * that look was not in the future (a clock set back restarts the count). */
            int64_t mt_ms = mt / 1000000;

            check(t.since_ms <= now);
            check(now - (mt_ms < t.since_ms ? mt_ms : t.since_ms) >= 5000);
            t.state = verdict & 1 ? CM_FOLLOW_DEFERRED : CM_FOLLOW_READ;
        }
    }
    return 0;
}
