/*
 * The threat-list format table: lookup by name and sniffing by content.
 */
#include "intel/format.h"

static const struct cm_intel_format *const formats[] = {
    &cm_intel_format_stix1,       &cm_intel_format_stix2,   &cm_intel_format_misp,
    &cm_intel_format_misp_csv,    &cm_intel_format_otx_csv, &cm_intel_format_fire_eye,
    &cm_intel_format_proof_point, &cm_intel_format_zeek,    &cm_intel_format_alien_vault,
    &cm_intel_format_hosts,       &cm_intel_format_txt,     NULL,
};

const struct cm_intel_format *const *cm_intel_formats(void)
{
    return formats;
}

const struct cm_intel_format *cm_intel_format_find(struct cm_str name)
{
    for (size_t i = 0; formats[i]; i++) {
        if (cm_str_ieq(name, cm_str_cstr(formats[i]->name))) {
            return formats[i];
        }
    }
    return NULL;
}

const struct cm_intel_format *cm_intel_format_sniff(const char *buf, size_t len)
{
    const struct cm_intel_format *best = &cm_intel_format_txt;
    int top = 0;

    for (size_t i = 0; formats[i]; i++) {
        int score = formats[i]->sniff(buf, len);

        if (score > top) {
            top = score;
            best = formats[i];
        }
    }
    return best;
}
