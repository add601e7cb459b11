/*
 * The instance inventory (issue #6, "Instance mapping"): which EC2 instance
 * an interface (ENI) or a private address belongs to, with the details a
 * finding's resource.instanceDetails carries (type, image, launch time,
 * zone, tags, instance profile, state, and per interface its subnet, VPC,
 * addresses and security groups).
 *
 * It is filled from two sources, in any order and any number of times:
 *   - the JSON that `aws ec2 describe-instances` or `aws ec2
 *     describe-network-interfaces` prints (--inventory FILE), given whole in
 *     a buffer (lib/ does no I/O): cm_inventory_add_describe(). The latter
 *     also says which interfaces belong to no instance (a NAT gateway's, a
 *     load balancer's, a Lambda function's, a VPC endpoint's):
 *     cm_inventory_service();
 *   - CloudTrail records seen in the same run: cm_inventory_observe() takes
 *     the successful ec2.amazonaws.com calls RunInstances, CreateNetworkInterface
 *     (a service's interface is marked as such), CreateNatGateway (the gateway's
 *     interfaces),
 *     AttachNetworkInterface, AssignPrivateIpAddresses (a node's pod addresses and
 *     prefixes), and TerminateInstances / StopInstances /
 *     StartInstances (the state), and ignores every other record cheaply.
 *     cm_detector_inventory_ct does this from inside a detection engine.
 * Detectors keep naming the ENI or instance id of the flow record; the map
 * is applied after the run to the finished findings (cm_inventory_enrich),
 * so CloudTrail and flow records need not meet in one shard.
 *
 * Merging. Values are filled, never overwritten: the first source to give
 * an instance's type, image, tag KEY and so on wins (the scan loads the
 * inventory files before it reads any log, and CloudTrail arrives in event
 * time order per account). Two exceptions: the state only moves along the
 * lifecycle (pending, then running / stopping / stopped, whichever is known
 * first, then shutting-down, then terminated), and an
 * interface's owner and an address's interface go to the most recent
 * binding (attach time, else launch time, else the event's time), so a
 * reused private address or a re-attached ENI maps to the right instance
 * whatever the order the records came in; an interface also keeps its last
 * few earlier bindings, so activity before a move names the instance that
 * had the ENI then. An address is indexed under its
 * (VPC, address) and under (any VPC, address); the latter is dropped as
 * ambiguous when two VPCs use the address (10.0.0.5 is in many VPCs), and a
 * lookup then needs the VPC. An interface's delegated prefixes (Ipv4Prefixes,
 * Ipv6Prefixes: the /28s an EKS node gives its pods) are indexed the same
 * way, and an address that is no interface's own is looked up in them.
 *
 * Bounds. At most max_instances instances, max_nics interfaces and
 * 4 * max_nics address keys; past a cap new ones are not added and counted
 * (stats.full). Per instance at most CM_INVENTORY_MAX_TAGS tags and
 * CM_INVENTORY_MAX_NICS interfaces listed; per interface
 * CM_INVENTORY_MAX_ADDRS addresses, CM_INVENTORY_MAX_PREFIXES delegated
 * prefixes and CM_INVENTORY_MAX_SGS groups; strings
 * longer than CM_INVENTORY_MAX_STR bytes are left out. Since values are
 * only filled, the memory is bounded by those caps.
 *
 * Bad input. In a describe-instances file, an instance without a valid
 * InstanceId, an interface without a valid NetworkInterfaceId, or an entry
 * whose address is not an IP address is reported through rep->bad with the
 * 1-based line where the entry starts and a reason, and skipped (a bad
 * interface drops only that interface). Members of an unexpected JSON type
 * are ignored. A buffer that is not JSON, or JSON in none of the accepted
 * shapes, is an error (diag says where and why) and adds nothing. CloudTrail
 * records that lack what a call should carry are ignored.
 *
 * Threads. Any number of threads may call the functions below on one
 * inventory when its lock hooks are set (cm_inventory_set_lock): every
 * call that reads or writes the map takes them. lib/ has no locks of its
 * own; src/ passes a mutex.
 *
 * Ownership: the inventory owns copies of every string; slices it hands out
 * (cm_inventory_tag) stay valid until cm_inventory_destroy().
 * docs/detectors/vpcflow-instances.md is the user's description.
 */
