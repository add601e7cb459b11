/*
 * A query kept for a report made later (dns_kept.c): the DNS detectors
 * rate-limit their detections and count the queries in between, which are
 * reported with a next detection; when none comes (the activity stopped, or
 * the input ended), the entry that counted them reports them as it expires,
 * from the last of them kept here (dns_tunnel_rec.c, dns_dga.c, dns_rebind.c). Private to
 * lib/detect.
 */
#ifndef CM_DETECT_DNS_KEPT_H
#define CM_DETECT_DNS_KEPT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/domain.h"
#include "base/ip.h"
#include "base/str.h"
#include "event/event.h"

/*
 * What the finding takes from a query (cm_dns_detection, fill_dns) and its
 * event key. The instance is the caller's (its table's key). Strings are
 * packed into text in enum cm_dns_kept_field's order; the query name, last,
 * is the registered domain alone when the whole name does not fit
 * (iodine's \DDD names).
 */
enum cm_dns_kept_field {
    RF_ACCOUNT = 0,
    RF_REGION,
    RF_VPC,
    RF_ACCOUNT_ID,
    RF_TIMESTAMP,
    RF_TYPE,
    RF_CLASS,
    RF_RCODE,
    RF_SRCADDR,
    RF_TRANSPORT,
    RF_FIREWALL,
    RF_NAME,
    RF_COUNT
};
#define REC_FIELD_MAX 64                    /* bytes kept of a field but the name */
#define REC_TEXT      (CM_DOMAIN_MAX + 195) /* the name and 195 bytes of the others */

struct cm_dns_kept {
    int64_t time_ms; /* the query's time; INT64_MIN: none kept */
    struct cm_src_ref src;
    struct cm_ip src_ip;
    int32_t srcport;
    uint16_t len[RF_COUNT];
    char text[REC_TEXT];
};

/* Keeps ev, a query under registered domain dom, in *k. */
void cm_dns_kept_set(struct cm_dns_kept *k, const struct cm_event *ev, struct cm_str dom);
/*
 * Rebuilds the query kept in *k, of the instance inst, into *ev (which
 * borrows k's text); false when none was kept.
 */
bool cm_dns_kept_event(const struct cm_dns_kept *k, struct cm_str inst, struct cm_event *ev);
/* Whether k, read back from a file, is a struct cm_dns_kept a detector could have made. */
bool cm_dns_kept_valid(const struct cm_dns_kept *k);
/*
 * For a state codec's refs (struct cm_state_codec): calls fn on the evidence
 * reference of the query k keeps, if it keeps one (renumbered across runs).
 */
void cm_dns_kept_refs(struct cm_dns_kept *k, void (*fn)(void *fud, struct cm_src_ref *r),
                      void *fud);

#endif
