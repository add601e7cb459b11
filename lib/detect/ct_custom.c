/*
 * The Custom Detection Rules detector (ct_custom.h; docs/detectors/custom-rules.md).
 *
 * Each CloudTrail management call is matched against the library
 * (cm_cr_match). A call an AWS service made for a principal (invokedBy, a
 * service name as sourceIPAddress, an AWSService identity: CloudFormation
 * deleting a stack's flow logs, Auto Scaling protecting instances) is no
 * signal. A match is then looked up in the modes: OFF drops it, DRY_RUN hands
 * the detection it would have made to the config's dry_run callback and emits
 * nothing, LIVE emits.
 *
 * Aggregation: signals of one caller (the AccessKey identity every CloudTrail
 * finding has: its access key, else its principal) that share tactic, service
 * and technique have one finding type, so the findings pipeline folds them
 * into one finding (count, first and last seen, the records as evidence).
 * What the pipeline cannot know is which rules fed it: the detector keeps, per
 * account, region, type and caller, each rule's count and first and last
 * time, and every detection's additionalInfo names them all; its severity is
 * the highest of their rules' (a LOW termination-protection signal and a HIGH
 * flow-log deletion make one HIGH finding).
 */
#include "detect/ct_custom.h"

#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "detect/ckpt.h"
#include "detect/ct.h"
#include "detect/detect_table.h"
#include "detect/state.h"

#define GROUPS_MAX (64 * 1024)
#define GROUP_TTL  (90LL * 24 * 3600 * 1000) /* a caller's signals are remembered 90 days */
#define KEY_MAX    512

#define CUSTOM_STATE_VERSION 1u /* bump when the layout save writes changes */

/* One rule's signals within a group. */
struct seen_rule {
    uint32_t count; /* 0: none yet */
    int64_t first_ms, last_ms;
};

/* The signals of one caller of one finding type. */
struct group {
    struct seen_rule r[CM_CR_COUNT];
};

static size_t put(char *out, size_t n, struct cm_str s)
{
    if (s.len > 0) { /* an absent member (a record with no awsRegion) is {NULL, 0} */
        memcpy(out + n, s.p, s.len);
    }
    out[n + s.len] = '\0';
    return n + s.len + 1;
}

/* "account\0region\0type\0caller" into out[KEY_MAX]; 0 when it does not fit. */
static size_t group_key(const struct cm_event *ev, const char *type, char *out)
{
    struct cm_str caller = cm_ct_actor_key(&ev->u.ct);
    struct cm_str t = cm_str_cstr(type);
    size_t n = 0;

    if (!cm_str_present(caller) ||
        ev->account.len + ev->region.len + t.len + caller.len + 4 > KEY_MAX) {
        return 0;
    }
    n = put(out, n, ev->account);
    n = put(out, n, ev->region);
    n = put(out, n, t);
    return put(out, n, caller);
}

/* The string value of member key of object obj, or CM_STR_NULL. */
static struct cm_str str_member(const struct cm_json_doc *d, uint32_t obj, const char *key)
{
    uint32_t n;

    if (d == NULL || obj == CM_JSON_NONE || cm_json_type(d, obj) != CM_JSON_OBJECT) {
        return CM_STR_NULL;
    }
    n = cm_json_get(d, obj, key);
    return n != CM_JSON_NONE && cm_json_type(d, n) == CM_JSON_STRING ? cm_json_raw(d, n)
                                                                     : CM_STR_NULL;
}

/*
 * What the call acted on, from its request: the instance, the database or
 * cluster, the first flow log, the account removed, the organization root (and
 * the policy type turned off); nothing for LeaveOrganization (the caller's own
 * account). The newest call's: a finding of several calls names the last.
 */
