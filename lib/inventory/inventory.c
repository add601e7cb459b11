/*
 * The instance inventory's map and its merge rules (see inventory.h and
 * inventory_impl.h). Seeded maps index two record arrays: instance id ->
 * instance, ENI id -> interface, and address -> interface, where an
 * address two VPCs use turns INV_AMBIG and gets a key per VPC instead.
 * Values many records repeat are interned.
 *
 * Precedence. A value is set when absent and then kept. An interface's
 * instance, and an address's interface, go to the binding with the latest
 * since_ms (ties: the later call), so the result depends on the records,
 * not on the order the shards hand them over in.
 */
#include "inventory/inventory_impl.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define ARENA_CHUNK   (64u * 1024)
#define SCRATCH_CHUNK (16u * 1024)
#define SCRATCH_MAX   ((size_t)1 << 20)
#define ADDRS_PER_NIC 4u /* address keys per interface the cap allows on average */
#define ADDR_KEY_MAX  (CM_INVENTORY_MAX_STR + 20)
#define SHARED_MAX    ((size_t)1 << 20) /* distinct interned values; past it, copies */

static const char *const state_names[] = {
    [INV_ST_NONE] = NULL,
    [INV_ST_PENDING] = "pending",
    [INV_ST_RUNNING] = "running",
    [INV_ST_SHUTTING_DOWN] = "shutting-down",
    [INV_ST_TERMINATED] = "terminated",
    [INV_ST_STOPPING] = "stopping",
    [INV_ST_STOPPED] = "stopped",
};

uint8_t inv_state_from(struct cm_str name)
{
    for (uint8_t i = 1; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
        if (cm_str_eqc(name, state_names[i])) {
            return i;
        }
    }
    return INV_ST_NONE;
}

const char *inv_state_name(uint8_t state)
{
    return state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state] : NULL;
}

int cm_inventory_create(struct cm_inventory **out, const struct cm_inventory_limits *lim,
                        uint64_t seed)
{
    struct cm_inventory *inv = cm_calloc(1, sizeof(*inv));
    int rc;

    *out = NULL;
    if (inv == NULL) {
        return CM_ENOMEM;
    }
    if (lim != NULL) {
        inv->lim = *lim;
    }
    if (inv->lim.max_instances == 0) {
        inv->lim.max_instances = CM_INVENTORY_MAX_INSTANCES;
    }
    if (inv->lim.max_nics == 0) {
        inv->lim.max_nics = CM_INVENTORY_NICS_PER_INST * inv->lim.max_instances;
    }
    cm_arena_init(&inv->strings, ARENA_CHUNK, 0);
    cm_arena_init(&inv->scratch, SCRATCH_CHUNK, SCRATCH_MAX);
    rc = cm_map_create(&inv->by_inst, sizeof(uint32_t), inv->lim.max_instances, seed);
    rc = rc ? rc : cm_map_create(&inv->by_eni, sizeof(uint32_t), inv->lim.max_nics, seed + 1);
    rc = rc ? rc
            : cm_map_create(&inv->by_addr, sizeof(uint32_t), ADDRS_PER_NIC * inv->lim.max_nics,
                            seed + 2);
    rc = rc ? rc : cm_map_create(&inv->shared, 0, SHARED_MAX, seed + 3);
    if (rc != 0) {
        cm_inventory_destroy(inv);
        return rc;
    }
    *out = inv;
    return 0;
}

void cm_inventory_destroy(struct cm_inventory *inv)
{
    if (inv == NULL) {
        return;
    }
    for (size_t i = 0; i < inv->ninst; i++) {
        cm_free(inv->inst[i].tags);
    }
    cm_free(inv->inst);
    cm_free(inv->nic);
    cm_map_destroy(inv->by_inst);
    cm_map_destroy(inv->by_eni);
    cm_map_destroy(inv->by_addr);
    cm_map_destroy(inv->shared);
    cm_arena_finish(&inv->strings);
    cm_arena_finish(&inv->scratch);
    cm_free(inv);
}

