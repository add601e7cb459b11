/*
 * CloudTrail record writing shared by the background generator, the S3
 * data-event generator and (later) attack scenarios.
 *
 * A record is described by a struct cm_gen_ct_call: when, which API (an entry
 * of the const API table), who (struct cm_gen_caller), from where (IP or AWS
 * service name) and with which client. cm_gen_ct_write() turns it into one
 * compact JSON record in the file, in the field order real CloudTrail uses.
 * The tables (services, APIs, user agents, errors) live in gen_ct_tables.c;
 * identities and user agents in gen_ct_ident.c; request/response bodies in
 * gen_ct_params.c.
 */
#ifndef CM_GEN_GEN_CT_H
#define CM_GEN_GEN_CT_H

#include <stdbool.h>
#include <stdint.h>

#include "gen/gen.h"

/* Who calls, for the weight columns of the API table. */
enum cm_gen_ct_class {
    CM_GEN_C_HUMAN = 0, /* people with CLI/SDK credentials */
    CM_GEN_C_CONSOLE,   /* people in the console */
    CM_GEN_C_CI,        /* Terraform / CI */
    CM_GEN_C_APP,       /* instance roles of web/app/worker */
    CM_GEN_C_INFRA,     /* instance roles of db/cache/bastion */
    CM_GEN_C_LAMBDA,    /* function execution roles */
    CM_GEN_C_MONITOR,   /* third-party monitoring via a cross-account role */
    CM_GEN_C_CONFIG,    /* AWS Config's service-linked role */
    CM_GEN_NCLASSES,
};

/* API flags. */
#define CM_GEN_API_RO      0x01u /* readOnly */
#define CM_GEN_API_GLOBAL  0x02u /* recorded in us-east-1 only */
#define CM_GEN_API_SIGNIN  0x04u /* eventType AwsConsoleSignIn */
#define CM_GEN_API_DATA    0x08u /* S3 data event */
#define CM_GEN_API_SPECIAL 0x10u /* never drawn at random */

/* Parameter shapes (gen_ct_params.c). */
enum cm_gen_ct_params {
    CM_GEN_PA_NULL = 0,
    CM_GEN_PA_EMPTY,
    CM_GEN_PA_EC2_INSTANCES,
    CM_GEN_PA_EC2_FILTER,
    CM_GEN_PA_EC2_OWNER,
    CM_GEN_PA_EC2_TAGS,
    CM_GEN_PA_EC2_SG,
    CM_GEN_PA_S3_HOST,
    CM_GEN_PA_S3_BUCKET,
    CM_GEN_PA_S3_OBJECT,
    CM_GEN_PA_S3_LIST,
    CM_GEN_PA_IAM_USER,
    CM_GEN_PA_IAM_ROLE,
    CM_GEN_PA_IAM_POLICY,
    CM_GEN_PA_IAM_LIST,
    CM_GEN_PA_STS_ASSUME,
    CM_GEN_PA_STS_TOKEN,
    CM_GEN_PA_KMS_DECRYPT,
    CM_GEN_PA_KMS_GDK,
    CM_GEN_PA_KMS_KEY,
    CM_GEN_PA_SSM_PARAM,
    CM_GEN_PA_SSM_PATH,
    CM_GEN_PA_SSM_UII,
    CM_GEN_PA_SSM_ASSOC,
    CM_GEN_PA_SECRET,
    CM_GEN_PA_LOGS_GROUP,
    CM_GEN_PA_LOGS_STREAM,
    CM_GEN_PA_DDB_TABLE,
    CM_GEN_PA_SQS_QUEUE,
    CM_GEN_PA_SNS_TOPIC,
    CM_GEN_PA_ECR_REGISTRY,
    CM_GEN_PA_ECR_REPO,
    CM_GEN_PA_LAMBDA_FN,
    CM_GEN_PA_CFN_STACK,
    CM_GEN_PA_CW_METRIC,
    CM_GEN_PA_CW_ALARMS,
    CM_GEN_PA_CONSOLE_LOGIN,
    CM_GEN_PA_MAXREC,
    CM_GEN_PA_COUNT,
};

struct cm_gen_service {
    const char *source;  /* eventSource prefix: "ec2" -> ec2.amazonaws.com */
    const char *cli;     /* CLI/SDK service id: "ec2", "cloudwatch" */
    const char *version; /* eventVersion this service writes */
};

