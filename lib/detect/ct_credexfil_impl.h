/*
 * What ct_credexfil.c (the credential-exfiltration detector: its tables,
 * judging a use, checkpoints) and ct_credexfil_learn.c (what it learns from
 * AssumeRole, AssociateAddress, AllocateAddress, Stop/StartInstances and the
 * instances' own calls) share: the bounds, the table layouts and the keys.
 * Private to the two.
 */
#ifndef CM_DETECT_CT_CREDEXFIL_IMPL_H
#define CM_DETECT_CT_CREDEXFIL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/ip.h"
#include "base/str.h"
#include "detect/ct.h"
#include "detect/state.h"

#define HOME_ADDRS       4
#define LAMBDA_ADDRS     4
#define KEY_MAX          160
#define DAY_MS           (24LL * 3600 * 1000)
#define HOMES_MAX        (256 * 1024)
#define CREDS_MAX        (512 * 1024)
#define PEOPLE_MAX       (256 * 1024)
#define EXPECTED_MAX     (64 * 1024)
#define HOME_TTL         (30 * DAY_MS)
#define CREDS_TTL        (2 * DAY_MS) /* role sessions last 12 hours at most */
#define PEOPLE_TTL       (3600LL * 1000)
#define EXPECTED_TTL     (60 * DAY_MS)
#define EGRESS_MAX       (64 * 1024)
#define EGRESS_TTL       (30 * DAY_MS)
#define EGRESS_WINDOW    DAY_MS
#define EGRESS_INSTANCES 4
#define ASSOC_MAX        (64 * 1024)
#define ASSOC_TTL        (30 * DAY_MS)
/* egress.given_to of an Elastic IP DisassociateAddress took from its instance: even, so
 * no instance's hash (always odd) is it. */
#define GIVEN_TO_NOBODY 2u

enum cred_kind { CRED_UNKNOWN = 0, CRED_EC2, CRED_LAMBDA };

struct home {
    struct cm_ip addr[HOME_ADDRS];
    uint8_t keys[HOME_ADDRS]; /* the instance's keys first seen there (at most 255; an
                                 Elastic IP it was given counts 2) */
    uint32_t n, next;
};

/* Two of the instance's keys began at the same address: that address is surely its own. */
#define HOME_ESTABLISHED 2u

struct cred {
    uint8_t kind; /* enum cred_kind */
    bool seen;    /* used from a public address at least once (the first was judged) */
    struct cm_ip lambda_addr[LAMBDA_ADDRS];
    uint32_t nlambda;
};

struct seen_days {
    int64_t last_day;
    uint32_t days;
};

/* An address of the account's: its Elastic IP, or used by several of its instances. */
struct egress {
    int64_t eip_ms;                    /* when AllocateAddress gave it (0: never seen) */
    uint64_t inst[EGRESS_INSTANCES];   /* hashes of instance ids (0: empty) */
    int64_t inst_ms[EGRESS_INSTANCES]; /* when each last called from it */
    uint64_t given_to; /* hash of the instance AssociateAddress last gave this Elastic IP
                          to (0: none seen; GIVEN_TO_NOBODY: disassociated) */
    uint32_t from[EGRESS_INSTANCES];   /* an endpoint's: hash of the address each last called
                                          through it from (0: an address's own entry) */
    uint8_t flagged[EGRESS_INSTANCES]; /* a use of each one's credentials here was reported */
};

struct exfil {
    const struct cm_detect_config *cfg;
    struct cm_state *homes, *named, *creds, *guessed, *people, *expected, *egress;
    struct cm_state *assoc; /* account/associationId -> the Elastic IP (struct cm_ip) */
    uint32_t expected_days;
};

/* "account/" + tail (tail bytes as given): 0 when it does not fit. */
static inline size_t cm_ct_credexfil_make_key(struct cm_str account, const void *tail, size_t tlen,
                                              char *out)
{
    if (account.len + 1 + tlen > KEY_MAX) {
        return 0;
    }
    memcpy(out, account.p, account.len);
    out[account.len] = '/';
    memcpy(out + account.len + 1, tail, tlen);
    return account.len + 1 + tlen;
}

