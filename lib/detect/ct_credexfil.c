/*
 * Credentials issued to an EC2 instance or a Lambda function, used from
 * somewhere else (issue #5; docs/detectors/cloudtrail.md has the rules):
 *
 *   UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS
 *   UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS
 *   UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS
 *
 * What is learned, each in a keyed table with a cap and a TTL:
 *
 *   homes    account/instance -> the instance's own public addresses: the
 *            first address each new key of the instance is seen at (unless
 *            a person's credentials used that address in the hour before),
 *            and AssociateAddress's publicIp. Two tables of HOMES_MAX: homes
 *            for instances whose credentials came from the instance
 *            metadata service (ec2RoleDelivery) or whose address
 *            AssociateAddress gave, named for those known only by a role
 *            session named like an instance id, which anyone allowed to
 *            assume a role can mint: those evict only each other.
 *   creds    account/access key -> what it was issued to (EC2 or Lambda, from
 *            the session or from the AssumeRole the service made) and, for
 *            Lambda, the addresses it was seen at from inside Lambda. Two
 *            tables of CREDS_MAX: creds for keys whose issue is proven (the
 *            service's AssumeRole, ec2RoleDelivery), guessed for those
 *            known only by a session name like an instance id or a Lambda
 *            user agent, which anyone allowed to assume a role can mint:
 *            those evict only each other.
 *   people   account/address -> when an IAM user, root, a federated or
 *            Identity Center user, or a console session last called from it
 *   expected account/address -> on how many distinct days it used the
 *            account's instance credentials while flagged; after
 *            exfil_expected_days (7) it is expected and stays quiet
 *   egress   account/address -> the account's own egress: when AllocateAddress
 *            gave the account the address (an Elastic IP), and the last
 *            EGRESS_INSTANCES instances whose credentials called from it,
 *            with when. An address the credentials of another instance of
 *            the account called from within EGRESS_WINDOW (a NAT gateway's
 *            Elastic IPs, which every instance behind it shares), or one of
 *            the account's Elastic IPs, is the instance's own too. Also
 *            account/endpoint id for VPC endpoints of other accounts (a
 *            network account's central endpoints), by the same rule; and to
 *            which instance AssociateAddress last gave an Elastic IP, or that
 *            DisassociateAddress took it from its instance.
 *   assoc    account/association id -> the Elastic IP AssociateAddress
 *            associated, so DisassociateAddress (which names only the
 *            association) says which address its instance lost.
 *
 * What AssumeRole, (Dis)AssociateAddress, AllocateAddress and Stop/StartInstances
 * teach, and the egress and home updates, are in ct_credexfil_learn.c; the
 * bounds and the tables' layout in ct_credexfil_impl.h.
 *
 * "Outside AWS" needs AWS's published ranges (config aws_ranges). Without
 * them every public address that is not the instance's own counts as outside.
 */
#include "detect/ct.h"

#include <stddef.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/ct_credexfil_impl.h"
#include "detect/state.h"
#include "inventory/inventory.h"
#include "intel/awsranges.h"

#define CREDEXFIL_STATE_VERSION 9u /* bump when the layout save writes changes */

/* Whether one of h's addresses is established (HOME_ESTABLISHED keys or an Elastic IP). */
static bool established(const struct home *h)
{
    for (uint32_t i = 0; h != NULL && i < h->n; i++) {
        if (h->keys[i] >= HOME_ESTABLISHED) {
            return true;
        }
    }
    return false;
}

static int make_state(struct cm_state **out, size_t val, size_t max, int64_t ttl, uint64_t seed)
{
    struct cm_state_opts so = {.val_size = val, .max_entries = max, .ttl_ms = ttl, .seed = seed};

    return cm_state_create(out, &so);
}