struct cm_gen_api {
    uint8_t svc;      /* index into cm_gen_services */
    const char *name; /* eventName */
    uint8_t flags;    /* CM_GEN_API_* */
    uint8_t params;   /* enum cm_gen_ct_params */
    uint8_t w[CM_GEN_NCLASSES];
    uint8_t err;     /* index into cm_gen_ct_errors of the API's natural error, 0 none */
    uint8_t err_pct; /* how often it fails that way */
};

struct cm_gen_ct_error {
    const char *code;
    const char *message; /* JSON-safe */
};

/* User-agent families; the tail says what the client appends. */
enum cm_gen_ua_tail {
    CM_GEN_UA_PLAIN = 0,
    CM_GEN_UA_CLI_CMD, /* "<svc>.<kebab-op>" (aws-cli) */
    CM_GEN_UA_API_SVC, /* "<svc>#<version>" (SDKs that name the service) */
};

struct cm_gen_agent {
    const char *text;
    uint8_t tail; /* enum cm_gen_ua_tail */
};

extern const struct cm_gen_service cm_gen_services[];
extern const struct cm_gen_api cm_gen_apis[];
extern const unsigned cm_gen_napis;
extern const struct cm_gen_ct_error cm_gen_ct_errors[];
extern const unsigned cm_gen_ct_nerrors;
extern const struct cm_gen_agent cm_gen_agents[];
extern const unsigned cm_gen_nagents;

/* Indexes of often-used table entries (checked by the unit test). */
enum {
    CM_GEN_UA_BROWSER_FIRST = 0, /* browsers occupy [0, CM_GEN_UA_NBROWSERS) */
    CM_GEN_UA_NBROWSERS = 4,
    CM_GEN_UA_CONSOLE_S3 = 4,
    CM_GEN_UA_CLI_FIRST = 5, /* people's CLI/SDK clients [5, 11) */
    CM_GEN_UA_NCLI = 6,
    CM_GEN_UA_TERRAFORM = 11,
    CM_GEN_UA_SSM_AGENT = 12,
    CM_GEN_UA_APP_FIRST = 13, /* instance application SDKs [13, 16) */
    CM_GEN_UA_NAPP = 3,
    CM_GEN_UA_LAMBDA_FIRST = 16, /* per runtime [16, 19) */
    CM_GEN_UA_NLAMBDA = 3,
    CM_GEN_UA_MONITOR = 19,
    CM_GEN_UA_AWS_INTERNAL = 20,
};

/*
 * The error a call fails with: the API's natural error at its rate, else a
 * service-typical error with probability p. Returns an index into
 * cm_gen_ct_errors, or -1 for success.
 */
int cm_gen_ct_pick_error(const struct cm_gen_api *a, struct cm_gen_rng *r, double p);

/* Looks an API up by eventSource prefix and eventName; NULL if absent. */
const struct cm_gen_api *cm_gen_api_find(const char *source, const char *name);

enum cm_gen_caller_kind {
    CM_GEN_K_IAM_USER = 0, /* long-term AKIA key */
    CM_GEN_K_USER_SESSION, /* IAM user's console session (ASIA key) */
    CM_GEN_K_ROLE,         /* AssumedRole session of a world role */
    CM_GEN_K_SERVICE,      /* AWSService, invokedBy */
    CM_GEN_K_ROOT,
    CM_GEN_K_FEDERATED,
    CM_GEN_K_ACCOUNT,     /* AWSAccount (a principal in another account) */
    CM_GEN_K_SIGNIN,      /* ConsoleLogin of an IAM user: no key */
    CM_GEN_K_ROOT_SIGNIN, /* ConsoleLogin of root */
};

struct cm_gen_caller {
    enum cm_gen_caller_kind kind;
    unsigned account;
    unsigned principal;    /* IAM user (user kinds, federated issuer) */
    unsigned role;         /* world role (CM_GEN_K_ROLE) */
    const char *session;   /* role session / federated name */
    char key[21];          /* access key id, "" for none */
    int64_t session_start; /* creationDate, Unix seconds */
    bool mfa;
    bool ec2_delivery;         /* instance profile: ec2RoleDelivery "2.0" */
    bool console;              /* sessionCredentialFromConsole */
    const char *invoked_by;    /* AWSService / service-linked callers; roles and root too */
    const char *other_account; /* AWSAccount: the caller's account id */
    bool assumed_root;         /* root: a centralized-root-access (sts:AssumeRoot) session */
    /* IAM users the world does not hold (scenarios' decoys): name and AIDA id, else NULL. */
    const char *user_name, *user_id;
    /*
     * Renewing sessions: when sess_len > 0 the writer derives key and
     * session_start from the call's time (cm_gen_ct_epoch/session_key with
     * sess_tag, sess_idx), so calls on either side of a renewal get the
     * right credentials.
     */
    unsigned sess_tag, sess_idx;
    int64_t sess_len;
};

