/*
 * Domain names (domain.h): normalise, then ask libpsl's built-in Public
 * Suffix List for the public suffix and the registered domain. libpsl keeps
 * the list in its own read-only data (psl_builtin()), so this does no I/O
 * and is safe from any thread.
 */
#include "base/domain.h"

#include <libpsl.h>
#include <string.h>

#include "base/err.h"

int cm_domain_parse(struct cm_str name, struct cm_domain *d)
{
    const psl_ctx_t *psl = psl_builtin();
    const char *reg, *sfx;
    size_t n = name.len, label = 0;

    d->len = d->reg = d->sfx = 0;
    d->private_suffix = false;
    d->labels = 0;
    d->name[0] = '\0';
    if (name.p == NULL) {
        return CM_EINVAL;
    }
    if (n > 0 && name.p[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > CM_DOMAIN_MAX) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name.p[i];

        if (c <= 0x20 || c >= 0x7f) {
            return CM_EINVAL;
        }
        if (c == '.') {
            if (label == 0) {
                return CM_EINVAL;
            }
            label = 0;
            d->labels++;
        } else {
            label++;
        }
        d->name[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    if (label == 0) {
        return CM_EINVAL;
    }
    d->labels++;
    d->name[n] = '\0';
    d->len = d->reg = d->sfx = n;
    if (psl == NULL) {
        return 0;
    }
    sfx = psl_unregistrable_domain(psl, d->name);
    if (sfx != NULL) {
        d->sfx = (size_t)(sfx - d->name);
        d->private_suffix =
            psl_is_public_suffix2(psl, sfx, PSL_TYPE_PRIVATE | PSL_TYPE_NO_STAR_RULE) != 0;
    }
    reg = psl_registrable_domain(psl, d->name);
    if (reg != NULL) {
        d->reg = (size_t)(reg - d->name);
    }
    return 0;
}

struct cm_str cm_domain_registered_of(struct cm_str name, struct cm_domain *scratch)
{
    if (cm_domain_parse(name, scratch) != 0 || scratch->reg == scratch->len) {
        return CM_STR_NULL;
    }
    return cm_domain_registered(scratch);
}
