/*
 * The detector settings of `coalmine scan` (see scan_detect.h).
 */
#include "cli/scan_detect.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/config.h"
#include "detect/dga.h"
#include "finding/finding.h"
#include "intel/dga_load.h"
#include "intel/psl_load.h"
#include "source/source_file.h"

#define RANGES_SEED 0x72616e676573ULL
#define BAD_SHOWN   5

int cm_scan_detect_add_canary(struct cm_scan_detect *sd, const char *key, char *err, size_t errlen)
{
    const char *why = cm_config_check_access_key(cm_str_cstr(key));
    char *copy;

    if (why != NULL) {
        snprintf(err, errlen, "--canary-key '%s': %s", key, why);
        return CM_EINVAL;
    }
    for (size_t i = 0; i < sd->ncanary; i++) {
        if (strcmp(sd->canary_text[i], key) == 0) {
            return 0; /* given twice (flag and config file): once is enough */
        }
    }
    if (sd->ncanary == sd->cap) {
        size_t cap = sd->cap ? sd->cap * 2 : 8;
        struct cm_str *v = cm_realloc(sd->canary, cap * sizeof(*v));
        char **t;
        if (v == NULL) {
            return CM_ENOMEM;
        }
        sd->canary = v;
        if ((t = cm_realloc(sd->canary_text, cap * sizeof(*t))) == NULL) {
            return CM_ENOMEM;
        }
        sd->canary_text = t;
        sd->cap = cap;
    }
    if ((copy = cm_malloc(strlen(key) + 1)) == NULL) {
        return CM_ENOMEM;
    }
    memcpy(copy, key, strlen(key) + 1);
    sd->canary_text[sd->ncanary] = copy;
    sd->canary[sd->ncanary] = cm_str_cstr(copy);
    sd->ncanary++;
    return 0;
}

int cm_scan_detect_option(struct cm_scan_detect *sd, int code, const char *arg, char *err,
                          size_t errlen)
{
    switch (code) {
    case CM_SCAN_OPT_CANARY_KEY:
        return cm_scan_detect_add_canary(sd, arg, err, errlen);
    case CM_SCAN_OPT_CUSTOM_RULE:
        return cm_scan_custom_add(&sd->custom, arg, err, errlen);
    case CM_SCAN_OPT_AWS_RANGES:
    case CM_SCAN_OPT_DGA_MODEL: {
        char **slot = code == CM_SCAN_OPT_AWS_RANGES ? &sd->aws_ranges_path : &sd->dga_path;
        char *copy = cm_malloc(strlen(arg) + 1);

        if (copy == NULL) {
            return CM_ENOMEM;
        }
        memcpy(copy, arg, strlen(arg) + 1);
        cm_free(*slot);
        *slot = copy;
        return 0;
    }
    case CM_SCAN_OPT_FLOW_FIELDS: {
        char why[120];

        if (cm_flow_format_parse(arg, &sd->flow_fields, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "--flow-fields: %s", why);
            return CM_EINVAL;
        }
        return 0;
    }
    default:
        snprintf(err, errlen, "unknown option");
        return CM_EINVAL;
    }
}

struct bad_ranges {
    const char *path;
    size_t n;
    bool quiet;
};

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct bad_ranges *b = ud;

    if (!b->quiet && b->n < BAD_SHOWN) {
        fprintf(stderr, "  %s:%u: %s (entry skipped)\n", b->path, line, reason);
    }
    b->n++;
}

static int load_ranges(struct cm_scan_detect *sd, bool quiet, char *err, size_t errlen)
{
    const char *path = sd->aws_ranges_path;
    struct bad_ranges bad = {path, 0, quiet};
    struct cm_awsranges_report rep = {on_bad, &bad};
    struct cm_diag diag;
    struct cm_buf raw;
    int rc;

    cm_buf_init(&raw, 0);
    if ((rc = cm_read_path(path, &raw, 0)) != 0) {
        snprintf(err, errlen, "--aws-ranges %s: %s", path,
                 rc == CM_EIO ? strerror(errno) : cm_strerror(rc));
        cm_buf_finish(&raw);
        return rc;
    }
    memset(&diag, 0, sizeof(diag));
    rc = cm_awsranges_parse(&sd->ranges, raw.p, raw.len, RANGES_SEED, &rep, &diag);
    cm_buf_finish(&raw);
    if (rc != 0) {
        if (rc == CM_EINVAL && diag.line > 0) {
            snprintf(err, errlen, "--aws-ranges %s:%zu: not AWS's ip-ranges.json: %s", path,
                     diag.line, diag.msg);
        } else if (rc == CM_EINVAL) {
            /* The shape of the whole document: no line to name. */
            snprintf(err, errlen, "--aws-ranges %s: not AWS's ip-ranges.json: %s", path, diag.msg);
        } else {
            snprintf(err, errlen, "--aws-ranges %s: %s", path, cm_strerror(rc));
        }
        return rc;
    }
    if (!quiet) {
        fprintf(stderr, "  aws:      %zu prefixes from %s%s", cm_awsranges_prefixes(sd->ranges),
                path, bad.n ? "" : "\n");
        if (bad.n) {
            fprintf(stderr, " (%zu entries skipped)\n", bad.n);
        }
    }
    return 0;
}

