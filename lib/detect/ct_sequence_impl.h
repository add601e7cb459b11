/*
 * What the attack-sequence detector's files share: the bounds, a credential's
 * signals and the records it has not counted yet (struct cred), the
 * detector's state (struct sequence), and the functions each file lends the
 * others: ct_sequence.c (the detector and its two rules),
 * ct_sequence_signal.c (noting a detection as a signal of its credential),
 * ct_sequence_raw.c (raw activity as signals),
 * ct_sequence_emit.c (the sequence finding) and ct_sequence_ckpt.c (its
 * checkpoints). Private to the five.
 */
#ifndef CM_DETECT_CT_SEQUENCE_IMPL_H
#define CM_DETECT_CT_SEQUENCE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "detect/ckpt.h"
#include "detect/ct.h"
#include "detect/state.h"

#define SIGNALS 16u /* findings' signals a key keeps (the newest) */
/* Raw activity's signals (ct_sequence_raw.c) a key keeps beside them, one per API the raw
 * rule follows: raw signals take no finding's place, so the IAM sequence, which reads
 * findings only, lists what it listed before raw signals were kept, and none pushes out
 * another. */
#define RAW_SIGNALS 20u
#define SLOTS       (SIGNALS + RAW_SIGNALS)
#define KEYS        (64u * 1024)
#define KEY_MAX     256u
#define WINDOW_MS   (24LL * 3600 * 1000)
#define MIN_TACTIC  3u
#define LISTED      8u  /* signals the sequence names: the newest */
#define PENDING     64u /* records of a key kept until every sequence has counted them */

/* Names a table holds (a uint8_t numbers them; the build's detectors declare about 90 finding
 * types, and AWS has about 35 regions). */
#define NAMES_MAX 255u
/* The longest finding type kept (the longest there is has 68 characters). */
#define TYPE_LEN 128u
/* The longest region kept (the longest there is, ap-southeast-1 and others, has 14). */
#define REGION_LEN 24u

#define SEQUENCE_STATE_VERSION 11u /* bump when the layout save writes changes */

/* The two sequences, as bits 1 << SEQ_* of what a pending record was counted by. */
enum { SEQ_IAM, SEQ_S3, SEQ_KINDS };

/* The length of a finding's id as a signal keeps it: 32 hex characters, as bytes. */
#define FID_LEN (CM_DETECTION_FINDING_ID_LEN / 2)

/*
 * The finding a detection becomes (cm_detect_config.finding_ref): its id as
 * bytes, its severity in tenths and its first bucket; all zero when not known.
 */
struct finding_ref {
    uint8_t id[FID_LEN];
    uint8_t severity10;
    char bucket[64];
};

/*
 * A signal is one finding of the credential (the one cm_detect_config.
 * finding_ref names; without it, one finding type). It names its finding
 * type and region by number in struct sequence's tables (struct names), not
 * by pointer, so that a checkpoint can hold them, and in a byte.
 */
/* What a signal is (GuardDuty's signals[].type): a finding, or raw activity of a call. */
enum { SIG_FINDING, SIG_CLOUD_TRAIL, SIG_S3_DATA_EVENTS, SIG_SOURCES };

struct signal {
    uint8_t type; /* 0: empty; else its number in the types table (a raw signal's: its API) */
    uint8_t tactic;
    uint8_t source;       /* SIG_*: a finding, or a call of raw activity (ct_sequence_raw.c) */
    bool high_risk;       /* a raw signal's call changes or destroys data (HIGH_RISK_API) */
    bool s3_data;         /* an Exfiltration:S3 or Impact:S3 type */
    uint8_t severity10;   /* the highest of its detections', in tenths (0: unknown) */
    uint8_t region;       /* its number in the regions table (0: unknown, too long to keep) */
    uint8_t fid[FID_LEN]; /* its finding's id (all zero: unknown) */
    int64_t first_ms, last_ms;
    uint32_t count;
    struct cm_src_ref src; /* the record of its earliest detection */
    uint64_t src_key;      /* cm_event_key of it: of two as early, the smaller is cited */
    struct cm_ip ip;       /* the caller's address in that record (CM_IP_NONE: none) */
    int64_t bucket_ms;     /* the time of the detection that named bucket */
    char bucket[64];       /* the bucket its finding names, of the newest detection */
};

/*
 * A record of the key's window that a sequence has not counted yet: a sequence
 * counts every record of its window, the ones before it held too, each by its
 * own key (cm_detection.record_key), so that its count is the same whatever
 * order they came in, and a record analysed again (--reread) is not counted
 * twice by the store.
 */