struct cm_gen_ct_call {
    int64_t t; /* eventTime, Unix seconds */
    const struct cm_gen_api *api;
    const struct cm_gen_caller *who;
    unsigned region;        /* awsRegion, world region index */
    uint32_t src_ip;        /* caller IP (host order) when src_name is NULL */
    const char *src_name;   /* "ec2.amazonaws.com", "AWS Internal" */
    unsigned agent;         /* index into cm_gen_agents, or */
    const char *agent_text; /* a literal user agent (wins when set) */
    int error;              /* -1 success, else index into cm_gen_ct_errors */
    bool vpce;              /* through the VPC's interface endpoint */
    bool tls;               /* write tlsDetails */
    bool login_failed;      /* ConsoleLogin failure */
    /* Subjects for the parameter writers. */
    unsigned instance;    /* world instance the call is about (or by) */
    unsigned bucket;      /* world bucket */
    unsigned target_role; /* AssumeRole target */
    const char *target_session;
    const char *target_key; /* AssumeRole: the ASIA key it hands out */
    const char *object_key; /* S3 data events */
    uint32_t bytes_out;
    unsigned kms_key; /* which of the VPC's three KMS keys */
    /* Literal overrides (scenarios); NULL keeps what the table and the world give. */
    const char *params;        /* "requestParameters":...,"responseElements":... (JSON) */
    const char *bucket_name;   /* a bucket the world does not hold */
    const char *error_code;    /* errorCode (with error_message; error is ignored) */
    const char *error_message; /* errorMessage */
    const char *vpce_id;       /* another VPC endpoint (with vpce_account), vpce ignored */
    const char *vpce_account;
};

/* The bucket c is about: its bucket_name, else its world bucket's name, else NULL. */
const char *cm_gen_ct_bucket_name(const struct cm_gen_world *w, const struct cm_gen_ct_call *c);

/* Fills c with neutral defaults for time t, api and caller who. */
void cm_gen_ct_call_init(struct cm_gen_ct_call *c, int64_t t, const struct cm_gen_api *api,
                         const struct cm_gen_caller *who, unsigned region);

/* Writes one record into f (begin_rec .. end_rec). */
void cm_gen_ct_write(struct cm_gen_file *f, const struct cm_gen_ct_call *c);

/* Writes the userIdentity object. */
void cm_gen_ct_identity(struct cm_gen_file *f, const struct cm_gen_caller *who);

/* Writes the userAgent value (quoted). */
void cm_gen_ct_agent(struct cm_gen_file *f, const struct cm_gen_ct_call *c);

/*
 * Writes requestParameters, responseElements and additionalEventData (c's
 * params text instead of the first two when set). The subjects of c (bucket,
 * kms_key, object_key) must be resolved already; cm_gen_ct_write does that.
 */
void cm_gen_ct_params(struct cm_gen_file *f, const struct cm_gen_ct_call *c);

/* Writes ,"resources":[...] when the API names resources. */
void cm_gen_ct_extras(struct cm_gen_file *f, const struct cm_gen_ct_call *c);

/* Writes a plausible S3 object key ("uploads/2025/123456.json") to out. */
void cm_gen_ct_object_key(struct cm_gen_rng *r, char *out, size_t n);

/*
 * Deterministic temporary credentials: the ASIA key of a session of entity
 * (tag, idx) in epoch e. Writes 20 characters and a NUL to out.
 */
void cm_gen_ct_session_key(const struct cm_gen_world *w, unsigned tag, unsigned idx, int64_t e,
                           char *out);

/* Epoch of a session that renews every len seconds, offset per entity. */
int64_t cm_gen_ct_epoch(const struct cm_gen_world *w, unsigned tag, unsigned idx, int64_t t,
                        int64_t len, int64_t *start);

/* Writes arn:aws:iam::<acct>:role<path><name> for world role r. */
void cm_gen_ct_role_arn(struct cm_gen_text *t, const struct cm_gen_world *w, unsigned r);

/* Session tags for cm_gen_ct_session_key. */
enum {
    CM_GEN_SESS_INSTANCE = 1,
    CM_GEN_SESS_LAMBDA,
    CM_GEN_SESS_CONSOLE,
    CM_GEN_SESS_SSO,
    CM_GEN_SESS_CONFIG,
    CM_GEN_SESS_MONITOR,
    CM_GEN_SESS_ROOT,
    CM_GEN_SESS_FEDERATED,
    CM_GEN_SESS_ASSUMED,
};

#endif