/* Loads --dga-model (or the config's dga_model); a bad file is an error naming its line. */
static int load_dga(struct cm_scan_detect *sd, bool quiet, char *err, size_t errlen)
{
    char why[512];
    int rc = cm_dga_model_load(sd->dga_path, &sd->dga, why, sizeof(why));

    if (rc != 0) {
        snprintf(err, errlen, "%s %s",
                 sd->dga_from_config ? "detectors.dns.dga_model" : "--dga-model", why);
        return rc;
    }
    if (!quiet) {
        fprintf(stderr, "  dga:      model from %s\n", sd->dga_path);
    }
    return 0;
}

/* The engine's locate(): the geo databases' coordinates for a public address. */
static bool locate(void *ud, const struct cm_ip *ip, double *lat, double *lon)
{
    struct cm_geo g;

    if (cm_geoip_lookup(ud, ip, &g) != 0 || !g.has_location) {
        return false;
    }
    *lat = g.lat;
    *lon = g.lon;
    return true;
}

/* The API anomaly model's networks: the AS of an address (detect.h). */
static bool asn_of(void *ud, const struct cm_ip *ip, uint32_t *asn, char *org, size_t orglen)
{
    struct cm_geo g;
    char *end;
    unsigned long v;

    if (cm_geoip_lookup(ud, ip, &g) != 0 || g.asn[0] == '\0') {
        return false;
    }
    v = strtoul(g.asn, &end, 10);
    if (*end != '\0' || v > UINT32_MAX) {
        return false;
    }
    *asn = (uint32_t)v;
    snprintf(org, orglen, "%s", g.asn_org);
    return true;
}

/* Whether one of geo's databases gives the fields of mask. */
static bool has_fields(const struct cm_geoip *geo, unsigned mask)
{
    for (size_t i = 0; geo != NULL && i < cm_geoip_count(geo); i++) {
        if (cm_geoip_fields(geo, i) & mask) {
            return true;
        }
    }
    return false;
}

int cm_scan_detect_open(struct cm_scan_detect *sd, const struct cm_geoip *geo,
                        struct cm_detect_config *cfg, bool quiet, char *err, size_t errlen)
{
    int rc;

    if (sd->aws_ranges_path != NULL && (rc = load_ranges(sd, quiet, err, errlen)) != 0) {
        return rc;
    }
    if (sd->dga_path != NULL && (rc = load_dga(sd, quiet, err, errlen)) != 0) {
        return rc;
    }
    cfg->dga = sd->dga;
    if ((rc = cm_psl_load(NULL, &sd->psl, err, errlen)) != 0) {
        return rc;
    }
    cfg->psl = sd->psl;
    sd->geo = geo;
    cfg->aws_ranges = sd->ranges;
    cfg->canary_keys = sd->canary;
    cfg->ncanary = sd->ncanary;
    cfg->ct = sd->ct;
    cfg->flow = &sd->flow;
    cfg->dns = &sd->dns;
    cfg->finding_ref = cm_finding_ref; /* attack sequences name their signals by it */
    if ((rc = cm_scan_custom_open(&sd->custom, cfg, quiet)) != 0) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    cfg->locate_ud = (void *)(uintptr_t)geo;
    if (has_fields(geo, CM_GEO_F_LOCATION)) {
        cfg->locate = locate;
    }
    if (has_fields(geo, CM_GEO_F_ASN)) {
        cfg->asn = asn_of;
    }
    if (!quiet && sd->ncanary) {
        fprintf(stderr, "  canaries: %zu decoy access key%s\n", sd->ncanary,
                sd->ncanary == 1 ? "" : "s");
    }
    return 0;
}

void cm_scan_detect_close(struct cm_scan_detect *sd)
{
    for (size_t i = 0; i < sd->ncanary; i++) {
        cm_free(sd->canary_text[i]);
    }
    cm_free(sd->canary_text);
    cm_free(sd->canary);
    cm_free(sd->aws_ranges_path);
    cm_awsranges_destroy(sd->ranges);
    cm_free(sd->dga_path);
    cm_dga_model_free(sd->dga);
    cm_psl_free(sd->psl);
    cm_free(sd->tunnel_allow);
    cm_free((void *)sd->rebind_allowed);
    cm_scan_custom_close(&sd->custom);
    memset(sd, 0, sizeof(*sd));
}