#ifndef CM_INVENTORY_INVENTORY_H
#define CM_INVENTORY_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/str.h"
#include "detect/detect.h"
#include "event/event.h"
#include "finding/finding.h"

#define CM_INVENTORY_MAX_INSTANCES 262144 /* default cap on instances */
#define CM_INVENTORY_NICS_PER_INST 4      /* default max_nics = 4 * max_instances */
#define CM_INVENTORY_MAX_TAGS      50     /* AWS's limit of tags per resource */
#define CM_INVENTORY_MAX_NICS      8      /* interfaces listed per instance */
#define CM_INVENTORY_MAX_ADDRS     16     /* addresses indexed per interface */
#define CM_INVENTORY_MAX_PREFIXES  64     /* delegated prefixes indexed per interface */
#define CM_INVENTORY_MAX_SGS       8      /* security groups kept per interface */
#define CM_INVENTORY_MAX_STR       1024   /* longest string kept (bytes) */

/* The tags that mark an EMR cluster node (PortProbeEMRUnprotectedPort). */
#define CM_INVENTORY_EMR_TAG "aws:elasticmapreduce:job-flow-id"

struct cm_inventory;

/* Caps; a zero member takes its default. */
struct cm_inventory_limits {
    size_t max_instances; /* CM_INVENTORY_MAX_INSTANCES */
    size_t max_nics;      /* CM_INVENTORY_NICS_PER_INST * max_instances */
};

/* Lock hooks (src/ passes a mutex); both NULL: no locking. */
struct cm_inventory_lock {
    void (*lock)(void *ud);
    void (*unlock)(void *ud);
    void *ud;
};

/* Where bad entries of an inventory file go. bad may be NULL (they are still skipped). */
struct cm_inventory_report {
    void (*bad)(void *ud, uint32_t line, const char *reason);
    void *ud;
};

struct cm_inventory_stats {
    size_t instances;     /* instance records */
    size_t nics;          /* interface records */
    size_t addresses;     /* address keys */
    uint64_t loaded;      /* instances read from inventory files */
    uint64_t loaded_nics; /* interfaces read from describe-network-interfaces files */
    uint64_t observed;    /* CloudTrail records taken (RunInstances, ...) */
    uint64_t skipped;     /* bad entries of inventory files */
    uint64_t full;        /* instances, interfaces or addresses not added: a cap was reached */
    uint64_t ambiguous;   /* addresses used in two VPCs (found only with their VPC) */
    size_t bytes;         /* memory held, roughly */
};

/*
 * Creates an empty inventory with limits lim (NULL: the defaults) and hash
 * seed seed. Returns 0 or CM_ENOMEM.
 */
int cm_inventory_create(struct cm_inventory **out, const struct cm_inventory_limits *lim,
                        uint64_t seed);

/* Frees everything; NULL is a no-op. */
void cm_inventory_destroy(struct cm_inventory *inv);

/* Sets the lock hooks (copied) before the inventory is shared; NULL clears them. */
void cm_inventory_set_lock(struct cm_inventory *inv, const struct cm_inventory_lock *lk);

/*
 * Adds the instances of describe-instances output in buf[0..len): one or
 * more JSON documents, each {"Reservations": [{"Instances": [...]}...]},
 * a single reservation {"Instances": [...]} (run-instances prints that), or
 * an array of reservations, of instances, or of arrays of instances (what
 * --query 'Reservations[].Instances[]' prints); or describe-network-interfaces
 * output, {"NetworkInterfaces": [...]} (or an array of its interfaces), of
 * which each interface's addresses, prefixes, groups, subnet and VPC are
 * read, its Attachment.InstanceId binds it to that instance, and its
 * InterfaceType (else a Description "ELB ..." or "AWS Lambda VPC ...", else
 * RequesterManaged without an instance) marks one that no instance can have
 * (see cm_inventory_service). Bad entries go to rep (may
 * be NULL) and are skipped. Returns 0; CM_EINVAL when the buffer is not JSON
 * or not in one of these shapes (diag, which may be NULL, has the line and
 * reason; nothing is added); CM_E2BIG (4 GiB or more); CM_ENOMEM.
 */
