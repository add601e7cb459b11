/*
 * UnauthorizedAccess:IAMUser/CanaryCredentialUsage (coalmine's own type,
 * issue #5): any CloudTrail record made with a configured decoy access key,
 * whatever the call and whether it succeeded. Nothing legitimate uses a
 * canary key, so there is no threshold and no near miss but another key.
 *
 * The keys come from the engine config (--canary-key, canaries.keys). They
 * are kept sorted here for a binary search, and sorted again when the config
 * hands over a different list.
 */
#include "detect/ct.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

struct canary {
    const struct cm_detect_config *cfg;
    const struct cm_str *src; /* the config's list the sorted copy was made from */
    size_t nsrc;
    struct cm_str *keys; /* sorted copy (slices borrowed from the config) */
    size_t n;
};

static int cmp_str(const void *a, const void *b)
{
    const struct cm_str *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);

    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct canary *c = cm_calloc(1, sizeof(*c));

    if (c == NULL) {
        return CM_ENOMEM;
    }
    c->cfg = opts ? opts->config : NULL;
    *state = c;
    return 0;
}

static void finish(void *state)
{
    struct canary *c = state;

    if (c != NULL) {
        cm_free(c->keys);
        cm_free(c);
    }
}

/* Makes the sorted copy match the config's list. */
static int refresh(struct canary *c)
{
    const struct cm_detect_config *cfg = c->cfg;
    struct cm_str *keys;

    if (cfg->canary_keys == c->src && cfg->ncanary == c->nsrc) {
        return 0;
    }
    keys = cm_malloc((cfg->ncanary ? cfg->ncanary : 1) * sizeof(*keys));
    if (keys == NULL) {
        return CM_ENOMEM;
    }
    c->n = 0;
    for (size_t i = 0; i < cfg->ncanary; i++) {
        if (cm_str_present(cfg->canary_keys[i]) && cfg->canary_keys[i].len > 0) {
            keys[c->n++] = cfg->canary_keys[i];
        }
    }
    qsort(keys, c->n, sizeof(*keys), cmp_str);
    cm_free(c->keys);
    c->keys = keys;
    c->src = cfg->canary_keys;
    c->nsrc = cfg->ncanary;
    return 0;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct canary *c = state;
    struct cm_str key = ev->u.ct.uid.access_key_id;
    struct cm_detection d;
    int rc;

    if (c->cfg == NULL || c->cfg->ncanary == 0 || !cm_str_present(key) || key.len == 0) {
        return 0;
    }
    if ((rc = refresh(c)) != 0) {
        return rc;
    }
    if (bsearch(&key, c->keys, c->n, sizeof(*c->keys), cmp_str) == NULL) {
        return 0;
    }
    cm_ct_detection(&d, ev, "UnauthorizedAccess:IAMUser/CanaryCredentialUsage");
    d.resource_id = key;
    return cm_sink_emit(sink, &d);
}

static const char *const types[] = {
    "UnauthorizedAccess:IAMUser/CanaryCredentialUsage",
    NULL,
};

const struct cm_detector cm_detector_ct_canary = {
    .name = "cloudtrail-canary",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = NULL,
    .finish = finish,
};
