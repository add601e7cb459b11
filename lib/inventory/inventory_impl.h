/*
 * Inside the instance inventory (private to lib/inventory/): the records,
 * the merge operations the two readers (inventory_describe.c for
 * describe-instances JSON, inventory_ct.c for CloudTrail) call, and the
 * JSON helpers they share (inventory_json.c). inventory.c holds the map and
 * the merge rules, inventory_enrich.c the lookups that fill findings.
 *
 * Records live in two growing arrays and are never removed; maps from the
 * instance id, the ENI id and the (VPC, address) key hold their indexes.
 * Every string is a copy, set once (values are filled, never overwritten:
 * see inventory.h), so nothing is freed before cm_inventory_destroy():
 * values that many records repeat (instance types, images, zones, profiles,
 * subnets, VPCs, security groups, tags) are interned in one map, and the
 * rest (addresses, DNS names, launch times) copied into the arena. Callers
 * of the inv_* operations hold the lock.
 */
#ifndef CM_INVENTORY_INVENTORY_IMPL_H
#define CM_INVENTORY_INVENTORY_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/ip.h"
#include "base/json.h"
#include "base/map.h"
#include "inventory/inventory.h"

#define INV_NONE  UINT32_MAX       /* no record */
#define INV_AMBIG (UINT32_MAX - 1) /* an address key two VPCs claim */

/* Instance states, in no particular order; 0: unknown. */
enum inv_state {
    INV_ST_NONE = 0,
    INV_ST_PENDING,
    INV_ST_RUNNING,
    INV_ST_SHUTTING_DOWN,
    INV_ST_TERMINATED,
    INV_ST_STOPPING,
    INV_ST_STOPPED,
};

/*
 * What an interface that belongs to no EC2 instance serves (from
 * describe-network-interfaces: InterfaceType, Description, RequesterManaged);
 * 0: nothing known, the interface may be an instance's.
 */
enum inv_service {
    INV_SVC_NONE = 0,
    INV_SVC_NAT,      /* nat_gateway */
    INV_SVC_ELB,      /* network_load_balancer, gateway_load_balancer, "ELB ..." */
    INV_SVC_LAMBDA,   /* lambda */
    INV_SVC_ENDPOINT, /* vpc_endpoint, gateway_load_balancer_endpoint */
    INV_SVC_OTHER,    /* another AWS-managed type, or requester-managed without an instance */
};

/* The name of a service (enum inv_service), "" for INV_SVC_NONE. */
const char *inv_service_name(uint8_t service);

struct inv_inst {
    struct cm_str id, type, image, launch, az, platform, profile_arn, profile_id;
    struct cm_str owner; /* the owning account (describe-instances OwnerId); absent: unknown */
    struct cm_kv *tags;  /* ntags, owned (cm_realloc) */
    uint8_t ntags;
    uint8_t nnics;
    uint8_t state;                        /* enum inv_state */
    uint32_t nics[CM_INVENTORY_MAX_NICS]; /* its interfaces, by device index */
};

#define INV_NIC_PAST 3 /* earlier bindings kept per interface (an ENI moved between instances) */

/* An interface's earlier attachment: to instance inst from since_ms. */
struct inv_binding {
    uint32_t inst;
    int64_t since_ms;
};

struct inv_nic {
    struct cm_str eni, subnet, vpc, private_ip, private_dns, public_ip, public_dns;
    struct cm_kv *sgs; /* nsgs, in the arena */
    uint8_t nsgs;
    uint8_t npast;    /* earlier bindings in past[], the most recent first */
    int16_t device;   /* device index; -1 unknown */
    uint32_t inst;    /* the instance it is attached to, or INV_NONE */
    int64_t since_ms; /* when that binding (or the interface) was made; 0 unknown */
    uint8_t service;  /* enum inv_service: what manages it when no instance can (0: not known) */
    struct inv_binding past[INV_NIC_PAST]; /* the instances it was attached to before */
};