static void finish(void *state)
{
    struct exfil *x = state;

    if (x == NULL) {
        return;
    }
    cm_state_destroy(x->homes);
    cm_state_destroy(x->named);
    cm_state_destroy(x->creds);
    cm_state_destroy(x->guessed);
    cm_state_destroy(x->people);
    cm_state_destroy(x->expected);
    cm_state_destroy(x->egress);
    cm_state_destroy(x->assoc);
    cm_free(x);
}

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct exfil *x = cm_calloc(1, sizeof(*x));
    uint64_t seed = opts ? opts->seed : 0;
    size_t homes_max, creds_max;
    int rc;

    if (x == NULL) {
        return CM_ENOMEM;
    }
    x->cfg = opts ? opts->config : NULL;
    x->expected_days = x->cfg && x->cfg->ct.exfil_expected_days ? x->cfg->ct.exfil_expected_days
                                                                : CM_CT_EXFIL_EXPECTED_DAYS;
    homes_max = x->cfg && x->cfg->ct.exfil_homes_max ? x->cfg->ct.exfil_homes_max : HOMES_MAX;
    rc = make_state(&x->homes, sizeof(struct home), homes_max, HOME_TTL, seed);
    rc = rc ? rc : make_state(&x->named, sizeof(struct home), homes_max, HOME_TTL, seed ^ 5);
    creds_max = x->cfg && x->cfg->ct.exfil_creds_max ? x->cfg->ct.exfil_creds_max : CREDS_MAX;
    rc = rc ? rc : make_state(&x->creds, sizeof(struct cred), creds_max, CREDS_TTL, seed ^ 1);
    rc = rc ? rc : make_state(&x->guessed, sizeof(struct cred), creds_max, CREDS_TTL, seed ^ 6);
    rc = rc ? rc : make_state(&x->people, 1, PEOPLE_MAX, PEOPLE_TTL, seed ^ 2);
    rc = rc ? rc
            : make_state(&x->expected, sizeof(struct seen_days), EXPECTED_MAX, EXPECTED_TTL,
                         seed ^ 3);
    rc = rc ? rc : make_state(&x->egress, sizeof(struct egress), EGRESS_MAX, EGRESS_TTL, seed ^ 4);
    rc = rc ? rc : make_state(&x->assoc, sizeof(struct cm_ip), ASSOC_MAX, ASSOC_TTL, seed ^ 7);
    if (rc != 0) {
        finish(x);
        return rc;
    }
    *state = x;
    return 0;
}

static int tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct exfil *x = state;

    (void)sink;
    cm_state_expire(x->homes, watermark_ms, NULL, NULL);
    cm_state_expire(x->named, watermark_ms, NULL, NULL);
    cm_state_expire(x->creds, watermark_ms, NULL, NULL);
    cm_state_expire(x->guessed, watermark_ms, NULL, NULL);
    cm_state_expire(x->people, watermark_ms, NULL, NULL);
    cm_state_expire(x->expected, watermark_ms, NULL, NULL);
    cm_state_expire(x->egress, watermark_ms, NULL, NULL);
    cm_state_expire(x->assoc, watermark_ms, NULL, NULL);
    return 0;
}

/* The credentials' account: the identity's, else the recipient's (whose trail logged it). */
static struct cm_str cred_account(const struct cm_event *ev)
{
    struct cm_str a = ev->u.ct.uid.account_id;

    return cm_str_present(a) && a.len > 0 ? a : ev->account;
}

/* A person's credentials (not a workload's): remember the address they called from. */
static bool is_person(const struct cm_ct *ct)
{
    switch (ct->uid.type) {
    case CM_UID_IAMUSER:
    case CM_UID_ROOT:
    case CM_UID_FEDERATEDUSER:
    case CM_UID_IDENTITYCENTERUSER:
        return true;
    case CM_UID_ASSUMEDROLE:
        return cm_str_eqc(ct->session_credential_from_console, "true");
    default:
        return false;
    }
}

/*
 * Whether a user agent says it runs inside Lambda ("exec-env/AWS_Lambda_..."):
 * read for every role call, so it looks only at the few '/' of the string.
 */
