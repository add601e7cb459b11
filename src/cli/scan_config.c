/*
 * `coalmine scan --config FILE` (see scan_config.h).
 */
#include "cli/scan_config.h"

#include <stdio.h>

#include "base/alloc.h"
#include "base/err.h"

static int apply_list(struct cm_scan_intel *si, int code, const struct cm_config_list *l,
                      const char *key, char *err, size_t errlen)
{
    char why[384];

    for (size_t i = 0; i < l->n; i++) {
        int rc = cm_scan_intel_option(si, code, l->v[i], why, sizeof(why));
        if (rc != 0) {
            snprintf(err, errlen, "%s[%zu]: %s", key, i, why);
            return rc;
        }
    }
    return 0;
}

#define MINUTES(n) ((int64_t)(n)*60 * 1000)

/* detectors.vpcflow into the flow detectors' settings (0 stays 0: the default). */
static void apply_vpcflow(const struct cm_config_vpcflow *v, struct cm_flow_tunings *f)
{
    f->host.learn_ms = f->pair.volume_learn_ms = MINUTES(v->learning_hours) * 60;
    f->inbound.brute_attempts = (uint32_t)v->brute_force_attempts;
    f->inbound.brute_window_ms = MINUTES(v->brute_force_window_minutes);
    f->inbound.brute_private_remotes = v->brute_force_private_remotes;
    f->inbound.probe_window_ms = MINUTES(v->port_probe_window_minutes);
    f->pair.portscan_ports = (uint32_t)v->portscan_ports;
    f->pair.dos_pps = (uint32_t)v->dos_packets_per_second;
    f->pair.volume_floor_bytes = (uint64_t)v->volume_floor_mb << 20;
    f->pair.volume_factor = (uint32_t)v->volume_factor;
    f->host.sweep_hosts = (uint32_t)v->port_sweep_hosts;
    f->host.spam_hosts = (uint32_t)v->spambot_hosts;
    f->host.report_ms = MINUTES(v->report_minutes);
    f->host.host_ttl_ms = MINUTES(v->history_days) * 60 * 24;
    f->pair.max_pairs = (size_t)v->max_pairs;
    f->pair.max_instances = f->host.host_max_entries = (size_t)v->max_instances;
}

/*
 * detectors.dns into the DNS detectors' settings (0 stays 0: the default).
 * The name lists borrow the config's strings, which outlive the scan.
 */
static int apply_dns(const struct cm_config_dns *v, struct cm_scan_detect *sd)
{
    struct cm_dns_tunings *t = &sd->dns;

    t->dga.threshold = v->dga_min_score_percent / 100.0;
    t->dga.nx_threshold = v->dga_nxdomain_min_score_percent / 100.0;
    t->dga.burst = (uint32_t)v->dga_burst;
    t->dga.window_ms = MINUTES(v->dga_window_minutes);
    t->tunnel.many_names = (uint32_t)v->tunnel_names;
    t->tunnel.window_ms = MINUTES(v->tunnel_window_minutes);
    t->tunnel.spread_domains = (uint32_t)v->tunnel_spread_domains;
    t->rep.learn_ms = MINUTES(v->reputation_learning_hours) * 60;
    t->rep.new_ms = MINUTES(v->reputation_new_hours) * 60;
    t->rep.min_score = v->reputation_min_score_percent / 100.0;
    t->rep.domain_max_entries = (size_t)v->reputation_max_domains;
    if (v->tunnel_allow.n > 0) {
        sd->tunnel_allow = cm_calloc(v->tunnel_allow.n, sizeof(*sd->tunnel_allow));
        if (sd->tunnel_allow == NULL) {
            return CM_ENOMEM;
        }
        for (size_t i = 0; i < v->tunnel_allow.n; i++) {
            sd->tunnel_allow[i] = cm_str_cstr(v->tunnel_allow.v[i]);
        }
        t->tunnel.allow = sd->tunnel_allow;
        t->tunnel.nallow = v->tunnel_allow.n;
    }
    if (v->rebind_allowed.n > 0) {
        sd->rebind_allowed = cm_calloc(v->rebind_allowed.n + 1, sizeof(*sd->rebind_allowed));
        if (sd->rebind_allowed == NULL) {
            return CM_ENOMEM;
        }
        for (size_t i = 0; i < v->rebind_allowed.n; i++) {
            sd->rebind_allowed[i] = v->rebind_allowed.v[i];
        }
        t->rebind.allowed = sd->rebind_allowed;
    }
    return 0;
}