void cm_inventory_set_lock(struct cm_inventory *inv, const struct cm_inventory_lock *lk)
{
    if (lk != NULL) {
        inv->lk = *lk;
    } else {
        memset(&inv->lk, 0, sizeof(inv->lk));
    }
}

void cm_inventory_stats(const struct cm_inventory *inv, struct cm_inventory_stats *st)
{
    memset(st, 0, sizeof(*st));
    inv_lock(inv);
    st->instances = inv->ninst;
    st->nics = inv->nnic;
    st->addresses = cm_map_count(inv->by_addr);
    st->loaded = inv->loaded;
    st->loaded_nics = inv->loaded_nics;
    st->observed = inv->observed;
    st->skipped = inv->skipped;
    st->full = inv->full;
    st->ambiguous = inv->ambiguous;
    st->bytes = sizeof(*inv) + inv->capinst * sizeof(*inv->inst) + inv->capnic * sizeof(*inv->nic) +
                cm_map_bytes(inv->by_inst) + cm_map_bytes(inv->by_eni) +
                cm_map_bytes(inv->by_addr) + cm_map_bytes(inv->shared) + inv->strings.used +
                inv->scratch.used + inv->tag_bytes;
    inv_unlock(inv);
}

/* Sets *dst to a copy of src when *dst is absent and src is a present, non-empty value. */
static int own(struct cm_inventory *inv, struct cm_str *dst, struct cm_str src)
{
    char *p;

    if (dst->p != NULL || src.p == NULL || src.len == 0 || src.len > CM_INVENTORY_MAX_STR) {
        return 0;
    }
    p = cm_arena_strndup(&inv->strings, src.p, src.len);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    *dst = cm_str_make(p, src.len);
    return 0;
}

/* own() for a value many records repeat: one interned copy for all of them. */
static int own_shared(struct cm_inventory *inv, struct cm_str *dst, struct cm_str src)
{
    void *v;
    int rc;

    if (dst->p != NULL || src.p == NULL || src.len == 0 || src.len > CM_INVENTORY_MAX_STR) {
        return 0;
    }
    rc = cm_map_put(inv->shared, src.p, src.len, &v, NULL);
    if (rc == CM_EFULL) {
        return own(inv, dst, src);
    }
    if (rc != 0) {
        return CM_ENOMEM;
    }
    *dst = cm_map_key_of(inv->shared, v);
    return 0;
}

static uint32_t map_index(const struct cm_map *m, struct cm_str key)
{
    const uint32_t *v;

    if (key.p == NULL || key.len == 0) {
        return INV_NONE;
    }
    v = cm_map_get(m, key.p, key.len);
    return v ? *v : INV_NONE;
}

uint32_t inv_find_inst(const struct cm_inventory *inv, struct cm_str id)
{
    return map_index(inv->by_inst, id);
}

uint32_t inv_find_nic(const struct cm_inventory *inv, struct cm_str eni)
{
    return map_index(inv->by_eni, eni);
}

/* Instance id's record, made empty when new; *idx gets its index. */
static int new_inst(struct cm_inventory *inv, struct cm_str id, uint32_t *idx)
{
    uint32_t *slot;
    bool created;
    int rc;

    rc = cm_map_put(inv->by_inst, id.p, id.len, (void **)&slot, &created);
    if (rc == CM_EFULL) {
        inv->full++;
        return rc;
    }
    if (rc != 0) {
        return rc;
    }
    if (!created) {
        *idx = *slot;
        return 0;
    }
    rc = cm_grow((void **)&inv->inst, &inv->capinst, inv->ninst + 1, sizeof(*inv->inst), 64);
    if (rc != 0) {
        cm_map_del(inv->by_inst, id.p, id.len);
        return rc;
    }
    memset(&inv->inst[inv->ninst], 0, sizeof(inv->inst[0]));
    /* The map keeps its own copy of the key: the record's id points at it. */
    inv->inst[inv->ninst].id = cm_map_key_of(inv->by_inst, slot);
    *slot = (uint32_t)inv->ninst;
    *idx = (uint32_t)inv->ninst++;
    return 0;
}

