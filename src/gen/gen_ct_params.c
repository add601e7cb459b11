/*
 * requestParameters, responseElements, additionalEventData and resources
 * for the generated CloudTrail records. Each parameter shape of the API
 * table (enum cm_gen_ct_params) gets a small object shaped like the real
 * service writes it, naming resources of the simulated world (instances,
 * buckets, roles, functions) or plausible names drawn from short lists.
 * Failed calls keep their requestParameters and have null responseElements.
 */
#include "gen/gen_ct.h"

#include <stdio.h>
#include <string.h>

#include "base/time.h"

struct pctx {
    struct cm_gen_text *t;
    const struct cm_gen_world *w;
    const struct cm_gen_ct_call *c;
    const struct cm_gen_account *acc;
    const char *region;
    struct cm_gen_rng *r;
    unsigned vpc;
};

static const char *const apps[] = {"orders", "billing", "web", "worker"};
static const char *const param_keys[] = {"db_host",       "db_password", "api_key",
                                         "feature_flags", "redis_url",   "jwt_signing_key"};
static const char *const secrets[] = {"db-credentials", "stripe-api-key", "datadog-api-key",
                                      "oauth-client-secret"};
static const char *const tables[] = {"orders", "sessions", "users", "idempotency-keys",
                                     "audit-events"};
static const char *const queues[] = {"jobs", "emails", "thumbnails", "events-dlq", "webhooks"};
static const char *const topics[] = {"alerts", "order-events", "deployments"};
static const char *const stacks[] = {"network", "app", "data", "monitoring"};
static const char *const repos[] = {"api", "worker", "web"};
static const char *const policies[] = {"arn:aws:iam::aws:policy/ReadOnlyAccess",
                                       "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                                       "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                                       "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"};
static const char *const object_dirs[] = {"uploads/", "exports/",    "reports/",   "static/js/",
                                          "images/",  "backups/pg/", "raw/events/"};
static const char *const object_ext[] = {".json",    ".csv.gz", ".png", ".js",
                                         ".parquet", ".sql.gz", ".pdf"};

static const char policy_doc[] =
    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", "
    "\"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\n}";

#define PICK(r, a) ((a)[cm_gen_rng_below((r), (uint32_t)(sizeof(a) / sizeof((a)[0])))])

static void put_env_name(struct pctx *p, const char *name)
{
    cm_gen_t_puts(p->t, p->acc->env);
    cm_gen_t_putc(p->t, '-');
    cm_gen_t_puts(p->t, name);
}

static void put_arn_prefix(struct pctx *p, const char *svc)
{
    cm_gen_t_puts(p->t, "arn:aws:");
    cm_gen_t_puts(p->t, svc);
    cm_gen_t_putc(p->t, ':');
    cm_gen_t_puts(p->t, p->region);
    cm_gen_t_putc(p->t, ':');
    cm_gen_t_puts(p->t, p->acc->id);
    cm_gen_t_putc(p->t, ':');
}

static const struct cm_gen_instance *some_instance(struct pctx *p)
{
    const struct cm_gen_vpc *v = &p->w->vpcs[p->vpc];

    if (p->c->instance < p->w->ninstances) {
        return &p->w->instances[p->c->instance];
    }
    if (v->ninstances == 0) {
        return NULL;
    }
    return &p->w->instances[v->first_instance + cm_gen_rng_below(p->r, v->ninstances)];
}

static const char *some_bucket(struct pctx *p)
{
    const char *b = cm_gen_ct_bucket_name(p->w, p->c);

    return b != NULL ? b : "unknown";
}

static void put_uuid(struct pctx *p)
{
    char u[36];

    cm_gen_rng_uuid(p->r, u);
    cm_gen_t_putn(p->t, u, 36);
}

static void put_kms_key_arn(struct pctx *p)
{
    struct cm_gen_rng kr;
    char u[36];

    cm_gen_rng_derive(&kr, p->w->seed, 0x6b6d73ULL, p->vpc, p->c->kms_key);
    cm_gen_rng_uuid(&kr, u);
    put_arn_prefix(p, "kms");
    cm_gen_t_puts(p->t, "key/");
    cm_gen_t_putn(p->t, u, 36);
}