static bool lambda_agent(struct cm_str ua)
{
    static const char before[] = "exec-env", after[] = "AWS_Lambda";
    const char *p = ua.p, *end = ua.p + ua.len, *slash;

    if (!cm_str_present(ua)) {
        return false;
    }
    while ((slash = memchr(p, '/', (size_t)(end - p))) != NULL) {
        if (slash - ua.p >= (ptrdiff_t)(sizeof(before) - 1) &&
            end - slash > (ptrdiff_t)(sizeof(after) - 1) &&
            memcmp(slash + 1, after, sizeof(after) - 1) == 0 &&
            memcmp(slash - (sizeof(before) - 1), before, sizeof(before) - 1) == 0) {
            return true;
        }
        p = slash + 1;
    }
    return false;
}

/* ---- judging a use ----------------------------------------------------------------------- */

/* Whether the address has become expected; counts today when not. */
static int expected_host(struct exfil *x, struct cm_str account, const struct cm_ip *ip, int64_t t,
                         bool *expected)
{
    char key[KEY_MAX];
    size_t n = cm_ct_credexfil_addr_key(account, ip, key);
    struct seen_days *s;
    int64_t day = t / DAY_MS;

    *expected = false;
    if (n == 0) {
        return 0;
    }
    if ((s = cm_state_touch(x->expected, key, n, t, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    if (s->days == 0 || day > s->last_day) {
        s->days++;
        s->last_day = day;
    }
    *expected = s->days > x->expected_days;
    return 0;
}

static int fire(struct exfil *x, const struct cm_event *ev, const char *type,
                struct cm_str remote_account, struct cm_sink *sink)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_detection d;
    struct cm_str owner;
    bool expected = false;
    int rc;

    if (ct->source_ip.family != CM_IP_NONE &&
        (rc = expected_host(x, ev->account, &ct->source_ip, ev->time_ms, &expected)) != 0) {
        return rc;
    }
    if (expected) {
        return 0;
    }
    cm_ct_detection(&d, ev, type);
    d.remote_account = remote_account;
    /*
     * An address inside AWS that the inventory gives to an instance of another
     * account: that account is the caller's (remoteAccountDetails.accountId), and
     * one the operator loaded the inventory of is one of theirs, affiliated, which
     * GuardDuty reports at Medium (spec 1.3.3 #21): an organisation's own instance
     * using a sibling account's keys, not a stranger's host.
     */
    if (!cm_str_present(remote_account) && strstr(type, ".InsideAWS") != NULL && x->cfg != NULL &&
        ct->source_ip.family != CM_IP_NONE &&
        cm_inventory_addr_owner(x->cfg->inventory, &ct->source_ip, &owner) == 0 &&
        !cm_str_eq(owner, cred_account(ev))) {
        d.remote_account = owner;
        d.remote_affiliated = true;
        d.severity = 5.0;
    }
    return cm_sink_emit(sink, &d);
}

/*
 * An instance's credentials used from an egress just noted (an address, or the event's VPC
 * endpoint), reported: the egress is marked so it does not vouch for other instances.
 */
static int report(struct exfil *x, const struct cm_event *ev, const char *type,
                  struct cm_str remote_account, uint64_t inst, struct cm_sink *sink)
{
    cm_ct_credexfil_flag_use(x, ev->account, &ev->u.ct.source_ip, ev->u.ct.vpc_endpoint_id, inst);
    return fire(x, ev, type, remote_account, sink);
}

static bool person_used(struct exfil *x, struct cm_str account, const struct cm_ip *ip)
{
    char key[KEY_MAX];
    size_t n = cm_ct_credexfil_addr_key(account, ip, key);

    return n > 0 && cm_state_get(x->people, key, n) != NULL;
}

static int instance_use(struct exfil *x, const struct cm_event *ev, struct cm_str instance,
                        struct cred *c, struct cm_sink *sink)
{
    static const char outside[] = "UnauthorizedAccess:IAMUser/"
                                  "InstanceCredentialExfiltration.OutsideAWS";
    static const char inside[] = "UnauthorizedAccess:IAMUser/"
                                 "InstanceCredentialExfiltration.InsideAWS";
    const struct cm_ct *ct = &ev->u.ct;
    const struct cm_awsranges *ranges = x->cfg ? x->cfg->aws_ranges : NULL;
    struct cm_str account = ev->account; /* state is per logging account: one shard's */
    const struct cm_ip *ip = &ct->source_ip;
    char key[KEY_MAX];
    size_t n;
    struct home *h;
    bool first, in_aws, shared;
    bool proven = cm_str_present(ct->uid.ec2_role_delivery) && ct->uid.ec2_role_delivery.len > 0;
    uint64_t inst = cm_hash64(instance.p, instance.len, 0) | 1u;
    int rc;

    /*
     * Through a VPC endpoint: expected when it is the account's own, or one of another
     * account that the instance's VPC reaches (a network account's central endpoints,
     * shared through a transit gateway): the call came from one of the instance's own
     * addresses by the inventory, or another instance of the account called through the
     * endpoint within the egress window.
     */
    if (cm_str_present(ct->vpc_endpoint_id) && ct->vpc_endpoint_id.len > 0) {
        struct cm_str owner = ct->vpc_endpoint_account_id;
        if (cm_str_present(owner) && owner.len > 0 && !cm_str_eq(owner, cred_account(ev))) {
            if ((rc = cm_ct_credexfil_note_endpoint(x, account, ct->vpc_endpoint_id, ip, inst,
                                                    ev->time_ms, &shared)) != 0) {
                return rc;
            }
            if (shared || (x->cfg != NULL && ip->family != CM_IP_NONE &&
                           cm_inventory_owns(x->cfg->inventory, instance, ip))) {
                return 0;
            }
            return report(x, ev, inside, owner, inst, sink);
        }
        return 0;
    }
    if (!cm_ip_is_public(ip)) {
        return 0; /* a private address without an endpoint: inside the VPC */
    }
    /* The key's first public address is judged below; private ones do not count. */
    first = !c->seen;
    c->seen = true;
    if ((rc = cm_ct_credexfil_note_egress(x, account, ip, inst, ev->time_ms, &shared)) != 0) {
        return rc;
    }
    /*
     * One of the instance's own addresses by the inventory (describe-instances,
     * RunInstances and the interface calls): its public IPv4 or Elastic IP, or an
     * IPv6 address of its interfaces, which a dual-stack instance calls from
     * directly while its IPv4 calls leave through a NAT gateway.
     */
    if (x->cfg != NULL && cm_inventory_owns(x->cfg->inventory, instance, ip)) {
        /*
         * Its public IPv4 address is where its IPv4 calls leave: the instance's
         * established home, so a thief's address is judged against it. Before
         * 2026-12-04 it never became a home: the instance looked homeless and a
         * thief's first address inside AWS (any outside, without ranges) was
         * learned as its own. An IPv6 address is not one (a dual-stack
         * instance's IPv4 calls leave through a NAT gateway).
         */
        if (first && ip->family == CM_IP_V4) {
            return cm_ct_credexfil_add_home(x, account, instance, ip, ev->time_ms, HOME_ESTABLISHED,
                                            proven);
        }
        return 0;
    }
    in_aws = ranges != NULL && cm_awsranges_lookup(ranges, ip, NULL);
    if (ranges != NULL && !in_aws) {
        return report(x, ev, outside, CM_STR_NULL, inst, sink);
    }
    n = cm_ct_credexfil_make_key(account, instance.p, instance.len, key);
    h = n ? cm_ct_credexfil_home_get(x, key, n) : NULL;
    for (uint32_t i = 0; h != NULL && i < h->n; i++) {
        if (cm_ct_credexfil_same_ip(&h->addr[i], ip)) {
            if (first && h->keys[i] < UINT8_MAX) {
                h->keys[i]++; /* another of its keys began here */
            }
            return 0;
        }
    }
    if (shared) {
        /* The account's egress (its Elastic IP, its other instances' NAT): this
         * instance's own too, so an instance only ever seen behind a NAT has an
         * address, and a thief's host is judged against it. */
        return cm_ct_credexfil_add_home(x, account, instance, ip, ev->time_ms, 1, proven);
    }
    if ((first && !established(h)) || h == NULL || h->n == 0) {
        /*
         * A new key's first address is the instance's own while the instance has no
         * established one, unless a person called from it just before (a
         * workstation, an attacker's host); inside AWS that is ambiguous (a person on
         * an instance) and kept. Once two of its keys began at one address, a new
         * key's first use elsewhere is judged like any other: a thief who uses a fresh
         * key before the instance does, or whose instance's own calls the trail does
         * not log (no data events), is not taken for the instance. An instance with no
         * address at all (stopped and started since: forget_homes) learns the next one
         * whatever key calls from it.
         */
        if (!person_used(x, account, ip) || in_aws) {
            return cm_ct_credexfil_add_home(x, account, instance, ip, ev->time_ms, 1, proven);
        }
        return report(x, ev, outside, CM_STR_NULL, inst, sink);
    }
    /*
     * Its Elastic IP went to another instance (AssociateAddress with allowReassociation:
     * a blue/green swap): AWS gave this one a new public address, which it learns as
     * after a stop and start. Before 2026-12-05 the old instance's every call while it
     * drained was reported (a 3-day estate: one High finding of 48 calls).
     */
    if (cm_ct_credexfil_lost_address(x, account, h, inst)) {
        cm_state_del(x->homes, key, n);
        cm_state_del(x->named, key, n);
        return cm_ct_credexfil_add_home(x, account, instance, ip, ev->time_ms, 1, proven);
    }
    return report(x, ev, in_aws ? inside : outside, CM_STR_NULL, inst, sink);
}

static int lambda_use(struct exfil *x, const struct cm_event *ev, struct cred *c, bool from_lambda,
                      struct cm_sink *sink)
{
    const struct cm_ct *ct = &ev->u.ct;
    const struct cm_awsranges *ranges = x->cfg ? x->cfg->aws_ranges : NULL;
    const struct cm_ip *ip = &ct->source_ip;

    if (!cm_ip_is_public(ip)) {
        return 0;
    }
    if (from_lambda) {
        /*
         * A thief who exports the function's whole environment (AWS_EXECUTION_ENV
         * too) sends the Lambda user agent from their own host. With AWS's ranges,
         * such a call from outside them, with a key seen inside them before, is
         * not the function's: a function whose every call leaves through an
         * on-premises address is never seen inside AWS, and is not judged.
         */
        if (ranges != NULL && !cm_awsranges_lookup(ranges, ip, NULL)) {
            /* nlambda counts every address ever added; the ring keeps the last LAMBDA_ADDRS. */
            for (uint32_t i = 0; i < c->nlambda && i < LAMBDA_ADDRS; i++) {
                if (cm_awsranges_lookup(ranges, &c->lambda_addr[i], NULL)) {
                    return fire(
                        x, ev,
                        "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS",
                        CM_STR_NULL, sink);
                }
            }
        }
        for (uint32_t i = 0; i < c->nlambda && i < LAMBDA_ADDRS; i++) {
            if (cm_ct_credexfil_same_ip(&c->lambda_addr[i], ip)) {
                return 0;
            }
        }
        c->lambda_addr[c->nlambda % LAMBDA_ADDRS] = *ip;
        c->nlambda++;
        return 0;
    }
    if (ranges != NULL) {
        if (cm_awsranges_lookup(ranges, ip, NULL)) {
            return 0;
        }
    } else {
        uint32_t k = c->nlambda < LAMBDA_ADDRS ? c->nlambda : LAMBDA_ADDRS;
        if (k == 0) {
            return 0; /* never seen inside Lambda: nothing to compare with */
        }
        for (uint32_t i = 0; i < k; i++) {
            if (cm_ct_credexfil_same_ip(&c->lambda_addr[i], ip)) {
                return 0;
            }
        }
    }
    return fire(x, ev, "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS",
                CM_STR_NULL, sink);
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct exfil *x = state;
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str key = ct->uid.access_key_id, session;
    bool from_lambda, ec2, delivered;
    struct cred *c;
    char k[KEY_MAX];
    size_t klen;

    if (cm_str_eqc(ct->event_name, "AssumeRole")) {
        return cm_ct_credexfil_learn_assume_role(x, ev);
    }
    if (cm_str_eqc(ct->event_name, "AssociateAddress")) {
        return cm_ct_credexfil_learn_address(x, ev);
    }
    if (cm_str_eqc(ct->event_name, "DisassociateAddress")) {
        return cm_ct_credexfil_learn_disassociation(x, ev);
    }
    if (cm_str_eqc(ct->event_name, "AllocateAddress")) {
        return cm_ct_credexfil_learn_allocation(x, ev);
    }
    if (cm_str_eqc(ct->event_name, "StopInstances") ||
        cm_str_eqc(ct->event_name, "StartInstances")) {
        return cm_ct_credexfil_forget_homes(x, ev);
    }
    if (ct->source_ip.family == CM_IP_NONE ||
        (cm_str_present(ct->uid.invoked_by) && ct->uid.invoked_by.len > 0)) {
        return 0; /* an AWS service acting with the credentials */
    }
    /*
     * A request made with a presigned URL (S3 logs additionalEventData.AuthenticationMethod
     * "QueryString"): its caller holds a URL the credentials signed, not the credentials.
     * An application on an instance or in a function hands such download links to browsers
     * anywhere, and GuardDuty raises no credential exfiltration for them (presigned
     * requests are a known way around its finding). Not judged, not learned.
     */
    if (cm_str_eqc(cm_ct_member(ct, ct->additional_event_data, "AuthenticationMethod"),
                   "QueryString")) {
        return 0;
    }
    if (is_person(ct)) {
        size_t n = cm_ip_is_public(&ct->source_ip)
                       ? cm_ct_credexfil_addr_key(ev->account, &ct->source_ip, k)
                       : 0;
        if (n > 0 && cm_state_touch(x->people, k, n, ev->time_ms, NULL) == NULL) {
            return CM_ENOMEM;
        }
        return 0;
    }
    /*
     * Per logging account, as every table here: the account's shard holds it, so
     * what one account's trail taught never depends on which accounts share a shard.
     */
    if (ct->uid.type != CM_UID_ASSUMEDROLE || !cm_str_present(key) || key.len == 0 ||
        (klen = cm_ct_credexfil_make_key(ev->account, key.p, key.len, k)) == 0) {
        return 0;
    }
    session = cm_ct_session_name(&ct->uid);
    delivered = cm_str_present(ct->uid.ec2_role_delivery) && ct->uid.ec2_role_delivery.len > 0;
    ec2 = delivered || cm_ct_credexfil_is_instance_id(session);
    /* An instance's calls never need the user-agent scan: most role calls are theirs. */
    from_lambda = !ec2 && lambda_agent(ct->user_agent);
    if (ec2 || from_lambda) {
        c = cm_ct_credexfil_cred_touch(x, k, klen, ev->time_ms, delivered);
    } else if ((c = cm_state_get(x->creds, k, klen)) == NULL) {
        c = cm_state_get(x->guessed, k, klen);
    }
    if (c == NULL) {
        return ec2 || from_lambda ? CM_ENOMEM : 0;
    }
    if (c->kind == CRED_UNKNOWN) {
        c->kind = (uint8_t)(ec2 ? CRED_EC2 : CRED_LAMBDA);
    }
    if (c->kind == CRED_EC2 && cm_ct_credexfil_is_instance_id(session)) {
        return instance_use(x, ev, session, c, sink);
    }
    if (c->kind == CRED_LAMBDA) {
        return lambda_use(x, ev, c, from_lambda, sink);
    }
    return 0;
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct exfil *x = state;

    cm_state_stats_add(sum, x->homes);
    cm_state_stats_add(sum, x->named);
    cm_state_stats_add(sum, x->creds);
    cm_state_stats_add(sum, x->guessed);
    cm_state_stats_add(sum, x->people);
    cm_state_stats_add(sum, x->expected);
    cm_state_stats_add(sum, x->egress);
    cm_state_stats_add(sum, x->assoc);
}

/* ---- checkpoints ------------------------------------------------------------------- */

/* An address the detector keeps: always a public one, so IPv4 or IPv6. */
static bool kept_ip_ok(const struct cm_ip *ip)
{
    return ip->family == CM_IP_V4 || ip->family == CM_IP_V6;
}

/* An instance's addresses read back from a file: the count bounds the loops, next indexes. */
static bool home_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct home *h = val;

    (void)ud, (void)key, (void)klen;
    if (h->n > HOME_ADDRS || h->next >= HOME_ADDRS) {
        return false;
    }
    for (uint32_t i = 0; i < h->n; i++) {
        if (!kept_ip_ok(&h->addr[i])) {
            return false;
        }
    }
    return true;
}

/* A credential read back from a file: a known kind, a bool, the Lambda addresses it kept. */
static bool cred_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct cred *c = val;
    uint32_t k = c->nlambda < LAMBDA_ADDRS ? c->nlambda : LAMBDA_ADDRS;

    (void)ud, (void)key, (void)klen;
    if (c->kind > CRED_LAMBDA || !cm_ckpt_bool_ok(&c->seen)) {
        return false;
    }
    for (uint32_t i = 0; i < k; i++) {
        if (!kept_ip_ok(&c->lambda_addr[i])) {
            return false;
        }
    }
    return true;
}

