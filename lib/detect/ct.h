/*
 * CloudTrail detectors (issue #5): the GuardDuty finding types of CloudTrail
 * management and S3 data events that are rules over one event or small
 * learned state, not behavioural baselines. Each family is a detector in its
 * own file; docs/detectors/cloudtrail.md gives every trigger, near miss and
 * default.
 *
 *   ct_rules.c      root credential use, CloudTrail / Bedrock / S3 access
 *                   logging turned off, S3 Block Public Access turned off,
 *                   buckets opened to everyone, penetration-testing distros
 *   ct_password.c   account password policy weakened (remembers the last one)
 *   ct_credexfil.c  EC2 instance and Lambda credentials used elsewhere
 *   ct_travel.c     console logins too far apart for the time between them
 *   ct_canary.c     any use of a configured decoy access key
 *   ct_anomaly.c    the API anomaly model: the IAMUser/AnomalousBehavior types of IAM
 *                   identities (a learned profile per identity and account)
 *
 * and the pure analyses they use, each in its own file and tested alone:
 * s3_access.c (is a bucket policy or ACL public?), pwpolicy.c (how much
 * weaker is a password policy?), ua_distro.c (which pentest distribution
 * does a user agent name?), ct_tactic.c (which ATT&CK tactic does a call
 * serve?), ua_category.c (which client family made a call?).
 */
#ifndef CM_DETECT_CT_H
#define CM_DETECT_CT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "base/str.h"
#include "detect/detect.h"

/* ---- s3_access.c: who a bucket policy or ACL opens the bucket to ---------------------- */

enum cm_s3_exposure {
    CM_S3X_NONE = 0,      /* no grant to everyone (or not decidable as one) */
    CM_S3X_AUTHENTICATED, /* any authenticated AWS principal (Policy:S3/BucketPublicAccessGranted)
                           */
    CM_S3X_ANONYMOUS,     /* the whole internet (Policy:S3/BucketAnonymousAccessGranted) */
};

/*
 * The exposure granted by a bucket policy: node pol of d, either the policy
 * object ({"Version", "Statement": [...] or {...}}) or a JSON string holding
 * it (as some CloudTrail records log it), which is then decoded into a copy
 * for the call and parsed into scratch (a doc the caller owns, not d: its
 * node array is reused, and it is left empty, pointing at no text). Only
 * Allow statements grant. A statement grants to everyone when its principal
 * is "*", {"AWS": "*"} or a list containing "*" (or it uses NotPrincipal),
 * unless a condition narrows it to known parties: aws:PrincipalOrgID,
 * aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:SourceAccount,
 * aws:SourceOwner, aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
 * aws:SourceIp, aws:VpcSourceIp, aws:SourceOrgID, aws:SourceOrgPaths,
 * aws:PrincipalServiceName(sList), aws:userid, aws:username,
 * s3:DataAccessPointAccount, s3:DataAccessPointArn, or an aws:PrincipalArn /
 * aws:SourceArn value without a wildcard in the account part. A value
 * narrows only when it is fixed: no policy variable, no wildcard under a
 * Like or Arn operator, and for SourceIp a CIDR of at least /8 (IPv4) or
 * /32 (IPv6). Negated, ...IfExists, ForAllValues: and Null operators never
 * narrow. A condition that only restricts the principal to authenticated
 * callers (aws:PrincipalArn "arn:aws:iam::*...", aws:PrincipalType, or
 * aws:PrincipalIsAWSService false) gives CM_S3X_AUTHENTICATED. Conditions
 * that narrow nothing (aws:SecureTransport, s3:prefix, aws:UserAgent, ...)
 * are ignored. The widest statement wins. *why (when why is not NULL)
 * always gets a constant description of what decided, never NULL.
 */
enum cm_s3_exposure cm_s3_policy_exposure(const struct cm_json_doc *d, uint32_t pol,
                                          struct cm_json_doc *scratch, const char **why);

