/*
 * What the credential-exfiltration detector (ct_credexfil.c) learns: the key
 * an AssumeRole by EC2 or Lambda issued and to whom, an instance's own
 * addresses (homes and named: AssociateAddress, and the first address of
 * each of its keys, which ct_credexfil.c decides), their forgetting on
 * StopInstances and StartInstances, and the account's egress (its Elastic
 * IPs from AllocateAddress, the addresses several of its instances share).
 * ct_credexfil_impl.h has the tables' layout.
 */
#include "detect/ct_credexfil_impl.h"

#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"

/* ---- learning ---------------------------------------------------------------------------- */

/* The instance's addresses at key, in either table, or NULL; not a touch. */
struct home *cm_ct_credexfil_home_get(const struct exfil *x, const char *key, size_t n)
{
    struct home *h = cm_state_get(x->homes, key, n);

    return h != NULL ? h : cm_state_get(x->named, key, n);
}

/*
 * Learns ip as the instance's, touching its entry. proven: the instance is
 * surely one (metadata-service credentials, AssociateAddress), so its entry
 * is (or moves) in homes; else it stays where it is, a new one in named.
 */
int cm_ct_credexfil_add_home(struct exfil *x, struct cm_str account, struct cm_str instance,
                             const struct cm_ip *ip, int64_t t, uint8_t keys, bool proven)
{
    char key[KEY_MAX];
    size_t n = cm_ct_credexfil_make_key(account, instance.p, instance.len, key);
    struct home *h;

    if (n == 0) {
        return 0;
    }
    if (cm_state_get(x->homes, key, n) != NULL) {
        proven = true; /* once proven, always */
    }
    /* Proven now: moves to homes (with what named knew of it). */
    h = proven ? cm_state_move(x->homes, x->named, key, n, t)
               : cm_state_touch(x->named, key, n, t, NULL);
    if (h == NULL) {
        return CM_ENOMEM;
    }
    for (uint32_t i = 0; i < h->n; i++) {
        if (cm_ct_credexfil_same_ip(&h->addr[i], ip)) {
            h->keys[i] = h->keys[i] > keys ? h->keys[i] : keys;
            return 0;
        }
    }
    h->addr[h->next] = *ip;
    h->keys[h->next] = keys;
    h->next = (h->next + 1) % HOME_ADDRS;
    h->n += h->n < HOME_ADDRS;
    return 0;
}

struct cred *cm_ct_credexfil_cred_touch(struct exfil *x, const char *k, size_t n, int64_t t,
                                        bool proven)
{
    struct cred *c = cm_state_move_found(x->creds, x->guessed, k, n, t); /* once proven, always */

    if (c != NULL) {
        return c;
    }
    return proven ? cm_state_move(x->creds, x->guessed, k, n, t)
                  : cm_state_touch(x->guessed, k, n, t, NULL);
}

/* AssumeRole by ec2.amazonaws.com or lambda.amazonaws.com: the key it issued, and to whom. */
int cm_ct_credexfil_learn_assume_role(struct exfil *x, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str by =
        cm_str_present(ct->uid.invoked_by) ? ct->uid.invoked_by : ct->source_ip_address;
    uint32_t creds;
    struct cm_str key;
    struct cred *c;
    enum cred_kind kind;
    char k[KEY_MAX];
    size_t n;

    kind = cm_str_eqc(by, "ec2.amazonaws.com")      ? CRED_EC2
           : cm_str_eqc(by, "lambda.amazonaws.com") ? CRED_LAMBDA
                                                    : CRED_UNKNOWN;
    if (kind == CRED_UNKNOWN || ct->doc == NULL || !cm_ct_ok(ct)) {
        return 0;
    }
    creds = cm_json_get(ct->doc, ct->response_elements, "credentials");
    key = cm_ct_member(ct, creds, "accessKeyId");
    if (!cm_str_present(key) || key.len == 0 ||
        (n = cm_ct_credexfil_make_key(ev->account, key.p, key.len, k)) == 0) {
        return 0;
    }
    if ((c = cm_ct_credexfil_cred_touch(x, k, n, ev->time_ms, true)) == NULL) {
        return CM_ENOMEM;
    }
    c->kind = (uint8_t)kind;
    return 0;
}

/* The key of the association named by obj's associationId: 0 when there is none. */
static size_t assoc_key(const struct cm_event *ev, uint32_t obj, char *key)
{
    struct cm_str id = cm_ct_member(&ev->u.ct, obj, "associationId");

    if (!cm_str_present(id) || !cm_str_starts(id, "eipassoc-")) {
        return 0;
    }
    return cm_ct_credexfil_make_key(ev->account, id.p, id.len, key);
}

/*
 * AssociateAddress: the Elastic IP becomes one of the instance's own addresses, and
 * the egress entry of the address notes to which instance it went, so an instance it
 * was taken from (allowReassociation: a blue/green swap) is known to have lost it.
 */