/*
 * How far along the lifecycle a state is. A state replaces one of lower
 * rank only: "pending" (RunInstances) gives way to what an inventory says,
 * and shutting-down / terminated to nothing; running, stopping and stopped
 * share a rank, so the first one known stays (start and stop calls of a
 * long log do not make it flap).
 */
static int rank(uint8_t state)
{
    switch (state) {
    case INV_ST_PENDING:
        return 1;
    case INV_ST_RUNNING:
    case INV_ST_STOPPING:
    case INV_ST_STOPPED:
        return 2;
    case INV_ST_SHUTTING_DOWN:
        return 3;
    case INV_ST_TERMINATED:
        return 4;
    default:
        return 0;
    }
}

static void merge_state(struct inv_inst *r, uint8_t state)
{
    if (rank(state) > rank(r->state)) {
        r->state = state;
    }
}

int inv_put_inst(struct cm_inventory *inv, const struct inv_inst_in *in, uint32_t *idx)
{
    struct inv_inst *r;
    int rc = new_inst(inv, in->id, idx);

    if (rc != 0) {
        return rc;
    }
    r = &inv->inst[*idx];
    rc |= own_shared(inv, &r->type, in->type);
    rc |= own_shared(inv, &r->image, in->image);
    rc |= own(inv, &r->launch, in->launch);
    rc |= own_shared(inv, &r->az, in->az);
    rc |= own_shared(inv, &r->platform, in->platform);
    rc |= own_shared(inv, &r->profile_arn, in->profile_arn);
    rc |= own_shared(inv, &r->profile_id, in->profile_id);
    rc |= own_shared(inv, &r->owner, in->owner);
    merge_state(r, in->state);
    return rc ? CM_ENOMEM : 0;
}

int inv_add_tag(struct cm_inventory *inv, uint32_t idx, struct cm_str key, struct cm_str value)
{
    struct inv_inst *r = &inv->inst[idx];
    struct cm_kv *t;
    struct cm_kv kv = {CM_STR_NULL, CM_STR_NULL};

    if (key.p == NULL || key.len == 0 || key.len > CM_INVENTORY_MAX_STR ||
        r->ntags >= CM_INVENTORY_MAX_TAGS) {
        return 0;
    }
    for (uint8_t i = 0; i < r->ntags; i++) {
        if (cm_str_eq(r->tags[i].key, key)) {
            return 0;
        }
    }
    if (value.p == NULL || value.len > CM_INVENTORY_MAX_STR) {
        value = CM_STR_LIT("");
    }
    if (own_shared(inv, &kv.key, key) != 0) {
        return CM_ENOMEM;
    }
    if (value.len > 0 && own_shared(inv, &kv.value, value) != 0) {
        return CM_ENOMEM;
    }
    if (kv.value.p == NULL) {
        kv.value = CM_STR_LIT("");
    }
    t = cm_realloc(r->tags, ((size_t)r->ntags + 1) * sizeof(*t));
    if (t == NULL) {
        return CM_ENOMEM;
    }
    inv->tag_bytes += sizeof(*t);
    r->tags = t;
    r->tags[r->ntags++] = kv;
    return 0;
}

/*
 * Address keys. Every address has a plain key (the family and 16 bytes)
 * whose value is its interface, or INV_AMBIG once interfaces of two VPCs
 * claim it; an ambiguous address then also has a key per VPC (the VPC id,
 * a NUL, the family and 16 bytes). Most addresses cost one key. A delegated
 * prefix (an EKS node's /28 for its pods) is keyed the same way with 'P'
 * and its length before the family, and its network address: its own key
 * space, with the same ambiguity rule.
 */
#define INV_EXACT 255u /* plen of a plain address key */

