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
 *   ct_credexfil.c  EC2 instance and Lambda credentials used elsewhere (what it
 *                   learns: ct_credexfil_learn.c; shared: ct_credexfil_impl.h)
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
    CM_TACTIC_PENTEST, /* a finding's threat purpose only (attack sequences): no call's */
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

/* "Discovery:IAMUser/AnomalousBehavior" and so on; NULL for CM_TACTIC_NONE and _PENTEST. */
const char *cm_ct_tactic_type(enum cm_ct_tactic t);

/* "Discovery", "CredentialAccess"..., "PenTest"; "None". */
const char *cm_ct_tactic_name(enum cm_ct_tactic t);

/* ---- ua_category.c: the client family of a user agent ------------------------------------ */

/*
 * Writes the category of user agent ua (see ua_category.c: "aws-cli",
 * "Botocore", "browser", "console", "AWS Service", "OTHER"...) to
 * out[0..outlen), NUL-terminated and cut to fit; returns its length.
 */
size_t cm_ua_category(struct cm_str ua, char *out, size_t outlen);

/* ---- ct_profile.c: what the anomaly models remember of an identity ------------------------ */

#define CM_CT_NETS       16u /* networks an identity's context keeps */
#define CM_CT_CLIENTS    8u  /* clients (user-agent categories) it keeps */
#define CM_CT_CLIENT_MAX 24u
#define CM_CT_RECENT     8u /* anomalous calls kept for a finding */

/* A network or client, and when it was seen (event time). */
struct cm_ct_seen {
    uint64_t h; /* 0: empty slot */
    int64_t first_ms, last_ms;
};

struct cm_ct_client {
    struct cm_ct_seen s;
    char name[CM_CT_CLIENT_MAX];
};

/* Where and with what an identity calls from. */
struct cm_ct_context {
    struct cm_ct_seen nets[CM_CT_NETS];
    struct cm_ct_client clients[CM_CT_CLIENTS];
    struct cm_ip last_ip; /* the address of the last call... */
    uint64_t last_net;    /* ... and its network (an AS lookup is dear) */
    uint64_t last_ua;     /* a hash of the last call's user agent... */
    uint64_t last_client; /* ... and of its category, last_name: the same agent is the same */
    char last_name[CM_CT_CLIENT_MAX];
    uint8_t net_clients[CM_CT_NETS]; /* of each network, the client slots that used it (bits) */
};

/* One call against a context. */
struct cm_ct_novelty {
    char client[CM_CT_CLIENT_MAX]; /* the call's client category */
    bool net_new;                  /* its network is not usual (and the identity does not roam) */
    bool client_new;               /* its client is not usual */
};

/* An anomalous call, kept for the finding. */
struct cm_ct_call {
    int64_t time_ms; /* 0: empty */
    uint8_t kind;    /* the model's class of the call */
    char svc[32];
    char name[48];
    char outcome[32]; /* "success" or the errorCode */
    struct cm_src_ref src;
};

/* The last CM_CT_RECENT anomalous calls of an identity. */
struct cm_ct_calls {
    struct cm_ct_call v[CM_CT_RECENT];
    uint32_t next;
};

/*
 * Whether c has usual networks (first seen learn_ms or more before now_ms)
 * and every one is inside AWS: all of AWS (AWS's ranges loaded), or the /16
 * of a private IPv4 address (a VPC endpoint's caller). A web-identity
 * session's new address prefix (cm_ct_prefix_network) is then a new network
 * after all.
 */
bool cm_ct_context_inside_aws(const struct cm_ct_context *c, const struct cm_detect_config *cfg,
                              uint64_t seed, int64_t now_ms, int64_t learn_ms);

/*
 * Whether a call is the identity's own: not an AWS service acting for it
 * (invokedBy, a service name as sourceIPAddress), not an AWSService
 * identity, and named.
 */
bool cm_ct_own_call(const struct cm_ct *ct);

/*
 * "account/identity" into out[0..cap): an IAM user or root by its ARN, a
 * role session by its role (sessionIssuer), else the ARN or principal id.
 * Returns its length, 0 when there is none or it does not fit.
 */
size_t cm_ct_identity_key(const struct cm_event *ev, char *out, size_t cap);