/* "Jan 5, 2026, 6:00:00 AM", the format STS uses for expiration. */
static void put_sts_time(struct cm_gen_text *t, int64_t s)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t y, sod = ((s % 86400) + 86400) % 86400;
    unsigned m, d, h = (unsigned)(sod / 3600);
    char tmp[8];

    cm_civil_from_days((s - sod) / 86400, &y, &m, &d);
    cm_gen_t_puts(t, mon[(m - 1) % 12]);
    cm_gen_t_putc(t, ' ');
    cm_gen_t_u64(t, d);
    cm_gen_t_puts(t, ", ");
    cm_gen_t_u64(t, (uint64_t)y);
    cm_gen_t_puts(t, ", ");
    cm_gen_t_u64(t, h % 12 == 0 ? 12 : h % 12);
    tmp[0] = ':';
    tmp[1] = (char)('0' + sod / 600 % 6);
    tmp[2] = (char)('0' + sod / 60 % 10);
    tmp[3] = ':';
    tmp[4] = (char)('0' + sod % 60 / 10);
    tmp[5] = (char)('0' + sod % 10);
    cm_gen_t_putn(t, tmp, 6);
    cm_gen_t_puts(t, h < 12 ? " AM" : " PM");
}

static void put_credentials(struct pctx *p, const char *key, int64_t expires)
{
    char tok[64];

    cm_gen_rng_chars(p->r, tok, sizeof(tok),
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 64);
    cm_gen_t_puts(p->t, "{\"accessKeyId\":\"");
    cm_gen_t_puts(p->t, key);
    cm_gen_t_puts(p->t, "\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE");
    cm_gen_t_putn(p->t, tok, sizeof(tok));
    cm_gen_t_puts(p->t, "\",\"expiration\":\"");
    put_sts_time(p->t, expires);
    cm_gen_t_puts(p->t, "\"}");
}

static void p_sts_assume(struct pctx *p, bool ok)
{
    const struct cm_gen_role *ro = &p->w->roles[p->c->target_role];
    const char *sess = p->c->target_session ? p->c->target_session : "session";
    struct cm_gen_text *t = p->t;

    cm_gen_t_puts(t, "\"requestParameters\":{\"roleArn\":\"");
    cm_gen_ct_role_arn(t, p->w, p->c->target_role);
    cm_gen_t_puts(t, "\",\"roleSessionName\":\"");
    cm_gen_t_puts(t, sess);
    cm_gen_t_putc(t, '"');
    if (ro->kind == CM_GEN_R_CROSS) {
        cm_gen_t_puts(t, ",\"externalId\":\"");
        cm_gen_t_puts(t, p->acc->id);
        cm_gen_t_puts(t, "-datadog\"");
    } else if (ro->kind == CM_GEN_R_ASSUMABLE) {
        cm_gen_t_puts(t, ",\"durationSeconds\":3600");
    }
    cm_gen_t_puts(t, "},\"responseElements\":");
    if (!ok || p->c->target_key == NULL) {
        cm_gen_t_puts(t, "null");
        return;
    }
    cm_gen_t_puts(t, "{\"credentials\":");
    put_credentials(p, p->c->target_key, p->c->t + 6 * 3600);
    cm_gen_t_puts(t, ",\"assumedRoleUser\":{\"assumedRoleId\":\"");
    cm_gen_t_puts(t, ro->principal_id);
    cm_gen_t_putc(t, ':');
    cm_gen_t_puts(t, sess);
    cm_gen_t_puts(t, "\",\"arn\":\"arn:aws:sts::");
    cm_gen_t_puts(t, p->w->accounts[ro->account].id);
    cm_gen_t_puts(t, ":assumed-role/");
    cm_gen_t_puts(t, ro->name);
    cm_gen_t_putc(t, '/');
    cm_gen_t_puts(t, sess);
    cm_gen_t_puts(t, "\"}}");
}