static size_t addr_key(char *key, struct cm_str vpc, const struct cm_ip *ip, unsigned plen)
{
    size_t n = 0;

    if (vpc.p != NULL && vpc.len <= CM_INVENTORY_MAX_STR) {
        memcpy(key, vpc.p, vpc.len);
        key[vpc.len] = '\0';
        n = vpc.len + 1;
    }
    if (plen != INV_EXACT) {
        key[n++] = 'P';
        key[n++] = (char)plen;
    }
    key[n++] = (char)ip->family;
    memcpy(key + n, ip->a, sizeof(ip->a));
    return n + sizeof(ip->a);
}

/* Whether interface a's binding is at least as recent as b's. */
static bool newer(const struct cm_inventory *inv, uint32_t a, uint32_t b)
{
    return inv->nic[a].since_ms >= inv->nic[b].since_ms;
}

/* Points the key of (vpc, ip/plen) at interface n when its binding is the most recent. */
static int bind_vpc_key(struct cm_inventory *inv, uint32_t n, struct cm_str vpc,
                        const struct cm_ip *ip, unsigned plen)
{
    char key[ADDR_KEY_MAX];
    uint32_t *slot;
    bool created;
    int rc = cm_map_put(inv->by_addr, key, addr_key(key, vpc, ip, plen), (void **)&slot, &created);

    if (rc == CM_EFULL) {
        inv->full++;
        return 0;
    }
    if (rc == 0 && (created || (*slot != n && newer(inv, n, *slot)))) {
        *slot = n;
    }
    return rc;
}

/* Binds address ip (plen INV_EXACT) or prefix ip/plen to interface n. */
static int bind_addr(struct cm_inventory *inv, uint32_t n, const struct cm_ip *ip, unsigned plen)
{
    struct cm_str vpc = inv->nic[n].vpc, other;
    char key[ADDR_KEY_MAX];
    uint32_t *slot, cur;
    bool created;
    int rc;

    if (ip->family == CM_IP_NONE) {
        return 0;
    }
    rc = cm_map_put(inv->by_addr, key, addr_key(key, CM_STR_NULL, ip, plen), (void **)&slot,
                    &created);
    if (rc == CM_EFULL) {
        inv->full++;
        return 0;
    }
    if (rc != 0 || created) {
        if (rc == 0) {
            *slot = n;
        }
        return rc;
    }
    cur = *slot;
    if (cur == n) {
        return 0;
    }
    if (cur == INV_AMBIG) {
        return vpc.p != NULL ? bind_vpc_key(inv, n, vpc, ip, plen) : 0;
    }
    other = inv->nic[cur].vpc;
    if (vpc.p == NULL || other.p == NULL || cm_str_eq(vpc, other)) {
        if (newer(inv, n, cur)) {
            *slot = n; /* a reused address (or a VPC unknown): the latest binding */
        }
        return 0;
    }
    /* The same address in two VPCs: from now on only (VPC, address) tells. */
    *slot = INV_AMBIG;
    inv->ambiguous++;
    rc = bind_vpc_key(inv, cur, other, ip, plen);
    return rc ? rc : bind_vpc_key(inv, n, vpc, ip, plen);
}

/* The interface keyed by ip/plen (INV_EXACT: the address itself) in vpc, or INV_NONE. */
static uint32_t find_key(const struct cm_inventory *inv, struct cm_str vpc, bool have_vpc,
                         const struct cm_ip *ip, unsigned plen)
{
    char key[ADDR_KEY_MAX];
    const uint32_t *v = cm_map_get(inv->by_addr, key, addr_key(key, CM_STR_NULL, ip, plen));

    if (v == NULL) {
        return INV_NONE;
    }
    if (*v == INV_AMBIG) {
        v = have_vpc ? cm_map_get(inv->by_addr, key, addr_key(key, vpc, ip, plen)) : NULL;
        return v != NULL ? *v : INV_NONE;
    }
    /* Known in another VPC than the one asked about: not this one. */
    if (have_vpc && inv->nic[*v].vpc.p != NULL && !cm_str_eq(inv->nic[*v].vpc, vpc)) {
        return INV_NONE;
    }
    return *v;
}

