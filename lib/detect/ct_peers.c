/*
 * The account's people's places (ct.h, "ct_peers.c"): the networks the
 * account's people (IAM users, IAM Identity Center users) have each worked
 * on for a day, so that a colleague's first call from the office or the
 * corporate VPN is not a stranger's. GuardDuty profiles the network at the
 * account level as well as the identity's (spec §8.1).
 */
#include "detect/ct.h"

#include <string.h>

#include "intel/awsranges.h"

void cm_ct_peers_note(struct cm_ct_peers *p, const struct cm_detect_config *cfg,
                      const struct cm_ip *ip, uint64_t net, uint32_t who, int64_t now_ms)
{
    struct cm_ct_peer_net *n = NULL, *old = &p->nets[0];

    for (size_t i = 0; i < CM_CT_PEER_NETS; i++) {
        struct cm_ct_peer_net *x = &p->nets[i];

        if (x->h == net) {
            n = x;
            break;
        }
        if (old->h != 0 && (x->h == 0 || x->last_ms < old->last_ms)) {
            old = x;
        }
    }
    if (n == NULL) {
        /* Workloads' places are not people's: a VPC endpoint's caller, AWS itself. */
        if (!cm_ip_is_public(ip) || (cfg != NULL && cfg->aws_ranges != NULL &&
                                     cm_awsranges_lookup(cfg->aws_ranges, ip, NULL))) {
            return;
        }
        n = old;
        memset(n, 0, sizeof(*n));
        n->h = net;
    }
    if (now_ms > n->last_ms) {
        n->last_ms = now_ms;
    }
    for (size_t i = 0; i < CM_CT_PEERS; i++) {
        if (n->who[i] == who) {
            return;
        }
        if (n->who[i] == 0) {
            n->who[i] = who;
            return;
        }
    }
}

bool cm_ct_peers_usual(const struct cm_ct_peers *p, uint64_t net)
{
    for (size_t i = 0; i < CM_CT_PEER_NETS; i++) {
        if (p->nets[i].h == net) {
            return p->nets[i].who[CM_CT_PEERS - 1] != 0;
        }
    }
    return false;
}