static void p_ec2(struct pctx *p, bool ok)
{
    const struct cm_gen_instance *in = some_instance(p);
    const char *name = p->c->api->name;
    struct cm_gen_text *t = p->t;
    bool mutate = !(p->c->api->flags & CM_GEN_API_RO);

    cm_gen_t_puts(t, "\"requestParameters\":");
    if (p->c->api->params == CM_GEN_PA_EC2_OWNER) {
        cm_gen_t_puts(t, "{\"ownersSet\":{\"items\":[{\"owner\":\"self\"}]},\"filterSet\":{}}");
    } else if (strcmp(name, "DescribeRegions") == 0) {
        cm_gen_t_puts(t, "{\"regionSet\":{}}");
    } else if (p->c->api->params == CM_GEN_PA_EC2_FILTER || in == NULL) {
        cm_gen_t_puts(t, cm_gen_rng_chance(p->r, 0.6) ? "{\"filterSet\":{}}"
                                                      : "{\"maxResults\":1000,\"filterSet\":{}}");
    } else if (p->c->api->params == CM_GEN_PA_EC2_TAGS) {
        cm_gen_t_puts(t, "{\"resourcesSet\":{\"items\":[{\"resourceId\":\"");
        cm_gen_t_puts(t, in->id);
        cm_gen_t_puts(t, "\"}]},\"tagSet\":{\"items\":[{\"key\":\"Owner\",\"value\":\"");
        cm_gen_t_puts(t, p->acc->env);
        cm_gen_t_puts(t, "-team\"}]}}");
    } else if (p->c->api->params == CM_GEN_PA_EC2_SG) {
        cm_gen_t_puts(t, "{\"groupId\":\"sg-0");
        cm_gen_t_puts(t, in->eni + 5);
        cm_gen_t_puts(t,
                      "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\",\"fromPort\":443,"
                      "\"toPort\":443,\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":\"");
        cm_gen_t_ip4(t, p->w->vpcs[p->vpc].cidr);
        cm_gen_t_puts(t, "/16\"}]},\"ipv6Ranges\":{},\"prefixListIds\":{}}]}}");
    } else if (cm_gen_rng_chance(p->r, 0.5) || mutate) {
        cm_gen_t_puts(t, "{\"instancesSet\":{\"items\":[{\"instanceId\":\"");
        cm_gen_t_puts(t, in->id);
        cm_gen_t_puts(t, mutate ? "\"}]}}" : "\"}]},\"filterSet\":{}}");
    } else {
        cm_gen_t_puts(t, "{\"instancesSet\":{},\"filterSet\":{}}");
    }
    cm_gen_t_puts(t, ",\"responseElements\":");
    if (ok && mutate) {
        cm_gen_t_puts(t, "{\"requestId\":\"");
        put_uuid(p);
        cm_gen_t_puts(t, "\",\"_return\":true}");
    } else {
        cm_gen_t_puts(t, "null");
    }
}

/* The subresource parameter of Get/Put<Bucket|Object><Sub>: ,"sub":"" (none without Sub). */
static void s3_subresource(struct cm_gen_text *t, const char *name)
{
    const char *s = name + 3; /* after Get/Put */

    if (strncmp(s, "Bucket", 6) == 0) {
        s += 6;
    } else if (strncmp(s, "Object", 6) == 0) {
        s += 6;
    }
    if (*s == '\0') {
        return;
    }
    cm_gen_t_puts(t, ",\"");
    cm_gen_t_putc(t, (char)(*s - 'A' + 'a'));
    cm_gen_t_puts(t, s + 1);
    cm_gen_t_puts(t, "\":\"\"");
}

void cm_gen_ct_object_key(struct cm_gen_rng *r, char *out, size_t n)
{
    snprintf(out, n, "%s%u/%u%s", PICK(r, object_dirs), 2024 + cm_gen_rng_below(r, 3),
             100000 + cm_gen_rng_below(r, 900000), PICK(r, object_ext));
}

static void p_s3(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const char *b = some_bucket(p);
    const char *name = p->c->api->name;

    if (p->c->api->params == CM_GEN_PA_S3_HOST) {
        cm_gen_t_puts(t, "\"requestParameters\":{\"Host\":\"s3.");
        cm_gen_t_puts(t, p->region);
        cm_gen_t_puts(t, ".amazonaws.com\"},\"responseElements\":null");
        return;
    }
    cm_gen_t_puts(t, "\"requestParameters\":{\"bucketName\":\"");
    cm_gen_t_puts(t, b);
    cm_gen_t_puts(t, "\",\"Host\":\"");
    cm_gen_t_puts(t, b);
    cm_gen_t_puts(t, ".s3.");
    cm_gen_t_puts(t, p->region);
    cm_gen_t_puts(t, ".amazonaws.com\"");
    if (p->c->api->params == CM_GEN_PA_S3_OBJECT) {
        cm_gen_t_puts(t, ",\"key\":\"");
        cm_gen_t_puts(t, p->c->object_key ? p->c->object_key : "object");
        cm_gen_t_putc(t, '"');
        if (strncmp(name, "Get", 3) == 0 || strncmp(name, "Put", 3) == 0) {
            s3_subresource(t, name); /* GetObjectAcl: "acl":"" */
        }
    } else if (p->c->api->params == CM_GEN_PA_S3_LIST) {
        cm_gen_t_puts(t, ",\"prefix\":\"");
        cm_gen_t_puts(t, PICK(p->r, object_dirs));
        cm_gen_t_puts(t, strcmp(name, "ListObjectsV2") == 0
                             ? "\",\"list-type\":\"2\",\"encoding-type\":\"url\""
                         : strcmp(name, "ListObjectVersions") == 0
                             ? "\",\"versions\":\"\",\"encoding-type\":\"url\""
                             : "\",\"delimiter\":\"/\",\"encoding-type\":\"url\"");
    } else if (strncmp(name, "PutBucketTagging", 16) == 0) {
        cm_gen_t_puts(t, ",\"tagging\":\"\",\"Tagging\":{\"xmlns\":"
                         "\"http://s3.amazonaws.com/doc/2006-03-01/\",\"TagSet\":{\"Tag\":"
                         "[{\"Key\":\"team\",\"Value\":\"platform\"}]}}");
    } else {
        s3_subresource(t, name);
    }
    cm_gen_t_puts(t, "},\"responseElements\":null");
}