#undef MINUTES

int cm_scan_config_apply(const struct cm_config *c, struct cm_scan_intel *si,
                         struct cm_scan_detect *sd, struct cm_scan_cli_set *set, char *err,
                         size_t errlen)
{
    const struct cm_config_intel *in = &c->intel;
    const struct cm_config_detectors *d = &c->detectors;
    int rc;

    rc = apply_list(si, CM_SCAN_OPT_THREAT_LIST, &in->threat_lists, "intel.threat_lists", err,
                    errlen);
    rc = rc ? rc
            : apply_list(si, CM_SCAN_OPT_TRUSTED_LIST, &in->trusted_lists, "intel.trusted_lists",
                         err, errlen);
    rc = rc ? rc : apply_list(si, CM_SCAN_OPT_INTEL_LIST, &in->lists, "intel.lists", err, errlen);
    /* The file's databases come after the command line's: earlier ones win. */
    rc = rc ? rc : apply_list(si, CM_SCAN_OPT_GEOIP, &in->geoip, "intel.geoip", err, errlen);
    if (rc == 0 && in->dir != NULL && si->intel_dir == NULL) {
        rc = cm_scan_intel_option(si, CM_SCAN_OPT_INTEL_DIR, in->dir, err, errlen);
    }
    if (rc == 0 && !in->use_default) {
        rc = cm_scan_intel_option(si, CM_SCAN_OPT_NO_DEFAULT_INTEL, NULL, err, errlen);
    }
    if (rc == 0 && in->aws_ranges != NULL && sd->aws_ranges_path == NULL) {
        rc = cm_scan_detect_option(sd, CM_SCAN_OPT_AWS_RANGES, in->aws_ranges, err, errlen);
    }
    for (size_t i = 0; rc == 0 && i < c->canaries.keys.n; i++) {
        rc = cm_scan_detect_add_canary(sd, c->canaries.keys.v[i], err, errlen);
    }
    /* The file's modes go first: --custom-rule's, given later among equals, win. */
    for (size_t i = 0; rc == 0 && i < d->custom_rules.modes.n; i++) {
        rc = cm_scan_custom_insert(&sd->custom, i, d->custom_rules.modes.v[i], err, errlen);
    }
    if (rc != 0) {
        return rc;
    }
    if (sd->ct.travel_min_km == 0) {
        sd->ct.travel_min_km = d->console_login.min_distance_km;
    }
    if (sd->ct.travel_max_kmh == 0) {
        sd->ct.travel_max_kmh = d->console_login.max_speed_kmh;
    }
    if (sd->ct.travel_window_ms == 0) {
        sd->ct.travel_window_ms = (int64_t)d->console_login.window_hours * 3600 * 1000;
    }
    if (sd->ct.exfil_expected_days == 0) {
        sd->ct.exfil_expected_days = (uint32_t)d->credential_exfiltration.expected_after_days;
    }
    if (sd->ct.anomaly_learn_ms == 0) {
        sd->ct.anomaly_learn_ms = (int64_t)d->api_anomaly.learning_hours * 3600 * 1000;
    }
    if (sd->ct.anomaly_burst == 0) {
        sd->ct.anomaly_burst = (uint32_t)d->api_anomaly.discovery_burst;
    }
    if (sd->ct.anomaly_window_ms == 0) {
        sd->ct.anomaly_window_ms = (int64_t)d->api_anomaly.discovery_window_minutes * 60 * 1000;
    }
    apply_vpcflow(&d->vpcflow, &sd->flow);
    if (d->dns.dga_model != NULL && sd->dga_path == NULL) {
        if ((rc = cm_scan_detect_option(sd, CM_SCAN_OPT_DGA_MODEL, d->dns.dga_model, err,
                                        errlen)) != 0) {
            return rc;
        }
        sd->dga_from_config = true; /* a bad file is named as the config's key, not the flag */
    }
    if ((rc = apply_dns(&d->dns, sd)) != 0) {
        snprintf(err, errlen, "detectors.dns: %s", cm_strerror(rc));
        return rc;
    }
    if (set->db_path && *set->db_path == NULL) {
        *set->db_path = c->store.db;
    }
    if (set->retention_days && *set->retention_days < 0) {
        *set->retention_days = c->store.retention_days;
    }
    if (set->publish_freq && *set->publish_freq == NULL) {
        *set->publish_freq = c->store.finding_publishing_frequency;
    }
    return 0;
}