/* ip with every bit after the first plen cleared. */
static struct cm_ip masked(const struct cm_ip *ip, unsigned plen)
{
    struct cm_ip m = *ip;

    for (unsigned i = 0; i < sizeof(m.a); i++) {
        unsigned lo = i * 8;
        if (plen <= lo) {
            m.a[i] = 0;
        } else if (plen < lo + 8) {
            m.a[i] &= (uint8_t)(0xffu << (lo + 8 - plen));
        }
    }
    return m;
}

uint32_t inv_find_addr(const struct cm_inventory *inv, struct cm_str vpc, const struct cm_ip *ip)
{
    bool have_vpc = vpc.p != NULL && vpc.len > 0 && vpc.len <= CM_INVENTORY_MAX_STR;
    unsigned bits, fam;
    uint32_t n;

    if (ip->family == CM_IP_NONE) {
        return INV_NONE;
    }
    n = find_key(inv, vpc, have_vpc, ip, INV_EXACT);
    if (n != INV_NONE) {
        return n;
    }
    /* Not an interface's own address: a delegated prefix's (a pod's), longest first. */
    fam = ip->family == CM_IP_V4 ? 0 : 1;
    bits = fam == 0 ? 32 : 128;
    for (unsigned plen = bits + 1; plen-- > 0 && n == INV_NONE;) {
        if (inv->pfx_seen[fam][plen]) {
            struct cm_ip net = masked(ip, plen);
            n = find_key(inv, vpc, have_vpc, &net, plen);
        }
    }
    return n;
}

/* Drops interface n from instance i's list. */
static void unlist(struct inv_inst *r, uint32_t n)
{
    for (uint8_t k = 0; k < r->nnics; k++) {
        if (r->nics[k] == n) {
            memmove(&r->nics[k], &r->nics[k + 1], (size_t)(r->nnics - k - 1) * sizeof(r->nics[0]));
            r->nnics--;
            return;
        }
    }
}

/* Lists interface n in instance i, in device order (an unknown device index goes last). */
static void list_nic(struct cm_inventory *inv, uint32_t i, uint32_t n)
{
    struct inv_inst *r = &inv->inst[i];
    int32_t dev = inv->nic[n].device < 0 ? INT32_MAX : inv->nic[n].device;
    uint8_t k = 0;

    for (uint8_t j = 0; j < r->nnics; j++) {
        if (r->nics[j] == n) {
            return;
        }
    }
    if (r->nnics >= CM_INVENTORY_MAX_NICS) {
        return; /* still attached (n names i), only not listed */
    }
    while (k < r->nnics) {
        int32_t d = inv->nic[r->nics[k]].device;
        if ((d < 0 ? INT32_MAX : d) > dev) {
            break;
        }
        k++;
    }
    memmove(&r->nics[k + 1], &r->nics[k], (size_t)(r->nnics - k) * sizeof(r->nics[0]));
    r->nics[k] = n;
    r->nnics++;
}

/*
 * Keeps (i, since_ms) among interface c's earlier bindings, in order, the
 * most recent first; the oldest is dropped when they are full. A binding
 * known already is not kept twice.
 */
static void remember(struct inv_nic *c, uint32_t i, int64_t since_ms)
{
    uint8_t k = 0;

    if (since_ms == 0) {
        return; /* no time: it can never be told from the current one */
    }
    while (k < c->npast && c->past[k].since_ms > since_ms) {
        k++;
    }
    if (k < c->npast && c->past[k].since_ms == since_ms && c->past[k].inst == i) {
        return;
    }
    if (k >= INV_NIC_PAST) {
        return; /* older than every one kept */
    }
    if (c->npast < INV_NIC_PAST) {
        c->npast++;
    }
    memmove(&c->past[k + 1], &c->past[k], (size_t)(c->npast - k - 1) * sizeof(c->past[0]));
    c->past[k].inst = i;
    c->past[k].since_ms = since_ms;
}