/*
 * "account/sso-user/session name" into out[0..cap) for a session of an IAM
 * Identity Center permission set's role (AWS makes it under the reserved
 * path /aws-reserved/sso.amazonaws.com/; every user the permission set is
 * assigned to in the account shares it, and each session is named after its
 * user): the person behind the shared role, the same with every permission
 * set she has in the account. Returns its length, 0 for any other identity
 * or when it does not fit.
 */
size_t cm_ct_person_key(const struct cm_event *ev, char *out, size_t cap);

/*
 * Adds the hash v, used at now_ms, to the open-addressing set set[cap] (cap
 * a power of two, at most 1024) holding *n; the set keeps v's upper 24 bits
 * and the day it was last used. Returns true when it was not there. A set
 * kept at most 3/4 full: when full, the values unused for
 * CM_CT_SET_STALE_DAYS or more are forgotten, the longest unused first,
 * down to half full; when none is that old, it takes no more and calls
 * nothing new (a profile whose last month fills it does everything).
 */
#define CM_CT_SET_STALE_DAYS 30u
bool cm_ct_set_add(uint32_t *set, uint32_t cap, uint32_t *n, uint32_t v, int64_t now_ms);

/*
 * The network of ip, seeded: its autonomous system when cfg->asn knows it;
 * else all of AWS when cfg->aws_ranges claims it; else its /16 (IPv6 /48).
 * With label, writes its name ("asnNumber: 16509 asnOrg: AMAZON-02", "AWS",
 * "203.0.0.0/16") and *is_asn (may be NULL).
 */
uint64_t cm_ct_network(const struct cm_detect_config *cfg, uint64_t seed, const struct cm_ip *ip,
                       char *label, size_t lablen, bool *is_asn);

/*
 * Notes the network and client of call ev in c and tells *nv whether each
 * was usual: first seen at least learn_ms before (a network by any of c's
 * clients). A new network does not count for a usual client with 8 or more
 * usual networks of its own, or a new client of an identity with 8 (they
 * roam), nor does a new client of the AWS console (browser, console,
 * AwsSignin): only someone who signed in as the identity uses it. A full c
 * drops the least recently seen network of the client that holds the most.
 */
void cm_ct_context_note(struct cm_ct_context *c, const struct cm_detect_config *cfg, uint64_t seed,
                        const struct cm_event *ev, int64_t learn_ms, struct cm_ct_novelty *nv);

/* Whether the network of ct's address is only a prefix (no ASN database, or not in it). */
bool cm_ct_prefix_network(const struct cm_detect_config *cfg, uint64_t seed,
                          const struct cm_ct *ct);

/*
 * The account's people's places (ct_peers.c): the networks on which IAM users
 * and IAM Identity Center users of one account have worked for learn_ms or
 * more, each with up to CM_CT_PEERS of those people (hashes of their keys).
 * A network CM_CT_PEERS people hold as usual (the office, the corporate VPN)
 * is no stranger's place: a colleague who first calls from it is not judged
 * as new there. Not noted: addresses inside AWS (its ranges, when loaded;
 * private and shared ones), web-identity sessions and roles, whose networks
 * are workloads' and runners', not people's.
 */
#define CM_CT_PEERS     3u  /* people who make a network the account's */
#define CM_CT_PEER_NETS 32u /* networks an account keeps (least recently seen replaced) */

struct cm_ct_peer_net {
    uint64_t h; /* cm_ct_network's hash; 0: empty */
    int64_t last_ms;
    uint32_t who[CM_CT_PEERS]; /* people it is usual to (0: empty) */
};

struct cm_ct_peers {
    struct cm_ct_peer_net nets[CM_CT_PEER_NETS];
};

/*
 * Notes that network net (of address ip) is usual, at now_ms, to the person
 * whose key hashes to who (not 0).
 */
void cm_ct_peers_note(struct cm_ct_peers *p, const struct cm_detect_config *cfg,
                      const struct cm_ip *ip, uint64_t net, uint32_t who, int64_t now_ms);

/* Whether CM_CT_PEERS people hold network net as usual. */
bool cm_ct_peers_usual(const struct cm_ct_peers *p, uint64_t net);

/*
 * The learn_ms to judge the networks and clients of an identity first seen at first_ms
 * by at now_ms: what it met in its own learning day (its first learn_ms) is usual once
 * that day is over, however late in the day it came; after that day a network or client
 * is usual learn_ms after it was first seen. Before 2026-12-06 a place met late in the
 * learning day (her home, in the evening) was new until a day after: a call she never
 * made from there the next morning fired.
 */
