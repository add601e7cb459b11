/*
 * Where and with what an identity calls from (ct.h, "the context"): the network an
 * address stands for (its ASN, AWS, a /16 or /48), each network and client with when it
 * was first and last seen, whether one is usual once the identity's learning day is over,
 * and whether a call came from inside AWS. Split from ct_profile.c, which keeps the
 * profiles and the models' common part. docs/detectors/cloudtrail-anomaly.md gives the
 * reasoning.
 */
#include "detect/ct.h"

#include <stdio.h>
#include <string.h>

#include "base/hash.h"
#include "intel/awsranges.h"

/* Usual networks of an identity that calls from anywhere: then a new one says nothing. */
#define ROAMING 8u
/* The network cm_ct_network gives every address in AWS's ranges. */
static uint64_t aws_network(uint64_t seed)
{
    return cm_hash_mix64(0x415753u ^ seed) | 1u;
}

uint64_t cm_ct_network(const struct cm_detect_config *cfg, uint64_t seed, const struct cm_ip *ip,
                       char *label, size_t lablen, bool *is_asn)
{
    struct cm_ip net = *ip;
    char org[128], addr[64];
    uint32_t asn = 0;

    org[0] = '\0';
    if (is_asn != NULL) {
        *is_asn = false;
    }
    if (cfg != NULL && cfg->asn != NULL && cfg->asn(cfg->locate_ud, ip, &asn, org, sizeof(org))) {
        if (label != NULL) {
            snprintf(label, lablen, "asnNumber: %u asnOrg: %s", asn, org);
        }
        if (is_asn != NULL) {
            *is_asn = true;
        }
        return cm_hash_mix64(((uint64_t)asn << 1) ^ seed) | 1u;
    }
    if (cfg != NULL && cfg->aws_ranges != NULL && cm_awsranges_lookup(cfg->aws_ranges, ip, NULL)) {
        if (label != NULL) {
            snprintf(label, lablen, "AWS");
        }
        return aws_network(seed);
    }
    if (net.family == CM_IP_V4) {
        memset(net.a + 2, 0, 14);
    } else {
        memset(net.a + 6, 0, 10);
    }
    if (label != NULL) {
        cm_ip_format(&net, addr, sizeof(addr));
        snprintf(label, lablen, "%s/%u", addr, net.family == CM_IP_V4 ? 16u : 48u);
    }
    return cm_hash64(&net, sizeof(net), seed) | 1u;
}

/*
 * Notes h seen at now_ms in the cap slots of stride bytes at v (each starts
 * with a struct cm_ct_seen; a full set drops its least recently seen).
 * Returns its slot, *fresh when it was not there, and whether it was usual:
 * first seen at least learn_ms before now_ms.
 */
static struct cm_ct_seen *seen_note(void *v, size_t stride, size_t cap, uint64_t h, int64_t now_ms,
                                    int64_t learn_ms, bool *fresh, bool *usual)
{
    struct cm_ct_seen *s = NULL, *old = v;

    for (size_t i = 0; i < cap; i++) {
        struct cm_ct_seen *x = (struct cm_ct_seen *)(void *)((char *)v + i * stride);

        if (x->h == h) {
            s = x;
            break;
        }
        if (old->h != 0 && (x->h == 0 || x->last_ms < old->last_ms)) {
            old = x;
        }
    }
    *fresh = s == NULL;
    if (s == NULL) {
        memset(old, 0, stride);
        old->h = h;
        old->first_ms = old->last_ms = now_ms;
        *usual = false;
        return old;
    }
    *usual = s->first_ms <= now_ms - learn_ms;
    if (now_ms < s->first_ms) {
        s->first_ms = now_ms;
    }
    if (now_ms > s->last_ms) {
        s->last_ms = now_ms;
    }
    return s;
}

_Static_assert(CM_CT_CLIENTS <= 8, "a network's clients are the bits of a byte");

/*
 * Whether the client of slot bit (all: any client, bit 0) has ROAMING or
 * more usual networks in c: one that calls from anywhere.
 */
static bool roams(const struct cm_ct_context *c, uint8_t bit, int64_t now_ms, int64_t learn_ms)
{
    uint32_t n = 0;

    for (size_t i = 0; i < CM_CT_NETS; i++) {
        n += c->nets[i].h != 0 && c->nets[i].first_ms <= now_ms - learn_ms &&
             (bit == 0 || (c->net_clients[i] & bit) != 0);
    }
    return n >= ROAMING;
}

/*
 * The slot a network new to c takes when c is full: a network no kept client
 * used, else, among the networks of the client that holds the most, the least
 * recently seen: a client that calls from a new place each hour (a Lambda in
 * a provider's pool) pushes out its own places, not a person's home.
 */
