/*
 * DNS detectors of issue #7 (docs/detectors/dns.md): what they share.
 * Every one judges a Route 53 Resolver query asked by an instance (the
 * record's srcids.instance, or the one the scan's reader named from the
 * inventory for a record that names none: cm_inventory_dns_attribute);
 * queries forwarded for on-premises clients through resolver endpoints, and
 * those of addresses no known instance has, have no EC2 resource and are
 * left alone.
 *
 *   dns_dga.c         Trojan:EC2/DGADomainRequest.B (the DGA model, dga.h,
 *                     aggregated per instance: a burst of such names, not one)
 *   dns_tunnel.c      Trojan:EC2/DNSDataExfiltration (per instance and
 *                     registered domain: unique sub-domains, label lengths,
 *                     entropy, encodings, rate, bytes over time)
 *   dns_rebind.c      UnauthorizedAccess:EC2/MetadataDNSRebind
 *   dns_reputation.c  Impact:EC2/{Abused,Bitcoin,Malicious,Suspicious}DomainRequest.Reputation
 *
 * Names are normalised and split into registered domain and public suffix
 * by cm_domain_parse (base/domain.h, libpsl), never by "the last two labels".
 */
#ifndef CM_DETECT_DNS_H
#define CM_DETECT_DNS_H

#include <stdbool.h>

#include "base/domain.h"
#include "detect/detect.h"

/*
 * True when ev is a DNS query asked by an instance, with a name that
 * cm_domain_parse accepts (then *d holds it). Cheap tests first.
 */
bool cm_dns_from_instance(const struct cm_event *ev, struct cm_domain *d);

/*
 * Starts an instance detection of type for DNS event ev: account, region,
 * time, count 1, the event, the instance as resource, outbound.
 */
void cm_dns_detection(struct cm_detection *d, const struct cm_event *ev, const char *type);

/*
 * Whether a query name has a label that names a domain's records rather
 * than a host (`_domainkey`, `_dmarc`, `_mta-sts`, `_smtp`, `_tls`, `_bimi`,
 * `_spf`, `_adsp`, `_acme-challenge`, `_tcp`, `_udp`; without case): what a
 * mail server asks for every sender's domain.
 */
bool cm_dns_record_label(struct cm_str name);

/*
 * Whether a query type (as logged: "MX", "TXT"...) asks for a domain's
 * records rather than a host's address: MX, TXT, SPF, SRV, NAPTR, URI, NS,
 * SOA, CAA, DS, DNSKEY, CDS, CDNSKEY, TLSA, SMIMEA, SSHFP, OPENPGPKEY, CERT,
 * PTR. A, AAAA, ANY, CNAME, HTTPS, SVCB and unknown types are not.
 */
bool cm_dns_record_type(struct cm_str type);

/* The DGA model the DNS detectors use: the config's, else the built-in one. */
const struct cm_dga_model *cm_dns_model(const struct cm_detect_config *cfg);

extern const struct cm_detector cm_detector_dns_dga;
extern const struct cm_detector cm_detector_dns_tunnel;
extern const struct cm_detector cm_detector_dns_rebind;
extern const struct cm_detector cm_detector_dns_reputation;

#endif