uint32_t inv_nic_inst_at(const struct cm_inventory *inv, uint32_t n, int64_t time_ms)
{
    const struct inv_nic *c = &inv->nic[n];

    if (time_ms == 0 || c->since_ms == 0 || time_ms >= c->since_ms) {
        return c->inst;
    }
    for (uint8_t k = 0; k < c->npast; k++) {
        if (c->past[k].since_ms <= time_ms) {
            return c->past[k].inst;
        }
    }
    return INV_NONE;
}

/*
 * Attaches interface n to instance i when that binding is at least as recent
 * as its current one; an older one, or the one it replaces, is remembered
 * (inv_nic_inst_at).
 */
static void bind_owner(struct cm_inventory *inv, uint32_t n, uint32_t i, int64_t since_ms,
                       int32_t device)
{
    struct inv_nic *c = &inv->nic[n];

    if (i == INV_NONE) {
        return;
    }
    if (c->inst == i) {
        if (c->device < 0 && device >= 0 && device <= INT16_MAX) {
            unlist(&inv->inst[i], n);
            c->device = (int16_t)device;
            list_nic(inv, i, n);
        }
        if (since_ms > c->since_ms) {
            c->since_ms = since_ms;
        }
        return;
    }
    if (c->inst != INV_NONE && since_ms < c->since_ms) {
        remember(c, i, since_ms); /* an older attachment than the one known */
        return;
    }
    if (c->inst != INV_NONE) {
        remember(c, c->inst, c->since_ms);
        unlist(&inv->inst[c->inst], n);
    }
    c->inst = i;
    c->since_ms = since_ms;
    c->device = device >= 0 && device <= INT16_MAX ? (int16_t)device : -1;
    list_nic(inv, i, n);
}

/* A new interface record for eni (absent: an ENI-less one, not in the ENI map). */
static int new_nic(struct cm_inventory *inv, struct cm_str eni, uint32_t *idx)
{
    uint32_t *slot = NULL;
    bool created = true;
    int rc;

    if (inv->nnic >= inv->lim.max_nics) {
        inv->full++;
        return CM_EFULL;
    }
    if (eni.p != NULL) {
        rc = cm_map_put(inv->by_eni, eni.p, eni.len, (void **)&slot, &created);
        if (rc == CM_EFULL) {
            inv->full++;
        }
        if (rc != 0) {
            return rc;
        }
        if (!created) {
            *idx = *slot;
            return 0;
        }
    }
    rc = cm_grow((void **)&inv->nic, &inv->capnic, inv->nnic + 1, sizeof(*inv->nic), 64);
    if (rc != 0) {
        if (slot != NULL) {
            cm_map_del(inv->by_eni, eni.p, eni.len);
        }
        return rc;
    }
    memset(&inv->nic[inv->nnic], 0, sizeof(inv->nic[0]));
    inv->nic[inv->nnic].inst = INV_NONE;
    inv->nic[inv->nnic].device = -1;
    if (slot != NULL) {
        inv->nic[inv->nnic].eni = cm_map_key_of(inv->by_eni, slot);
        *slot = (uint32_t)inv->nnic;
    }
    *idx = (uint32_t)inv->nnic++;
    return 0;
}

/* The interface a reader's record names: by ENI id, or the instance's ENI-less one. */
static int find_or_new_nic(struct cm_inventory *inv, const struct inv_nic_in *in, uint32_t inst,
                           uint32_t *idx)
{
    if (in->eni.p == NULL) {
        if (inst == INV_NONE) {
            return CM_EINVAL; /* nothing would ever find it */
        }
        for (uint8_t k = 0; k < inv->inst[inst].nnics; k++) {
            uint32_t n = inv->inst[inst].nics[k];
            if (inv->nic[n].eni.p == NULL) {
                *idx = n;
                return 0;
            }
        }
    }
    return new_nic(inv, in->eni, idx);
}

