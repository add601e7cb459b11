/*
 * Intel detector for Route 53 Resolver query logs: an instance asks for a
 * listed name (the name itself or any parent domain on a list, most
 * specific first), or gets an answer that points at a listed sink-hole
 * address (Trojan:EC2/BlackholeTraffic!DNS: the domain is being redirected
 * to a black hole). A name on a trusted list gives nothing. Queries that do
 * not come from an instance (resolver endpoints forwarding for on-premises
 * hosts) have no EC2 resource to report and are left alone.
 */
#include "detect/intel.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define MAX_TYPES 8

struct emitted {
    const char *types[MAX_TYPES];
    size_t n;
};

static bool take(struct emitted *e, const char *type)
{
    if (type == NULL || e->n == MAX_TYPES) {
        return false;
    }
    for (size_t i = 0; i < e->n; i++) {
        if (e->types[i] == type) {
            return false;
        }
    }
    e->types[e->n++] = type;
    return true;
}

static int emit(const struct cm_intel_det_state *st, const struct cm_event *ev, const char *type,
                const struct cm_intel_match *m, enum cm_intel_category c, struct cm_sink *sink)
{
    struct cm_detection d;

    cm_detection_init(&d, ev, type);
    d.resource_type = CM_RES_INSTANCE;
    d.resource_id = ev->u.dns.srcid_instance;
    d.direction = CM_DDIR_OUTBOUND;
    cm_intel_detection_lists(st->intel, m, c, &d);
    return cm_sink_emit(sink, &d);
}

/* Whether ip is on a threat list as a sink-hole, trusted lists aside. */
static bool threat_sinkhole(const struct cm_intel_snapshot *s, const struct cm_ip *ip)
{
    struct cm_intel_match m;

    if (!cm_ip_is_public(ip) || !cm_intel_threat_has_ip(s, ip, &m)) {
        return false;
    }
    for (size_t i = 0; i < m.nids; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m.ids[i]);

        if (ind != NULL && ind->category == CM_CAT_SINKHOLE) {
            return true;
        }
    }
    return false;
}

/*
 * Counts the detections a trusted query name suppressed: its own threat-list match, and a
 * sink-hole answer's (check_answers is not reached).
 */
static int count_trusted_query(const struct cm_intel_det_state *st, const struct cm_dns *q)
{
    cm_intel_count_suppressed_name(st->memo, st->intel, CM_INTEL_TRUSTED, q->query_name);
    for (uint32_t e = 0; st->memo != NULL && e < q->nans; e++) {
        if (threat_sinkhole(st->intel, &q->ans[e].ip)) {
            st->memo->trusted++;
            break;
        }
    }
    return 0;
}

/* Answers (A/AAAA) that point at a listed sink-hole address. */
static int check_answers(const struct cm_intel_det_state *st, const struct cm_event *ev,
                         struct emitted *done, struct cm_sink *sink)
{
    const struct cm_dns *q = &ev->u.dns;
    bool hidden = false; /* a trusted sink-hole answer counted (once: one type) */

    for (uint32_t e = 0; e < q->nans; e++) {
        const struct cm_ip *ip = &q->ans[e].ip; /* A and AAAA answers, parsed by the parser */
        struct cm_intel_match m;
        enum cm_intel_verdict v;

        if (!cm_ip_is_public(ip)) {
            continue;
        }
        if ((v = cm_intel_check_ip(st->intel, ip, &m)) == CM_INTEL_TRUSTED && !hidden &&
            st->memo != NULL && threat_sinkhole(st->intel, ip)) {
            hidden = true; /* a sink-hole finding suppressed */
            st->memo->trusted++;
        }
        if (v != CM_INTEL_THREAT) {
            continue;
        }
        for (size_t i = 0; i < m.nids; i++) {
            const struct cm_indicator *ind = cm_intel_snapshot_indicator(st->intel, m.ids[i]);
            const char *type = "Trojan:EC2/BlackholeTraffic!DNS";
            int rc;

            if (ind == NULL || ind->category != CM_CAT_SINKHOLE || !take(done, type)) {
                continue;
            }
            if ((rc = emit(st, ev, type, &m, CM_CAT_SINKHOLE, sink)) != 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct cm_intel_det_state *st = state;
    const struct cm_dns *q = &ev->u.dns;
    struct emitted done = {{NULL}, 0};
    struct cm_intel_match m;
    enum cm_intel_verdict v;

    st->intel = cm_detect_intel(st->cfg);
    if (st->intel == NULL || !cm_str_present(q->srcid_instance) || q->srcid_instance.len == 0 ||
        !cm_str_present(q->query_name)) {
        return 0;
    }
    v = cm_detect_query_intel(st->memo, st->intel, ev, &m);
    if (v == CM_INTEL_TRUSTED) {
        return count_trusted_query(st, q);
    }
    if (v == CM_INTEL_THREAT) {
        for (size_t i = 0; i < m.nids; i++) {
            const struct cm_indicator *ind = cm_intel_snapshot_indicator(st->intel, m.ids[i]);
            const char *type;
            int rc;

            if (ind == NULL) {
                continue;
            }
            type = cm_intel_type_dns(ind->category);
            if (!take(&done, type)) {
                continue;
            }
            if ((rc = emit(st, ev, type, &m, ind->category, sink)) != 0) {
                return rc;
            }
        }
    }
    return check_answers(st, ev, &done, sink);
}

static const char *const types[] = {
    "Backdoor:EC2/C&CActivity.B!DNS",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "Trojan:EC2/BlackholeTraffic!DNS",
    "Trojan:EC2/DGADomainRequest.C!DNS",
    "Trojan:EC2/DriveBySourceTraffic!DNS",
    "Trojan:EC2/DropPoint!DNS",
    "Trojan:EC2/PhishingDomainRequest!DNS",
    "Impact:EC2/MaliciousDomainRequest.Custom",
    "Impact:EC2/MaliciousDomainRequest.Reputation",
    NULL,
};

const struct cm_detector cm_detector_intel_dns = {
    .name = "intel-dns",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_DNS),
    .init = cm_intel_det_init,
    .on_event = on_event,
    .on_tick = NULL,
    .finish = cm_intel_det_finish,
};