static void write_target(struct cm_jw *jw, const struct cm_ct *ct)
{
    static const char *const keys[] = {"instanceId", "dBInstanceIdentifier", "dBClusterIdentifier",
                                       "accountId", "rootId"};
    const struct cm_json_doc *d = ct->doc;
    uint32_t rp = ct->request_parameters, ids;
    struct cm_str s = CM_STR_NULL;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !cm_str_present(s); i++) {
        s = str_member(d, rp, keys[i]);
    }
    if (!cm_str_present(s) && d != NULL && rp != CM_JSON_NONE &&
        cm_json_type(d, rp) == CM_JSON_OBJECT) {
        /* DeleteFlowLogs: flowLogIds [...], or EC2's {"DeleteFlowLogsRequest": {"FlowLogId":
         * {"tag": 1, "content": "fl-..."}}} */
        ids = cm_json_get(d, rp, "flowLogIds");
        if (ids == CM_JSON_NONE) {
            ids = cm_json_path(d, rp, "DeleteFlowLogsRequest.FlowLogId");
        }
        if (ids != CM_JSON_NONE && cm_json_type(d, ids) == CM_JSON_ARRAY) {
            ids = cm_json_first(d, ids);
        }
        if (ids != CM_JSON_NONE && cm_json_type(d, ids) == CM_JSON_OBJECT) {
            s = str_member(d, ids, "content");
        } else if (ids != CM_JSON_NONE && cm_json_type(d, ids) == CM_JSON_STRING) {
            s = cm_json_raw(d, ids);
        }
    }
    if (cm_str_present(s) && s.len > 0 && s.len <= 256) {
        cm_jw_key(jw, "target");
        cm_jw_strn(jw, s.p, s.len);
    }
    s = str_member(d, rp, "policyType");
    if (cm_str_present(s) && s.len > 0 && s.len <= 64) {
        cm_jw_key(jw, "policyType");
        cm_jw_strn(jw, s.p, s.len);
    }
}

/*
 * additionalInfo of a detection of rule in mode: the type's tactic, service and
 * technique, the mode, the call's target, and every rule of the group g with
 * its count and times (g NULL: the one call of a dry run).
 */
static int write_info(struct cm_dtab *c, const struct cm_event *ev, int rule, enum cm_cr_mode mode,
                      const struct group *g)
{
    const struct cm_cr_rule_info *rs = cm_cr_rules(), *r = &rs[rule];
    struct cm_jw jw;

    cm_buf_reset(&c->info);
    cm_jw_init(&jw, &c->info);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "tactic");
    cm_jw_str(&jw, r->tactic);
    cm_jw_key(&jw, "service");
    cm_jw_str(&jw, r->service);
    cm_jw_key(&jw, "technique");
    cm_jw_str(&jw, r->technique);
    cm_jw_key(&jw, "mode");
    cm_jw_str(&jw, cm_cr_mode_name(mode));
    write_target(&jw, &ev->u.ct);
    cm_jw_key(&jw, "detectionRules");
    cm_jw_arr_begin(&jw);
    for (int i = 0; i < CM_CR_COUNT; i++) {
        const struct seen_rule *s = g != NULL ? &g->r[i] : NULL;
        if (g != NULL ? s->count == 0 : i != rule) {
            continue;
        }
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, rs[i].name);
        cm_jw_key(&jw, "severity");
        cm_jw_str(&jw, rs[i].level);
        cm_jw_key(&jw, "count");
        cm_jw_u64(&jw, s != NULL ? s->count : 1);
        cm_jw_key_time(&jw, "firstSeen", s != NULL ? s->first_ms : ev->time_ms);
        cm_jw_key_time(&jw, "lastSeen", s != NULL ? s->last_ms : ev->time_ms);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw);
}

/* Notes a LIVE signal of rule in its group; the group, or NULL (*rc says why). */
static struct group *note(struct cm_dtab *c, const struct cm_event *ev, int rule, int *rc)
{
    const struct cm_cr_rule_info *r = &cm_cr_rules()[rule];
    char key[KEY_MAX];
    size_t n = group_key(ev, r->type, key);
    struct group *g;
    struct seen_rule *s;

