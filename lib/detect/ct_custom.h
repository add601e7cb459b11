/*
 * GuardDuty's Custom Detection Rules over CloudTrail management events
 * (docs/detectors/custom-rules.md): a const library of rules, each one call
 * (an event source, event names and a condition on its parameters, response
 * or outcome) mapped to a tactic, service and technique, whose finding type
 * is "Tactic:Service/Technique", and a severity. Each rule runs per account
 * in one of three modes: LIVE (findings), DRY_RUN (what would have fired is
 * reported, no finding) or OFF.
 *
 *   ct_custom_rules.c  the rule table and its conditions (pure)
 *   ct_custom_modes.c  the modes: "[ACCOUNT:]RULE=MODE" settings and which applies
 *   ct_custom.c        the detector: modes, service-invoked calls, aggregation
 */
#ifndef CM_DETECT_CT_CUSTOM_H
#define CM_DETECT_CT_CUSTOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "detect/detect.h"
#include "event/event.h"
#include "event/finding.h"

/* ---- ct_custom_rules.c: the library ------------------------------------------------------- */

enum cm_cr_rule {
    CM_CR_EC2_PASSWORD_DATA = 0, /* EC2PasswordDataRetrieved */
    CM_CR_RDS_MASTER_PASSWORD,   /* RDSMasterPasswordReset */
    CM_CR_EC2_TERMINATION_LOCK,  /* EC2TerminationProtectionEnabled */
    CM_CR_VPC_FLOW_LOGS_DELETED, /* VPCFlowLogsDeleted */
    CM_CR_ORG_LEAVE,             /* OrganizationLeaveAttempt */
    CM_CR_ORG_POLICY_DISABLED,   /* OrganizationPolicyDisabled */
    CM_CR_COUNT,
};

/* The most event names one rule matches. */
#define CM_CR_MAX_EVENTS 3

struct cm_cr_rule_info {
    const char *name;                         /* "EC2PasswordDataRetrieved" */
    const char *source;                       /* eventSource: "ec2.amazonaws.com" */
    const char *events[CM_CR_MAX_EVENTS];     /* eventNames, NULL-padded */
    bool attempts;                            /* a failed call (errorCode) counts too */
    bool (*cond)(const struct cm_ct *ct);     /* NULL: the call alone */
    const char *tactic, *service, *technique; /* the finding type's three parts */
    const char *type;                         /* "Tactic:Service/Technique" */
    double severity;                          /* 2 LOW, 5 MEDIUM, 8 HIGH */
    const char *level;                        /* "LOW", "MEDIUM", "HIGH" */
};

/* The library, in enum cm_cr_rule order: out[0..CM_CR_COUNT). */
const struct cm_cr_rule_info *cm_cr_rules(void);

/* The rule named name (case-sensitive, as GuardDuty spells it); -1 when none. */
int cm_cr_find(struct cm_str name);

/*
 * The rule CloudTrail call ct triggers: its index, or -1 when it triggers none.
 * Looks at the event source, name, outcome and the rule's condition only: who
 * made the call (a service acting for a principal) is the detector's business.
 */
int cm_cr_match(const struct cm_ct *ct);

/* ---- ct_custom_modes.c: LIVE, DRY_RUN, OFF per rule and account ------------------------------ */

enum cm_cr_mode { CM_CR_LIVE = 0, CM_CR_DRY_RUN, CM_CR_OFF, CM_CR_MODE_COUNT };

/* "LIVE", "DRY_RUN", "OFF". */
const char *cm_cr_mode_name(enum cm_cr_mode m);

#define CM_CR_ALL_RULES (-1)

/* One setting: a mode for one rule or all (CM_CR_ALL_RULES), in one account or all (""). */
struct cm_cr_setting {
    char account[13]; /* 12 digits, NUL-terminated; "": every account */
    int8_t rule;      /* enum cm_cr_rule, or CM_CR_ALL_RULES */
    uint8_t mode;     /* enum cm_cr_mode */
};

/*
 * Parses "[ACCOUNT:]RULE=MODE": ACCOUNT 12 digits (or "*", every account), RULE a
 * rule's name or "*" (every rule), MODE LIVE, DRY_RUN or OFF (any case). Returns 0,
 * or CM_EINVAL with *why (a constant) saying what is wrong.
 */
int cm_cr_setting_parse(struct cm_str spec, struct cm_cr_setting *out, const char **why);

/*
 * The mode of rule in account under settings v[0..n): the most specific setting
 * wins (account and rule, then account and every rule, then every account and the
 * rule, then every account and every rule), the last given among equals; none: LIVE.
 */
enum cm_cr_mode cm_cr_mode_for(const struct cm_cr_setting *v, size_t n, struct cm_str account,
                               int rule);

/* ---- ct_custom.c: the detector ---------------------------------------------------------- */

/*
 * What the detector is told (struct cm_detect_config.custom_rules; NULL: every
 * rule LIVE, dry runs unreported). dry_run sees each detection a DRY_RUN rule
 * would have made (borrowed for the call) with the rule's name; it is called from
 * the engine's thread(s), so what it keeps is the caller's to lock.
 */
struct cm_cr_config {
    const struct cm_cr_setting *settings;
    size_t nsettings;
    void (*dry_run)(void *ud, const struct cm_detection *d, const char *rule);
    void *ud;
};

extern const struct cm_detector cm_detector_ct_custom;

#endif
