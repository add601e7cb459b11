/*
 * The table of attack scenarios `coalmine gen` can inject on top of the
 * benign background (see struct cm_gen_scenario in gen.h), in the order
 * `coalmine gen --list-scenarios` prints them. Each family lives in its own
 * gen_sc_<family>.c; the intel family (one scenario per threat-intelligence
 * finding type, issue #4) is described in gen_sc_intel.h, the CloudTrail
 * detection family (issue #5) in gen_sc_ct.h, the VPC flow detection family
 * (issue #6) in gen_sc_flow.h.
 */
#include "gen/gen.h"

#include <string.h>

#include "gen/gen_sc_ct.h"
#include "gen/gen_sc_dns_dga.h"
#include "gen/gen_sc_dns_rep.h"
#include "gen/gen_sc_dns_tunnel.h"
#include "gen/gen_sc_flow.h"
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
    /* CloudTrail detections (issue #5): credentials used */
    &cm_gen_sc_root_credential_usage,
    &cm_gen_sc_root_short_term,
    /* ... the account's configuration changed */
    &cm_gen_sc_cloudtrail_stop,
    &cm_gen_sc_cloudtrail_delete,
    &cm_gen_sc_cloudtrail_event_selectors,
    &cm_gen_sc_bedrock_logging_disabled,
    &cm_gen_sc_password_policy_deleted,
    &cm_gen_sc_password_policy_weakened,
    /* ... penetration-testing distributions */
    &cm_gen_sc_pentest_kali_iam,
    &cm_gen_sc_pentest_kali_s3,
    &cm_gen_sc_pentest_parrot_iam,
    &cm_gen_sc_pentest_parrot_s3,
    &cm_gen_sc_pentest_pentoo_iam,
    &cm_gen_sc_pentest_pentoo_s3,
    /* ... S3 opened up or unwatched */
    &cm_gen_sc_s3_account_bpa_disabled,
    &cm_gen_sc_s3_bucket_bpa_disabled,
    &cm_gen_sc_s3_access_logging_disabled,
    &cm_gen_sc_s3_anonymous_access,
    &cm_gen_sc_s3_public_access,
    /* ... credentials used where they do not belong */
    &cm_gen_sc_instance_credential_outside,
    &cm_gen_sc_instance_credential_inside,
    &cm_gen_sc_lambda_credential_outside,
    &cm_gen_sc_console_login_travel,
    &cm_gen_sc_canary_credential_usage,
    /* ... GuardDuty's Custom Detection Rules */
    &cm_gen_sc_ec2_password_data,
    &cm_gen_sc_rds_master_password,
    &cm_gen_sc_ec2_termination_protection,
    &cm_gen_sc_vpc_flow_logs_deleted,
    &cm_gen_sc_organization_leave,
    &cm_gen_sc_organization_policy,
    /* ... calls unusual for the identity that makes them (the API anomaly model) */
    &cm_gen_sc_api_anomaly_discovery,
    &cm_gen_sc_api_anomaly_credential_access,
    &cm_gen_sc_api_anomaly_defense_evasion,
    &cm_gen_sc_api_anomaly_exfiltration,
    &cm_gen_sc_api_anomaly_impact,
    &cm_gen_sc_api_anomaly_initial_access,
    &cm_gen_sc_api_anomaly_persistence,
    &cm_gen_sc_api_anomaly_privilege_escalation,
    /* ... S3 data events unusual for the identity that makes them (the S3 anomaly model) */
    &cm_gen_sc_s3_anomaly_discovery,
    &cm_gen_sc_s3_anomaly_exfiltration,
    &cm_gen_sc_s3_anomaly_delete,
    &cm_gen_sc_s3_anomaly_permission,
    &cm_gen_sc_s3_anomaly_write,
    /* VPC flow detections (issue #6): brute force, port probes */
    &cm_gen_sc_ssh_brute_target,
    &cm_gen_sc_ssh_brute_actor,
    &cm_gen_sc_rdp_brute_actor,
    &cm_gen_sc_winrm_brute_target,
    &cm_gen_sc_port_probe,
    &cm_gen_sc_port_probe_elastic,
    &cm_gen_sc_port_probe_emr,
    /* ... scans, floods and volume from an instance */
    &cm_gen_sc_portscan,
    &cm_gen_sc_dos_tcp,
    &cm_gen_sc_dos_udp,
    &cm_gen_sc_dos_udp_tcp_ports,
    &cm_gen_sc_dos_dns,
    &cm_gen_sc_dos_unusual_protocol,
    &cm_gen_sc_traffic_volume,
    /* ... what one instance does against its own history */
    &cm_gen_sc_port_sweep,
    &cm_gen_sc_spambot,
    &cm_gen_sc_network_port_unusual,
    &cm_gen_sc_network_port_unusual_ldap,
    &cm_gen_sc_unusual_dns_resolver,
    &cm_gen_sc_unusual_doh,
    &cm_gen_sc_unusual_dot,
    /* Resolver query logs (issue #7): metadata rebinding, domain reputation */
    &cm_gen_sc_metadata_dns_rebind,
    &cm_gen_sc_abused_domain_rep,
    &cm_gen_sc_bitcoin_domain_rep,
    &cm_gen_sc_malicious_domain_rep,
    &cm_gen_sc_suspicious_domain_rep,
    /* ... a DGA burst (issue #7) */
    &cm_gen_sc_dga_dns_burst,
    /* ... data carried out in query names (issue #7) */
    &cm_gen_sc_dns_exfil_tester,
    &cm_gen_sc_dns_tunnel_hex,
    &cm_gen_sc_dns_tunnel_download,
    &cm_gen_sc_dns_tunnel_spread,
    &cm_gen_sc_dns_tunnel_dnscat,
    &cm_gen_sc_dns_tunnel_slow,
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