/*
 * The exposure granted by the ACL of a PutBucketAcl / CreateBucket /
 * PutObjectAcl request: requestParameters node rp of d. A grant to the
 * group http://acs.amazonaws.com/groups/global/AllUsers (in
 * AccessControlPolicy.AccessControlList.Grant, one object or an array, or in
 * an x-amz-grant-* header value such as uri="http://...AllUsers"), or the
 * canned ACL x-amz-acl public-read / public-read-write, is
 * CM_S3X_ANONYMOUS; the AuthenticatedUsers group or authenticated-read is
 * CM_S3X_AUTHENTICATED. *why as above.
 */
enum cm_s3_exposure cm_s3_acl_exposure(const struct cm_json_doc *d, uint32_t rp, const char **why);

/* ---- pwpolicy.c: account password policies ------------------------------------------- */

/*
 * An IAM account password policy (UpdateAccountPasswordPolicy's parameters).
 * A parameter the request leaves out takes IAM's default for it (the API
 * resets omitted parameters): minimum length 6, every flag false, no
 * maximum age (0), no reuse prevention (0).
 */
struct cm_pwpolicy {
    int32_t min_length; /* minimumPasswordLength */
    bool symbols;       /* requireSymbols */
    bool numbers;       /* requireNumbers */
    bool upper;         /* requireUppercaseCharacters */
    bool lower;         /* requireLowercaseCharacters */
    bool allow_change;  /* allowUsersToChangePassword */
    bool hard_expiry;   /* hardExpiry */
    int32_t max_age;    /* maxPasswordAge in days; 0: passwords never expire */
    int32_t reuse;      /* passwordReusePrevention; 0: reuse allowed */
};

/*
 * The policy in effect when an account has none (IAM's default: at least 8
 * characters, and in practice three of four character classes, which the
 * API cannot express: the four require* flags are false here).
 */
void cm_pwpolicy_none(struct cm_pwpolicy *p);

/*
 * Reads UpdateAccountPasswordPolicy's requestParameters (node rp of d;
 * CM_JSON_NONE gives the all-defaults policy). Members may be JSON numbers,
 * booleans or their string forms ("true", "12"); unknown members are
 * ignored. Returns 0, or CM_EINVAL when a known member has an unusable value
 * (then *p holds the defaults for it).
 */
int cm_pwpolicy_from_request(const struct cm_json_doc *d, uint32_t rp, struct cm_pwpolicy *p);

/*
 * How much weaker new is than old, in points: the points lost, or 0 when
 * new is not weaker (what it gains, scored by the same table, is at least
 * what it loses; so a policy that drops 2 characters and adds two flags is
 * not weaker):
 *   minimum length: 1 point per character lost (at most 4)
 *   each of requireSymbols/Numbers/Uppercase/Lowercase dropped: 1
 *   reuse prevention lowered: 1 (2 when to 0)
 *   maximum age raised, or removed (to 0): 1
 * allowUsersToChangePassword and hardExpiry do not make a policy weaker.
 */
int cm_pwpolicy_weakening(const struct cm_pwpolicy *old, const struct cm_pwpolicy *new_);

/* Severity of a weakening of points > 0: 1-2 Low (2), 3-5 Medium (5), 6+ High (8). */
double cm_pwpolicy_severity(int points);

/*
 * Writes p as a JSON object with GuardDuty's keys (minimumPasswordLength,
 * requireSymbols, requireNumbers, requireUppercaseCharacters,
 * requireLowercaseCharacters, allowUsersToChangePassword, maxPasswordAge,
 * passwordReusePrevention, hardExpiry); p NULL writes {}.
 */
void cm_pwpolicy_json(const struct cm_pwpolicy *p, struct cm_jw *jw);

/* ---- ua_distro.c: penetration-testing distributions in a user agent ------------------- */

enum cm_pentest_distro {
    CM_DISTRO_NONE = 0,
    CM_DISTRO_KALI,
    CM_DISTRO_PARROT,
    CM_DISTRO_PENTOO,
};