int inv_put_nic(struct cm_inventory *inv, const struct inv_nic_in *in, uint32_t inst)
{
    struct inv_nic *c;
    uint32_t n;
    int rc = find_or_new_nic(inv, in, inst, &n);

    if (rc == CM_EINVAL) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    c = &inv->nic[n];
    rc |= own_shared(inv, &c->subnet, in->subnet);
    rc |= own_shared(inv, &c->vpc, in->vpc);
    rc |= own(inv, &c->private_ip, in->private_ip);
    rc |= own(inv, &c->private_dns, in->private_dns);
    rc |= own(inv, &c->public_ip, in->public_ip);
    rc |= own(inv, &c->public_dns, in->public_dns);
    if (rc != 0) {
        return CM_ENOMEM;
    }
    if (c->nsgs == 0 && in->nsgs > 0) {
        struct cm_kv *sgs = cm_arena_alloc(&inv->strings, in->nsgs * sizeof(*sgs));
        uint32_t k = 0;
        if (sgs == NULL) {
            return CM_ENOMEM;
        }
        for (uint32_t j = 0; j < in->nsgs; j++) {
            memset(&sgs[k], 0, sizeof(sgs[k]));
            rc |= own_shared(inv, &sgs[k].key, in->sgs[j].key);
            rc |= own_shared(inv, &sgs[k].value, in->sgs[j].value);
            k += sgs[k].key.p != NULL;
        }
        if (rc != 0) {
            return CM_ENOMEM;
        }
        c->sgs = sgs;
        c->nsgs = (uint8_t)k;
    }
    if (c->service == INV_SVC_NONE) {
        c->service = in->service;
    }
    if (inst != INV_NONE) {
        bind_owner(inv, n, inst, in->since_ms, in->device);
    } else if (c->inst == INV_NONE && in->since_ms > c->since_ms) {
        c->since_ms = in->since_ms;
    }
    for (uint32_t j = 0; rc == 0 && j < in->naddrs; j++) {
        rc = bind_addr(inv, n, &in->addrs[j], INV_EXACT);
    }
    for (uint32_t j = 0; rc == 0 && j < in->npfx; j++) {
        unsigned plen = in->pfx_len[j];
        if (in->pfx[j].family == CM_IP_NONE ||
            plen > (in->pfx[j].family == CM_IP_V4 ? 32u : 128u)) {
            continue;
        }
        inv->pfx_seen[in->pfx[j].family == CM_IP_V4 ? 0 : 1][plen] = true;
        rc = bind_addr(inv, n, &in->pfx[j], plen);
    }
    return rc;
}

int inv_attach(struct cm_inventory *inv, struct cm_str eni, struct cm_str id, int32_t device,
               int64_t since_ms)
{
    uint32_t i, n;
    int rc = new_inst(inv, id, &i);

    rc = rc ? rc : new_nic(inv, eni, &n);
    if (rc != 0) {
        return rc;
    }
    bind_owner(inv, n, i, since_ms, device);
    return 0;
}

void inv_set_state(struct cm_inventory *inv, struct cm_str id, uint8_t state)
{
    uint32_t i = inv_find_inst(inv, id);

    if (i != INV_NONE) {
        merge_state(&inv->inst[i], state);
    }
}

const char *inv_service_name(uint8_t service)
{
    static const char *const names[] = {
        [INV_SVC_NONE] = "",
        [INV_SVC_NAT] = "NAT gateway",
        [INV_SVC_ELB] = "load balancer",
        [INV_SVC_LAMBDA] = "Lambda function",
        [INV_SVC_ENDPOINT] = "VPC endpoint",
        [INV_SVC_OTHER] = "AWS-managed interface",
    };

    return service < sizeof(names) / sizeof(names[0]) ? names[service] : "";
}