int cm_inventory_add_describe(struct cm_inventory *inv, const char *buf, size_t len,
                              const struct cm_inventory_report *rep, struct cm_diag *diag);

/*
 * Takes what CloudTrail record ev says about instances and interfaces (see
 * above); other records, failed calls and other event kinds are ignored
 * before any lock is taken. Returns 0 or CM_ENOMEM.
 */
int cm_inventory_observe(struct cm_inventory *inv, const struct cm_event *ev);

/*
 * Fills resource.instanceDetails of an Instance finding from the map: the
 * instance is found by f's instance id, else by its first interface's ENI
 * id, else by that interface's private address (with its VPC when known),
 * then its public address. An interface's instance is the one it was
 * attached to at f's last_seen_ms (an ENI moved between instances: its last
 * few earlier bindings are kept), else the current one. Only absent values
 * are filled (the finding's own stay); interfaces of the instance the
 * finding does not list are added up to CM_FINDING_MAX_NICS, tags up to
 * CM_FINDING_MAX_TAGS. When the instance id was filled, the title and
 * description are expanded again so they name the instance (the finding's
 * id does not change). An interface known without an instance
 * (CreateNetworkInterface alone) still fills the interface. Returns 0 when
 * something was found, CM_ENOTFOUND when the finding is not about an
 * instance or nothing is known of it (the finding is untouched), or
 * CM_ENOMEM / CM_E2BIG from the finding's arena.
 */
int cm_inventory_enrich(const struct cm_inventory *inv, struct cm_finding *f);

/*
 * What serves the interface of Instance finding f when that is no EC2
 * instance: f names no instance id, its first interface's ENI id is one a
 * describe-network-interfaces file or CloudTrail marked (InterfaceType nat_gateway,
 * network_load_balancer, lambda, vpc_endpoint, ..., an "ELB ..."
 * Description, or RequesterManaged) and that is attached to no instance
 * when f was last seen. Returns the service's name ("NAT gateway", "load
 * balancer", "Lambda function", "VPC endpoint", "AWS-managed interface"),
 * or NULL (inv NULL, another resource type, an instance, an interface
 * not known as a service's).
 */
const char *cm_inventory_service(const struct cm_inventory *inv, const struct cm_finding *f);

/*
 * The value of tag key of the instance named by resource (an instance id,
 * or an ENI id attached to one). Returns 0 and *value (owned by the
 * inventory), or CM_ENOTFOUND.
 */
int cm_inventory_tag(const struct cm_inventory *inv, struct cm_str resource, const char *key,
                     struct cm_str *value);

/*
 * The account that owns instance (an instance id): the OwnerId of its
 * reservation in a describe-instances file (else of its first interface).
 * Only the files say it, and they are loaded before any log, so the answer
 * is the same at any point of a scan. Returns 0 and *owner (owned by the
 * inventory), or CM_ENOTFOUND (inv NULL, an unknown instance, no owner).
 */
int cm_inventory_owner(const struct cm_inventory *inv, struct cm_str instance,
                       struct cm_str *owner);

/*
 * The region of the instance named by resource (an instance id, or an ENI
 * id attached to one): its availability zone's ("us-east-1" of
 * "us-east-1a", of a Local Zone's "us-west-2-lax-1a"), as describe-instances
 * (Placement.AvailabilityZone) or CloudTrail's RunInstances gave it. An
 * interface never leaves its region, so any instance it was attached to
 * answers. Returns 0 and *region (a slice of the inventory's copy of the
 * zone), or CM_ENOTFOUND (inv NULL, unknown, no zone, a zone whose start is
 * no region).
 */
