/*
 * What the three intel detectors share: naming the lists behind a match in a
 * detection, and the trusted-list test the findings sink applies to every
 * detection (spec §4.3).
 */
#include "detect/intel.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"

uint32_t cm_intel_detection_lists(const struct cm_intel_snapshot *s, const struct cm_intel_match *m,
                                  enum cm_intel_category c, struct cm_detection *d)
{
    uint32_t added = 0;

    for (size_t i = 0; i < m->nids && d->nintel < CM_DETECTION_MAX_INTEL; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m->ids[i]);
        const struct cm_intel_list *l;
        bool dup = false;

        if (ind == NULL || ind->category != c ||
            (l = cm_intel_snapshot_list(s, ind->list)) == NULL) {
            continue;
        }
        for (uint32_t j = 0; j < d->nintel; j++) {
            dup = dup || (cm_str_eq(d->intel[j].list_name, l->name) &&
                          cm_str_eq(d->intel[j].threat_name, ind->threat_name));
        }
        if (dup) {
            continue;
        }
        d->intel[d->nintel].list_name = l->name;
        d->intel[d->nintel].threat_name = ind->threat_name;
        d->nintel++;
        added++;
    }
    return added;
}

static bool ip_trusted(const struct cm_intel_snapshot *s, const struct cm_ip *ip)
{
    return ip->family != CM_IP_NONE && cm_intel_check_ip(s, ip, NULL) == CM_INTEL_TRUSTED;
}

bool cm_detect_trusted(const struct cm_intel_snapshot *s, const struct cm_detection *d)
{
    const struct cm_event *ev = d ? d->event : NULL;

    if (s == NULL || ev == NULL) {
        return false;
    }
    switch (ev->kind) {
    case CM_EV_CLOUDTRAIL:
        return ip_trusted(s, &ev->u.ct.source_ip);
    case CM_EV_FLOW:
        return ip_trusted(s, &ev->u.flow.src) || ip_trusted(s, &ev->u.flow.dst);
    case CM_EV_DNS:
        return cm_intel_check_domain(s, ev->u.dns.query_name, NULL) == CM_INTEL_TRUSTED;
    case CM_EV_NONE:
        break;
    }
    return false;
}

/* The entry of the event being dispatched, made ev's (emptied) when it is another's. */
static struct cm_intel_memo_entry *
entry_for(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s, const struct cm_event *ev)
{
    struct cm_intel_memo_entry *e = &memo->e[memo->cur];

    if (e->ev != ev || e->snap != s) {
        e->ev = ev;
        e->snap = s;
        e->have = 0;
    }
    return e;
}

/* Whether the parser normalised q's query name into a host name (the kind the domain sets hold). */
static bool host_qname(const struct cm_dns *q)
{
    return q->qname_ok && q->qname.host;
}

/*
 * The verdict on a DNS event's query name. The parser has normalised it
 * (qname); a host name is looked up as it is, anything else as logged,
 * which gives the same answer.
 */
static enum cm_intel_verdict query_verdict(const struct cm_intel_snapshot *s,
                                           const struct cm_event *ev, struct cm_intel_match *m)
{
    const struct cm_dns *q = &ev->u.dns;

    if (host_qname(q)) {
        return cm_intel_check_domain_norm(s, q->qname.name, q->qname.len, m);
    }
    return cm_intel_check_domain(s, q->query_name, m);
}

int cm_intel_memo_init(struct cm_intel_memo *memo, uint64_t seed)
{
    memset(memo, 0, sizeof(*memo));
    memo->cur = CM_INTEL_MEMO_MAX;
    memo->names_seed = cm_hash_mix64(seed ^ 0x6e616d6573ULL);
    memo->names = cm_calloc(CM_INTEL_NAMES, sizeof(*memo->names));
    return memo->names != NULL ? CM_OK : CM_ENOMEM;
}

int cm_intel_count_suppressed_ip(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s,
                                 enum cm_intel_verdict v, const struct cm_ip *ip)
{
    if (memo != NULL && v == CM_INTEL_TRUSTED && cm_intel_threat_has_ip(s, ip, NULL)) {
        memo->trusted++;
    }
    return 0;
}

int cm_intel_count_suppressed_name(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s,
                                   enum cm_intel_verdict v, struct cm_str name)
{
    if (memo != NULL && v == CM_INTEL_TRUSTED && cm_intel_threat_has_domain(s, name)) {
        memo->trusted++;
    }
    return 0;
}

void cm_intel_memo_finish(struct cm_intel_memo *memo)
{
    cm_free(memo->names);
    memo->names = NULL;
    cm_intel_snapshot_unref(memo->names_snap);
    memo->names_snap = NULL;
}