static void p_iam(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_api *a = p->c->api;
    unsigned k;

    cm_gen_t_puts(t, "\"requestParameters\":");
    if (a->params == CM_GEN_PA_IAM_USER && p->acc->nprincipals > 0) {
        k = p->acc->first_principal + cm_gen_rng_below(p->r, p->acc->nprincipals);
        cm_gen_t_puts(t, "{\"userName\":\"");
        cm_gen_t_puts(t, p->w->principals[k].name);
        cm_gen_t_puts(t, "\"}");
    } else if (a->params == CM_GEN_PA_IAM_ROLE) {
        k = p->acc->first_role + cm_gen_rng_below(p->r, p->acc->nroles);
        cm_gen_t_puts(t, "{\"roleName\":\"");
        cm_gen_t_puts(t, p->w->roles[k].name);
        if (strcmp(a->name, "TagRole") == 0) {
            cm_gen_t_puts(t, "\",\"tags\":[{\"key\":\"ManagedBy\",\"value\":\"terraform\"}]}");
        } else if (strcmp(a->name, "PutRolePolicy") == 0) {
            cm_gen_t_puts(t, "\",\"policyName\":\"inline-s3-read\",\"policyDocument\":");
            cm_gen_t_jesc(t, policy_doc, sizeof(policy_doc) - 1);
            cm_gen_t_putc(t, '}');
        } else {
            cm_gen_t_puts(t, "\"}");
        }
    } else if (a->params == CM_GEN_PA_IAM_POLICY) {
        cm_gen_t_kv(t, "{\"policyArn", PICK(p->r, policies));
        cm_gen_t_puts(t, a->name[9] == 'V' ? ",\"versionId\":\"v1\"}" : "}");
    } else if (a->params == CM_GEN_PA_IAM_LIST && cm_gen_rng_chance(p->r, 0.5)) {
        cm_gen_t_puts(t, "{\"maxItems\":100}");
    } else {
        cm_gen_t_puts(t, "null");
    }
    cm_gen_t_puts(t, ",\"responseElements\":null");
}

static void p_kms(struct pctx *p)
{
    struct cm_gen_text *t = p->t;

    cm_gen_t_puts(t, "\"requestParameters\":{");
    switch (p->c->api->params) {
    case CM_GEN_PA_KMS_DECRYPT:
        cm_gen_t_puts(t, "\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"encryptionContext\":{"
                         "\"aws:secretsmanager:arn\":\"");
        put_arn_prefix(p, "secretsmanager");
        cm_gen_t_puts(t, "secret:");
        cm_gen_t_puts(t, p->acc->env);
        cm_gen_t_putc(t, '/');
        cm_gen_t_puts(t, PICK(p->r, secrets));
        cm_gen_t_puts(t, "-AbCd12\"}");
        break;
    case CM_GEN_PA_KMS_GDK:
        cm_gen_t_puts(t, "\"keyId\":\"");
        put_kms_key_arn(p);
        cm_gen_t_puts(t, "\",\"keySpec\":\"AES_256\"");
        break;
    default:
        cm_gen_t_puts(t, "\"keyId\":\"");
        put_kms_key_arn(p);
        cm_gen_t_putc(t, '"');
        break;
    }
    cm_gen_t_puts(t, "},\"responseElements\":null");
}

static void put_ssm_name(struct pctx *p, bool trailing_key)
{
    cm_gen_t_putc(p->t, '/');
    cm_gen_t_puts(p->t, p->acc->env);
    cm_gen_t_putc(p->t, '/');
    cm_gen_t_puts(p->t, PICK(p->r, apps));
    cm_gen_t_putc(p->t, '/');
    if (trailing_key) {
        cm_gen_t_puts(p->t, PICK(p->r, param_keys));
    }
}