struct pending {
    uint64_t key; /* record_of() the record, | 1 << SEQ_* of the sequences that counted it */
    int64_t ms;   /* its time */
};

#define DONE_BITS 3u /* the low bits of struct pending's key: 1 << SEQ_* */
/* A record known as raw activity only (ct_sequence_raw.c): the IAM sequence, which reads
 * findings only, does not count it (its 1 << SEQ_IAM is set with it). */
#define RAW_BIT  4u
#define KEY_BITS 7u /* the low bits of struct pending's key that are no part of the record's */

/*
 * Who used the key, as its findings' accessKeyDetails name it (principalId,
 * userName, userType) and the account: taken from the key's earliest
 * detection (of two as early, the smaller record key), so the same whatever
 * order they came in. A field too long to keep is "" (left out).
 */
struct actor {
    int64_t ms;   /* the time of the detection it was taken from; 0: none yet */
    uint64_t key; /* that detection's record key */
    char name[72];
    char uid[96];
    char type[24];
    char account[16];
    /* Its session (userIdentity.sessionContext), when the key is a session's: */
    int64_t session_ms; /* creationDate; 0: not known */
    int8_t session_mfa; /* mfaAuthenticated: 1 true, 0 false, -1 not known */
    char issuer[136];   /* sessionIssuer.arn; "" when not known or too long to keep */
};

struct cred {
    /* The findings' signals in [0, SIGNALS), raw activity's in [SIGNALS, SLOTS). */
    struct signal sig[SLOTS];
    struct pending pend[PENDING];
    /* Records pushed out of pend before a sequence counted them: counted in bulk. */
    uint32_t overflow[SEQ_KINDS];
    /*
     * Signals of the window pushed out by newer ones (more than SIGNALS types): what
     * the rules and the finding still use of them.
     */
    uint32_t ngone;
    uint32_t gone_tactics;     /* 1 << tactic of each finding */
    uint32_t gone_raw_tactics; /* 1 << tactic of each raw signal (ct_sequence_raw.c), only */
    int64_t gone_first_ms, gone_last_ms;
    uint8_t gone_region; /* the region of the earliest (a number, as struct signal's) */
    /* The bucket of the newest of them that took or destroyed data, its time and tactic. */
    char gone_bucket[64];
    int64_t gone_bucket_ms;
    uint8_t gone_bucket_tactic;
    struct actor actor;
    /*
     * Once the raw rule held: the bucket of the earliest raw call on data handed over (of
     * two as early, the first by name), its time and tactic; the S3 sequence's bucket.
     */
    char raw_bucket[64];
    int64_t raw_bucket_ms;
    uint8_t raw_bucket_tactic;
    int64_t raw_ms; /* the latest raw call handed over: gone_raw_tactics leave with it */
};

/*
 * Names learned in the order first seen, numbered from 1 (0: none): the
 * finding types and regions signals name come from every detector of the
 * engine (and from a checkpoint), so the tables are learned, not fixed, and
 * are saved with the signals; a signal keeps a byte, not the name.
 */
struct names {
    char *v[NAMES_MAX];
    uint32_t n;
};

struct sequence {
    const struct cm_detect_config *cfg; /* its finding_ref; NULL: none */
    struct cm_state *creds;             /* account/key -> struct cred */
    struct cm_state *raw;               /* account/key -> struct raw (ct_sequence_raw.c) */
    struct cm_buf info;
    struct names types;   /* of struct signal's type */
    struct names regions; /* of struct signal's and struct cred's region */
};

/* ---- ct_sequence_signal.c ------------------------------------------------------------ */

/* The name numbered i in t; "" for 0. */
const char *cm_ct_seq_name(const struct names *t, uint8_t i);
/*
 * The number of name s in t (added when new) into *out; 0 when s cannot be
 * kept (empty, longer than max, holding a NUL, or the table is full).
 * Returns 0 or CM_ENOMEM.
 */
int cm_ct_seq_number(struct names *t, struct cm_str s, size_t max, uint8_t *out);
/* Frees t's names. */
void cm_ct_seq_names_free(struct names *t);
/* The name of signal s's finding type (not empty). */
const char *cm_ct_seq_type_name(const struct sequence *q, const struct signal *s);
/* Whether a was last seen after b (of two as new, the first by name, then by finding id). */
bool cm_ct_seq_newer(const struct sequence *q, const struct signal *a, const struct signal *b);
/* Whether bucket b, named at b_ms, is newer than bucket a named at a_ms (of two as new, the
 * greater name). */
bool cm_ct_seq_newer_bucket(const char *b, int64_t b_ms, const char *a, int64_t a_ms);
/* Whether what began at a_ms in region a began before what began at b_ms in b (of two as
 * early, the first region by name). */
