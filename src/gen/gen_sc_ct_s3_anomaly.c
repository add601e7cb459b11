/*
 * CloudTrail scenarios (gen_sc_ct.h) for the S3 anomaly model
 * (lib/detect/ct_s3_anomaly.c, <Tactic>:S3/AnomalousBehavior[.Kind]): one
 * per kind of access. The stolen IAM user key (CM_GEN_SC_THIEF) is driven,
 * a day into the run, from a network (CM_GEN_SC_NET_S3_ANOMALY's /16) and
 * with a client (the C++ SDK) its owner never used for S3, to make the
 * kind's volume of calls on the data-lake bucket, which the owner never
 * accessed that way: one finding on the bucket, counting the volume.
 *
 * The model judges an identity's S3 data events only once its first one is
 * a day old, and a place or client is usual only a day after the identity
 * first used it for S3. The background's S3 data events are all made by
 * roles (gen_ct_data.c), so every plan starts with the key's owner reading
 * Athena results (CM_GEN_SC_B_SCRATCH: a listing and a download) from both
 * its home addresses with its own client in the run's first minutes
 * (CM_GEN_SC_FROM_USUAL): its S3 history, place and client. The attacks come
 * 27.5 h to 28.5 h in, a quarter of an hour apart, so that a run holding all
 * five (and the API anomaly scenarios, 25 h to 27 h in) keeps their
 * 10-minute windows apart; runs are 30 h.
 *
 * Hits: the kind's volume of calls on the data lake within a few minutes
 * (Discovery 5 listings and metadata reads, Exfiltration 20 downloads,
 * Delete 10 deletions, Permission 1 ACL change, Write 10 uploads). Near
 * misses (each on a bucket of its own, so none teaches the others' pairs;
 * CM_GEN_SC_B_SHARED, _EXPORTS and _ARCHIVE are buckets no background call
 * touches, which every world has):
 *   - a few more calls of the kind on the data lake once the volume is
 *     reached, in the same window: the type fires once a window, so the
 *     finding's count stays the volume;
 *   - the owner, from home with its own client, during the attack, the same
 *     kind at volume on a bucket it never touched (place and client usual);
 *   - 75 minutes later, the attacker from the same new place and client,
 *     one short of the volume on another bucket (Permission, whose volume is
 *     one: an ACL change on the exports bucket, whose ACLs the owner changes
 *     itself at the start: the pair is not new);
 *   - three quarters of an hour into the run, before the owner has a day of
 *     S3 history, the same attack at volume from yet another network and
 *     client (CM_GEN_SC_NET_S3_ANOMALY_EARLY, the .NET SDK) on the archive
 *     bucket.
 * Every S3 call is one the background's data events never make for the
 * key's owner (they are all by roles); the calls they never make at all
 * (ListObjectVersions, GetObjectAcl, PutObjectAcl) are in the API table
 * with no weight (gen_ct_tables.c).
 */
#include "gen/gen_sc_ct.h"

#define H 3600u

/* When the attack on kind k (0 Discovery .. 4 Write) starts, and its near miss 75 min on. */
#define AT(k)    (27u * H + 1800u + 900u * (k))
#define LATER(k) (AT(k) + 4500u)

/* The owner of the key from home address d with its own client. */
#define BY_OWNER(d_) .who = CM_GEN_SC_THIEF, .from = CM_GEN_SC_FROM_USUAL, .d = (d_)

/* The attacker a day in (the plan's client), from CM_GEN_SC_NET_S3_ANOMALY + d. */
#define BY_ATTACKER(d_)                                                                            \
    .who = CM_GEN_SC_THIEF, .from = CM_GEN_SC_FROM_IP, .ip = CM_GEN_SC_NET_S3_ANOMALY + (d_)

/* The attacker before the owner has a day of S3 history: another network, another client. */
#define BY_EARLY(d_)                                                                               \
    .who = CM_GEN_SC_THIEF, .from = CM_GEN_SC_FROM_IP,                                             \
    .ip = CM_GEN_SC_NET_S3_ANOMALY_EARLY + (d_), .agent = early_agent, .mark = EARLY_MARK

/* n calls, every s seconds apart. */
#define RUN(n, s) .times = (n), .every = (s)

/*
 * The plan's first two steps: the owner at both its home addresses lists and
 * reads its Athena results (its S3 history: a Discovery and an Exfiltration
 * pair on a bucket no attack or near miss uses).
 */
