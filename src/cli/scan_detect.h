/*
 * The detector settings of `coalmine scan` (issue #5): decoy access keys
 * (--canary-key, repeatable), AWS's published ranges (--aws-ranges FILE,
 * ip-ranges.json, so "inside / outside AWS" can be told), and the geo
 * databases' locations for the console-login travel check (from the
 * --geoip databases scan_intel.c opens), and the DNS detectors' DGA model
 * (--dga-model FILE). cm_scan_detect_open() fills the
 * engine's struct cm_detect_config from them.
 */
#ifndef CM_CLI_SCAN_DETECT_H
#define CM_CLI_SCAN_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"
#include "cli/scan_custom.h"
#include "detect/detect.h"
#include "detect/dns_tunings.h"
#include "detect/flow.h"
#include "intel/awsranges.h"
#include "intel/geoip.h"
#include "parse/parse.h"

/* getopt codes (long options only), after scan_intel.h's. */
enum {
    CM_SCAN_OPT_CANARY_KEY = 0x140,
    CM_SCAN_OPT_AWS_RANGES,
    CM_SCAN_OPT_CONFIG,
    CM_SCAN_OPT_REGION,
    CM_SCAN_OPT_DGA_MODEL,
    CM_SCAN_OPT_FLOW_FIELDS,
    CM_SCAN_OPT_CUSTOM_RULE,
};

struct cm_scan_detect {
    struct cm_str *canary; /* key ids, each pointing into canary_text */
    char **canary_text;    /* owned copies */
    size_t ncanary, cap;
    char *aws_ranges_path; /* owned; NULL: none */
    char *dga_path;        /* --dga-model, owned; NULL: the built-in model */
    bool dga_from_config;  /* dga_path is the config file's detectors.dns.dga_model */
    struct cm_dga_model *dga;
    struct cm_awsranges *ranges;
    const struct cm_geoip *geo; /* borrowed, for locate() */
    struct cm_ct_tuning ct;
    struct cm_flow_tunings flow;       /* coalmine.yaml's detectors.vpcflow; zeros: the defaults */
    struct cm_psl *psl;                /* the Public Suffix List, or NULL (libpsl's) */
    struct cm_dns_tunings dns;         /* coalmine.yaml's detectors.dns; zeros: the defaults */
    struct cm_str *tunnel_allow;       /* dns.tunnel.allow, owned array of borrowed names */
    struct cm_flow_format flow_fields; /* --flow-fields; .known 0: not given */
    const char **rebind_allowed;       /* dns.rebind.allowed, owned NULL-terminated array */
    struct cm_scan_custom custom;      /* --custom-rule and detectors.custom_rules.modes */
};

/* Adds a canary key. Returns 0, or CM_EINVAL (err says why), CM_ENOMEM. */
int cm_scan_detect_add_canary(struct cm_scan_detect *sd, const char *key, char *err, size_t errlen);

/* Takes one option (code above). Returns 0, or CM_EINVAL with the reason in err. */
int cm_scan_detect_option(struct cm_scan_detect *sd, int code, const char *arg, char *err,
                          size_t errlen);

/*
 * Loads --aws-ranges and fills cfg's aws_ranges, canary keys, tuning and,
 * when geo has a database with locations, locate(). Reports what loaded on
 * stderr unless quiet. Returns 0 or an error with err naming the file.
 */
int cm_scan_detect_open(struct cm_scan_detect *sd, const struct cm_geoip *geo,
                        struct cm_detect_config *cfg, bool quiet, char *err, size_t errlen);

void cm_scan_detect_close(struct cm_scan_detect *sd);

#endif