struct cm_inventory {
    struct cm_inventory_limits lim;
    struct cm_inventory_lock lk;
    struct cm_arena strings; /* every string of every record */
    struct cm_arena scratch; /* unescaped text of the entry being read (under the lock) */
    struct inv_inst *inst;
    size_t ninst, capinst;
    struct inv_nic *nic;
    size_t nnic, capnic;
    struct cm_map *by_inst; /* instance id -> uint32_t index */
    struct cm_map *by_eni;  /* ENI id -> uint32_t index */
    struct cm_map *by_addr; /* family address[16] (ambiguous: VPC id NUL first) -> uint32_t */
    struct cm_map *shared;  /* interned values many records repeat (types, subnets, tags) */
    size_t tag_bytes;       /* held by the tag arrays */
    /* Lengths of the delegated prefixes indexed, per family (0 IPv4, 1 IPv6): lookups try these. */
    bool pfx_seen[2][129];
    uint64_t loaded, loaded_nics, observed, skipped, full, ambiguous;
};

/* What a reader found about an instance (slices valid while it reads). */
struct inv_inst_in {
    struct cm_str id, type, image, launch, az, platform, profile_arn, profile_id;
    struct cm_str owner; /* 12 digits, or absent */
    uint8_t state;       /* enum inv_state */
    int64_t since_ms;    /* launch time, else the record's time */
};

/* What a reader found about an interface. */
struct inv_nic_in {
    struct cm_str eni; /* may be absent: the instance's only interface, as its top level says */
    struct cm_str subnet, vpc, private_ip, private_dns, public_ip, public_dns;
    struct cm_ip addrs[CM_INVENTORY_MAX_ADDRS]; /* to index: private, secondary, public, IPv6 */
    uint32_t naddrs;
    struct cm_ip pfx[CM_INVENTORY_MAX_PREFIXES]; /* delegated prefixes (host bits clear) */
    uint8_t pfx_len[CM_INVENTORY_MAX_PREFIXES];  /* their lengths */
    uint32_t npfx;
    struct cm_kv sgs[CM_INVENTORY_MAX_SGS];
    uint32_t nsgs;
    int32_t device;   /* -1 unknown */
    int64_t since_ms; /* attach time, else the instance's */
    uint8_t service;  /* enum inv_service; 0: none known */
};

static inline void inv_lock(const struct cm_inventory *inv)
{
    if (inv->lk.lock != NULL) {
        inv->lk.lock(inv->lk.ud);
    }
}

static inline void inv_unlock(const struct cm_inventory *inv)
{
    if (inv->lk.unlock != NULL) {
        inv->lk.unlock(inv->lk.ud);
    }
}

/* ---- inventory.c: the merge operations (caller holds the lock) ---- */

/*
 * Finds or adds instance in->id and fills its absent values; *idx gets its
 * index. Returns 0, CM_EFULL (counted; nothing added) or CM_ENOMEM.
 */
int inv_put_inst(struct cm_inventory *inv, const struct inv_inst_in *in, uint32_t *idx);
/* Adds tag key=value to instance idx unless it has the key. Returns 0 or CM_ENOMEM. */
int inv_add_tag(struct cm_inventory *inv, uint32_t idx, struct cm_str key, struct cm_str value);
/*
 * Finds or adds interface in (by ENI id; one without an ENI id is the
 * instance's ENI-less interface), fills its absent values, attaches it to
 * instance inst (INV_NONE: none) when that binding is the most recent one,
 * and indexes its addresses. Returns 0, CM_EFULL (counted) or CM_ENOMEM.
 */
int inv_put_nic(struct cm_inventory *inv, const struct inv_nic_in *in, uint32_t inst);
/*
 * Attaches ENI eni to instance id (either made, bare, when unknown) at
 * device index device (-1 unknown) and time since_ms. Returns 0, CM_EFULL or CM_ENOMEM.
 */
int inv_attach(struct cm_inventory *inv, struct cm_str eni, struct cm_str id, int32_t device,
               int64_t since_ms);
/* Applies state to a known instance (see inventory.h for the rule); unknown ones are ignored. */
void inv_set_state(struct cm_inventory *inv, struct cm_str id, uint8_t state);

/*
 * The instance interface n was attached to at time_ms (0: now): its current
 * one when that binding is no later than time_ms, else the most recent
 * earlier binding that is; INV_NONE when none is known that early (the
 * interface was bound after time_ms, or to no instance).
 */
