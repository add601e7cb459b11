/*
 * additionalInfo.apiCalls of the findings about a listed or Tor caller
 * (spec "For CloudTrail findings": apiCalls[] {name, count, firstSeen,
 * lastSeen}, epoch seconds, "used by MaliciousIPCaller and TorIPCaller
 * findings"). A finding of these types is one per caller and credential; its
 * action names the last API called, this list every API it called. It is
 * kept in struct cm_finding (finding.h), written into additionalInfo and read
 * back from it (finding_info.c), and folded by cm_finding_merge in the
 * aggregator and by the store when a later scan updates the finding.
 */
#include <string.h>

#include "base/err.h"
#include "finding/finding.h"

bool cm_finding_lists_api_calls(const struct cm_finding *f)
{
    static const char *const kinds[] = {"/MaliciousIPCaller", "/TorIPCaller"};
    const char *slash;

    if (f->action_type != CM_ACT_AWS_API_CALL || !cm_str_present(f->type)) {
        return false;
    }
    slash = memchr(f->type.p, '/', f->type.len);
    for (size_t i = 0; slash != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t n = strlen(kinds[i]), rest = f->type.len - (size_t)(slash - f->type.p);
        if (rest >= n && memcmp(slash, kinds[i], n) == 0 && (rest == n || slash[n] == '.')) {
            return true;
        }
    }
    return false;
}

int cm_finding_api_calls_start(struct cm_finding *f)
{
    struct cm_api_call *c = &f->api_calls[0];

    f->napi_calls = 0;
    if (!cm_finding_lists_api_calls(f) || !cm_str_present(f->api.api) || f->api.api.len == 0) {
        return 0;
    }
    c->count = f->count;
    c->first_ms = f->first_seen_ms;
    c->last_ms = f->last_seen_ms;
    f->napi_calls = 1;
    return cm_finding_set(f, &c->name, f->api.api);
}

/* The index of name in v[0..n), or -1. */
static int find(const struct cm_api_call *v, uint32_t n, struct cm_str name)
{
    for (uint32_t i = 0; i < n; i++) {
        if (v[i].name.len == name.len && memcmp(v[i].name.p, name.p, name.len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Whether a was first called before b (then by name, so the order is the same every time). */
static bool earlier(const struct cm_api_call *a, const struct cm_api_call *b)
{
    if (a->first_ms != b->first_ms) {
        return a->first_ms < b->first_ms;
    }
    return cm_str_cmp(a->name, b->name) < 0;
}

int cm_finding_api_calls_merge(struct cm_finding *nf, const struct cm_finding *old)
{
    struct cm_api_call out[CM_FINDING_MAX_API_CALLS];
    uint32_t n = 0;
    int rc = 0;

    if (old->napi_calls == 0) {
        return 0;
    }
    /* old's first, with nf's counts of the same API added ... */
    for (uint32_t i = 0; i < old->napi_calls && rc == 0; i++) {
        const struct cm_api_call *o = &old->api_calls[i];
        int j = find(nf->api_calls, nf->napi_calls, o->name);
        const struct cm_api_call *m = j >= 0 ? &nf->api_calls[j] : NULL;
        out[n] = *o;
        rc = cm_finding_set(nf, &out[n].name, o->name);
        if (m != NULL) {
            out[n].count += m->count;
            out[n].first_ms = m->first_ms < o->first_ms ? m->first_ms : o->first_ms;
            out[n].last_ms = m->last_ms > o->last_ms ? m->last_ms : o->last_ms;
        }
        n++;
    }
    /* ... then the APIs only nf called, while there is room. */
    for (uint32_t i = 0; i < nf->napi_calls && n < CM_FINDING_MAX_API_CALLS && rc == 0; i++) {
        if (find(out, n, nf->api_calls[i].name) < 0) {
            out[n++] = nf->api_calls[i];
        }
    }
    if (rc != 0) {
        return CM_ENOMEM;
    }
    /* By first sighting (records of one caller may come in any order across files). */
    for (uint32_t i = 1; i < n; i++) {
        struct cm_api_call x = out[i];
        uint32_t j = i;
        while (j > 0 && earlier(&x, &out[j - 1])) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    memcpy(nf->api_calls, out, n * sizeof(out[0]));
    nf->napi_calls = n;
    return 0;
}

void cm_finding_api_calls_overlap(struct cm_finding *nf, const struct cm_finding *old,
                                  uint32_t added)
{
    for (uint32_t i = 0; i < nf->napi_calls; i++) {
        struct cm_api_call *c = &nf->api_calls[i];
        int j = find(old->api_calls, old->napi_calls, c->name);

        if (added == 0) {
            c->count = 0;
        } else if (added < nf->count && j >= 0) {
            uint32_t had = old->api_calls[j].count;
            c->count = c->count > had ? c->count - had : 0;
        }
    }
}
