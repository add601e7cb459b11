/*
 * The settings of the four DNS detectors of issue #7, as struct
 * cm_detect_config.dns carries them (coalmine.yaml's detectors.dns); zero
 * members take each detector's documented default.
 */
#ifndef CM_DETECT_DNS_TUNINGS_H
#define CM_DETECT_DNS_TUNINGS_H

#include "detect/dns_dga.h"
#include "detect/dns_reputation.h"
#include "detect/dns_tunnel.h"

struct cm_dns_tunings {
    struct cm_dns_dga_tuning dga;
    struct cm_dns_tunnel_tuning tunnel;
    struct cm_dns_rep_tuning rep;
    struct cm_dns_rebind_tuning rebind;
};

#endif
