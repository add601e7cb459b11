/*
 * Stealth:IAMUser/PasswordPolicyChange (issue #5): the account password
 * policy was weakened or deleted. The detector remembers, per account, the
 * last policy a successful UpdateAccountPasswordPolicy set (IAM's no-policy
 * defaults after a successful delete, and before anything was seen), and
 * scores each update or delete against it with cm_pwpolicy_weakening():
 * the severity grows with how much weaker the new policy is. Denied attempts
 * are findings too (GuardDuty reports attempts) but change nothing that is
 * remembered. additionalInfo carries oldPolicy and newPolicy.
 * docs/detectors/cloudtrail.md has the scoring table.
 */
#include "detect/ct.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/detect_table.h"
#include "detect/state.h"

#define ACCOUNTS_MAX (64 * 1024)
#define POLICY_TTL   (400LL * 24 * 3600 * 1000) /* a policy is remembered a year+ */

#define PASSWORD_STATE_VERSION 1u /* bump when the layout save writes changes */

struct known {
    struct cm_pwpolicy p;
};

/* {"oldPolicy": {...}, "newPolicy": {...}} into w->info; NULL policies are {}. */
static int write_info(struct cm_dtab *w, const struct cm_pwpolicy *old,
                      const struct cm_pwpolicy *new_)
{
    struct cm_jw jw;

    cm_buf_reset(&w->info);
    cm_jw_init(&jw, &w->info);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "oldPolicy");
    cm_pwpolicy_json(old, &jw);
    cm_jw_key(&jw, "newPolicy");
    cm_pwpolicy_json(new_, &jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw);
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct cm_dtab *w = state;
    const struct cm_ct *ct = &ev->u.ct;
    bool update, ok = cm_ct_ok(ct);
    struct cm_pwpolicy none, new_;
    struct known *k;
    const struct cm_pwpolicy *old;
    struct cm_detection d;
    int points, rc;

    if (!cm_str_eqc(ct->event_source, "iam.amazonaws.com")) {
        return 0;
    }
    update = cm_str_eqc(ct->event_name, "UpdateAccountPasswordPolicy");
    if (!update && !cm_str_eqc(ct->event_name, "DeleteAccountPasswordPolicy")) {
        return 0;
    }
    cm_pwpolicy_none(&none);
    k = cm_state_get(w->table, ev->account.p, ev->account.len);
    old = k ? &k->p : NULL;
    if (update) {
        /* A value out of range keeps its default; the rest of the request still counts. */
        (void)cm_pwpolicy_from_request(ct->doc, ct->request_parameters, &new_);
        points = cm_pwpolicy_weakening(old ? old : &none, &new_);
    } else {
        new_ = none;
        /* A delete succeeds only when a policy was set: unknown, it is at least a change. */
        points = old ? cm_pwpolicy_weakening(old, &none) : 1;
    }
    if (points > 0) {
        cm_ct_detection(&d, ev, "Stealth:IAMUser/PasswordPolicyChange");
        d.severity = cm_pwpolicy_severity(points);
        if ((rc = write_info(w, old, update ? &new_ : NULL)) != 0) {
            return rc;
        }
        d.info = cm_str_make(w->info.p, w->info.len);
        if ((rc = cm_sink_emit(sink, &d)) != 0) {
            return rc;
        }
    }
    if (ok) {
        k = cm_state_touch(w->table, ev->account.p, ev->account.len, ev->time_ms, NULL);
        if (k == NULL) {
            return CM_ENOMEM;
        }
        k->p = new_;
    }
    return 0;
}

/*
 * A remembered policy read back from a file: its flags must be bools. Its
 * numbers need no check: cm_pwpolicy_weakening() compares them in 64 bits
 * and the JSON writes any int32.
 */
static bool known_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct cm_pwpolicy *p = &((const struct known *)val)->p;

    (void)ud, (void)key, (void)klen;
    return cm_ckpt_bool_ok(&p->symbols) && cm_ckpt_bool_ok(&p->numbers) &&
           cm_ckpt_bool_ok(&p->upper) && cm_ckpt_bool_ok(&p->lower) &&
           cm_ckpt_bool_ok(&p->allow_change) && cm_ckpt_bool_ok(&p->hard_expiry);
}

static const struct cm_state_codec known_codec = {.check = known_ok};

static int init(void **state, const struct cm_detect_opts *opts)
{
    static const struct cm_dtab_spec spec = {
        .val_size = sizeof(struct known),
        .max_entries = ACCOUNTS_MAX,
        .ttl_ms = POLICY_TTL,
        .info_max = 0,
        .codec = &known_codec,
    };

    return cm_dtab_init(state, opts, &spec);
}

static const char *const types[] = {
    "Stealth:IAMUser/PasswordPolicyChange",
    NULL,
};

const struct cm_detector cm_detector_ct_password = {
    .name = "cloudtrail-password-policy",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = cm_dtab_tick,
    .finish = cm_dtab_finish,
    .state_stats = cm_dtab_stats,
    .state_version = PASSWORD_STATE_VERSION,
    .save = cm_dtab_save,
    .load = cm_dtab_load,
};
