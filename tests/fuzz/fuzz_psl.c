/*
 * libFuzzer target for lib/base/psl.c and lib/base/domain.c.
 *
 * The input, in an exact-size heap buffer, is first a suffix list: when it
 * builds, every line of the input is also split as a name with it, and the
 * offsets must be consistent (suffix within the name, the registered domain
 * one label left of the suffix or none). Then the whole input is split as a
 * name with libpsl and with the set, with the same checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/domain.h"
#include "base/psl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void split(const struct cm_psl *p, const char *s, size_t n)
{
    struct cm_domain d;

    if (cm_domain_parse_psl(p, cm_str_make(s, n), &d) != 0) {
        return;
    }
    check(d.len > 0 && d.len <= CM_DOMAIN_MAX && d.name[d.len] == '\0');
    check(d.sfx <= d.len && d.reg <= d.len);
    check(d.sfx == d.len || d.sfx == 0 || d.name[d.sfx - 1] == '.');
    if (d.reg < d.len) {
        check(d.reg < d.sfx);
        check(d.reg == 0 || d.name[d.reg - 1] == '.');
        check(memchr(d.name + d.reg, '.', d.sfx - d.reg - 1) == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size ? size : 1);
    struct cm_psl *p = NULL;

    if (src == NULL) {
        return 0;
    }
    memcpy(src, data, size);
    if (cm_psl_parse(src, size, 42, &p, NULL, NULL) == 0) {
        check(cm_psl_rules(p) > 0);
        for (size_t i = 0; i < size;) {
            const char *nl = memchr(src + i, '\n', size - i);
            size_t n = nl ? (size_t)(nl - (src + i)) : size - i;

            split(p, src + i, n);
            i += n + 1;
        }
    }
    split(p, src, size);
    split(NULL, src, size);
    cm_psl_free(p);
    free(src);
    return 0;
}