#define BASELINE(k)                                                                                \
    {.svc = "s3",                                                                                  \
     .api = "ListObjectsV2",                                                                       \
     .at = 150u + 10u * (k),                                                                       \
     BY_OWNER(0),                                                                                  \
     .bucket = CM_GEN_SC_B_SCRATCH},                                                               \
    {                                                                                              \
        .svc = "s3", .api = "GetObject", .at = 155u + 10u * (k), BY_OWNER(1),                      \
        .bucket = CM_GEN_SC_B_SCRATCH, .key = "daily-costs/2026/01/04/results.csv"                 \
    }

/* What the findings' additionalInfo must say (no ASN database: CM_GEN_SC_NET_S3_ANOMALY's /16). */
#define INFO(kind, calls)                                                                          \
    "kind=\"" kind "\"&callVolume.calls=" #calls                                                   \
    "&unusualBehavior.unusualNetworksUserIdentityProfiling=\"162.19.0.0/16\""

static const char attacker_agent[] =
    "aws-sdk-cpp/1.11.285 ua/2.0 md/aws-crt#0.26.4 os/Linux#6.5.0-1016-aws md/arch#x86_64 "
    "lang/c++#C++17 md/GCC#11.4.0 api/S3";
static const char early_agent[] =
    "aws-sdk-dotnet-coreclr/3.7.305.28 ua/2.0 os/linux#5.15.0-1057-azure md/arch#x64 "
    "lang/.NET_Core#8.0.2 md/aws-sdk-dotnet-core#3.7.302.0 api/S3#3.7.305.28";
#define EARLY_MARK "aws-sdk-dotnet-coreclr/"

/* Object keys: the data lake's (the hits' and the calls after the volume), the others'. */
#define K_LAKE  "warehouse/orders/2025/part.snappy.parquet"
#define K_AFTER "warehouse/customers/2025/part.snappy.parquet"
#define M_AFTER "warehouse/customers/"
#define K_OWNER "team-share/planning/q1/deck.pdf"
#define M_OWNER "team-share/planning/"
#define K_LATER "exports/partners/2025/ledger.csv.gz"
#define M_LATER "exports/partners/"
#define K_EARLY "archive/2024/hr/records.zip"

/* A step of plan k by the attacker on the data lake at AT(k) + t. */
#define LAKE(k, api_, t) .svc = "s3", .api = (api_), .at = AT(k) + (t), BY_ATTACKER(10u + (k))

/* A step of plan k by the attacker on the exports bucket at LATER(k) + t. */
#define ON_EXPORTS(k, api_, t)                                                                     \
    .svc = "s3", .api = (api_), .at = LATER(k) + (t), BY_ATTACKER(10u + (k)),                      \
    .bucket = CM_GEN_SC_B_EXPORTS, .key = K_LATER, .mark = M_LATER

/* A step of plan k by the owner on the shared bucket at AT(k) + t. */
#define ON_SHARED(k, api_, t)                                                                      \
    .svc = "s3", .api = (api_), .at = AT(k) + (t), BY_OWNER(0), .bucket = CM_GEN_SC_B_SHARED,      \
    .key = K_OWNER, .mark = M_OWNER

/* A step of plan k by the early attacker on the archive bucket. */
#define ON_ARCHIVE(k, api_)                                                                        \
    .svc = "s3", .api = (api_), .at = 2700u + 300u * (k), BY_EARLY(20u + (k)),                     \
    .bucket = CM_GEN_SC_B_ARCHIVE, .key = K_EARLY

#define PLAN(sev, kind, calls)                                                                     \
    .res = CM_GEN_SC_RES_BUCKET, .bucket = CM_GEN_SC_B_DATA_LAKE, .hours = 30, .severity = (sev),  \
    .agent = attacker_agent, .info = INFO(kind, calls)

/* A grant of full control to the attacker's account: the ACL a ransom note points to. */
static const char p_grant_acl[] =
    "\"requestParameters\":{\"bucketName\":\"{bucket}\",\"Host\":\"{bucket}.s3.{region}."
    "amazonaws.com\",\"key\":\"" K_LAKE "\",\"acl\":\"\",\"x-amz-grant-full-control\":"
    "\"id=4f1c2b9a7d3e5f60812a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e\"},"
    "\"responseElements\":null";

/* ---- Discovery: 5 listings and metadata reads ---- */