int cm_ct_credexfil_learn_address(struct exfil *x, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str inst = cm_ct_member(ct, ct->request_parameters, "instanceId");
    struct cm_str pub = cm_ct_member(ct, ct->request_parameters, "publicIp");
    struct cm_ip ip;
    struct egress *e;
    char key[KEY_MAX];
    size_t n;

    if (!cm_ct_ok(ct) || !cm_ct_credexfil_is_instance_id(inst) || !cm_str_present(pub) ||
        cm_ip_parse(pub, &ip) != 0) {
        return 0;
    }
    if (cm_ip_is_public(&ip) && (n = cm_ct_credexfil_addr_key(ev->account, &ip, key)) != 0) {
        if ((e = cm_state_touch(x->egress, key, n, ev->time_ms, NULL)) == NULL) {
            return CM_ENOMEM;
        }
        e->given_to = cm_hash64(inst.p, inst.len, 0) | 1u;
        if ((n = assoc_key(ev, ct->response_elements, key)) != 0) {
            struct cm_ip *a = cm_state_touch(x->assoc, key, n, ev->time_ms, NULL);

            if (a == NULL) {
                return CM_ENOMEM;
            }
            *a = ip;
        }
    }
    return cm_ct_credexfil_add_home(x, ev->account, inst, &ip, ev->time_ms, HOME_ESTABLISHED, true);
}

/*
 * DisassociateAddress: the Elastic IP is no instance's now. The instance that had it
 * gets a new public address from AWS (or none), so it has lost the address, as when
 * AssociateAddress gives it to another instance. In a VPC the call names the
 * association (AssociateAddress's answer gave its address); EC2-Classic names the
 * address itself.
 */
int cm_ct_credexfil_learn_disassociation(struct exfil *x, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str pub = cm_ct_member(ct, ct->request_parameters, "publicIp");
    const struct cm_ip *a;
    struct egress *e;
    struct cm_ip ip;
    char key[KEY_MAX];
    size_t n;

    if (!cm_ct_ok(ct)) {
        return 0;
    }
    if (cm_str_present(pub) && cm_ip_parse(pub, &ip) == 0) {
        /* EC2-Classic: the address itself */
    } else if ((n = assoc_key(ev, ct->request_parameters, key)) != 0 &&
               (a = cm_state_get(x->assoc, key, n)) != NULL) {
        ip = *a;
        cm_state_del(x->assoc, key, n);
    } else {
        return 0;
    }
    if (!cm_ip_is_public(&ip) || (n = cm_ct_credexfil_addr_key(ev->account, &ip, key)) == 0 ||
        (e = cm_state_get(x->egress, key, n)) == NULL || e->given_to == 0) {
        return 0; /* never given to an instance here: nobody lost it */
    }
    e->given_to = GIVEN_TO_NOBODY;
    return 0;
}

/*
 * Whether one of the instance's (hash inst) established addresses in h is an Elastic
 * IP that AssociateAddress has since given to another instance: the instance lost it
 * and has another public address now (AWS gives it one back).
 */
bool cm_ct_credexfil_lost_address(struct exfil *x, struct cm_str account, const struct home *h,
                                  uint64_t inst)
{
    char key[KEY_MAX];
    const struct egress *e;
    size_t n;

    for (uint32_t i = 0; h != NULL && i < h->n; i++) {
        if (h->keys[i] < HOME_ESTABLISHED ||
            (n = cm_ct_credexfil_addr_key(account, &h->addr[i], key)) == 0) {
            continue;
        }
        e = cm_state_get(x->egress, key, n);
        if (e != NULL && e->given_to != 0 && e->given_to != inst) {
            return true;
        }
    }
    return false;
}

/*
 * StopInstances, StartInstances: an instance that stops gives back its public address
 * and gets another when it starts (an Elastic IP stays, and is learned again): its
 * addresses are forgotten, so its next key's first address is its own again.
 */
int cm_ct_credexfil_forget_homes(struct exfil *x, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    const struct cm_json_doc *d = ct->doc;
    uint32_t set, items;
    char key[KEY_MAX];

    if (d == NULL || !cm_ct_ok(ct) || ct->request_parameters == CM_JSON_NONE) {
        return 0;
    }
    set = cm_json_get(d, ct->request_parameters, "instancesSet");
    items = cm_json_get(d, set, "items");
    if (items == CM_JSON_NONE || cm_json_type(d, items) != CM_JSON_ARRAY) {
        return 0;
    }
    for (uint32_t i = cm_json_first(d, items); i != CM_JSON_NONE; i = cm_json_next(d, items, i)) {
        struct cm_str inst = cm_ct_member(ct, i, "instanceId");
        size_t n;

        if (cm_str_present(inst) &&
            (n = cm_ct_credexfil_make_key(ev->account, inst.p, inst.len, key)) != 0) {
            cm_state_del(x->homes, key, n);
            cm_state_del(x->named, key, n);
        }
    }
    return 0;
}