/*
 * The slot for ev's query name, with the slots made s's first; NULL when
 * the name is not one the memo keeps. *h gets the name's hash.
 */
static struct cm_intel_name *name_slot(struct cm_intel_memo *memo,
                                       const struct cm_intel_snapshot *s, const struct cm_event *ev,
                                       uint64_t *h)
{
    const struct cm_domain *q = &ev->u.dns.qname;

    if (memo->names == NULL || s == NULL || !host_qname(&ev->u.dns) ||
        q->len > CM_INTEL_QNAME_MAX) {
        return NULL;
    }
    if (s != memo->names_snap) {
        /* The reference count is the one part of a snapshot that changes: hence the cast. */
        struct cm_intel_snapshot *hold = (struct cm_intel_snapshot *)(uintptr_t)s;

        for (size_t i = 0; i < CM_INTEL_NAMES; i++) {
            memo->names[i].len = 0;
        }
        cm_intel_snapshot_unref(memo->names_snap);
        memo->names_snap = cm_intel_snapshot_ref(hold);
    }
    *h = cm_hash64(q->name, q->len, memo->names_seed);
    return &memo->names[*h & (CM_INTEL_NAMES - 1)];
}

static bool name_kept(const struct cm_intel_name *k, uint64_t h, const struct cm_domain *q)
{
    return k->len != 0 && k->h == h && k->len == q->len && memcmp(k->name, q->name, q->len) == 0;
}

static void name_keep(struct cm_intel_name *k, uint64_t h, const struct cm_domain *q,
                      const struct cm_intel_match *m)
{
    k->h = h;
    k->len = (uint8_t)q->len;
    memcpy(k->name, q->name, q->len);
    k->m = *m;
}

/* query_verdict through the memo's kept names. m is not NULL. */
static enum cm_intel_verdict kept_verdict(struct cm_intel_memo *memo,
                                          const struct cm_intel_snapshot *s,
                                          const struct cm_event *ev, struct cm_intel_match *m)
{
    uint64_t h = 0;
    struct cm_intel_name *k = name_slot(memo, s, ev, &h);

    if (k == NULL) {
        return query_verdict(s, ev, m);
    }
    if (!name_kept(k, h, &ev->u.dns.qname)) {
        query_verdict(s, ev, m);
        name_keep(k, h, &ev->u.dns.qname, m);
    }
    *m = k->m;
    return m->verdict;
}

enum cm_intel_verdict cm_detect_query_intel(struct cm_intel_memo *memo,
                                            const struct cm_intel_snapshot *s,
                                            const struct cm_event *ev, struct cm_intel_match *m)
{
    struct cm_intel_memo_entry *e;

    if (memo == NULL || memo->cur > CM_INTEL_MEMO_MAX || ev->kind != CM_EV_DNS) {
        return query_verdict(s, ev, m);
    }
    e = entry_for(memo, s, ev);
    if (!(e->have & 1u)) {
        kept_verdict(memo, s, ev, &e->m[0]);
        e->have |= 1u;
    }
    if (m != NULL) {
        *m = e->m[0];
    }
    return e->m[0].verdict;
}

/* Which slot of ev's entry ip is, or -1 when it is not one of ev's own addresses. */
static int ip_slot(const struct cm_event *ev, const struct cm_ip *ip)
{
    if (ev->kind == CM_EV_FLOW) {
        return ip == &ev->u.flow.src ? 0 : ip == &ev->u.flow.dst ? 1 : -1;
    }
    if (ev->kind == CM_EV_CLOUDTRAIL) {
        return ip == &ev->u.ct.source_ip ? 0 : -1;
    }
    return -1;
}

enum cm_intel_verdict cm_detect_ip_intel(struct cm_intel_memo *memo,
                                         const struct cm_intel_snapshot *s,
                                         const struct cm_event *ev, const struct cm_ip *ip,
                                         struct cm_intel_match *m)
{
    struct cm_intel_memo_entry *e;
    int k;

    if (memo == NULL || memo->cur > CM_INTEL_MEMO_MAX || (k = ip_slot(ev, ip)) < 0) {
        return cm_intel_check_ip(s, ip, m);
    }
    e = entry_for(memo, s, ev);
    if (!(e->have & (1u << k))) {
        cm_intel_check_ip(s, ip, &e->m[k]);
        e->have |= 1u << k;
    }
    if (m != NULL) {
        *m = e->m[k];
    }
    return e->m[k].verdict;
}

/*
 * What a run of events asks: names or addresses, each with where its answer
 * goes. The query names the parser made host names (host_qname) come
 * first, from 0 up; the others last, from CM_INTEL_MEMO_MAX - 1 down.
 */
