/*
 * libFuzzer target for the Route 53 Resolver query log parser. Any input
 * must parse without crashing and without failing (documents are handed off
 * every few events, as a batching caller does, so the node cap is never the
 * limit); every event must carry a query name and a timestamp that parses to
 * its time, slices must lie in the input or the arena, and each event's
 * nodes must still be readable through its own document when it arrives.
 * Rejects must point inside the input. The parse runs with a small cache
 * of split query names that lives across inputs, and every event's split
 * name must be what cm_domain_parse_psl makes of its query name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/domain_cache.h"
#include "base/json.h"
#include "base/time.h"
#include "parse/parse.h"
#include "parse/resolver_int.h"

#include "../unit/lib/parse/resolver_same.h"

#define NDOCS 3

struct fz {
    const char *buf;
    size_t len;
    size_t events, rejects;
    struct cm_parse_ctx *ctx;
    struct cm_json_doc *docs;
    struct cm_arena *arenas;
    int cur;
};

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* Touches every byte so ASan sees any slice that points at freed or foreign memory. */
static void touch(struct cm_str s)
{
    volatile char sink = 0;

    if (s.p == NULL) {
        return;
    }
    for (size_t i = 0; i < s.len; i++) {
        sink ^= s.p[i];
    }
    (void)sink;
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct fz *f = ud;
    const struct cm_dns *dns = &ev->u.dns;
    int64_t ms = 0;
    char key[128];

    check(ev->kind == CM_EV_DNS);
    check(ev->src.line >= 1 && ev->src.offset + ev->src.length <= f->len);
    check(dns->query_name.p != NULL && dns->query_timestamp.p != NULL);
    check(cm_time_parse_iso(dns->query_timestamp, &ms) == 0 && ms == ev->time_ms);
    check(dns->srcport >= -1 && dns->srcport <= 65535);
    check(dns->nans <= CM_DNS_MAX_ANSWERS && dns->nans <= dns->nanswers);
    check(dns->nans == dns->nanswers || dns->nans == CM_DNS_MAX_ANSWERS);
    for (uint32_t i = 0; i < dns->nans; i++) {
        touch(dns->ans[i].rdata);
        check(dns->ans[i].type <= CM_DNS_RR_LAST);
    }
    if (dns->qname_ok) {
        check(dns->qname.len > 0 && dns->qname.len <= CM_DOMAIN_MAX);
        check(dns->qname.reg <= dns->qname.len && dns->qname.sfx <= dns->qname.len);
    }
    {
        struct cm_domain d;

        check((cm_domain_parse_psl(NULL, dns->query_name, &d) == 0) == dns->qname_ok);
        check(!dns->qname_ok ||
              (d.len == dns->qname.len && memcmp(d.name, dns->qname.name, d.len + 1) == 0 &&
               d.reg == dns->qname.reg && d.sfx == dns->qname.sfx &&
               d.private_suffix == dns->qname.private_suffix &&
               d.unlisted_tld == dns->qname.unlisted_tld && d.labels == dns->qname.labels &&
               d.host == dns->qname.host));
    }
    touch(dns->query_name);
    touch(dns->srcaddr);
    touch(dns->srcid_instance);
    touch(dns->srcid_resolver_endpoint);
    touch(dns->srcid_resolver_network_interface);
    touch(dns->firewall_rule_action);
    touch(ev->account);
    touch(ev->region);
    cm_event_entity_key(ev, key, sizeof(key));
    f->events++;
    /* Every third event, hand the document and arena off and start fresh ones. */
    if (f->events % 3 == 0) {
        f->cur = (f->cur + 1) % NDOCS;
        if (f->events % 2 == 0) {
            cm_json_doc_begin(&f->docs[f->cur], f->buf, f->len);
        } else {
            cm_json_doc_begin(&f->docs[f->cur], NULL, 0); /* the parser must re-point it */
        }
        cm_arena_reset(&f->arenas[f->cur]);
        f->ctx->doc = &f->docs[f->cur];
        f->ctx->arena = &f->arenas[f->cur];
    }
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct fz *f = ud;

    check(k == CM_EV_DNS && off < f->len && line >= 1 && reason != NULL && reason[0] != '\0');
    f->rejects++;
}

/*
 * Every line the canonical fast reader takes, the general one takes and
 * reads alike (resolver_canon.c's promise).
 */
static void readers_agree(const char *buf, size_t len)
{
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t next = nl ? (size_t)(nl - buf) + 1 : len;
        struct cm_time_memo m1, m2;
        struct cm_event a, b;
        size_t ea = 0, eb = 0;

        memset(&m1, 0, sizeof(m1));
        memset(&m2, 0, sizeof(m2));
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (cm_resolver_canonical_record(buf, len, at, &ea, &a, &m1)) {
            check(cm_resolver_general_record(buf, len, at, &eb, &b, &m2));
            check(ea == eb && resolver_same(&a, &b));
        }
        at = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cm_domain_cache *cache; /* kept across inputs: a hit answers for an earlier one */
    struct cm_json_doc docs[NDOCS];
    struct cm_arena arenas[NDOCS];
    struct cm_parse_ctx ctx;
    struct fz f;

    (void)cm_parser_dns.sniff((const char *)data, size);
    readers_agree((const char *)data, size);
    for (int i = 0; i < NDOCS; i++) {
        cm_json_doc_init(&docs[i], 1u << 20, 64);
        cm_arena_init(&arenas[i], 4096, 1 << 20);
    }
    if (cache == NULL) {
        check(cm_domain_cache_create(&cache, 16, 5) == 0);
    }
    memset(&ctx, 0, sizeof(ctx));
    memset(&f, 0, sizeof(f));
    f.buf = (const char *)data;
    f.len = size;
    f.ctx = &ctx;
    f.docs = docs;
    f.arenas = arenas;
    ctx.doc = &docs[0];
    ctx.arena = &arenas[0];
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &f;
    ctx.dcache = cache;
    check(cm_parser_dns.parse(&ctx, (const char *)data, size) == 0);
    for (int i = 0; i < NDOCS; i++) {
        cm_json_doc_finish(&docs[i]);
        cm_arena_finish(&arenas[i]);
    }
    return 0;
}