static size_t net_victim(const struct cm_ct_context *c)
{
    uint32_t held[CM_CT_CLIENTS] = {0};
    size_t v = CM_CT_NETS, most = 0;

    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (c->nets[i].h == 0) {
            return i;
        }
        if (c->net_clients[i] == 0 &&
            (v == CM_CT_NETS || c->nets[i].last_ms < c->nets[v].last_ms)) {
            v = i;
        }
        for (size_t k = 0; k < CM_CT_CLIENTS; k++) {
            held[k] += (c->net_clients[i] >> k) & 1u;
        }
    }
    if (v < CM_CT_NETS) {
        return v;
    }
    for (size_t k = 1; k < CM_CT_CLIENTS; k++) {
        most = held[k] > held[most] ? k : most;
    }
    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (((c->net_clients[i] >> most) & 1u) != 0 &&
            (v == CM_CT_NETS || c->nets[i].last_ms < c->nets[v].last_ms)) {
            v = i;
        }
    }
    return v;
}

/*
 * Notes network h seen at now_ms by the client of slot bit in c. Returns its
 * slot, and whether it was usual (first seen at least learn_ms before now_ms,
 * by any of c's clients).
 */
static size_t net_note(struct cm_ct_context *c, uint64_t h, uint8_t bit, int64_t now_ms,
                       int64_t learn_ms, bool *usual)
{
    size_t i;

    for (i = 0; i < CM_CT_NETS && c->nets[i].h != h; i++) {
    }
    if (i == CM_CT_NETS) {
        i = net_victim(c);
        c->nets[i].h = h;
        c->nets[i].first_ms = c->nets[i].last_ms = now_ms;
        c->net_clients[i] = bit;
        *usual = false;
        return i;
    }
    *usual = c->nets[i].first_ms <= now_ms - learn_ms;
    c->net_clients[i] |= bit;
    if (now_ms < c->nets[i].first_ms) {
        c->nets[i].first_ms = now_ms;
    }
    if (now_ms > c->nets[i].last_ms) {
        c->nets[i].last_ms = now_ms;
    }
    return i;
}

int64_t cm_ct_usual_learn(int64_t first_ms, int64_t now_ms, int64_t learn_ms)
{
    int64_t end = first_ms + learn_ms; /* the end of the identity's learning day */

    if (now_ms < end || now_ms - end + 1 >= learn_ms) {
        return learn_ms;
    }
    return now_ms - end + 1; /* first seen before end: usual */
}

bool cm_ct_context_usual(const struct cm_ct_context *c, uint64_t h, int64_t now_ms,
                         int64_t learn_ms)
{
    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (c->nets[i].h == h) {
            return c->nets[i].first_ms <= now_ms - learn_ms;
        }
    }
    return false;
}

bool cm_ct_prefix_network(const struct cm_detect_config *cfg, uint64_t seed, const struct cm_ct *ct)
{
    bool is_asn = false;

    cm_ct_network(cfg, seed, &ct->source_ip, NULL, 0, &is_asn);
    return !is_asn;
}

/*
 * The network of a call from a private or shared IPv4 address through a VPC
 * endpoint: the endpoint's account (its VPCs, or an organisation's network
 * account whose endpoints its VPCs share), whatever the /16. A VPC's secondary
 * CIDR (100.64/10 for a cluster short of addresses), another subnet or VPC
 * says nothing of a thief; an endpoint of an account the identity never
 * called through is new. Marked in the low 16 bits for private_network.
 * 0 when the call is not one (no endpoint or endpoint account: the /16).
 */
#define ENDPOINT_MARK 0x5651u

static uint64_t endpoint_network(const struct cm_ct *ct, uint64_t seed)
{
    const struct cm_ip *ip = &ct->source_ip;
    struct cm_str acct = ct->vpc_endpoint_account_id;

    if (ip->family != CM_IP_V4 || !cm_str_present(ct->vpc_endpoint_id) ||
        ct->vpc_endpoint_id.len == 0 || !cm_str_present(acct) || acct.len == 0 ||
        !(ip->a[0] == 10 || (ip->a[0] == 172 && (ip->a[1] & 0xf0u) == 16) ||
          (ip->a[0] == 192 && ip->a[1] == 168) || (ip->a[0] == 100 && (ip->a[1] & 0xc0u) == 64))) {
        return 0;
    }
    return (cm_hash64(acct.p, acct.len, seed ^ 0x565043u) & ~(uint64_t)0xffffu) | ENDPOINT_MARK;
}

/*
 * Whether network h is the /16 of a private or shared IPv4 address (10/8,
 * 172.16/12, 192.168/16, 100.64/10), as cm_ct_network makes it: a call
 * through a VPC endpoint. Made only for an identity's usual networks when a
 * web-identity session calls from a new prefix.
 */
static bool private_network(uint64_t h, uint64_t seed)
{
    static const uint8_t ranges[][3] = {
        {10, 0, 255}, {172, 16, 31}, {192, 168, 168}, {100, 64, 127}};
    struct cm_ip net;

    if ((h & 0xffffu) == ENDPOINT_MARK) {
        return true;
    }
    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
        for (unsigned b = ranges[r][1]; b <= ranges[r][2]; b++) {
            memset(&net, 0, sizeof(net));
            net.family = CM_IP_V4;
            net.a[0] = ranges[r][0];
            net.a[1] = (uint8_t)b;
            if ((cm_hash64(&net, sizeof(net), seed) | 1u) == h) {
                return true;
            }
        }
    }
    return false;
}