struct asks {
    struct cm_str names[CM_INTEL_MEMO_MAX];
    uint16_t name_at[CM_INTEL_MEMO_MAX];           /* entry */
    struct cm_intel_name *keep[CM_INTEL_MEMO_MAX]; /* the name's slot among the kept, or NULL */
    uint64_t keep_h[CM_INTEL_MEMO_MAX];            /* and its hash */
    size_t nnorm, nraw;
    struct cm_ip ips[2 * CM_INTEL_MEMO_MAX];
    uint16_t ip_at[2 * CM_INTEL_MEMO_MAX];
    size_t nips;
};

static void ask_ip(struct asks *a, const struct cm_ip *ip, size_t entry, unsigned slot)
{
    if (cm_ip_is_public(ip)) {
        a->ips[a->nips] = *ip;
        a->ip_at[a->nips++] = (uint16_t)(entry << 1 | slot);
    }
}

/* Looks up names[from..from + n) of a, normalised or not, and stores the answers. */
static void look_up_names(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s,
                          const struct asks *a, size_t from, size_t n, bool norm)
{
    struct cm_intel_match ms[CM_INTEL_MEMO_MAX];

    if (n == 0) {
        return;
    }
    if (norm) {
        cm_intel_check_domains_norm(s, a->names + from, n, ms);
    } else {
        cm_intel_check_domains(s, a->names + from, n, ms);
    }
    for (size_t j = 0; j < n; j++) {
        struct cm_intel_memo_entry *e = &memo->e[a->name_at[from + j]];

        e->m[0] = ms[j];
        e->have |= 1u;
        if (a->keep[from + j] != NULL) {
            name_keep(a->keep[from + j], a->keep_h[from + j], &e->ev->u.dns.qname, &ms[j]);
        }
    }
}

void cm_intel_memo_fill(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s,
                        const struct cm_event *const *evs, size_t n)
{
    struct cm_intel_match ms[2 * CM_INTEL_MEMO_MAX];
    struct asks a;

    a.nnorm = a.nraw = a.nips = 0;
    for (size_t i = 0; i < n && i < CM_INTEL_MEMO_MAX; i++) {
        const struct cm_event *ev = evs[i];

        memo->e[i].ev = ev;
        memo->e[i].snap = s;
        memo->e[i].have = 0;
        if (s == NULL) {
            continue;
        }
        if (ev->kind == CM_EV_DNS && cm_str_present(ev->u.dns.query_name)) {
            const struct cm_dns *q = &ev->u.dns;
            uint64_t h = 0;
            struct cm_intel_name *k = name_slot(memo, s, ev, &h);
            size_t at;

            if (k != NULL && name_kept(k, h, &q->qname)) {
                memo->e[i].m[0] = k->m;
                memo->e[i].have |= 1u;
                continue;
            }
            if (host_qname(q)) {
                at = a.nnorm++;
                a.names[at] = cm_str_make(q->qname.name, q->qname.len);
            } else {
                at = CM_INTEL_MEMO_MAX - ++a.nraw;
                a.names[at] = q->query_name;
            }
            a.keep[at] = k;
            a.keep_h[at] = h;
            a.name_at[at] = (uint16_t)i;
        } else if (ev->kind == CM_EV_FLOW) {
            ask_ip(&a, &ev->u.flow.src, i, 0);
            ask_ip(&a, &ev->u.flow.dst, i, 1);
        } else if (ev->kind == CM_EV_CLOUDTRAIL) {
            ask_ip(&a, &ev->u.ct.source_ip, i, 0);
        }
    }
    look_up_names(memo, s, &a, 0, a.nnorm, true);
    look_up_names(memo, s, &a, CM_INTEL_MEMO_MAX - a.nraw, a.nraw, false);
    if (a.nips > 0) {
        cm_intel_check_ips(s, a.ips, a.nips, ms);
        for (size_t j = 0; j < a.nips; j++) {
            struct cm_intel_memo_entry *e = &memo->e[a.ip_at[j] >> 1];
            unsigned k = a.ip_at[j] & 1u;

            e->m[k] = ms[j];
            e->have |= 1u << k;
        }
    }
}

int cm_intel_det_init(void **state, const struct cm_detect_opts *opts)
{
    struct cm_intel_det_state *st = cm_calloc(1, sizeof(*st));

    if (st == NULL) {
        return CM_ENOMEM;
    }
    st->cfg = opts->config;
    st->memo = opts->memo;
    *state = st;
    return 0;
}

void cm_intel_det_finish(void *state)
{
    cm_free(state);
}
