/*
 * Search domains of the DNS tunnelling detector (dns_tunnel_impl.h; the
 * reasoning in docs/detectors/dns-tunnel.md, "Search-list expansions").
 *
 * A resolver's search list appends its suffixes to every name an instance
 * looks up, so an allow-listed name (<hash>.s3.amazonaws.com) can come back
 * NXDOMAIN under the corporate domain (...s3.amazonaws.com.corp.example.com).
 * A tunnel whose server answers NXDOMAIN can write the same shape under its
 * own domain (<data>.s3.amazonaws.com.evil-tunnel.com). The two differ in
 * what precedes the suffix: a search list follows every name the instance
 * asks for, a tunnel one zone it spells. So a suffix S counts as a search
 * domain of an instance once that instance has asked it after names of
 * SEARCH_DOMAINS distinct allow-listed zones (the entry a prefix lies under:
 * the PSL makes <id>.us-east-1.aws.found.io a registered domain of its own,
 * so a tunnel would make one per name); private namespaces (.internal,
 * .local, .corp...) and TLDs in no root zone at once (no public server
 * answers under them). Until S is learned, its expansions are held: the
 * first SEARCH_HOLD distinct names are neither judged nor counted (a real
 * search list stays quiet from its first minute); past them, with S still
 * following fewer domains, every expansion under S is judged as any name of
 * S's registered domain (a tunnel then fires; its held names are not in
 * the finding's count).
 *
 * State: the key instance '\0' '\0' suffix in the window table (a third
 * kind beside a domain's and an instance's spread entry), its struct entry
 * holding only u.search and the times; TTL window_ms from its last
 * expansion, the table's memcap and eviction. Cost: only encoded-looking
 * NXDOMAIN names whose prefix is allow-listed come here: two suffix-list
 * look-ups and one table touch each.
 */
#include "detect/dns_tunnel_impl.h"

#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "detect/dns_reputation.h"

/* Adds h to set[0..*n) of at most max; true when it was already there or was added. */
static bool set_add(uint32_t *set, uint8_t *n, unsigned max, uint32_t h)
{
    for (unsigned i = 0; i < *n; i++) {
        if (set[i] == h) {
            return true;
        }
    }
    if (*n < max) {
        set[(*n)++] = h;
        return true;
    }
    return false;
}

bool cm_dns_tunnel_search_key(const char *k, size_t klen)
{
    size_t ilen = strnlen(k, klen);

    return ilen + 2 < klen && k[ilen + 1] == '\0';
}

bool cm_dns_tunnel_search_valid(const struct entry *e)
{
    const struct search *s = &e->u.search;

    return s->doms <= SEARCH_DOMAINS && s->nheld <= SEARCH_HOLD && e->full == 0 && e->qn == 0 &&
           e->reported_ms == INT64_MIN && e->pending == 0 && e->sp_given == 0 && e->dc_names == 0;
}

int cm_dns_tunnel_search(struct dns_tunnel *st, const struct cm_event *ev, struct cm_str name,
                         size_t plen, struct cm_str zone)
{
    struct cm_str inst = ev->u.dns.srcid_instance, sfx;
    struct cm_domain d;
    struct search *s;
    struct entry *e;
    size_t klen;
    bool created;
    uint32_t h;

    if (plen + 1 >= name.len) {
        return 1;
    }
    sfx = cm_str_make(name.p + plen + 1, name.len - plen - 1);
    if (cm_domain_parse_psl(st->psl, sfx, &d) != 0 || cm_dns_rep_ignored(&d)) {
        return 1; /* a private namespace, a TLD in no root zone: a search domain at once */
    }
    klen = inst.len + 2 + d.len;
    if (inst.len > INSTANCE_MAX || klen > sizeof(st->key)) {
        return 1;
    }
    memcpy(st->key, inst.p, inst.len);
    st->key[inst.len] = '\0';
    st->key[inst.len + 1] = '\0';
    memcpy(st->key + inst.len + 2, d.name, d.len); /* lowercase */
    h = (uint32_t)cm_hash64(zone.p, zone.len, st->seed);
    if ((e = cm_state_touch(st->keys, st->key, klen, ev->time_ms, &created)) == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        cm_dns_tunnel_entry_fresh(e, ev->time_ms);
    } else if (ev->time_ms > e->last_ms) {
        e->last_ms = ev->time_ms;
    }
    s = &e->u.search;
    (void)set_add(s->dom, &s->doms, SEARCH_DOMAINS, h);
    if (s->doms >= SEARCH_DOMAINS) {
        return 1; /* a learned search domain */
    }
    h = (uint32_t)cm_hash64(name.p, name.len, st->seed);
    return set_add(s->held, &s->nheld, SEARCH_HOLD, h) ? 1 : 0;
}