    *rc = 0;
    if (n == 0) {
        return NULL; /* no caller to group by: the finding still counts the call */
    }
    if ((g = cm_state_touch(c->table, key, n, ev->time_ms, NULL)) == NULL) {
        *rc = CM_ENOMEM;
        return NULL;
    }
    s = &g->r[rule];
    if (s->count == 0 || ev->time_ms < s->first_ms) {
        s->first_ms = ev->time_ms;
    }
    if (s->count == 0 || ev->time_ms > s->last_ms) {
        s->last_ms = ev->time_ms;
    }
    if (s->count < UINT32_MAX) {
        s->count++;
    }
    return g;
}

/* The highest severity of the rules g holds (rule's alone without g). */
static double group_severity(const struct group *g, int rule)
{
    const struct cm_cr_rule_info *rs = cm_cr_rules();
    double sev = rs[rule].severity;

    for (int i = 0; g != NULL && i < CM_CR_COUNT; i++) {
        if (g->r[i].count > 0 && rs[i].severity > sev) {
            sev = rs[i].severity;
        }
    }
    return sev;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct cm_dtab *c = state;
    const struct cm_ct *ct = &ev->u.ct;
    const struct cm_cr_config *cc = c->cfg != NULL ? c->cfg->custom_rules : NULL;
    const struct cm_cr_rule_info *r;
    enum cm_cr_mode mode;
    struct cm_detection d;
    struct group *g = NULL;
    int rule, rc;

    if ((rule = cm_cr_match(ct)) < 0 || !cm_ct_own_call(ct)) {
        return 0;
    }
    r = &cm_cr_rules()[rule];
    mode = cc != NULL ? cm_cr_mode_for(cc->settings, cc->nsettings, ev->account, rule) : CM_CR_LIVE;
    if (mode == CM_CR_OFF || (mode == CM_CR_DRY_RUN && (cc == NULL || cc->dry_run == NULL))) {
        return 0;
    }
    if (mode == CM_CR_LIVE && (g = note(c, ev, rule, &rc)) == NULL && rc != 0) {
        return rc;
    }
    cm_ct_detection(&d, ev, r->type);
    d.severity = group_severity(g, rule);
    if ((rc = write_info(c, ev, rule, mode, g)) != 0) {
        return rc;
    }
    d.info = cm_str_make(c->info.p, c->info.len);
    if (mode == CM_CR_DRY_RUN) {
        cc->dry_run(cc->ud, &d, r->name);
        return 0;
    }
    return cm_sink_emit(sink, &d);
}

/* A group read back from a file: each rule's times set when it has a count, in order. */
static bool group_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct group *g = val;

    (void)ud, (void)key;
    if (klen == 0 || klen > KEY_MAX) {
        return false;
    }
    for (int i = 0; i < CM_CR_COUNT; i++) {
        const struct seen_rule *s = &g->r[i];
        if (s->count > 0 && (!cm_ckpt_time_set(s->first_ms) || !cm_ckpt_time_set(s->last_ms) ||
                             s->first_ms > s->last_ms)) {
            return false;
        }
    }
    return true;
}

static const struct cm_state_codec group_codec = {.check = group_ok};

static int init(void **state, const struct cm_detect_opts *opts)
{
    static const struct cm_dtab_spec spec = {
        .val_size = sizeof(struct group),
        .max_entries = GROUPS_MAX,
        .ttl_ms = GROUP_TTL,
        .info_max = CM_DETECTION_MAX_INFO,
        .codec = &group_codec,
    };

    return cm_dtab_init(state, opts, &spec);
}

static const char *const types[] = {
    "CredentialAccess:EC2/UnsecuredCredentials",
    "CredentialAccess:RDS/ModifyAuthenticationProcess",
    "DefenseImpairment:EC2/DisableOrModifyTools",
    "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy",
    "DefenseImpairment:Organizations/DisableOrModifyTools",
    NULL,
};

const struct cm_detector cm_detector_ct_custom = {
    .name = "cloudtrail-custom-rules",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = cm_dtab_tick,
    .finish = cm_dtab_finish,
    .state_stats = cm_dtab_stats,
    .state_version = CUSTOM_STATE_VERSION,
    .save = cm_dtab_save,
    .load = cm_dtab_load,
};