bool cm_ct_context_inside_aws(const struct cm_ct_context *c, const struct cm_detect_config *cfg,
                              uint64_t seed, int64_t now_ms, int64_t learn_ms)
{
    uint64_t aws = aws_network(seed);
    bool ranges = cfg != NULL && cfg->aws_ranges != NULL;
    uint32_t n = 0;

    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (c->nets[i].h != 0 && c->nets[i].first_ms <= now_ms - learn_ms) {
            if (!(ranges && c->nets[i].h == aws) && !private_network(c->nets[i].h, seed)) {
                return false;
            }
            n++;
        }
    }
    return n > 0;
}

/*
 * Whether the call is a web-identity federated session's (sessionContext.
 * webIdFederationData.federatedProvider: GitHub Actions, GitLab CI, an EKS
 * pod's IRSA, a Cognito identity pool) and its network is only an address
 * prefix (no ASN database, or the address is not in it). Such sessions run on
 * hosted runners and devices that get a fresh address from a large provider
 * pool on every run: without the autonomous system, the /16 of each run is new
 * and says nothing of a thief. Their calls are judged by client and API only,
 * unless every usual network of the identity is inside AWS (AWS's ranges or a
 * VPC endpoint's private address, cm_ct_context_inside_aws: an EKS pod's IRSA
 * role, a runner on EC2 never call from a provider's pool).
 * The check (an AS lookup) is made only for a call whose network is new.
 */
static bool web_identity_prefix(const struct cm_detect_config *cfg, uint64_t seed,
                                const struct cm_ct *ct)
{
    return cm_str_present(ct->uid.web_id_provider) && ct->uid.web_id_provider.len > 0 &&
           cm_ct_prefix_network(cfg, seed, ct);
}

/*
 * Whether a client category is the AWS console's: its sign-in, the browser's
 * own calls and the console's proxies. Only someone who signed in as the
 * identity uses its console, and a thief's sign-in comes from the thief's
 * place: a console new to an identity is its owner's first session (whose
 * pages make calls she never made), not a stranger's tool.
 */
static bool console_client(const char *name)
{
    return strcmp(name, "browser") == 0 || strcmp(name, "console") == 0 ||
           strcmp(name, "AwsSignin") == 0;
}

void cm_ct_context_note(struct cm_ct_context *c, const struct cm_detect_config *cfg, uint64_t seed,
                        const struct cm_event *ev, int64_t learn_ms, struct cm_ct_novelty *nv)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_ct_client *cl;
    uint64_t h;
    uint8_t bit;
    bool fresh, usual, client_usual;

    /* An identity's calls mostly carry one agent: its category is worked out once. */
    h = cm_hash64(ct->user_agent.p ? ct->user_agent.p : "", ct->user_agent.len, ~seed) | 1u;
    if (h != c->last_ua) {
        c->last_ua = h;
        cm_ua_category(ct->user_agent, c->last_name, sizeof(c->last_name));
        c->last_client = cm_hash64(c->last_name, strlen(c->last_name), seed) | 1u;
    }
    memcpy(nv->client, c->last_name, sizeof(nv->client));
    cl = (struct cm_ct_client *)(void *)seen_note(c->clients, sizeof(c->clients[0]), CM_CT_CLIENTS,
                                                  c->last_client, ev->time_ms, learn_ms, &fresh,
                                                  &client_usual);
    bit = (uint8_t)(1u << (size_t)(cl - c->clients));
    if (fresh) {
        memcpy(cl->name, nv->client, sizeof(cl->name));
        /* The slot's former client's places are not the new one's. */
        for (size_t i = 0; i < CM_CT_NETS; i++) {
            c->net_clients[i] &= (uint8_t)~bit;
        }
    }
    nv->client_new = !client_usual && !console_client(nv->client);

    if ((h = endpoint_network(ct, seed)) != 0) {
        c->last_net = h;
        memset(&c->last_ip, 0, sizeof(c->last_ip)); /* the next address is looked up again */
    } else if (c->last_net == 0 || !cm_ip_eq(&c->last_ip, &ct->source_ip)) {
        c->last_net = cm_ct_network(cfg, seed, &ct->source_ip, NULL, 0, NULL);
        c->last_ip = ct->source_ip;
    }
    net_note(c, c->last_net, bit, ev->time_ms, learn_ms, &usual);
    /*
     * A network is the identity's: one any of its clients made usual is not
     * new for another (Terraform at home where only Boto3 had been). Roaming
     * is a client's: a usual client roams when it has ROAMING usual networks
     * itself, a new client when the identity has.
     */
    nv->net_new = !usual && !roams(c, client_usual ? bit : 0, ev->time_ms, learn_ms);
    if (nv->net_new && web_identity_prefix(cfg, seed, ct) &&
        !cm_ct_context_inside_aws(c, cfg, seed, ev->time_ms, learn_ms)) {
        nv->net_new = false;
    }
}
