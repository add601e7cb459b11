/*
 * libFuzzer target for lib/inventory/: the input is read twice into one
 * small inventory (caps of 32 instances and 48 interfaces, so they fill):
 * as describe-instances JSON (cm_inventory_add_describe) and as a CloudTrail
 * file whose records go to cm_inventory_observe. Whatever it is: the
 * describe reader returns 0 or CM_EINVAL/CM_E2BIG/CM_ENOMEM, every bad
 * entry comes with a line inside the input and a reason, a rejected file
 * adds nothing, the counts stay under the caps; and findings about ids and
 * addresses the seeds use are enriched within the finding's limits, with
 * CM_ENOTFOUND leaving the finding as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "finding/finding.h"
#include "inventory/inventory.h"
#include "parse/parse.h"

#define MAX_INST 32
#define MAX_NICS 48

struct ctx {
    size_t lines; /* newlines in the input + 1 */
    size_t bad;
};

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct ctx *c = ud;

    check(line >= 1 && line <= c->lines);
    check(reason != NULL && reason[0] != '\0');
    c->bad++;
}

static int on_event(void *ud, struct cm_event *ev)
{
    return cm_inventory_observe(ud, ev);
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud, (void)kind, (void)off, (void)line, (void)reason;
}

static void set(struct cm_finding *f, struct cm_str *dst, const char *s)
{
    if (s != NULL) {
        check(cm_finding_setc(f, dst, s) == 0);
    }
}

static void enrich(const struct cm_inventory *inv, const char *id, const char *eni, const char *ip,
                   const char *vpc)
{
    struct cm_finding f;
    struct cm_str res, actor;
    const char *svc;
    int rc;

    cm_finding_init(&f);
    f.resource_type = CM_RES_INSTANCE;
    set(&f, &f.type, "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom");
    set(&f, &f.instance.instance_id, id);
    if (eni || ip || vpc) {
        f.instance.nnics = 1;
        set(&f, &f.instance.nics[0].eni_id, eni);
        set(&f, &f.instance.nics[0].private_ip, ip);
        set(&f, &f.instance.nics[0].vpc_id, vpc);
    }
    rc = cm_inventory_enrich(inv, &f);
    check(rc == 0 || rc == CM_ENOTFOUND);
    /* A service's interface (NAT gateway, ...), found by its ENI or address, names no instance. */
    if ((svc = cm_inventory_service(inv, &f)) != NULL) {
        check(svc[0] != '\0' && rc == 0 && id == NULL && (eni != NULL || ip != NULL));
        check(f.instance.instance_id.p == NULL);
    }
    check(f.instance.nnics <= CM_FINDING_MAX_NICS);
    check(f.instance.ntags <= CM_FINDING_MAX_TAGS);
    for (uint32_t i = 0; i < f.instance.nnics; i++) {
        check(f.instance.nics[i].nsgs <= CM_FINDING_MAX_SGS);
    }
    if (rc == CM_ENOTFOUND) {
        check((id == NULL) == (f.instance.instance_id.p == NULL));
        check(f.instance.ntags == 0 && f.instance.instance_type.p == NULL);
        check(f.instance.nnics == (eni || ip || vpc ? 1u : 0u));
    } else {
        check(cm_finding_identity(&f, &res, &actor) == 0 && res.p != NULL);
    }
    if (id != NULL) {
        check(cm_str_eqc(f.instance.instance_id, id)); /* never overwritten */
    }
    cm_finding_finish(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ids[] = {NULL, "i-01", "i-0dbc91f429e48eeed", "i-0a"};
    static const char *const enis[] = {NULL, "eni-01", "eni-076fa9fb98a2500a7", "eni-0a"};
    static const char *const ips[] = {NULL, "10.0.0.5", "10.0.1.10", "54.1.2.3"};
    static const char *const vpcs[] = {NULL, "vpc-1"};
    struct cm_inventory_limits lim = {MAX_INST, MAX_NICS};
    struct ctx c = {1, 0};
    struct cm_inventory_report rep = {on_bad, &c};
    struct cm_inventory_stats st;
    struct cm_inventory *inv;
    struct cm_json_doc doc;
    struct cm_parse_ctx pc;
    struct cm_diag diag;
    struct cm_str v;
    int rc;

    for (size_t i = 0; i < size; i++) {
        c.lines += data[i] == '\n';
    }
    check(cm_inventory_create(&inv, &lim, 0x1234) == 0);
    rc = cm_inventory_add_describe(inv, (const char *)data, size, &rep, &diag);
    check(rc == 0 || rc == CM_EINVAL || rc == CM_E2BIG || rc == CM_ENOMEM);
    cm_inventory_stats(inv, &st);
    if (rc != 0) {
        check(st.instances == 0 && st.nics == 0 && c.bad == 0 && st.skipped == 0);
        check(diag.msg[0] != '\0' && diag.line >= 1 && diag.line <= c.lines);
    } else {
        check(st.skipped == c.bad);
    }
    /* The same bytes as a CloudTrail file. */
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&pc, &doc);
    pc.on_event = on_event;
    pc.on_reject = on_reject;
    pc.ud = inv;
    rc = cm_parser_cloudtrail.parse(&pc, (const char *)data, size);
    check(rc == 0 || rc == CM_E2BIG);
    cm_json_doc_finish(&doc);
    cm_inventory_stats(inv, &st);
    check(st.instances <= MAX_INST && st.nics <= MAX_NICS);
    for (size_t a = 0; a < 4; a++) {
        for (size_t b = 0; b < 4; b++) {
            for (size_t k = 0; k < 4; k++) {
                enrich(inv, ids[a], enis[b], ips[k], vpcs[(a + b + k) % 2]);
            }
        }
        if (ids[a] != NULL && cm_inventory_tag(inv, cm_str_cstr(ids[a]), "Name", &v) == 0) {
            check(v.p != NULL);
        }
    }
    cm_inventory_destroy(inv);
    return 0;
}