static void p_ssm_agent(struct pctx *p, const struct cm_gen_instance *in)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_region *g = p->w->regions[in->region];
    const struct cm_gen_subnet *sn = &p->w->vpcs[in->vpc].subnets[in->subnet];
    char az[24];

    cm_gen_t_puts(t, "{\"instanceId\":\"");
    cm_gen_t_puts(t, in->id);
    if (p->c->api->params == CM_GEN_PA_SSM_ASSOC) {
        cm_gen_t_puts(t, "\"}");
        return;
    }
    cm_gen_t_puts(t, "\",\"agentVersion\":\"3.3.40.0\",\"agentStatus\":\"Active\","
                     "\"platformType\":\"Linux\",\"platformName\":\"Amazon Linux\","
                     "\"platformVersion\":\"2023\",\"iPAddress\":\"");
    cm_gen_t_ip4(t, in->ip);
    cm_gen_t_puts(t, "\",\"computerName\":\"ip-");
    snprintf(az, sizeof(az), "%u-%u-%u-%u", in->ip >> 24, (in->ip >> 16) & 255, (in->ip >> 8) & 255,
             in->ip & 255);
    cm_gen_t_puts(t, az);
    cm_gen_t_putc(t, '.');
    cm_gen_t_puts(t, g->dns_suffix);
    cm_gen_t_puts(t, "\",\"agentName\":\"amazon-ssm-agent\",\"availabilityZone\":\"");
    cm_gen_t_puts(t, g->name);
    cm_gen_t_putc(t, (char)('a' + sn->az));
    cm_gen_t_puts(t, "\",\"availabilityZoneId\":\"");
    cm_gen_t_puts(t, g->az_id);
    cm_gen_t_puts(t, "-az");
    cm_gen_t_u64(t, 1 + (sn->az + in->account) % 3);
    cm_gen_t_puts(t, "\",\"sSMConnectionChannel\":\"ssmmessages\"}");
}

static void p_ssm(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_instance *in;

    cm_gen_t_puts(t, "\"requestParameters\":");
    switch (p->c->api->params) {
    case CM_GEN_PA_SSM_PARAM:
        if (strcmp(p->c->api->name, "GetParameters") == 0) {
            cm_gen_t_puts(t, "{\"names\":[\"");
            put_ssm_name(p, true);
            cm_gen_t_puts(t, "\",\"");
            put_ssm_name(p, true);
            cm_gen_t_puts(t, "\"],\"withDecryption\":true}");
        } else {
            cm_gen_t_puts(t, "{\"name\":\"");
            put_ssm_name(p, true);
            cm_gen_t_puts(t, "\",\"withDecryption\":true}");
        }
        break;
    case CM_GEN_PA_SSM_PATH:
        cm_gen_t_puts(t, "{\"path\":\"");
        put_ssm_name(p, false);
        cm_gen_t_puts(t, "\",\"recursive\":true,\"withDecryption\":true}");
        break;
    default:
        in = some_instance(p);
        if (in == NULL) {
            cm_gen_t_puts(t, "null");
            break;
        }
        p_ssm_agent(p, in);
        break;
    }
    cm_gen_t_puts(t, ",\"responseElements\":null");
}

static void p_logs(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_vpc *v = &p->w->vpcs[p->vpc];
    char hex[32];

    cm_gen_t_puts(t, "\"requestParameters\":{\"logGroupName\":\"");
    if (v->nfunctions > 0 && cm_gen_rng_chance(p->r, 0.5)) {
        cm_gen_t_puts(t, "/aws/lambda/");
        cm_gen_t_puts(
            t, p->w->functions[v->first_function + cm_gen_rng_below(p->r, v->nfunctions)].name);
    } else {
        cm_gen_t_putc(t, '/');
        cm_gen_t_puts(t, p->acc->env);
        cm_gen_t_putc(t, '/');
        cm_gen_t_puts(t, PICK(p->r, apps));
    }
    cm_gen_t_putc(t, '"');
    if (p->c->api->params == CM_GEN_PA_LOGS_STREAM) {
        cm_gen_rng_hex(p->r, hex, sizeof(hex));
        cm_gen_t_puts(t, ",\"logStreamName\":\"");
        cm_gen_t_date_path(t, p->c->t);
        cm_gen_t_puts(t, "/[$LATEST]");
        cm_gen_t_putn(t, hex, sizeof(hex));
        cm_gen_t_putc(t, '"');
    } else if (strcmp(p->c->api->name, "StartQuery") == 0) {
        cm_gen_t_puts(t, ",\"startTime\":");
        cm_gen_t_u64(t, (uint64_t)(p->c->t - 3600));
        cm_gen_t_puts(t, ",\"endTime\":");
        cm_gen_t_u64(t, (uint64_t)p->c->t);
        cm_gen_t_puts(t, ",\"queryString\":\"fields @timestamp, @message | filter @message "
                         "like /ERROR/ | sort @timestamp desc | limit 20\"");
    } else if (strcmp(p->c->api->name, "PutRetentionPolicy") == 0) {
        cm_gen_t_puts(t, ",\"retentionInDays\":30");
    }
    cm_gen_t_puts(t, "},\"responseElements\":null");
}

