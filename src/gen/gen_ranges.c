/*
 * cm_gen_aws_ranges: AWS's published address ranges (ip-ranges.json) as a
 * generated world sees them, so a scan can tell AWS addresses from the rest
 * (`coalmine scan --aws-ranges`). The file has AWS's shape: syncToken and
 * createDate (the run's start), prefixes[] of {ip_prefix, region, service,
 * network_border_group}, each block listed once as AMAZON and again under its
 * service, and ipv6_prefixes[] (empty: the world is IPv4 only). It covers
 * every AWS-side address the logs show: the EC2 blocks of the world's
 * regions (instances' public IPs, NAT gateways, Lambda), their S3 blocks,
 * the monitoring vendor's block and the scenarios' attacker host inside
 * AWS. Home, office, CI and attacker addresses outside AWS are in none.
 */
#include "gen/gen.h"

#include <stdbool.h>

#include "base/time.h"
#include "gen/gen_sc_ct.h"

static int prefix(struct cm_buf *b, bool *first, uint32_t net, unsigned plen, const char *region,
                  const char *service)
{
    int rc = cm_buf_printf(b,
                           "%s\n    {\n      \"ip_prefix\": \"%u.%u.%u.%u/%u\",\n"
                           "      \"region\": \"%s\",\n      \"service\": \"%s\",\n"
                           "      \"network_border_group\": \"%s\"\n    }",
                           *first ? "" : ",", (unsigned)(net >> 24), (unsigned)((net >> 16) & 255),
                           (unsigned)((net >> 8) & 255), (unsigned)(net & 255), plen, region,
                           service, region);

    *first = false;
    return rc;
}

/* The block as AMAZON and as service. */
static int block(struct cm_buf *b, bool *first, uint32_t net, unsigned plen, const char *region,
                 const char *service)
{
    int rc = prefix(b, first, net, plen, region, "AMAZON");

    return rc ? rc : prefix(b, first, net, plen, region, service);
}

int cm_gen_aws_ranges(const struct cm_gen_config *c, const struct cm_gen_world *w, struct cm_buf *b)
{
    int64_t sod = ((c->start_s % 86400) + 86400) % 86400, y;
    unsigned m, d, g, k;
    bool first = true;
    int rc;

    cm_civil_from_days((c->start_s - sod) / 86400, &y, &m, &d);
    rc = cm_buf_printf(b,
                       "{\n  \"syncToken\": \"%lld\",\n"
                       "  \"createDate\": \"%04lld-%02u-%02u-%02u-%02u-%02u\",\n  \"prefixes\": [",
                       (long long)c->start_s, (long long)y, m, d, (unsigned)(sod / 3600),
                       (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
    for (g = 0; g < w->nregions && rc == 0; g++) {
        const struct cm_gen_region *r = w->regions[g];

        for (k = 0; k < 3 && rc == 0; k++) {
            rc = block(b, &first, r->ec2_net[k], r->ec2_plen[k], r->name, "EC2");
        }
        rc = rc ? rc : block(b, &first, r->s3_net, r->s3_plen, r->name, "S3");
    }
    rc = rc ? rc
            : block(b, &first, CM_GEN_MONITOR_NET, CM_GEN_MONITOR_PLEN, CM_GEN_MONITOR_REGION,
                    "EC2");
    rc = rc ? rc
            : block(b, &first, CM_GEN_SC_AWS_OTHER_BLOCK, CM_GEN_SC_AWS_OTHER_PLEN,
                    CM_GEN_SC_AWS_OTHER_REGION, "EC2");
    rc = rc ? rc : cm_buf_puts(b, "\n  ],\n  \"ipv6_prefixes\": []\n}\n");
    return rc;
}