uint32_t inv_nic_inst_at(const struct cm_inventory *inv, uint32_t n, int64_t time_ms);

/* Lookups: index or INV_NONE. */
uint32_t inv_find_inst(const struct cm_inventory *inv, struct cm_str id);
uint32_t inv_find_nic(const struct cm_inventory *inv, struct cm_str eni);
/*
 * The interface using address ip in VPC vpc (absent: any VPC, when that is
 * unambiguous): the interface that has ip itself, else the one with a
 * delegated prefix (Ipv4Prefixes, Ipv6Prefixes) holding ip, the longest first.
 */
uint32_t inv_find_addr(const struct cm_inventory *inv, struct cm_str vpc, const struct cm_ip *ip);

/* State names ("running", ...) <-> enum; unknown names give INV_ST_NONE. */
uint8_t inv_state_from(struct cm_str name);
const char *inv_state_name(uint8_t state);

/* ---- inventory_json.c: reading helpers shared by the readers ---- */

/* obj[key] when obj is an object that has it, else CM_JSON_NONE (obj may be NONE). */
uint32_t inv_get(const struct cm_json_doc *d, uint32_t obj, const char *key);
/*
 * The string at node i (unescaped into scratch when needed); absent when i
 * is NONE, not a string, empty or longer than CM_INVENTORY_MAX_STR.
 */
struct cm_str inv_str(const struct cm_json_doc *d, uint32_t i, struct cm_arena *scratch);
/* inv_str(inv_get(obj, key)). */
struct cm_str inv_member(const struct cm_json_doc *d, uint32_t obj, const char *key,
                         struct cm_arena *scratch);
/* An integer member, or def when absent or not an integer in [INT32_MIN, INT32_MAX]. */
int32_t inv_member_i32(const struct cm_json_doc *d, uint32_t obj, const char *key, int32_t def);
/*
 * A time member: a number of milliseconds since the epoch (CloudTrail) or
 * an ISO 8601 string (describe-instances). *text gets it as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" in scratch and *ms the value; false (both
 * untouched) when absent or unreadable.
 */
bool inv_member_time(const struct cm_json_doc *d, uint32_t obj, const char *key,
                     struct cm_arena *scratch, struct cm_str *text, int64_t *ms);
/*
 * The elements of a list member: obj[key] when it is an array, or
 * obj[key].items / obj[key].item when that is (CloudTrail's shape). NONE
 * when there is no such array.
 */
uint32_t inv_list(const struct cm_json_doc *d, uint32_t obj, const char *key);
/* True when s is prefix followed by 1 to 40 ASCII letters and digits ("i-0abc..."). */
bool inv_valid_id(struct cm_str s, const char *prefix);
/*
 * Adds address text s to in->addrs (when s is absent: nothing), and keeps
 * its canonical text in *canon when canon is not NULL and absent so far.
 * Returns false when s is present but not an IP address.
 */
bool inv_nic_addr(struct inv_nic_in *in, struct cm_str s, struct cm_str *canon,
                  struct cm_arena *scratch);
/*
 * Adds delegated prefix text s ("10.1.0.32/28", "2600:1f18::/80") to
 * in->pfx (when s is absent: nothing; past CM_INVENTORY_MAX_PREFIXES: not
 * kept). Returns false when s is present but not an address with a prefix
 * length.
 */
bool inv_nic_prefix(struct inv_nic_in *in, struct cm_str s);
/*
 * What serves an interface (enum inv_service) from its InterfaceType
 * (interfaceType in CloudTrail), Description and RequesterManaged, and
 * whether it is attached to an instance: a type an instance's interface
 * has not (nat_gateway, network_load_balancer, lambda, vpc_endpoint, ...)
 * names the service; an ordinary one ("interface", "efa", "trunk", ...)
 * attached to an instance is none; else a Description "ELB ..." (an ALB or
 * CLB) or "AWS Lambda VPC ...", else RequesterManaged, names one.
 */
uint8_t inv_service_of(struct cm_str type, struct cm_str desc, bool requester_managed,
                       bool attached);

#endif