static void p_data_stores(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const char *name = p->c->api->name;

    cm_gen_t_puts(t, "\"requestParameters\":{");
    switch (p->c->api->params) {
    case CM_GEN_PA_DDB_TABLE:
        if (strncmp(name, "ListTags", 8) == 0) {
            cm_gen_t_puts(t, "\"resourceArn\":\"");
            put_arn_prefix(p, "dynamodb");
            cm_gen_t_puts(t, "table/");
        } else {
            cm_gen_t_puts(t, "\"tableName\":\"");
        }
        put_env_name(p, PICK(p->r, tables));
        break;
    case CM_GEN_PA_SQS_QUEUE:
        if (strcmp(name, "GetQueueUrl") == 0) {
            cm_gen_t_puts(t, "\"queueName\":\"");
        } else {
            cm_gen_t_puts(t, "\"queueUrl\":\"https://sqs.");
            cm_gen_t_puts(t, p->region);
            cm_gen_t_puts(t, ".amazonaws.com/");
            cm_gen_t_puts(t, p->acc->id);
            cm_gen_t_putc(t, '/');
        }
        put_env_name(p, PICK(p->r, queues));
        if (strcmp(name, "GetQueueAttributes") == 0) {
            cm_gen_t_puts(t, "\",\"attributeNames\":[\"All\"]}");
            cm_gen_t_puts(t, ",\"responseElements\":null");
            return;
        }
        break;
    case CM_GEN_PA_SNS_TOPIC:
        cm_gen_t_puts(t, "\"topicArn\":\"");
        put_arn_prefix(p, "sns");
        put_env_name(p, PICK(p->r, topics));
        break;
    default:
        cm_gen_t_puts(t, "\"secretId\":\"");
        cm_gen_t_puts(t, p->acc->env);
        cm_gen_t_putc(t, '/');
        cm_gen_t_puts(t, PICK(p->r, secrets));
        break;
    }
    cm_gen_t_puts(t, "\"},\"responseElements\":null");
}

static void p_deploy(struct pctx *p, bool ok)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_vpc *v = &p->w->vpcs[p->vpc];
    const char *name = p->c->api->name;

    cm_gen_t_puts(t, "\"requestParameters\":{");
    if (p->c->api->params == CM_GEN_PA_LAMBDA_FN && v->nfunctions > 0) {
        cm_gen_t_kv(
            t, "\"functionName",
            p->w->functions[v->first_function + cm_gen_rng_below(p->r, v->nfunctions)].name);
    } else if (p->c->api->params == CM_GEN_PA_CFN_STACK) {
        cm_gen_t_puts(t, "\"stackName\":\"");
        put_env_name(p, PICK(p->r, stacks));
        cm_gen_t_putc(t, '"');
        if (strstr(name, "ChangeSet") != NULL) {
            char hex[8];

            cm_gen_rng_hex(p->r, hex, sizeof(hex));
            cm_gen_t_puts(t, ",\"changeSetName\":\"deploy-");
            cm_gen_t_putn(t, hex, sizeof(hex));
            cm_gen_t_putc(t, '"');
        }
    } else if (p->c->api->params == CM_GEN_PA_ECR_REGISTRY) {
        cm_gen_t_puts(t, "\"registryIds\":[\"");
        cm_gen_t_puts(t, p->acc->id);
        cm_gen_t_puts(t, "\"]");
    } else {
        cm_gen_t_puts(t, "\"repositoryName\":\"");
        cm_gen_t_puts(t, p->acc->env);
        cm_gen_t_putc(t, '/');
        cm_gen_t_puts(t, PICK(p->r, repos));
        cm_gen_t_kv(t, "\",\"registryId", p->acc->id);
    }
    cm_gen_t_puts(t, "},\"responseElements\":");
    if (ok && strcmp(name, "ExecuteChangeSet") == 0) {
        cm_gen_t_puts(t, "{}");
    } else {
        cm_gen_t_puts(t, "null");
    }
}

