/*
 * What the DNS detectors share (dns.h): the instance test, the detection
 * skeleton, the look-ups of a domain's records (cm_dns_model is in dga.c,
 * beside the built-in model).
 */
#include "detect/dns.h"

#include <string.h>
#include <strings.h>

bool cm_dns_from_instance(const struct cm_event *ev, struct cm_domain *d)
{
    const struct cm_dns *q;

    if (ev->kind != CM_EV_DNS) {
        return false;
    }
    q = &ev->u.dns;
    if (!cm_str_present(q->srcid_instance) || q->srcid_instance.len == 0 ||
        !cm_str_present(q->query_name)) {
        return false;
    }
    if (!q->qname_ok) {
        return false;
    }
    *d = q->qname; /* split once, by the parser */
    return true;
}

void cm_dns_detection(struct cm_detection *d, const struct cm_event *ev, const char *type)
{
    cm_detection_init(d, ev, type);
    d->resource_type = CM_RES_INSTANCE;
    d->resource_id = ev->u.dns.srcid_instance;
    d->direction = CM_DDIR_OUTBOUND;
}

/*
 * Labels that name a domain's records rather than a host: DKIM keys, DMARC,
 * MTA-STS, TLS reporting, BIMI, SPF include hosts, ACME challenges, SRV
 * services. A mail server looks them up for every sender's domain, spammers'
 * cheap ones among them; that says nothing of the server. (Other underscore
 * labels are judged: an attacker's zone answers any name.)
 */
static const char *const record_labels[] = {
    "_acme-challenge", "_adsp", "_bimi", "_dmarc", "_domainkey", "_mta-sts",
    "_smtp",           "_spf",  "_tcp",  "_tls",   "_udp",
};

bool cm_dns_record_label(struct cm_str name)
{
    size_t i = 0;

    if (name.p == NULL || memchr(name.p, '_', name.len) == NULL) {
        return false;
    }
    while (i < name.len) {
        size_t end = i;

        while (end < name.len && name.p[end] != '.') {
            end++;
        }
        if (name.p[i] == '_') {
            for (size_t k = 0; k < sizeof(record_labels) / sizeof(record_labels[0]); k++) {
                size_t n = strlen(record_labels[k]);

                if (end - i == n && strncasecmp(name.p + i, record_labels[k], n) == 0) {
                    return true;
                }
            }
        }
        i = end + 1;
    }
    return false;
}

/*
 * Record types that ask for a domain's records, not for a host to reach:
 * mail routing and policies (MX, TXT, SPF), services (SRV, NAPTR, URI), the
 * zone's own infrastructure and keys (NS, SOA, CAA, DS, DNSKEY, CDS,
 * CDNSKEY, TLSA, SMIMEA, SSHFP, OPENPGPKEY, CERT), reverse names (PTR).
 */
/* clang-format off */
#define RT(s) {s, sizeof(s) - 1}
static const struct {
    const char *name;
    size_t len;
} record_types[] = {
    RT("CAA"), RT("CDNSKEY"), RT("CDS"), RT("CERT"), RT("DNSKEY"), RT("DS"), RT("MX"),
    RT("NAPTR"), RT("NS"), RT("OPENPGPKEY"), RT("PTR"), RT("SMIMEA"), RT("SOA"), RT("SPF"),
    RT("SRV"), RT("SSHFP"), RT("TLSA"), RT("TXT"), RT("URI"),
};
#undef RT
/* clang-format on */

bool cm_dns_record_type(struct cm_str type)
{
    /* Asked for every query: A (and AAAA, HTTPS...) are answered by the length and the first
     * letter, without a string compare. */
    if (type.p == NULL || type.len < 2 || type.len > 10) {
        return false;
    }
    for (size_t k = 0; k < sizeof(record_types) / sizeof(record_types[0]); k++) {
        if (type.len == record_types[k].len &&
            (type.p[0] | 0x20) == (record_types[k].name[0] | 0x20) &&
            strncasecmp(type.p, record_types[k].name, type.len) == 0) {
            return true;
        }
    }
    return false;
}
