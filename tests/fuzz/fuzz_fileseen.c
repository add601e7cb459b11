/*
 * libFuzzer target for the state file's identities of the input files read
 * (lib/detect/fileseen.c): cm_fileseen_load over arbitrary bytes, the section
 * src/core/statefile.c puts after the name table.
 *
 * A load that succeeds must leave a set a look-up can search: identities in
 * strictly increasing order, each found by cm_fileseen_has. Saving it gives
 * the bytes it was loaded from (what was read of them); merging in more
 * identities and settling keeps it sorted, unique and within its bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/fileseen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_fileseen s;
    struct cm_fileseen_settled out;
    struct cm_ckpt_r r;
    struct cm_ckpt_w w;
    int rc;

    cm_fileseen_init(&s);
    cm_ckpt_r_init(&r, data, size);
    rc = cm_fileseen_load(&s, &r);
    if (rc != 0) {
        check(rc == CM_EFORMAT || r.err != 0);
        cm_fileseen_finish(&s);
        return 0;
    }
    check(s.n == s.nsorted);
    for (size_t i = 0; i < s.n; i++) {
        check(cm_fileseen_has(&s, &s.v[i].id));
        check(i == 0 || s.v[i - 1].id.a < s.v[i].id.a ||
              (s.v[i - 1].id.a == s.v[i].id.a && s.v[i - 1].id.b < s.v[i].id.b));
    }
    cm_ckpt_w_init(&w, 0);
    cm_fileseen_save(&s, &w);
    check(w.err == 0 && w.buf.len == r.off && memcmp(w.buf.p, data, r.off) == 0);
    cm_ckpt_w_finish(&w);

    /* Merge the first identities again on a later day, and a new one, under a small bound. */
    s.max_n = 4;
    for (size_t i = 0; i < s.n && i < 3; i++) {
        struct cm_file_id id = s.v[i].id;
        check(cm_fileseen_add(&s, &id, s.v[i].day + 1) == 0);
    }
    {
        struct cm_file_id id = {0x1234, 0x5678};
        check(cm_fileseen_add(&s, &id, 20000) == 0);
    }
    if (cm_fileseen_settle(&s, 20000, &out) == 0) {
        check(s.n <= 4 && s.n == s.nsorted);
        for (size_t i = 1; i < s.n; i++) {
            check(s.v[i - 1].id.a < s.v[i].id.a ||
                  (s.v[i - 1].id.a == s.v[i].id.a && s.v[i - 1].id.b < s.v[i].id.b));
        }
    }
    cm_fileseen_finish(&s);
    return 0;
}
