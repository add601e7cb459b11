/*
 * libFuzzer target for the domain reputation model and the reputation,
 * rebinding and tunnelling detectors (lib/detect/dns_reputation.c,
 * dns_providers.c, dns_rebind.c, dns_tunnel.c, dns_tunnel_shape.c,
 * dns_tunnel_dnscat.c, dns_tunnel_slow.c, dns_tunnel_search.c).
 *
 * The input, copied into an exact-size heap buffer (no NUL after it), is
 * first one name: when cm_domain_parse takes it, the stateless score must
 * be in [0, 1] and equal the noisy-OR of its components, the same through
 * the tables' hashed index as through the binary searches, the site must lie
 * in the name, the reasons must match the components, and a provider, a
 * crypto sign and the AWS-name test must not crash. Then the input is read
 * as Route 53 Resolver query logs through the real parser (escapes decoded
 * into an arena, as a scan has them) into an engine holding the three
 * detectors (no learning period, thresholds of one or two so the tunnel's
 * answer, spread, slow and settling paths run, tiny memcaps so eviction runs):
 * every detection must be of their types, for the event's instance, with a
 * count of at least 1 and additionalInfo that parses as a JSON object. Every
 * answer the tunnel detector may read is also given to its answer readers:
 * the data they return must lie inside the answer, and a dnscat2 packet
 * read from it (or from the input as a name) must fit in it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/domain.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/dga.h"
#include "detect/dns.h"
#include "detect/dns_reputation.h"
#include "detect/dns_tunnel.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* A packet cm_dns_tunnel_dnscat reads out of p[0..n) fits in it and is a session's. */
static void dnscat(const char *p, size_t n)
{
    struct cm_dnscat_packet k;

    if (cm_dns_tunnel_dnscat(cm_str_make(p, n), &k)) {
        check(k.bytes >= 9 && k.bytes <= 127 && 2 * (size_t)k.bytes <= n);
        check(k.type <= 3);
    }
}

static void one_name(const char *p, size_t n)
{
    struct cm_domain d;
    struct cm_dns_rep rep;
    double keep;

    dnscat(p, n);
    {
        /* A search-list expansion's prefix ends before a dot, under the zone it names. */
        struct cm_str zone = CM_STR_NULL;
        size_t at = cm_dns_tunnel_expansion_prefix(cm_str_make(p, n), NULL, 0, &zone);

        check(at == 0 || (at < n && p[at] == '.' && zone.p != NULL && zone.len <= at));
        check((at > 0) == cm_dns_tunnel_expansion(cm_str_make(p, n), NULL, 0));
    }
    if (cm_domain_parse(cm_str_make(p, n), &d) != 0) {
        return;
    }
    cm_dns_rep_score(cm_dga_model_builtin(), &d, &rep);
    check(rep.score >= 0.0 && rep.score <= 1.0);
    check(rep.dga >= 0.0 && rep.dga <= 1.0);
    check(rep.site <= d.len);
    keep = (1.0 - rep.provider) * (1.0 - rep.tld) * (1.0 - rep.dga_part) * (1.0 - rep.crypto);
    check(rep.score - (1.0 - keep) < 1e-9 && (1.0 - keep) - rep.score < 1e-9);
    check(((rep.reasons & CM_DNSR_PROVIDER) != 0) == (rep.provider_entry != NULL));
    check(((rep.reasons & CM_DNSR_TLD) != 0) == (rep.tld > 0));
    check(((rep.reasons & CM_DNSR_CRYPTO) != 0) == (rep.crypto > 0));
    if (cm_dns_rep_ignored(&d)) {
        check(rep.score == 0.0 && rep.site == d.len);
    } else {
        check(rep.site <= d.reg);
    }
    (void)cm_dns_rebind_aws_name(&d, NULL);
    {
        struct cm_dns_tables *t = NULL;
        struct cm_dns_rep ix;

        check(cm_dns_tables_create(&t) == 0);
        cm_dns_rep_score_with(t, cm_dga_model_builtin(), &d, &ix);
        check(ix.score == rep.score && ix.reasons == rep.reasons && ix.site == rep.site &&
              ix.provider_entry == rep.provider_entry && ix.crypto_sign == rep.crypto_sign);
        cm_dns_tables_destroy(t);
    }
}