int64_t cm_ct_usual_learn(int64_t first_ms, int64_t now_ms, int64_t learn_ms);

/* Whether network h is one of c's usual ones (first seen learn_ms or more before now_ms). */
bool cm_ct_context_usual(const struct cm_ct_context *c, uint64_t h, int64_t now_ms,
                         int64_t learn_ms);

/* Keeps call ev, of the model's class kind, as the newest of r. */
void cm_ct_calls_add(struct cm_ct_calls *r, const struct cm_event *ev, uint8_t kind);

/* The calls of r within window_ms up to now_ms, oldest first, into out[CM_CT_RECENT]. */
size_t cm_ct_calls_window(const struct cm_ct_calls *r, int64_t now_ms, int64_t window_ms,
                          const struct cm_ct_call **out);

/*
 * What both anomaly models are made of: their settings, the table of
 * identity profiles (account/identity -> a value that starts with the
 * int64_t time the identity was first seen; 16,384 at most, each dropped
 * after 90 days unused) and the buffer their additionalInfo is written to.
 * A model's state starts with it, so cm_ct_model_tick and
 * cm_ct_model_stats serve as its detector's on_tick and state_stats.
 */
struct cm_ct_model {
    const struct cm_detect_config *cfg;
    /*
     * Profiles in two tables of the same cap: young holds those still learning,
     * ids those past learn_ms (moved there by the first call after). New
     * identities evict only each other, so a flood of them (federated users,
     * web identities: any name) cannot push out the learned profile of one
     * the attacker will use next and make it learn again, quietly.
     */
    struct cm_state *ids, *young;
    uint64_t seed;
    int64_t learn_ms, window_ms; /* cfg->ct's anomaly_learn_ms, anomaly_window_ms or defaults */
    struct cm_buf info;
};

/* Sets m up for profiles of val_size bytes. Returns 0 or CM_E*. */
int cm_ct_model_init(struct cm_ct_model *m, const struct cm_detect_opts *opts, size_t val_size);

void cm_ct_model_finish(struct cm_ct_model *m);

/* cm_detector.on_tick and .state_stats of a state that starts with a struct cm_ct_model. */
int cm_ct_model_tick(void *state, int64_t watermark_ms, struct cm_sink *sink);
void cm_ct_model_stats(const void *state, struct cm_state_stats *sum);

/*
 * The profile of ev's identity (cm_ct_identity_key), made when new, its
 * first-seen time moved back for an earlier event; *established when that
 * is at least learn_ms before ev (it is then in the learned table). NULL
 * with *rc = 0 when ev names no identity, NULL with *rc = CM_ENOMEM when a
 * table cannot grow.
 */
void *cm_ct_model_profile(struct cm_ct_model *m, const struct cm_event *ev, bool *established,
                          int *rc);
/* The same for the profile under key[0..klen) (klen 0: NULL, *rc = 0). */
void *cm_ct_model_profile_key(struct cm_ct_model *m, const struct cm_event *ev, const char *key,
                              size_t klen, bool *established, int *rc);

/*
 * The profile under key[0..klen), learned or learning, when there is one;
 * NULL otherwise. Makes none and moves none: its first-seen time and place
 * in the tables are left as they are.
 */
void *cm_ct_model_find(const struct cm_ct_model *m, const char *key, size_t klen);

/*
 * Checkpoints of a model (detect/ckpt.h): its seed (every hash a profile
 * holds was made with it, so a loaded model keeps hashing with the saved
 * one), then its table of profiles with the model's codec c. Load into a
 * model fresh from cm_ct_model_init; both return the writer's or reader's
 * error.
 */
int cm_ct_model_save(const struct cm_ct_model *m, struct cm_ckpt_w *w,
                     const struct cm_state_codec *c);
int cm_ct_model_load(struct cm_ct_model *m, struct cm_ckpt_r *r, const struct cm_state_codec *c);
/*
 * The same for a model saved before 2026-12-06, whose contexts kept no
 * network's clients: each value (vsize bytes in this build, its context at
 * ctx_off) is read without them and every kept network is given every kept
 * client (the identity's places, as they were judged then).
 */
int cm_ct_model_load_old(struct cm_ct_model *m, struct cm_ckpt_r *r, const struct cm_state_codec *c,
                         size_t vsize, size_t ctx_off);

