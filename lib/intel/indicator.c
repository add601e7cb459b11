/*
 * Indicator categories: the name table and its parser.
 */
#include "intel/indicator.h"

#include "base/err.h"

static const char *const category_names[CM_CAT_COUNT] = {
    [CM_CAT_UNKNOWN] = "unknown",
    [CM_CAT_CNC] = "cnc",
    [CM_CAT_MINING] = "mining",
    [CM_CAT_TOR_EXIT] = "tor_exit",
    [CM_CAT_TOR_RELAY] = "tor_relay",
    [CM_CAT_SCANNER] = "scanner",
    [CM_CAT_DROP_POINT] = "drop_point",
    [CM_CAT_SINKHOLE] = "sinkhole",
    [CM_CAT_PHISHING] = "phishing",
    [CM_CAT_DRIVE_BY] = "drive_by",
    [CM_CAT_DGA] = "dga",
    [CM_CAT_MALICIOUS_IP] = "malicious_ip",
    [CM_CAT_MALICIOUS_DOMAIN] = "malicious_domain",
    [CM_CAT_CUSTOM] = "custom",
    [CM_CAT_ABUSED_DOMAIN] = "abused_domain",
    [CM_CAT_BITCOIN_DOMAIN] = "bitcoin_domain",
    [CM_CAT_SUSPICIOUS_DOMAIN] = "suspicious_domain",
};

const char *cm_intel_category_name(enum cm_intel_category c)
{
    if ((unsigned)c >= CM_CAT_COUNT) {
        return category_names[CM_CAT_UNKNOWN];
    }
    return category_names[c];
}

int cm_intel_category_parse(struct cm_str name, enum cm_intel_category *out)
{
    for (unsigned i = 0; i < CM_CAT_COUNT; i++) {
        if (cm_str_ieq(name, cm_str_cstr(category_names[i]))) {
            *out = (enum cm_intel_category)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

const char *cm_intel_kind_name(enum cm_intel_kind k)
{
    return k == CM_INTEL_KIND_TRUSTED ? "trusted" : "threat";
}