/*
 * The pentest distribution a CloudTrail userAgent names, from the tokens
 * SDKs and CLIs put there: "md/distrib#kali.2025", "exe/x86_64.kali.2024",
 * "Linux/5.10.0-kali7-amd64", "os/linux#6.1.0-1parrot1-amd64",
 * "distrib#pentoo"... The name must stand as its own token,
 * case-insensitively: preceded by the start or one of "#./-_ (;" or a
 * digit, and followed by the end, a digit, or one of ".-_ /);". So
 * "kalimba/1.0" or "parrots" is nothing.
 */
enum cm_pentest_distro cm_ua_distro(struct cm_str user_agent);

/* ---- ct_tactic.c: the tactic an API call serves ---------------------------------------- */

enum cm_ct_tactic {
    CM_TACTIC_NONE = 0,
    CM_TACTIC_DISCOVERY,
    CM_TACTIC_CREDENTIAL_ACCESS,
    CM_TACTIC_DEFENSE_EVASION,
    CM_TACTIC_EXFILTRATION,
    CM_TACTIC_IMPACT,
    CM_TACTIC_INITIAL_ACCESS,
    CM_TACTIC_PERSISTENCE,
    CM_TACTIC_PRIVILEGE_ESCALATION,
    CM_TACTIC_COUNT,
};

/* eventSource without ".amazonaws.com" ("iam"); the whole source when it has no such tail. */
struct cm_str cm_ct_service(struct cm_str event_source);

/*
 * The tactic of management call event_name of event_source: the table's
 * row for it, else Discovery for a call that only reads (cm_api_classify),
 * else CM_TACTIC_NONE.
 */
enum cm_ct_tactic cm_ct_tactic(struct cm_str event_source, struct cm_str event_name);

/* "Discovery:IAMUser/AnomalousBehavior" and so on; NULL for CM_TACTIC_NONE. */
const char *cm_ct_tactic_type(enum cm_ct_tactic t);

/* "Discovery", "CredentialAccess"...; "None". */
const char *cm_ct_tactic_name(enum cm_ct_tactic t);

/* ---- ua_category.c: the client family of a user agent ------------------------------------ */

/*
 * Writes the category of user agent ua (see ua_category.c: "aws-cli",
 * "Botocore", "browser", "console", "AWS Service", "OTHER"...) to
 * out[0..outlen), NUL-terminated and cut to fit; returns its length.
 */
size_t cm_ua_category(struct cm_str ua, char *out, size_t outlen);

/* ---- ct_common.c: what every CloudTrail detector reads ------------------------------- */

/* The call succeeded: the record has no errorCode. */
bool cm_ct_ok(const struct cm_ct *ct);

/* An S3 data event: eventSource s3.amazonaws.com and eventCategory Data. */
bool cm_ct_s3_data(const struct cm_ct *ct);

/* The caller's access key id, else its principalId (the AccessKey resource). */
struct cm_str cm_ct_actor_key(const struct cm_ct *ct);

/* The session name of an assumed-role ARN (its last path part), else CM_STR_NULL. */
struct cm_str cm_ct_session_name(const struct cm_ct_identity *u);

/* String member key of object node obj (raw JSON text, no unescaping), else CM_STR_NULL. */
struct cm_str cm_ct_member(const struct cm_ct *ct, uint32_t obj, const char *key);

/*
 * Starts a detection of type for CloudTrail event ev: account, region, time,
 * count 1, the event, and the AccessKey resource (cm_ct_actor_key).
 */
void cm_ct_detection(struct cm_detection *d, const struct cm_event *ev, const char *type);

/* ---- the detectors -------------------------------------------------------------------- */

extern const struct cm_detector cm_detector_ct_rules;
extern const struct cm_detector cm_detector_ct_password;
extern const struct cm_detector cm_detector_ct_credexfil;
extern const struct cm_detector cm_detector_ct_travel;
extern const struct cm_detector cm_detector_ct_canary;
extern const struct cm_detector cm_detector_ct_anomaly;

#endif