static inline size_t cm_ct_credexfil_addr_key(struct cm_str account, const struct cm_ip *ip,
                                              char *out)
{
    return cm_ct_credexfil_make_key(account, ip, sizeof(*ip), out);
}

static inline bool cm_ct_credexfil_same_ip(const struct cm_ip *a, const struct cm_ip *b)
{
    return a->family == b->family && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

static inline bool cm_ct_credexfil_is_instance_id(struct cm_str s)
{
    if (!cm_str_present(s) || !(s.len == 10 || s.len == 19) || !cm_str_starts(s, "i-")) {
        return false;
    }
    for (size_t i = 2; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

/* ---- ct_credexfil_learn.c ------------------------------------------------------------ */

/* The instance's addresses at key, in either table, or NULL; not a touch. */
struct home *cm_ct_credexfil_home_get(const struct exfil *x, const char *key, size_t n);

/* Learns ip as the instance's (keys: how many of its keys began there); proven: in homes. */
int cm_ct_credexfil_add_home(struct exfil *x, struct cm_str account, struct cm_str instance,
                             const struct cm_ip *ip, int64_t t, uint8_t keys, bool proven);
/*
 * The entry of key k, touched at t: in creds if it is there or proven (the
 * key's issue was seen: it moves there from guessed), else in guessed.
 * NULL on CM_ENOMEM.
 */
struct cred *cm_ct_credexfil_cred_touch(struct exfil *x, const char *k, size_t n, int64_t t,
                                        bool proven);

/* AssumeRole by ec2.amazonaws.com or lambda.amazonaws.com: the key it issued, and to whom. */
int cm_ct_credexfil_learn_assume_role(struct exfil *x, const struct cm_event *ev);

/* AssociateAddress: the Elastic IP becomes one of the instance's own addresses. */
int cm_ct_credexfil_learn_address(struct exfil *x, const struct cm_event *ev);

/* DisassociateAddress: the instance that had the Elastic IP has lost it. */
int cm_ct_credexfil_learn_disassociation(struct exfil *x, const struct cm_event *ev);

/* StopInstances, StartInstances: the instances' addresses are forgotten. */
int cm_ct_credexfil_forget_homes(struct exfil *x, const struct cm_event *ev);

/* AllocateAddress: the Elastic IP is the account's. */
bool cm_ct_credexfil_lost_address(struct exfil *x, struct cm_str account, const struct home *h,
                                  uint64_t inst);

int cm_ct_credexfil_learn_allocation(struct exfil *x, const struct cm_event *ev);

/*
 * The credentials of instance (hash inst, not 0) called from ip at t; *shared: the account's
 * (its Elastic IP, or the credentials of another of its instances called from it within
 * EGRESS_WINDOW before and were not reported there).
 */
int cm_ct_credexfil_note_egress(struct exfil *x, struct cm_str account, const struct cm_ip *ip,
                                uint64_t inst, int64_t t, bool *shared);

/*
 * The credentials of instance (hash inst, not 0) called through VPC endpoint vpce (an id) of
 * another account from address ip at t; *shared: another instance of the account called
 * through it within EGRESS_WINDOW before (an endpoint its VPCs share, as a NAT gateway's
 * address), unreported or from another address: one host using the keys of several
 * instances is one thief, not a network.
 */
int cm_ct_credexfil_note_endpoint(struct exfil *x, struct cm_str account, struct cm_str vpce,
                                  const struct cm_ip *ip, uint64_t inst, int64_t t, bool *shared);

/*
 * The use of instance's (hash inst) credentials just noted from ip, or through vpce when it
 * is present, is reported: it no longer makes that egress the account's for other instances.
 */
void cm_ct_credexfil_flag_use(struct exfil *x, struct cm_str account, const struct cm_ip *ip,
                              struct cm_str vpce, uint64_t inst);

#endif