static const struct cm_gen_sc_plan discovery = {
    PLAN(2, "Discovery", 5),
    .steps = {BASELINE(0),
              {ON_ARCHIVE(0, "ListObjectsV2"), RUN(5, 15)},
              /* three pages of the data lake's listing, its versions and an object's ACL */
              {LAKE(0, "ListObjectsV2", 0), RUN(3, 20), .hit = 1},
              {LAKE(0, "ListObjectVersions", 60), .hit = 1},
              {LAKE(0, "GetObjectAcl", 80), .key = K_LAKE, .hit = 1},
              {LAKE(0, "HeadObject", 100), RUN(2, 20), .key = K_AFTER, .mark = M_AFTER},
              {ON_SHARED(0, "HeadObject", 5), RUN(5, 15)},
              {ON_EXPORTS(0, "GetObjectAcl", 0), RUN(4, 20)}}};

/* ---- Exfiltration: 20 downloads ---- */

static const struct cm_gen_sc_plan exfiltration = {
    PLAN(8, "Exfiltration", 20),
    .steps = {BASELINE(1),
              {ON_ARCHIVE(1, "GetObject"), RUN(20, 5)},
              {LAKE(1, "GetObject", 0), RUN(20, 10), .key = K_LAKE, .hit = 1},
              {LAKE(1, "GetObject", 210), RUN(3, 10), .key = K_AFTER, .mark = M_AFTER},
              {ON_SHARED(1, "GetObject", 5), RUN(20, 10)},
              {ON_EXPORTS(1, "GetObject", 0), RUN(19, 10)}}};

/* ---- Impact.Delete: 10 deletions ---- */

static const struct cm_gen_sc_plan deletion = {
    PLAN(8, "Delete", 10),
    .steps = {BASELINE(2),
              {ON_ARCHIVE(2, "DeleteObject"), RUN(10, 5)},
              {LAKE(2, "DeleteObject", 0), RUN(10, 15), .key = K_LAKE, .hit = 1},
              {LAKE(2, "DeleteObject", 160), RUN(2, 15), .key = K_AFTER, .mark = M_AFTER},
              {ON_SHARED(2, "DeleteObject", 5), RUN(10, 15)},
              {ON_EXPORTS(2, "DeleteObject", 0), RUN(9, 15)}}};

/* ---- Impact.Permission: 1 ACL change ---- */

static const struct cm_gen_sc_plan permission = {
    PLAN(8, "Permission", 1),
    .steps = {BASELINE(3),
              /* the owner shares its partner exports itself */
              {.svc = "s3",
               .api = "PutObjectAcl",
               .at = 158u + 10u * 3,
               BY_OWNER(0),
               .bucket = CM_GEN_SC_B_EXPORTS,
               .key = K_LATER},
              {ON_ARCHIVE(3, "PutObjectAcl")},
              {LAKE(3, "PutObjectAcl", 0), .key = K_LAKE, .params = p_grant_acl, .hit = 1},
              {LAKE(3, "PutObjectAcl", 30), RUN(2, 15), .key = K_AFTER, .mark = M_AFTER},
              {ON_SHARED(3, "PutObjectAcl", 5)},
              {ON_EXPORTS(3, "PutObjectAcl", 0)}}};

/* ---- Impact.Write: 10 uploads ---- */

static const struct cm_gen_sc_plan writing = {
    PLAN(5, "Write", 10),
    .steps = {BASELINE(4),
              {ON_ARCHIVE(4, "PutObject"), RUN(10, 5)},
              /* the data lake's objects overwritten with encrypted copies */
              {LAKE(4, "PutObject", 0), RUN(10, 15), .key = K_LAKE, .hit = 1},
              {LAKE(4, "PutObject", 160), RUN(2, 15), .key = K_AFTER, .mark = M_AFTER},
              {ON_SHARED(4, "PutObject", 5), RUN(10, 15)},
              {ON_EXPORTS(4, "PutObject", 0), RUN(9, 15)}}};

CM_GEN_SC_CT(cm_gen_sc_s3_anomaly_discovery, "s3-anomaly-discovery",
             "Discovery:S3/AnomalousBehavior", discovery);
CM_GEN_SC_CT(cm_gen_sc_s3_anomaly_exfiltration, "s3-anomaly-exfiltration",
             "Exfiltration:S3/AnomalousBehavior", exfiltration);
CM_GEN_SC_CT(cm_gen_sc_s3_anomaly_delete, "s3-anomaly-delete", "Impact:S3/AnomalousBehavior.Delete",
             deletion);
CM_GEN_SC_CT(cm_gen_sc_s3_anomaly_permission, "s3-anomaly-permission",
             "Impact:S3/AnomalousBehavior.Permission", permission);
CM_GEN_SC_CT(cm_gen_sc_s3_anomaly_write, "s3-anomaly-write", "Impact:S3/AnomalousBehavior.Write",
             writing);