static void p_cw(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_instance *in = some_instance(p);

    cm_gen_t_puts(t, "\"requestParameters\":");
    if (p->c->api->params == CM_GEN_PA_CW_ALARMS) {
        cm_gen_t_puts(t, "{\"alarmNames\":[\"");
        put_env_name(p, "high-cpu");
        cm_gen_t_puts(t, "\"],\"maxRecords\":100}");
    } else if (in == NULL) {
        cm_gen_t_puts(t, "{\"namespace\":\"AWS/Lambda\",\"metricName\":\"Errors\",\"period\":300}");
    } else {
        cm_gen_t_puts(t, "{\"namespace\":\"AWS/EC2\",\"metricName\":\"CPUUtilization\","
                         "\"dimensions\":[{\"name\":\"InstanceId\",\"value\":\"");
        cm_gen_t_puts(t, in->id);
        cm_gen_t_puts(t, "\"}],\"startTime\":\"");
        cm_gen_t_iso(t, p->c->t - 3600);
        cm_gen_t_puts(t, "\",\"endTime\":\"");
        cm_gen_t_iso(t, p->c->t);
        cm_gen_t_puts(t, "\",\"period\":300,\"statistics\":[\"Average\"]}");
    }
    cm_gen_t_puts(t, ",\"responseElements\":null");
}