/* AllocateAddress: the Elastic IP is the account's (a NAT gateway's, an instance's). */
int cm_ct_credexfil_learn_allocation(struct exfil *x, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str pub = cm_ct_member(ct, ct->response_elements, "publicIp");
    struct egress *e;
    struct cm_ip ip;
    char key[KEY_MAX];
    size_t n;

    if (!cm_ct_ok(ct) || !cm_str_present(pub) || cm_ip_parse(pub, &ip) != 0 ||
        !cm_ip_is_public(&ip) || (n = cm_ct_credexfil_addr_key(ev->account, &ip, key)) == 0) {
        return 0;
    }
    if ((e = cm_state_touch(x->egress, key, n, ev->time_ms, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    e->eip_ms = ev->time_ms;
    return 0;
}

/*
 * Notes that the credentials of instance (hash inst, not 0) used the egress of
 * key (n bytes: an address's, an endpoint's) at t, from the address hashed as from
 * (0 for an address's own entry); *shared tells whether it was already the account's:
 * one of its Elastic IPs, or used by the credentials of another of its instances
 * within EGRESS_WINDOW before, unreported there or (an endpoint) from another address,
 * or (an address) reported there for two others.
 * A use that was reported is not the account's habit: before 2026-12-08 a thief who
 * used one instance's keys from a host, then another's from the same host, was
 * reported once, and the second instance's keys were taken for a shared egress.
 */
static int note(struct exfil *x, const char *key, size_t n, uint64_t inst, uint32_t from, int64_t t,
                bool *shared)
{
    struct egress *e;
    uint32_t slot = 0, reported = 0;
    int own = -1;

    *shared = false;
    if (n == 0) {
        return 0;
    }
    if ((e = cm_state_touch(x->egress, key, n, t, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    *shared = e->eip_ms != 0;
    for (uint32_t i = 0; i < EGRESS_INSTANCES; i++) {
        if (e->inst[i] == inst) {
            own = (int)i;
        } else if (e->inst[i] != 0 && e->inst_ms[i] > t - EGRESS_WINDOW) {
            if (e->flagged[i] == 0 || e->from[i] != from) {
                *shared = true;
            } else {
                reported++;
            }
        }
        /* An empty slot, else the least recently seen, for an instance not there yet. */
        if (e->inst[slot] != 0 && (e->inst[i] == 0 || e->inst_ms[i] < e->inst_ms[slot])) {
            slot = i;
        }
    }
    /* An address the keys of three instances used is a network's (a NAT gateway's second
     * Elastic IP that every instance's first use there reported), not one thief's. */
    if (from == 0 && reported >= 2) {
        *shared = true;
    }
    if (own >= 0) {
        slot = (uint32_t)own;
    } else {
        e->inst[slot] = inst;
        e->inst_ms[slot] = 0;
        e->flagged[slot] = 0;
    }
    if (t > e->inst_ms[slot]) {
        e->inst_ms[slot] = t;
    }
    e->from[slot] = from;
    return 0;
}

/* The credentials of instance called from the address: a NAT gateway's is every instance's. */
int cm_ct_credexfil_note_egress(struct exfil *x, struct cm_str account, const struct cm_ip *ip,
                                uint64_t inst, int64_t t, bool *shared)
{
    char key[KEY_MAX];

    return note(x, key, cm_ct_credexfil_addr_key(account, ip, key), inst, 0, t, shared);
}

/*
 * ... and through an endpoint of another account: a network account's central endpoints,
 * which the VPCs of every account of an organization reach, carry every instance's calls.
 * The key is the endpoint's id, which no address's key (a struct cm_ip) can equal: their
 * tails begin with the address family, a byte below ' '.
 */
static size_t endpoint_key(struct cm_str account, struct cm_str vpce, char *key)
{
    if (vpce.len == 0 || (unsigned char)vpce.p[0] < ' ') {
        return 0;
    }
    return cm_ct_credexfil_make_key(account, vpce.p, vpce.len, key);
}

int cm_ct_credexfil_note_endpoint(struct exfil *x, struct cm_str account, struct cm_str vpce,
                                  const struct cm_ip *ip, uint64_t inst, int64_t t, bool *shared)
{
    char key[KEY_MAX];
    uint32_t from = ip->family == CM_IP_NONE ? 1u : (uint32_t)cm_hash64(ip, sizeof(*ip), 0) | 1u;

    return note(x, key, endpoint_key(account, vpce, key), inst, from, t, shared);
}

void cm_ct_credexfil_flag_use(struct exfil *x, struct cm_str account, const struct cm_ip *ip,
                              struct cm_str vpce, uint64_t inst)
{
    char key[KEY_MAX];
    size_t n = cm_str_present(vpce) && vpce.len > 0 ? endpoint_key(account, vpce, key)
                                                    : cm_ct_credexfil_addr_key(account, ip, key);
    struct egress *e = n > 0 ? cm_state_get(x->egress, key, n) : NULL;

    for (uint32_t i = 0; e != NULL && i < EGRESS_INSTANCES; i++) {
        if (e->inst[i] == inst) {
            e->flagged[i] = 1;
        }
    }
}