/*
 * What the models' codecs check of the parts a profile shares, read back
 * from a file (struct cm_state_codec.check): every string NUL-terminated
 * within its array, every bool 0 or 1, every address of a known family, the
 * ring position in range, call classes below nkinds, and a hash set that
 * holds n values, at most 3/4 of cap, so a probe always meets an empty slot,
 * none of them a day without a value.
 */
bool cm_ct_set_ok(const uint32_t *set, uint32_t cap, uint32_t n);
bool cm_ct_context_ok(const struct cm_ct_context *c);
bool cm_ct_novelty_ok(const struct cm_ct_novelty *nv);
bool cm_ct_calls_ok(const struct cm_ct_calls *r, unsigned nkinds);
/* Calls fn on the evidence reference of each kept call of r (the codecs' refs). */
void cm_ct_calls_refs(struct cm_ct_calls *r, void (*fn)(void *fud, struct cm_src_ref *ref),
                      void *fud);

/* Cites the records of calls[0..n) in d, as many as it holds. */
void cm_ct_calls_cite(struct cm_detection *d, const struct cm_ct_call *const *calls, size_t n);

struct cm_ct_info_args {
    const struct cm_detect_config *cfg;
    uint64_t seed;
    const struct cm_event *ev;             /* the call that fires */
    const struct cm_ct_context *ctx;       /* its identity's context */
    const struct cm_ct_novelty *nv;        /* the call against it */
    const struct cm_ct_call *const *calls; /* the anomalous calls to name */
    size_t ncalls;
    int64_t learn_ms;
    const char *unusual_key; /* one more unusualBehavior member, or NULL */
    const char *unusual_val;
    const struct cm_ip *net_ip; /* the address whose network was new; NULL: the event's */
};

/*
 * ct_anomaly_info.c: writes the members of an anomaly finding's additionalInfo
 * into the open object of jw: anomalies.anomalousAPIs (by service, with outcomes),
 * unusualBehavior, profiledBehavior (the usual clients) and userAgent.
 */
void cm_ct_anomaly_info(struct cm_jw *jw, const struct cm_ct_info_args *a);

/* ---- ct_common.c: what every CloudTrail detector reads ------------------------------- */

/* The call succeeded: the record has no errorCode. */
bool cm_ct_ok(const struct cm_ct *ct);

/*
 * An S3 data event: eventSource s3.amazonaws.com and eventCategory Data, or,
 * in a record with no eventCategory (trails before it was added), managementEvent
 * false, as cm_ct_unread reads data events of other services.
 */
bool cm_ct_s3_data(const struct cm_ct *ct);

/*
 * The records of a trail that GuardDuty does not take (it reads management
 * events and S3 data events; GUARDDUTY.md "Which records are which input
 * stream"), which no detector reads: data events of other services
 * (DynamoDB, Lambda, ...; eventCategory Data, or managementEvent false in a
 * record too old to have a category; never an S3 source, a sign-in or a
 * service event) and network activity events (VPC endpoints; eventCategory
 * NetworkActivity, eventType AwsVpceEvent). The scan still hands a record
 * made with a canary key to the detectors (scan_read.c).
 */
enum cm_ct_unread { CM_CT_READ = 0, CM_CT_UNREAD_DATA, CM_CT_UNREAD_NETWORK, CM_CT_UNREAD_COUNT };
enum cm_ct_unread cm_ct_unread(const struct cm_ct *ct);
/* The name such records are skipped under ("CloudTrail network activity event", ...). */
const char *cm_ct_unread_name(enum cm_ct_unread u);

/* The caller's access key id, else its principalId (the AccessKey resource). */
struct cm_str cm_ct_actor_key(const struct cm_ct *ct);

/* The session name of an assumed-role ARN (its last path part), else CM_STR_NULL. */
struct cm_str cm_ct_session_name(const struct cm_ct_identity *u);

/* String member key of object node obj (raw JSON text, no unescaping), else CM_STR_NULL. */
struct cm_str cm_ct_member(const struct cm_ct *ct, uint32_t obj, const char *key);

/*
 * The bucket an S3 call reads: for CopyObject and UploadPartCopy the bucket of
 * x-amz-copy-source (what the copy takes data out of; not an access point ARN,
 * which names none), else the call's bucket (cm_ct_bucket); CM_STR_NULL when it
 * has none.
 */
struct cm_str cm_ct_s3_read_bucket(const struct cm_ct *ct);

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
extern const struct cm_detector cm_detector_ct_s3_anomaly;
extern const struct cm_detector cm_detector_ct_sequence;

#endif