static void p_console_login(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_caller *who = p->c->who;
    char hex[16];

    cm_gen_rng_hex(p->r, hex, sizeof(hex));
    cm_gen_t_puts(t, "\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"");
    cm_gen_t_puts(t, p->c->login_failed ? "Failure" : "Success");
    cm_gen_t_puts(t, "\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/"
                     "console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_");
    cm_gen_t_putn(t, hex, sizeof(hex));
    cm_gen_t_puts(t, "\",\"MobileVersion\":\"No\"");
    if (who->kind == CM_GEN_K_SIGNIN && who->mfa && !p->c->login_failed) {
        cm_gen_t_puts(t, ",\"MFAIdentifier\":\"arn:aws:iam::");
        cm_gen_t_puts(t, p->acc->id);
        cm_gen_t_puts(t, ":mfa/");
        cm_gen_t_puts(t, who->user_name ? who->user_name : p->w->principals[who->principal].name);
        cm_gen_t_putc(t, '"');
    }
    cm_gen_t_puts(t, who->mfa && !p->c->login_failed ? ",\"MFAUsed\":\"Yes\"}"
                                                     : ",\"MFAUsed\":\"No\"}");
}

static void s3_event_data(struct pctx *p)
{
    struct cm_gen_text *t = p->t;
    const struct cm_gen_api *a = p->c->api;
    bool put = strcmp(a->name, "PutObject") == 0;
    char id2[76];

    cm_gen_rng_chars(p->r, id2, sizeof(id2),
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 64);
    cm_gen_t_puts(t, ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\","
                     "\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":");
    cm_gen_t_u64(t, put ? p->c->bytes_out : 0);
    cm_gen_t_puts(t, ",\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"");
    cm_gen_t_putn(t, id2, sizeof(id2));
    cm_gen_t_puts(t, "=\",\"bytesTransferredOut\":");
    cm_gen_t_u64(t, put ? 0 : (a->params == CM_GEN_PA_S3_HOST ? 4096 : p->c->bytes_out));
    cm_gen_t_putc(t, '}');
}

static void pctx_init(struct pctx *p, struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    const struct cm_gen_world *w = f->env->world;

    p->t = &f->t;
    p->w = w;
    p->c = c;
    p->vpc = f->vpc;
    p->acc = &w->accounts[w->vpcs[f->vpc].account];
    p->region = w->regions[c->region < w->nregions ? c->region : 0]->name;
    p->r = &f->rng;
}

void cm_gen_ct_params(struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    struct pctx p;
    bool ok = c->error < 0;
    unsigned pa = c->api->params;

    pctx_init(&p, f, c);
    if (c->params != NULL) {
        cm_gen_t_puts(p.t, c->params);
        if (pa >= CM_GEN_PA_S3_HOST && pa <= CM_GEN_PA_S3_LIST) {
            s3_event_data(&p);
        }
        return;
    }
    if (pa >= CM_GEN_PA_EC2_INSTANCES && pa <= CM_GEN_PA_EC2_SG) {
        p_ec2(&p, ok);
    } else if (pa >= CM_GEN_PA_S3_HOST && pa <= CM_GEN_PA_S3_LIST) {
        p_s3(&p);
        s3_event_data(&p);
    } else if (pa >= CM_GEN_PA_IAM_USER && pa <= CM_GEN_PA_IAM_LIST) {
        p_iam(&p);
    } else if (pa == CM_GEN_PA_STS_ASSUME) {
        p_sts_assume(&p, ok);
    } else if (pa == CM_GEN_PA_STS_TOKEN) {
        cm_gen_t_puts(p.t, "\"requestParameters\":{\"durationSeconds\":43200},"
                           "\"responseElements\":");
        if (ok && c->target_key != NULL) {
            cm_gen_t_puts(p.t, "{\"credentials\":");
            put_credentials(&p, c->target_key, c->t + 43200);
            cm_gen_t_putc(p.t, '}');
        } else {
            cm_gen_t_puts(p.t, "null");
        }
    } else if (pa >= CM_GEN_PA_KMS_DECRYPT && pa <= CM_GEN_PA_KMS_KEY) {
        p_kms(&p);
    } else if (pa >= CM_GEN_PA_SSM_PARAM && pa <= CM_GEN_PA_SSM_ASSOC) {
        p_ssm(&p);
    } else if (pa == CM_GEN_PA_SECRET || (pa >= CM_GEN_PA_DDB_TABLE && pa <= CM_GEN_PA_SNS_TOPIC)) {
        p_data_stores(&p);
    } else if (pa == CM_GEN_PA_LOGS_GROUP || pa == CM_GEN_PA_LOGS_STREAM) {
        p_logs(&p);
    } else if ((pa >= CM_GEN_PA_ECR_REGISTRY && pa <= CM_GEN_PA_CFN_STACK)) {
        p_deploy(&p, ok);
    } else if (pa == CM_GEN_PA_CW_METRIC || pa == CM_GEN_PA_CW_ALARMS) {
        p_cw(&p);
    } else if (pa == CM_GEN_PA_CONSOLE_LOGIN) {
        p_console_login(&p);
    } else if (pa == CM_GEN_PA_MAXREC) {
        cm_gen_t_puts(p.t, "\"requestParameters\":{\"maxResults\":50},\"responseElements\":null");
    } else if (pa == CM_GEN_PA_EMPTY) {
        cm_gen_t_puts(p.t, "\"requestParameters\":{},\"responseElements\":null");
    } else {
        cm_gen_t_puts(p.t, "\"requestParameters\":null,\"responseElements\":null");
    }
}

static void res_bucket(struct pctx *p, const char *b)
{
    cm_gen_t_puts(p->t, "{\"accountId\":\"");
    cm_gen_t_puts(p->t, p->acc->id);
    cm_gen_t_puts(p->t, "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
    cm_gen_t_puts(p->t, b);
    cm_gen_t_puts(p->t, "\"}");
}

void cm_gen_ct_extras(struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    struct pctx p;
    unsigned pa = c->api->params;

    pctx_init(&p, f, c);
    if (pa >= CM_GEN_PA_KMS_DECRYPT && pa <= CM_GEN_PA_KMS_KEY) {
        cm_gen_t_puts(p.t, ",\"resources\":[{\"accountId\":\"");
        cm_gen_t_puts(p.t, p.acc->id);
        cm_gen_t_puts(p.t, "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"");
        put_kms_key_arn(&p);
        cm_gen_t_puts(p.t, "\"}]");
    } else if (pa == CM_GEN_PA_STS_ASSUME) {
        cm_gen_t_puts(p.t, ",\"resources\":[{\"accountId\":\"");
        cm_gen_t_puts(p.t, p.w->accounts[p.w->roles[c->target_role].account].id);
        cm_gen_t_puts(p.t, "\",\"type\":\"AWS::IAM::Role\",\"ARN\":\"");
        cm_gen_ct_role_arn(p.t, p.w, c->target_role);
        cm_gen_t_puts(p.t, "\"}]");
    } else if (pa == CM_GEN_PA_S3_BUCKET || pa == CM_GEN_PA_S3_LIST) {
        cm_gen_t_puts(p.t, ",\"resources\":[");
        res_bucket(&p, some_bucket(&p));
        cm_gen_t_putc(p.t, ']');
    } else if (pa == CM_GEN_PA_S3_OBJECT) {
        const char *b = some_bucket(&p);

        cm_gen_t_puts(p.t, ",\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::");
        cm_gen_t_puts(p.t, b);
        cm_gen_t_putc(p.t, '/');
        cm_gen_t_puts(p.t, c->object_key ? c->object_key : "object");
        cm_gen_t_puts(p.t, "\"},");
        res_bucket(&p, b);
        cm_gen_t_putc(p.t, ']');
    }
}