int cm_inventory_region(const struct cm_inventory *inv, struct cm_str resource,
                        struct cm_str *region);

/*
 * The account that owns the instance whose interface has address ip (its
 * public, Elastic or IPv6 address; a private address only when one VPC
 * uses it): the OwnerId of the instance in a describe-instances file. The
 * owner comes from the files only, so an account is named here only when
 * the operator gave its inventory. Returns 0 and *owner (owned by the
 * inventory), or CM_ENOTFOUND (inv NULL, an unknown address, an address of
 * no instance, or an instance without an owner).
 */
int cm_inventory_addr_owner(const struct cm_inventory *inv, const struct cm_ip *ip,
                            struct cm_str *owner);

/*
 * Whether ip is an address of an interface attached to instance (an
 * instance id): its private, public, Elastic or IPv6 addresses, as loaded or
 * observed so far. An address two VPCs use is nobody's here. False when inv
 * is NULL.
 */
bool cm_inventory_owns(const struct cm_inventory *inv, struct cm_str instance,
                       const struct cm_ip *ip);

/*
 * Which side of a flow record of interface eni (an ENI id) is one of the
 * interface's addresses: 1 src, -1 dst, 0 neither or both (or eni unknown,
 * or inv NULL). An address is the interface's when the inventory binds it
 * to that interface, in the interface's VPC when known: its private
 * (secondary ones too), public and IPv6 addresses, as loaded or observed so
 * far. An address it does not know or binds to another interface is not.
 */
int cm_inventory_eni_side(const struct cm_inventory *inv, struct cm_str eni,
                          const struct cm_ip *src, const struct cm_ip *dst);

/*
 * Names the instance of Resolver query ev when its record names none, so
 * that the DNS detectors, which judge srcids.instance, see it (GuardDuty's
 * DNS findings are about an Instance). Returns where ev's instance comes
 * from (enum cm_dns_srcid) and sets ev->u.dns.srcid_from to it:
 *   - LOGGED: the record has srcids.instance (nothing looked up);
 *   - ENDPOINT: none, and the record names an inbound Resolver endpoint
 *     (srcids.resolver_endpoint or .resolver_network_interface): srcaddr is
 *     a client outside the record's VPC (on premises, a peered VPC), which
 *     no address of the VPC's instances names;
 *   - INVENTORY: none, and the inventory binds srcaddr, in the record's
 *     vpc_id, to an interface of that VPC (one of its addresses, else one of
 *     its delegated prefixes: an EKS pod's address) attached to an instance, bound
 *     no later than the query (the attach or launch time, when known):
 *     srcid_instance is then that instance's id (owned by the inventory);
 *   - UNKNOWN: none and no such binding (inv NULL, no vpc_id (the scan fills a
 *     missing one from the object key first), an address no
 *     interface of that VPC has, an interface of no instance such as a
 *     Lambda function's, or one bound after the query).
 * An interface whose VPC the inventory does not know is not used (the
 * address could be in any VPC). Events of other kinds are left alone
 * (LOGGED). Takes the lock only for a record without an instance or endpoint.
 */
enum cm_dns_srcid cm_inventory_dns_attribute(const struct cm_inventory *inv, struct cm_event *ev);

/*
 * Whether resource is an EMR cluster node (it has the tag
 * CM_INVENTORY_EMR_TAG). ud is the struct cm_inventory; the signature is that
 * of struct cm_flow_inbound_tuning.is_emr. During a scan it knows only what
 * was loaded or observed so far: inventory files, and CloudTrail already read.
 */
bool cm_inventory_is_emr(void *ud, struct cm_str resource);

/* Fills *st. */
void cm_inventory_stats(const struct cm_inventory *inv, struct cm_inventory_stats *st);

/*
 * A detector with no finding types that hands every CloudTrail event to
 * cm_inventory_observe() on the engine config's inventory (nothing when it
 * is NULL). Its only state is the config pointer.
 */
extern const struct cm_detector cm_detector_inventory_ct;

#endif
