/*
 * The table of attack scenarios `coalmine gen` can inject on top of the
 * benign background (see struct cm_gen_scenario in gen.h), in the order
 * `coalmine gen --list-scenarios` prints them. Each family lives in its own
 * gen_sc_<family>.c; the intel family (one scenario per threat-intelligence
 * finding type, issue #4) is described in gen_sc_intel.h.
 */
#include "gen/gen.h"

#include <string.h>

#include "gen/gen_sc_intel.h"

const struct cm_gen_scenario *const cm_gen_scenarios[] = {
    /* CloudTrail: IAM calls and S3 calls from listed addresses */
    &cm_gen_sc_recon_iam_malicious,
    &cm_gen_sc_recon_iam_custom,
    &cm_gen_sc_recon_iam_tor,
    &cm_gen_sc_access_iam_malicious,
    &cm_gen_sc_access_iam_custom,
    &cm_gen_sc_access_iam_tor,
    &cm_gen_sc_discovery_s3_malicious,
    &cm_gen_sc_discovery_s3_custom,
    &cm_gen_sc_discovery_s3_tor,
    &cm_gen_sc_exfil_s3_malicious,
    &cm_gen_sc_impact_s3_malicious,
    &cm_gen_sc_access_s3_custom,
    &cm_gen_sc_access_s3_tor,
    /* VPC flow logs: instances talking to listed addresses */
    &cm_gen_sc_flow_cnc,
    &cm_gen_sc_flow_mining,
    &cm_gen_sc_flow_blackhole,
    &cm_gen_sc_flow_drop_point,
    &cm_gen_sc_flow_custom,
    &cm_gen_sc_flow_tor_client,
    &cm_gen_sc_flow_tor_relay,
    /* Resolver query logs: instances asking for listed names */
    &cm_gen_sc_dns_cnc,
    &cm_gen_sc_dns_mining,
    &cm_gen_sc_dns_blackhole,
    &cm_gen_sc_dns_dga,
    &cm_gen_sc_dns_drive_by,
    &cm_gen_sc_dns_drop_point,
    &cm_gen_sc_dns_phishing,
    &cm_gen_sc_dns_custom,
    NULL,
};

const struct cm_gen_scenario *cm_gen_scenario_find(const char *name)
{
    size_t i;

    for (i = 0; cm_gen_scenarios[i] != NULL; i++) {
        if (strcmp(cm_gen_scenarios[i]->name, name) == 0) {
            return cm_gen_scenarios[i];
        }
    }
    return NULL;
}