struct fz {
    struct cm_engine *engine;
    struct cm_sink sink;
    const struct cm_event *cur;
};

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct fz *f = sink->ud;
    struct cm_json_doc doc;

    check(d->type != NULL && (strstr(d->type, "DomainRequest.Reputation") != NULL ||
                              strcmp(d->type, "UnauthorizedAccess:EC2/MetadataDNSRebind") == 0 ||
                              strcmp(d->type, "Trojan:EC2/DNSDataExfiltration") == 0));
    check(d->count >= 1 && d->first_ms <= d->time_ms);
    check(d->event != NULL && d->resource_type == CM_RES_INSTANCE);
    /* A detection points at the query being read, except the tunnel's, the rebinding and
     * the reputation detectors' reports of what an entry counted after its last detection,
     * made from its kept query when the entry expires (on a tick or at the flush, where no
     * query is being read). */
    check(d->event == f->cur || strstr(d->type, "DomainRequest.Reputation") != NULL ||
          strcmp(d->type, "Trojan:EC2/DNSDataExfiltration") == 0 ||
          strcmp(d->type, "UnauthorizedAccess:EC2/MetadataDNSRebind") == 0);
    check(cm_str_eq(d->resource_id, d->event->u.dns.srcid_instance));
    check(cm_str_present(d->info));
    cm_json_doc_init(&doc, 0, 0);
    check(cm_json_parse(&doc, d->info.p, d->info.len, NULL) == 0);
    check(cm_json_type(&doc, 0) == CM_JSON_OBJECT);
    cm_json_doc_finish(&doc);
    return 0;
}

/* The answer readers on every answer of ev, against its registered domain. */
static void answers(const struct cm_event *ev)
{
    const struct cm_dns *q = &ev->u.dns;
    struct cm_str dom = q->qname_ok ? cm_domain_registered(&q->qname) : CM_STR_LIT("example.com");

    (void)cm_dns_tunnel_raw_answer(q);
    for (uint32_t k = 0; k < q->nans; k++) {
        struct cm_str r = q->ans[k].rdata, out;
        struct cm_dns_name_shape sh;

        if (cm_dns_tunnel_answer_data(&q->ans[k], dom, &out)) {
            check(out.p >= r.p && out.p + out.len <= r.p + r.len);
            (void)cm_dns_tunnel_classify_answer(out, 1, &sh);
            check(sh.chars <= out.len);
            dnscat(out.p, out.len);
        }
    }
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct fz *f = ud;

    answers(ev);
    f->cur = ev;
    check(cm_engine_event(f->engine, ev, &f->sink) == 0);
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud;
    (void)k;
    (void)off;
    (void)line;
    (void)reason;
}

static int rep_init(void **state, const struct cm_detect_opts *opts)
{
    struct cm_dns_rep_tuning t;

    memset(&t, 0, sizeof(t));
    t.learn_ms = 1;
    t.domain_max_entries = 4;
    t.name_max_entries = 4;
    t.hit_max_entries = 2;
    return cm_dns_reputation_init(state, opts, &t);
}

static int rebind_init(void **state, const struct cm_detect_opts *opts)
{
    struct cm_dns_rebind_tuning t;

    memset(&t, 0, sizeof(t));
    t.max_entries = 2;
    return cm_dns_rebind_init(state, opts, &t);
}

static int tunnel_init(void **state, const struct cm_detect_opts *opts)
{
    struct cm_dns_tunnel_tuning t;

    memset(&t, 0, sizeof(t));
    t.many_names = 2;
    t.many_bytes = 1;
    t.long_names = 2;
    t.long_bytes = 1;
    t.data_names = 2;
    t.min_chars = 1;
    t.spread_domains = 2;
    t.slow_names = 3;
    t.slow_bytes = 1;
    t.max_entries = 3;
    return cm_dns_tunnel_init(state, opts, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    struct cm_detector rep = cm_detector_dns_reputation, reb = cm_detector_dns_rebind,
                       tun = cm_detector_dns_tunnel;
    const struct cm_detector *const table[] = {&rep, &reb, &tun, NULL};
    struct cm_detect_opts o;
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct cm_arena arena;
    struct fz f;

    check(buf != NULL);
    memcpy(buf, data, size);
    one_name(buf, size);
    rep.init = rep_init;
    reb.init = rebind_init;
    tun.init = tunnel_init;
    memset(&o, 0, sizeof(o));
    o.seed = 5;
    memset(&f, 0, sizeof(f));
    f.sink.emit = collect;
    f.sink.ud = &f;
    check(cm_engine_create(&f.engine, table, &o) == 0);
    cm_json_doc_init(&doc, 1u << 20, 64);
    cm_arena_init(&arena, 1u << 16, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.arena = &arena;
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &f;
    check(cm_parser_dns.parse(&ctx, buf, size) == 0);
    f.cur = NULL;
    check(cm_engine_flush(f.engine, &f.sink) == 0);
    cm_engine_destroy(f.engine);
    cm_json_doc_finish(&doc);
    cm_arena_finish(&arena);
    free(buf);
    return 0;
}