/*
 * The tables in a fixed order (errors are sticky: the last call returns the
 * first). people is a set of keys (one zeroed byte each); expected holds a
 * day and a count, egress hashes and times (loops are bounded by the array): any
 * value of these is safe.
 */
static const struct cm_state_codec home_codec = {.check = home_ok};
static const struct cm_state_codec cred_codec = {.check = cred_ok};
static const struct cm_state_codec people_codec = {.check = cm_ckpt_unit_ok};

/* An association's Elastic IP read back from a file: a public address, as kept. */
static bool assoc_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    (void)ud, (void)key, (void)klen;
    return kept_ip_ok(val);
}

static const struct cm_state_codec assoc_codec = {.check = assoc_ok};

static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct exfil *x = state;

    cm_state_save(x->homes, w, &home_codec);
    cm_state_save(x->named, w, &home_codec);
    cm_state_save(x->creds, w, &cred_codec);
    cm_state_save(x->guessed, w, &cred_codec);
    cm_state_save(x->people, w, &people_codec);
    cm_state_save(x->expected, w, NULL);
    cm_state_save(x->egress, w, NULL);
    return cm_state_save(x->assoc, w, &assoc_codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    struct exfil *x = state;

    cm_state_load(x->homes, r, &home_codec);
    cm_state_load(x->named, r, &home_codec);
    cm_state_load(x->creds, r, &cred_codec);
    cm_state_load(x->guessed, r, &cred_codec);
    cm_state_load(x->people, r, &people_codec);
    cm_state_load(x->expected, r, NULL);
    cm_state_load(x->egress, r, NULL);
    return cm_state_load(x->assoc, r, &assoc_codec);
}

static const char *const types[] = {
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS",
    "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS",
    NULL,
};

const struct cm_detector cm_detector_ct_credexfil = {
    .name = "cloudtrail-credential-exfiltration",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = CREDEXFIL_STATE_VERSION,
    .save = save,
    .load = load,
};