bool cm_ct_seq_earlier_in(int64_t a_ms, const char *a, int64_t b_ms, const char *b);
/*
 * Notes record ekey, made at ms, as one of c's window the sequences have to
 * count (once: a record's detections are one record); records out of the
 * window leave. Full, the oldest leaves, counted in bulk by the sequences that
 * had not counted it (overflow). raw: the record is raw activity (RAW_BIT); a
 * record noted so, then by a finding, is the IAM sequence's to count too.
 */
void cm_ct_seq_add_pending(struct cred *c, uint64_t ekey, int64_t ms, int64_t window_ms, bool raw);
/* What a detection is as a signal: its type's and its region's numbers, its finding. */
struct noted {
    uint8_t type, region;
    struct finding_ref ref;
};

/*
 * Notes d, which is n, whose record has event key ekey, as a signal of c: see
 * ct_sequence_signal.c.
 */
void cm_ct_seq_note(const struct sequence *q, struct cred *c, const struct cm_detection *d,
                    const struct noted *n, uint64_t ekey, int64_t window_ms);

/*
 * Notes who made d (of record ekey) as the actor of c, the credential key,
 * when it is the earliest detection of c with a CloudTrail record of key.
 */
void cm_ct_seq_note_actor(struct cred *c, const struct cm_detection *d, struct cm_str key,
                          uint64_t ekey);

/* Folds signal s into what c keeps of the signals pushed out of its SIGNALS. */
void cm_ct_seq_push_out(const struct sequence *q, struct cred *c, const struct signal *s);

/* ---- ct_sequence.c ------------------------------------------------------------------- */

/* The key of d's record: its event's (cm_event_key), else made of d (never 0). */
uint64_t cm_ct_seq_record_of(const struct cm_detection *d);
/*
 * Checks the two rules on credential c (key) after d (of record ekey) added to it, and
 * emits each sequence that holds to sink; raw: d is raw activity, which the IAM sequence
 * does not read (nothing of it changed). Returns 0 or a CM_E*.
 */
int cm_ct_seq_rules(struct sequence *q, const struct cm_detection *d, uint64_t ekey, struct cred *c,
                    struct cm_str key, bool raw, struct cm_sink *sink);

/* ---- ct_sequence_raw.c: raw activity ------------------------------------------------- */

#define RAW_KEYS   (8u * 1024)     /* keys whose raw activity is followed at once */
#define RAW_TTL_MS (3600LL * 1000) /* a key's raw activity is forgotten after an idle hour */

/* The raw activity table's value size, and its checkpoint codec's check. */
size_t cm_ct_seq_raw_size(void);
bool cm_ct_seq_raw_ok(const void *ud, const void *key, size_t klen, const void *val);
void cm_ct_seq_raw_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud);
/* Forgets what c keeps of raw activity out of the window at now_ms. */
void cm_ct_seq_raw_expire(struct cred *c, int64_t now_ms);
/* The ATT&CK technique of a raw signal's call, by its API name; NULL: none. */
const char *cm_ct_seq_raw_technique(const char *api);
/* The detector's on_event: follows the calls of raw activity (ct_sequence_raw.c). */
int cm_ct_seq_on_event(void *state, const struct cm_event *ev, struct cm_sink *sink);
/*
 * A finding d of credential k (klen bytes, "account/key") was noted in c: the raw rule
 * checked again, since a finding is one of its suspicious properties. Returns 0 or a CM_E*.
 */
int cm_ct_seq_raw_finding(struct sequence *q, const struct cm_detection *d, const char *k,
                          size_t klen, struct cred *c, struct cm_sink *sink);

/* ---- ct_sequence_emit.c -------------------------------------------------------------- */

/*
 * Emits sequence kind (SEQ_IAM or SEQ_S3, named type) of credential c, which d
 * (of record ekey) just added to, to sink: see ct_sequence_emit.c. bucket is
 * the S3 sequence's bucket, NULL for the IAM one. Returns 0 or a CM_E*.
 */
int cm_ct_seq_emit(struct sequence *q, const struct cm_detection *d, uint64_t ekey, struct cred *c,
                   int kind, const char *type, struct cm_str key, const char *bucket,
                   struct cm_sink *sink);

/* ---- ct_sequence_ckpt.c -------------------------------------------------------------- */

/* The detector's save and load (struct cm_detector). */
int cm_ct_seq_save(const void *state, struct cm_ckpt_w *w);
int cm_ct_seq_load(void *state, struct cm_ckpt_r *r);

#endif
